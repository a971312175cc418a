//! Passkeys (SPEC §10) without a browser: what the ceremony routes answer, and
//! what they refuse. A real authenticator's answers are tested in the Chromium
//! suite (`browser::passkeys`, Chrome's virtual authenticator); here most answers
//! are well-formed but unsigned, so every finish must be refused, and a ceremony's
//! state must be spent, expire, and belong to who started it. The flows that must
//! succeed in a signed-in session (step-up, re-authentication carrying an admin
//! action) are answered by a software authenticator (`soft.rs`, `step_up.rs`).

mod signin;
mod soft;
mod step_up;

use std::time::Duration;

use rocket::http::Status;
use serde_json::Value;

use crate::helpers::{Browser, Reply, TestApp, registered};

/// A script call: JSON body, this browser's CSRF token in `X-CSRF-Token`.
pub fn call(browser: &mut Browser<'_>, path: &str, body: &str) -> Reply {
    let token = browser.csrf_token();
    browser.post_json(path, body, &[("X-CSRF-Token", &token)])
}

pub fn json(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{e}: {}", reply.body))
}

/// The ceremony id of a start's answer.
pub fn ceremony_of(reply: &Reply) -> String {
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    json(reply)["ceremony"]
        .as_str()
        .expect("ceremony")
        .to_owned()
}

/// A well-formed registration answer that no authenticator signed.
pub fn forged_registration(ceremony: &str) -> String {
    serde_json::json!({
        "ceremony": ceremony,
        "name": "Laptop",
        "credential": {
            "id": "AAAA", "rawId": "AAAA", "type": "public-key",
            "response": { "attestationObject": "AAAA", "clientDataJSON": "AAAA" },
            "extensions": {}
        }
    })
    .to_string()
}

/// A well-formed assertion that no authenticator signed, naming `user_handle`.
pub fn forged_assertion(ceremony: &str, user_handle: Option<&str>) -> String {
    serde_json::json!({
        "ceremony": ceremony,
        "credential": {
            "id": "AAAA", "rawId": "AAAA", "type": "public-key",
            "response": {
                "authenticatorData": "AAAA", "clientDataJSON": "AAAA",
                "signature": "AAAA", "userHandle": user_handle
            },
            "extensions": {}
        }
    })
    .to_string()
}

#[test]
fn adding_a_passkey_starts_with_options_for_a_discoverable_credential_on_this_site() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let reply = call(&mut alice, "/account/passkeys/register/start", "");
    let answer = json(&reply);
    assert_eq!(reply.status, Status::Ok);
    let options = &answer["options"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost", "public_url's host");
    assert_eq!(options["user"]["name"], "alice@example.com");
    assert!(options["challenge"].as_str().is_some_and(|c| c.len() >= 43));
    let selection = &options["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "preferred");
    assert_eq!(selection["userVerification"], "required");
    assert_eq!(options["timeout"], 300_000);
}

#[test]
fn an_unsigned_registration_is_refused_and_its_ceremony_is_spent() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let start = call(&mut alice, "/account/passkeys/register/start", "");
    let ceremony = ceremony_of(&start);
    let path = "/account/passkeys/register/finish";
    let first = call(&mut alice, path, &forged_registration(&ceremony));
    assert_eq!(first.status, Status::Unauthorized, "{}", first.body);
    assert_eq!(json(&first)["error"], "That passkey was not accepted.");
    let again = call(&mut alice, path, &forged_registration(&ceremony));
    assert_eq!(again.status, Status::BadRequest);
    assert!(
        json(&again)["error"]
            .as_str()
            .unwrap()
            .contains("expired or was already used")
    );
    let page = alice.get("/account/security");
    assert!(!page.body.contains("id=\"passkeys\""), "nothing was added");
}

#[test]
fn a_ceremony_expires_after_five_minutes() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let ceremony = ceremony_of(&call(&mut alice, "/account/passkeys/register/start", ""));
    app.advance(Duration::from_secs(5 * 60 + 1));
    let late = call(
        &mut alice,
        "/account/passkeys/register/finish",
        &forged_registration(&ceremony),
    );
    assert_eq!(late.status, Status::BadRequest, "{}", late.body);
}

#[test]
fn another_users_ceremony_cannot_be_finished() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let mut mallory = registered(&app, "mallory@example.com");
    let ceremony = ceremony_of(&call(&mut alice, "/account/passkeys/register/start", ""));
    let path = "/account/passkeys/register/finish";
    let stolen = call(&mut mallory, path, &forged_registration(&ceremony));
    assert_eq!(stolen.status, Status::BadRequest, "{}", stolen.body);
    let own = call(&mut alice, path, &forged_registration(&ceremony));
    assert_eq!(own.status, Status::BadRequest, "the attempt spent it");
}

#[test]
fn script_calls_need_the_csrf_token_in_a_header_and_this_origin() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let token = alice.csrf_token();
    let path = "/account/passkeys/register/start";
    let none = alice.post_json(path, "", &[]);
    assert_eq!(none.status, Status::Forbidden);
    let wrong = alice.post_json(path, "", &[("X-CSRF-Token", "not-the-token")]);
    assert_eq!(wrong.status, Status::Forbidden);
    let foreign = [
        ("X-CSRF-Token", token.as_str()),
        ("Origin", "https://evil.example"),
    ];
    assert_eq!(
        alice.post_json(path, "", &foreign).status,
        Status::Forbidden
    );
    for path in [
        "/login/passkey/start",
        "/login/passkey/finish",
        "/reauth/passkey/start",
    ] {
        assert_eq!(
            alice.post_json(path, "{}", &[]).status,
            Status::Forbidden,
            "{path}"
        );
    }
    let ok = alice.post_json(path, "", &[("X-CSRF-Token", &token)]);
    assert_eq!(ok.status, Status::Ok);
}

#[test]
fn adding_a_passkey_needs_a_recent_confirmation_and_a_session() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    app.advance(Duration::from_secs(11 * 60));
    let stale = call(&mut alice, "/account/passkeys/register/start", "");
    assert_eq!(stale.status, Status::SeeOther);
    assert_eq!(stale.location(), Some("/reauth?rd=%2Faccount%2Fsecurity"));
    let mut anonymous = app.browser();
    let reply = call(&mut anonymous, "/account/passkeys/register/start", "");
    assert_eq!(reply.status, Status::SeeOther);
    assert!(reply.location().unwrap().starts_with("/login"));
}

#[test]
fn bad_input_is_refused_with_a_client_error() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let path = "/account/passkeys/register/finish";
    for body in ["", "{", "{\"ceremony\": 5}", "[]"] {
        let reply = call(&mut alice, path, body);
        assert!(
            reply.status.code >= 400 && reply.status.code < 500,
            "{body}: {}",
            reply.status
        );
    }
    let unknown = alice.post_form("/account/passkeys/nope/remove", &[]);
    assert_eq!(unknown.status, Status::NotFound);
    let rename = alice.post_form("/account/passkeys/nope/rename", &[("name", "x")]);
    assert_eq!(rename.status, Status::NotFound);
    let blank = alice.post_form("/account/passkeys/nope/rename", &[("name", "  ")]);
    assert_eq!(blank.status, Status::UnprocessableEntity);
}

#[test]
fn the_security_page_offers_passkeys_with_the_ceremony_script() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let page = alice.get("/account/security");
    assert!(page.body.contains("Add a passkey"));
    assert!(page.body.contains("src=\"/static/passkeys.js\""));
    let script = alice.get("/static/passkeys.js");
    assert_eq!(script.status, Status::Ok);
    assert!(
        script
            .header("Content-Type")
            .unwrap()
            .contains("javascript")
    );
    assert!(script.body.contains("navigator.credentials.create"));
}

#[test]
fn without_a_secure_public_url_passkeys_are_not_offered_and_say_why() {
    let app = TestApp::spawn_with(&[("public_url", "http://auth.example.com".into())]);
    let mut alice = registered(&app, "alice@example.com");
    let page = alice.get("/account/security");
    assert!(
        page.body.contains("Passkeys need a secure context"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Add a passkey"));
    let reply = call(&mut alice, "/account/passkeys/register/start", "");
    assert_eq!(reply.status, Status::ServiceUnavailable);
    assert!(json(&reply)["error"].as_str().unwrap().contains("https://"));
    let mut visitor = app.browser();
    let login = visitor.get("/login");
    assert!(!login.body.contains("Sign in with a passkey"));
    assert!(login.body.contains("autocomplete=\"username\""));
}
