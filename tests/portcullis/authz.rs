//! Forward authentication (SPEC §5) without a real proxy: the test plays nginx or
//! Caddy by sending their headers from a trusted loopback peer.

mod cached;
mod paths;

use std::time::Duration;

use portcullis::auth::Client;
use portcullis::domain::{Email, UserId};
use rocket::figment::value::Value;
use rocket::http::{Method, Status};
use serde_json::json;

use crate::helpers::{Browser, PASSWORD, Reply, TestApp, registered};

const AUTH_REQUEST: &str = "/api/authz/auth-request";
const FORWARD_AUTH: &str = "/api/authz/forward-auth";
const LOOPBACK: &str = "127.0.0.1:50000";

/// The rules most tests run under: `/admin` denied, `/public` open, `/staff` for
/// staff, everything else for logged-in users.
fn rules() -> Value {
    Value::serialize(json!([
        {"domain": "app.example.com", "resources": ["^/admin"], "policy": "deny"},
        {"domain": "app.example.com", "resources": ["^/public"], "policy": "allow"},
        {"domain": "app.example.com", "resources": ["^/staff"], "policy": "authenticated",
         "groups": ["staff"]},
        {"domain": "*.example.com", "methods": ["DELETE"], "policy": "deny"},
    ]))
    .unwrap()
}

fn spawn() -> TestApp {
    TestApp::spawn_with(&[("access_rules", rules())])
}

/// A browser behind the proxy: its requests come from loopback.
fn behind_proxy(mut browser: Browser<'_>) -> Browser<'_> {
    browser.remote = Some(LOOPBACK.parse().unwrap());
    browser
}

fn anonymous(app: &TestApp) -> Browser<'_> {
    behind_proxy(app.browser())
}

fn alice(app: &TestApp) -> Browser<'_> {
    behind_proxy(registered(app, "alice@example.com"))
}

/// What nginx's `auth_request` sends.
fn nginx(browser: &mut Browser<'_>, url: &str, method: &str) -> Reply {
    let headers = [("X-Original-URL", url), ("X-Original-Method", method)];
    browser.get_with(AUTH_REQUEST, &headers)
}

/// What Caddy's and Traefik's forward auth send, plus `extra` client headers.
fn caddy(browser: &mut Browser<'_>, method: &str, uri: &str, extra: &[(&str, &str)]) -> Reply {
    let mut headers = vec![
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "app.example.com"),
        ("X-Forwarded-Uri", uri),
        ("X-Forwarded-Method", method),
    ];
    headers.extend_from_slice(extra);
    browser.get_with(FORWARD_AUTH, &headers)
}

/// The status [`caddy`] gets, with no extra headers.
fn caddy_status(browser: &mut Browser<'_>, method: &str, uri: &str) -> Status {
    caddy(browser, method, uri, &[]).status
}

fn user_id(app: &TestApp, email: &str) -> UserId {
    let email = Email::parse(email).unwrap();
    app.auth().accounts().by_email(&email).unwrap().unwrap().id
}

fn set_groups(app: &TestApp, email: &str, groups: &[&str]) {
    let id = user_id(app, email);
    let groups = groups.iter().map(|g| g.to_string()).collect();
    rocket::execute(
        app.auth()
            .accounts()
            .set_groups(&id, groups, &Client::default()),
    )
    .unwrap();
}

fn no_control_chars(reply: &Reply) {
    for (name, value) in &reply.headers {
        assert!(!value.chars().any(char::is_control), "{name}: {value:?}");
    }
}

const LOGIN_FOR_DOCS: &str =
    "http://localhost:8000/login?rd=https%3A%2F%2Fapp.example.com%2Fdocs%3Fx%3D1";

#[test]
fn anonymous_nginx_request_gets_401_with_the_login_location() {
    let app = spawn();
    let mut browser = anonymous(&app);

    let reply = nginx(&mut browser, "https://app.example.com/docs?x=1", "GET");

    assert_eq!(reply.status, Status::Unauthorized);
    assert_eq!(reply.location(), Some(LOGIN_FOR_DOCS));
}

#[test]
fn anonymous_forward_auth_redirects_with_302_for_reads_and_303_for_writes() {
    let app = spawn();
    let mut browser = anonymous(&app);

    let get = caddy(&mut browser, "GET", "/docs?x=1", &[]);
    let head = caddy(&mut browser, "HEAD", "/docs?x=1", &[]);
    let post = caddy(&mut browser, "POST", "/docs?x=1", &[]);

    assert_eq!(get.status, Status::Found);
    assert_eq!(get.location(), Some(LOGIN_FOR_DOCS));
    assert_eq!(head.status, Status::Found);
    assert_eq!(post.status, Status::SeeOther);
    assert_eq!(post.location(), Some(LOGIN_FOR_DOCS));
}

#[test]
fn scripts_get_401_instead_of_a_redirect() {
    let app = spawn();
    let mut browser = anonymous(&app);

    let json = caddy(&mut browser, "GET", "/", &[("Accept", "application/json")]);
    let xhr = caddy(
        &mut browser,
        "GET",
        "/",
        &[("X-Requested-With", "XMLHttpRequest")],
    );
    let page = caddy(
        &mut browser,
        "GET",
        "/",
        &[("Accept", "text/html,*/*;q=0.8")],
    );

    assert_eq!(json.status, Status::Unauthorized);
    assert!(
        json.body.contains("\"error\":\"unauthenticated\""),
        "{}",
        json.body
    );
    assert_eq!(xhr.status, Status::Unauthorized);
    assert_eq!(page.status, Status::Found);
}

#[test]
fn head_is_answered_like_get() {
    let app = spawn();
    let mut browser = alice(&app);
    let headers = [
        ("X-Original-URL", "https://app.example.com/"),
        ("X-Original-Method", "GET"),
    ];

    let reply = browser.request_with(Method::Head, AUTH_REQUEST, &headers);

    assert_eq!(reply.status, Status::Ok);
    assert_eq!(reply.header("Remote-Email"), Some("alice@example.com"));
}

#[test]
fn a_logged_in_user_passes_with_identity_headers() {
    let app = spawn();
    let mut browser = alice(&app);
    set_groups(&app, "alice@example.com", &["staff", "wiki"]);
    browser.login("alice@example.com", PASSWORD);
    let id = user_id(&app, "alice@example.com").to_string();

    for reply in [
        nginx(&mut browser, "https://app.example.com/docs", "GET"),
        caddy(&mut browser, "PUT", "/docs", &[]),
    ] {
        assert_eq!(reply.status, Status::Ok);
        assert_eq!(reply.header("Remote-User"), Some(id.as_str()));
        assert_eq!(reply.header("Remote-Email"), Some("alice@example.com"));
        assert_eq!(reply.header("Remote-Groups"), Some("staff,wiki"));
        assert_eq!(reply.header("Remote-Name"), Some("alice"));
    }
}

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
fn identity_headers_never_carry_cr_or_lf() {
    let app = spawn();
    let mut browser = alice(&app);
    set_groups(&app, "alice@example.com", &["staff\r\nRemote-User: admin"]);
    browser.login("alice@example.com", PASSWORD);

    let reply = caddy(&mut browser, "GET", "/docs", &[]);

    assert_eq!(reply.status, Status::Forbidden);
    no_control_chars(&reply);
}

#[test]
fn logout_from_the_portal_ends_access_to_every_app_at_once() {
    let app = spawn();
    let mut browser = alice(&app);
    let mut other_tab = anonymous(&app);
    other_tab.cookies = browser.cookies.clone();
    assert_eq!(caddy_status(&mut other_tab, "GET", "/docs"), Status::Ok);

    browser.logout();

    assert_eq!(caddy_status(&mut browser, "GET", "/docs"), Status::Found);
    assert_eq!(caddy_status(&mut other_tab, "GET", "/docs"), Status::Found);
    assert_eq!(
        nginx(&mut other_tab, "https://app.example.com/", "GET").status,
        Status::Unauthorized
    );
}

#[test]
fn revoked_sessions_old_generations_and_disabled_users_are_refused() {
    let app = spawn();
    let mut laptop = alice(&app);
    let mut phone = anonymous(&app);
    phone.login("alice@example.com", PASSWORD);
    assert_eq!(caddy_status(&mut phone, "GET", "/docs"), Status::Ok);

    laptop.post_form("/account/sessions/revoke-others", &[]);
    assert_eq!(caddy_status(&mut phone, "GET", "/docs"), Status::Found);

    let mut copy = anonymous(&app);
    copy.cookies = laptop.cookies.clone();
    laptop.post_form("/account/logout-everywhere", &[]);
    assert_eq!(caddy_status(&mut copy, "GET", "/docs"), Status::Found);

    let mut again = anonymous(&app);
    again.login("alice@example.com", PASSWORD);
    let id = user_id(&app, "alice@example.com");
    rocket::execute(
        app.auth()
            .accounts()
            .set_disabled(&id, true, &Client::default()),
    )
    .unwrap();
    assert_eq!(caddy_status(&mut again, "GET", "/docs"), Status::Found);
}

#[test]
fn sliding_refresh_sets_the_new_cookie_on_the_200() {
    let app = spawn();
    let mut browser = alice(&app);
    app.advance(Duration::from_secs(16 * 60));

    let refreshed = caddy(&mut browser, "GET", "/docs", &[]);

    assert_eq!(refreshed.status, Status::Ok);
    assert!(
        refreshed.set_cookie("portcullis").is_some(),
        "{:?}",
        refreshed.headers
    );
    // The old cookie is now stale; only the relayed one keeps the session alive.
    app.advance(Duration::from_secs(60));
    assert_eq!(caddy_status(&mut browser, "GET", "/docs"), Status::Ok);
}

#[test]
fn after_login_the_user_lands_back_on_the_original_url() {
    let app = TestApp::spawn_with(&[
        ("access_rules", rules()),
        ("cookie_domain", "example.com".into()),
    ]);
    registered(&app, "alice@example.com").logout();
    let mut browser = anonymous(&app);
    let sent = caddy(&mut browser, "GET", "/docs?x=1", &[]);
    let login = url::Url::parse(sent.location().unwrap()).unwrap();
    let rd = login
        .query_pairs()
        .find(|(k, _)| k == "rd")
        .unwrap()
        .1
        .into_owned();

    let reply = browser.post_form(
        "/login",
        &[
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("rd", &rd),
        ],
    );

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("https://app.example.com/docs?x=1"));
}

#[test]
fn sso_cookie_is_secure_prefixed_and_shared_with_subdomains() {
    let app = TestApp::spawn_with(&[
        ("access_rules", rules()),
        ("public_url", "https://auth.example.com".into()),
        ("cookie_domain", "example.com".into()),
    ]);
    let mut browser = anonymous(&app);
    browser.register("alice@example.com", PASSWORD);
    let login = browser.login("alice@example.com", PASSWORD);

    let cookie = login
        .set_cookie("__Secure-portcullis")
        .expect("session cookie");
    assert_eq!(cookie.domain(), Some("example.com"));
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.path(), Some("/"));
    assert!(login.set_cookie("__Host-portcullis").is_none());
    assert_eq!(caddy_status(&mut browser, "GET", "/docs"), Status::Ok);
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
