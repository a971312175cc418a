//! Sessions: one per login, browser or API. The record holds what the guards cannot
//! know from a token alone: when it was last used, its limits, and the rotation
//! counter that exposes a copied cookie (SPEC §2), and for API sessions the digests
//! of the refresh tokens.

use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ids::{SessionId, UserId};
use super::refresh::RefreshState;
use crate::clock::secs;

/// How the session's tokens travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    /// A private cookie in a browser.
    Browser,
    /// A bearer token plus a refresh token.
    Api,
    /// A personal access token (SPEC §11): no idle timeout, ends at its expiry.
    Token,
}

/// A session (store record).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Random 128-bit id, the `sid` claim.
    pub id: SessionId,
    /// Whose session this is.
    pub user_id: UserId,
    /// Browser or API.
    pub kind: SessionKind,
    /// Unix seconds of the login.
    pub created_at: i64,
    /// Unix seconds of the last token refresh (not of every request).
    pub last_seen_at: i64,
    /// Unix seconds after which the session is over whatever happens; `None` = no cap.
    pub expires_at: Option<i64>,
    /// "Remember me" was ticked: longer idle timeout and a persistent cookie.
    pub remember: bool,
    /// A short label such as "Firefox on Linux".
    pub device: String,
    /// Client address at login or last refresh.
    pub ip: Option<IpAddr>,
    /// Unix seconds of the last password entry (login or re-authentication).
    pub auth_at: i64,
    /// Counts token refreshes; every token carries the value it was minted under.
    pub rotation: u32,
    /// Unix seconds of the last rotation, for the reuse grace window.
    pub rotated_at: i64,
    /// Latest `exp` of any token minted for this session: after a revocation, the id
    /// must stay in the revoked set until then.
    pub token_exp: i64,
    /// API sessions only: the digests of the refresh-token lineage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<RefreshState>,
    /// How the user authenticated beyond the password (SPEC §10): `otp`, `rcode`;
    /// empty for a password alone (and in records older than second factors).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// Unix seconds the second factor was last proven in this session (at login,
    /// enrolment, a step-up or a re-authentication); 0 = never.
    #[serde(default)]
    pub factor_at: i64,
}

/// What a session's limits say at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// Still usable.
    Alive,
    /// Unused for longer than the idle timeout.
    Idle,
    /// Past its absolute lifetime.
    Expired,
}

impl Session {
    /// The authentication assurance level: 2 with a second factor, else 1.
    pub fn aal(&self) -> u8 {
        if self.amr.is_empty() { 1 } else { 2 }
    }

    /// The methods used, as the session list shows them (`pwd`, `pwd+otp`).
    /// `pwd` is implied unless `amr` names it or starts with `webauthn` (a
    /// passwordless passkey sign-in).
    pub fn methods(&self) -> String {
        let named = self.amr.iter().any(|m| m == "pwd")
            || self.amr.first().is_some_and(|m| m == "webauthn");
        std::iter::once("pwd")
            .filter(|_| !named)
            .chain(self.amr.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("+")
    }

    /// The idle timeout that applies to this session.
    pub fn idle_timeout(&self, normal: Duration, remember: Duration) -> Duration {
        if self.remember { remember } else { normal }
    }

    /// Moves the rotation counter on: every credential issued before is spent.
    pub fn rotate(&mut self, now: i64) {
        self.rotation += 1;
        self.rotated_at = now;
    }

    /// Checks the idle and absolute limits at `now`.
    pub fn liveness(&self, now: i64, idle_timeout: Duration) -> Liveness {
        if self.expires_at.is_some_and(|end| now >= end) {
            Liveness::Expired
        } else if self.kind != SessionKind::Token && now - self.last_seen_at >= secs(idle_timeout) {
            Liveness::Idle
        } else {
            Liveness::Alive
        }
    }
}

/// Summarises a User-Agent header as "Browser on OS" for the sessions list.
pub fn device_label(user_agent: Option<&str>) -> String {
    const UNKNOWN: &str = "Unknown device";
    let Some(agent) = user_agent.filter(|ua| !ua.trim().is_empty()) else {
        return UNKNOWN.to_owned();
    };
    let Some(parsed) = woothee::parser::Parser::new().parse(agent) else {
        return UNKNOWN.to_owned();
    };
    let known = |s: &str| (s != woothee::woothee::VALUE_UNKNOWN).then(|| s.to_owned());
    let label = match (known(parsed.name), known(parsed.os)) {
        (Some(name), Some(os)) => format!("{name} on {os}"),
        (Some(name), None) => name,
        (None, Some(os)) => os,
        (None, None) => UNKNOWN.to_owned(),
    };
    label.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created: i64, expires_at: Option<i64>) -> Session {
        Session {
            id: SessionId::random(),
            user_id: UserId::random(),
            kind: SessionKind::Browser,
            created_at: created,
            last_seen_at: created,
            expires_at,
            remember: false,
            device: String::new(),
            ip: None,
            auth_at: created,
            rotation: 0,
            rotated_at: created,
            factor_at: 0,
            token_exp: created,
            refresh: None,
            amr: Vec::new(),
        }
    }

    #[test]
    fn idle_and_absolute_limits_end_a_session() {
        let s = session(1000, Some(5000));
        let idle = Duration::from_secs(100);
        assert_eq!(s.liveness(1099, idle), Liveness::Alive);
        assert_eq!(s.liveness(1100, idle), Liveness::Idle);
        assert_eq!(
            s.liveness(5000, Duration::from_secs(10_000)),
            Liveness::Expired
        );
        let uncapped = session(1000, None);
        assert_eq!(
            uncapped.liveness(1_000_000, Duration::from_secs(10_000_000)),
            Liveness::Alive
        );
    }

    #[test]
    fn user_agents_are_summarised() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(device_label(Some(firefox)), "Firefox on Linux");
        assert_eq!(device_label(None), "Unknown device");
        assert_eq!(device_label(Some("curl/8.5.0")), "HTTP Library");
    }
}
