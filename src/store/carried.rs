//! Claims of admin actions kept across a password confirmation (SPEC §9), keyed by
//! the SHA-256 of their token: taken atomically, so of two confirmations submitted
//! at once exactly one carries the action out.

use super::backend::{Keys, Tree};
use super::{Store, StoreError};
use crate::domain::onetime::token_hash;

/// The time an entry's value holds; an unreadable one counts as long gone.
fn until_of(raw: &[u8]) -> i64 {
    raw.try_into().map_or(i64::MIN, i64::from_be_bytes)
}

impl Store {
    /// Stores the claim `token`, good until `until`, and prunes the ones past their
    /// time at `now` (an action abandoned behind the prompt is never taken). Not
    /// flushed: a claim lost in a crash only means the action is not carried out.
    pub fn put_carried(&self, token: &str, until: i64, now: i64) -> Result<(), StoreError> {
        let mut gone = Vec::new();
        for entry in self.backend.scan(Tree::Carried, Keys::All, false)? {
            let (key, raw) = entry?;
            if until_of(&raw) <= now {
                gone.push(key);
            }
        }
        for key in gone {
            self.backend.remove(Tree::Carried, &key)?;
        }
        self.backend
            .insert(Tree::Carried, &token_hash(token), &until.to_be_bytes())
    }

    /// Takes the claim `token` out of the store: `true` for the one caller that
    /// removed it while it was still good at `now`, `false` for every other.
    pub fn take_carried(&self, token: &str, now: i64) -> Result<bool, StoreError> {
        let taken = self.backend.remove(Tree::Carried, &token_hash(token))?;
        Ok(taken.is_some_and(|raw| now < until_of(&raw)))
    }
}
