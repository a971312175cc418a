//! The authentication core: accounts, sessions and tokens tied together, with no
//! knowledge of HTTP. The web layer holds one [`Auth`] in Rocket state and reaches
//! each capability through it, then turns the answers into pages, cookies and
//! statuses:
//!
//! | capability | reached as | holds |
//! |---|---|---|
//! | [`Sessions`] | `auth.sessions()` | token checks, login and logout, ending one, the others or all sessions, browser sliding |
//! | [`Accounts`] | `auth.accounts()` | registration, password change and re-authentication, admin changes to accounts |
//! | [`Links`] | `auth.links()` | setup, invite and reset links |
//! | [`ApiSessions`] | `auth.api()` | API login and refresh-token rotation |
//! | [`AccessTokens`] | `auth.access()` | personal access tokens: made, listed, deleted, checked |
//!
//! Under them, one shared core: the configuration, the store, the token key ring,
//! the hasher, the clock, the in-memory [`Mirror`] and the verified-token cache. Every
//! change that ends sessions or alters an account goes through one primitive,
//! `Auth::commit` (`commit.rs`): one store call, one flush, then the mirror, then
//! the audit log.

mod access;
mod accounts;
mod activity;
mod api;
mod attempts;
mod commit;
mod follow;
mod issue;
mod links;
pub mod mfa;
mod mirror;
mod open;
pub mod passkeys;
mod passwords;
mod renew;
mod sessions;
mod signins;
mod sweep;
mod token_cache;

use std::net::IpAddr;
use std::sync::Arc;

pub use access::{AccessTokens, TokenCheck, TokenRow, Wants};
pub use accounts::{Accounts, AdminError, RegisterError, UserSummary};
pub use api::{ApiSessions, TokenRefresh};
pub use links::{LinkError, Links};
pub use mfa::{Enrolment, FactorError, FactorsOf};
pub use mirror::{Admission, Mirror, UserView};
pub use open::OpenError;
pub use passkeys::{PasskeyError, PasskeysOf};
pub use passwords::PasswordChangeError;
pub use renew::Refreshed;
pub use sessions::{LoginError, Sessions};
pub use sweep::{SweepReport, Sweeper};

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::refresh::RefreshToken;
use crate::domain::{EndReason, Session, SessionId, UserId};
use crate::hashing::{Busy, HashError, Hasher};
use crate::ops::metrics::Metrics;
use crate::store::{Store, StoreError};
use crate::token::{TokenClaims, TokenKind, Tokens};

/// Where a request comes from, as far as sessions record it.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's address (after trusted-proxy resolution).
    pub ip: Option<IpAddr>,
    /// The raw User-Agent header.
    pub user_agent: Option<String>,
    /// Who acts, when it is not the user concerned (an admin in the panel).
    pub actor: Option<UserId>,
    /// A page's background request (fetch, image, frame), not a person's navigation:
    /// with `idle_counts = "navigation"` it does not move "last seen" (SPEC §11).
    pub background: bool,
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
            background: false,
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
    /// 2 when the session passed a second factor, else 1 (SPEC §10).
    pub aal: u8,
    /// Unix seconds the second factor was last proven in this session; 0 = never.
    pub factor_at: i64,
    /// The token was renewed by a background request, so "last seen" lags behind it:
    /// a person's next navigation renews it again to record that (SPEC §11).
    pub unseen: bool,
}

impl Identity {
    /// `user` speaking through `session`.
    pub(crate) fn of(user: Arc<UserView>, session: &Session) -> Identity {
        Identity {
            user,
            session: session.id,
            kind: session.kind.into(),
            auth_at: session.auth_at,
            aal: session.aal(),
            factor_at: session.factor_at,
            unseen: false,
        }
    }
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
    /// Authentic, but its session was ended (or its generation retired) for this
    /// reason.
    Ended(EndReason),
    /// Anything else: forged, wrong purpose, not yet valid, unknown user.
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
    /// The hashing pool refused the job at once: this account (429) or the
    /// server (503) has too many password checks queued; retry shortly.
    #[error(transparent)]
    Busy(#[from] Busy),
}

/// Store failures are not the user's fault: every error of the core with an
/// `Internal` variant takes them, so `?` works on store calls.
macro_rules! store_errors_are_internal {
    ($($error:ty),*) => {$(
        impl From<StoreError> for $error {
            fn from(e: StoreError) -> Self {
                Self::Internal(e.into())
            }
        }
    )*};
}

store_errors_are_internal!(
    LoginError,
    RegisterError,
    AdminError,
    PasswordChangeError,
    LinkError
);

/// The authentication service held in Rocket state: the shared core, and the way
/// to each capability.
pub struct Auth {
    config: Config,
    store: Store,
    tokens: Tokens,
    hasher: Hasher,
    clock: Arc<dyn Clock>,
    mirror: Arc<Mirror>,
    token_cache: token_cache::TokenCache,
    metrics: Arc<Metrics>,
    access: Arc<access::AccessIndex>,
    vault: mfa::vault::Vault,
    /// The change-log follower, with the PostgreSQL store (SPEC §13).
    follower: Option<crate::store::postgres::Follower>,
}

impl Auth {
    /// Assembles the core and loads the mirror from the store ([`Auth::open`] is
    /// the public way in).
    fn new(
        config: Config,
        store: Store,
        tokens: Tokens,
        mut hasher: Hasher,
        clock: Arc<dyn Clock>,
        vault: mfa::vault::Vault,
    ) -> Result<Auth, StoreError> {
        let position = follow::position(&store)?;
        let users = store.users().collect::<Result<Vec<_>, _>>()?;
        let revoked = store.load_revoked(clock.now())?;
        let mirror = Arc::new(Mirror::new(users, revoked));
        let access = Arc::new(access::AccessIndex::load(&store)?);
        let follower = follow::start(&store, position, mirror.clone(), access.clone());
        let metrics = Arc::new(Metrics::default());
        hasher.observe(metrics.clone());
        Ok(Auth {
            config,
            store,
            tokens,
            hasher,
            clock,
            mirror,
            token_cache: Default::default(),
            metrics,
            access,
            vault,
            follower,
        })
    }

    /// Sessions: checks, login and logout, revocation, sliding renewal.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions(self)
    }

    /// Accounts: registration, passwords, admin changes.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts(self)
    }

    /// One-time links: setup, invite, reset.
    pub fn links(&self) -> Links<'_> {
        Links(self)
    }

    /// API sessions: login with a device name, refresh-token rotation.
    pub fn api(&self) -> ApiSessions<'_> {
        ApiSessions(self)
    }

    /// Personal access tokens: make, list, delete, check (SPEC §11).
    pub fn access(&self) -> AccessTokens<'_> {
        AccessTokens(self)
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current time according to the service's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The series of `GET /metrics`.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The in-memory mirror the guards read.
    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }

    /// The store, for the layers that read records directly.
    pub fn store(&self) -> &Store {
        &self.store
    }
}
