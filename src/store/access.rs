//! Personal access token grants (SPEC §11), keyed by their session id. The session
//! record is the source of truth for whether a token lives: a grant whose session
//! is gone is dead, and is dropped when the grants are next loaded.

use super::{Store, StoreError, decode, encode};
use crate::domain::SessionId;
use crate::domain::access::Grant;

impl Store {
    /// Writes a grant; not yet flushed (the caller flushes with its session).
    pub fn put_grant(&self, grant: &Grant) -> Result<(), StoreError> {
        self.access_tokens
            .insert(grant.session.as_bytes(), encode(grant))?;
        Ok(())
    }

    /// The grant of a token session.
    pub fn grant(&self, session: &SessionId) -> Result<Option<Grant>, StoreError> {
        self.access_tokens
            .get(session.as_bytes())?
            .map(|raw| decode("access_tokens", &raw))
            .transpose()
    }

    /// Forgets the grant of an ended session.
    pub fn remove_grant(&self, session: &SessionId) -> Result<(), StoreError> {
        self.access_tokens.remove(session.as_bytes())?;
        Ok(())
    }

    /// Every grant whose session still exists; the others are removed.
    pub fn live_grants(&self) -> Result<Vec<Grant>, StoreError> {
        let mut live = Vec::new();
        for entry in self.access_tokens.iter() {
            let (key, raw) = entry?;
            let grant: Grant = decode("access_tokens", &raw)?;
            if self.sessions.contains_key(grant.session.as_bytes())? {
                live.push(grant);
            } else {
                self.access_tokens.remove(key)?;
            }
        }
        Ok(live)
    }
}
