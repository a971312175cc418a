//! Passkeys and security keys (SPEC §10) as stored: each credential with its name
//! and dates, and the server-side state of a WebAuthn ceremony between its two
//! requests. Records only, no I/O.

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
};

use super::ids::{SessionId, UserId};

/// How long a ceremony's state waits for its second request, in seconds; also
/// the timeout the browser is given.
pub const CEREMONY_TTL: i64 = 5 * 60;
/// The most passkeys one account may have.
pub const MAX_PASSKEYS: usize = 20;
/// The longest name a passkey may have, in characters.
pub const MAX_NAME: usize = 64;

/// One registered credential (store record; a user's are kept as a list).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPasskey {
    /// Short random id, for the rename and remove routes.
    pub id: String,
    /// What the user called it.
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of its last successful use.
    #[serde(default)]
    pub last_used_at: Option<i64>,
    /// The credential as `webauthn-rs` keeps it (public key, counter, flags).
    pub key: Passkey,
}

/// What a ceremony is for, and who or what it is bound to: its finish request is
/// refused unless it comes from the same user, session, pending login or browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum Purpose {
    /// Adding a passkey to `user`'s account, from `session`.
    Register { user: UserId, session: SessionId },
    /// The second step of a login: the pending login whose token has this digest.
    SecondFactor { pending: String },
    /// Passwordless sign-in, from the browser whose CSRF token has this digest.
    Passwordless { browser: String },
    /// Confirming `session` again (fresh authentication).
    Reauth { user: UserId, session: SessionId },
    /// Proving the second factor in `session`, signed in with a password only
    /// (step-up to `aal` 2).
    StepUp { user: UserId, session: SessionId },
}

/// The crate's state of one ceremony.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "state", rename_all = "snake_case")]
pub enum CeremonyState {
    /// A registration.
    Register(PasskeyRegistration),
    /// An authentication with a known user's credentials.
    Known(PasskeyAuthentication),
    /// An authentication with a discoverable credential (no user known yet).
    Discoverable(DiscoverableAuthentication),
}

/// A started ceremony (store record, keyed by the digest of the id the browser
/// holds; taken out on first use).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ceremony {
    /// What it is for.
    pub purpose: Purpose,
    /// The crate's state.
    pub state: CeremonyState,
    /// Unix seconds after which it is void.
    pub expires_at: i64,
}

/// A passkey's name as typed, cleaned: control characters dropped, spaces
/// trimmed, at most [`MAX_NAME`] characters; `None` when nothing is left.
pub fn clean_name(typed: &str) -> Option<String> {
    let name: String = typed
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_NAME)
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Laptop\n ").as_deref(), Some("Laptop"));
        assert_eq!(clean_name(" \t "), None);
        assert_eq!(clean_name(&"x".repeat(100)).map(|n| n.len()), Some(64));
    }
}
