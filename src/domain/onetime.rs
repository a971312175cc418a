//! One-time links that bring people in without email (SPEC §3): the first-run setup
//! link, invites and password resets. The token in the URL is 128 bits from the OS
//! CSPRNG; only its SHA-256 is stored, so a leaked data dir reveals no usable link.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ids::{UserId, random_token};

/// How long an invite link stays usable, in seconds.
pub const INVITE_TTL: i64 = 7 * 24 * 3600;
/// How long a reset link stays usable, in seconds.
pub const RESET_TTL: i64 = 24 * 3600;

/// What a link is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Purpose {
    /// Creates the first admin.
    Setup,
    /// Creates an account with these groups.
    Invite { groups: Vec<String> },
    /// Sets a new password for this user.
    Reset { user: UserId },
}

/// A stored link (store record, keyed by the token's hash).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OneTime {
    /// What it does.
    #[serde(flatten)]
    pub purpose: Purpose,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds after which it is dead; `None` = until used.
    pub expires_at: Option<i64>,
}

impl OneTime {
    /// Whether the link can still be used at `now`.
    pub fn usable(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|end| now < end)
    }
}

/// A fresh token for a link.
pub fn new_token() -> String {
    random_token(16)
}

/// The store key of a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
