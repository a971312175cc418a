//! The sessions capability (SPEC §2, §3 `/login`, `/logout`, `/account/sessions…`):
//! checking tokens, logging in and out, and ending one session, the others or all
//! of them. Every ending goes through [`Auth::commit`] with its reason.

use super::commit::Audit;
use super::{Admission, Auth, Check, Client, Identity, InternalError, Issued, UserView};
use crate::domain::audit::AuditKind;
use crate::domain::{Email, EndReason, Password, Session, SessionId, SessionKind, User, UserId};
use crate::store::{Change, Ends, StoreError};
use crate::token::{Opened, TokenKind};

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
    /// The password was right and the user has a second factor: no session yet,
    /// only this pending-login token for the second step (SPEC §10).
    #[error("Enter your second factor.")]
    SecondFactor(String),
    /// Not the user's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// The sessions capability; `auth.sessions()`.
#[derive(Clone, Copy)]
pub struct Sessions<'a>(pub(super) &'a Auth);

impl Sessions<'_> {
    /// Checks a presented token: memory only, no disk read (SPEC §2).
    pub fn check(self, token: &str, kind: TokenKind) -> Check {
        self.check_presented(token, kind, || Some(token.to_owned()))
    }

    /// Checks what a client presented: `presented` is the exact credential bytes
    /// (for a browser, the still-encrypted cookie value) and `unwrap` yields the
    /// token inside it. Bytes found authentic before skip `unwrap` and the token's
    /// decryption; the checks that depend on time and state run every time.
    pub fn check_presented(
        self,
        presented: &str,
        kind: TokenKind,
        unwrap: impl FnOnce() -> Option<String>,
    ) -> Check {
        let started = std::time::Instant::now();
        let check = self.check_uncounted(presented, kind, unwrap);
        self.0.metrics.guard(started.elapsed());
        check
    }

    fn check_uncounted(
        self,
        presented: &str,
        kind: TokenKind,
        unwrap: impl FnOnce() -> Option<String>,
    ) -> Check {
        let auth = self.0;
        let now = auth.clock.now();
        let claims = match auth.token_cache.get(kind, presented) {
            // Tokens carry `nbf = iat`: mirror `Tokens::open`'s time checks.
            Some(claims) if claims.issued_at > now => return Check::Rejected,
            Some(claims) => claims,
            None => {
                let Some(token) = unwrap() else {
                    return Check::Rejected;
                };
                let claims = match auth.tokens.open(&token, kind, now) {
                    Opened::Valid(claims) | Opened::Expired(claims) => claims,
                    Opened::Invalid => return Check::Rejected,
                };
                auth.token_cache.insert(kind, presented, &claims);
                claims
            }
        };
        match auth.mirror.admit(&claims) {
            Admission::Admitted(_) if now >= claims.expires_at => Check::Expired(claims),
            Admission::Admitted(user) => Check::Valid(Identity {
                user,
                session: claims.session,
                kind,
                auth_at: claims.auth_at,
                aal: claims.aal,
                factor_at: claims.factor_at,
                unseen: claims.unseen,
            }),
            Admission::Ended(reason) => Check::Ended(reason),
            Admission::Unknown => Check::Rejected,
        }
    }

    /// The live sessions of `user`, oldest first (one past its end is not listed,
    /// even before the sweeper deletes it).
    pub fn list(self, user: &UserId) -> Result<Vec<Session>, StoreError> {
        self.0.live_sessions_of(user)
    }

    /// Checks the credentials and opens a new browser session (never reusing an
    /// old id).
    pub async fn login(
        self,
        email: &Email,
        password: &Password,
        remember: bool,
        client: &Client,
    ) -> Result<(Identity, Issued), LoginError> {
        let kind = SessionKind::Browser;
        login(self.0, email, password, remember, kind, None, client).await
    }

    /// Logs this session out.
    pub async fn logout(self, me: &Identity, client: &Client) -> Result<(), StoreError> {
        let change = Change::end(me.user.id, Ends::One(me.session), EndReason::SignedOut);
        let audit = Audit(AuditKind::LoggedOut, Some(me.session));
        self.0.commit(change, Some(audit), client).await?;
        Ok(())
    }

    /// Ends session `id` of `me`'s user, from `me`'s session; `false` (and nothing
    /// touched) when it is not theirs.
    pub async fn revoke(
        self,
        me: &Identity,
        id: &SessionId,
        client: &Client,
    ) -> Result<bool, StoreError> {
        let reason = if *id == me.session {
            EndReason::SignedOut
        } else {
            EndReason::RevokedFromDevice {
                device: self.device_of(&me.session)?,
            }
        };
        self.end_one(me.user.id, id, reason, client).await
    }

    /// An administrator ends session `id` of `user`; `false` (and nothing touched)
    /// when it is not that user's.
    pub async fn revoke_by_admin(
        self,
        user: &UserId,
        id: &SessionId,
        client: &Client,
    ) -> Result<bool, StoreError> {
        self.end_one(*user, id, EndReason::RevokedByAdmin, client)
            .await
    }

    async fn end_one(
        self,
        user: UserId,
        id: &SessionId,
        reason: EndReason,
        client: &Client,
    ) -> Result<bool, StoreError> {
        let change = Change::end(user, Ends::One(*id), reason);
        let audit = Audit(AuditKind::SessionRevoked, Some(*id));
        let ended = self.0.commit(change, Some(audit), client).await?;
        Ok(!ended.is_empty())
    }

    /// Ends every session of `me`'s user except `me`'s; returns how many ended.
    pub async fn end_others(self, me: &Identity, client: &Client) -> Result<usize, StoreError> {
        let device = self.device_of(&me.session)?;
        let reason = EndReason::OtherDevicesSignedOut { device };
        let change = Change::end(me.user.id, Ends::AllBut(me.session), reason);
        let audit = Audit(AuditKind::OtherSessionsRevoked, Some(me.session));
        Ok(self.0.commit(change, Some(audit), client).await?.len())
    }

    /// Ends every session of `user` and retires their generation, so every token
    /// they hold, wherever it is, is refused on its next request.
    pub async fn log_out_everywhere(
        self,
        user: &UserId,
        client: &Client,
    ) -> Result<(), StoreError> {
        let Some(record) = self.0.store.user(user)? else {
            return Ok(());
        };
        let change = Change::retire(record, EndReason::LoggedOutEverywhere);
        let audit = Audit(AuditKind::LoggedOutEverywhere, None);
        self.0.commit(change, Some(audit), client).await?;
        Ok(())
    }

    /// The device label of a session, for the reason given to the ones it ends.
    fn device_of(self, session: &SessionId) -> Result<String, StoreError> {
        Ok(self
            .0
            .store
            .session(session)?
            .map_or_else(String::new, |s| s.device))
    }
}

/// Checks the credentials and opens a session of `kind`, labelled `device` (or
/// after the User-Agent): browser and API logins alike.
pub(super) async fn login(
    auth: &Auth,
    email: &Email,
    password: &Password,
    remember: bool,
    kind: SessionKind,
    device: Option<String>,
    client: &Client,
) -> Result<(Identity, Issued), LoginError> {
    let key = email.key();
    let limit = auth.config.login_ip_limit;
    let now = auth.clock.now();
    // Admitted before counted: an attempt the pool refuses is not a failure.
    let permit = auth.admit_hash(&key)?;
    if let Err(wait) = auth
        .store
        .reserve_login(&key, auth.counted_ip(client), now, limit)?
    {
        auth.metrics.login_throttled();
        auth.audit(AuditKind::Throttled, None, None, client);
        return Err(LoginError::Throttled(wait));
    }
    let stored = auth.store.user_by_email(email)?;
    let phc = stored.as_ref().map(|u| u.password_hash.as_str());
    let verified = auth.hasher.verify(permit, password, phc).await;
    let mut user = match stored {
        Some(user) if verified && !user.disabled => user,
        other => {
            // The failure counted above is security state: durable before answered.
            auth.store.flush().await?;
            let user = other.map(|u| u.id);
            auth.audit(AuditKind::LoginFailed, user, None, client);
            return Err(LoginError::InvalidCredentials);
        }
    };
    rehash_if_needed(auth, &mut user, password).await?;
    // The account's failures are forgotten only once the second factor passes.
    let device_name = device.clone();
    if let Some(token) = auth
        .factors()
        .begin(&user, kind, remember, device_name)
        .await?
    {
        auth.store.login_half_succeeded(&key)?;
        return Err(LoginError::SecondFactor(token));
    }
    auth.store.login_succeeded(&key, auth.counted_ip(client))?;
    let view = UserView::from(&user);
    let issued = auth
        .start_session(&view, kind, remember, device, client)
        .await?;
    let session = Some(issued.session.id);
    auth.audit(AuditKind::LoginSucceeded, Some(view.id), session, client);
    Ok((auth.identity_of(&view, &issued), issued))
}

/// Replaces a hash made under older argon2 parameters, now that the password is
/// known to be right (SPEC §6). Written with the new session's flush.
async fn rehash_if_needed(
    auth: &Auth,
    user: &mut User,
    password: &Password,
) -> Result<(), LoginError> {
    let key = super::attempts::account_key(user);
    // A busy pool only postpones the rehash to a later login.
    if auth.hasher.needs_rehash(&user.password_hash)
        && let Ok(permit) = auth.hasher.admit(&key)
    {
        let rehashed = auth.hasher.hash(permit, password).await;
        user.password_hash = rehashed.map_err(InternalError::from)?;
        auth.store.update_user(user)?;
    }
    Ok(())
}
