//! Passwords, part of the accounts capability (SPEC §3 `/account/password`,
//! `/reauth`, `/reset`, §7 `user passwd`): changing one's own, confirming it again
//! for sensitive actions, and setting one without the old (reset link, CLI). A new
//! password retires the generation through [`Auth::commit`]: every other session
//! ends, and after a change the current one continues with a new token.

use super::attempts::{PasswordCheck, account_key};
use super::commit::Audit;
use super::{Accounts, Client, Identity, InternalError, Issued, LoginError};
use crate::domain::audit::AuditKind;
use crate::domain::password::{WeakPassword, check_policy};
use crate::domain::{EndReason, Password, User, UserId};
use crate::store::Change;

/// Why a password change was refused.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    /// The current password is wrong.
    #[error("The current password is not correct.")]
    WrongPassword,
    /// The new password fails the policy; the reason is shown.
    #[error(transparent)]
    Weak(#[from] WeakPassword),
    /// Too many wrong passwords for this account: retry after this many seconds
    /// (the back-off and lock that logins share).
    #[error("Too many attempts. Try again in {0}s.")]
    Throttled(i64),
    /// The session or user vanished meanwhile.
    #[error("Your session has ended.")]
    SessionGone,
    /// Not the user's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl Accounts<'_> {
    /// Changes the password: checks the current one, retires the generation, ends
    /// every other session and returns a fresh token for this one.
    pub async fn change_password(
        self,
        me: &Identity,
        current: &Password,
        new: &Password,
        client: &Client,
    ) -> Result<Issued, PasswordChangeError> {
        let auth = self.0;
        let user = auth.store.user(&me.user.id)?;
        let mut user = user.ok_or(PasswordChangeError::SessionGone)?;
        match auth.check_password(&user, current, client).await? {
            PasswordCheck::Right => {}
            PasswordCheck::Throttled(wait) => return Err(PasswordChangeError::Throttled(wait)),
            PasswordCheck::Wrong => {
                let session = Some(me.session);
                auth.audit(AuditKind::ReauthFailed, Some(user.id), session, client);
                return Err(PasswordChangeError::WrongPassword);
            }
        }
        let local = local_part(&user).to_owned();
        check_policy(new, auth.config.password_min_length, &[&local])?;
        let session = auth.store.session(&me.session)?;
        let session = session.ok_or(PasswordChangeError::SessionGone)?;
        let permit = auth.admit_hash(&account_key(&user))?;
        let hashed = auth.hasher.hash(permit, new).await;
        user.password_hash = hashed.map_err(InternalError::from)?;
        let change = Change::retire(user, EndReason::PasswordChanged);
        let generation = change.record().map_or(0, |u| u.generation);
        let issued = auth.reissue(session, generation);
        let change = change.keeping(issued.session.clone());
        let audit = Audit(AuditKind::PasswordChanged, Some(me.session));
        auth.commit(change, Some(audit), client).await?;
        Ok(issued)
    }

    /// Confirms the password for sensitive actions: on success the session's
    /// re-authentication time moves to now and a token carrying it is returned;
    /// `Ok(None)` for a wrong password, [`LoginError::Throttled`] when the account's
    /// back-off (shared with logins) forbids checking it now.
    pub async fn reauthenticate(
        self,
        me: &Identity,
        password: &Password,
        client: &Client,
    ) -> Result<Option<Issued>, LoginError> {
        let auth = self.0;
        let (Some(user), Some(session)) = (
            auth.store.user(&me.user.id)?,
            auth.store.session(&me.session)?,
        ) else {
            return Ok(None);
        };
        let session_id = Some(me.session);
        match auth.check_password(&user, password, client).await? {
            PasswordCheck::Right => {}
            PasswordCheck::Throttled(wait) => return Err(LoginError::Throttled(wait)),
            PasswordCheck::Wrong => {
                auth.audit(AuditKind::ReauthFailed, Some(user.id), session_id, client);
                return Ok(None);
            }
        }
        auth.audit(
            AuditKind::Reauthenticated,
            Some(user.id),
            session_id,
            client,
        );
        let issued = auth.reissue(session, user.generation);
        auth.store
            .put_session(&issued.session)
            .map_err(InternalError::from)?;
        auth.store.flush().await.map_err(InternalError::from)?;
        Ok(Some(issued))
    }

    /// Sets a password without knowing the old one (reset link, CLI) after checking
    /// the policy: the generation is retired, every session ends and failed-login
    /// back-off is forgotten. `Ok(false)` when there is no such user.
    pub async fn set_password(
        self,
        id: &UserId,
        password: &Password,
        client: &Client,
    ) -> Result<bool, PasswordChangeError> {
        let auth = self.0;
        let Some(mut user) = auth.store.user(id)? else {
            return Ok(false);
        };
        check_policy(
            password,
            auth.config.password_min_length,
            &[local_part(&user)],
        )?;
        let key = account_key(&user);
        let permit = auth.admit_hash(&key)?;
        let hashed = auth.hasher.hash(permit, password).await;
        user.password_hash = hashed.map_err(InternalError::from)?;
        auth.store.clear_login_failures(&key)?;
        let change = Change::retire(user, EndReason::PasswordReset);
        let audit = Audit(AuditKind::PasswordChanged, None);
        auth.commit(change, Some(audit), client).await?;
        Ok(true)
    }
}

/// The part of the stored address before `@`, a context word the policy refuses.
fn local_part(user: &User) -> &str {
    user.email
        .rsplit_once('@')
        .map_or(&*user.email, |(local, _)| local)
}
