//! What the guards consult on every request, held in memory so that the hot path
//! never reads the disk: each user's generation, enabled flag, email and groups, and
//! the set of revoked sessions whose tokens could still be unexpired.
//!
//! The store is the source of truth; this mirror is loaded at start-up and updated
//! right after each flushed write.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::domain::{SessionId, User, UserId};
use crate::token::TokenClaims;

/// The part of a user the guards need, shared with the request that uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    /// The user's id.
    pub id: UserId,
    /// Email as registered.
    pub email: String,
    /// Group names.
    pub groups: Vec<String>,
    /// Current generation; tokens of any other generation are refused.
    pub generation: u64,
    /// Disabled users are refused everywhere.
    pub enabled: bool,
}

impl UserView {
    /// Whether the user belongs to the `admin` group.
    pub fn is_admin(&self) -> bool {
        self.groups
            .iter()
            .any(|g| g == crate::domain::user::ADMIN_GROUP)
    }
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        UserView {
            id: user.id,
            email: user.email.clone(),
            groups: user.groups.clone(),
            generation: user.generation,
            enabled: !user.disabled,
        }
    }
}

/// The in-memory mirror.
#[derive(Default)]
pub struct Live {
    users: RwLock<HashMap<UserId, Arc<UserView>>>,
    revoked: RwLock<HashMap<SessionId, i64>>,
}

impl Live {
    /// Builds the mirror from the store's users and revoked set.
    pub fn new(
        users: impl IntoIterator<Item = User>,
        revoked: impl IntoIterator<Item = (SessionId, i64)>,
    ) -> Live {
        Live {
            users: RwLock::new(
                users
                    .into_iter()
                    .map(|u| (u.id, Arc::new(UserView::from(&u))))
                    .collect(),
            ),
            revoked: RwLock::new(revoked.into_iter().collect()),
        }
    }

    /// The user a token may speak for: it must exist, be enabled, be of the current
    /// generation, and its session must not be revoked. `None` means refuse.
    pub fn admit(&self, claims: &TokenClaims) -> Option<Arc<UserView>> {
        if self.is_revoked(&claims.session) {
            return None;
        }
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        let user = users.get(&claims.user)?;
        (user.enabled && user.generation == claims.generation).then(|| user.clone())
    }

    /// Whether tokens of this session must be refused.
    pub fn is_revoked(&self, session: &SessionId) -> bool {
        let revoked = self.revoked.read().unwrap_or_else(|e| e.into_inner());
        revoked.contains_key(session)
    }

    /// Publishes a new or changed user record.
    pub fn put_user(&self, user: &User) {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        users.insert(user.id, Arc::new(UserView::from(user)));
    }

    /// The current view of a user.
    pub fn user(&self, id: &UserId) -> Option<Arc<UserView>> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.get(id).cloned()
    }

    /// Refuses every token of `session` until `until`.
    pub fn revoke(&self, session: SessionId, until: i64) {
        let mut revoked = self.revoked.write().unwrap_or_else(|e| e.into_inner());
        revoked.insert(session, until);
    }

    /// Forgets revoked entries whose tokens have all expired by `now`.
    pub fn prune(&self, now: i64) {
        let mut revoked = self.revoked.write().unwrap_or_else(|e| e.into_inner());
        revoked.retain(|_, until| *until > now);
    }
}
