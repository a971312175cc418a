//! Passkeys and security keys (SPEC §10), `auth.passkeys()`: adding, naming and
//! removing them, signing in with one (`signin.rs`) as the second step after a
//! password or without a password, and proving it in a signed-in session
//! (`confirm.rs`): to confirm it again, or to step it up to `aal` 2.
//!
//! Every ceremony has two requests. The start stores the `webauthn-rs` state
//! server-side under a random id (as a digest, 5 minutes), bound to what started
//! it: the user and session, the pending login, or the browser. The finish takes it
//! out first (single use), then checks the binding, then lets the crate verify the
//! browser's answer.

mod confirm;
mod party;
mod signin;

pub use confirm::Confirming;
pub use party::unavailable_reason;

use serde_json::Value;
use webauthn_rs::prelude::{RegisterPublicKeyCredential, Uuid, Webauthn};

use super::commit::Audit;
use super::{Auth, Client, Identity, InternalError, Issued};
use crate::domain::audit::AuditKind;
use crate::domain::ids::random_token;
use crate::domain::passkeys::{
    CEREMONY_TTL, Ceremony, CeremonyState, MAX_PASSKEYS, Purpose, StoredPasskey, clean_name,
};
use crate::domain::{EndReason, UserId};
use crate::store::{Change, Ends, StoreError};

/// How many ceremonies may wait at once, all users together: the start routes
/// need no account, so this bounds what they can make the store hold.
const MAX_CEREMONIES: usize = 10_000;

/// Why a passkey step was refused.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// `public_url` is not a secure context with a host name.
    #[error("{0}")]
    Unavailable(&'static str),
    /// No ceremony for this id and this user, session or browser.
    #[error("That passkey request expired or was already used. Try again.")]
    NoCeremony,
    /// The authenticator's answer did not verify, or names no passkey of the user.
    #[error("That passkey was not accepted.")]
    Refused,
    /// The credential is registered already.
    #[error("This passkey is already registered.")]
    Duplicate,
    /// The account has the most passkeys allowed.
    #[error("You have {MAX_PASSKEYS} passkeys already; remove one first.")]
    TooMany,
    /// The name is empty.
    #[error("Give the passkey a name.")]
    NoName,
    /// No such passkey of this user.
    #[error("No such passkey.")]
    NotFound,
    /// The pending login (second step) is gone.
    #[error("Your sign-in took too long or was already used. Sign in again.")]
    NoPending,
    /// Too many attempts; retry after this many seconds.
    #[error("Too many attempts. Try again in {0}s.")]
    Throttled(i64),
    /// Too many ceremonies are waiting.
    #[error("Too many passkey requests at once. Try again in a minute.")]
    Busy,
    /// Not the user's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<StoreError> for PasskeyError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.into())
    }
}

/// The passkey capability; `auth.passkeys()`.
#[derive(Clone, Copy)]
pub struct PasskeysOf<'a>(pub(super) &'a Auth);

impl Auth {
    /// Passkeys: registration, management, sign-in.
    pub fn passkeys(&self) -> PasskeysOf<'_> {
        PasskeysOf(self)
    }
}

/// The WebAuthn user handle of `user`: its id's 16 bytes.
fn handle(user: &UserId) -> Uuid {
    Uuid::from_bytes(*user.as_bytes())
}

impl PasskeysOf<'_> {
    fn party(self) -> Result<Webauthn, PasskeyError> {
        party::relying_party(&self.0.config.public_url).map_err(PasskeyError::Unavailable)
    }

    /// Whether passkeys can be used with this `public_url`.
    pub fn available(self) -> bool {
        unavailable_reason(&self.0.config.public_url).is_none()
    }

    /// Whether `user` can use a passkey now (they have one, and `public_url` allows).
    pub fn offered_for(self, user: &UserId) -> bool {
        self.available() && self.0.store.has_passkeys(user).unwrap_or(false)
    }

    /// Whether a passkey is `user`'s only second factor (no app, no recovery codes),
    /// so the pages ask for nothing else.
    pub fn only_factor(self, user: &UserId) -> bool {
        let codes = self.0.store.factors(user).map_or(true, |f| f.any());
        !codes && self.offered_for(user)
    }

    /// Whether the user of the pending login `token` has only passkeys.
    pub fn only_factor_pending(self, token: &str) -> bool {
        let pending = self.0.store.pending(token).ok().flatten();
        pending.is_some_and(|p| self.only_factor(&p.user))
    }

    /// Whether the user of the pending login `token` can finish it with a passkey.
    pub fn offered_for_pending(self, token: &str) -> bool {
        let pending = self.0.store.pending(token).ok().flatten();
        pending.is_some_and(|p| self.offered_for(&p.user))
    }

    /// The passkeys of `user`, oldest first.
    pub fn of(self, user: &UserId) -> Result<Vec<StoredPasskey>, StoreError> {
        self.0.store.passkeys(user)
    }

    /// Stores a new ceremony; its id for the browser.
    fn open(self, purpose: Purpose, state: CeremonyState) -> Result<String, PasskeyError> {
        let now = self.0.clock.now();
        if self.0.store.prune_ceremonies(now)? >= MAX_CEREMONIES {
            return Err(PasskeyError::Busy);
        }
        let id = random_token(32);
        let ceremony = Ceremony {
            purpose,
            state,
            expires_at: now + CEREMONY_TTL,
        };
        self.0.store.put_ceremony(&id, &ceremony)?;
        Ok(id)
    }

    /// Takes the ceremony `id` out (it is spent whatever follows) if it is live and
    /// bound to `purpose`.
    fn close(self, id: &str, purpose: &Purpose) -> Result<CeremonyState, PasskeyError> {
        let now = self.0.clock.now();
        let ceremony = self.0.store.take_ceremony(id)?;
        ceremony
            .filter(|c| c.expires_at >= now && &c.purpose == purpose)
            .map(|c| c.state)
            .ok_or(PasskeyError::NoCeremony)
    }

    /// Starts adding a passkey to `me`'s account: the ceremony id and the options
    /// for `navigator.credentials.create` (a discoverable credential preferred).
    pub fn start_register(self, me: &Identity) -> Result<(String, Value), PasskeyError> {
        let party = self.party()?;
        let existing = self.of(&me.user.id)?;
        if existing.len() >= MAX_PASSKEYS {
            return Err(PasskeyError::TooMany);
        }
        let exclude = existing.iter().map(|p| p.key.cred_id().clone()).collect();
        let email = &me.user.email;
        let (options, state) = party
            .start_passkey_registration(handle(&me.user.id), email, email, Some(exclude))
            .map_err(|_| PasskeyError::Refused)?;
        let mut options = serde_json::to_value(options).map_err(|_| PasskeyError::Refused)?;
        if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
            selection["residentKey"] = Value::from("preferred");
        }
        let purpose = Purpose::Register {
            user: me.user.id,
            session: me.session,
        };
        let id = self.open(purpose, CeremonyState::Register(state))?;
        Ok((id, options))
    }

    /// Finishes adding a passkey named `name` with the browser's answer.
    pub async fn finish_register(
        self,
        me: &Identity,
        id: &str,
        name: &str,
        answer: &RegisterPublicKeyCredential,
        client: &Client,
    ) -> Result<StoredPasskey, PasskeyError> {
        let party = self.party()?;
        let purpose = Purpose::Register {
            user: me.user.id,
            session: me.session,
        };
        let CeremonyState::Register(state) = self.close(id, &purpose)? else {
            return Err(PasskeyError::NoCeremony);
        };
        let name = clean_name(name).ok_or(PasskeyError::NoName)?;
        let key = party
            .finish_passkey_registration(answer, &state)
            .map_err(|_| PasskeyError::Refused)?;
        if self.0.store.credential_known(key.cred_id().as_ref())? {
            return Err(PasskeyError::Duplicate);
        }
        let stored = StoredPasskey {
            id: random_token(9),
            name,
            created_at: self.0.clock.now(),
            last_used_at: None,
            key,
        };
        let added = self.0.store.edit_passkeys(&me.user.id, |list| {
            let room = list.len() < MAX_PASSKEYS;
            if room {
                list.push(stored.clone());
            }
            room
        })?;
        if !added {
            return Err(PasskeyError::TooMany);
        }
        self.0.store.flush().await?;
        let kind = AuditKind::PasskeyAdded;
        self.0
            .audit(kind, Some(me.user.id), Some(me.session), client);
        Ok(stored)
    }

    /// Renames passkey `id` of `me`.
    pub async fn rename(self, me: &Identity, id: &str, name: &str) -> Result<(), PasskeyError> {
        let name = clean_name(name).ok_or(PasskeyError::NoName)?;
        let found = self.0.store.edit_passkeys(&me.user.id, |list| {
            let key = list.iter_mut().find(|p| p.id == id);
            key.map(|p| p.name = name.clone()).is_some()
        })?;
        if !found {
            return Err(PasskeyError::NotFound);
        }
        self.0.store.flush().await?;
        Ok(())
    }

    /// Removes passkey `id` of `me`: every other session ends, this one continues
    /// with the returned token (as after a password change).
    pub async fn remove(
        self,
        me: &Identity,
        id: &str,
        client: &Client,
    ) -> Result<Issued, PasskeyError> {
        let auth = self.0;
        let found = auth.store.edit_passkeys(&me.user.id, |list| {
            let before = list.len();
            list.retain(|p| p.id != id);
            list.len() < before
        })?;
        if !found {
            return Err(PasskeyError::NotFound);
        }
        let session = auth.store.session(&me.session)?;
        let session = session.ok_or(PasskeyError::NotFound)?;
        let device = session.device.clone();
        let issued = auth.reissue(session, me.user.generation);
        let reason = EndReason::OtherDevicesSignedOut { device };
        let change = Change::end(me.user.id, Ends::AllBut(me.session), reason)
            .keeping(issued.session.clone());
        let audit = Audit(AuditKind::PasskeyRemoved, Some(me.session));
        auth.commit(change, Some(audit), client).await?;
        Ok(issued)
    }
}
