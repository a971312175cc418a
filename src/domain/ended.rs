//! Why a session ended. Every ending is recorded with its reason: beside the
//! session's entry in the revoked set, and on the user record when a whole
//! generation of tokens is retired, so a token that is refused can be told apart
//! from a forged one, and its holder told what happened (SPEC §9).

use serde::{Deserialize, Serialize};

/// How many retired generations a user record remembers the reason of. A token
/// more generations behind than this is refused all the same, for an unknown reason.
pub const RETIREMENTS_KEPT: usize = 8;

/// Why a session, or every token of a generation, stopped working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum EndReason {
    /// The user signed this session out.
    SignedOut,
    /// The user revoked it from another of their sessions, on this device.
    RevokedFromDevice {
        /// The device label of the revoking session ("Firefox on Linux").
        device: String,
    },
    /// An administrator revoked it.
    RevokedByAdmin,
    /// The user signed out every other device from one session.
    OtherDevicesSignedOut {
        /// The device label of the session that stayed.
        device: String,
    },
    /// Log out everywhere (by the user, an administrator or the command line).
    LoggedOutEverywhere,
    /// The user changed their password.
    PasswordChanged,
    /// The password was set without the old one: a reset link or the command line.
    PasswordReset,
    /// The account was disabled.
    Disabled,
    /// The account's groups changed.
    GroupsChanged,
    /// Unused past its idle timeout, or past its absolute lifetime.
    Expired,
    /// A spent copy of its cookie or refresh token was presented: someone else
    /// holds its credentials.
    CopiedCredential,
    /// Ended before reasons were recorded, or longer ago than they are kept.
    Unknown,
}

impl EndReason {
    /// The machine-readable code (`password_changed`), as the API will show it.
    pub fn code(&self) -> &'static str {
        match self {
            EndReason::SignedOut => "signed_out",
            EndReason::RevokedFromDevice { .. } => "revoked_from_device",
            EndReason::RevokedByAdmin => "revoked_by_admin",
            EndReason::OtherDevicesSignedOut { .. } => "other_devices_signed_out",
            EndReason::LoggedOutEverywhere => "logged_out_everywhere",
            EndReason::PasswordChanged => "password_changed",
            EndReason::PasswordReset => "password_reset",
            EndReason::Disabled => "disabled",
            EndReason::GroupsChanged => "groups_changed",
            EndReason::Expired => "expired",
            EndReason::CopiedCredential => "copied_credential",
            EndReason::Unknown => "unknown",
        }
    }

    /// The reason as stored: JSON, so a variant added later reads as
    /// [`EndReason::Unknown`] in an older build rather than failing.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads [`to_bytes`](EndReason::to_bytes) output; anything else (an entry
    /// written before reasons existed, a newer variant) is [`EndReason::Unknown`].
    pub fn from_bytes(raw: &[u8]) -> EndReason {
        serde_json::from_slice(raw).unwrap_or(EndReason::Unknown)
    }
}

/// A retired generation of a user's tokens, and why it was retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retired {
    /// The generation whose tokens stopped working.
    pub generation: u64,
    /// Why.
    #[serde(flatten)]
    pub reason: EndReason,
}

/// Why tokens of `generation` stopped working, given a user's `retired` list (for a
/// generation older than the user's current one).
pub fn retirement_reason(retired: &[Retired], generation: u64) -> EndReason {
    retired
        .iter()
        .find(|r| r.generation == generation)
        .map_or(EndReason::Unknown, |r| r.reason.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_and_unreadable_ones_are_unknown() {
        let revoked = EndReason::RevokedFromDevice {
            device: "Firefox on Linux".into(),
        };
        assert_eq!(EndReason::from_bytes(&revoked.to_bytes()), revoked);
        assert_eq!(
            String::from_utf8(EndReason::PasswordChanged.to_bytes()).unwrap(),
            r#"{"reason":"password_changed"}"#
        );
        assert_eq!(EndReason::from_bytes(b""), EndReason::Unknown);
        assert_eq!(
            EndReason::from_bytes(br#"{"reason":"from_the_future"}"#),
            EndReason::Unknown
        );
    }
}
