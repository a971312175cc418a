//! Personal access tokens (SPEC §11), `auth.access()`: making, listing and deleting
//! them, and checking a presented one.
//!
//! A token is a session of kind `token`, so every way sessions end (deleting it,
//! revoking it from the sessions list, signing out the others, log out everywhere,
//! a password change, disabling the account, an admin) goes through
//! `Auth::commit` and ends it: the session moves into the revoked set, which the
//! check consults first, so the refusal carries the reason. The revoked entry lasts
//! until the token's expiry (its `token_exp`), and so does the index entry; a
//! restart loads only the tokens whose sessions live.
//!
//! The check is an in-memory map lookup by the token's SHA-256 digest, then the
//! mirror (revoked set, generation, enabled): no disk read. "Last used" is written
//! at most once a minute per token, by compare-and-swap, so a token ended meanwhile
//! is never brought back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use super::{Auth, Check, Client, Identity};
use crate::domain::access::{AccessToken, Grant, Scope, TokenHash};
use crate::domain::audit::AuditKind;
use crate::domain::{EndReason, Session, SessionId, SessionKind, UserId};
use crate::store::{Store, StoreError};

/// "Last used" is written at most this often per token, in seconds.
const TOUCH_EVERY: i64 = 60;

/// What a token is presented for.
#[derive(Debug, Clone, Copy)]
pub enum Wants<'a> {
    /// The JSON API (scope `api`).
    Api,
    /// A forward-auth check for this host.
    Host(&'a str),
}

/// The verdict on a presented personal access token.
#[derive(Debug, Clone)]
pub enum TokenCheck {
    /// Live, and its scope covers what it was presented for.
    Valid(Identity),
    /// Live, but not for this.
    OutOfScope,
    /// Unknown, expired or ended ([`Check::Ended`] with the reason, or
    /// [`Check::Rejected`]).
    Refused(Check),
}

/// A token as the index holds it.
struct Live {
    grant: Grant,
    session: Session,
    last_used: AtomicI64,
}

/// Every live token, by digest.
#[derive(Default)]
pub(super) struct AccessIndex(RwLock<HashMap<TokenHash, Arc<Live>>>);

impl AccessIndex {
    /// Loads the grants whose sessions still exist.
    pub(super) fn load(store: &Store) -> Result<AccessIndex, StoreError> {
        let mut map = HashMap::new();
        for grant in store.live_grants()? {
            if let Some(session) = store.session(&grant.session)? {
                map.insert(grant.hash, Arc::new(live(grant, session)));
            }
        }
        Ok(AccessIndex(RwLock::new(map)))
    }

    /// Adds a new token, dropping those past their expiry.
    pub(super) fn insert(&self, grant: Grant, session: Session) {
        let now = grant.created_at;
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, live| live.grant.expires_at > now);
        map.insert(grant.hash, Arc::new(live(grant, session)));
    }

    /// Forgets tokens past their expiry or whose session `ended`; how many.
    pub(super) fn prune(&self, now: i64, ended: impl Fn(&SessionId) -> bool) -> usize {
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        let before = map.len();
        map.retain(|_, live| live.grant.expires_at > now && !ended(&live.grant.session));
        before - map.len()
    }

    fn get(&self, hash: &TokenHash) -> Option<Arc<Live>> {
        let map = self.0.read().unwrap_or_else(|e| e.into_inner());
        map.get(hash).cloned()
    }
}

fn live(grant: Grant, session: Session) -> Live {
    // A token never used yet records its first use at once.
    let used = session.last_seen_at > session.created_at;
    let last_used = AtomicI64::new(if used { session.last_seen_at } else { i64::MIN });
    Live {
        grant,
        session,
        last_used,
    }
}

/// A token as its owner sees it listed.
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Name, scope, created and expiry.
    pub grant: Grant,
    /// Unix seconds of the last use recorded, if it was ever used.
    pub last_used_at: Option<i64>,
}

/// The personal access tokens capability; `auth.access()`.
#[derive(Clone, Copy)]
pub struct AccessTokens<'a>(pub(super) &'a Auth);

impl AccessTokens<'_> {
    /// Makes a token for `me`'s user, valid `days` days, and returns it: the only
    /// time the secret exists outside the client.
    pub async fn create(
        self,
        me: &Identity,
        name: String,
        days: i64,
        scope: Scope,
        client: &Client,
    ) -> Result<(Grant, AccessToken), StoreError> {
        let auth = self.0;
        let user = &me.user;
        let kind = SessionKind::Token;
        let issued = auth
            .start_session(user, kind, false, Some(name.clone()), client)
            .await?;
        let mut session = issued.session;
        let now = session.created_at;
        let expires_at = now + days * 86_400;
        session.expires_at = Some(expires_at);
        session.token_exp = expires_at;
        let (token, hash) = AccessToken::generate();
        let grant = Grant {
            session: session.id,
            user: user.id,
            name,
            scope,
            generation: user.generation,
            created_at: now,
            expires_at,
            hash,
        };
        auth.store.put_grant(&grant)?;
        auth.store.put_session(&session)?;
        auth.store.flush().await?;
        auth.access.insert(grant.clone(), session.clone());
        let audit = AuditKind::AccessTokenCreated;
        auth.audit(audit, Some(user.id), Some(session.id), client);
        Ok((grant, token))
    }

    /// `user`'s tokens, oldest first.
    pub fn list(self, user: &UserId) -> Result<Vec<TokenRow>, StoreError> {
        let store = &self.0.store;
        let mut rows = Vec::new();
        for session in store.sessions_of(user)? {
            if session.kind != SessionKind::Token {
                continue;
            }
            if let Some(grant) = store.grant(&session.id)? {
                let used = session.last_seen_at > session.created_at;
                let last_used_at = used.then_some(session.last_seen_at);
                rows.push(TokenRow {
                    grant,
                    last_used_at,
                });
            }
        }
        Ok(rows)
    }

    /// Whether `session` is a personal access token's.
    pub fn is_token(self, session: &SessionId) -> bool {
        let map = self.0.access.0.read().unwrap_or_else(|e| e.into_inner());
        map.values().any(|live| live.grant.session == *session)
    }

    /// Deletes token `id` of `me`'s user (its session ends like a revoked one);
    /// `false`, and nothing touched, when it is not one of theirs.
    pub async fn delete(
        self,
        me: &Identity,
        id: &SessionId,
        client: &Client,
    ) -> Result<bool, StoreError> {
        let store = &self.0.store;
        match store.grant(id)? {
            Some(grant) if grant.user == me.user.id => {}
            _ => return Ok(false),
        }
        let ended = self.0.sessions().revoke(me, id, client).await?;
        store.remove_grant(id)?;
        Ok(ended)
    }

    /// Checks a presented token for `wants`: memory only (SPEC §11).
    pub fn check(self, presented: &str, wants: Wants<'_>, client: &Client) -> TokenCheck {
        let auth = self.0;
        let refused = TokenCheck::Refused;
        let Some(live) = AccessToken::parse(presented).and_then(|h| auth.access.get(&h)) else {
            return refused(Check::Rejected);
        };
        let (grant, now) = (&live.grant, auth.clock.now());
        if now >= grant.expires_at {
            return refused(Check::Ended(EndReason::Expired));
        }
        if let Some(reason) = auth.mirror.ended(&grant.session) {
            return refused(Check::Ended(reason));
        }
        let Some(user) = auth.mirror.user(&grant.user) else {
            return refused(Check::Rejected);
        };
        if !user.enabled {
            return refused(Check::Ended(EndReason::Disabled));
        }
        if user.generation != grant.generation {
            return refused(Check::Ended(EndReason::Unknown));
        }
        let in_scope = match wants {
            Wants::Api => grant.scope.api,
            Wants::Host(host) => grant.scope.covers(host),
        };
        if !in_scope {
            return TokenCheck::OutOfScope;
        }
        self.touch(&live, now, client);
        TokenCheck::Valid(Identity::of(user, &live.session))
    }

    /// Records a use, at most once a minute; a failure is logged, never fatal.
    fn touch(self, live: &Live, now: i64, client: &Client) {
        let last = live.last_used.load(Ordering::Relaxed);
        if now.saturating_sub(last) < TOUCH_EVERY {
            return;
        }
        let swapped =
            live.last_used
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed);
        if swapped.is_err() {
            return;
        }
        let store = &self.0.store;
        let result = store
            .session_for_update(&live.grant.session)
            .and_then(|read| {
                let Some(read) = read else { return Ok(false) };
                let mut session = read.session.clone();
                session.last_seen_at = now;
                session.ip = client.ip.or(session.ip);
                store.replace_session(&read, &session)
            });
        if let Err(e) = result {
            rocket::warn!("could not record an access token's use: {e}");
        }
    }
}
