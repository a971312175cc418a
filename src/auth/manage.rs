//! What a user does to their own sessions (SPEC §3 `/account/...`, `/reauth`): sign
//! out other devices, log out everywhere, change the password, confirm the password
//! again. Each change is durable before it is acknowledged, then published to the
//! in-memory mirror so the very next request sees it.

use super::{Auth, Client, Identity, InternalError, Issued};
use crate::domain::audit::AuditKind;
use crate::domain::password::{WeakPassword, check_policy};
use crate::domain::{Password, SessionId, SessionKind, User, UserId};
use crate::store::StoreError;

/// Why a password change was refused.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    /// The current password is wrong.
    #[error("The current password is not correct.")]
    WrongPassword,
    /// The new password fails the policy; the reason is shown.
    #[error(transparent)]
    Weak(#[from] WeakPassword),
    /// The session or user vanished meanwhile.
    #[error("Your session has ended.")]
    SessionGone,
    /// Not the user's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl Auth {
    /// Ends every session of `user` except `keep`; returns how many ended.
    pub async fn end_other_sessions(
        &self,
        user: &UserId,
        keep: Option<&SessionId>,
        client: &Client,
    ) -> Result<usize, StoreError> {
        self.audit(
            AuditKind::OtherSessionsRevoked,
            Some(*user),
            keep.copied(),
            client,
        );
        let ended = self.remove_sessions(user, keep)?;
        self.store.flush().await?;
        self.publish_revocations(&ended);
        Ok(ended.len())
    }

    /// Ends every session of `user` and bumps their generation, so every token they
    /// hold, wherever it is, is refused on its next request.
    pub async fn logout_everywhere(
        &self,
        user: &UserId,
        client: &Client,
    ) -> Result<(), InternalError> {
        let Some(record) = self.store.user(user)? else {
            return Ok(());
        };
        self.commit_user_change(record, AuditKind::LoggedOutEverywhere, client)
            .await
    }

    /// Bumps the generation, ends every session, stores the user durably and
    /// publishes the new state.
    pub(super) async fn commit_user_change(
        &self,
        mut user: User,
        kind: AuditKind,
        client: &Client,
    ) -> Result<(), InternalError> {
        user.generation += 1;
        self.store.update_user(&user)?;
        let ended = self.remove_sessions(&user.id, None)?;
        self.store.flush().await?;
        self.live.put_user(&user);
        self.publish_revocations(&ended);
        self.audit(kind, Some(user.id), None, client);
        Ok(())
    }

    /// Changes the password: checks the current one, bumps the generation, ends every
    /// other session and returns a fresh token for this one.
    pub async fn change_password(
        &self,
        me: &Identity,
        current: &Password,
        new: &Password,
        client: &Client,
    ) -> Result<Issued, PasswordChangeError> {
        let mut user = self
            .store
            .user(&me.user.id)
            .map_err(InternalError::from)?
            .ok_or(PasswordChangeError::SessionGone)?;
        if !self.hasher.verify(current, Some(&user.password_hash)).await {
            self.audit(
                AuditKind::ReauthFailed,
                Some(user.id),
                Some(me.session),
                client,
            );
            return Err(PasswordChangeError::WrongPassword);
        }
        check_policy(new, self.config.password_min_length, &[local_part(&user)])?;
        user.password_hash = self.hasher.hash(new).await.map_err(InternalError::from)?;
        user.generation += 1;
        let issued = self
            .reissue(&user, &me.session, true)
            .map_err(InternalError::from)?
            .ok_or(PasswordChangeError::SessionGone)?;
        self.store.update_user(&user).map_err(InternalError::from)?;
        let ended = self
            .remove_sessions(&user.id, Some(&me.session))
            .map_err(InternalError::from)?;
        self.store.flush().await.map_err(InternalError::from)?;
        self.live.put_user(&user);
        self.publish_revocations(&ended);
        self.audit(
            AuditKind::PasswordChanged,
            Some(user.id),
            Some(me.session),
            client,
        );
        Ok(issued)
    }

    /// Confirms the password for sensitive actions: on success the session's
    /// re-authentication time moves to now and a token carrying it is returned.
    pub async fn reauthenticate(
        &self,
        me: &Identity,
        password: &Password,
        client: &Client,
    ) -> Result<Option<Issued>, InternalError> {
        let Some(user) = self.store.user(&me.user.id)? else {
            return Ok(None);
        };
        if !self
            .hasher
            .verify(password, Some(&user.password_hash))
            .await
        {
            self.audit(
                AuditKind::ReauthFailed,
                Some(user.id),
                Some(me.session),
                client,
            );
            return Ok(None);
        }
        self.audit(
            AuditKind::Reauthenticated,
            Some(user.id),
            Some(me.session),
            client,
        );
        let issued = self.reissue(&user, &me.session, true)?;
        self.store.flush().await?;
        Ok(issued)
    }

    /// Mints a new token for `session` under `user`'s current generation, optionally
    /// recording a password entry now; `None` if the session is gone (not flushed).
    /// A password entry in an API session also starts a new refresh-token lineage:
    /// refresh tokens issued before it stop working.
    fn reissue(
        &self,
        user: &User,
        session: &SessionId,
        password_entered: bool,
    ) -> Result<Option<Issued>, StoreError> {
        let Some(mut record) = self.store.session(session)? else {
            return Ok(None);
        };
        let now = self.clock.now();
        if password_entered {
            record.auth_at = now;
        }
        let refresh_token = (password_entered && record.kind == SessionKind::Api)
            .then(|| self.new_lineage(&mut record, now));
        let token = self.mint(&mut record, user.generation, now);
        self.store.put_session(&record)?;
        Ok(Some(Issued {
            token,
            session: record,
            refresh_token,
        }))
    }

    /// Deletes `user`'s sessions except `keep` and records them as revoked (not
    /// flushed); returns each ended id with the expiry of its newest token.
    pub(super) fn remove_sessions(
        &self,
        user: &UserId,
        keep: Option<&SessionId>,
    ) -> Result<Vec<(SessionId, i64)>, StoreError> {
        let mut ended = Vec::new();
        for session in self.store.sessions_of(user)? {
            if Some(&session.id) == keep {
                continue;
            }
            self.store.remove_session(&session.id)?;
            self.store.add_revoked(&session.id, session.token_exp)?;
            ended.push((session.id, session.token_exp));
        }
        Ok(ended)
    }

    pub(super) fn publish_revocations(&self, ended: &[(SessionId, i64)]) {
        for (id, until) in ended {
            self.live.revoke(*id, *until);
        }
    }
}

fn local_part(user: &User) -> &str {
    user.email
        .rsplit_once('@')
        .map_or(&*user.email, |(local, _)| local)
}
