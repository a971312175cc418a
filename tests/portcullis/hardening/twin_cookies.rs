//! Two cookies of the session's name: the one that verifies wins, wherever it is,
//! so a tossed cookie (garbage, or another user's revoked session) logs nobody out.

use rocket::http::{Cookie, Header, Status};

use super::{ALICE, alice};
use crate::helpers::{Reply, TestApp, registered};

/// `GET /account` with the `Cookie` header exactly as given; Rocket's jar holds
/// the last cookie of the name, as a real server's would.
fn account_with(app: &TestApp, values: &[&str]) -> Reply {
    let header = values
        .iter()
        .map(|v| format!("portcullis={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let last = values.last().copied().unwrap_or_default().to_owned();
    let request = app
        .client
        .get("/account")
        .header(Header::new("Cookie", header))
        .cookie(Cookie::new("portcullis", last));
    Reply::from(request.dispatch())
}

/// A session cookie of Bob's that has been logged out: authentic but dead.
fn revoked_cookie(app: &TestApp) -> String {
    let mut bob = registered(app, "bob@example.com");
    let cookie = bob.session_cookie().unwrap();
    bob.logout();
    cookie
}

#[track_caller]
fn assert_alice(reply: &Reply) {
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert!(reply.body.contains(ALICE), "not Alice's account page");
}

#[test]
fn a_garbage_twin_before_or_after_the_real_cookie_is_ignored() {
    let app = TestApp::spawn();
    let (browser, _) = alice(&app);
    let real = browser.session_cookie().unwrap();

    assert_alice(&account_with(&app, &["garbage", &real]));
    assert_alice(&account_with(&app, &[&real, "garbage"]));
}

#[test]
fn another_users_revoked_twin_is_ignored() {
    let app = TestApp::spawn();
    let (browser, _) = alice(&app);
    let real = browser.session_cookie().unwrap();
    let dead = revoked_cookie(&app);

    assert_alice(&account_with(&app, &[&dead, &real]));
    assert_alice(&account_with(&app, &[&real, &dead]));
}

#[test]
fn two_bad_cookies_are_still_anonymous() {
    let app = TestApp::spawn();
    let dead = revoked_cookie(&app);

    let reply = account_with(&app, &["garbage", &dead]);

    assert_eq!(reply.status, Status::SeeOther);
}

/// A twin whose name is percent-encoded (`%70ortcullis` is `portcullis` once
/// decoded, as Rocket decodes it) is still found and ignored.
#[test]
fn a_twin_with_an_encoded_name_is_ignored_too() {
    let app = TestApp::spawn();
    let (browser, _) = alice(&app);
    let real = browser.session_cookie().unwrap();

    let request = app
        .client
        .get("/account")
        .header(Header::new(
            "Cookie",
            format!("portcullis={real}; %70ortcullis=garbage"),
        ))
        .cookie(Cookie::new("portcullis", "garbage"));

    assert_alice(&Reply::from(request.dispatch()));
}
