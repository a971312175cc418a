//! `/account` and revoking one session (SPEC §3).

use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, registered};

fn session_ids(page: &str) -> Vec<String> {
    page.match_indices("/account/sessions/")
        .map(|(at, _)| {
            let rest = &page[at + "/account/sessions/".len()..];
            rest[..rest.find(['/', '"']).unwrap()].to_owned()
        })
        .filter(|id| id != "revoke-others")
        .collect()
}

/// The id of the session marked current on an account page.
fn current_session_id(page: &str) -> String {
    let row = page.find("<tr class=\"current\">").expect("a current row");
    session_ids(&page[row..])[0].clone()
}

#[test]
fn the_account_page_lists_every_session_with_the_current_one_marked() {
    let app = TestApp::spawn();
    let mut laptop = registered(&app, "alice@example.com");
    let mut phone = app.browser();
    phone.login("alice@example.com", PASSWORD);

    let page = laptop.get_with(
        "/account",
        &[(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        )],
    );

    assert_eq!(page.status, Status::Ok);
    assert_eq!(session_ids(&page.body).len(), 2);
    assert_eq!(page.body.matches("<strong>current</strong>").count(), 1);
    assert!(page.body.contains("127.0.0.1") || page.body.contains("unknown"));
}

#[test]
fn the_device_is_summarised_from_the_user_agent() {
    let app = TestApp::spawn();
    let mut browser = app.browser();
    let token = browser.csrf_token();
    let body = crate::helpers::encode(&[
        ("csrf_token", &token),
        ("email", "alice@example.com"),
        ("password", PASSWORD),
    ]);
    browser.post_raw(
        "/register",
        body,
        &[(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        )],
    );

    let page = browser.get("/account");

    assert!(page.body.contains("Firefox on Linux"), "{}", page.body);
}

#[test]
fn an_anonymous_visitor_is_sent_to_login_and_back() {
    let app = TestApp::spawn();

    let reply = app.browser().get("/account");

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/login?rd=%2Faccount"));
}

#[test]
fn revoking_another_device_refuses_it_on_its_next_request() {
    let app = TestApp::spawn();
    let mut laptop = registered(&app, "alice@example.com");
    let mut phone = app.browser();
    phone.login("alice@example.com", PASSWORD);
    let phone_session = current_session_id(&phone.get("/account").body);

    let reply = laptop.post_form(&format!("/account/sessions/{phone_session}/revoke"), &[]);

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/account"));
    assert_eq!(phone.get("/account").status, Status::SeeOther);
    let laptop_page = laptop.get("/account");
    assert_eq!(laptop_page.status, Status::Ok);
    assert!(!laptop_page.body.contains(&phone_session));
}

#[test]
fn another_users_session_is_404_and_untouched() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let mut bob = registered(&app, "bob@example.com");
    let bob_session = current_session_id(&bob.get("/account").body);

    let reply = alice.post_form(&format!("/account/sessions/{bob_session}/revoke"), &[]);

    assert_eq!(reply.status, Status::NotFound);
    assert_eq!(bob.get("/account").status, Status::Ok);
}

#[test]
fn a_malformed_session_id_is_404() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");

    let reply = alice.post_form("/account/sessions/..%2F..%2Fetc/revoke", &[]);

    assert_eq!(reply.status, Status::NotFound);
}
