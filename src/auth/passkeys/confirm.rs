//! A passkey proven in a session that is already signed in: re-authentication
//! (`FreshAuth`, SPEC §3: the passkey alone confirms the session, both its
//! password time and its second factor move to now) and the step-up of an `aal` 1
//! session (SPEC §10: the factor is proven, the session goes on at `aal` 2, its
//! password time stays). Both ceremonies are bound to the user and the session
//! that started them, and counted like passwords before the answer is checked.

use serde_json::Value;
use webauthn_rs::prelude::PublicKeyCredential;

use super::signin::options;
use super::{PasskeyError, PasskeysOf};
use crate::auth::{Client, Identity, Issued};
use crate::domain::User;
use crate::domain::audit::AuditKind;
use crate::domain::passkeys::{CeremonyState, Purpose};

impl PasskeysOf<'_> {
    /// Starts confirming `me`'s session again with a passkey.
    pub fn start_reauth(self, me: &Identity) -> Result<(String, Value), PasskeyError> {
        let purpose = Purpose::Reauth {
            user: me.user.id,
            session: me.session,
        };
        self.start_in_session(me, purpose)
    }

    /// Finishes the confirmation: the session is fresh again.
    pub async fn finish_reauth(
        self,
        me: &Identity,
        id: &str,
        answer: &PublicKeyCredential,
        client: &Client,
    ) -> Result<Issued, PasskeyError> {
        let purpose = Purpose::Reauth {
            user: me.user.id,
            session: me.session,
        };
        let user = self.finish_in_session(me, id, purpose, answer, client)?;
        // The passkey proves both: the session is fresh and its factor too.
        let issued = self.proven(me, &user, true).await?;
        let kind = AuditKind::Reauthenticated;
        self.0.audit(kind, Some(user.id), Some(me.session), client);
        Ok(issued)
    }

    /// Starts the step-up of `me`'s session with a passkey.
    pub fn start_step_up(self, me: &Identity) -> Result<(String, Value), PasskeyError> {
        let purpose = Purpose::StepUp {
            user: me.user.id,
            session: me.session,
        };
        self.start_in_session(me, purpose)
    }

    /// Finishes the step-up: the session goes on at `aal` 2, its second factor
    /// proven now (what a `two_factor` rule's `max_auth_age` measures).
    pub async fn finish_step_up(
        self,
        me: &Identity,
        id: &str,
        answer: &PublicKeyCredential,
        client: &Client,
    ) -> Result<Issued, PasskeyError> {
        let purpose = Purpose::StepUp {
            user: me.user.id,
            session: me.session,
        };
        let user = self.finish_in_session(me, id, purpose, answer, client)?;
        let issued = self.proven(me, &user, false).await?;
        let kind = AuditKind::SecondFactorConfirmed;
        self.0.audit(kind, Some(user.id), Some(me.session), client);
        Ok(issued)
    }

    /// Starts an authentication with `me`'s passkeys, bound to `purpose`.
    fn start_in_session(
        self,
        me: &Identity,
        purpose: Purpose,
    ) -> Result<(String, Value), PasskeyError> {
        let party = self.party()?;
        let keys: Vec<_> = self.of(&me.user.id)?.into_iter().map(|p| p.key).collect();
        if keys.is_empty() {
            return Err(PasskeyError::NotFound);
        }
        let (request, state) = party
            .start_passkey_authentication(&keys)
            .map_err(|_| PasskeyError::Refused)?;
        let id = self.open(purpose, CeremonyState::Known(state))?;
        Ok((id, options(request)?))
    }

    /// Takes ceremony `id` out if it is `me`'s for `purpose`, and checks the answer:
    /// the user, still enabled and at the same generation.
    fn finish_in_session(
        self,
        me: &Identity,
        id: &str,
        purpose: Purpose,
        answer: &PublicKeyCredential,
        client: &Client,
    ) -> Result<User, PasskeyError> {
        let state = self.close(id, &purpose)?;
        let user = self.live_user(&me.user.id, Some(me.user.generation))?;
        self.verify(&user, state, answer, client)?;
        Ok(user)
    }

    /// Records in `me`'s session that a passkey was proven now (and with
    /// `password_too`, that the session was confirmed now), stores it and mints
    /// its token.
    async fn proven(
        self,
        me: &Identity,
        user: &User,
        password_too: bool,
    ) -> Result<Issued, PasskeyError> {
        let auth = self.0;
        let session = auth.store.session(&me.session)?;
        let session = session.ok_or(PasskeyError::NoPending)?;
        let generation = user.generation;
        Ok(auth
            .factor_proven(session, generation, "webauthn", password_too)
            .await?)
    }
}
