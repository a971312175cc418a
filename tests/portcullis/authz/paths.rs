//! Target paths an upstream could read differently from Portcullis (issue 15): under
//! `deny ^/admin/` and `allow ^/public/`, none of them may pass, through either
//! endpoint, logged in or not. Ordinary paths keep working.

use rocket::figment::value::Value;
use rocket::http::Status;
use serde_json::json;

use super::{alice, anonymous, caddy, nginx};
use crate::helpers::{Browser, TestApp};

fn spawn() -> TestApp {
    let rules = Value::serialize(json!([
        {"domain": "app.example.com", "resources": ["^/admin/"], "policy": "deny"},
        {"domain": "app.example.com", "resources": ["^/public/"], "policy": "allow"},
    ]))
    .unwrap();
    TestApp::spawn_with(&[("access_rules", rules)])
}

/// The status each endpoint answers for `path`.
fn both(browser: &mut Browser<'_>, path: &str) -> [Status; 2] {
    let url = format!("https://app.example.com{path}");
    [
        nginx(browser, &url, "GET").status,
        caddy(browser, "GET", path, &[]).status,
    ]
}

/// What Tomcat, Jetty, Spring (path parameters), double-decoding servers, IIS and
/// .NET (trailing dots and spaces, streams, short names, cookieless sessions, `%u`)
/// and NFKC-folding apps would serve as `/admin/…`, or as something under `/public/`
/// that Portcullis must not take for it.
const READ_DIFFERENTLY: &[&str] = &[
    "/public/..;/admin/x",
    "/public/..%3B/admin/x",
    "/public;/../admin/x",
    "/admin;/x",
    "/admin;jsessionid=1/x",
    "/admin%3bjsessionid=1/x",
    "/;x/admin/x",
    "/%2561dmin/x",
    "/adm%2569n/x",
    "/admin%252fx",
    "/public/%252e%252e/admin/x",
    "/%25%36%31dmin/x",
    "/%u0061dmin/x",
    "/%25u0061dmin/x",
    "/admin./x",
    "/admin%20/x",
    "/admin%2e/x",
    "/admin%2E%2E/x",
    "/admin%09/x",
    "/admin%C2%A0/x",
    "/admin::$DATA/x",
    "/admin:$I30:$INDEX_ALLOCATION/x",
    "/ADMINI~1/x",
    "/(S(x))/admin/x",
    "/admin%3F/x",
    "/admin%23/x",
    "/%c0%ae%c0%ae/admin/x",
    "/public/%EF%BC%8E%EF%BC%8E/admin/x",
    "/public%EF%BC%8F..%EF%BC%8Fadmin/x",
    "/admin%5cx",
    "/public\\..\\admin/x",
];

#[test]
fn paths_an_upstream_reads_as_admin_are_refused_logged_in() {
    let app = spawn();
    let mut browser = alice(&app);

    for path in READ_DIFFERENTLY {
        assert_eq!(both(&mut browser, path), [Status::Forbidden; 2], "{path}");
    }
}

#[test]
fn paths_an_upstream_reads_differently_are_refused_to_anonymous_visitors() {
    let app = spawn();
    let mut browser = anonymous(&app);

    for path in READ_DIFFERENTLY {
        assert_eq!(both(&mut browser, path), [Status::Forbidden; 2], "{path}");
    }
}

#[test]
fn fullwidth_letters_are_judged_as_the_letters_they_stand_for() {
    let app = spawn();
    let mut alice = alice(&app);
    let mut visitor = anonymous(&app);

    // `/ａｄｍｉｎ/x` and `/ADMIN/x` in fullwidth: an NFKC-folding app serves /admin/x.
    let fullwidth_admin = "/%EF%BD%81%EF%BD%84%EF%BD%8D%EF%BD%89%EF%BD%8E/x";
    let fullwidth_upper = "/%EF%BC%A1%EF%BC%A4%EF%BC%AD%EF%BC%A9%EF%BC%AE/x";
    // `/ｐｕｂｌｉｃ/x` is not `/public/x` to every app: an allow rule does not open it.
    let fullwidth_public = "/%EF%BD%90%EF%BD%95%EF%BD%82%EF%BD%8C%EF%BD%89%EF%BD%83/x";

    assert_eq!(both(&mut alice, fullwidth_admin), [Status::Forbidden; 2]);
    assert_eq!(both(&mut alice, fullwidth_upper), [Status::Forbidden; 2]);
    assert_eq!(
        both(&mut visitor, fullwidth_public),
        [Status::Unauthorized, Status::Found]
    );
}

#[test]
fn ordinary_paths_and_queries_keep_their_meaning() {
    let app = spawn();
    let mut alice = alice(&app);
    let mut visitor = anonymous(&app);

    for path in [
        "/docs",
        "/~alice/notes.txt",
        "/wiki/Special:Random",
        "/v1.2/app-1.0.tar.gz",
        "/caf%C3%A9/%E2%91%A0",
        "/Foo_(bar)",
        // Unambiguous, and not what `^/admin/` names: rules that mean the directory
        // itself say `^/admin(/|$)` (docs/PROXIES.md).
        "/admin",
    ] {
        assert_eq!(both(&mut alice, path), [Status::Ok; 2], "{path}");
    }
    // The query is never part of the path, however much it looks like one.
    assert_eq!(both(&mut visitor, "/public/x?/../admin/x"), [Status::Ok; 2]);
    assert_eq!(both(&mut visitor, "/public/?p=;/%2561"), [Status::Ok; 2]);
    for path in ["/admin/", "/admin/x?/public/", "/ADMIN/x/"] {
        assert_eq!(both(&mut alice, path), [Status::Forbidden; 2], "{path}");
    }
}
