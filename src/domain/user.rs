//! The user record as stored, and the rules for group names.

use serde::{Deserialize, Serialize};

use super::ended::{EndReason, RETIREMENTS_KEPT, Retired};
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
    /// Why the latest generations were retired, oldest first (at most
    /// [`RETIREMENTS_KEPT`]); records written before reasons existed have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<Retired>,
}

impl User {
    /// Whether the user belongs to the admin group.
    pub fn is_admin(&self) -> bool {
        self.groups.iter().any(|g| g == ADMIN_GROUP)
    }

    /// Retires the current generation for `reason`: every token minted under it is
    /// refused from now on, and the reason is remembered for them.
    pub fn retire_generation(&mut self, reason: EndReason) {
        self.retired.push(Retired {
            generation: self.generation,
            reason,
        });
        let excess = self.retired.len().saturating_sub(RETIREMENTS_KEPT);
        self.retired.drain(..excess);
        self.generation += 1;
    }
}

#[cfg(test)]
impl User {
    /// An enabled account with no password, groups or history, for unit tests.
    pub(crate) fn sample(email: &str) -> User {
        User {
            id: UserId::random(),
            email: email.to_owned(),
            password_hash: String::new(),
            generation: 0,
            groups: Vec::new(),
            disabled: false,
            created_at: 0,
            retired: Vec::new(),
        }
    }
}

/// Longest group name accepted.
const MAX_GROUP_LEN: usize = 64;

/// A group list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Group names use letters, digits, '-', '_' and '.', at most {MAX_GROUP_LEN} characters: `{0}` does not."
)]
pub struct InvalidGroup(pub String);

/// Parses a comma-separated group list (`"staff, admin"`): trimmed, empty entries
/// dropped, duplicates removed, order kept.
pub fn parse_groups(raw: &str) -> Result<Vec<String>, InvalidGroup> {
    let mut groups: Vec<String> = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let valid = name.len() <= MAX_GROUP_LEN
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(InvalidGroup(
                name.chars().filter(|c| !c.is_control()).take(80).collect(),
            ));
        }
        if !groups.iter().any(|g| g == name) {
            groups.push(name.to_owned());
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_lists_are_trimmed_and_deduplicated() {
        assert_eq!(
            parse_groups(" staff, admin ,,staff").unwrap(),
            vec!["staff", "admin"]
        );
        assert_eq!(parse_groups("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn odd_group_names_are_refused() {
        assert!(parse_groups("staff,<script>").is_err());
        assert!(parse_groups("a b").is_err());
        assert!(parse_groups(&"x".repeat(65)).is_err());
    }
}
