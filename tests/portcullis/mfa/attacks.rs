//! What someone with the password but not the second factor can try (SPEC §10).

use std::time::Duration;

use rocket::http::Status;

use super::{code_now, enrolled, past_password};
use crate::helpers::PASSWORD;
use crate::helpers::TestApp;

#[test]
fn a_code_is_accepted_once() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let code = code_now(&app, &alice.secret);
    let mut first = past_password(&app, "alice@example.com");
    let reply = first.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(reply.status, Status::SeeOther);

    let mut second = past_password(&app, "alice@example.com");
    let replayed = second.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(replayed.status, Status::Unauthorized);
    assert_eq!(second.session_cookie(), None);
}

#[test]
fn the_enrolment_code_cannot_be_replayed_at_login() {
    let app = TestApp::spawn();
    let mut browser = crate::helpers::registered(&app, "alice@example.com");
    let page = browser.post_form("/account/totp", &[]);
    let secret = crate::helpers::between(&page.body, "id=\"totp-secret\">", "<").unwrap();
    let code = code_now(&app, secret);
    browser.post_form("/account/totp/confirm", &[("code", &code)]);
    let mut other = past_password(&app, "alice@example.com");
    let replayed = other.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(replayed.status, Status::Unauthorized);
}

#[test]
fn the_second_step_needs_the_first_and_is_bound_to_its_account() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let bob = enrolled(&app, "bob@example.com");

    let mut stranger = app.browser();
    let code = code_now(&app, &alice.secret);
    let reply = stranger.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(
        reply.status,
        Status::Unauthorized,
        "no password step, no session"
    );
    assert_eq!(stranger.session_cookie(), None);
    assert_eq!(
        stranger.get("/login/second-factor").status,
        Status::SeeOther
    );

    // Bob's password step, Alice's valid code: not Alice's session, not Bob's.
    let mut mallory = past_password(&app, "bob@example.com");
    let reply = mallory.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(reply.status, Status::Unauthorized);
    let code = code_now(&app, &bob.secret);
    let reply = mallory.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(reply.status, Status::SeeOther, "Bob's own code still works");
    let me = mallory.get("/account");
    assert!(me.body.contains("bob@example.com") && !me.body.contains("alice@example.com"));
}

#[test]
fn a_pending_login_is_single_use_and_expires_after_five_minutes() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let mut browser = past_password(&app, "alice@example.com");
    let pending = browser.cookies.get("portcullis_pending").cloned().unwrap();
    let code = code_now(&app, &alice.secret);
    browser.post_form("/login/second-factor", &[("code", &code)]);

    // The same pending cookie again, with the next valid code: used up.
    app.advance(Duration::from_secs(30));
    let mut copy = app.browser();
    copy.cookies.insert("portcullis_pending".into(), pending);
    let code = code_now(&app, &alice.secret);
    let reply = copy.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(reply.status, Status::Unauthorized);

    let mut slow = past_password(&app, "alice@example.com");
    app.advance(Duration::from_secs(5 * 60 + 1));
    let code = code_now(&app, &alice.secret);
    let reply = slow.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(reply.status, Status::Unauthorized);
    assert!(reply.body.contains("Sign in again"));
}

#[test]
fn wrong_codes_count_against_the_account_like_wrong_passwords() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let mut mallory = past_password(&app, "alice@example.com");
    let mut statuses = Vec::new();
    for guess in 0..6 {
        let code = format!("{:06}", 100_000 + guess);
        let reply = mallory.post_form("/login/second-factor", &[("code", &code)]);
        statuses.push(reply.status);
    }
    assert_eq!(
        statuses.last(),
        Some(&Status::TooManyRequests),
        "{statuses:?}"
    );
    // Entering the password again buys no fresh guesses.
    let reply = app.browser().login("alice@example.com", PASSWORD);
    assert_eq!(reply.status, Status::TooManyRequests);
    let _ = alice;
}

#[test]
fn a_browser_pending_login_is_not_an_api_mfa_token() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let browser = past_password(&app, "alice@example.com");
    let cookie = browser.cookies.get("portcullis_pending").cloned().unwrap();
    let api = crate::api::Api::new(&app);
    let code = code_now(&app, &alice.secret);
    let body = serde_json::json!({"mfa_token": cookie, "code": code});
    let reply = api.post("/api/v1/sessions/second-factor", &body);
    crate::api::assert_error(&reply, 401, "invalid_mfa_token");
}
