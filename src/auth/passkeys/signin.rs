//! Signing in with a passkey: as the second step after a password, and without a
//! password (a discoverable credential: the browser says whose it is). Each
//! attempt is counted against the same per-account and per-IP limits as passwords
//! before the answer is checked ([`verify`](PasskeysOf::verify), also used by the
//! confirmations of a signed-in session in `confirm.rs`).

use serde_json::Value;
use webauthn_rs::prelude::{DiscoverableKey, PublicKeyCredential, Uuid};

use super::{PasskeyError, PasskeysOf, handle};
use crate::auth::{Client, Identity, InternalError, Issued, UserView};
use crate::domain::audit::AuditKind;
use crate::domain::onetime::token_hash;
use crate::domain::passkeys::{CeremonyState, Purpose};
use crate::domain::{Email, SessionKind, User, UserId};

fn digest(token: &str) -> String {
    data_encoding::HEXLOWER.encode(&token_hash(token))
}

pub(super) fn options(value: impl serde::Serialize) -> Result<Value, PasskeyError> {
    serde_json::to_value(value).map_err(|_| PasskeyError::Refused)
}

impl PasskeysOf<'_> {
    /// Starts the second step of the pending login `pending` with a passkey.
    pub fn start_second_factor(self, pending: &str) -> Result<(String, Value), PasskeyError> {
        let party = self.party()?;
        let now = self.0.clock.now();
        let login = self.0.store.pending(pending)?;
        let login = login.filter(|p| p.kind == SessionKind::Browser && p.expires_at > now);
        let login = login.ok_or(PasskeyError::NoPending)?;
        let keys: Vec<_> = self.of(&login.user)?.into_iter().map(|p| p.key).collect();
        if keys.is_empty() {
            return Err(PasskeyError::NotFound);
        }
        let (request, state) = party
            .start_passkey_authentication(&keys)
            .map_err(|_| PasskeyError::Refused)?;
        let purpose = Purpose::SecondFactor {
            pending: digest(pending),
        };
        let id = self.open(purpose, CeremonyState::Known(state))?;
        Ok((id, options(request)?))
    }

    /// Finishes the second step with the browser's answer; opens the session.
    pub async fn finish_second_factor(
        self,
        pending: &str,
        id: &str,
        answer: &PublicKeyCredential,
        client: &Client,
    ) -> Result<(Identity, Issued), PasskeyError> {
        let purpose = Purpose::SecondFactor {
            pending: digest(pending),
        };
        let state = self.close(id, &purpose)?;
        let now = self.0.clock.now();
        let login = self.0.store.pending(pending)?;
        let login = login.filter(|p| p.kind == SessionKind::Browser && p.expires_at > now);
        let login = login.ok_or(PasskeyError::NoPending)?;
        let user = self.live_user(&login.user, Some(login.generation))?;
        self.verify(&user, state, answer, client)?;
        if self.0.store.take_pending(pending)?.is_none() {
            return Err(PasskeyError::NoPending);
        }
        let amr = vec!["pwd".to_owned(), "webauthn".to_owned()];
        self.open_session(&user, login.remember, amr, client).await
    }

    /// Starts a passwordless sign-in for the browser whose CSRF token is `browser`.
    pub fn start_passwordless(self, browser: &str) -> Result<(String, Value), PasskeyError> {
        let party = self.party()?;
        let (request, state) = party
            .start_discoverable_authentication()
            .map_err(|_| PasskeyError::Refused)?;
        let purpose = Purpose::Passwordless {
            browser: digest(browser),
        };
        let id = self.open(purpose, CeremonyState::Discoverable(state))?;
        Ok((id, options(request)?))
    }

    /// Finishes a passwordless sign-in: the passkey, with user verification,
    /// counts as two factors.
    pub async fn finish_passwordless(
        self,
        browser: &str,
        id: &str,
        answer: &PublicKeyCredential,
        client: &Client,
    ) -> Result<(Identity, Issued), PasskeyError> {
        let purpose = Purpose::Passwordless {
            browser: digest(browser),
        };
        let state = self.close(id, &purpose)?;
        let named = answer
            .get_user_unique_id()
            .and_then(|b| Uuid::from_slice(b).ok());
        let user = named
            .and_then(|u| UserId::from_bytes(u.as_bytes()))
            .map(|u| self.live_user(&u, None));
        let Some(Ok(user)) = user else {
            self.count_unknown(client)?;
            return Err(PasskeyError::Refused);
        };
        self.verify(&user, state, answer, client)?;
        let amr = vec!["webauthn".to_owned()];
        self.open_session(&user, false, amr, client).await
    }

    /// The user `id`, if enabled and (when given) still at `generation`.
    pub(super) fn live_user(
        self,
        id: &UserId,
        generation: Option<u64>,
    ) -> Result<User, PasskeyError> {
        let user = self.0.store.user(id)?;
        let user = user.filter(|u| !u.disabled && generation.is_none_or(|g| g == u.generation));
        user.ok_or(PasskeyError::NoPending)
    }

    /// Counts an attempt naming no known account against the client's address.
    fn count_unknown(self, client: &Client) -> Result<(), PasskeyError> {
        let (auth, now) = (self.0, self.0.clock.now());
        let limit = auth.config.login_ip_limit;
        let ip = auth.counted_ip(client);
        auth.store
            .reserve_login("", ip, now, limit)?
            .map_err(PasskeyError::Throttled)?;
        auth.audit(AuditKind::PasskeyFailed, None, None, client);
        Ok(())
    }

    /// Counts the attempt, then checks `answer` against `user`'s passkeys and
    /// records the use (counter, last used).
    pub(super) fn verify(
        self,
        user: &User,
        state: CeremonyState,
        answer: &PublicKeyCredential,
        client: &Client,
    ) -> Result<(), PasskeyError> {
        let auth = self.0;
        let (now, ip) = (auth.clock.now(), auth.counted_ip(client));
        let key = Email::parse(&user.email)
            .map(|e| e.key())
            .unwrap_or_default();
        let limit = auth.config.login_ip_limit;
        if let Err(wait) = auth.store.reserve_login(&key, ip, now, limit)? {
            auth.audit(AuditKind::Throttled, Some(user.id), None, client);
            return Err(PasskeyError::Throttled(wait));
        }
        let party = self.party()?;
        let stored = self.of(&user.id)?;
        let keys: Vec<_> = stored.iter().map(|p| p.key.clone()).collect();
        let checked = match state {
            CeremonyState::Known(state) => party.finish_passkey_authentication(answer, &state),
            CeremonyState::Discoverable(state) => {
                let found: Vec<DiscoverableKey> = keys.iter().map(DiscoverableKey::from).collect();
                let named = answer.get_user_unique_id() == Some(handle(&user.id).as_bytes());
                party
                    .finish_discoverable_authentication(answer, state, &found)
                    .ok()
                    .filter(|_| named)
                    .ok_or(webauthn_rs::prelude::WebauthnError::InvalidUserUniqueId)
            }
            CeremonyState::Register(_) => return Err(PasskeyError::NoCeremony),
        };
        let Some(result) = checked.ok().filter(|r| r.user_verified()) else {
            auth.audit(AuditKind::PasskeyFailed, Some(user.id), None, client);
            return Err(PasskeyError::Refused);
        };
        auth.store.edit_passkeys(&user.id, |list| {
            if let Some(p) = list
                .iter_mut()
                .find(|p| p.key.cred_id() == result.cred_id())
            {
                p.key.update_credential(&result);
                p.last_used_at = Some(now);
            }
        })?;
        auth.store.login_succeeded(&key, ip)?;
        Ok(())
    }

    async fn open_session(
        self,
        user: &User,
        remember: bool,
        amr: Vec<String>,
        client: &Client,
    ) -> Result<(Identity, Issued), PasskeyError> {
        let auth = self.0;
        let view = UserView::from(user);
        let kind = SessionKind::Browser;
        let issued = auth
            .start_session_with(&view, kind, remember, None, amr, client)
            .await
            .map_err(InternalError::from)?;
        let session = Some(issued.session.id);
        auth.audit(AuditKind::LoginSucceeded, Some(view.id), session, client);
        Ok((auth.identity_of(&view, &issued), issued))
    }
}
