//! Portcullis inside someone else's Rocket app (issue 8): the host's routes use the
//! guards, Portcullis's pages live under a base path taken from `public_url`, and the
//! host can leave the pages out altogether.

use rocket::http::Status;
use rocket::{Build, Rocket, get, routes};

use crate::helpers::{PASSWORD, Reply, TestApp, encode};
use portcullis::{AdminUser, ApiUser, AuthUser, MaybeUser, Portcullis};

#[get("/")]
fn home(user: MaybeUser) -> String {
    match user.0 {
        Some(user) => format!("hello {}", user.0.user.email),
        None => "hello stranger".to_owned(),
    }
}

#[get("/reports")]
fn reports(user: AuthUser) -> String {
    format!("reports for {}", user.0.user.email)
}

#[get("/ops")]
fn ops(_admin: AdminUser) -> &'static str {
    "ops"
}

#[get("/whoami")]
fn whoami(user: ApiUser) -> String {
    user.0.user.email.clone()
}

/// Two session guards on one route, both resolved through one sliding refresh.
#[get("/both")]
fn both(user: AuthUser, again: MaybeUser) -> String {
    let again = again.0.map(|u| u.0.user.email.clone()).unwrap_or_default();
    format!("{} {again}", user.0.user.email)
}

/// A host route that answers 401 on its own, whoever asks.
#[get("/locked")]
fn locked() -> Status {
    Status::Unauthorized
}

fn host(rocket: Rocket<Build>, fairing: Portcullis) -> Rocket<Build> {
    rocket
        .attach(fairing)
        .mount("/", routes![home, reports, ops, whoami, both, locked])
}

/// The pages at the root (Portcullis owns `/`), the host's routes beside them.
fn host_beside_pages(rocket: Rocket<Build>, fairing: Portcullis) -> Rocket<Build> {
    rocket
        .attach(fairing)
        .mount("/", routes![reports, both, locked])
}

fn host_without_pages(rocket: Rocket<Build>, fairing: Portcullis) -> Rocket<Build> {
    host(rocket, fairing.without_pages())
}

fn under_auth() -> TestApp {
    TestApp::spawn_host(&[("public_url", "http://localhost:8000/auth".into())], host)
}

/// Registers through the form at `/auth/register` and returns the browser's reply.
fn register(browser: &mut crate::helpers::Browser<'_>, email: &str) -> Reply {
    let token = browser.get("/auth/register").csrf_token().expect("form");
    let body = encode(&[
        ("csrf_token", &token),
        ("email", email),
        ("password", PASSWORD),
    ]);
    browser.post_raw("/auth/register", body, &[])
}

#[test]
fn host_routes_use_the_guards_and_the_pages_live_under_the_base_path() {
    let app = under_auth();
    let mut browser = app.browser();
    assert_eq!(browser.get("/").body, "hello stranger");
    assert_eq!(
        browser.get("/reports").status,
        Status::Unauthorized,
        "the host's own 401"
    );
    assert_eq!(
        browser.get("/login").status,
        Status::NotFound,
        "nothing at the root"
    );

    let page = browser.get("/auth/login");
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("action=\"/auth/login\""));
    assert!(page.body.contains("href=\"/auth/static/portcullis.css\""));

    let created = register(&mut browser, "alice@example.com");
    assert_eq!(created.status, Status::SeeOther);
    assert_eq!(created.location(), Some("/auth/account"));
    assert_eq!(browser.get("/").body, "hello alice@example.com");
    assert_eq!(
        browser.get("/reports").body,
        "reports for alice@example.com"
    );
    assert_eq!(browser.get("/ops").status, Status::Forbidden);

    // Revoking from the portal's account page ends access to the host at once.
    let token = browser.get("/auth/account").csrf_token().unwrap();
    let out = browser.post_raw(
        "/auth/account/logout-everywhere",
        encode(&[("csrf_token", &token)]),
        &[],
    );
    assert_eq!(out.location(), Some("/auth/login"));
    assert_eq!(browser.get("/reports").status, Status::Unauthorized);
}

#[test]
fn portal_redirects_and_login_return_stay_under_the_base_path() {
    let app = under_auth();
    let mut browser = app.browser();
    let sent = browser.get("/auth/account");
    assert_eq!(sent.location(), Some("/auth/login?rd=%2Fauth%2Faccount"));
    register(&mut browser, "alice@example.com");
    browser.get("/auth/account");
    let token = browser.get("/auth/account").csrf_token().unwrap();
    browser.post_raw("/auth/logout", encode(&[("csrf_token", &token)]), &[]);
    let token = browser.get("/auth/login").csrf_token().unwrap();
    let back = browser.post_raw(
        "/auth/login",
        encode(&[
            ("csrf_token", &token),
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("rd", "/reports"),
        ]),
        &[],
    );
    assert_eq!(back.location(), Some("/reports"));
    assert_eq!(browser.get("/").body, "hello alice@example.com");
}

/// Posts `email` with the test password as JSON to `path`, as a script would.
fn post_credentials<'c>(
    app: &'c TestApp,
    path: &'static str,
    email: &str,
) -> rocket::local::blocking::LocalResponse<'c> {
    let body = serde_json::json!({ "email": email, "password": PASSWORD });
    let request = app
        .client
        .post(path)
        .header(rocket::http::ContentType::JSON);
    request.body(body.to_string()).dispatch()
}

#[test]
fn the_api_and_bearer_guard_work_under_the_base_path() {
    let app = under_auth();
    let mut browser = app.browser();
    register(&mut browser, "alice@example.com");
    let login = post_credentials(&app, "/auth/api/v1/sessions", "alice@example.com");
    assert_eq!(login.status(), Status::Created);
    let body: serde_json::Value = login.into_json().unwrap();
    let access = body["access_token"].as_str().unwrap();
    let me = app
        .client
        .get("/whoami")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {access}"),
        ))
        .dispatch();
    assert_eq!(me.status(), Status::Ok);
    assert_eq!(me.into_string().unwrap(), "alice@example.com");
}

#[test]
fn without_pages_keeps_the_guards_and_the_api_only() {
    let app = TestApp::spawn_host(&[], host_without_pages);
    let mut browser = app.browser();
    assert_eq!(browser.get("/login").status, Status::NotFound);
    assert_eq!(browser.get("/account").status, Status::NotFound);
    assert_eq!(browser.get("/reports").status, Status::Unauthorized);
    let created = post_credentials(&app, "/api/v1/users", "a@example.com");
    assert_eq!(created.status(), Status::Created);
}

#[test]
fn a_guard_without_the_fairing_stops_the_launch() {
    let rocket =
        rocket::custom(crate::helpers::figment(&Default::default())).mount("/", routes![reports]);
    let Err(error) = rocket::local::blocking::Client::untracked(rocket) else {
        panic!("a route using AuthUser launched without the fairing");
    };
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::SentinelAborts(_)),
        "{error}"
    );
}

#[test]
fn two_guards_on_one_route_both_see_the_user_through_a_sliding_refresh() {
    let app = TestApp::spawn_host(&[], host_beside_pages);
    let mut browser = crate::helpers::registered(&app, "alice@example.com");
    let before = browser.session_cookie().unwrap();
    app.advance(std::time::Duration::from_secs(16 * 60));

    let reply = browser.get("/both");

    assert_eq!(reply.status, Status::Ok);
    assert_eq!(reply.body, "alice@example.com alice@example.com");
    let renewed = reply.set_cookie("portcullis").expect("a renewed cookie");
    assert_ne!(renewed.value(), before);
    assert_eq!(browser.get("/reports").status, Status::Ok);
}

#[test]
fn a_host_routes_own_401_does_not_log_the_user_out() {
    let app = TestApp::spawn_host(&[], host_beside_pages);
    let mut browser = crate::helpers::registered(&app, "alice@example.com");

    let reply = browser.get("/locked");

    assert!(
        reply.set_cookie("portcullis").is_none(),
        "a valid session cookie is left alone"
    );
    assert_eq!(
        browser.get("/reports").body,
        "reports for alice@example.com"
    );
}
