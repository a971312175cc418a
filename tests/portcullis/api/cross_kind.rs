//! Browser and API sessions are one list, ended by the same actions from either side
//! (SPEC §4).

use rocket::http::Method;
use serde_json::json;

use super::{Api, Pair, assert_pair_ended};
use crate::helpers::{Browser, PASSWORD, TestApp, registered};

fn is_logged_in(browser: &mut Browser<'_>) -> bool {
    browser.get("/account").status.code == 200
}

/// Alice in a browser (registered there) and in an app.
fn both(app: &TestApp) -> (Browser<'_>, Pair) {
    let browser = registered(app, "alice@example.com");
    let pair = Api::new(app).logged_in("alice@example.com");
    (browser, pair)
}

/// The session id of the browser's own session, from the API's list.
fn browser_session(api: &Api<'_>, pair: &Pair) -> String {
    let list = super::json_of(&api.get("/api/v1/sessions", &pair.access));
    list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "browser")
        .expect("a browser session")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn api_sessions_are_listed_on_the_account_page() {
    let app = TestApp::spawn();
    let (mut browser, pair) = both(&app);

    let page = browser.get("/account");

    assert!(page.body.contains("Alice&#x27;s phone") || page.body.contains("Alice's phone"));
    assert!(page.body.contains(&pair.session));
}

#[test]
fn revoking_an_api_session_from_the_account_page_refuses_its_tokens() {
    let app = TestApp::spawn();
    let (mut browser, pair) = both(&app);
    let api = Api::new(&app);

    let reply = browser.post_form(&format!("/account/sessions/{}/revoke", pair.session), &[]);

    assert_eq!(reply.location(), Some("/account"));
    assert_pair_ended(&api, &pair, "revoked_from_device");
    assert!(is_logged_in(&mut browser));
}

#[test]
fn revoking_a_browser_session_through_the_api_logs_the_browser_out() {
    let app = TestApp::spawn();
    let (mut browser, pair) = both(&app);
    let api = Api::new(&app);
    let id = browser_session(&api, &pair);

    let reply = api.delete(&format!("/api/v1/sessions/{id}"), &pair.access);

    assert_eq!(reply.status.code, 204);
    assert!(!is_logged_in(&mut browser));
    assert_eq!(api.me(&pair.access).status.code, 200);
}

#[test]
fn logging_out_everywhere_in_the_browser_ends_api_sessions() {
    let app = TestApp::spawn();
    let (mut browser, pair) = both(&app);
    let api = Api::new(&app);

    browser.post_form("/account/logout-everywhere", &[]);

    assert_pair_ended(&api, &pair, "logged_out_everywhere");
}

#[test]
fn logging_out_everywhere_through_the_api_ends_browser_sessions() {
    let app = TestApp::spawn();
    let (mut browser, pair) = both(&app);
    let api = Api::new(&app);

    let reply = api.send(
        Method::Post,
        "/api/v1/logout-everywhere",
        None,
        Some(&pair.access),
    );

    assert_eq!(reply.status.code, 204);
    assert!(!is_logged_in(&mut browser));
}

#[test]
fn a_password_change_in_the_browser_ends_api_sessions() {
    let app = TestApp::spawn();
    let (mut browser, pair) = both(&app);
    let api = Api::new(&app);

    let reply = browser.post_form(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a brand new passphrase"),
        ],
    );

    assert_eq!(reply.location(), Some("/account"));
    assert_pair_ended(&api, &pair, "password_changed");
    assert!(is_logged_in(&mut browser));
}

#[test]
fn a_password_change_through_the_api_ends_browser_sessions() {
    let app = TestApp::spawn();
    let (mut browser, pair) = both(&app);
    let api = Api::new(&app);

    let reply = api.send(
        Method::Put,
        "/api/v1/password",
        Some(&json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" })),
        Some(&pair.access),
    );

    assert_eq!(reply.status.code, 200);
    assert!(!is_logged_in(&mut browser));
}
