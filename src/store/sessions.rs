//! Session records, the per-user index, and the persisted revoked set.

use super::{Store, StoreError, decode, encode};
use crate::domain::{Session, SessionId, UserId};

/// A session record together with the exact bytes it was read from.
pub struct Versioned {
    /// The record.
    pub session: Session,
    raw: sled::IVec,
}

fn index_key(user: &UserId, session: &SessionId) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(user.as_bytes());
    key[16..].copy_from_slice(session.as_bytes());
    key
}

impl Store {
    /// Inserts or replaces a session and its index entry; not yet flushed.
    pub fn put_session(&self, session: &Session) -> Result<(), StoreError> {
        self.sessions
            .insert(session.id.as_bytes(), encode(session))?;
        self.user_sessions
            .insert(index_key(&session.user_id, &session.id), &[])?;
        Ok(())
    }

    /// The session with this id.
    pub fn session(&self, id: &SessionId) -> Result<Option<Session>, StoreError> {
        self.sessions
            .get(id.as_bytes())?
            .map(|raw| decode("sessions", &raw))
            .transpose()
    }

    /// The session with this id, as read for a later [`Store::replace_session`].
    pub fn session_for_update(&self, id: &SessionId) -> Result<Option<Versioned>, StoreError> {
        let Some(raw) = self.sessions.get(id.as_bytes())? else {
            return Ok(None);
        };
        let session = decode("sessions", &raw)?;
        Ok(Some(Versioned { session, raw }))
    }

    /// Writes `new` in one compare-and-swap, only if the record is still exactly the
    /// one `read` saw: `false` when another request changed or removed it meanwhile
    /// (a removed session is never brought back). Not yet flushed.
    pub fn replace_session(&self, read: &Versioned, new: &Session) -> Result<bool, StoreError> {
        let swapped = self.sessions.compare_and_swap(
            read.session.id.as_bytes(),
            Some(&read.raw),
            Some(encode(new)),
        )?;
        Ok(swapped.is_ok())
    }

    /// Deletes a session and its index entry, returning it; not yet flushed.
    pub fn remove_session(&self, id: &SessionId) -> Result<Option<Session>, StoreError> {
        let Some(raw) = self.sessions.remove(id.as_bytes())? else {
            return Ok(None);
        };
        let session: Session = decode("sessions", &raw)?;
        self.user_sessions
            .remove(index_key(&session.user_id, &session.id))?;
        Ok(Some(session))
    }

    /// Every session of `user`, oldest first.
    pub fn sessions_of(&self, user: &UserId) -> Result<Vec<Session>, StoreError> {
        let mut sessions = Vec::new();
        for key in self.user_sessions.scan_prefix(user.as_bytes()).keys() {
            let key = key?;
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

    /// Records that tokens of `id` must be refused until `until` (Unix seconds).
    pub fn add_revoked(&self, id: &SessionId, until: i64) -> Result<(), StoreError> {
        self.revoked.insert(id.as_bytes(), &until.to_be_bytes())?;
        Ok(())
    }

    /// The revoked set, dropping entries whose tokens have all expired by `now`.
    pub fn load_revoked(&self, now: i64) -> Result<Vec<(SessionId, i64)>, StoreError> {
        let mut live = Vec::new();
        for entry in self.revoked.iter() {
            let (key, value) = entry?;
            let until = value
                .as_ref()
                .try_into()
                .map(i64::from_be_bytes)
                .unwrap_or(i64::MAX);
            match SessionId::from_bytes(&key) {
                Some(id) if until > now => live.push((id, until)),
                _ => {
                    self.revoked.remove(key)?;
                }
            }
        }
        Ok(live)
    }
}
