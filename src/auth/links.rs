//! Using one-time links (SPEC §3 `/setup`, `/invite`, `/reset`): each is checked
//! without being spent, then taken atomically, so of two concurrent uses exactly one
//! succeeds; a use that fails for the user's own reasons (weak password, taken email)
//! puts the link back.

use super::{Auth, Client, Identity, InternalError, Issued, RegisterError};
use crate::config::Registration;
use crate::domain::audit::AuditKind;
use crate::domain::onetime::{INVITE_TTL, OneTime, Purpose, RESET_TTL, new_token};
use crate::domain::password::{WeakPassword, check_policy};
use crate::domain::user::ADMIN_GROUP;
use crate::domain::{Email, Password, SessionKind, UserId};

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

impl Auth {
    /// Replaces any setup link with a new one and returns its token. Only useful
    /// while no account exists.
    pub async fn create_setup_link(&self) -> Result<String, InternalError> {
        self.store.clear_setup_links()?;
        self.store_link(Purpose::Setup, None).await
    }

    /// A single-use invite that creates an account in `groups`, valid for a week.
    /// Refused when `registration = "closed"`.
    pub async fn create_invite(
        &self,
        groups: Vec<String>,
        client: &Client,
    ) -> Result<String, LinkError> {
        if self.config.registration == Registration::Closed {
            return Err(LinkError::Closed);
        }
        let expires = self.clock.now() + INVITE_TTL;
        let token = self
            .store_link(Purpose::Invite { groups }, Some(expires))
            .await?;
        self.audit(AuditKind::LinkCreated, None, None, client);
        Ok(token)
    }

    /// A single-use password reset link for `user`, valid for a day.
    pub async fn create_reset_link(
        &self,
        user: UserId,
        client: &Client,
    ) -> Result<String, InternalError> {
        let expires = self.clock.now() + RESET_TTL;
        let token = self
            .store_link(Purpose::Reset { user }, Some(expires))
            .await?;
        self.audit(AuditKind::LinkCreated, Some(user), None, client);
        Ok(token)
    }

    async fn store_link(
        &self,
        purpose: Purpose,
        expires_at: Option<i64>,
    ) -> Result<String, InternalError> {
        let token = new_token();
        let link = OneTime {
            purpose,
            created_at: self.clock.now(),
            expires_at,
        };
        self.store.put_onetime(&token, &link)?;
        self.store.flush().await?;
        Ok(token)
    }

    /// The purpose of a usable link, without spending it.
    pub fn peek_link(&self, token: &str) -> Result<Option<Purpose>, InternalError> {
        let now = self.clock.now();
        let link = self.store.onetime(token)?.filter(|l| l.usable(now));
        Ok(match link.map(|l| l.purpose) {
            Some(Purpose::Setup) if !self.store.has_no_users() => None,
            other => other,
        })
    }

    /// Creates an account through a setup or invite link and logs it in.
    pub async fn accept_account_link(
        &self,
        token: &str,
        email: &Email,
        password: &Password,
        client: &Client,
    ) -> Result<(Identity, Issued), LinkError> {
        self.reserve_registration(client)?;
        let groups = match self.peek_link(token)? {
            Some(Purpose::Setup) => vec![ADMIN_GROUP.to_owned()],
            Some(Purpose::Invite { .. }) if self.config.registration == Registration::Closed => {
                return Err(LinkError::Closed);
            }
            Some(Purpose::Invite { groups }) => groups,
            _ => return Err(LinkError::NotFound),
        };
        check_policy(
            password,
            self.config.password_min_length,
            &[email.local_part()],
        )?;
        let link = self
            .store
            .take_onetime(token)
            .map_err(InternalError::from)?
            .ok_or(LinkError::NotFound)?;
        let user = match self.create_user(email, password, groups).await {
            Ok(user) => user,
            Err(e) => {
                self.store
                    .put_onetime(token, &link)
                    .map_err(InternalError::from)?;
                return Err(e.into());
            }
        };
        let issued = self
            .start_session(&user, SessionKind::Browser, false, None, client)
            .await?;
        self.audit(
            AuditKind::Registered,
            Some(user.id),
            Some(issued.session.id),
            client,
        );
        Ok((self.identity_of(&user, &issued), issued))
    }

    /// Sets a new password through a reset link; every session of the user ends.
    pub async fn accept_reset_link(
        &self,
        token: &str,
        password: &Password,
        client: &Client,
    ) -> Result<(), LinkError> {
        self.reserve_registration(client)?;
        let Some(Purpose::Reset { user }) = self.peek_link(token)? else {
            return Err(LinkError::NotFound);
        };
        let record = self
            .store
            .user(&user)
            .map_err(InternalError::from)?
            .ok_or(LinkError::NotFound)?;
        let local = record
            .email
            .rsplit_once('@')
            .map_or(record.email.as_str(), |(l, _)| l);
        check_policy(password, self.config.password_min_length, &[local])?;
        self.store
            .take_onetime(token)
            .map_err(InternalError::from)?
            .ok_or(LinkError::NotFound)?;
        self.set_password(&user, password, client).await?;
        Ok(())
    }
}
