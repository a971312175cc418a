//! The argon2 pool admits a bounded number of jobs per account and overall; beyond
//! that a password check is refused at once (429 for the account's own flood, 503
//! for a full pool) with `Retry-After`. Slots are held here by the test itself, as
//! a flood's queued jobs would hold them: no timing involved.

use portcullis::domain::Email;
use rocket::http::Status;

use super::{ALICE, WRONG, alice, api_change, assert_throttled, reauth};
use crate::api::{Api, assert_error};
use crate::helpers::{PASSWORD, TestApp, registered};

fn bounded(per_account: i64, overall: i64) -> TestApp {
    TestApp::spawn_with(&[
        ("max_hashes_per_account", per_account.into()),
        ("max_queued_hashes", overall.into()),
    ])
}

fn key(email: &str) -> String {
    Email::parse(email).unwrap().key()
}

#[test]
fn an_account_with_a_job_in_the_pool_is_refused_at_once_with_429() {
    let app = bounded(1, 8);
    let (mut browser, pair) = alice(&app);
    registered(&app, "bob@example.com");
    let held = app.auth().hasher().admit(&key(ALICE)).unwrap();

    let api = api_change(&app, &pair.access, WRONG);
    let page = reauth(&mut browser, WRONG);
    let login = app.browser().login(ALICE, PASSWORD);
    let bob = app.browser().login("bob@example.com", PASSWORD);

    assert_error(&api, 429, "too_many_attempts");
    assert_eq!(api.header("Retry-After"), Some("1"));
    assert_throttled(&page);
    assert_throttled(&login);
    assert_eq!(
        bob.status,
        Status::SeeOther,
        "other accounts are not held up"
    );
    drop(held);
    assert_eq!(
        app.login_status(ALICE, PASSWORD),
        Status::SeeOther,
        "refusals were not counted as failures"
    );
}

#[test]
fn a_full_pool_answers_503_with_retry_after() {
    let app = bounded(1, 2);
    registered(&app, "bob@example.com");
    let _first = app
        .auth()
        .hasher()
        .admit(&key("flood-1@example.com"))
        .unwrap();
    let _second = app
        .auth()
        .hasher()
        .admit(&key("flood-2@example.com"))
        .unwrap();

    let page = app.browser().login("bob@example.com", PASSWORD);
    let api = Api::new(&app).login("bob@example.com", PASSWORD);
    let register = Api::new(&app).register("carol@example.com", PASSWORD);

    assert_eq!(page.status, Status::ServiceUnavailable, "{}", page.body);
    assert_eq!(page.header("Retry-After"), Some("1"));
    assert_error(&api, 503, "busy");
    assert_eq!(api.header("Retry-After"), Some("1"));
    assert_error(&register, 503, "busy");
}

#[test]
fn a_zero_bound_stops_the_launch() {
    let dir = tempfile::tempdir().unwrap();
    let mut dict = rocket::figment::value::Dict::new();
    dict.insert("data_dir".into(), dir.path().display().to_string().into());
    dict.insert("max_queued_hashes".into(), 0.into());
    let rocket = rocket::custom(crate::helpers::figment(&dict)).attach(portcullis::fairing());

    let error = rocket::execute(rocket.ignite()).expect_err("launch must be refused");

    assert!(error.to_string().contains("fairing"), "{error}");
}
