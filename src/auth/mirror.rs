//! What the guards consult on every request, held in memory so that the hot path
//! never reads the disk: each user's generation, enabled flag, email and groups
//! (and why their latest generations were retired), and the set of revoked sessions
//! whose tokens could still be unexpired, each with why it ended.
//!
//! The store is the source of truth; this mirror is loaded at start-up and updated
//! right after each flushed change ([`Mirror::publish`]). Revoked entries are
//! forgotten once every token of their session has expired: as the set grows past
//! twice its size at the last pruning, the expired entries are dropped, so its size
//! stays proportional to the revocations of one token lifetime.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::domain::ended::{Retired, retirement_reason};
use crate::domain::{EndReason, SessionId, User, UserId};
use crate::store::{Change, Ended, Revoked};
use crate::token::TokenClaims;

/// Revoked entries kept before the first pruning.
const PRUNE_FLOOR: usize = 1024;

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

/// What the mirror says about the user and session of a token.
#[derive(Debug, Clone)]
pub enum Admission {
    /// The user may be served.
    Admitted(Arc<UserView>),
    /// The session or its generation ended, for this reason.
    Ended(EndReason),
    /// No such user, or a generation that never existed.
    Unknown,
}

/// A user as mirrored.
struct Entry {
    view: Arc<UserView>,
    retired: Vec<Retired>,
}

/// A revoked session as mirrored.
struct Revocation {
    until: i64,
    reason: EndReason,
}

/// The revoked set and when it is next pruned.
#[derive(Default)]
struct RevokedSet {
    entries: HashMap<SessionId, Revocation>,
    prune_above: usize,
}

/// The in-memory mirror of users and revocations.
#[derive(Default)]
pub struct Mirror {
    users: RwLock<HashMap<UserId, Entry>>,
    revoked: RwLock<RevokedSet>,
}

impl Mirror {
    /// Builds the mirror from the store's users and revoked set.
    pub fn new(users: impl IntoIterator<Item = User>, revoked: Vec<Revoked>) -> Mirror {
        let users = users.into_iter().map(|u| (u.id, entry(&u))).collect();
        let entries: HashMap<_, _> = revoked
            .into_iter()
            .map(|r| {
                let revocation = Revocation {
                    until: r.until,
                    reason: r.reason,
                };
                (r.session, revocation)
            })
            .collect();
        let prune_above = (2 * entries.len()).max(PRUNE_FLOOR);
        Mirror {
            users: RwLock::new(users),
            revoked: RwLock::new(RevokedSet {
                entries,
                prune_above,
            }),
        }
    }

    /// The user a token may speak for: it must exist, be enabled, be of the current
    /// generation, and its session must not be revoked; otherwise why not.
    pub fn admit(&self, claims: &TokenClaims) -> Admission {
        if let Some(reason) = self.ended(&claims.session) {
            return Admission::Ended(reason);
        }
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        let Some(Entry { view, retired }) = users.get(&claims.user) else {
            return Admission::Unknown;
        };
        if claims.generation == view.generation {
            return match view.enabled {
                true => Admission::Admitted(view.clone()),
                false => Admission::Ended(EndReason::Disabled),
            };
        }
        if claims.generation > view.generation {
            return Admission::Unknown;
        }
        Admission::Ended(retirement_reason(retired, claims.generation))
    }

    /// Why `session` was revoked, if it was.
    pub fn ended(&self, session: &SessionId) -> Option<EndReason> {
        let revoked = self.revoked.read().unwrap_or_else(|e| e.into_inner());
        revoked.entries.get(session).map(|r| r.reason.clone())
    }

    /// Publishes a user created outside a [`Change`] (a new account), or a
    /// committed record, unless the mirror already holds a later generation of it.
    pub fn put_user(&self, user: &User) {
        self.put_followed_user(user);
    }

    /// Publishes a user record, this instance's or another's (the change log, SPEC
    /// §13), unless the mirror already holds a later generation of it: generations
    /// only grow, so an older record arriving late never brings a retired one back.
    pub fn put_followed_user(&self, user: &User) {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        let newer = users
            .get(&user.id)
            .is_none_or(|known| known.view.generation <= user.generation);
        if newer {
            users.insert(user.id, entry(user));
        }
    }

    /// The current view of a user.
    pub fn user(&self, id: &UserId) -> Option<Arc<UserView>> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.get(id).map(|e| e.view.clone())
    }

    /// Publishes a committed, flushed change: its user record, and the sessions it
    /// ended, refused until their tokens have expired (`now` prunes older entries).
    pub fn publish(&self, change: &Change, ended: &[Ended], now: i64) {
        if let Some(record) = change.record() {
            self.put_user(record);
        }
        let Some((_, reason)) = change.ends() else {
            return;
        };
        let mut revoked = self.revoked.write().unwrap_or_else(|e| e.into_inner());
        for Ended { session, until } in ended {
            let reason = reason.clone();
            let revocation = Revocation {
                until: *until,
                reason,
            };
            revoked.entries.insert(*session, revocation);
        }
        if revoked.entries.len() > revoked.prune_above {
            revoked.prune(now);
        }
    }

    /// Refuses `session` until `until` for `reason` (a session the sweeper deleted
    /// while its tokens may still be unexpired).
    pub fn revoke(&self, session: SessionId, until: i64, reason: EndReason) {
        let mut revoked = self.revoked.write().unwrap_or_else(|e| e.into_inner());
        revoked
            .entries
            .insert(session, Revocation { until, reason });
    }

    /// Forgets the revocations whose tokens have all expired by `now`; returns how
    /// many (the sweeper calls this on every pass, `publish` when the set doubles).
    pub fn prune(&self, now: i64) -> usize {
        let mut revoked = self.revoked.write().unwrap_or_else(|e| e.into_inner());
        revoked.prune(now)
    }

    /// Accounts mirrored.
    pub fn user_count(&self) -> usize {
        self.users.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Entries of the revoked set.
    pub fn revoked_count(&self) -> usize {
        let revoked = self.revoked.read().unwrap_or_else(|e| e.into_inner());
        revoked.entries.len()
    }
}

impl RevokedSet {
    fn prune(&mut self, now: i64) -> usize {
        let before = self.entries.len();
        self.entries.retain(|_, r| r.until > now);
        self.prune_above = (2 * self.entries.len()).max(PRUNE_FLOOR);
        before - self.entries.len()
    }
}

fn entry(user: &User) -> Entry {
    Entry {
        view: Arc::new(UserView::from(user)),
        retired: user.retired.clone(),
    }
}

#[cfg(test)]
mod tests;
