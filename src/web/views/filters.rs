//! Tera filters the templates use to show things to people: times in a human form
//! (SPEC §9: "5 minutes ago", "in 6 days", the exact UTC time kept for `datetime` and
//! `title`) and the safe way back from the re-authentication page.
//!
//! "Now" comes from the service's [`Clock`], so pages agree with every expiry
//! decision and tests that move a `ManualClock` see the words move with it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tera::{Tera, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::clock::Clock;

/// Below this many seconds either way a time is "just now".
const JUST_NOW_SECS: u64 = 60;

/// GET pages that themselves need a fresh password: cancelling the confirmation
/// cannot return there (it would ask again), so it goes to the account page.
const NEEDS_FRESH: &[&str] = &["/account/password"];

/// Registers `ago`, `utc` and `reauth_cancel` on `tera`.
pub fn register(tera: &mut Tera, clock: Arc<dyn Clock>, base: &str) {
    tera.register_filter("ago", move |value: &Value, _: &HashMap<String, Value>| {
        let at = timestamp(value, "ago")?;
        Ok(Value::String(relative(at, clock.now())))
    });
    tera.register_filter("utc", |value: &Value, _: &HashMap<String, Value>| {
        let at = timestamp(value, "utc")?;
        Ok(Value::String(exact(at)))
    });
    let base = base.to_owned();
    tera.register_filter(
        "reauth_cancel",
        move |value: &Value, _: &HashMap<String, Value>| {
            let rd = value.as_str().unwrap_or_default();
            Ok(Value::String(reauth_cancel(rd, &base)))
        },
    );
}

/// The Unix time of an RFC 3339 string (what the handlers put in contexts).
fn timestamp(value: &Value, filter: &str) -> tera::Result<i64> {
    value
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .map(OffsetDateTime::unix_timestamp)
        .ok_or_else(|| tera::Error::msg(format!("`{filter}` needs an RFC 3339 time, got {value}")))
}

/// `at` relative to `now`: "just now", "5 minutes ago", "in 6 days".
pub fn relative(at: i64, now: i64) -> String {
    let gap = Duration::from_secs(now.abs_diff(at));
    if gap.as_secs() < JUST_NOW_SECS {
        return "just now".to_owned();
    }
    let mut words = timeago::Formatter::new();
    words.min_unit(timeago::TimeUnit::Minutes);
    if at <= now {
        words.convert(gap)
    } else {
        words.ago("");
        format!("in {}", words.convert(gap))
    }
}

/// The exact time for a tooltip: "2026-05-03 14:22 UTC".
pub fn exact(at: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// Where *Cancel* on `/reauth?rd=…` leads: `rd` when it is a path on this site under
/// `base` (never `//host`, `/\host`, a scheme or control characters, which a browser
/// could resolve elsewhere), else the account page. A page that needs a fresh
/// password itself also falls back to the account page.
pub fn reauth_cancel(rd: &str, base: &str) -> String {
    let fallback = format!("{base}/account");
    let Some(inner) = rd.strip_prefix(base) else {
        return fallback;
    };
    let unsafe_char = |c: char| c.is_control() || c == '\\' || c.is_whitespace();
    let lowered = inner.to_ascii_lowercase();
    let encoded_escape = ["%5c", "%2f", "%09", "%0a", "%0d"]
        .iter()
        .any(|bad| lowered.contains(bad));
    if !inner.starts_with('/')
        || inner.starts_with("//")
        || inner.chars().any(unsafe_char)
        || encoded_escape
    {
        return fallback;
    }
    let path = inner.split(['?', '#']).next().unwrap_or_default();
    if NEEDS_FRESH.contains(&path) {
        return fallback;
    }
    rd.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_say_them() {
        let now = 1_800_000_000;
        assert_eq!(relative(now, now), "just now");
        assert_eq!(relative(now - 30, now), "just now");
        assert_eq!(relative(now - 5 * 60, now), "5 minutes ago");
        assert_eq!(relative(now - 3 * 3600 - 59, now), "3 hours ago");
        assert_eq!(relative(now + 6 * 86400 + 100, now), "in 6 days");
        assert_eq!(relative(now + 90, now), "in 1 minute");
    }

    #[test]
    fn exact_times_are_utc_to_the_minute() {
        assert_eq!(exact(0), "1970-01-01 00:00 UTC");
        assert_eq!(exact(1_800_000_000), "2027-01-15 08:00 UTC");
    }

    #[test]
    fn cancel_returns_only_to_pages_of_this_site() {
        assert_eq!(reauth_cancel("/admin/users/abc", ""), "/admin/users/abc");
        assert_eq!(reauth_cancel("/auth/admin", "/auth"), "/auth/admin");
        for hostile in [
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/%5cevil.example",
            "/%2f/evil.example",
            "/\t/evil.example",
            "",
            "admin",
        ] {
            assert_eq!(reauth_cancel(hostile, ""), "/account", "{hostile:?}");
        }
        assert_eq!(
            reauth_cancel("/admin", "/auth"),
            "/auth/account",
            "outside the base"
        );
        assert_eq!(
            reauth_cancel("/auth//evil.example", "/auth"),
            "/auth/account"
        );
    }

    #[test]
    fn cancel_never_returns_to_a_page_that_asks_again() {
        assert_eq!(reauth_cancel("/account/password", ""), "/account");
        assert_eq!(
            reauth_cancel("/auth/account/password?x=1", "/auth"),
            "/auth/account"
        );
    }
}
