//! Who must have a second factor, and proving it again (SPEC §10): enrol before
//! anything else under `second_factor`/`second_factor_groups`, a re-authentication
//! that asks for the code, the step-up of a session without a factor, and the
//! administrator's and command line's reset.

use std::time::Duration;

use portcullis::auth::Client;
use portcullis::authz::rules::Rules;
use portcullis::config::Config;
use portcullis::domain::audit::AuditKind;
use portcullis::domain::{Email, UserId};
use rocket::figment::value::Value;
use rocket::http::Status;
use serde_json::json;

use super::{code_now, enrolled};
use crate::api::{Api, assert_error};
use crate::helpers::{Browser, PASSWORD, TestApp, between, block_on, registered};

pub fn user_id(app: &TestApp, email: &str) -> UserId {
    let email = Email::parse(email).unwrap();
    app.auth().accounts().by_email(&email).unwrap().unwrap().id
}

/// Puts `email` in `groups` (which signs them out) and signs them in again.
fn in_groups<'a>(app: &'a TestApp, email: &str, groups: &[&str]) -> Browser<'a> {
    let groups = groups.iter().map(|g| g.to_string()).collect();
    let id = user_id(app, email);
    block_on(
        app.auth()
            .accounts()
            .set_groups(&id, groups, &Client::default()),
    )
    .unwrap();
    let mut browser = app.browser();
    assert_eq!(browser.login(email, PASSWORD).status, Status::SeeOther);
    browser
}

fn staff_must_enrol() -> TestApp {
    let groups = Value::serialize(json!(["staff"])).unwrap();
    TestApp::spawn_with(&[("second_factor_groups", groups)])
}

/// Enrols an authenticator app in `browser`; returns the secret.
pub fn enrol(app: &TestApp, browser: &mut Browser<'_>) -> String {
    let page = browser.post_form("/account/totp", &[]);
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let secret = between(&page.body, "id=\"totp-secret\">", "<").unwrap();
    let secret = secret.to_owned();
    let done = browser.post_form(
        "/account/totp/confirm",
        &[("code", &code_now(app, &secret))],
    );
    assert_eq!(done.status, Status::Ok, "{}", done.body);
    app.advance(Duration::from_secs(30));
    secret
}

#[test]
fn a_member_of_a_required_group_without_a_factor_enrols_before_any_other_page() {
    let app = staff_must_enrol();
    registered(&app, "alice@example.com");
    registered(&app, "bob@example.com");
    let mut alice = in_groups(&app, "alice@example.com", &["staff"]);
    let mut bob = in_groups(&app, "bob@example.com", &["wiki"]);

    for (page, sent) in [
        ("/account", "/account/security"),
        (
            "/account/tokens",
            "/account/security?rd=%2Faccount%2Ftokens",
        ),
        (
            "/account/password",
            "/account/security?rd=%2Faccount%2Fpassword",
        ),
    ] {
        let reply = alice.get(page);
        assert_eq!(reply.status, Status::SeeOther, "{page}");
        assert_eq!(reply.location(), Some(sent), "{page}");
    }
    let home = alice.get("/");
    let home = alice.get(home.location().unwrap());
    assert_eq!(home.location(), Some("/account/security"));
    let security = alice.get("/account/security?rd=%2Faccount%2Ftokens");
    assert_eq!(security.status, Status::Ok);
    assert!(
        security.body.contains("id=\"must-enrol\""),
        "{}",
        security.body
    );
    assert_eq!(bob.get("/account").status, Status::Ok, "not in the group");

    // The way back is kept through the enrolment.
    let rd = ("rd", "/account/tokens");
    let page = alice.post_form("/account/totp", &[rd]);
    assert!(
        page.body
            .contains("name=\"rd\" value=\"&#x2F;account&#x2F;tokens\"")
    );
    let secret = between(&page.body, "id=\"totp-secret\">", "<")
        .unwrap()
        .to_owned();
    let code = code_now(&app, &secret);
    let codes = alice.post_form("/account/totp/confirm", &[("code", &code), rd]);
    assert_eq!(codes.status, Status::Ok, "{}", codes.body);
    assert!(
        codes
            .body
            .contains("href=\"&#x2F;account&#x2F;tokens\">I have saved them"),
        "{}",
        codes.body
    );
    assert_eq!(
        alice.get("/account/tokens").status,
        Status::Ok,
        "enrolled: free to go"
    );
    assert_eq!(alice.get("/account").status, Status::Ok);
    let security = alice.get("/account/security");
    assert!(!security.body.contains("id=\"must-enrol\""));
}

#[test]
fn second_factor_required_applies_to_everyone_and_to_the_api() {
    let app = TestApp::spawn_with(&[("second_factor", "required".into())]);
    let mut alice = registered(&app, "alice@example.com");
    assert_eq!(alice.get("/account").location(), Some("/account/security"));
    let posted = alice.post_form("/account/sessions/revoke-others", &[]);
    assert_eq!(posted.location(), Some("/account/security"), "forms too");
    assert_eq!(
        alice.logout().location(),
        Some("/login"),
        "signing out works"
    );

    let api = Api::new(&app);
    let pair = api.signed_up("bob@example.com");
    assert_error(
        &api.me(&pair.access),
        403,
        "second_factor_enrolment_required",
    );
    let out = api.delete("/api/v1/sessions/current", &pair.access);
    assert_eq!(out.status, Status::NoContent, "signing out works");
    assert_error(&api.me(&pair.access), 401, "session_ended");
}

fn settings(key: &str, value: Value) -> rocket::figment::Figment {
    let mut dict = rocket::figment::value::Dict::new();
    dict.insert(key.into(), value);
    crate::helpers::figment(&dict)
}

fn rule_error(rules: serde_json::Value) -> String {
    let figment = settings("access_rules", Value::serialize(rules).unwrap());
    let config = Config::from_figment(&figment).expect("the table itself is fine");
    Rules::compile(config.default_policy, &config.access_rules)
        .expect_err("the rule is refused")
        .to_string()
}

#[test]
fn bad_second_factor_settings_are_refused_by_name() {
    let refused = Config::from_figment(&settings("second_factor", "sometimes".into()));
    let message = refused.expect_err("refused").to_string();
    assert!(message.contains("second_factor"), "{message}");
    let message = rule_error(json!([{"domain": "a.example.com", "policy": "allow",
                                     "max_auth_age": "1h"}]));
    assert!(message.contains("max_auth_age"), "{message}");
    let soon = json!([{"domain": "a.example.com", "policy": "two_factor", "max_auth_age": "soon"}]);
    let figment = settings("access_rules", Value::serialize(soon).unwrap());
    let message = Config::from_figment(&figment)
        .expect_err("refused")
        .to_string();
    assert!(message.contains("access_rules"), "{message}");
}

#[test]
fn re_authentication_of_a_user_with_a_factor_asks_for_the_code() {
    let app = TestApp::spawn();
    let mut alice = enrolled(&app, "alice@example.com");
    app.advance(Duration::from_secs(11 * 60));
    let stale = alice.browser.post_form("/account/recovery-codes", &[]);
    let back = Some("/reauth?rd=%2Faccount%2Fsecurity");
    assert_eq!(stale.location(), back, "back to the page the form is on");
    let form = alice.browser.get("/reauth?rd=/account/security");
    assert!(form.body.contains("name=\"code\""), "{}", form.body);

    let rd = ("rd", "/account/security");
    let password_only = alice
        .browser
        .post_form("/reauth", &[("password", PASSWORD), rd]);
    assert_eq!(password_only.status, Status::Unauthorized);
    let wrong = [("password", PASSWORD), ("code", "000000"), rd];
    assert_eq!(
        alice.browser.post_form("/reauth", &wrong).status,
        Status::Unauthorized
    );
    let code = code_now(&app, &alice.secret);
    let wrong_password = [
        ("password", "not the password"),
        ("code", code.as_str()),
        rd,
    ];
    assert_eq!(
        alice.browser.post_form("/reauth", &wrong_password).status,
        Status::Unauthorized
    );
    let right = [("password", PASSWORD), ("code", code.as_str()), rd];
    let done = alice.browser.post_form("/reauth", &right);
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    assert_eq!(done.location(), Some("/account/security"));
    let page = alice.browser.post_form("/account/recovery-codes", &[]);
    assert_eq!(page.status, Status::Ok, "fresh now");

    app.advance(Duration::from_secs(11 * 60));
    let recovery = [
        ("password", PASSWORD),
        ("code", alice.recovery[0].as_str()),
        rd,
    ];
    assert_eq!(
        alice.browser.post_form("/reauth", &recovery).status,
        Status::Unauthorized,
        "the codes were just replaced"
    );
    let events = app.auth().store().audit_events(0, 100, None).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == AuditKind::SecondFactorFailed)
    );
}

#[test]
fn wrong_codes_at_re_authentication_are_throttled_even_with_the_right_password() {
    let app = TestApp::spawn();
    let mut alice = enrolled(&app, "alice@example.com");
    app.advance(Duration::from_secs(11 * 60));
    let wrong = [("password", PASSWORD), ("code", "000000")];
    let statuses: Vec<Status> = (0..8)
        .map(|_| alice.browser.post_form("/reauth", &wrong).status)
        .collect();
    assert!(statuses.contains(&Status::TooManyRequests), "{statuses:?}");
}

#[test]
fn a_session_without_the_factor_steps_up_on_the_second_factor_page() {
    let app = TestApp::spawn();
    let mut before = registered(&app, "alice@example.com");
    let mut phone = app.browser();
    phone.login("alice@example.com", PASSWORD);
    let secret = enrol(&app, &mut before);
    let remove = phone.post_form("/account/totp/remove", &[]);
    let fresh_password_only = remove.location().unwrap_or_default();
    assert!(
        fresh_password_only.starts_with("/reauth?rd="),
        "a recent password without the factor is not fresh: {fresh_password_only}"
    );

    let rd = "/account/security";
    let form = phone.get("/login/second-factor?rd=%2Faccount%2Fsecurity");
    assert_eq!(form.status, Status::Ok, "{}", form.body);
    assert!(form.body.contains("This page needs your second factor"));
    let wrong = phone.post_form("/login/second-factor", &[("code", "000000"), ("rd", rd)]);
    assert_eq!(wrong.status, Status::Unauthorized);
    let code = code_now(&app, &secret);
    let done = phone.post_form("/login/second-factor", &[("code", &code), ("rd", rd)]);
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    assert_eq!(done.location(), Some(rd));
    let again = phone.get("/login/second-factor?rd=%2Faccount%2Fsecurity");
    assert_eq!(again.location(), Some(rd), "already proven: straight back");
    assert!(phone.get("/account").body.contains("2FA"));
}
