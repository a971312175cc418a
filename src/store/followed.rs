//! What a change-log entry means to the request path: the decoded form of a write
//! to a followed tree ([`Tree::is_followed`]), so the key layout stays in here.

use super::backend::{Backend, Followed, Tree};
use super::revoked::decode_entry;
use super::{Revoked, StoreError, decode};
use crate::domain::access::Grant;
use crate::domain::{Session, SessionId, User};

/// A followed write, decoded.
#[derive(Debug, Clone)]
pub enum Update {
    /// A user record was written.
    User(User),
    /// A session was revoked.
    Revoked(Revoked),
    /// A personal access token was made.
    Grant(Grant),
    /// A personal access token's grant was removed.
    GrantRemoved(SessionId),
}

impl Update {
    /// The meaning of `entry`; `None` for what the request path does not need
    /// (a pruned revocation) or cannot read (logged as corrupt by the caller).
    pub fn of(entry: &Followed) -> Option<Update> {
        match (entry.tree, &entry.value) {
            (Tree::Users, Some(raw)) => serde_json::from_slice(raw).ok().map(Update::User),
            (Tree::Revoked, Some(raw)) => {
                let session = SessionId::from_bytes(&entry.key)?;
                let (until, reason) = decode_entry(raw);
                Some(Update::Revoked(Revoked {
                    session,
                    until,
                    reason,
                }))
            }
            (Tree::AccessTokens, Some(raw)) => serde_json::from_slice(raw).ok().map(Update::Grant),
            (Tree::AccessTokens, None) => {
                SessionId::from_bytes(&entry.key).map(Update::GrantRemoved)
            }
            _ => None,
        }
    }
}

/// The session record `id`, read straight from `backend` (a follower applying a
/// grant needs its session, and holds the engine rather than the store).
pub fn session_of(backend: &dyn Backend, id: &SessionId) -> Result<Option<Session>, StoreError> {
    backend
        .get(Tree::Sessions, id.as_bytes())?
        .map(|raw| decode("sessions", &raw))
        .transpose()
}
