//! Sessions users control (SPEC §2, §3): every revocation is refused on the very next
//! request, survives a restart, and a copied cookie ends its session.

use std::time::Duration;

use portcullis::domain::audit::AuditKind;
use rocket::http::Status;

use crate::helpers::{Browser, PASSWORD, Reply, TestApp, only_the_new_password_opens, registered};

const NEW_PASSWORD: &str = "a brand new passphrase";

/// Alice on a laptop (registered there) and on a phone.
fn two_devices(app: &TestApp) -> (Browser<'_>, Browser<'_>) {
    let laptop = registered(app, "alice@example.com");
    let mut phone = app.browser();
    assert_eq!(
        phone.login("alice@example.com", PASSWORD).status,
        Status::SeeOther
    );
    (laptop, phone)
}

/// Posts the password form: `current` to confirm, `new` to set.
fn change_password(browser: &mut Browser<'_>, current: &str, new: &str) -> Reply {
    let fields = [("current_password", current), ("new_password", new)];
    browser.post_form("/account/password", &fields)
}

fn is_logged_in(browser: &mut Browser<'_>) -> bool {
    browser.get("/account").status == Status::Ok
}

#[test]
fn signing_out_other_devices_keeps_this_one() {
    let app = TestApp::spawn();
    let (mut laptop, mut phone) = two_devices(&app);

    let reply = laptop.post_form("/account/sessions/revoke-others", &[]);

    assert_eq!(reply.location(), Some("/account"));
    assert!(!is_logged_in(&mut phone));
    assert!(is_logged_in(&mut laptop));
}

#[test]
fn logging_out_everywhere_kills_every_device_and_every_copy() {
    let app = TestApp::spawn();
    let (mut laptop, mut phone) = two_devices(&app);
    let mut laptop_copy = app.browser();
    laptop_copy.cookies = laptop.cookies.clone();

    let reply = laptop.post_form("/account/logout-everywhere", &[]);

    assert_eq!(reply.location(), Some("/login"));
    assert!(!is_logged_in(&mut laptop));
    assert!(!is_logged_in(&mut laptop_copy));
    assert!(!is_logged_in(&mut phone));
    assert!(is_logged_in(&mut {
        let mut again = app.browser();
        again.login("alice@example.com", PASSWORD);
        again
    }));
}

#[test]
fn changing_the_password_ends_other_sessions_and_keeps_this_one() {
    let app = TestApp::spawn();
    let (mut laptop, mut phone) = two_devices(&app);

    let reply = change_password(&mut laptop, PASSWORD, NEW_PASSWORD);

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/account"));
    assert!(is_logged_in(&mut laptop));
    assert!(!is_logged_in(&mut phone));
    only_the_new_password_opens(&app, "alice@example.com", NEW_PASSWORD);
}

#[test]
fn a_wrong_current_password_is_403_and_changes_nothing() {
    let app = TestApp::spawn();
    let (mut laptop, mut phone) = two_devices(&app);

    let reply = change_password(&mut laptop, "not my password", NEW_PASSWORD);

    assert_eq!(reply.status, Status::Forbidden);
    assert!(is_logged_in(&mut phone));
    assert_eq!(
        app.login_status("alice@example.com", PASSWORD),
        Status::SeeOther
    );
}

#[test]
fn a_weak_new_password_is_422_with_the_reason() {
    let app = TestApp::spawn();
    let mut laptop = registered(&app, "alice@example.com");

    let reply = change_password(&mut laptop, PASSWORD, "short");

    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("Use at least 12 characters."));
}

#[test]
fn a_stale_session_must_confirm_the_password_before_changing_it() {
    let app = TestApp::spawn();
    let mut laptop = registered(&app, "alice@example.com");
    app.advance(Duration::from_secs(11 * 60));

    let page = laptop.get("/account/password");
    let submit = change_password(&mut laptop, PASSWORD, NEW_PASSWORD);

    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(page.location(), Some("/reauth?rd=%2Faccount%2Fpassword"));
    assert_eq!(submit.location(), Some("/reauth?rd=%2Faccount%2Fpassword"));
    assert_eq!(
        app.login_status("alice@example.com", PASSWORD),
        Status::SeeOther
    );
}

#[test]
fn confirming_the_password_unlocks_the_page_and_returns_to_it() {
    let app = TestApp::spawn();
    let mut laptop = registered(&app, "alice@example.com");
    app.advance(Duration::from_secs(11 * 60));

    let wrong = laptop.post_form(
        "/reauth",
        &[("password", "nope nope nope"), ("rd", "/account/password")],
    );
    let right = laptop.post_form(
        "/reauth",
        &[("password", PASSWORD), ("rd", "/account/password")],
    );

    assert_eq!(wrong.status, Status::Unauthorized);
    assert_eq!(right.status, Status::SeeOther);
    assert_eq!(right.location(), Some("/account/password"));
    assert_eq!(laptop.get("/account/password").status, Status::Ok);
    app.advance(Duration::from_secs(11 * 60));
    assert_eq!(
        laptop.get("/account/password").status,
        Status::SeeOther,
        "the window closes again"
    );
}

#[test]
fn a_revoked_session_stays_revoked_after_a_restart() {
    let app = TestApp::spawn();
    let (mut laptop, phone) = two_devices(&app);
    let phone_cookies = phone.cookies.clone();
    laptop.post_form("/account/sessions/revoke-others", &[]);
    let laptop_cookies = laptop.cookies.clone();

    let app = app.restart();

    let mut phone = app.browser();
    phone.cookies = phone_cookies;
    let mut laptop = app.browser();
    laptop.cookies = laptop_cookies;
    assert!(!is_logged_in(&mut phone));
    assert!(is_logged_in(&mut laptop));
}

#[test]
fn old_generation_tokens_stay_dead_after_a_restart() {
    let app = TestApp::spawn();
    let (mut laptop, phone) = two_devices(&app);
    let phone_cookies = phone.cookies.clone();
    change_password(&mut laptop, PASSWORD, NEW_PASSWORD);

    let app = app.restart();

    let mut phone = app.browser();
    phone.cookies = phone_cookies;
    assert!(!is_logged_in(&mut phone));
}

#[test]
fn a_copied_cookie_used_after_the_owner_refreshed_ends_the_session() {
    let app = TestApp::spawn();
    let mut owner = registered(&app, "alice@example.com");
    let mut thief = app.browser();
    thief.cookies = owner.cookies.clone();
    app.advance(Duration::from_secs(16 * 60));
    assert!(
        is_logged_in(&mut owner),
        "the owner's refresh rotates the session"
    );
    app.advance(Duration::from_secs(60));

    let stolen = thief.get("/account");

    assert_eq!(stolen.status, Status::SeeOther);
    assert!(!is_logged_in(&mut owner), "the whole session is revoked");
    let events = app.auth().store().audit_events(0, 10, None).unwrap();
    assert!(events.iter().any(|e| e.kind == AuditKind::CredentialReuse));
}

#[test]
fn tabs_refreshing_at_once_do_not_log_the_user_out() {
    let app = TestApp::spawn();
    let mut first_tab = registered(&app, "alice@example.com");
    let mut second_tab = app.browser();
    second_tab.cookies = first_tab.cookies.clone();
    app.advance(Duration::from_secs(16 * 60));

    let first = first_tab.get("/account");
    app.advance(Duration::from_secs(3));
    let second = second_tab.get("/account");

    assert_eq!(first.status, Status::Ok);
    assert_eq!(second.status, Status::Ok);
    assert!(is_logged_in(&mut first_tab));
    assert!(is_logged_in(&mut second_tab));
}

#[test]
fn revocations_are_recorded_in_the_audit_log() {
    let app = TestApp::spawn();
    let (mut laptop, _phone) = two_devices(&app);
    laptop.post_form("/account/sessions/revoke-others", &[]);
    laptop.post_form("/account/logout-everywhere", &[]);

    let kinds: Vec<AuditKind> = app
        .auth()
        .store()
        .audit_events(0, 50, None)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();

    for expected in [
        AuditKind::Registered,
        AuditKind::LoginSucceeded,
        AuditKind::OtherSessionsRevoked,
        AuditKind::LoggedOutEverywhere,
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected:?} missing from {kinds:?}"
        );
    }
}
