//! The edge every HTML form passes (SPEC §3, §8): the CSRF token is checked on
//! every state-changing route, a refusal says why, and a refused form changes
//! nothing.

use portcullis::domain::Email;
use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, encode, first_admin, registered};

const CSRF_MESSAGE: &str = "did not come from this site";

#[test]
fn every_form_route_refuses_a_forged_token_and_says_why() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    registered(&app, "alice@example.com");
    let email = Email::parse("alice@example.com").unwrap();
    let uid = app.auth().accounts().by_email(&email).unwrap().unwrap().id;
    let sid = app.auth().sessions().list(&uid).unwrap()[0].id;
    let routes = [
        "/logout".to_owned(),
        format!("/account/sessions/{sid}/revoke"),
        "/account/sessions/revoke-others".to_owned(),
        "/account/logout-everywhere".to_owned(),
        "/account/password".to_owned(),
        "/reauth".to_owned(),
        "/register".to_owned(),
        "/login".to_owned(),
        "/setup/unknown".to_owned(),
        "/invite/unknown".to_owned(),
        "/reset/unknown".to_owned(),
        format!("/admin/users/{uid}/disable"),
        format!("/admin/users/{uid}/enable"),
        format!("/admin/users/{uid}/logout-everywhere"),
        format!("/admin/users/{uid}/sessions/{sid}/revoke"),
        format!("/admin/users/{uid}/groups"),
        format!("/admin/users/{uid}/reset-link"),
        "/admin/invites".to_owned(),
    ];
    let forged = [
        encode(&[("csrf_token", "forged"), ("groups", "staff")]),
        encode(&[("groups", "staff")]),
        encode(&[("csrf_token", ""), ("groups", "staff")]),
    ];

    for path in &routes {
        for body in &forged {
            let reply = admin.post_raw(path, body, &[]);
            assert_eq!(reply.status, Status::Forbidden, "{path} {body}");
            assert!(reply.body.contains(CSRF_MESSAGE), "{path}: {}", reply.body);
        }
    }

    assert_eq!(admin.get("/account").status, Status::Ok, "admin still in");
    assert_eq!(app.auth().sessions().list(&uid).unwrap().len(), 1);
    let alice = app.browser().login("alice@example.com", PASSWORD);
    assert_eq!(
        alice.status,
        Status::SeeOther,
        "alice neither disabled nor reset"
    );
}

#[test]
fn a_foreign_origin_is_told_the_same_reason() {
    let app = TestApp::spawn();
    let mut browser = app.browser();
    let token = browser.csrf_token();
    let body = encode(&[
        ("csrf_token", &token),
        ("email", "a@b.c"),
        ("password", PASSWORD),
    ]);

    let reply = browser.post_raw("/login", &body, &[("Origin", "https://evil.example")]);

    assert_eq!(reply.status, Status::Forbidden);
    assert!(reply.body.contains(CSRF_MESSAGE), "{}", reply.body);
}

#[test]
fn a_refused_form_is_shown_again_with_what_was_typed() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let mut browser = app.browser();

    let taken = browser.register("Alice@Example.com", PASSWORD);
    let weak = browser.register("bob@example.com", "short");

    assert_eq!(taken.status, Status::Conflict);
    assert!(
        taken.body.contains("value=\"Alice@Example.com\""),
        "{}",
        taken.body
    );
    assert!(taken.body.contains("already exists"));
    assert_eq!(weak.status, Status::UnprocessableEntity);
    assert!(weak.body.contains("value=\"bob@example.com\""));
    assert!(weak.csrf_token().is_some(), "the form can be sent again");
}
