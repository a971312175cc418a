//! Second factors (SPEC §10) as stored: a user's TOTP secret (sealed, never in
//! clear), the digests of their recovery codes, and the pending-login state between
//! a correct password and the second factor. Pure records and rules, no I/O.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ids::UserId;
use super::session::SessionKind;

/// How many recovery codes a set has.
pub const RECOVERY_CODES: usize = 10;
/// How long a pending login waits for its second factor, in seconds.
pub const PENDING_TTL: i64 = 5 * 60;

/// A user's second factors (store record, one per user that has or had one).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Factors {
    /// The confirmed authenticator app, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<Totp>,
    /// A secret shown for enrolment but not yet confirmed by a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolling: Option<Totp>,
    /// SHA-256 digests (hex) of the unused recovery codes.
    #[serde(default)]
    pub recovery: Vec<String>,
}

impl Factors {
    /// Whether logging in needs a second factor.
    pub fn any(&self) -> bool {
        self.totp.is_some() || !self.recovery.is_empty()
    }

    /// Uses up the recovery code `code` if it is one of the set; `true` when it was.
    pub fn spend_recovery(&mut self, code: &str) -> bool {
        let digest = recovery_digest(code);
        let before = self.recovery.len();
        self.recovery.retain(|d| d != &digest);
        self.recovery.len() < before
    }
}

/// An authenticator-app secret, sealed under the factor key (see `auth::mfa`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Totp {
    /// The secret, encrypted and bound to its user.
    pub sealed: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The last 30-second step whose code was accepted: codes of it and of earlier
    /// steps are refused (replay).
    #[serde(default)]
    pub last_step: u64,
}

/// A correct password waiting for its second factor (store record, keyed by the
/// digest of the token the client holds).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    /// Whose password was right.
    pub user: UserId,
    /// The user's generation then: a change since (password, reset) voids it.
    pub generation: u64,
    /// The session to open.
    pub kind: SessionKind,
    /// "Remember me" at the password step.
    pub remember: bool,
    /// An API client's device name.
    #[serde(default)]
    pub device: Option<String>,
    /// Unix seconds after which it is void.
    pub expires_at: i64,
}

/// A fresh set of recovery codes: what the user is shown once, and what is stored.
pub fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let digests = codes.iter().map(|c| recovery_digest(c)).collect();
    (codes, digests)
}

/// One code: 80 random bits as 16 base32 letters in groups of four
/// (`abcd-efgh-ijkl-mnop`); enough that a plain digest cannot be searched.
fn recovery_code() -> String {
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let text = data_encoding::BASE32_NOPAD.encode(&bytes).to_lowercase();
    let groups: Vec<&str> = (0..4).map(|i| &text[i * 4..i * 4 + 4]).collect();
    groups.join("-")
}

/// The stored form of a recovery code as typed: case, spaces and dashes do not
/// matter.
pub fn recovery_digest(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    data_encoding::HEXLOWER.encode(&Sha256::digest(normal.as_bytes()))
}

/// Whether what was typed looks like a TOTP code (six digits, spaces allowed)
/// rather than a recovery code; returns the digits.
pub fn as_totp_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_single_use_and_forgiving_about_spelling() {
        let (codes, digests) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut factors = Factors {
            recovery: digests,
            ..Factors::default()
        };
        let typed = codes[3].to_uppercase().replace('-', " ");
        assert!(factors.spend_recovery(&typed));
        assert!(!factors.spend_recovery(&codes[3]));
        assert_eq!(factors.recovery.len(), RECOVERY_CODES - 1);
    }

    #[test]
    fn six_digits_are_a_totp_code() {
        assert_eq!(as_totp_code("123 456").as_deref(), Some("123456"));
        assert_eq!(as_totp_code("12345"), None);
        assert_eq!(as_totp_code("abcd-efgh-ijkl-mnop"), None);
    }
}
