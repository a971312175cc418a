//! One-time link records, keyed by the SHA-256 of their token.

use super::backend::{Keys, Tree};
use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::onetime::{OneTime, Purpose, token_hash};

impl Store {
    /// Stores a link for `token` (not flushed).
    pub fn put_onetime(&self, token: &str, link: &OneTime) -> Result<(), StoreError> {
        self.backend
            .insert(Tree::Onetime, &token_hash(token), &encode(link))
    }

    /// The link for `token`, if stored.
    pub fn onetime(&self, token: &str) -> Result<Option<OneTime>, StoreError> {
        self.backend
            .get(Tree::Onetime, &token_hash(token))?
            .map(|raw| decode("onetime", &raw))
            .transpose()
    }

    /// Takes the link for `token` out of the store: of two concurrent uses, exactly
    /// one gets it.
    pub fn take_onetime(&self, token: &str) -> Result<Option<OneTime>, StoreError> {
        self.backend
            .remove(Tree::Onetime, &token_hash(token))?
            .map(|raw| decode("onetime", &raw))
            .transpose()
    }

    /// Deletes every stored setup link (a new one replaces them).
    pub fn clear_setup_links(&self) -> Result<(), StoreError> {
        self.remove_links(|purpose| *purpose == Purpose::Setup)
    }

    /// Deletes every reset link of `user` (not flushed): a password change makes
    /// them all dead, whoever holds them.
    pub fn clear_reset_links(&self, user: &UserId) -> Result<(), StoreError> {
        self.remove_links(|purpose| *purpose == (Purpose::Reset { user: *user }))
    }

    fn remove_links(&self, doomed: impl Fn(&Purpose) -> bool) -> Result<(), StoreError> {
        let mut keys = Vec::new();
        for entry in self.backend.scan(Tree::Onetime, Keys::All, false)? {
            let (key, raw) = entry?;
            let link: OneTime = decode("onetime", &raw)?;
            if doomed(&link.purpose) {
                keys.push(key);
            }
        }
        for key in keys {
            self.backend.remove(Tree::Onetime, &key)?;
        }
        Ok(())
    }
}
