//! What an administrator (or the CLI) does to accounts (SPEC §3 admin rows, §7):
//! disable and enable, set groups, set a password, list users. Every change that
//! could leave stale rights bumps the user's generation, so their tokens are refused
//! on the next request; no change may leave the server without an enabled admin.

use super::{Auth, Client, InternalError};
use crate::domain::audit::AuditKind;
use crate::domain::user::ADMIN_GROUP;
use crate::domain::{Email, Password, Session, User, UserId};
use crate::store::StoreError;

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

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        AdminError::Internal(e.into())
    }
}

/// One line of the admin user list.
#[derive(Debug, Clone)]
pub struct UserSummary {
    /// The account.
    pub user: User,
    /// Its open sessions, oldest first.
    pub sessions: Vec<Session>,
}

impl UserSummary {
    /// The most recent activity over all sessions.
    pub fn last_seen(&self) -> Option<i64> {
        self.sessions.iter().map(|s| s.last_seen_at).max()
    }
}

impl Auth {
    /// Every account with its sessions, ordered by email.
    pub fn user_summaries(&self) -> Result<Vec<UserSummary>, StoreError> {
        let mut rows = Vec::new();
        for user in self.store.users() {
            let user = user?;
            let sessions = self.store.sessions_of(&user.id)?;
            rows.push(UserSummary { user, sessions });
        }
        rows.sort_by(|a, b| {
            a.user
                .email
                .to_lowercase()
                .cmp(&b.user.email.to_lowercase())
        });
        Ok(rows)
    }

    /// One account with its sessions.
    pub fn user_summary(&self, id: &UserId) -> Result<Option<UserSummary>, StoreError> {
        let Some(user) = self.store.user(id)? else {
            return Ok(None);
        };
        let sessions = self.store.sessions_of(id)?;
        Ok(Some(UserSummary { user, sessions }))
    }

    /// The account with this email.
    pub fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        self.store.user_by_email(email)
    }

    /// Disables (ending every session and token) or re-enables an account.
    pub async fn set_disabled(
        &self,
        id: &UserId,
        disabled: bool,
        client: &Client,
    ) -> Result<(), AdminError> {
        let mut user = self.store.user(id)?.ok_or(AdminError::NotFound)?;
        if disabled && user.is_admin() && !user.disabled && !self.another_enabled_admin(id)? {
            return Err(AdminError::LastAdmin);
        }
        user.disabled = disabled;
        let kind = if disabled {
            AuditKind::UserDisabled
        } else {
            AuditKind::UserEnabled
        };
        Ok(self.commit_user_change(user, kind, client).await?)
    }

    /// Replaces an account's groups; its tokens die so no decision uses stale groups.
    pub async fn set_groups(
        &self,
        id: &UserId,
        groups: Vec<String>,
        client: &Client,
    ) -> Result<(), AdminError> {
        let mut user = self.store.user(id)?.ok_or(AdminError::NotFound)?;
        let keeps_admin = groups.iter().any(|g| g == ADMIN_GROUP);
        if user.is_admin() && !keeps_admin && !user.disabled && !self.another_enabled_admin(id)? {
            return Err(AdminError::LastAdmin);
        }
        user.groups = groups;
        Ok(self
            .commit_user_change(user, AuditKind::GroupsChanged, client)
            .await?)
    }

    /// Sets a password without knowing the old one (reset link, CLI): the generation
    /// is bumped, every session ends and failed-login back-off is forgotten.
    pub async fn set_password(
        &self,
        id: &UserId,
        password: &Password,
        client: &Client,
    ) -> Result<(), InternalError> {
        let Some(mut user) = self.store.user(id)? else {
            return Ok(());
        };
        user.password_hash = self.hasher.hash(password).await?;
        if let Ok(email) = Email::parse(&user.email) {
            self.store.clear_login_failures(&email.key())?;
        }
        self.commit_user_change(user, AuditKind::PasswordChanged, client)
            .await
    }

    fn another_enabled_admin(&self, except: &UserId) -> Result<bool, StoreError> {
        for user in self.store.users() {
            let user = user?;
            if user.id != *except && user.is_admin() && !user.disabled {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
