//! Session records and the per-user index.

use super::backend::{Keys, Tree};
use super::{Store, StoreError, decode, encode};
use crate::domain::{Session, SessionId, UserId};

/// A session record together with the exact bytes it was read from.
pub struct Versioned {
    /// The record.
    pub session: Session,
    raw: Vec<u8>,
}

pub(super) fn index_key(user: &UserId, session: &SessionId) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(user.as_bytes());
    key[16..].copy_from_slice(session.as_bytes());
    key
}

impl Store {
    /// Inserts or replaces a session and its index entry; not yet flushed.
    pub fn put_session(&self, session: &Session) -> Result<(), StoreError> {
        let record = encode(session);
        let index = index_key(&session.user_id, &session.id);
        self.backend.transaction(&mut |tx| {
            tx.insert(Tree::Sessions, session.id.as_bytes(), &record)?;
            tx.insert(Tree::UserSessions, &index, &[])
        })?;
        Ok(())
    }

    /// The session with this id.
    pub fn session(&self, id: &SessionId) -> Result<Option<Session>, StoreError> {
        self.backend
            .get(Tree::Sessions, id.as_bytes())?
            .map(|raw| decode("sessions", &raw))
            .transpose()
    }

    /// The session with this id, as read for a later [`Store::replace_session`].
    pub fn session_for_update(&self, id: &SessionId) -> Result<Option<Versioned>, StoreError> {
        let Some(raw) = self.backend.get(Tree::Sessions, id.as_bytes())? else {
            return Ok(None);
        };
        let session = decode("sessions", &raw)?;
        Ok(Some(Versioned { session, raw }))
    }

    /// Writes `new` in one compare-and-swap, only if the record is still exactly the
    /// one `read` saw: `false` when another request changed or removed it meanwhile
    /// (a removed session is never brought back). Not yet flushed.
    pub fn replace_session(&self, read: &Versioned, new: &Session) -> Result<bool, StoreError> {
        self.backend.compare_and_swap(
            Tree::Sessions,
            read.session.id.as_bytes(),
            Some(&read.raw),
            Some(&encode(new)),
        )
    }

    /// Every session of `user`, oldest first.
    pub fn sessions_of(&self, user: &UserId) -> Result<Vec<Session>, StoreError> {
        let mut sessions = Vec::new();
        let index = self
            .backend
            .scan(Tree::UserSessions, Keys::Prefix(user.as_bytes()), false)?;
        for entry in index {
            let (key, _) = entry?;
            let Some(id) = SessionId::from_bytes(&key[16..]) else {
                continue;
            };
            if let Some(session) = self.session(&id)? {
                sessions.push(session);
            }
        }
        sessions.sort_by_key(|s| s.created_at);
        Ok(sessions)
    }
}
