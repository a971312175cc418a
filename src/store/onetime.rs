//! One-time link records, keyed by the SHA-256 of their token.

use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::onetime::{OneTime, Purpose, token_hash};

impl Store {
    /// Stores a link for `token` (not flushed).
    pub fn put_onetime(&self, token: &str, link: &OneTime) -> Result<(), StoreError> {
        self.onetime.insert(token_hash(token), encode(link))?;
        Ok(())
    }

    /// The link for `token`, if stored.
    pub fn onetime(&self, token: &str) -> Result<Option<OneTime>, StoreError> {
        self.onetime
            .get(token_hash(token))?
            .map(|raw| decode("onetime", &raw))
            .transpose()
    }

    /// Takes the link for `token` out of the store: of two concurrent uses, exactly
    /// one gets it.
    pub fn take_onetime(&self, token: &str) -> Result<Option<OneTime>, StoreError> {
        self.onetime
            .remove(token_hash(token))?
            .map(|raw| decode("onetime", &raw))
            .transpose()
    }

    /// Deletes every stored setup link (a new one replaces them).
    pub fn clear_setup_links(&self) -> Result<(), StoreError> {
        for entry in self.onetime.iter() {
            let (key, raw) = entry?;
            let link: OneTime = decode("onetime", &raw)?;
            if link.purpose == Purpose::Setup {
                self.onetime.remove(key)?;
            }
        }
        Ok(())
    }

    /// Deletes every reset link of `user` (not flushed): a password change makes
    /// them all dead, whoever holds them.
    pub fn clear_reset_links(&self, user: &UserId) -> Result<(), StoreError> {
        for entry in self.onetime.iter() {
            let (key, raw) = entry?;
            let link: OneTime = decode("onetime", &raw)?;
            if link.purpose == (Purpose::Reset { user: *user }) {
                self.onetime.remove(key)?;
            }
        }
        Ok(())
    }
}
