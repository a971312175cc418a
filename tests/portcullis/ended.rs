//! Why a session ended: every way of ending one records its reason, and a refused
//! token is told apart from a forged one, by the core's in-memory check alone
//! (the groundwork of SPEC §9's "told why on its next page").

use std::time::Duration;

use portcullis::auth::{Check, Client};
use portcullis::domain::{Email, EndReason, Password, UserId};
use portcullis::token::TokenKind;
use rocket::http::Status;
use serde_json::json;

use crate::api::{Api, Pair};
use crate::helpers::{PASSWORD, TestApp, block_on, encode, first_admin};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// What the core says about an API access token.
fn check(app: &TestApp, token: &str) -> Check {
    app.auth().sessions().check(token, TokenKind::Api)
}

#[track_caller]
fn assert_ended(app: &TestApp, token: &str, expected: EndReason) {
    match check(app, token) {
        Check::Ended(reason) => assert_eq!(reason, expected),
        other => panic!("expected Ended({expected:?}), got {other:?}"),
    }
}

/// An API session named `device` for `email`.
fn api_session(api: &Api<'_>, email: &str, device: &str) -> Pair {
    let body = json!({ "email": email, "password": PASSWORD, "device_name": device });
    let reply = api.post("/api/v1/sessions", &body);
    assert_eq!(reply.status.code, 201, "{}", reply.body);
    Pair::from(&reply)
}

/// Alice, signed up through the API, and her first session ("Alice's phone").
fn alice(app: &TestApp) -> (Api<'_>, Pair) {
    let api = Api::new(app);
    let phone = api.signed_up("alice@example.com");
    (api, phone)
}

fn user_id(app: &TestApp, email: &str) -> UserId {
    let email = Email::parse(email).unwrap();
    app.auth().accounts().by_email(&email).unwrap().unwrap().id
}

#[test]
fn a_forged_token_is_rejected_not_ended() {
    let app = TestApp::spawn();
    let (_api, pair) = alice(&app);
    let mut forged = pair.access.clone();
    forged.pop();
    forged.push(if pair.access.ends_with('A') { 'B' } else { 'A' });

    assert!(matches!(check(&app, &forged), Check::Rejected));
    assert!(matches!(check(&app, &pair.access), Check::Valid(_)));
}

#[test]
fn signing_out_ends_the_session_as_signed_out() {
    let app = TestApp::spawn();
    let (api, pair) = alice(&app);

    let reply = api.delete("/api/v1/sessions/current", &pair.access);

    assert_eq!(reply.status, Status::NoContent);
    assert_ended(&app, &pair.access, EndReason::SignedOut);
}

#[test]
fn a_revoked_session_names_the_device_that_revoked_it() {
    let app = TestApp::spawn();
    let (api, phone) = alice(&app);
    let laptop = api_session(&api, "alice@example.com", "Laptop");

    let path = format!("/api/v1/sessions/{}", phone.session);
    assert_eq!(api.delete(&path, &laptop.access).status, Status::NoContent);

    let device = "Laptop".to_owned();
    assert_ended(&app, &phone.access, EndReason::RevokedFromDevice { device });
    assert!(matches!(check(&app, &laptop.access), Check::Valid(_)));
}

#[test]
fn an_admin_revocation_says_so() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let api = Api::new(&app);
    let phone = api.signed_up("alice@example.com");
    let id = user_id(&app, "alice@example.com");

    let path = format!("/admin/users/{id}/sessions/{}/revoke", phone.session);
    assert_eq!(admin.post_form(&path, &[]).status, Status::SeeOther);

    assert_ended(&app, &phone.access, EndReason::RevokedByAdmin);
}

#[test]
fn signing_out_other_devices_names_the_device_that_stayed() {
    let app = TestApp::spawn();
    let (_api, phone) = alice(&app);
    let mut laptop = app.browser();
    let token = laptop.csrf_token();
    let fields = [
        ("csrf_token", token.as_str()),
        ("email", "alice@example.com"),
        ("password", PASSWORD),
    ];
    let login = laptop.post_raw("/login", encode(&fields), &[("User-Agent", FIREFOX)]);
    assert_eq!(login.status, Status::SeeOther);

    let reply = laptop.post_form("/account/sessions/revoke-others", &[]);

    assert_eq!(reply.status, Status::SeeOther);
    let device = "Firefox on Linux".to_owned();
    assert_ended(
        &app,
        &phone.access,
        EndReason::OtherDevicesSignedOut { device },
    );
}

#[test]
fn logging_out_everywhere_retires_every_token_for_that_reason() {
    let app = TestApp::spawn();
    let (api, phone) = alice(&app);
    let laptop = api_session(&api, "alice@example.com", "Laptop");

    let reply = api.send(
        rocket::http::Method::Post,
        "/api/v1/logout-everywhere",
        None,
        Some(&phone.access),
    );

    assert_eq!(reply.status, Status::NoContent);
    assert_ended(&app, &phone.access, EndReason::LoggedOutEverywhere);
    assert_ended(&app, &laptop.access, EndReason::LoggedOutEverywhere);
}

#[test]
fn a_password_change_ends_the_other_sessions_and_the_old_tokens_as_such() {
    let app = TestApp::spawn();
    let (api, phone) = alice(&app);
    let laptop = api_session(&api, "alice@example.com", "Laptop");

    let body = json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" });
    let reply = api.send(
        rocket::http::Method::Put,
        "/api/v1/password",
        Some(&body),
        Some(&phone.access),
    );

    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_ended(&app, &laptop.access, EndReason::PasswordChanged);
    assert_ended(&app, &phone.access, EndReason::PasswordChanged);
    let renewed = Pair::from(&reply);
    assert!(matches!(check(&app, &renewed.access), Check::Valid(_)));
}

#[test]
fn a_reset_link_ends_every_session_as_a_reset() {
    let app = TestApp::spawn();
    let (_api, phone) = alice(&app);
    let id = user_id(&app, "alice@example.com");
    let token = block_on(app.auth().links().create_reset(id, &Client::default())).unwrap();
    let mut browser = app.browser();
    let path = format!("/reset/{token}");
    let csrf = browser.get(&path).csrf_token().unwrap();

    let fields = [
        ("csrf_token", csrf.as_str()),
        ("new_password", "a brand new passphrase"),
    ];
    let reply = browser.post_raw(&path, encode(&fields), &[]);

    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    assert_ended(&app, &phone.access, EndReason::PasswordReset);
}

#[test]
fn disabling_and_group_changes_say_so() {
    let app = TestApp::spawn();
    let (api, before_groups) = alice(&app);
    let id = user_id(&app, "alice@example.com");
    let (accounts, client) = (app.auth().accounts(), Client::default());

    rocket::execute(accounts.set_groups(&id, vec!["staff".into()], &client)).unwrap();
    let before_disable = api.logged_in("alice@example.com");
    rocket::execute(accounts.set_disabled(&id, true, &client)).unwrap();

    assert_ended(&app, &before_groups.access, EndReason::GroupsChanged);
    assert_ended(&app, &before_disable.access, EndReason::Disabled);
}

#[test]
fn a_session_found_past_its_end_by_a_renewal_ends_as_expired() {
    let app = TestApp::spawn();
    let (api, phone) = alice(&app);
    app.advance(Duration::from_secs(31 * 24 * 3600));

    let refused = api.refresh(&phone.refresh);

    assert_eq!(refused.status, Status::Unauthorized);
    assert_ended(&app, &phone.access, EndReason::Expired);
}

#[test]
fn a_copied_refresh_token_ends_the_session_as_copied() {
    let app = TestApp::spawn();
    let (api, first) = alice(&app);
    let second = Pair::from(&api.refresh(&first.refresh));
    app.advance(Duration::from_secs(11));

    let replay = api.refresh(&first.refresh);

    assert_eq!(replay.status, Status::Unauthorized);
    assert_ended(&app, &second.access, EndReason::CopiedCredential);
}

#[test]
fn a_copied_cookie_ends_the_browser_session_as_copied() {
    let app = TestApp::spawn();
    let mut owner = crate::helpers::registered(&app, "alice@example.com");
    let mut thief = app.browser();
    thief.cookies = owner.cookies.clone();
    let id = user_id(&app, "alice@example.com");
    let session = app.auth().sessions().list(&id).unwrap()[0].id;
    app.advance(Duration::from_secs(16 * 60));
    assert_eq!(owner.get("/account").status, Status::Ok);
    app.advance(Duration::from_secs(60));

    assert_eq!(thief.get("/account").status, Status::SeeOther);

    let revoked = app.auth().store().load_revoked(app.auth().now()).unwrap();
    let entry = revoked
        .iter()
        .find(|r| r.session == session)
        .expect("revoked");
    assert_eq!(entry.reason, EndReason::CopiedCredential);
}

#[test]
fn reasons_survive_a_restart() {
    let app = TestApp::spawn();
    let (api, phone) = alice(&app);
    let laptop = api_session(&api, "alice@example.com", "Laptop");
    let tablet = api_session(&api, "alice@example.com", "Tablet");
    let path = format!("/api/v1/sessions/{}", phone.session);
    assert_eq!(api.delete(&path, &laptop.access).status, Status::NoContent);
    let id = user_id(&app, "alice@example.com");
    let new = Password::new("a brand new passphrase").unwrap();
    let client = Client::default();
    let reset = app.auth().accounts().set_password(&id, &new, &client);
    assert!(block_on(reset).unwrap());

    let app = app.restart();

    let device = "Laptop".to_owned();
    assert_ended(&app, &phone.access, EndReason::RevokedFromDevice { device });
    assert_ended(&app, &tablet.access, EndReason::PasswordReset);
}
