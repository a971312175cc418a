//! Browser sessions: sliding refresh, idle and absolute limits, "remember me",
//! persistence across restarts (SPEC §1, §2).

use std::time::Duration;

use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, registered};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn an_expired_access_token_with_a_live_session_is_refreshed_transparently() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, "alice@example.com");
    let before = browser.session_cookie().unwrap();
    app.advance(16 * MINUTE);

    let reply = browser.get("/account");

    assert_eq!(reply.status, Status::Ok);
    let renewed = reply
        .set_cookie("portcullis")
        .expect("a new session cookie is sent");
    assert_ne!(renewed.value(), before);
    assert_eq!(browser.get("/account").status, Status::Ok);
}

#[test]
fn an_unexpired_token_is_not_reissued_on_every_request() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, "alice@example.com");
    app.advance(5 * MINUTE);

    let reply = browser.get("/account");

    assert_eq!(reply.status, Status::Ok);
    assert!(reply.set_cookie("portcullis").is_none());
}

#[test]
fn the_idle_timeout_ends_the_session() {
    let app = TestApp::spawn_with(&[("session_idle_timeout", "2h".into())]);
    let mut browser = registered(&app, "alice@example.com");
    app.advance(2 * HOUR + MINUTE);

    let reply = browser.get("/account");

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/login?rd=%2Faccount"));
    assert_eq!(browser.session_cookie(), None, "the dead cookie is cleared");
}

#[test]
fn activity_keeps_a_session_alive_past_the_idle_timeout() {
    let app = TestApp::spawn_with(&[("session_idle_timeout", "1h".into())]);
    let mut browser = registered(&app, "alice@example.com");

    for _ in 0..6 {
        app.advance(20 * MINUTE);
        assert_eq!(browser.get("/account").status, Status::Ok);
    }
}

#[test]
fn the_absolute_lifetime_ends_even_an_active_session() {
    let app = TestApp::spawn_with(&[("session_lifetime", "1h".into())]);
    let mut browser = registered(&app, "alice@example.com");
    for _ in 0..3 {
        app.advance(14 * MINUTE);
        assert_eq!(browser.get("/account").status, Status::Ok);
    }

    app.advance(20 * MINUTE);
    let reply = browser.get("/account");

    assert_eq!(reply.status, Status::SeeOther);
}

#[test]
fn without_remember_me_the_cookie_dies_with_the_browser() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let mut browser = app.browser();

    let reply = browser.login("alice@example.com", PASSWORD);

    let cookie = reply.set_cookie("portcullis").unwrap();
    assert_eq!(cookie.max_age(), None);
    assert!(
        cookie.expires().is_none_or(|e| e.datetime().is_none()),
        "no Expires either"
    );
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(cookie::SameSite::Lax));
    assert_eq!(cookie.path(), Some("/"));
}

#[test]
fn with_remember_me_the_cookie_lasts_to_the_session_end() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let mut browser = app.browser();

    let reply = browser.post_form(
        "/login",
        &[
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("remember", "on"),
        ],
    );

    let cookie = reply.set_cookie("portcullis").unwrap();
    assert_eq!(cookie.max_age(), Some(time::Duration::days(30)));
}

#[test]
fn remember_me_uses_the_longer_idle_timeout() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let mut remembered = app.browser();
    remembered.post_form(
        "/login",
        &[
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("remember", "on"),
        ],
    );
    let mut forgotten = app.browser();
    forgotten.login("alice@example.com", PASSWORD);

    app.advance(2 * 24 * HOUR);

    assert_eq!(remembered.get("/account").status, Status::Ok);
    assert_eq!(forgotten.get("/account").status, Status::SeeOther);
}

#[test]
fn users_and_sessions_survive_a_restart() {
    let app = TestApp::spawn();
    let browser = registered(&app, "alice@example.com");
    let cookie = browser.session_cookie().unwrap();

    let app = app.restart();

    let mut same_device = app.browser();
    same_device.cookies.insert("portcullis".into(), cookie);
    assert_eq!(same_device.get("/account").status, Status::Ok);
    assert_eq!(
        app.login_status("alice@example.com", PASSWORD),
        Status::SeeOther
    );
}

#[test]
fn a_logged_out_session_stays_dead_after_a_restart() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, "alice@example.com");
    let cookie = browser.session_cookie().unwrap();
    browser.logout();

    let app = app.restart();

    let mut replay = app.browser();
    replay.cookies.insert("portcullis".into(), cookie);
    assert_eq!(replay.get("/account").status, Status::SeeOther);
}

#[test]
fn a_tampered_cookie_is_dropped_and_the_visitor_is_anonymous() {
    let app = TestApp::spawn();
    let browser = registered(&app, "alice@example.com");
    let mut cookie = browser.session_cookie().unwrap();
    let last = cookie.pop().unwrap();
    cookie.push(if last == 'A' { 'B' } else { 'A' });
    let mut forger = app.browser();
    forger.cookies.insert("portcullis".into(), cookie);

    let reply = forger.get("/account");

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/login?rd=%2Faccount"));
    assert_eq!(forger.session_cookie(), None, "the bad cookie is removed");
}

#[test]
fn garbage_in_the_cookie_is_treated_as_anonymous() {
    let app = TestApp::spawn();
    let mut browser = app.browser();
    browser
        .cookies
        .insert("portcullis".into(), "\u{1}not-a-token%%".into());

    let reply = browser.get("/");

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/login"));
}
