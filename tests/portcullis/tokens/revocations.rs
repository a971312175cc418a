//! Every way a session ends ends a personal access token too (SPEC §11: it is a
//! session of kind `token`).

use portcullis::auth::Client;
use portcullis::domain::{Email, SessionId, UserId};
use rocket::http::{Method, Status};
use serde_json::json;

use super::{EMAIL, alice_with_token};
use crate::api::{Api, assert_ended};
use crate::helpers::{PASSWORD, TestApp, block_on};

fn user_id(app: &TestApp) -> UserId {
    let email = Email::parse(EMAIL).unwrap();
    app.auth().accounts().by_email(&email).unwrap().unwrap().id
}

/// Alice makes a token, `end` ends something, then the token is presented: the
/// reason the API gives.
fn ended_by(end: impl FnOnce(&TestApp, &Api<'_>, &str, &str)) -> (String, String) {
    let app = TestApp::spawn();
    let (api, pair, secret, id) = alice_with_token(&app);
    assert_eq!(api.me(&secret).status, Status::Ok);
    end(&app, &api, &pair.access, &id);
    let reply = api.me(&secret);
    assert_eq!(reply.status, Status::Unauthorized, "{}", reply.body);
    let restarted = app.restart();
    let after_restart = Api::new(&restarted).me(&secret);
    assert_eq!(
        after_restart.status,
        Status::Unauthorized,
        "still refused after a restart"
    );
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    (body["reason"].as_str().unwrap_or("").to_owned(), reply.body)
}

#[test]
fn revoking_it_from_the_sessions_list_ends_it() {
    let (reason, _) = ended_by(|_, api, access, id| {
        let reply = api.delete(&format!("/api/v1/sessions/{id}"), access);
        assert_eq!(reply.status, Status::NoContent);
    });
    assert_eq!(reason, "revoked_from_device");
}

#[test]
fn signing_out_the_other_devices_ends_it() {
    let (reason, _) = ended_by(|app, _, _, _| {
        let mut browser = app.browser();
        browser.login(EMAIL, PASSWORD);
        let reply = browser.post_form("/account/sessions/revoke-others", &[]);
        assert_eq!(reply.status, Status::SeeOther);
    });
    assert_eq!(reason, "other_devices_signed_out");
}

#[test]
fn logging_out_everywhere_ends_it() {
    let (reason, _) = ended_by(|_, api, access, _| {
        let reply = api.send(
            Method::Post,
            "/api/v1/logout-everywhere",
            None,
            Some(access),
        );
        assert_eq!(reply.status, Status::NoContent);
    });
    assert_eq!(reason, "logged_out_everywhere");
}

#[test]
fn a_password_change_ends_it() {
    let (reason, _) = ended_by(|_, api, access, _| {
        let body =
            json!({"current_password": PASSWORD, "new_password": "another fine passphrase 42"});
        let reply = api.send(Method::Put, "/api/v1/password", Some(&body), Some(access));
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    });
    assert_eq!(reason, "password_changed");
}

#[test]
fn disabling_the_account_ends_it() {
    let (reason, _) = ended_by(|app, _, _, _| {
        let id = user_id(app);
        block_on(
            app.auth()
                .accounts()
                .set_disabled(&id, true, &Client::default()),
        )
        .unwrap();
    });
    assert_eq!(reason, "disabled");
}

#[test]
fn an_administrator_revoking_it_ends_it() {
    let (reason, _) = ended_by(|app, _, _, id| {
        let user = user_id(app);
        let id = SessionId::parse(id).unwrap();
        let sessions = app.auth().sessions();
        assert!(block_on(sessions.revoke_by_admin(&user, &id, &Client::default())).unwrap());
    });
    assert_eq!(reason, "revoked_by_admin");
}

#[test]
fn a_token_logging_itself_out_ends_it() {
    let app = TestApp::spawn();
    let (api, _, secret, _) = alice_with_token(&app);

    let reply = api.delete("/api/v1/sessions/current", &secret);

    assert_eq!(reply.status, Status::NoContent);
    assert_ended(&api.me(&secret), "signed_out");
}
