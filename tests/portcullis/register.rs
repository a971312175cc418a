//! `/register` (SPEC §3).

use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, registered};

#[test]
fn registering_logs_the_new_user_in() {
    let app = TestApp::spawn();
    let mut browser = app.browser();

    let reply = browser.register("alice@example.com", PASSWORD);

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/account"));
    assert!(browser.session_cookie().is_some());
    let account = browser.get("/account");
    assert_eq!(account.status, Status::Ok);
    assert!(account.body.contains("alice@example.com"));
    assert!(account.body.contains("current"));
}

#[test]
fn a_taken_email_is_409_whatever_its_case_and_the_first_account_is_kept() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let mut intruder = app.browser();

    let reply = intruder.register("ALICE@Example.com", "another long passphrase");

    assert_eq!(reply.status, Status::Conflict);
    assert!(reply.body.contains("already exists"));
    assert_eq!(intruder.session_cookie(), None);
    assert_eq!(
        app.login_status("alice@example.com", PASSWORD),
        Status::SeeOther
    );
    assert_eq!(
        app.login_status("alice@example.com", "another long passphrase"),
        Status::Unauthorized
    );
}

#[test]
fn a_malformed_email_is_422_with_the_reason_shown() {
    let app = TestApp::spawn();

    let reply = app.browser().register("not-an-email", PASSWORD);

    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("Enter a valid email address."));
    assert!(
        reply.body.contains("value=\"not-an-email\""),
        "the form keeps what was typed"
    );
}

#[test]
fn a_short_password_is_422_with_the_reason_shown() {
    let app = TestApp::spawn();

    let reply = app.browser().register("bob@example.com", "short");

    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("Use at least 12 characters."));
}

#[test]
fn the_email_local_part_is_refused_as_a_password() {
    let app = TestApp::spawn();

    let reply = app
        .browser()
        .register("margaret.hamilton@example.com", "Margaret.Hamilton");

    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("Do not use your email address"));
}

#[test]
fn missing_fields_are_422_not_a_crash() {
    let app = TestApp::spawn();
    let mut browser = app.browser();

    let reply = browser.post_form("/register", &[("email", "carol@example.com")]);

    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("password"));
}

#[test]
fn a_password_over_1024_bytes_is_refused_before_hashing() {
    let app = TestApp::spawn();

    let reply = app
        .browser()
        .register("dave@example.com", &"x".repeat(1025));

    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("at most 1024 bytes"));
}

#[test]
fn a_one_mebibyte_password_is_refused_with_413() {
    let app = TestApp::spawn();

    let reply = app
        .browser()
        .register("erin@example.com", &"x".repeat(1 << 20));

    assert_eq!(reply.status, Status::PayloadTooLarge);
}

#[test]
fn a_non_utf8_body_is_a_clear_4xx() {
    let app = TestApp::spawn();
    let mut browser = app.browser();
    let token = browser.csrf_token();

    let body = format!("csrf_token={token}&email=%FF%FE@example.com&password=%C3%28aaaaaaaaaaaa");
    let reply = browser.post_raw("/register", body, &[]);

    assert!(reply.status.class().is_client_error(), "{}", reply.status);
}

#[test]
fn closed_registration_is_403() {
    let app = TestApp::spawn_with(&[("registration", "closed".into())]);

    let page = app.browser().get("/register");
    let reply = app.browser().register("frank@example.com", PASSWORD);

    assert_eq!(page.status, Status::Forbidden);
    assert_eq!(reply.status, Status::Forbidden);
    assert!(reply.body.contains("Registration is not open."));
}
