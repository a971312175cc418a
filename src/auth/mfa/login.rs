//! The second step of a login (SPEC §10): after a correct password, a user with a
//! factor gets a pending login instead of a session, and the session opens once a
//! code for it passes, counted against the password's limits first.

use super::{FactorError, FactorsOf, matching_step};
use crate::auth::{Client, Identity, InternalError, Issued, UserView};
use crate::domain::audit::AuditKind;
use crate::domain::factors::{PENDING_TTL, PendingLogin, as_totp_code};
use crate::domain::ids::random_token;
use crate::domain::{Email, SessionKind, User};
use crate::store::StoreError;

impl FactorsOf<'_> {
    /// After a correct password: a pending login for `user` if they have a second
    /// factor (its token), `None` if the password is enough.
    pub(crate) async fn begin(
        self,
        user: &User,
        kind: SessionKind,
        remember: bool,
        device: Option<String>,
    ) -> Result<Option<String>, StoreError> {
        let auth = self.0;
        if !auth.store.factors(&user.id)?.any() && !auth.store.has_passkeys(&user.id)? {
            return Ok(None);
        }
        let now = auth.clock.now();
        auth.store.prune_pending(now)?;
        let token = random_token(32);
        let pending = PendingLogin {
            user: user.id,
            generation: user.generation,
            kind,
            remember,
            device,
            expires_at: now + PENDING_TTL,
        };
        auth.store.put_pending(&token, &pending)?;
        auth.store.flush().await?;
        Ok(Some(token))
    }

    /// Whether `token` is a live pending login of the given kind.
    pub fn is_pending(self, token: &str, kind: SessionKind) -> bool {
        let now = self.0.clock.now();
        matches!(self.0.store.pending(token), Ok(Some(p)) if p.kind == kind && p.expires_at > now)
    }

    /// The second step: `code` (TOTP or recovery code) for the pending login
    /// `token`. Opens the session on success.
    pub async fn complete(
        self,
        token: &str,
        code: &str,
        kind: SessionKind,
        client: &Client,
    ) -> Result<(Identity, Issued), FactorError> {
        let auth = self.0;
        let now = auth.clock.now();
        let pending = auth.store.pending(token)?;
        let pending = pending.filter(|p| p.kind == kind && p.expires_at > now);
        let pending = pending.ok_or(FactorError::NoPending)?;
        let user = auth.store.user(&pending.user)?;
        let user = user.filter(|u| !u.disabled && u.generation == pending.generation);
        let user = user.ok_or(FactorError::NoPending)?;
        let key = Email::parse(&user.email)
            .map(|e| e.key())
            .unwrap_or_default();
        let limit = auth.config.login_ip_limit;
        if let Err(wait) = auth
            .store
            .reserve_login(&key, auth.counted_ip(client), now, limit)?
        {
            auth.audit(AuditKind::Throttled, Some(user.id), None, client);
            return Err(FactorError::Throttled(wait));
        }
        let Some(method) = self.spend(&user, code, now)? else {
            auth.audit(AuditKind::SecondFactorFailed, Some(user.id), None, client);
            return Err(FactorError::WrongCode);
        };
        // Single use: of two concurrent completions, one takes it.
        if auth.store.take_pending(token)?.is_none() {
            return Err(FactorError::NoPending);
        }
        auth.store.login_succeeded(&key, auth.counted_ip(client))?;
        let view = UserView::from(&user);
        let amr = vec![method.to_owned()];
        let (remember, device) = (pending.remember, pending.device);
        let issued = auth
            .start_session_with(&view, kind, remember, device, amr, client)
            .await
            .map_err(InternalError::from)?;
        let session = Some(issued.session.id);
        if method == "rcode" {
            auth.audit(AuditKind::RecoveryCodeUsed, Some(view.id), session, client);
        }
        auth.audit(AuditKind::LoginSucceeded, Some(view.id), session, client);
        Ok((auth.identity_of(&view, &issued), issued))
    }

    /// Checks and uses up `code` for `user`: `otp` or `rcode` when it passed.
    pub(super) fn spend(
        self,
        user: &User,
        code: &str,
        now: i64,
    ) -> Result<Option<&'static str>, StoreError> {
        let auth = self.0;
        if let Some(digits) = as_totp_code(code) {
            return auth.store.edit_factors(&user.id, |f| {
                let totp = f.totp.as_mut()?;
                let secret = auth.vault.open(&user.id, &totp.sealed)?;
                totp.last_step = matching_step(&secret, &digits, now, totp.last_step)?;
                Some("otp")
            });
        }
        let spent = auth
            .store
            .edit_factors(&user.id, |f| f.spend_recovery(code))?;
        Ok(spent.then_some("rcode"))
    }
}
