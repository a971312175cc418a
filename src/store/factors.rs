//! Second factors and pending logins (SPEC §10): `factors` holds one
//! [`Factors`] record per user, `pending_logins` the logins waiting for their second
//! factor, keyed by the SHA-256 of the token the client holds.

use super::backend::{Keys, Tree};
use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::factors::{Factors, PendingLogin};
use crate::domain::onetime::token_hash;

impl Store {
    /// The factors of `user` (empty when they have none).
    pub fn factors(&self, user: &UserId) -> Result<Factors, StoreError> {
        self.read_record(Tree::Factors, user.as_bytes())
    }

    /// Changes the factors of `user` by `edit`, atomically: of two concurrent
    /// edits (say, two uses of one code) each sees the other's result. `edit` may
    /// run more than once; its last answer is returned. Not flushed.
    pub fn edit_factors<R>(
        &self,
        user: &UserId,
        edit: impl FnMut(&mut Factors) -> R,
    ) -> Result<R, StoreError> {
        self.edit_record(Tree::Factors, user.as_bytes(), edit, |_| true)
    }

    /// Forgets every factor of `user`. Not flushed.
    pub fn remove_factors(&self, user: &UserId) -> Result<(), StoreError> {
        self.backend.remove(Tree::Factors, user.as_bytes())?;
        Ok(())
    }

    /// Stores a pending login under `token`. Not flushed.
    pub fn put_pending(&self, token: &str, pending: &PendingLogin) -> Result<(), StoreError> {
        self.backend
            .insert(Tree::PendingLogins, &token_hash(token), &encode(pending))
    }

    /// The pending login of `token`, if any (expired ones included).
    pub fn pending(&self, token: &str) -> Result<Option<PendingLogin>, StoreError> {
        self.backend
            .get(Tree::PendingLogins, &token_hash(token))?
            .map(|raw| decode("pending_logins", &raw))
            .transpose()
    }

    /// Takes the pending login of `token` out: of two concurrent uses, one gets it.
    pub fn take_pending(&self, token: &str) -> Result<Option<PendingLogin>, StoreError> {
        self.backend
            .remove(Tree::PendingLogins, &token_hash(token))?
            .map(|raw| decode("pending_logins", &raw))
            .transpose()
    }

    /// Drops pending logins that expired before `now`.
    pub fn prune_pending(&self, now: i64) -> Result<(), StoreError> {
        let mut expired = Vec::new();
        for entry in self.backend.scan(Tree::PendingLogins, Keys::All, false)? {
            let (key, raw) = entry?;
            let pending: Result<PendingLogin, _> = decode("pending_logins", &raw);
            if pending.is_err() || pending.is_ok_and(|p| p.expires_at < now) {
                expired.push(key);
            }
        }
        for key in expired {
            self.backend.remove(Tree::PendingLogins, &key)?;
        }
        Ok(())
    }
}
