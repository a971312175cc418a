//! Bad input and bad credentials: always a 4xx JSON error (never a 500 nor the HTML
//! error page), and a bearer token is the only way in.

use std::time::Duration;

use rocket::http::{ContentType, Cookie, Header, Method};
use serde_json::json;

use super::{Api, assert_error, json_of};
use crate::helpers::{PASSWORD, Reply, TestApp, registered};

fn post_raw(app: &TestApp, path: &str, content_type: ContentType, body: &[u8]) -> Reply {
    Reply::from(
        app.client
            .post(path.to_owned())
            .header(content_type)
            .body(body)
            .dispatch(),
    )
}

#[test]
fn malformed_json_is_a_400_json_error() {
    let app = TestApp::spawn();

    for body in ["{\"email\":", "not json", ""] {
        let reply = post_raw(&app, "/api/v1/sessions", ContentType::JSON, body.as_bytes());
        assert_error(&reply, 400, "malformed_json");
    }
}

#[test]
fn wrong_types_and_missing_fields_are_422_without_echoing_values() {
    let app = TestApp::spawn();
    let api = Api::new(&app);

    let wrong_type = api.post(
        "/api/v1/sessions",
        &json!({ "email": "a@b.example", "password": 1234567890123_u64 }),
    );
    let missing = api.post("/api/v1/users", &json!({ "email": "a@b.example" }));
    let not_an_object = api.post("/api/v1/sessions/refresh", &json!(["x"]));

    assert_error(&wrong_type, 422, "invalid_request");
    assert!(!wrong_type.body.contains("1234567890123"));
    assert_error(&missing, 422, "invalid_request");
    assert!(
        json_of(&missing)["message"]
            .as_str()
            .unwrap()
            .contains("password")
    );
    assert_error(&not_an_object, 422, "invalid_request");
}

#[test]
fn oversized_bodies_are_refused_before_parsing() {
    let app = TestApp::spawn();
    let huge = json!({ "email": "a@b.example", "password": "x".repeat(1 << 20) });

    let reply = Api::new(&app).post("/api/v1/sessions", &huge);

    assert_error(&reply, 413, "payload_too_large");
}

#[test]
fn bodies_must_be_sent_as_json() {
    let app = TestApp::spawn();
    let body = json!({ "email": "a@b.example", "password": PASSWORD }).to_string();

    for content_type in [ContentType::Form, ContentType::Plain] {
        let reply = post_raw(&app, "/api/v1/users", content_type, body.as_bytes());
        assert_error(&reply, 415, "unsupported_media_type");
    }
    let none = Reply::from(app.client.post("/api/v1/users").body(&body).dispatch());
    assert_error(&none, 415, "unsupported_media_type");
}

#[test]
fn unknown_api_routes_are_json_404s() {
    let app = TestApp::spawn();

    let reply = Reply::from(app.client.get("/api/v1/nowhere").dispatch());

    assert_error(&reply, 404, "not_found");
    assert!(!reply.body.contains("<html"));
}

#[test]
fn authenticated_routes_need_a_bearer_token() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    api.signed_up("alice@example.com");

    for (method, path) in [
        (Method::Get, "/api/v1/me"),
        (Method::Get, "/api/v1/sessions"),
        (Method::Delete, "/api/v1/sessions/current"),
        (Method::Post, "/api/v1/logout-everywhere"),
        (Method::Put, "/api/v1/password"),
    ] {
        let reply = api.send(method, path, None, None);
        assert_error(&reply, 401, "unauthenticated");
        assert_eq!(reply.header("WWW-Authenticate"), Some("Bearer"));
    }
    let basic = Reply::from(
        app.client
            .get("/api/v1/me")
            .header(Header::new("Authorization", "Basic YWxpY2U6cHc="))
            .dispatch(),
    );
    assert_error(&basic, 401, "unauthenticated");
}

#[test]
fn a_logged_in_browser_cookie_does_not_open_the_api() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, "alice@example.com");

    let reply = browser.get("/api/v1/me");

    assert_error(&reply, 401, "unauthenticated");
    assert_eq!(
        browser.get("/account").status.code,
        200,
        "cookie still fine"
    );
}

#[test]
fn a_browser_token_is_refused_as_a_bearer_token() {
    let app = TestApp::spawn();
    let browser = registered(&app, "alice@example.com");
    let token = super::token_format::browser_token(&app, &browser);
    assert!(token.starts_with("v4.local."));

    let reply = Api::new(&app).me(&token);

    assert_error(&reply, 401, "invalid_token");
    assert_eq!(
        reply.header("WWW-Authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
}

#[test]
fn an_api_token_is_refused_in_the_session_cookie() {
    let app = TestApp::spawn();
    let pair = Api::new(&app).signed_up("alice@example.com");

    let reply = Reply::from(
        app.client
            .get("/account")
            .private_cookie(Cookie::new("portcullis", pair.access.clone()))
            .dispatch(),
    );

    assert_eq!(reply.status.code, 303);
    assert_eq!(reply.location(), Some("/login?rd=%2Faccount"));
}

#[test]
fn forged_and_expired_access_tokens_are_refused() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");
    let mut forged = pair.access.clone().into_bytes();
    let i = forged.len() - 30;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };

    assert_error(
        &api.me(&String::from_utf8(forged).unwrap()),
        401,
        "invalid_token",
    );
    assert_error(&api.me("v4.local.garbage"), 401, "invalid_token");
    app.advance(Duration::from_secs(15 * 60));
    let expired = api.me(&pair.access);
    assert_error(&expired, 401, "token_expired");
    assert_eq!(
        api.refresh(&pair.refresh).status.code,
        200,
        "refresh still works"
    );
}
