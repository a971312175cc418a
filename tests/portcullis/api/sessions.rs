//! `/api/v1/sessions…` and `/api/v1/logout-everywhere` (SPEC §4): success shapes,
//! every documented failure, and the headers every API answer carries.

use std::time::Duration;

use rocket::http::Method;
use serde_json::json;

use super::{Api, Pair, assert_ended, assert_error, assert_pair_ended, json_of};
use crate::helpers::{PASSWORD, TestApp};

const RFC3339_UTC: fn(&str) -> bool = |s| s.ends_with('Z') && s.contains('T');

#[test]
fn logging_in_answers_201_with_a_token_pair() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    api.register("alice@example.com", PASSWORD);

    let reply = api.login("alice@example.com", PASSWORD);

    assert_eq!(reply.status.code, 201, "{}", reply.body);
    let body = json_of(&reply);
    assert!(
        body["access_token"]
            .as_str()
            .unwrap()
            .starts_with("v4.local.")
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().starts_with("pcr1."));
    assert_eq!(body["refresh_expires_in"], 30 * 24 * 3600);
    assert_eq!(body["session_id"].as_str().map(str::len), Some(22));
    assert_eq!(body.as_object().unwrap().len(), 6, "{body}");
    assert!(reply.set_cookies.is_empty());
}

#[test]
fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    api.register("alice@example.com", PASSWORD);

    let wrong = api.login("alice@example.com", "wrong wrong wrong");
    let unknown = api.login("ghost@example.com", "wrong wrong wrong");
    let malformed = api.login("ghost", "wrong wrong wrong");

    assert_error(&wrong, 401, "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, malformed.body);
}

#[test]
fn logging_in_is_throttled_with_retry_after() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    api.register("alice@example.com", PASSWORD);
    for _ in 0..5 {
        api.login("alice@example.com", "wrong wrong wrong");
    }

    let reply = api.login("alice@example.com", PASSWORD);

    assert_error(&reply, 429, "too_many_attempts");
    assert_eq!(reply.header("Retry-After"), Some("1"));
    app.advance(Duration::from_secs(1));
    assert_eq!(api.login("alice@example.com", PASSWORD).status.code, 201);
}

#[test]
fn the_session_list_shows_browser_and_api_sessions() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");
    let mut browser = app.browser();
    browser.login("alice@example.com", PASSWORD);

    let reply = api.get("/api/v1/sessions", &pair.access);

    assert_eq!(reply.status.code, 200, "{}", reply.body);
    let body = json_of(&reply);
    let sessions = body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let mine = sessions.iter().find(|s| s["current"] == true).unwrap();
    assert_eq!(mine["id"], pair.session.as_str());
    assert_eq!(mine["kind"], "api");
    assert_eq!(mine["device"], "Alice's phone");
    assert_eq!(mine["current"], true);
    assert!(RFC3339_UTC(mine["created_at"].as_str().unwrap()));
    assert!(RFC3339_UTC(mine["last_seen_at"].as_str().unwrap()));
    assert!(mine.get("ip").is_some());
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(other["kind"], "browser");
}

#[test]
fn without_a_device_name_the_user_agent_names_the_session() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    api.register("alice@example.com", PASSWORD);
    let login = app
        .client
        .post("/api/v1/sessions")
        .header(rocket::http::ContentType::JSON)
        .header(rocket::http::Header::new("User-Agent", "curl/8.5.0"))
        .body(json!({ "email": "alice@example.com", "password": PASSWORD }).to_string())
        .dispatch();
    let pair = Pair::from(&crate::helpers::Reply::from(login));

    let body = json_of(&api.get("/api/v1/sessions", &pair.access));

    assert_eq!(body["sessions"][0]["device"], "HTTP Library");
}

#[test]
fn deleting_the_current_session_logs_out() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");

    let reply = api.delete("/api/v1/sessions/current", &pair.access);

    assert_eq!(reply.status.code, 204);
    assert!(reply.body.is_empty());
    assert_pair_ended(&api, &pair, "signed_out");
}

#[test]
fn deleting_another_session_ends_it_and_foreign_ids_are_404() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let phone = api.signed_up("alice@example.com");
    let tablet = api.logged_in("alice@example.com");
    let bob = api.signed_up("bob@example.com");

    let foreign = api.delete(&format!("/api/v1/sessions/{}", bob.session), &phone.access);
    let garbage = api.delete("/api/v1/sessions/not-an-id", &phone.access);
    let reply = api.delete(
        &format!("/api/v1/sessions/{}", tablet.session),
        &phone.access,
    );

    assert_error(&foreign, 404, "not_found");
    assert_error(&garbage, 404, "not_found");
    assert_eq!(api.me(&bob.access).status.code, 200, "untouched");
    assert_eq!(reply.status.code, 204);
    assert_ended(&api.me(&tablet.access), "revoked_from_device");
    assert_eq!(api.me(&phone.access).status.code, 200);
}

#[test]
fn logging_out_everywhere_ends_every_session() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let phone = api.signed_up("alice@example.com");
    let tablet = api.logged_in("alice@example.com");

    let reply = api.send(
        Method::Post,
        "/api/v1/logout-everywhere",
        None,
        Some(&phone.access),
    );

    assert_eq!(reply.status.code, 204);
    for pair in [&phone, &tablet] {
        assert_pair_ended(&api, pair, "logged_out_everywhere");
    }
    assert_eq!(api.login("alice@example.com", PASSWORD).status.code, 201);
}

#[test]
fn every_api_answer_carries_the_security_headers() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");

    for reply in [
        api.me(&pair.access),
        api.get("/api/v1/me", "nonsense"),
        api.login("alice@example.com", "wrong wrong wrong"),
        api.get("/api/v1/nowhere", &pair.access),
    ] {
        assert_eq!(reply.header("Cache-Control"), Some("no-store"), "{reply:?}");
        assert_eq!(reply.header("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(reply.header("Referrer-Policy"), Some("same-origin"));
        assert!(
            reply
                .header("Content-Security-Policy")
                .is_some_and(|csp| csp.contains("frame-ancestors 'none'"))
        );
    }
}
