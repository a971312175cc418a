//! The sweeper forgets personal access tokens past their expiry (SPEC §11, §12):
//! their grant leaves the store, so neither disk nor memory grows with old tokens.

use std::time::Duration;

use portcullis::domain::SessionId;
use rocket::http::Method;
use serde_json::json;

use super::{EMAIL, json_of};
use crate::api::{Api, assert_error};
use crate::helpers::TestApp;

const DAY: Duration = Duration::from_secs(24 * 3600);

#[test]
fn the_sweeper_deletes_the_grant_of_an_expired_token() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up(EMAIL);
    let body = json!({"name": "cron", "expires_in_days": 1});
    let made = api.send(
        Method::Post,
        "/api/v1/tokens",
        Some(&body),
        Some(&pair.access),
    );
    let made = json_of(&made);
    let (secret, id) = (
        made["token"].as_str().unwrap(),
        made["id"].as_str().unwrap(),
    );
    let id = SessionId::parse(id).expect("a session id");
    let kept = json!({"name": "kept", "expires_in_days": 30});
    api.send(
        Method::Post,
        "/api/v1/tokens",
        Some(&kept),
        Some(&pair.access),
    );
    app.advance(2 * DAY);

    let report = app.sweep();

    assert_eq!(report.grants, 1, "{report:?}");
    assert!(app.auth().store().grant(&id).unwrap().is_none());
    assert_error(&api.me(secret), 401, "invalid_token");
    let again = app.sweep();
    assert_eq!(again.grants, 0, "the 30-day token stays: {again:?}");
}
