//! `/api/v1/users`, `/api/v1/me` and `/api/v1/password` (SPEC §4): success shapes
//! and every documented failure.

use rocket::figment::value::Value as Setting;
use rocket::http::Method;
use serde_json::json;

use super::{Api, Pair, assert_ended, assert_error, json_of};
use crate::helpers::{PASSWORD, TestApp};

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
    assert_ended(&api.me(&phone.access), "password_changed");
    assert_error(&api.refresh(&phone.refresh), 401, "invalid_refresh_token");
    assert_ended(&api.me(&tablet.access), "password_changed");
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
