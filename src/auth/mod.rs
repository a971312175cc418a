//! The authentication core: accounts, sessions and tokens tied together, with no
//! knowledge of HTTP. The web layer calls [`Auth`] and turns its answers into pages,
//! cookies and statuses.

mod account;
mod admin;
mod api;
mod links;
mod live;
mod manage;
mod open;
mod refresh;
mod verified;

use std::net::IpAddr;
use std::sync::Arc;

pub use account::{LoginError, RegisterError};
pub use admin::{AdminError, UserSummary};
pub use api::TokenRefresh;
pub use links::LinkError;
pub use live::{Live, UserView};
pub use manage::PasswordChangeError;
pub use open::OpenError;
pub use refresh::Refreshed;

use crate::clock::{Clock, secs};
use crate::config::Config;
use crate::domain::audit::AuditKind;
use crate::domain::refresh::RefreshToken;
use crate::domain::session::device_label;
use crate::domain::{Session, SessionId, SessionKind, UserId};
use crate::hashing::{HashError, Hasher};
use crate::store::{Store, StoreError};
use crate::token::{Opened, TokenClaims, TokenKind, Tokens};

/// Where a request comes from, as far as sessions record it.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's address (after trusted-proxy resolution).
    pub ip: Option<IpAddr>,
    /// The raw User-Agent header.
    pub user_agent: Option<String>,
    /// Who acts, when it is not the user concerned (an admin in the panel).
    pub actor: Option<UserId>,
}

impl Client {
    /// The same client, recorded in the audit log as acting on behalf of `actor`.
    pub fn acting_as(mut self, actor: UserId) -> Client {
        self.actor = Some(actor);
        self
    }

    /// The command line, as the audit log shows it.
    pub fn command_line() -> Client {
        Client {
            ip: None,
            user_agent: Some("portcullis command line".to_owned()),
            actor: None,
        }
    }
}

/// An authenticated request: who, through which session, since when.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The user, as of this request.
    pub user: Arc<UserView>,
    /// The session the token belongs to.
    pub session: SessionId,
    /// Browser or API.
    pub kind: TokenKind,
    /// Unix seconds of the last password entry in this session.
    pub auth_at: i64,
}

/// A freshly minted token and the session it belongs to.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The PASETO token.
    pub token: String,
    /// The session record after the change.
    pub session: Session,
    /// API sessions: the new refresh token, when this change issued one.
    pub refresh_token: Option<RefreshToken>,
}

/// What a presented token is worth, decided without touching the disk.
#[derive(Debug, Clone)]
pub enum Check {
    /// Authentic, unexpired, current generation, session not revoked.
    Valid(Identity),
    /// Authentic and otherwise admissible but expired: may slide the session.
    Expired(TokenClaims),
    /// Anything else: forged, wrong purpose, revoked, old generation, disabled user.
    Rejected,
}

/// A failure that is not the user's fault.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// The authentication service held in Rocket state.
pub struct Auth {
    config: Config,
    store: Store,
    tokens: Tokens,
    hasher: Hasher,
    clock: Arc<dyn Clock>,
    live: Live,
    verified: verified::Verified,
}

impl Auth {
    /// Assembles the service and loads the in-memory mirror from the store.
    fn new(
        config: Config,
        store: Store,
        tokens: Tokens,
        hasher: Hasher,
        clock: Arc<dyn Clock>,
    ) -> Result<Auth, StoreError> {
        let users = store.users().collect::<Result<Vec<_>, _>>()?;
        let revoked = store.load_revoked(clock.now())?;
        let live = Live::new(users, revoked);
        Ok(Auth {
            config,
            store,
            tokens,
            hasher,
            clock,
            live,
            verified: Default::default(),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current time according to the service's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The store, for the layers that read records directly.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Checks a presented token: memory only, no disk read (SPEC §2).
    pub fn check(&self, token: &str, kind: TokenKind) -> Check {
        self.check_presented(token, kind, || Some(token.to_owned()))
    }

    /// Checks what a client presented: `presented` is the exact credential bytes
    /// (for a browser, the still-encrypted cookie value) and `unwrap` yields the
    /// token inside it. Bytes found authentic before skip `unwrap` and the token's
    /// decryption; the checks that depend on time and state run every time.
    pub fn check_presented(
        &self,
        presented: &str,
        kind: TokenKind,
        unwrap: impl FnOnce() -> Option<String>,
    ) -> Check {
        let now = self.clock.now();
        let (claims, expired) = match self.verified.get(kind, presented) {
            // Tokens carry `nbf = iat`: mirror `Tokens::open`'s time checks.
            Some(claims) if claims.issued_at > now => return Check::Rejected,
            Some(claims) => {
                let expired = now >= claims.expires_at;
                (claims, expired)
            }
            None => {
                let Some(token) = unwrap() else {
                    return Check::Rejected;
                };
                let (claims, expired) = match self.tokens.open(&token, kind, now) {
                    Opened::Valid(claims) => (claims, false),
                    Opened::Expired(claims) => (claims, true),
                    Opened::Invalid => return Check::Rejected,
                };
                self.verified.insert(kind, presented, &claims);
                (claims, expired)
            }
        };
        let Some(user) = self.live.admit(&claims) else {
            return Check::Rejected;
        };
        if expired {
            return Check::Expired(claims);
        }
        Check::Valid(Identity {
            user,
            session: claims.session,
            kind,
            auth_at: claims.auth_at,
        })
    }

    /// The sessions of `user`, oldest first.
    pub fn sessions_of(&self, user: &UserId) -> Result<Vec<Session>, StoreError> {
        self.store.sessions_of(user)
    }

    /// Ends one session: its record is deleted and its tokens refused from the next
    /// request on; durable before returning.
    pub async fn end_session(&self, id: &SessionId) -> Result<Option<Session>, StoreError> {
        let removed = self.store.remove_session(id)?;
        if let Some(session) = &removed {
            self.store.add_revoked(id, session.token_exp)?;
            self.store.flush().await?;
            self.live.revoke(*id, session.token_exp);
        }
        Ok(removed)
    }

    /// Ends `id` if it belongs to `user`; `false` (and nothing touched) otherwise.
    pub async fn end_own_session(
        &self,
        user: &UserId,
        id: &SessionId,
        client: &Client,
    ) -> Result<bool, StoreError> {
        match self.store.session(id)? {
            Some(session) if session.user_id == *user => {
                self.audit(AuditKind::SessionRevoked, Some(*user), Some(*id), client);
                self.end_session(id).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Logs this session out.
    pub async fn logout(&self, me: &Identity, client: &Client) -> Result<(), StoreError> {
        self.audit(
            AuditKind::LoggedOut,
            Some(me.user.id),
            Some(me.session),
            client,
        );
        self.end_session(&me.session).await?;
        Ok(())
    }

    /// Starts a session for `user_id` and mints its first token, and for an API
    /// session its first refresh token (not flushed). `device` overrides the label
    /// derived from the User-Agent.
    fn open_session(
        &self,
        user: &UserView,
        kind: SessionKind,
        remember: bool,
        device: Option<String>,
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
        };
        let refresh_token = (kind == SessionKind::Api).then(|| self.new_lineage(&mut session, now));
        let token = self.mint(&mut session, user.generation, now);
        self.store.put_session(&session)?;
        Ok(Issued {
            token,
            session,
            refresh_token,
        })
    }

    /// Mints a token for `session` at its current rotation and records its expiry.
    fn mint(&self, session: &mut Session, generation: u64, now: i64) -> String {
        let mut expires_at = now + secs(self.config.access_token_ttl);
        if let Some(end) = session.expires_at {
            expires_at = expires_at.min(end);
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
        })
    }
}

impl Auth {
    /// Appends an audit event; a failure to record is logged, never fatal.
    pub(crate) fn audit(
        &self,
        kind: AuditKind,
        user: Option<UserId>,
        session: Option<SessionId>,
        client: &Client,
    ) {
        let event = crate::domain::audit::AuditEvent {
            at: self.clock.now(),
            kind,
            user,
            session,
            actor: client.actor,
            ip: client.ip,
            user_agent: client
                .user_agent
                .as_deref()
                .map(crate::domain::audit::sanitise),
        };
        if let Err(e) = self.store.record(&event) {
            rocket::error!("could not record audit event {kind:?}: {e}");
        }
    }
}
