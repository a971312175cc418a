//! Using one-time links (SPEC §3 `/setup`, `/invite`, `/reset`): each is checked
//! without being spent, then taken atomically, so of two concurrent uses exactly one
//! succeeds; a use that fails for the user's own reasons (weak password, taken email)
//! puts the link back.

use super::{Accounts, Auth, Client, Identity, InternalError, Issued, RegisterError};
use crate::config::Registration;
use crate::domain::audit::AuditKind;
use crate::domain::onetime::{INVITE_TTL, OneTime, Purpose, RESET_TTL, new_token};
use crate::domain::password::{WeakPassword, check_policy};
use crate::domain::user::ADMIN_GROUP;
use crate::domain::{Email, Password, UserId};
use crate::store::StoreError;

use super::PasswordChangeError;

/// Why a link could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Unknown, used or expired link (all look the same).
    #[error("This link is not valid. It may have been used already or have expired.")]
    NotFound,
    /// The password fails the policy.
    #[error(transparent)]
    Weak(#[from] WeakPassword),
    /// The email belongs to an existing account.
    #[error("An account with this email already exists.")]
    EmailTaken,
    /// `registration = "closed"`: invites are neither created nor accepted.
    #[error("Registration is closed on this server; accounts are created with the command line.")]
    Closed,
    /// Too many uses from this address; retry after this many seconds.
    #[error("Too many attempts. Try again in {0}s.")]
    RateLimited(i64),
    /// Not the user's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<PasswordChangeError> for LinkError {
    fn from(e: PasswordChangeError) -> Self {
        match e {
            PasswordChangeError::Weak(w) => LinkError::Weak(w),
            PasswordChangeError::Internal(i) => LinkError::Internal(i),
            PasswordChangeError::Throttled(s) => LinkError::RateLimited(s),
            PasswordChangeError::WrongPassword | PasswordChangeError::SessionGone => {
                LinkError::NotFound
            }
        }
    }
}

impl From<RegisterError> for LinkError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Closed => LinkError::Closed,
            RegisterError::Weak(w) => LinkError::Weak(w),
            RegisterError::EmailTaken => LinkError::EmailTaken,
            RegisterError::RateLimited(s) => LinkError::RateLimited(s),
            RegisterError::Internal(i) => LinkError::Internal(i),
        }
    }
}

/// The one-time links capability; `auth.links()`.
#[derive(Clone, Copy)]
pub struct Links<'a>(pub(super) &'a Auth);

impl Links<'_> {
    /// Replaces any setup link with a new one and returns its token. Only useful
    /// while no account exists.
    pub async fn create_setup(self) -> Result<String, StoreError> {
        self.0.store.clear_setup_links()?;
        self.store_link(Purpose::Setup, None).await
    }

    /// A single-use invite that creates an account in `groups`, valid for a week.
    /// Refused when `registration = "closed"`.
    pub async fn create_invite(
        self,
        groups: Vec<String>,
        client: &Client,
    ) -> Result<String, LinkError> {
        if self.0.config.registration == Registration::Closed {
            return Err(LinkError::Closed);
        }
        let expires = self.0.clock.now() + INVITE_TTL;
        let purpose = Purpose::Invite { groups };
        let token = self.store_link(purpose, Some(expires)).await?;
        self.0.audit(AuditKind::LinkCreated, None, None, client);
        Ok(token)
    }

    /// A single-use password reset link for `user`, valid for a day.
    pub async fn create_reset(self, user: UserId, client: &Client) -> Result<String, StoreError> {
        let expires = self.0.clock.now() + RESET_TTL;
        let token = self
            .store_link(Purpose::Reset { user }, Some(expires))
            .await?;
        self.0
            .audit(AuditKind::LinkCreated, Some(user), None, client);
        Ok(token)
    }

    async fn store_link(
        self,
        purpose: Purpose,
        expires_at: Option<i64>,
    ) -> Result<String, StoreError> {
        let token = new_token();
        let link = OneTime {
            purpose,
            created_at: self.0.clock.now(),
            expires_at,
        };
        self.0.store.put_onetime(&token, &link)?;
        self.0.store.flush().await?;
        Ok(token)
    }

    /// The purpose of a usable link, without spending it.
    pub fn peek(self, token: &str) -> Result<Option<Purpose>, StoreError> {
        let store = &self.0.store;
        let now = self.0.clock.now();
        let link = store.onetime(token)?.filter(|l| l.usable(now));
        Ok(match link.map(|l| l.purpose) {
            Some(Purpose::Setup) if !store.has_no_users() => None,
            other => other,
        })
    }

    /// Creates an account through a setup or invite link and logs it in.
    pub async fn accept_account(
        self,
        token: &str,
        email: &Email,
        password: &Password,
        client: &Client,
    ) -> Result<(Identity, Issued), LinkError> {
        let (auth, accounts) = (self.0, Accounts(self.0));
        accounts.reserve_registration(client)?;
        let groups = match self.peek(token)? {
            Some(Purpose::Setup) => vec![ADMIN_GROUP.to_owned()],
            Some(Purpose::Invite { .. }) if auth.config.registration == Registration::Closed => {
                return Err(LinkError::Closed);
            }
            Some(Purpose::Invite { groups }) => groups,
            _ => return Err(LinkError::NotFound),
        };
        check_policy(
            password,
            auth.config.password_min_length,
            &[email.local_part()],
        )?;
        let link = auth.store.take_onetime(token)?.ok_or(LinkError::NotFound)?;
        let user = match accounts.create(email, password, groups).await {
            Ok(user) => user,
            Err(e) => {
                auth.store.put_onetime(token, &link)?;
                return Err(e.into());
            }
        };
        Ok(auth.welcome(&user, client).await?)
    }

    /// Sets a new password through a reset link; every session of the user ends.
    pub async fn accept_reset(
        self,
        token: &str,
        password: &Password,
        client: &Client,
    ) -> Result<(), LinkError> {
        let (auth, accounts) = (self.0, Accounts(self.0));
        accounts.reserve_registration(client)?;
        let Some(Purpose::Reset { user }) = self.peek(token)? else {
            return Err(LinkError::NotFound);
        };
        let record = auth.store.user(&user)?.ok_or(LinkError::NotFound)?;
        let local = record
            .email
            .rsplit_once('@')
            .map_or(record.email.as_str(), |(l, _)| l);
        // Checked before the link is spent: a weak password must not use it up.
        check_policy(password, auth.config.password_min_length, &[local])?;
        auth.store.take_onetime(token)?.ok_or(LinkError::NotFound)?;
        accounts.set_password(&user, password, client).await?;
        Ok(())
    }
}
