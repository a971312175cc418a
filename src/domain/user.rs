//! The user record as stored, and the lean view the guards keep in memory.

use serde::{Deserialize, Serialize};

use super::ids::UserId;

/// Name of the group whose members may use the admin pages.
pub const ADMIN_GROUP: &str = "admin";

/// A user account (store record).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// Opaque random id.
    pub id: UserId,
    /// The address as typed at registration.
    pub email: String,
    /// argon2id hash in PHC string format.
    pub password_hash: String,
    /// Bumped whenever every existing token of this user must die.
    pub generation: u64,
    /// Group names, e.g. `admin`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// A disabled user cannot log in and all their tokens are refused.
    #[serde(default)]
    pub disabled: bool,
    /// Unix seconds.
    pub created_at: i64,
}

impl User {
    /// Whether the user belongs to the admin group.
    pub fn is_admin(&self) -> bool {
        self.groups.iter().any(|g| g == ADMIN_GROUP)
    }
}
