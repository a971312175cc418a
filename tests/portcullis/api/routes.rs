//! Every route of SPEC §4 with its success shape and its documented failures.

use std::time::Duration;

use rocket::figment::value::Value as Setting;
use rocket::http::Method;
use serde_json::json;

use super::{Api, Pair, assert_error, json_of};
use crate::helpers::{PASSWORD, TestApp};

const RFC3339_UTC: fn(&str) -> bool = |s| s.ends_with('Z') && s.contains('T');

#[test]
fn registering_answers_201_with_the_new_account() {
    let app = TestApp::spawn();
    let api = Api::new(&app);

    let reply = api.register("Alice@Example.com", PASSWORD);

    assert_eq!(reply.status.code, 201, "{}", reply.body);
    let body = json_of(&reply);
    assert_eq!(body["email"], "Alice@Example.com");
    assert_eq!(body["id"].as_str().map(str::len), Some(22));
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    assert!(reply.set_cookies.is_empty(), "the API sets no cookie");
}

#[test]
fn registering_refuses_taken_emails_bad_emails_and_weak_passwords() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    api.register("alice@example.com", PASSWORD);

    assert_error(
        &api.register("ALICE@example.com", PASSWORD),
        409,
        "email_taken",
    );
    assert_error(&api.register("alice", PASSWORD), 422, "invalid_email");
    let weak = api.register("bob@example.com", "short");
    assert_error(&weak, 422, "weak_password");
    assert_eq!(json_of(&weak)["message"], "Use at least 12 characters.");
    assert_error(
        &api.register("bob@example.com", "qwerty123456"),
        422,
        "weak_password",
    );
    assert_error(
        &api.register("bob@example.com", &"x".repeat(1025)),
        422,
        "weak_password",
    );
}

#[test]
fn registering_is_refused_unless_registration_is_open() {
    for mode in ["invite", "closed"] {
        let app = TestApp::spawn_with(&[("registration", Setting::from(mode))]);

        let reply = Api::new(&app).register("alice@example.com", PASSWORD);

        assert_error(&reply, 403, "registration_closed");
    }
}

#[test]
fn registering_is_rate_limited_per_address() {
    let app = TestApp::spawn_with(&[("register_rate_limit", Setting::from(2))]);
    let api = Api::new(&app);
    api.register("a@example.com", PASSWORD);
    api.register("b@example.com", PASSWORD);

    let reply = api.register("c@example.com", PASSWORD);

    assert_error(&reply, 429, "too_many_attempts");
    assert!(reply.header("Retry-After").is_some());
}

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
fn me_says_who_is_calling_through_which_session() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");

    let reply = api.me(&pair.access);

    assert_eq!(reply.status.code, 200);
    let body = json_of(&reply);
    assert_eq!(body["email"], "alice@example.com");
    assert_eq!(body["groups"], json!([]));
    assert_eq!(body["session_id"], pair.session.as_str());
    assert_eq!(body["id"].as_str().map(str::len), Some(22));
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
    assert_error(&api.me(&pair.access), 401, "invalid_token");
    assert_error(&api.refresh(&pair.refresh), 401, "invalid_refresh_token");
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
    assert_error(&api.me(&tablet.access), 401, "invalid_token");
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
        assert_error(&api.me(&pair.access), 401, "invalid_token");
        assert_error(&api.refresh(&pair.refresh), 401, "invalid_refresh_token");
    }
    assert_eq!(api.login("alice@example.com", PASSWORD).status.code, 201);
}

fn change_password(api: &Api<'_>, bearer: &str, current: &str, new: &str) -> crate::helpers::Reply {
    api.send(
        Method::Put,
        "/api/v1/password",
        Some(&json!({ "current_password": current, "new_password": new })),
        Some(bearer),
    )
}

#[test]
fn changing_the_password_returns_a_new_pair_and_ends_other_sessions() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let phone = api.signed_up("alice@example.com");
    let tablet = api.logged_in("alice@example.com");

    let reply = change_password(&api, &phone.access, PASSWORD, "a brand new passphrase");

    assert_eq!(reply.status.code, 200, "{}", reply.body);
    let new = Pair::from(&reply);
    assert_eq!(new.session, phone.session, "same session");
    assert_eq!(json_of(&reply)["token_type"], "Bearer");
    assert_eq!(api.me(&new.access).status.code, 200);
    assert_error(&api.me(&phone.access), 401, "invalid_token");
    assert_error(&api.refresh(&phone.refresh), 401, "invalid_refresh_token");
    assert_error(&api.me(&tablet.access), 401, "invalid_token");
    assert_error(&api.refresh(&tablet.refresh), 401, "invalid_refresh_token");
    assert_eq!(api.refresh(&new.refresh).status.code, 200);
    assert_error(
        &api.login("alice@example.com", PASSWORD),
        401,
        "invalid_credentials",
    );
}

#[test]
fn changing_the_password_needs_the_current_one_and_a_strong_new_one() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");

    let wrong = change_password(
        &api,
        &pair.access,
        "not my password",
        "a brand new passphrase",
    );
    let weak = change_password(&api, &pair.access, PASSWORD, "short");

    assert_error(&wrong, 403, "invalid_credentials");
    assert_error(&weak, 422, "weak_password");
    assert_eq!(api.me(&pair.access).status.code, 200, "nothing changed");
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
        assert_eq!(reply.header("Referrer-Policy"), Some("no-referrer"));
        assert!(
            reply
                .header("Content-Security-Policy")
                .is_some_and(|csp| csp.contains("frame-ancestors 'none'"))
        );
    }
}
