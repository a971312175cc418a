//! HTML route handlers, one file per area.

pub mod account;
pub mod admin;
pub mod links;
pub mod login;
pub mod misc;
pub mod password;
pub mod reauth;
pub mod register;

use rocket::serde::json::{Value, json};

use crate::clock::rfc3339;
use crate::domain::{Session, SessionId};

/// The rows of a session table, `current` marking the session of this request.
pub(crate) fn session_rows(sessions: &[Session], current: Option<&SessionId>) -> Vec<Value> {
    sessions
        .iter()
        .map(|s| {
            json!({
                "id": s.id.to_string(),
                "kind": s.kind,
                "device": s.device,
                "ip": s.ip.map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into()),
                "created_at": rfc3339(s.created_at),
                "last_seen_at": rfc3339(s.last_seen_at),
                "current": Some(&s.id) == current,
            })
        })
        .collect()
}
