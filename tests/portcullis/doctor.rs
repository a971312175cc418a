//! `portcullis doctor` and `/admin/doctor` (SPEC §12): every check on a good and a
//! bad deployment, the probe's access rules, the admin page, and the command line's
//! exit status. `doctor_proxy.rs` runs the doctor through real nginx and Caddy.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use portcullis::config::Config;
use portcullis::doctor::live::{Seen, judge};
use portcullis::doctor::{Check, argon2, config, files};
use rocket::figment::Figment;
use rocket::http::Status;
use serde_json::json;

use crate::cli::{portcullis, text};
use crate::helpers::{TestApp, first_admin, registered};

/// A configuration from `settings` (JSON), checked as the server would.
fn with(settings: serde_json::Value) -> Config {
    let figment = Figment::new().merge(("portcullis", settings));
    Config::from_figment(&figment).expect("valid configuration")
}

fn failed(checks: &[Check]) -> Vec<&str> {
    checks.iter().filter(|c| !c.ok).map(|c| c.summary.as_str()).collect()
}

/// The one failed check whose summary contains `words`; it must carry a fix.
fn fails_with<'c>(checks: &'c [Check], words: &str) -> &'c Check {
    let check = checks
        .iter()
        .find(|c| c.summary.contains(words))
        .unwrap_or_else(|| panic!("no check mentions {words:?}: {checks:#?}"));
    assert!(!check.ok, "{check:?}");
    assert!(check.fix.as_deref().is_some_and(|f| !f.is_empty()), "{check:?}");
    check
}

const GOOD: fn() -> serde_json::Value = || {
    json!({
        "public_url": "https://auth.example.com",
        "cookie_domain": "example.com",
        "trusted_proxies": ["127.0.0.1/32"],
        "access_rules": [
            {"domain": "wiki.example.com", "policy": "authenticated"},
            {"domain": "*.apps.example.com", "policy": "authenticated"},
        ],
    })
};

#[test]
fn a_sound_configuration_passes_every_check() {
    let checks = config::checks(&with(GOOD()));
    assert!(failed(&checks).is_empty(), "{checks:#?}");
    assert_eq!(checks.len(), 6, "{checks:#?}");
}

#[test]
fn plain_http_on_a_network_host_is_flagged() {
    let checks = config::checks(&with(json!({"public_url": "http://auth.example.com"})));
    fails_with(&checks, "plain http on a network host");
    let local = config::checks(&with(json!({"public_url": "http://127.0.0.1:8000"})));
    assert!(failed(&local).is_empty(), "{local:#?}");
}

#[test]
fn cookie_secure_against_the_scheme_is_flagged_both_ways() {
    let mut off = GOOD();
    off["cookie_secure"] = json!(false);
    fails_with(&config::checks(&with(off)), "cookie_secure = false");
    let on = json!({"public_url": "http://auth.example.com", "cookie_secure": true});
    fails_with(&config::checks(&with(on)), "cookie_secure = true");
}

#[test]
fn a_public_suffix_or_foreign_cookie_domain_is_flagged() {
    for suffix in ["co.uk", "github.io", "com"] {
        let settings = json!({"public_url": format!("https://auth.example.{suffix}"), "cookie_domain": suffix});
        let checks = config::checks(&with(settings));
        fails_with(&checks, "is a public suffix");
    }
    let mut foreign = GOOD();
    foreign["cookie_domain"] = json!("other.org");
    fails_with(&config::checks(&with(foreign)), "does not contain public_url's host");
}

#[test]
fn trusting_every_address_is_flagged() {
    let mut settings = GOOD();
    settings["trusted_proxies"] = json!(["0.0.0.0/0"]);
    fails_with(&config::checks(&with(settings)), "trusted_proxies contains 0.0.0.0/0");
}

#[test]
fn an_access_rule_the_cookie_or_redirects_cannot_reach_is_flagged() {
    let mut settings = GOOD();
    settings["access_rules"] = json!([{"domain": "wiki.other.org", "policy": "authenticated"}]);
    settings["allowed_redirect_hosts"] = json!(["wiki.other.org"]);
    fails_with(&config::checks(&with(settings)), "access rule for wiki.other.org");
    let no_domain = json!({
        "public_url": "https://auth.example.com",
        "access_rules": [{"domain": "*.example.com", "policy": "allow"}],
    });
    fails_with(&config::checks(&with(no_domain)), "the session cookie never reaches it");
}

#[test]
fn argon2_below_the_owasp_minimum_or_too_slow_is_flagged() {
    let weak = with(json!({"argon2_memory_kib": 4096, "argon2_iterations": 1}));
    fails_with(&[argon2::judge(&weak, Duration::from_millis(5))], "below OWASP's minimum");
    let default = Config::default();
    assert!(argon2::judge(&default, Duration::from_millis(60)).ok);
    fails_with(&[argon2::judge(&default, Duration::from_secs(3))], "takes 3000 ms");
    let other_owasp = with(json!({"argon2_memory_kib": 12288, "argon2_iterations": 3}));
    assert!(argon2::judge(&other_owasp, Duration::from_millis(60)).ok);
}

#[test]
fn the_data_dir_of_a_started_server_passes_and_loosened_modes_fail() {
    let app = TestApp::spawn();
    let dir = app.data_dir();
    // The test's temporary dir existed before the server (which only sets the mode
    // of a dir it creates): make it what a first start makes.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let checks = files::checks(&dir);
    assert!(failed(&checks).is_empty(), "{checks:#?}");

    let key = std::fs::read_dir(dir.join("keys")).unwrap().next().unwrap().unwrap().path();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loosened = files::checks(&dir);
    let check = fails_with(&loosened, "has mode 0644");
    assert!(check.fix.as_deref().unwrap().contains("chmod"));

    std::fs::remove_file(&key).unwrap();
    fails_with(&files::checks(&dir), "no signing key");
}

#[test]
fn a_missing_data_dir_is_fine_and_a_file_is_not() {
    let dir = tempfile::tempdir().unwrap();
    assert!(failed(&files::checks(&dir.path().join("data"))).is_empty());
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    fails_with(&files::checks(&file), "is not a directory");
}

fn seen(trusted: bool, headers: &[(&str, &str)], cookies: usize) -> Seen {
    Seen {
        peer: Some("127.0.0.1".into()),
        peer_trusted: trusted,
        client_ip: Some("127.0.0.1".into()),
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
        cookie_name: "portcullis".into(),
        cookies_of_our_name: cookies,
    }
}

const PROXIED: &[(&str, &str)] = &[
    ("Host", "auth.example.com"),
    ("X-Forwarded-For", "127.0.0.1"),
    ("X-Forwarded-Proto", "https"),
];

#[test]
fn a_well_proxied_request_passes() {
    let checks = judge(&seen(true, PROXIED, 1), "auth.example.com", Some(1));
    assert!(failed(&checks).is_empty(), "{checks:#?}");
}

#[test]
fn an_untrusted_peer_missing_headers_and_a_second_cookie_are_flagged() {
    let checks = judge(&seen(false, PROXIED, 1), "auth.example.com", Some(1));
    let check = fails_with(&checks, "not in trusted_proxies");
    assert!(check.fix.as_deref().unwrap().contains("127.0.0.1/32"));

    let bare = judge(&seen(true, &[("Host", "127.0.0.1:9")], 1), "auth.example.com", Some(1));
    fails_with(&bare, "no X-Forwarded-For");
    fails_with(&bare, "no X-Forwarded-Proto");
    fails_with(&bare, "the Host header arrived as");

    fails_with(&judge(&seen(true, PROXIED, 2), "auth.example.com", None), "2 cookies named portcullis");
    fails_with(&judge(&seen(true, PROXIED, 0), "auth.example.com", Some(1)), "the proxy rewrites cookies");
}

#[test]
fn the_probe_answers_loopback_and_admins_only_and_shows_no_cookie_value() {
    let app = TestApp::spawn();
    let mut local = app.browser();
    local.remote = Some("127.0.0.1:4000".parse().unwrap());
    let reply = local.get_with("/doctor/probe", &[("X-Forwarded-For", "127.0.0.1"), ("Cookie", "portcullis=s3cr3t")]);
    assert_eq!(reply.status, Status::Ok, "{reply:?}");
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["peer"], "127.0.0.1");
    assert_eq!(body["peer_trusted"], true);
    assert_eq!(body["headers"]["X-Forwarded-For"], "127.0.0.1");
    assert_eq!(body["cookies_of_our_name"], 1);
    assert!(!reply.body.contains("s3cr3t"), "{}", reply.body);

    // A client elsewhere, directly or as named by a trusted proxy, sees nothing.
    let mut remote = app.browser();
    remote.remote = Some("203.0.113.9:4000".parse().unwrap());
    assert_eq!(remote.get("/doctor/probe").status, Status::NotFound);
    let forwarded = local.get_with("/doctor/probe", &[("X-Forwarded-For", "203.0.113.9")]);
    assert_eq!(forwarded.status, Status::NotFound);
    let mut admin = first_admin(&app, "root@example.com");
    admin.remote = remote.remote;
    assert_eq!(admin.get("/doctor/probe").status, Status::Ok);
    let mut user = registered(&app, "bob@example.com");
    user.remote = remote.remote;
    assert_eq!(user.get("/doctor/probe").status, Status::NotFound);
}

#[test]
fn the_admin_page_shows_the_report_to_admins_only() {
    let app = TestApp::spawn();
    assert_eq!(app.browser().get("/admin/doctor").status, Status::SeeOther);
    let mut admin = first_admin(&app, "root@example.com");
    let mut user = registered(&app, "bob@example.com");
    assert_eq!(user.get("/admin/doctor").status, Status::Forbidden);

    let page = admin.get("/admin/doctor");
    assert_eq!(page.status, Status::Ok, "{page:?}");
    for words in ["Doctor", "Configuration", "Data dir", "Password hashing", "This request, through the proxy", "no X-Forwarded-For arrived", "Fix:"] {
        assert!(page.body.contains(words), "page lacks {words:?}: {}", page.body);
    }
    assert!(admin.get("/admin").body.contains("/admin/doctor"), "linked from the admin tabs");
}

#[test]
fn the_command_line_prints_fixes_and_exits_1_on_a_failed_check() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("doctor")
        .current_dir(dir.path())
        .env("PORTCULLIS_PUBLIC_URL", "https://auth.example.co.uk")
        .env("PORTCULLIS_COOKIE_DOMAIN", "co.uk")
        .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("✗ cookie_domain \"co.uk\" is a public suffix"), "{out}");
    assert!(out.contains("      fix: "), "{out}");
    assert!(out.contains("✓ public_url https://auth.example.co.uk/ is https"), "{out}");
}

#[test]
fn the_command_line_exits_0_exactly_when_every_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let output = portcullis(dir.path(), &["doctor"], None);
    let out = text(&output);
    assert!(out.contains("✓ data_dir"), "{out}");
    // The hashing check measures this machine; whatever it says, the status follows.
    assert_eq!(output.status.success(), !out.contains('✗'), "{out}");
    let bad = portcullis(dir.path(), &["doctor", "--url", "ftp://x"], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("is not an http(s) URL"), "{}", text(&bad));
}
