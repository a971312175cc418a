//! Forward authentication (SPEC §5) without a real proxy: the test plays nginx or
//! Caddy by sending their headers from a trusted loopback peer.

mod cached;
mod paths;
mod policies;
mod sessions;

use portcullis::auth::Client;
use portcullis::domain::{Email, UserId};
use rocket::figment::value::Value;
use rocket::http::{Method, Status};
use serde_json::json;

use crate::helpers::{Browser, Reply, TestApp, registered};

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
