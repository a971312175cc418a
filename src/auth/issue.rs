//! Opening sessions and minting their tokens: what login, registration, links,
//! password changes and renewals share.

use std::sync::Arc;

use super::{Auth, Client, Identity, Issued, UserView};
use crate::clock::secs;
use crate::domain::refresh::{RefreshState, RefreshToken};
use crate::domain::session::device_label;
use crate::domain::{Session, SessionId, SessionKind};
use crate::store::StoreError;
use crate::token::TokenClaims;

impl Auth {
    /// Starts a session for `user`, mints its first token (and for an API session
    /// its first refresh token) and makes it durable. `device` overrides the label
    /// derived from the User-Agent.
    pub(super) async fn start_session(
        &self,
        user: &UserView,
        kind: SessionKind,
        remember: bool,
        device: Option<String>,
        client: &Client,
    ) -> Result<Issued, StoreError> {
        self.start_session_with(user, kind, remember, device, Vec::new(), client)
            .await
    }

    /// [`Auth::start_session`] after a second factor: `amr` names it (SPEC §10).
    pub(super) async fn start_session_with(
        &self,
        user: &UserView,
        kind: SessionKind,
        remember: bool,
        device: Option<String>,
        amr: Vec<String>,
        client: &Client,
    ) -> Result<Issued, StoreError> {
        let now = self.clock.now();
        let mut session = Session {
            id: SessionId::random(),
            user_id: user.id,
            kind,
            created_at: now,
            last_seen_at: now,
            expires_at: self.config.session_lifetime().map(|d| now + secs(d)),
            remember,
            device: device.unwrap_or_else(|| device_label(client.user_agent.as_deref())),
            ip: client.ip,
            auth_at: now,
            rotation: 0,
            rotated_at: now,
            token_exp: now,
            refresh: None,
            factor_at: if amr.is_empty() { 0 } else { now },
            amr,
        };
        let refresh_token = (kind == SessionKind::Api).then(|| self.new_lineage(&mut session, now));
        let token = self.mint(&mut session, user.generation, now);
        self.store.put_session(&session)?;
        self.note_sign_in(&session, client);
        self.store.flush().await?;
        Ok(Issued {
            token,
            session,
            refresh_token,
        })
    }

    /// A new token for `session` under `generation` after a password entry now;
    /// an API session also gets a new refresh-token lineage (earlier refresh tokens
    /// stop working). The record is changed, not written.
    pub(super) fn reissue(&self, mut session: Session, generation: u64) -> Issued {
        let now = self.clock.now();
        session.auth_at = now;
        // A person typed a password: that is activity (SPEC §11), and a token minted
        // with "last seen" behind would be taken for a background renewal's.
        session.last_seen_at = now;
        let refresh_token =
            (session.kind == SessionKind::Api).then(|| self.new_lineage(&mut session, now));
        let token = self.mint(&mut session, generation, now);
        Issued {
            token,
            session,
            refresh_token,
        }
    }

    /// Records in `session` that a second factor (`method`: an `amr` value) was
    /// proven now, and with `password_too` that the session was confirmed now as
    /// well; stores the record and mints its token. A person did it, so "last
    /// seen" moves too.
    pub(super) async fn factor_proven(
        &self,
        mut session: Session,
        generation: u64,
        method: &str,
        password_too: bool,
    ) -> Result<Issued, StoreError> {
        let now = self.clock.now();
        // `pwd` is implied in an empty `amr` (records from before it existed).
        if session.amr.is_empty() {
            session.amr.push("pwd".to_owned());
        }
        if !session.amr.iter().any(|m| m == method) {
            session.amr.push(method.to_owned());
        }
        session.factor_at = now;
        session.last_seen_at = now;
        let issued = if password_too {
            self.reissue(session, generation)
        } else {
            let token = self.mint(&mut session, generation, now);
            Issued {
                token,
                session,
                refresh_token: None,
            }
        };
        self.store.put_session(&issued.session)?;
        self.store.flush().await?;
        Ok(issued)
    }

    /// Mints a token for `session` at its current rotation and records its expiry.
    /// Callers set `last_seen_at` first: a record whose "last seen" is behind `now`
    /// gets an `unseen` token, which only a background renewal should produce.
    pub(super) fn mint(&self, session: &mut Session, generation: u64, now: i64) -> String {
        let mut expires_at = now + secs(self.config.access_token_ttl);
        if let Some(end) = session.expires_at {
            expires_at = expires_at.min(end);
        }
        // A background renewal leaves "last seen" behind; its token ends at the
        // session's idle end at the latest (SPEC §11).
        let unseen = session.last_seen_at < now;
        if unseen {
            let idle = session.idle_timeout(
                self.config.session_idle_timeout,
                self.config.remember_idle_timeout,
            );
            expires_at = expires_at.min(session.last_seen_at + secs(idle));
        }
        session.token_exp = session.token_exp.max(expires_at);
        self.tokens.mint(&TokenClaims {
            user: session.user_id,
            session: session.id,
            generation,
            kind: session.kind.into(),
            issued_at: now,
            expires_at,
            rotation: session.rotation,
            auth_at: session.auth_at,
            aal: session.aal(),
            factor_at: session.factor_at,
            unseen,
        })
    }

    /// Gives an API session a fresh refresh-token lineage (every earlier refresh
    /// token of it is forgotten) and returns its first token.
    pub(super) fn new_lineage(&self, session: &mut Session, now: i64) -> RefreshToken {
        let (token, digest) = RefreshToken::generate(&session.id);
        let expires_at = self.refresh_expiry(session, now);
        session.refresh = Some(RefreshState::new(digest, expires_at));
        token
    }

    /// When a refresh token issued now stops working: `refresh_token_ttl` from now,
    /// never past the session's absolute end.
    pub(super) fn refresh_expiry(&self, session: &Session, now: i64) -> i64 {
        let expires_at = now + secs(self.config.refresh_token_ttl);
        session
            .expires_at
            .map_or(expires_at, |end| expires_at.min(end))
    }

    /// The identity a freshly issued session speaks for.
    pub(super) fn identity_of(&self, user: &UserView, issued: &Issued) -> Identity {
        let user = self
            .mirror
            .user(&user.id)
            .unwrap_or_else(|| Arc::new(user.clone()));
        Identity::of(user, &issued.session)
    }
}
