//! Audit events: what happened, to whom, from where (SPEC §8). Never a password,
//! token or key; free text from clients is stripped of control characters so a log
//! line cannot be forged.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::ids::{SessionId, UserId};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// An account was created.
    Registered,
    /// A login succeeded.
    LoginSucceeded,
    /// A login failed (unknown email, wrong password or disabled account).
    LoginFailed,
    /// A session was ended by its own user.
    LoggedOut,
    /// A session was revoked from another session.
    SessionRevoked,
    /// Every other session of a user was ended.
    OtherSessionsRevoked,
    /// Every session of a user was ended and their generation bumped.
    LoggedOutEverywhere,
    /// A password was changed.
    PasswordChanged,
    /// A password confirmation succeeded.
    Reauthenticated,
    /// A password confirmation failed.
    ReauthFailed,
    /// A stale copy of a session credential was presented: the session was ended.
    CredentialReuse,
    /// An attempt was refused by a rate limit or back-off.
    Throttled,
    /// An admin disabled an account.
    UserDisabled,
    /// An admin re-enabled an account.
    UserEnabled,
    /// An admin changed an account's groups.
    GroupsChanged,
    /// An admin created an invite or reset link.
    LinkCreated,
    /// A personal access token was made (SPEC §11).
    AccessTokenCreated,
    /// An authenticator app was confirmed (SPEC §10).
    TotpEnabled,
    /// The authenticator app and recovery codes were removed by their user.
    TotpRemoved,
    /// A new set of recovery codes replaced the old one.
    RecoveryCodesCreated,
    /// A recovery code was used to sign in.
    RecoveryCodeUsed,
    /// A second-factor code was wrong.
    SecondFactorFailed,
    /// An admin (or the CLI) removed every second factor of a user.
    FactorsReset,
    /// A signed-in session proved its second factor (step-up, SPEC §10).
    SecondFactorConfirmed,
    /// A sign-in came from a device and network not seen for the user in 90 days.
    NewSignInFlagged,
    /// The user said a flagged sign-in was not them: its session was ended.
    NewSignInDisowned,
    /// The user dismissed the notice of a flagged sign-in.
    NewSignInDismissed,
    /// A passkey was added to the account.
    PasskeyAdded,
    /// A passkey was removed (other sessions end).
    PasskeyRemoved,
    /// A passkey was refused (its answer did not verify, or is not the user's).
    PasskeyFailed,
}

/// One audit record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Unix seconds (UTC).
    pub at: i64,
    /// What happened.
    pub kind: AuditKind,
    /// The user concerned, when known.
    pub user: Option<UserId>,
    /// The session concerned, when there is one.
    pub session: Option<SessionId>,
    /// Who did it, when not the user concerned (an admin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<UserId>,
    /// The client's address.
    pub ip: Option<IpAddr>,
    /// The client's User-Agent, sanitised and shortened.
    pub user_agent: Option<String>,
    /// How many more times the same event happened in its window after this one
    /// (throttled refusals are stored once per window, user and address).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repeated: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Length in seconds of the window over which throttled refusals of one user and
/// address share one audit record.
pub const THROTTLED_WINDOW: i64 = 5 * 60;

/// Removes control characters (CR, LF, …) and caps the length of client-supplied
/// text before it is stored or logged.
pub fn sanitise(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(256).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_cannot_forge_log_lines() {
        assert_eq!(sanitise("curl\r\nFAKE: entry"), "curlFAKE: entry");
        assert_eq!(sanitise(&"a".repeat(1000)).len(), 256);
    }
}
