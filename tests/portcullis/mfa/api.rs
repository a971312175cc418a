//! The API's second step (SPEC §10): `second_factor_required`, then
//! `POST /api/v1/sessions/second-factor`.

use serde_json::json;

use super::{code_now, enrolled};
use crate::api::{Api, Pair, assert_error, json_of};
use crate::helpers::{PASSWORD, TestApp};

#[test]
fn an_api_login_with_a_second_factor_takes_the_mfa_token_and_a_code() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let api = Api::new(&app);

    let first = api.login("alice@example.com", PASSWORD);
    assert_error(&first, 401, "second_factor_required");
    let body = json_of(&first);
    assert_eq!(body["methods"], json!(["totp", "recovery_code"]));
    assert!(
        body.get("access_token").is_none(),
        "no token before the factor"
    );
    let mfa_token = body["mfa_token"].as_str().unwrap().to_owned();

    let wrong = json!({"mfa_token": mfa_token, "code": "000000"});
    assert_error(
        &api.post("/api/v1/sessions/second-factor", &wrong),
        401,
        "invalid_code",
    );

    let code = code_now(&app, &alice.secret);
    let step = json!({"mfa_token": mfa_token, "code": code});
    let reply = api.post("/api/v1/sessions/second-factor", &step);
    assert_eq!(reply.status.code, 201, "{}", reply.body);
    let pair = Pair::from(&reply);
    let sessions = json_of(&api.get("/api/v1/sessions", &pair.access));
    let current = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == json!(true))
        .unwrap()
        .clone();
    assert_eq!(current["aal"], json!(2));
    assert_eq!(current["amr"], json!(["pwd", "otp"]));

    let again = api.post("/api/v1/sessions/second-factor", &step);
    assert_error(&again, 401, "invalid_mfa_token");
}

#[test]
fn a_recovery_code_finishes_an_api_login_once() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let api = Api::new(&app);
    for expected in [201, 401] {
        let first = json_of(&api.login("alice@example.com", PASSWORD));
        let step = json!({"mfa_token": first["mfa_token"], "code": alice.recovery[2]});
        let reply = api.post("/api/v1/sessions/second-factor", &step);
        assert_eq!(reply.status.code, expected, "{}", reply.body);
    }
}

#[test]
fn forward_auth_tells_the_app_the_auth_level() {
    let app = TestApp::spawn();
    let alice = enrolled(&app, "alice@example.com");
    let mut plain = crate::helpers::registered(&app, "bob@example.com");
    let mut strong = super::past_password(&app, "alice@example.com");
    let code = code_now(&app, &alice.secret);
    strong.post_form("/login/second-factor", &[("code", &code)]);
    for (browser, level) in [(&mut plain, "1"), (&mut strong, "2")] {
        browser.remote = Some("127.0.0.1:50000".parse().unwrap());
        let headers = [
            ("X-Original-URL", "https://app.example.com/"),
            ("X-Original-Method", "GET"),
        ];
        let reply = browser.get_with("/api/authz/auth-request", &headers);
        assert_eq!(reply.status.code, 200);
        assert_eq!(reply.header("Remote-Auth-Level"), Some(level));
    }
}
