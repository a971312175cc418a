//! Signing in with a passkey, without a browser: the passwordless ceremony's
//! options, its binding to the browser that started it, refusals, throttling, and
//! the second step and re-authentication routes without their preconditions.

use portcullis::domain::Email;
use portcullis::domain::audit::AuditKind;
use rocket::http::Status;

use super::{call, ceremony_of, forged_assertion, json};
use crate::helpers::{TestApp, registered};

/// The WebAuthn user handle of `email`'s account, base64url.
fn handle_of(app: &TestApp, email: &str) -> String {
    let email = Email::parse(email).unwrap();
    let user = app.auth().store().user_by_email(&email).unwrap().unwrap();
    data_encoding::BASE64URL_NOPAD.encode(user.id.as_bytes())
}

#[test]
fn the_login_page_offers_a_passkey_and_browser_autofill() {
    let app = TestApp::spawn();
    let page = app.browser().get("/login");
    assert!(page.body.contains("Sign in with a passkey"));
    assert!(page.body.contains("autocomplete=\"username webauthn\""));
    assert!(page.body.contains("data-autofill=\"1\""));
    assert!(page.body.contains("src=\"/static/passkeys.js\""));
}

#[test]
fn a_passwordless_start_asks_for_any_discoverable_credential_with_user_verification() {
    let app = TestApp::spawn();
    let mut visitor = app.browser();
    let reply = call(&mut visitor, "/login/passkey/start", "");
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    let answer = json(&reply);
    assert_eq!(answer["options"]["mediation"], "conditional");
    let options = &answer["options"]["publicKey"];
    assert_eq!(options["rpId"], "localhost");
    assert_eq!(options["userVerification"], "required");
    let allowed = options["allowCredentials"].as_array().map_or(0, Vec::len);
    assert_eq!(allowed, 0, "no account is named before the passkey answers");
}

#[test]
fn a_passwordless_ceremony_belongs_to_the_browser_that_started_it() {
    let app = TestApp::spawn();
    let mut visitor = app.browser();
    let ceremony = ceremony_of(&call(&mut visitor, "/login/passkey/start", ""));
    let mut other = app.browser();
    let reply = call(
        &mut other,
        "/login/passkey/finish",
        &forged_assertion(&ceremony, None),
    );
    assert_eq!(reply.status, Status::BadRequest, "{}", reply.body);
    let own = call(
        &mut visitor,
        "/login/passkey/finish",
        &forged_assertion(&ceremony, None),
    );
    assert_eq!(own.status, Status::BadRequest, "spent by the first attempt");
}

#[test]
fn an_unsigned_assertion_opens_no_session_and_is_audited() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let handle = handle_of(&app, "alice@example.com");
    let mut mallory = app.browser();
    let ceremony = ceremony_of(&call(&mut mallory, "/login/passkey/start", ""));
    let body = forged_assertion(&ceremony, Some(&handle));
    let reply = call(&mut mallory, "/login/passkey/finish", &body);
    assert_eq!(reply.status, Status::Unauthorized, "{}", reply.body);
    assert_eq!(json(&reply)["error"], "That passkey was not accepted.");
    assert!(
        reply.set_cookie("portcullis").is_none(),
        "no session cookie"
    );
    assert_eq!(mallory.get("/account").status, Status::SeeOther);
    let events = app.auth().store().audit_events(0, 100, None).unwrap();
    assert!(events.iter().any(|e| e.kind == AuditKind::PasskeyFailed));
    let unknown = ceremony_of(&call(&mut mallory, "/login/passkey/start", ""));
    let body = forged_assertion(&unknown, Some("AAAAAAAAAAAAAAAAAAAAAA"));
    let reply = call(&mut mallory, "/login/passkey/finish", &body);
    assert_eq!(
        reply.status,
        Status::Unauthorized,
        "an unknown account says the same"
    );
}

#[test]
fn refused_passkeys_count_against_the_account_like_wrong_passwords() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let handle = handle_of(&app, "alice@example.com");
    let mut mallory = app.browser();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let ceremony = ceremony_of(&call(&mut mallory, "/login/passkey/start", ""));
        let body = forged_assertion(&ceremony, Some(&handle));
        statuses.push(call(&mut mallory, "/login/passkey/finish", &body).status);
    }
    assert_eq!(
        statuses.last(),
        Some(&Status::TooManyRequests),
        "{statuses:?}"
    );
    let password = app
        .browser()
        .login("alice@example.com", crate::helpers::PASSWORD);
    assert_eq!(
        password.status,
        Status::TooManyRequests,
        "the same account back-off"
    );
}

#[test]
fn the_second_step_and_reauth_need_their_precondition() {
    let app = TestApp::spawn();
    let mut visitor = app.browser();
    let reply = call(&mut visitor, "/login/second-factor/passkey/start", "");
    assert_eq!(reply.status, Status::BadRequest, "no pending login");
    let body = forged_assertion("nope", None);
    let reply = call(&mut visitor, "/login/second-factor/passkey/finish", &body);
    assert_eq!(reply.status, Status::BadRequest);
    let mut alice = registered(&app, "alice@example.com");
    let reply = call(&mut alice, "/reauth/passkey/start", "");
    assert_eq!(reply.status, Status::NotFound, "alice has no passkey");
    let reply = call(
        &mut alice,
        "/reauth/passkey/finish",
        &forged_assertion("nope", None),
    );
    assert_eq!(reply.status, Status::BadRequest);
    let page = alice.get("/reauth");
    assert!(!page.body.contains("Confirm with a passkey"));
}
