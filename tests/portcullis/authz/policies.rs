//! Access rules at the forward-auth endpoints: `allow`, `deny` and group rules, which
//! peers may ask, and targets or rules that must never pass.

use rocket::figment::value::Value;
use rocket::http::Status;
use serde_json::json;

use super::{
    AUTH_REQUEST, FORWARD_AUTH, LOOPBACK, alice, anonymous, caddy, caddy_status, nginx, rules,
    set_groups, spawn,
};
use crate::helpers::{PASSWORD, TestApp, registered};

#[test]
fn allow_rules_let_anyone_through_without_an_identity() {
    let app = spawn();
    let mut browser = anonymous(&app);

    let reply = caddy(&mut browser, "GET", "/public/logo.png", &[]);

    assert_eq!(reply.status, Status::Ok);
    assert_eq!(reply.header("Remote-User"), Some(""));
}

#[test]
fn deny_rules_and_group_rules_answer_403() {
    let app = spawn();
    let mut browser = alice(&app);

    assert_eq!(
        caddy_status(&mut browser, "GET", "/admin"),
        Status::Forbidden
    );
    assert_eq!(
        caddy_status(&mut browser, "GET", "/staff"),
        Status::Forbidden
    );
    assert_eq!(
        caddy_status(&mut browser, "DELETE", "/docs"),
        Status::Forbidden
    );
    assert_eq!(caddy_status(&mut browser, "GET", "/docs"), Status::Ok);

    set_groups(&app, "alice@example.com", &["staff"]);
    browser.login("alice@example.com", PASSWORD);
    assert_eq!(caddy_status(&mut browser, "GET", "/staff/list"), Status::Ok);
}

#[test]
fn anonymous_users_are_asked_to_log_in_for_group_rules_but_never_for_deny_rules() {
    let app = spawn();
    let mut browser = anonymous(&app);

    assert_eq!(caddy_status(&mut browser, "GET", "/staff"), Status::Found);
    assert_eq!(
        caddy_status(&mut browser, "GET", "/admin"),
        Status::Forbidden
    );
}

#[test]
fn a_deny_rule_cannot_be_bypassed_by_spelling_the_path_differently() {
    let app = spawn();
    let mut browser = alice(&app);

    for path in [
        "/admin",
        "/ADMIN",
        "/Admin/users",
        "/%61dmin",
        "/%41DMIN",
        "//admin",
        "/x/../admin",
        "/x/%2e%2e/admin",
        "/./admin",
        "/x%2f..%2fadmin",
    ] {
        let via_nginx = nginx(
            &mut browser,
            &format!("https://app.example.com{path}"),
            "GET",
        );
        let via_caddy = caddy(&mut browser, "GET", path, &[]);
        for reply in [via_nginx, via_caddy] {
            assert_eq!(reply.status, Status::Forbidden, "{path}");
        }
    }
}

#[test]
fn an_untrusted_peer_gets_403_whatever_it_sends() {
    let app = spawn();
    let mut direct = registered(&app, "alice@example.com");

    let no_peer = nginx(&mut direct, "https://app.example.com/docs", "GET");
    direct.remote = Some("203.0.113.9:4000".parse().unwrap());
    let outsider = nginx(&mut direct, "https://app.example.com/docs", "GET");
    let outsider_fa = caddy(&mut direct, "GET", "/public", &[]);

    assert_eq!(no_peer.status, Status::Forbidden);
    assert_eq!(outsider.status, Status::Forbidden);
    assert_eq!(outsider_fa.status, Status::Forbidden);
    assert_eq!(outsider.header("Remote-User"), None);
}

#[test]
fn trusted_proxies_are_configurable() {
    let app = TestApp::spawn_with(&[
        ("access_rules", rules()),
        (
            "trusted_proxies",
            Value::serialize(json!(["10.0.0.0/8"])).unwrap(),
        ),
    ]);
    let mut browser = registered(&app, "alice@example.com");

    browser.remote = Some("10.1.2.3:5000".parse().unwrap());
    let proxy = caddy(&mut browser, "GET", "/docs", &[]);
    browser.remote = Some(LOOPBACK.parse().unwrap());
    let loopback = caddy(&mut browser, "GET", "/docs", &[]);

    assert_eq!(proxy.status, Status::Ok);
    assert_eq!(loopback.status, Status::Forbidden);
}

#[test]
fn malformed_targets_never_pass() {
    let app = spawn();
    let mut browser = alice(&app);
    let original_cases: &[&[(&str, &str)]] = &[
        &[],
        &[("X-Original-URL", "https://app.example.com/")],
        &[("X-Original-Method", "GET")],
        &[("X-Original-URL", "/docs"), ("X-Original-Method", "GET")],
        &[
            ("X-Original-URL", "ftp://app.example.com/"),
            ("X-Original-Method", "GET"),
        ],
        &[
            ("X-Original-URL", "https://app.example.com/\0"),
            ("X-Original-Method", "GET"),
        ],
        &[
            ("X-Original-URL", "https://app.example.com/ x"),
            ("X-Original-Method", "GET"),
        ],
        &[
            ("X-Original-URL", "https://app.example.com/é"),
            ("X-Original-Method", "GET"),
        ],
        &[
            ("X-Original-URL", "https://a@app.example.com/"),
            ("X-Original-Method", "GET"),
        ],
        &[
            ("X-Original-URL", "https://app.example.com/"),
            ("X-Original-Method", "G T"),
        ],
        &[
            ("X-Original-URL", "https://app.example.com/"),
            ("X-Original-URL", "https://app.example.com/public"),
            ("X-Original-Method", "GET"),
        ],
    ];
    for headers in original_cases {
        let reply = browser.get_with(AUTH_REQUEST, headers);
        assert!(
            matches!(reply.status.code, 400 | 403),
            "{headers:?} answered {}",
            reply.status
        );
    }
    let forwarded_cases: &[[&str; 4]] = &[
        ["", "app.example.com", "/", "GET"],
        ["javascript", "app.example.com", "/", "GET"],
        ["https", "", "/", "GET"],
        ["https", "app.example.com/x", "/", "GET"],
        ["https", "app.example.com", "docs", "GET"],
        ["https", "app.example.com", "/", ""],
    ];
    for [proto, host, uri, method] in forwarded_cases {
        let headers = [
            ("X-Forwarded-Proto", *proto),
            ("X-Forwarded-Host", *host),
            ("X-Forwarded-Uri", *uri),
            ("X-Forwarded-Method", *method),
        ];
        let reply = browser.get_with(FORWARD_AUTH, &headers);
        assert!(
            matches!(reply.status.code, 400 | 403),
            "{headers:?}: {}",
            reply.status
        );
    }
}

#[test]
fn an_invalid_rule_stops_the_launch() {
    let bad = Value::serialize(json!([
        {"domain": "app.example.com", "policy": "allow"},
        {"domain": "app.example.com", "resources": ["^/(admin"], "policy": "deny"},
    ]))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut dict = rocket::figment::value::Dict::new();
    dict.insert("data_dir".into(), dir.path().display().to_string().into());
    dict.insert("access_rules".into(), bad);
    let rocket = rocket::custom(crate::helpers::figment(&dict)).attach(portcullis::fairing());

    let launched = rocket::execute(rocket.ignite()).map_err(|e| e.to_string());
    assert!(launched.is_err());
}
