//! The new sign-in notices on the JSON API (SPEC §11): `GET /api/v1/new-sign-ins`
//! lists what the `/account` banner shows, `DELETE …/<id>` is "it was me",
//! `POST …/<id>/not-me` ends that session. Only the caller's own notices, never
//! its own session.

use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use super::{EMAIL, FIREFOX_LINUX, banner, home};
use crate::api::Api;
use crate::helpers::{PASSWORD, Reply, TestApp};

const CURL: &str = "curl/8.5.0";

/// An API login by `user_agent` from `ip`: (access token, session id).
fn api_login(app: &TestApp, email: &str, ip: &str, user_agent: &str) -> (String, String) {
    let body = json!({ "email": email, "password": PASSWORD });
    let reply = Reply::from(
        app.client
            .post("/api/v1/sessions")
            .header(ContentType::JSON)
            .header(Header::new("User-Agent", user_agent.to_owned()))
            .remote(format!("{ip}:40000").parse().unwrap())
            .body(body.to_string())
            .dispatch(),
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let issued: Value = serde_json::from_str(&reply.body).unwrap();
    let token = issued["access_token"].as_str().unwrap().to_owned();
    (token, issued["session_id"].as_str().unwrap().to_owned())
}

fn notices(api: &Api<'_>, bearer: &str) -> Vec<Value> {
    let reply = api.get("/api/v1/new-sign-ins", bearer);
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    body["new_sign_ins"].as_array().unwrap().clone()
}

/// Alice at home (browser and an API client on the same laptop) and a stranger's
/// `curl` from another network: (Alice's token, the stranger's token and session).
fn alice_and_a_stranger(app: &TestApp) -> (String, String, String) {
    let (mine, _) = api_login(app, EMAIL, "203.0.113.6", FIREFOX_LINUX);
    let (theirs, id) = api_login(app, EMAIL, "198.51.100.9", CURL);
    (mine, theirs, id)
}

#[test]
fn the_list_says_what_the_banner_says_and_never_the_callers_own_sign_in() {
    let app = TestApp::spawn();
    let mut browser = home(&app);
    let (mine, theirs, id) = alice_and_a_stranger(&app);
    let api = Api::new(&app);

    let listed = notices(&api, &mine);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let notice = &listed[0];
    assert_eq!(notice["id"], id.as_str());
    assert_eq!(notice["network"], "198.51.100.0/24");
    assert_eq!(
        notice["what"],
        format!(
            "{} from 198.51.100.0/24",
            notice["device"].as_str().unwrap()
        )
    );
    assert!(notice["at"].as_str().unwrap().ends_with('Z'), "{notice}");
    let text = banner(&mut browser).expect("the same notice on /account");
    assert!(text.contains("from 198.51.100.0/24"), "{text}");

    assert!(
        notices(&api, &theirs).is_empty(),
        "the new device is not told about itself"
    );
}

#[test]
fn it_was_me_forgets_the_notice_and_keeps_the_session() {
    let app = TestApp::spawn();
    let mut browser = home(&app);
    let (mine, theirs, id) = alice_and_a_stranger(&app);
    let api = Api::new(&app);

    let dismissed = api.delete(&format!("/api/v1/new-sign-ins/{id}"), &mine);
    assert_eq!(dismissed.status, Status::NoContent, "{}", dismissed.body);

    assert!(notices(&api, &mine).is_empty());
    assert_eq!(banner(&mut browser), None, "gone from /account too");
    assert_eq!(api.me(&theirs).status, Status::Ok, "that session stays");
    let again = api.delete(&format!("/api/v1/new-sign-ins/{id}"), &mine);
    assert_eq!(again.status, Status::NotFound);
    assert!(again.body.contains("\"not_found\""), "{}", again.body);
}

#[test]
fn not_me_ends_that_session_at_once() {
    let app = TestApp::spawn();
    home(&app);
    let (mine, theirs, id) = alice_and_a_stranger(&app);
    let api = Api::new(&app);

    let path = format!("/api/v1/new-sign-ins/{id}/not-me");
    let disowned = api.send(rocket::http::Method::Post, &path, None, Some(&mine));
    assert_eq!(disowned.status, Status::NoContent, "{}", disowned.body);

    assert_eq!(api.me(&theirs).status, Status::Unauthorized);
    assert_eq!(api.me(&mine).status, Status::Ok);
    assert!(notices(&api, &mine).is_empty());
    let again = api.send(rocket::http::Method::Post, &path, None, Some(&mine));
    assert_eq!(again.status, Status::NotFound);
    let events = app.auth().store().audit_events(0, 100, None).unwrap();
    let disowned = events
        .iter()
        .filter(|e| format!("{:?}", e.kind) == "NewSignInDisowned");
    assert_eq!(disowned.count(), 1);
}

#[test]
fn only_the_users_own_notices_and_never_the_calling_session() {
    let app = TestApp::spawn();
    home(&app);
    let (mine, theirs, id) = alice_and_a_stranger(&app);
    let mut bob = app.browser();
    bob.register("bob@example.com", PASSWORD);
    let (bobs, bobs_session) = api_login(&app, "bob@example.com", "192.0.2.7", CURL);
    let api = Api::new(&app);
    let post = |path: &str, bearer: Option<&str>| {
        api.send(rocket::http::Method::Post, path, None, bearer)
            .status
    };

    // Bob cannot see, dismiss or disown Alice's notice.
    assert!(
        notices(&api, &bobs).is_empty(),
        "Bob's login from a new place is his own"
    );
    let alices = format!("/api/v1/new-sign-ins/{id}");
    assert_eq!(api.delete(&alices, &bobs).status, Status::NotFound);
    assert_eq!(
        post(&format!("{alices}/not-me"), Some(&bobs)),
        Status::NotFound
    );
    // Nor without a token, nor with a malformed id.
    assert_eq!(
        api.send(
            rocket::http::Method::Get,
            "/api/v1/new-sign-ins",
            None,
            None
        )
        .status,
        Status::Unauthorized
    );
    assert_eq!(
        post(&format!("{alices}/not-me"), None),
        Status::Unauthorized
    );
    assert_eq!(
        post("/api/v1/new-sign-ins/..%2F..%2Fme/not-me", Some(&mine)),
        Status::NotFound
    );
    assert_eq!(
        api.delete("/api/v1/new-sign-ins/not-an-id", &mine).status,
        Status::NotFound
    );
    // The stranger's own session cannot clear its own notice.
    assert_eq!(api.delete(&alices, &theirs).status, Status::NotFound);
    assert_eq!(
        post(
            &format!("/api/v1/new-sign-ins/{bobs_session}/not-me"),
            Some(&bobs)
        ),
        Status::NotFound
    );

    assert_eq!(notices(&api, &mine).len(), 1, "still waiting for Alice");
    assert_eq!(api.me(&theirs).status, Status::Ok);
}
