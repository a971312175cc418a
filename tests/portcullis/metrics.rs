//! `GET /metrics` (SPEC §12): OpenMetrics text, only for `metrics_allowed`, bounded
//! labels and no secret.

use std::net::SocketAddr;

use regex::Regex;
use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, registered};

fn loopback() -> SocketAddr {
    "127.0.0.1:40000".parse().unwrap()
}

/// The metrics page as Prometheus on the same host reads it.
pub fn scrape(app: &TestApp) -> String {
    let mut prometheus = app.browser();
    prometheus.remote = Some(loopback());
    let reply = prometheus.get("/metrics");
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body
}

/// The value of one sample line (`name{labels} value`), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn every_line_is_openmetrics_text() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let mut prometheus = app.browser();
    prometheus.remote = Some(loopback());

    let reply = prometheus.get("/metrics");

    assert_eq!(reply.status, Status::Ok);
    let kind = reply.header("Content-Type").unwrap();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let comment = Regex::new(r"^# (HELP|TYPE|UNIT) portcullis_[a-z0-9_]+ .+$").unwrap();
    let sample_line =
        Regex::new(r#"^portcullis_[a-z0-9_]+(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? [0-9.e+-]+|NaN|\+Inf$"#)
            .unwrap();
    let lines: Vec<&str> = reply.body.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"));
    for line in &lines[..lines.len() - 1] {
        assert!(
            comment.is_match(line) || sample_line.is_match(line),
            "bad line {line:?}"
        );
    }
    for series in [
        "portcullis_logins",
        "portcullis_second_factor",
        "portcullis_throttled",
        "portcullis_registrations",
        "portcullis_revocations",
        "portcullis_refresh_reuse",
        "portcullis_forward_auth",
        "portcullis_users",
        "portcullis_live_sessions",
        "portcullis_revoked_set",
        "portcullis_hash_queue_depth",
        "portcullis_forward_auth_duration_seconds",
        "portcullis_guard_duration_seconds",
        "portcullis_argon2_duration_seconds",
        "portcullis_argon2_queue_wait_seconds",
        "portcullis_sweeps",
        "portcullis_swept",
    ] {
        assert!(
            reply.body.contains(&format!("# TYPE {series} ")),
            "{series} missing"
        );
    }
}

#[test]
fn counters_move_with_logins_and_revocations() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let before = scrape(&app);

    alice.logout();
    let mut again = app.browser();
    again.login("alice@example.com", "not the password at all");
    again.login("alice@example.com", PASSWORD);
    let after = scrape(&app);

    let count = |text: &str, series: &str| sample(text, series).unwrap_or(0.0);
    let succeeded = "portcullis_logins_total{result=\"succeeded\"}";
    let failed = "portcullis_logins_total{result=\"failed\"}";
    let signed_out = "portcullis_revocations_total{kind=\"signed_out\"}";
    assert_eq!(count(&after, succeeded) - count(&before, succeeded), 1.0);
    assert_eq!(count(&after, failed) - count(&before, failed), 1.0);
    assert_eq!(count(&after, signed_out) - count(&before, signed_out), 1.0);
    assert_eq!(count(&after, "portcullis_registrations_total"), 1.0);
    assert_eq!(count(&after, "portcullis_users"), 1.0);
    assert!(count(&after, "portcullis_argon2_duration_seconds_count") >= 3.0);
    assert!(count(&after, "portcullis_guard_duration_seconds_count") >= 1.0);
}

#[test]
fn other_clients_are_told_there_is_no_such_page() {
    let app = TestApp::spawn();
    let mut outsider = app.browser();
    outsider.remote = Some("203.0.113.9:5000".parse().unwrap());
    let mut through_proxy = app.browser();
    through_proxy.remote = Some(loopback());

    let direct = outsider.get("/metrics");
    let proxied = through_proxy.get_with("/metrics", &[("X-Forwarded-For", "203.0.113.9")]);

    assert_eq!(direct.status, Status::NotFound);
    assert_eq!(proxied.status, Status::NotFound);
    assert!(!direct.body.contains("portcullis_"));
}

#[test]
fn an_allowed_network_can_scrape() {
    let app = TestApp::spawn_with(&[("metrics_allowed", vec!["10.0.0.0/8"].into())]);
    let mut prometheus = app.browser();
    prometheus.remote = Some("10.1.2.3:9090".parse().unwrap());
    let mut local = app.browser();
    local.remote = Some(loopback());

    assert_eq!(prometheus.get("/metrics").status, Status::Ok);
    assert_eq!(local.get("/metrics").status, Status::NotFound);
}

#[test]
fn no_email_user_id_or_token_is_exposed() {
    let app = TestApp::spawn();
    let alice = registered(&app, "alice@example.com");
    let cookie = alice.session_cookie().unwrap();
    let id = {
        let email = portcullis::domain::Email::parse("alice@example.com").unwrap();
        app.auth()
            .accounts()
            .by_email(&email)
            .unwrap()
            .unwrap()
            .id
            .to_string()
    };

    let text = scrape(&app);

    for secret in ["alice", "example.com", id.as_str(), cookie.as_str()] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }
}

#[test]
fn forward_auth_answers_are_counted_by_result() {
    let app = TestApp::spawn();
    let mut proxy = app.browser();
    proxy.remote = Some(loopback());
    let before = scrape(&app);

    let asked = proxy.get_with(
        "/api/authz/auth-request",
        &[
            ("X-Original-URL", "https://app.example.com/reports"),
            ("X-Original-Method", "GET"),
        ],
    );
    let after = scrape(&app);

    assert_eq!(asked.status, Status::Unauthorized);
    let series = "portcullis_forward_auth_total{result=\"unauthenticated\"}";
    let count = |text: &str| sample(text, series).unwrap();
    assert_eq!(count(&after) - count(&before), 1.0);
    let latency = "portcullis_forward_auth_duration_seconds_count";
    assert_eq!(sample(&after, latency), Some(1.0));
}
