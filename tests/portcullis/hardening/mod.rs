//! Issue 15, what an attacker tries first: every password check shares the login
//! throttle, the hashing pool is bounded, reset links die with the password, a
//! tossed cookie cannot log anyone out, throttle state survives a crash, IPv6
//! clients are counted by prefix, and refusals cost nothing to store.

mod hash_bounds;
mod ipv6;
mod password_throttle;
mod reset_links;
mod throttled_audit;
mod twin_cookies;

use rocket::http::Status;

use crate::api::{Api, Pair};
use crate::helpers::{Browser, Reply, TestApp, registered};

pub const ALICE: &str = "alice@example.com";
pub const WRONG: &str = "not the right passphrase";

/// Alice, registered and logged in with a browser and through the API.
pub fn alice(app: &TestApp) -> (Browser<'_>, Pair) {
    let browser = registered(app, ALICE);
    let pair = Api::new(app).logged_in(ALICE);
    (browser, pair)
}

/// `PUT /api/v1/password` with `current` as the current password.
pub fn api_change(app: &TestApp, bearer: &str, current: &str) -> Reply {
    let body = serde_json::json!({
        "current_password": current,
        "new_password": "an entirely new passphrase",
    });
    Api::new(app).send(
        rocket::http::Method::Put,
        "/api/v1/password",
        Some(&body),
        Some(bearer),
    )
}

/// `POST /reauth` with `password`.
pub fn reauth(browser: &mut Browser<'_>, password: &str) -> Reply {
    browser.post_form("/reauth", &[("password", password)])
}

/// `POST /account/password` with `current` as the current password.
pub fn page_change(browser: &mut Browser<'_>, current: &str) -> Reply {
    let new = ("new_password", "an entirely new passphrase");
    browser.post_form("/account/password", &[("current_password", current), new])
}

/// Asserts a throttled answer: `429` with a positive `Retry-After`.
#[track_caller]
pub fn assert_throttled(reply: &Reply) {
    assert_eq!(reply.status, Status::TooManyRequests, "{}", reply.body);
    let wait: i64 = reply
        .header("Retry-After")
        .and_then(|v| v.parse().ok())
        .expect("a numeric Retry-After");
    assert!(wait >= 1, "Retry-After {wait}");
}
