//! Who must have a second factor, and proving it again inside a session (SPEC §10):
//! `second_factor`/`second_factor_groups`, the step-up of an `aal` 1 session
//! (`/login/second-factor` while signed in), and a re-authentication that asks for
//! the code along with the password. Each proof moves the session's `factor_at`,
//! which is what a forward-auth rule's `max_auth_age` measures for `two_factor`.

use super::{FactorError, FactorsOf};
use crate::auth::attempts::account_key;
use crate::auth::{Client, Identity, InternalError, Issued, LoginError, UserView};
use crate::config::SecondFactor;
use crate::domain::audit::AuditKind;
use crate::domain::factors::as_totp_code;
use crate::domain::{Password, Session, User};
use crate::store::StoreError;

impl FactorsOf<'_> {
    /// Whether `user` must have a second factor: everyone under
    /// `second_factor = "required"`, else members of `second_factor_groups`.
    /// Memory only.
    pub fn required_for(self, user: &UserView) -> bool {
        let config = &self.0.config;
        config.second_factor == SecondFactor::Required
            || user
                .groups
                .iter()
                .any(|g| config.second_factor_groups.contains(g))
    }

    /// Whether `me` must enrol a second factor before anything else: it is
    /// required for them and they have none. A session that proved a factor
    /// (`aal` 2) costs no store read. Fails closed: an unreadable store says yes.
    pub fn must_enrol(self, me: &Identity) -> bool {
        if me.aal >= 2 || !self.required_for(&me.user) {
            return false;
        }
        self.0.store.factors(&me.user.id).map_or(true, |f| !f.any())
            && !self.0.store.has_passkeys(&me.user.id).unwrap_or(false)
    }

    /// Whether `user` has a second factor (a passkey counts).
    pub fn has_any(self, user: &crate::domain::UserId) -> Result<bool, StoreError> {
        Ok(self.0.store.factors(user)?.any() || self.0.store.has_passkeys(user)?)
    }

    /// Step-up: a signed-in session of `me` proves the second factor with `code`
    /// (counted like a password attempt, before it is checked). The session
    /// continues, now at `aal` 2; the returned token says so.
    pub async fn step_up(
        self,
        me: &Identity,
        code: &str,
        client: &Client,
    ) -> Result<Issued, FactorError> {
        let auth = self.0;
        let now = auth.clock.now();
        let user = auth.store.user(&me.user.id)?;
        let session = auth.store.session(&me.session)?;
        let (Some(user), Some(session)) = (user, session) else {
            return Err(FactorError::NoPending);
        };
        let key = account_key(&user);
        let ip = auth.counted_ip(client);
        let limit = auth.config.login_ip_limit;
        if let Err(wait) = auth.store.reserve_login(&key, ip, now, limit)? {
            auth.audit(
                AuditKind::Throttled,
                Some(user.id),
                Some(me.session),
                client,
            );
            return Err(FactorError::Throttled(wait));
        }
        let Some(method) = self.spend(&user, code, now)? else {
            auth.store.flush().await?;
            let kind = AuditKind::SecondFactorFailed;
            auth.audit(kind, Some(user.id), Some(me.session), client);
            return Err(FactorError::WrongCode);
        };
        auth.store.login_succeeded(&key, ip)?;
        let issued = self.proven(session, &user, method, false).await?;
        self.audit_proof(me, method, AuditKind::SecondFactorConfirmed, client);
        Ok(issued)
    }

    /// The current session of `me` just proved `method` (enrolment's first code):
    /// it continues at `aal` 2.
    pub async fn enrolled(self, me: &Identity, method: &str) -> Result<Issued, FactorError> {
        let auth = self.0;
        let user = auth.store.user(&me.user.id)?;
        let session = auth.store.session(&me.session)?;
        let (Some(user), Some(session)) = (user, session) else {
            return Err(FactorError::NoPending);
        };
        self.proven(session, &user, method, false).await
    }

    /// Confirms the password, and for a user with a second factor `code` too, for
    /// sensitive actions (`FreshAuth`): on success both times move to now and a
    /// token carrying them is returned; `Ok(None)` when either is wrong. The pair
    /// is one attempt against the account's back-off, counted before anything is
    /// checked and forgotten only when both are right, so a right password never
    /// buys fresh guesses at the code; the code is spent only once both passed, so
    /// a wrong password spends no code, and the password is hashed whatever the
    /// code, so the answer's timing does not tell a right code from a wrong one.
    pub async fn reauthenticate(
        self,
        me: &Identity,
        password: &Password,
        code: Option<&str>,
        client: &Client,
    ) -> Result<Option<Issued>, LoginError> {
        let auth = self.0;
        if !self.has_any(&me.user.id).map_err(InternalError::from)? {
            return auth.accounts().reauthenticate(me, password, client).await;
        }
        let (Some(user), Some(session)) = (
            auth.store.user(&me.user.id).map_err(InternalError::from)?,
            auth.store
                .session(&me.session)
                .map_err(InternalError::from)?,
        ) else {
            return Ok(None);
        };
        let now = auth.clock.now();
        let key = account_key(&user);
        let store = |e: StoreError| LoginError::from(InternalError::from(e));
        // One attempt, counted once, before either is checked.
        let permit = auth.admit_hash(&key)?;
        if let Err(wait) = auth
            .store
            .reserve_password_check(&key, now)
            .map_err(store)?
        {
            auth.audit(
                AuditKind::Throttled,
                Some(user.id),
                Some(me.session),
                client,
            );
            return Err(LoginError::Throttled(wait));
        }
        let code = code.unwrap_or_default();
        let phc = Some(user.password_hash.as_str());
        // Both are always checked: the time taken says nothing about the code.
        let code_ok = self.would_pass(&user, code, now).map_err(store)?;
        let password_ok = auth.hasher.verify(permit, password, phc).await;
        let kind = match (code_ok, password_ok) {
            (false, _) => Some(AuditKind::SecondFactorFailed),
            (true, false) => Some(AuditKind::ReauthFailed),
            (true, true) => None,
        };
        if let Some(kind) = kind {
            // The failure counted above is security state: durable before answered.
            auth.store.flush().await.map_err(store)?;
            auth.audit(kind, Some(user.id), Some(me.session), client);
            return Ok(None);
        }
        // Checked above; of two concurrent uses of one code, one spends it.
        let Some(method) = self.spend(&user, code, now).map_err(store)? else {
            return Ok(None);
        };
        auth.store.clear_login_failures(&key).map_err(store)?;
        let issued = self.proven(session, &user, method, true).await;
        let issued = issued.map_err(|e| match e {
            FactorError::Internal(e) => LoginError::Internal(e),
            _ => LoginError::InvalidCredentials,
        })?;
        self.audit_proof(me, method, AuditKind::Reauthenticated, client);
        Ok(Some(issued))
    }

    /// Whether `code` would pass for `user` now, without spending it.
    fn would_pass(self, user: &User, code: &str, now: i64) -> Result<bool, StoreError> {
        let auth = self.0;
        let factors = auth.store.factors(&user.id)?;
        if let Some(digits) = as_totp_code(code) {
            let Some(totp) = factors.totp else {
                return Ok(false);
            };
            let secret = auth.vault.open(&user.id, &totp.sealed);
            return Ok(secret
                .and_then(|s| super::matching_step(&s, &digits, now, totp.last_step))
                .is_some());
        }
        let mut copy = factors;
        Ok(copy.spend_recovery(code))
    }

    /// Records in `session` that `method` was proven now (and with `password`, the
    /// password too), stores it and mints its token.
    async fn proven(
        self,
        session: Session,
        user: &User,
        method: &str,
        password: bool,
    ) -> Result<Issued, FactorError> {
        let auth = self.0;
        Ok(auth
            .factor_proven(session, user.generation, method, password)
            .await?)
    }

    fn audit_proof(self, me: &Identity, method: &str, kind: AuditKind, client: &Client) {
        let auth = self.0;
        let (user, session) = (Some(me.user.id), Some(me.session));
        if method == "rcode" {
            auth.audit(AuditKind::RecoveryCodeUsed, user, session, client);
        }
        auth.audit(kind, user, session, client);
    }
}
