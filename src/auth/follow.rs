//! Several instances (SPEC §13): with the PostgreSQL store, each instance follows
//! the change log and applies what other instances committed to its own mirror, so
//! the request path still reads no database. Its own writes reach its mirror at once
//! through [`Auth::commit`](super::Auth) as on sled.
//!
//! The follower is started from the log position read *before* the snapshot the
//! mirror was built from: a write committed between the two is applied twice, which
//! changes nothing (a user record never replaces a later generation, a revocation
//! is a set insert), and none is missed.
//!
//! Cut off from PostgreSQL, the instance keeps answering from its mirror for
//! `max_staleness`; after that [`Auth::is_stale`] is true and authenticated
//! requests are refused with 503 (`ops/staleness.rs`) until the follower has
//! heard from PostgreSQL again, which it does by reading everything it missed.

use std::sync::Arc;

use super::Auth;
use super::access::AccessIndex;
use super::mirror::Mirror;
use crate::store::backend::Followed;
use crate::store::followed::{Update, session_of};
use crate::store::postgres::Follower;
use crate::store::{Store, StoreError};

/// The log position to follow from, read before the snapshot is loaded.
pub(super) fn position(store: &Store) -> Result<i64, StoreError> {
    store.backend().last_seq()
}

/// Starts following after `seq`, applying to `mirror` and the token index
/// (`None` on sled).
pub(super) fn start(
    store: &Store,
    seq: i64,
    mirror: Arc<Mirror>,
    tokens: Arc<AccessIndex>,
) -> Option<Follower> {
    let engine = Arc::downgrade(store.backend());
    store.follow(seq, move |entries: &[Followed]| {
        for entry in entries {
            match Update::of(entry) {
                Some(Update::User(user)) => mirror.put_followed_user(&user),
                Some(Update::Revoked(r)) => mirror.revoke(r.session, r.until, r.reason),
                // Its session was written before it: a token made elsewhere.
                Some(Update::Grant(grant)) => {
                    let Some(engine) = engine.upgrade() else {
                        return;
                    };
                    match session_of(engine.as_ref(), &grant.session) {
                        Ok(Some(session)) => tokens.insert(grant, session),
                        Ok(None) => {}
                        Err(e) => rocket::warn!("could not read a token's session: {e}"),
                    }
                }
                // A token ended elsewhere is refused through its revoked session.
                Some(Update::GrantRemoved(_)) | None => {}
            }
        }
    })
}

impl Auth {
    /// Whether this instance has been cut off from its shared store for longer
    /// than `max_staleness` (never, on the embedded store).
    pub fn is_stale(&self) -> bool {
        self.follower
            .as_ref()
            .is_some_and(|f| f.contact_age() > self.config.max_staleness)
    }

    /// After a local write on the shared store: applies everything committed so
    /// far, in log order, so that a write made elsewhere just before is not
    /// overtaken by this one in the mirror.
    pub(super) fn catch_up(&self) {
        if let Some(follower) = &self.follower
            && let Err(e) = follower.catch_up()
        {
            rocket::warn!("could not read the change log: {e}");
        }
    }
}
