//! Passkeys (SPEC §10): `passkeys` holds each user's list of
//! [`StoredPasskey`]s, `passkey_ceremonies` the state of WebAuthn ceremonies
//! between their start and finish, keyed by the SHA-256 of the id the browser holds.

use super::backend::{Keys, Tree};
use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::onetime::token_hash;
use crate::domain::passkeys::{Ceremony, StoredPasskey};

impl Store {
    /// The passkeys of `user` (empty when they have none).
    pub fn passkeys(&self, user: &UserId) -> Result<Vec<StoredPasskey>, StoreError> {
        self.read_record(Tree::Passkeys, user.as_bytes())
    }

    /// Whether `user` has a passkey (logging in then needs a second step).
    pub fn has_passkeys(&self, user: &UserId) -> Result<bool, StoreError> {
        Ok(!self.passkeys(user)?.is_empty())
    }

    /// Changes the passkeys of `user` by `edit`, atomically (compare-and-swap; `edit`
    /// may run more than once, its last answer is returned). Not flushed.
    pub fn edit_passkeys<R>(
        &self,
        user: &UserId,
        edit: impl FnMut(&mut Vec<StoredPasskey>) -> R,
    ) -> Result<R, StoreError> {
        let kept = |list: &Vec<StoredPasskey>| !list.is_empty();
        self.edit_record(Tree::Passkeys, user.as_bytes(), edit, kept)
    }

    /// Forgets every passkey of `user`. Not flushed.
    pub fn remove_passkeys(&self, user: &UserId) -> Result<(), StoreError> {
        self.backend.remove(Tree::Passkeys, user.as_bytes())?;
        Ok(())
    }

    /// Whether any account holds a credential with this id.
    pub fn credential_known(&self, credential: &[u8]) -> Result<bool, StoreError> {
        for entry in self.backend.scan(Tree::Passkeys, Keys::All, false)? {
            let (_, raw) = entry?;
            let list: Vec<StoredPasskey> = decode("passkeys", &raw)?;
            if list.iter().any(|p| p.key.cred_id().as_ref() == credential) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Stores a ceremony under `id`. Not flushed (a ceremony lost in a crash is
    /// merely started again).
    pub fn put_ceremony(&self, id: &str, ceremony: &Ceremony) -> Result<(), StoreError> {
        self.backend
            .insert(Tree::PasskeyCeremonies, &token_hash(id), &encode(ceremony))
    }

    /// Takes the ceremony of `id` out: it can be finished once.
    pub fn take_ceremony(&self, id: &str) -> Result<Option<Ceremony>, StoreError> {
        self.backend
            .remove(Tree::PasskeyCeremonies, &token_hash(id))?
            .map(|raw| decode("passkey_ceremonies", &raw))
            .transpose()
    }

    /// Drops ceremonies that expired before `now`; returns how many are left.
    pub fn prune_ceremonies(&self, now: i64) -> Result<usize, StoreError> {
        let mut left = 0;
        let mut gone = Vec::new();
        for entry in self
            .backend
            .scan(Tree::PasskeyCeremonies, Keys::All, false)?
        {
            let (key, raw) = entry?;
            let ceremony: Result<Ceremony, _> = decode("passkey_ceremonies", &raw);
            match ceremony {
                Ok(c) if c.expires_at >= now => left += 1,
                _ => gone.push(key),
            }
        }
        for key in gone {
            self.backend.remove(Tree::PasskeyCeremonies, &key)?;
        }
        Ok(left)
    }
}
