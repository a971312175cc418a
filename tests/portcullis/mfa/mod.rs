//! Second factors (SPEC §10): enrolling an authenticator app, the second login
//! step, recovery codes, and what an attacker with the password alone can do.
//! Codes are computed from the secret read off the enrolment page at the test
//! clock's time, so nothing sleeps.

mod api;
mod attacks;
mod policy;
mod reset;
mod rules;

use std::time::Duration;

use portcullis::auth::mfa::code_at;
use portcullis::domain::audit::AuditKind;
use rocket::http::Status;

use crate::helpers::{Browser, PASSWORD, TestApp, between, registered};

/// A registered user who enrolled an authenticator app: the browser, the secret,
/// and the recovery codes shown once. The enrolment code's step is spent, so the
/// clock is moved on one step.
pub struct Enrolled<'a> {
    pub browser: Browser<'a>,
    pub secret: String,
    pub recovery: Vec<String>,
}

pub fn enrolled<'a>(app: &'a TestApp, email: &str) -> Enrolled<'a> {
    let mut browser = registered(app, email);
    let page = browser.post_form("/account/totp", &[]);
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let secret = between(&page.body, "id=\"totp-secret\">", "<")
        .expect("secret")
        .to_owned();
    let code = code_at(&secret, app.auth().now()).unwrap();
    let done = browser.post_form("/account/totp/confirm", &[("code", &code)]);
    assert_eq!(done.status, Status::Ok, "{}", done.body);
    let recovery = done
        .body
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_owned)
        .collect();
    app.advance(Duration::from_secs(30));
    Enrolled {
        browser,
        secret,
        recovery,
    }
}

/// The current code.
pub fn code_now(app: &TestApp, secret: &str) -> String {
    code_at(secret, app.auth().now()).unwrap()
}

/// A new browser past the password step: it holds only the pending login.
pub fn past_password<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = app.browser();
    let reply = browser.login(email, PASSWORD);
    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    assert_eq!(reply.location(), Some("/login/second-factor"));
    browser
}

#[test]
fn enrolment_shows_a_qr_code_uri_and_secret_and_needs_one_valid_code() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, "alice@example.com");
    let page = browser.post_form("/account/totp", &[]);
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("<svg"), "inline SVG QR code");
    assert!(
        page.body.contains("otpauth:&#x2F;&#x2F;totp&#x2F;"),
        "the URI, HTML-escaped"
    );
    let secret = between(&page.body, "id=\"totp-secret\">", "<")
        .unwrap()
        .to_owned();
    let figure = between(&page.body, "<figure class=\"qr\"", "</figure>").unwrap();
    assert!(
        !figure.contains("<img") && !figure.contains("href"),
        "drawn here, not fetched"
    );

    let wrong = browser.post_form("/account/totp/confirm", &[("code", "000000")]);
    assert_eq!(wrong.status, Status::Unauthorized);
    assert!(wrong.body.contains("<svg"), "the QR code is shown again");
    assert!(
        browser
            .get("/account/security")
            .body
            .contains("Set up an authenticator app")
    );

    let code = code_now(&app, &secret);
    let done = browser.post_form("/account/totp/confirm", &[("code", &code)]);
    assert_eq!(done.status, Status::Ok);
    assert_eq!(
        done.body.matches("<li><code>").count(),
        10,
        "ten recovery codes"
    );
    let security = browser.get("/account/security");
    assert!(
        security
            .body
            .contains("<strong>10</strong> of 10 recovery codes left")
    );
}

#[test]
fn a_password_alone_opens_no_session_and_the_code_does() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let mut browser = past_password(&app, "alice@example.com");
    assert_eq!(
        browser.session_cookie(),
        None,
        "no session before the factor"
    );
    let account = browser.get("/account");
    assert_eq!(
        account.status,
        Status::SeeOther,
        "straight to /account does not work"
    );
    let form = browser.get("/login/second-factor");
    assert_eq!(form.status, Status::Ok);
    assert!(
        !form.body.contains("action=\"/logout\""),
        "no session yet, so no Sign out"
    );

    let code = code_now(&app, &alice.secret);
    let reply = browser.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    assert_eq!(reply.location(), Some("/account"));
    let account = browser.get("/account");
    assert_eq!(account.status, Status::Ok);
    assert!(
        account.body.contains("2FA"),
        "the session list shows the factor"
    );
}

#[test]
fn the_second_step_keeps_the_way_back() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let mut browser = app.browser();
    let reply = browser.post_form(
        "/login",
        &[
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("rd", "/account/security"),
        ],
    );
    assert_eq!(
        reply.location(),
        Some("/login/second-factor?rd=%2Faccount%2Fsecurity")
    );
    let form = browser.get(reply.location().unwrap());
    assert!(
        form.body
            .contains("name=\"rd\" value=\"&#x2F;account&#x2F;security\"")
    );
    let code = code_now(&app, &alice.secret);
    let fields = [("code", code.as_str()), ("rd", "/account/security")];
    let reply = browser.post_form("/login/second-factor", &fields);
    assert_eq!(reply.location(), Some("/account/security"));
}

#[test]
fn a_code_from_one_step_either_side_passes_and_two_steps_do_not() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    // Past the step spent at enrolment, so that the step before now is unused.
    app.advance(Duration::from_secs(60));
    let now = app.auth().now();
    for (offset, passes) in [(-60, false), (60, false), (-30, true)] {
        let mut browser = past_password(&app, "alice@example.com");
        let code = code_at(&alice.secret, now + offset).unwrap();
        let reply = browser.post_form("/login/second-factor", &[("code", &code)]);
        let expected = if passes {
            Status::SeeOther
        } else {
            Status::Unauthorized
        };
        assert_eq!(reply.status, expected, "offset {offset}");
    }
    // The previous step's code was spent above; the next step's is still good.
    let mut browser = past_password(&app, "alice@example.com");
    let code = code_at(&alice.secret, now + 30).unwrap();
    let reply = browser.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(reply.status, Status::SeeOther);
}

#[test]
fn recovery_codes_work_once_and_regenerating_replaces_them() {
    let app = TestApp::spawn();
    let mut alice = enrolled(&app, "alice@example.com");
    let mut browser = past_password(&app, "alice@example.com");
    let first = alice.recovery[0].to_uppercase();
    let reply = browser.post_form("/login/second-factor", &[("code", &first)]);
    assert_eq!(reply.status, Status::SeeOther);
    let security = browser.get("/account/security");
    assert!(
        security.body.contains("<strong>9</strong> of 10"),
        "{}",
        security.body
    );

    let mut again = past_password(&app, "alice@example.com");
    let reply = again.post_form("/login/second-factor", &[("code", &alice.recovery[0])]);
    assert_eq!(
        reply.status,
        Status::Unauthorized,
        "a recovery code works once"
    );

    let page = alice.browser.post_form("/account/recovery-codes", &[]);
    assert_eq!(page.status, Status::Ok);
    assert_eq!(page.body.matches("<li><code>").count(), 10);
    assert_eq!(
        browser.get("/account").status,
        Status::SeeOther,
        "other devices signed out"
    );
    let reply = again.post_form("/login/second-factor", &[("code", &alice.recovery[1])]);
    assert_eq!(reply.status, Status::Unauthorized, "old codes are void");
    let events = app.auth().store().audit_events(0, 100, None).unwrap();
    let used = events
        .iter()
        .filter(|e| e.kind == AuditKind::RecoveryCodeUsed);
    assert_eq!(used.count(), 1, "using a recovery code is audited");
}

#[test]
fn removing_the_app_needs_a_fresh_password_and_signs_out_other_devices() {
    let app = TestApp::spawn();
    let mut alice = enrolled(&app, "alice@example.com");
    let mut other = past_password(&app, "alice@example.com");
    let code = code_now(&app, &alice.secret);
    other.post_form("/login/second-factor", &[("code", &code)]);
    assert_eq!(other.get("/account").status, Status::Ok);

    app.advance(Duration::from_secs(11 * 60));
    let stale = alice.browser.post_form("/account/totp/remove", &[]);
    assert_eq!(stale.status, Status::SeeOther);
    assert!(
        stale.location().unwrap().starts_with("/reauth"),
        "{:?}",
        stale.location()
    );
    let code = code_now(&app, &alice.secret);
    let reauth = alice.browser.post_form(
        "/reauth",
        &[
            ("password", PASSWORD),
            ("code", &code),
            ("rd", "/account/security"),
        ],
    );
    assert_eq!(reauth.status, Status::SeeOther);

    let removed = alice.browser.post_form("/account/totp/remove", &[]);
    assert_eq!(removed.status, Status::SeeOther);
    assert_eq!(
        alice.browser.get("/account").status,
        Status::Ok,
        "this device stays"
    );
    assert_eq!(
        other.get("/account").status,
        Status::SeeOther,
        "the other is out"
    );
    let reply = app.browser().login("alice@example.com", PASSWORD);
    assert_eq!(
        reply.location(),
        Some("/account"),
        "the password alone is enough again"
    );
}
