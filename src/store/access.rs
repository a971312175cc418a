//! Personal access token grants (SPEC §11), keyed by their session id. The session
//! record is the source of truth for whether a token lives: a grant whose session
//! is gone is dead, and is dropped when the grants are next loaded.

use super::backend::{Keys, Tree};
use super::{Store, StoreError, decode, encode};
use crate::domain::SessionId;
use crate::domain::access::Grant;

impl Store {
    /// Writes a grant; not yet flushed (the caller flushes with its session).
    pub fn put_grant(&self, grant: &Grant) -> Result<(), StoreError> {
        self.backend
            .insert(Tree::AccessTokens, grant.session.as_bytes(), &encode(grant))
    }

    /// The grant of a token session.
    pub fn grant(&self, session: &SessionId) -> Result<Option<Grant>, StoreError> {
        self.backend
            .get(Tree::AccessTokens, session.as_bytes())?
            .map(|raw| decode("access_tokens", &raw))
            .transpose()
    }

    /// Forgets the grant of an ended session.
    pub fn remove_grant(&self, session: &SessionId) -> Result<(), StoreError> {
        self.backend
            .remove(Tree::AccessTokens, session.as_bytes())?;
        Ok(())
    }

    /// Every grant whose session still exists; the others are removed.
    pub fn live_grants(&self) -> Result<Vec<Grant>, StoreError> {
        let mut live = Vec::new();
        let mut dead = Vec::new();
        for entry in self.backend.scan(Tree::AccessTokens, Keys::All, false)? {
            let (key, raw) = entry?;
            let grant: Grant = decode("access_tokens", &raw)?;
            if self
                .backend
                .get(Tree::Sessions, grant.session.as_bytes())?
                .is_some()
            {
                live.push(grant);
            } else {
                dead.push(key);
            }
        }
        for key in dead {
            self.backend.remove(Tree::AccessTokens, &key)?;
        }
        Ok(live)
    }
}
