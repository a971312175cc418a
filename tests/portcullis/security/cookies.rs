//! Cookie attributes and prefixes, security headers, CORS, safe methods and
//! redirects (SPEC §8).

use rocket::figment::value::Value;
use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, encode, registered};

fn secure(extra: &[(&str, Value)]) -> TestApp {
    let mut settings = vec![("public_url", Value::from("https://auth.example.com"))];
    settings.extend_from_slice(extra);
    TestApp::spawn_with(&settings)
}

#[test]
fn secure_cookies_carry_the_host_prefix_and_secure_flag() {
    let app = secure(&[]);
    let mut browser = app.browser();

    let reply = browser.register("alice@example.com", PASSWORD);

    let cookie = reply
        .set_cookie("__Host-portcullis")
        .expect("prefixed session cookie");
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.path(), Some("/"));
    assert_eq!(cookie.domain(), None);
    assert!(reply.set_cookie("portcullis").is_none());
    assert!(
        reply
            .header("Strict-Transport-Security")
            .unwrap()
            .contains("max-age=")
    );
}

#[test]
fn with_a_cookie_domain_the_secure_prefix_and_domain_are_used() {
    let app = secure(&[("cookie_domain", "example.com".into())]);

    let reply = app.browser().register("alice@example.com", PASSWORD);

    let cookie = reply
        .set_cookie("__Secure-portcullis")
        .expect("prefixed session cookie");
    assert_eq!(cookie.domain(), Some("example.com"));
    assert_eq!(cookie.secure(), Some(true));
}

#[test]
fn an_unprefixed_cookie_is_ignored_when_cookies_are_secure() {
    let app = secure(&[]);
    let mut browser = app.browser();
    browser.register("alice@example.com", PASSWORD);
    let good = browser.cookies.remove("__Host-portcullis").unwrap();
    browser.cookies.insert("portcullis".into(), good);

    assert_eq!(browser.get("/account").status, Status::SeeOther);
}

#[test]
fn plain_http_gets_no_hsts() {
    let app = TestApp::spawn();

    assert!(
        app.browser()
            .get("/login")
            .header("Strict-Transport-Security")
            .is_none()
    );
}

#[test]
fn cross_origin_requests_get_no_cors_grant() {
    let app = TestApp::spawn();

    let reply = app
        .browser()
        .get_with("/login", &[("Origin", "https://evil.example")]);

    assert!(reply.header("Access-Control-Allow-Origin").is_none());
    assert!(reply.header("Access-Control-Allow-Credentials").is_none());
}

#[test]
fn no_state_changes_on_get() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, "alice@example.com");

    assert_eq!(browser.get("/logout").status, Status::NotFound);
    assert_eq!(
        browser.get("/account/logout-everywhere").status,
        Status::NotFound
    );
    assert_eq!(browser.get("/account").status, Status::Ok);
}

#[test]
fn open_redirects_fall_back_to_the_account_page() {
    let app = TestApp::spawn_with(&[("public_url", "https://auth.example.com".into())]);
    registered(&app, "alice@example.com");
    for rd in [
        "https://evil.com",
        "//evil.com",
        "/\\evil.com",
        "/%5Cevil.com",
        "/%09/evil.com",
        "https://auth.example.com.evil.com",
        "https://auth.example.com@evil.com",
        "javascript:alert(1)",
    ] {
        let mut browser = app.browser();
        let token = browser.csrf_token();
        let body = encode(&[
            ("csrf_token", &token),
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("rd", rd),
        ]);

        let reply = browser.post_raw("/login", body, &[]);

        assert_eq!(reply.location(), Some("/account"), "rd {rd:?}");
    }
}

#[test]
fn errors_carry_the_security_headers_too() {
    let app = TestApp::spawn();
    let mut browser = app.browser();

    let reply = browser.post_raw("/login", "csrf_token=x", &[]);

    assert_eq!(reply.status, Status::Forbidden);
    assert!(reply.header("Content-Security-Policy").is_some());
    assert_eq!(reply.header("X-Content-Type-Options"), Some("nosniff"));
}
