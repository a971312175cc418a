//! The live part of `portcullis doctor` and `/admin/doctor` (SPEC §12): what a
//! request through the proxy shows, who may see the probe, the admin page, and the
//! command line's output and exit status.

use std::collections::BTreeMap;

use portcullis::doctor::live::{Seen, judge};
use rocket::http::Status;

use crate::cli::{portcullis, text};
use crate::doctor::{failed, fails_with};
use crate::helpers::{TestApp, first_admin, registered};

fn seen(trusted: bool, headers: &[(&str, &str)], cookies: usize) -> Seen {
    Seen {
        peer: Some("127.0.0.1".into()),
        peer_trusted: trusted,
        client_ip: Some("127.0.0.1".into()),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
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

    let direct = judge(
        &seen(false, &[("Host", "auth.example.com")], 1),
        "auth.example.com",
        Some(1),
    );
    let check = fails_with(&direct, "straight from 127.0.0.1");
    assert!(
        !check.fix.as_deref().unwrap().contains("trusted_proxies"),
        "{check:?}"
    );

    let bare = judge(
        &seen(true, &[("Host", "127.0.0.1:9")], 1),
        "auth.example.com",
        Some(1),
    );
    fails_with(&bare, "no X-Forwarded-For");
    fails_with(&bare, "no X-Forwarded-Proto");
    fails_with(&bare, "the Host header arrived as");

    fails_with(
        &judge(&seen(true, PROXIED, 2), "auth.example.com", None),
        "2 cookies named portcullis",
    );
    fails_with(
        &judge(&seen(true, PROXIED, 0), "auth.example.com", Some(1)),
        "the proxy rewrites cookies",
    );
}

#[test]
fn the_probe_answers_loopback_and_admins_only_and_shows_no_cookie_value() {
    let app = TestApp::spawn();
    let mut local = app.browser();
    local.remote = Some("127.0.0.1:4000".parse().unwrap());
    let reply = local.get_with(
        "/doctor/probe",
        &[
            ("X-Forwarded-For", "127.0.0.1"),
            ("Cookie", "portcullis=s3cr3t"),
        ],
    );
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
    for words in [
        "Doctor",
        "Configuration",
        "Data dir",
        "Password hashing",
        "This request, through the proxy",
        "no X-Forwarded-For arrived",
        "Fix:",
    ] {
        assert!(
            page.body.contains(words),
            "page lacks {words:?}: {}",
            page.body
        );
    }
    assert!(
        admin.get("/admin").body.contains("/admin/doctor"),
        "linked from the admin tabs"
    );
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
    assert!(
        out.contains("✗ cookie_domain \"co.uk\" is a public suffix"),
        "{out}"
    );
    assert!(out.contains("      fix: "), "{out}");
    assert!(
        out.contains("✓ public_url https://auth.example.co.uk/ is https"),
        "{out}"
    );
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
    assert!(
        text(&bad).contains("is not an http(s) URL"),
        "{}",
        text(&bad)
    );
}
