//! The accounts capability: creating accounts (SPEC §3 `/register`, the API, the
//! command line, links) and what an administrator (or the CLI) does to them (SPEC §3
//! admin rows, §7): disable and enable, set groups, list. Every change that could
//! leave stale rights retires the user's generation through [`Auth::commit`], so
//! their tokens are refused on the next request; no change may leave the server
//! without an enabled admin. Passwords are in `passwords.rs`.

use super::commit::Audit;
use super::{Auth, Client, Identity, InternalError, Issued, UserView};
use crate::config::Registration;
use crate::domain::audit::AuditKind;
use crate::domain::password::{WeakPassword, check_policy};
use crate::domain::user::ADMIN_GROUP;
use crate::domain::{Email, EndReason, Password, Session, SessionKind, User, UserId};
use crate::store::{Change, InsertUserError, StoreError};

/// Why a registration was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// `registration` is not `open`.
    #[error("Registration is not open.")]
    Closed,
    /// The password fails the policy; the reason is shown.
    #[error(transparent)]
    Weak(#[from] WeakPassword),
    /// The email belongs to an existing account.
    #[error("An account with this email already exists.")]
    EmailTaken,
    /// Too many registrations from this address; retry after this many seconds.
    #[error("Too many attempts. Try again in {0}s.")]
    RateLimited(i64),
    /// Not the user's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// Why an admin action was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No such user.
    #[error("No such user.")]
    NotFound,
    /// The change would leave no enabled admin.
    #[error("This would leave no enabled administrator.")]
    LastAdmin,
    /// Not the admin's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// One line of the admin user list.
#[derive(Debug, Clone)]
pub struct UserSummary {
    /// The account.
    pub user: User,
    /// Its live sessions, oldest first.
    pub sessions: Vec<Session>,
}

impl UserSummary {
    /// The most recent activity over all sessions.
    pub fn last_seen(&self) -> Option<i64> {
        self.sessions.iter().map(|s| s.last_seen_at).max()
    }
}

/// The accounts capability; `auth.accounts()`.
#[derive(Clone, Copy)]
pub struct Accounts<'a>(pub(super) &'a Auth);

impl Accounts<'_> {
    /// Creates an account through open registration and logs it in.
    pub async fn register(
        self,
        email: &Email,
        password: &Password,
        client: &Client,
    ) -> Result<(Identity, Issued), RegisterError> {
        let user = self.open_registration(email, password, client).await?;
        self.0.welcome(&user, client).await
    }

    /// Creates an account through open registration without logging it in (the API
    /// client logs in separately).
    pub async fn register_account(
        self,
        email: &Email,
        password: &Password,
        client: &Client,
    ) -> Result<UserView, RegisterError> {
        let user = self.open_registration(email, password, client).await?;
        self.0
            .audit(AuditKind::Registered, Some(user.id), None, client);
        Ok(user)
    }

    async fn open_registration(
        self,
        email: &Email,
        password: &Password,
        client: &Client,
    ) -> Result<UserView, RegisterError> {
        if self.0.config.registration != Registration::Open {
            return Err(RegisterError::Closed);
        }
        self.reserve_registration(client)?;
        self.create(email, password, Vec::new()).await
    }

    /// Counts a registration-like action against the client's address.
    pub fn reserve_registration(self, client: &Client) -> Result<(), RegisterError> {
        let (auth, limit) = (self.0, self.0.config.register_rate_limit);
        match auth
            .store
            .reserve_registration(auth.counted_ip(client), auth.clock.now(), limit)?
        {
            Ok(()) => Ok(()),
            Err(wait) => {
                auth.audit(AuditKind::Throttled, None, None, client);
                Err(RegisterError::RateLimited(wait))
            }
        }
    }

    /// Creates an account (any registration path) and makes it durable.
    pub async fn create(
        self,
        email: &Email,
        password: &Password,
        groups: Vec<String>,
    ) -> Result<UserView, RegisterError> {
        let auth = self.0;
        check_policy(
            password,
            auth.config.password_min_length,
            &[email.local_part()],
        )?;
        let permit = auth.hasher.admit_new().map_err(InternalError::from)?;
        let hashed = auth.hasher.hash(permit, password).await;
        let password_hash = hashed.map_err(InternalError::from)?;
        let user = User {
            id: UserId::random(),
            email: email.as_str().to_owned(),
            password_hash,
            generation: 0,
            groups,
            disabled: false,
            created_at: auth.clock.now(),
            retired: Vec::new(),
        };
        match auth.store.insert_user(&user, email) {
            Ok(()) => {}
            Err(InsertUserError::EmailTaken) => return Err(RegisterError::EmailTaken),
            Err(InsertUserError::Store(e)) => return Err(e.into()),
        }
        auth.store.flush().await?;
        auth.mirror.put_user(&user);
        Ok(UserView::from(&user))
    }

    /// Every account with its sessions, ordered by email.
    pub fn summaries(self) -> Result<Vec<UserSummary>, StoreError> {
        let mut rows = Vec::new();
        for user in self.0.store.users() {
            let user = user?;
            let sessions = self.0.live_sessions_of(&user.id)?;
            rows.push(UserSummary { user, sessions });
        }
        rows.sort_by_cached_key(|row| row.user.email.to_lowercase());
        Ok(rows)
    }

    /// One account with its sessions.
    pub fn summary(self, id: &UserId) -> Result<Option<UserSummary>, StoreError> {
        let Some(user) = self.0.store.user(id)? else {
            return Ok(None);
        };
        let sessions = self.0.live_sessions_of(id)?;
        Ok(Some(UserSummary { user, sessions }))
    }

    /// The account with this email.
    pub fn by_email(self, email: &Email) -> Result<Option<User>, StoreError> {
        self.0.store.user_by_email(email)
    }

    /// Disables (ending every session and token) or re-enables an account.
    pub async fn set_disabled(
        self,
        id: &UserId,
        disabled: bool,
        client: &Client,
    ) -> Result<(), AdminError> {
        let mut user = self.0.store.user(id)?.ok_or(AdminError::NotFound)?;
        if disabled && user.is_admin() && !user.disabled && !self.another_enabled_admin(id)? {
            return Err(AdminError::LastAdmin);
        }
        user.disabled = disabled;
        let (change, kind) = if disabled {
            (
                Change::retire(user, EndReason::Disabled),
                AuditKind::UserDisabled,
            )
        } else {
            (Change::update(user), AuditKind::UserEnabled)
        };
        self.0
            .commit(change, Some(Audit(kind, None)), client)
            .await?;
        Ok(())
    }

    /// Replaces an account's groups; its tokens die so no decision uses stale groups.
    pub async fn set_groups(
        self,
        id: &UserId,
        groups: Vec<String>,
        client: &Client,
    ) -> Result<(), AdminError> {
        let mut user = self.0.store.user(id)?.ok_or(AdminError::NotFound)?;
        let keeps_admin = groups.iter().any(|g| g == ADMIN_GROUP);
        if user.is_admin() && !keeps_admin && !user.disabled && !self.another_enabled_admin(id)? {
            return Err(AdminError::LastAdmin);
        }
        user.groups = groups;
        let change = Change::retire(user, EndReason::GroupsChanged);
        let audit = Audit(AuditKind::GroupsChanged, None);
        self.0.commit(change, Some(audit), client).await?;
        Ok(())
    }

    fn another_enabled_admin(self, except: &UserId) -> Result<bool, StoreError> {
        for user in self.0.store.users() {
            let user = user?;
            if user.id != *except && user.is_admin() && !user.disabled {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl Auth {
    /// Logs a newly created account in and records its registration.
    pub(super) async fn welcome(
        &self,
        user: &UserView,
        client: &Client,
    ) -> Result<(Identity, Issued), RegisterError> {
        let issued = self
            .start_session(user, SessionKind::Browser, false, None, client)
            .await?;
        let session = Some(issued.session.id);
        self.audit(AuditKind::Registered, Some(user.id), session, client);
        Ok((self.identity_of(user, &issued), issued))
    }
}
