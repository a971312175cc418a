//! Sessions that follow people (SPEC §11 `idle_counts`): only navigations keep a
//! browser session from going idle; a page polling in the background does not.

use std::time::Duration;

use rocket::figment::value::Value;
use rocket::http::Status;

use crate::helpers::{Browser, PASSWORD, Reply, TestApp, registered};

const MINUTE: Duration = Duration::from_secs(60);

/// What Chromium and Firefox send with a `fetch()` from a page.
const FETCH: [(&str, &str); 3] = [
    ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Dest", "empty"),
    ("Sec-Fetch-Site", "same-origin"),
];

/// What they send when a person follows a link or types the address.
const NAVIGATE: [(&str, &str); 3] = [
    ("Sec-Fetch-Mode", "navigate"),
    ("Sec-Fetch-Dest", "document"),
    ("Sec-Fetch-Site", "none"),
];

fn spawn(idle_counts: Option<&str>) -> TestApp {
    let mut settings = vec![("session_idle_timeout", Value::from("1h"))];
    if let Some(mode) = idle_counts {
        settings.push(("idle_counts", mode.into()));
    }
    TestApp::spawn_with(&settings)
}

fn poll(browser: &mut Browser<'_>) -> Reply {
    browser.get_with("/account", &FETCH)
}

#[test]
fn a_page_polling_in_the_background_is_signed_out_at_its_idle_limit() {
    let app = spawn(None);
    let mut browser = registered(&app, "alice@example.com");
    let first = browser.session_cookie();

    for _ in 0..5 {
        app.advance(10 * MINUTE);
        assert_eq!(
            poll(&mut browser).status,
            Status::Ok,
            "background requests work"
        );
    }
    assert_ne!(browser.session_cookie(), first, "their tokens were renewed");

    app.advance(10 * MINUTE);
    let reply = poll(&mut browser);

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(
        browser.session_cookie(),
        None,
        "the session ended an hour after login"
    );
    assert_eq!(
        browser.get_with("/account", &NAVIGATE).status,
        Status::SeeOther
    );
}

#[test]
fn with_idle_counts_any_polling_keeps_the_session_alive() {
    let app = spawn(Some("any"));
    let mut browser = registered(&app, "alice@example.com");

    for _ in 0..15 {
        app.advance(10 * MINUTE);
        assert_eq!(poll(&mut browser).status, Status::Ok);
    }
}

#[test]
fn a_navigation_between_polls_keeps_the_session_alive() {
    let app = spawn(Some("navigation"));
    let mut browser = registered(&app, "alice@example.com");

    for round in 1..=15 {
        app.advance(10 * MINUTE);
        if round % 5 == 0 {
            // The token a poll renewed is still valid, but a person is back: it is
            // renewed once more so that "last seen" says so.
            let reply = browser.get_with("/account", &NAVIGATE);
            assert_eq!(reply.status, Status::Ok);
            assert!(reply.set_cookie("portcullis").is_some(), "round {round}");
        } else {
            assert_eq!(poll(&mut browser).status, Status::Ok, "round {round}");
        }
    }
    // The last navigation was at 150 minutes: polls alone end it an hour later.
    app.advance(55 * MINUTE);
    assert_eq!(poll(&mut browser).status, Status::Ok);
    app.advance(10 * MINUTE);
    assert_eq!(poll(&mut browser).status, Status::SeeOther);
}

#[test]
fn a_navigation_on_a_fresh_token_writes_no_new_cookie() {
    let app = spawn(None);
    let mut browser = registered(&app, "alice@example.com");
    app.advance(5 * MINUTE);

    let reply = browser.get_with("/account", &NAVIGATE);

    assert_eq!(reply.status, Status::Ok);
    assert!(reply.set_cookie("portcullis").is_none());
}

#[test]
fn a_frame_navigation_is_not_a_person() {
    let app = spawn(None);
    let mut browser = registered(&app, "alice@example.com");
    let frame = [("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "iframe")];
    for _ in 0..5 {
        app.advance(10 * MINUTE);
        assert_eq!(browser.get_with("/account", &frame).status, Status::Ok);
    }
    app.advance(10 * MINUTE);
    assert_eq!(
        browser.get_with("/account", &frame).status,
        Status::SeeOther
    );
}

#[test]
fn requests_without_sec_fetch_headers_count() {
    let app = spawn(None);
    let mut browser = registered(&app, "alice@example.com");
    for _ in 0..12 {
        app.advance(10 * MINUTE);
        assert_eq!(browser.get("/account").status, Status::Ok);
    }
}

/// A forward-auth check by nginx for a cookie, with the original request's
/// `Sec-Fetch-*` headers forwarded.
fn check(browser: &mut Browser<'_>, sec_fetch: &[(&str, &str)]) -> Status {
    let mut headers = vec![
        ("X-Original-URL", "https://app.example.com/"),
        ("X-Original-Method", "GET"),
    ];
    headers.extend_from_slice(sec_fetch);
    browser.get_with("/api/authz/auth-request", &headers).status
}

fn behind_proxy(app: &TestApp) -> Browser<'_> {
    let mut browser = registered(app, "alice@example.com");
    browser.remote = Some("127.0.0.1:50000".parse().unwrap());
    browser
}

#[test]
fn forward_auth_checks_of_background_requests_do_not_extend_the_session() {
    let app = spawn(None);
    let mut browser = behind_proxy(&app);
    for _ in 0..5 {
        app.advance(10 * MINUTE);
        assert_eq!(check(&mut browser, &FETCH), Status::Ok);
    }
    app.advance(10 * MINUTE);
    assert_eq!(check(&mut browser, &FETCH), Status::Unauthorized);
}

#[test]
fn forward_auth_checks_of_navigations_extend_the_session() {
    let app = spawn(None);
    let mut browser = behind_proxy(&app);
    for _ in 0..12 {
        app.advance(10 * MINUTE);
        assert_eq!(check(&mut browser, &NAVIGATE), Status::Ok);
    }
}

#[test]
fn the_cookie_a_password_change_sets_is_not_renewed_again() {
    // The device that changes the password goes on with a new token. A person
    // typed that password, so the token is not a background renewal's: the next
    // navigations do not renew it, and a client that keeps presenting it (curl
    // with a read-only cookie jar) stays signed in past the reuse grace window.
    let app = spawn(None);
    let mut browser = registered(&app, "alice@example.com");
    app.advance(5 * MINUTE);
    let changed = browser.post_form(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a different horse battery staple"),
        ],
    );
    assert_eq!(changed.status, Status::SeeOther);
    assert_eq!(changed.location(), Some("/account"));
    let kept = browser.cookies.clone();

    for round in 0..3 {
        app.advance(MINUTE);
        browser.cookies = kept.clone();
        let reply = browser.get_with("/account", &NAVIGATE);
        assert_eq!(reply.status, Status::Ok, "round {round}");
        assert!(reply.set_cookie("portcullis").is_none(), "round {round}");
    }
}
