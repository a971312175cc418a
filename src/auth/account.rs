//! Registering, logging in and out (SPEC §3 `/register`, `/login`, `/logout`).

use super::{Auth, Client, Identity, InternalError, Issued, UserView};
use crate::config::Registration;
use crate::domain::audit::AuditKind;
use crate::domain::password::{WeakPassword, check_policy};
use crate::domain::{Email, Password, SessionKind, User, UserId};
use crate::store::InsertUserError;

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

/// Why a login was refused. Unknown email, wrong password and disabled account are
/// one variant on purpose: nothing may tell them apart (SPEC §8).
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown email, wrong password, or disabled account.
    #[error("Invalid email or password.")]
    InvalidCredentials,
    /// Too many failed attempts for this account or address; retry after this many
    /// seconds. Says nothing about whether the password was right.
    #[error("Too many attempts. Try again in {0}s.")]
    Throttled(i64),
    /// Not the user's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl Auth {
    /// Creates an account through open registration and logs it in.
    pub async fn register(
        &self,
        email: &Email,
        password: &Password,
        client: &Client,
    ) -> Result<(Identity, Issued), RegisterError> {
        let user = self.open_registration(email, password, client).await?;
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

    /// Creates an account through open registration without logging it in (the API
    /// client logs in separately).
    pub async fn register_account(
        &self,
        email: &Email,
        password: &Password,
        client: &Client,
    ) -> Result<UserView, RegisterError> {
        let user = self.open_registration(email, password, client).await?;
        self.audit(AuditKind::Registered, Some(user.id), None, client);
        Ok(user)
    }

    async fn open_registration(
        &self,
        email: &Email,
        password: &Password,
        client: &Client,
    ) -> Result<UserView, RegisterError> {
        if self.config.registration != Registration::Open {
            return Err(RegisterError::Closed);
        }
        self.reserve_registration(client)?;
        self.create_user(email, password, Vec::new()).await
    }

    /// Counts a registration-like action against the client's address.
    pub fn reserve_registration(&self, client: &Client) -> Result<(), RegisterError> {
        let limit = self.config.register_rate_limit;
        let now = self.clock.now();
        match self.store.reserve_registration(client.ip, now, limit) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(wait)) => {
                self.audit(AuditKind::Throttled, None, None, client);
                Err(RegisterError::RateLimited(wait))
            }
            Err(e) => Err(InternalError::from(e).into()),
        }
    }

    /// Creates an account (any registration path) and makes it durable.
    pub async fn create_user(
        &self,
        email: &Email,
        password: &Password,
        groups: Vec<String>,
    ) -> Result<UserView, RegisterError> {
        check_policy(
            password,
            self.config.password_min_length,
            &[email.local_part()],
        )?;
        let password_hash = self
            .hasher
            .hash(password)
            .await
            .map_err(InternalError::from)?;
        let user = User {
            id: UserId::random(),
            email: email.as_str().to_owned(),
            password_hash,
            generation: 0,
            groups,
            disabled: false,
            created_at: self.clock.now(),
        };
        match self.store.insert_user(&user, email) {
            Ok(()) => {}
            Err(InsertUserError::EmailTaken) => return Err(RegisterError::EmailTaken),
            Err(InsertUserError::Store(e)) => return Err(InternalError::from(e).into()),
        }
        self.store.flush().await.map_err(InternalError::from)?;
        self.live.put_user(&user);
        Ok(UserView::from(&user))
    }

    /// Checks the credentials and opens a new session (never reusing an old id).
    pub async fn login(
        &self,
        email: &Email,
        password: &Password,
        remember: bool,
        kind: SessionKind,
        client: &Client,
    ) -> Result<(Identity, Issued), LoginError> {
        self.login_as(email, password, remember, kind, None, client)
            .await
    }

    /// [`Auth::login`] with the session's device label given by the client (API
    /// `device_name`) instead of derived from its User-Agent.
    pub(super) async fn login_as(
        &self,
        email: &Email,
        password: &Password,
        remember: bool,
        kind: SessionKind,
        device: Option<String>,
        client: &Client,
    ) -> Result<(Identity, Issued), LoginError> {
        let key = email.key();
        let limit = self.config.login_ip_limit;
        let reservation = self
            .store
            .reserve_login(&key, client.ip, self.clock.now(), limit)
            .map_err(InternalError::from)?;
        if let Err(wait) = reservation {
            self.audit(AuditKind::Throttled, None, None, client);
            return Err(LoginError::Throttled(wait));
        }
        let stored = self
            .store
            .user_by_email(email)
            .map_err(InternalError::from)?;
        let verified = self
            .hasher
            .verify(password, stored.as_ref().map(|u| u.password_hash.as_str()))
            .await;
        let mut user = match stored {
            Some(user) if verified && !user.disabled => user,
            other => {
                let user = other.map(|u| u.id);
                self.audit(AuditKind::LoginFailed, user, None, client);
                return Err(LoginError::InvalidCredentials);
            }
        };
        self.store
            .login_succeeded(&key, client.ip)
            .map_err(InternalError::from)?;
        if self.hasher.needs_rehash(&user.password_hash) {
            user.password_hash = self
                .hasher
                .hash(password)
                .await
                .map_err(InternalError::from)?;
            self.store.update_user(&user).map_err(InternalError::from)?;
        }
        let view = UserView::from(&user);
        let issued = self
            .start_session(&view, kind, remember, device, client)
            .await?;
        self.audit(
            AuditKind::LoginSucceeded,
            Some(view.id),
            Some(issued.session.id),
            client,
        );
        Ok((self.identity_of(&view, &issued), issued))
    }

    pub(super) async fn start_session(
        &self,
        user: &UserView,
        kind: SessionKind,
        remember: bool,
        device: Option<String>,
        client: &Client,
    ) -> Result<Issued, InternalError> {
        let issued = self.open_session(user, kind, remember, device, client)?;
        self.store.flush().await?;
        Ok(issued)
    }

    pub(super) fn identity_of(&self, user: &UserView, issued: &Issued) -> Identity {
        let user = self
            .live
            .user(&user.id)
            .unwrap_or_else(|| std::sync::Arc::new(user.clone()));
        Identity {
            user,
            session: issued.session.id,
            kind: issued.session.kind.into(),
            auth_at: issued.session.auth_at,
        }
    }
}
