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

/// What a passkey proven in a signed-in session does to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirming {
    /// Re-authentication: the session is fresh again, and its factor proven now.
    Reauth,
    /// The step-up of an `aal` 1 session: it goes on at `aal` 2, its second factor
    /// proven now (what a `two_factor` rule's `max_auth_age` measures).
    StepUp,
}

impl Confirming {
    /// The purpose its ceremony is bound to: `me`'s user and session.
    fn purpose(self, me: &Identity) -> Purpose {
        let (user, session) = (me.user.id, me.session);
        match self {
            Confirming::Reauth => Purpose::Reauth { user, session },
            Confirming::StepUp => Purpose::StepUp { user, session },
        }
    }
}

impl PasskeysOf<'_> {
    /// Starts confirming `me`'s session with a passkey, for `what`.
    pub fn start_confirming(
        self,
        me: &Identity,
        what: Confirming,
    ) -> Result<(String, Value), PasskeyError> {
        let party = self.party()?;
        let keys: Vec<_> = self.of(&me.user.id)?.into_iter().map(|p| p.key).collect();
        if keys.is_empty() {
            return Err(PasskeyError::NotFound);
        }
        let (request, state) = party
            .start_passkey_authentication(&keys)
            .map_err(|_| PasskeyError::Refused)?;
        let id = self.open(what.purpose(me), CeremonyState::Known(state))?;
        Ok((id, options(request)?))
    }

    /// Finishes it: takes ceremony `id` out if it is `me`'s for `what`, checks the
    /// answer (the user, still enabled and at the same generation), and records the
    /// passkey in the session.
    pub async fn finish_confirming(
        self,
        me: &Identity,
        what: Confirming,
        id: &str,
        answer: &PublicKeyCredential,
        client: &Client,
    ) -> Result<Issued, PasskeyError> {
        let state = self.close(id, &what.purpose(me))?;
        let user = self.live_user(&me.user.id, Some(me.user.generation))?;
        self.verify(&user, state, answer, client)?;
        // A re-authentication proves both: the session is fresh and its factor too.
        let issued = self.proven(me, &user, what == Confirming::Reauth).await?;
        let kind = match what {
            Confirming::Reauth => AuditKind::Reauthenticated,
            Confirming::StepUp => AuditKind::SecondFactorConfirmed,
        };
        self.0.audit(kind, Some(user.id), Some(me.session), client);
        Ok(issued)
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
