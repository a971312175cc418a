//! Personal access tokens (SPEC §11): made, listed and deleted on `/account/tokens`
//! and `/api/v1/tokens`, shown once, refused after every kind of revocation, held
//! to their scope on the API and on both forward-auth endpoints.

mod forward;
mod revocations;
mod sweep;

use std::time::Duration;

use rocket::http::{Method, Status};
use serde_json::{Value, json};

use crate::api::{Api, Pair, assert_ended, assert_error, json_of};
use crate::helpers::{Browser, Reply, TestApp, between, registered};

const EMAIL: &str = "alice@example.com";

/// Makes a token over the API with `body`; the answer.
fn create(api: &Api<'_>, bearer: &str, body: &Value) -> Reply {
    api.send(Method::Post, "/api/v1/tokens", Some(body), Some(bearer))
}

/// Makes a token of `scope` over the API: its secret and id.
fn token(api: &Api<'_>, bearer: &str, scope: &[&str]) -> (String, String) {
    let reply = create(api, bearer, &json!({"name": "cron", "scope": scope}));
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let body = json_of(&reply);
    let field = |name: &str| body[name].as_str().unwrap().to_owned();
    (field("token"), field("id"))
}

/// Alice over the API, and an API-scoped token of hers.
fn alice_with_token(app: &TestApp) -> (Api<'_>, Pair, String, String) {
    let api = Api::new(app);
    let pair = api.signed_up(EMAIL);
    let (secret, id) = token(&api, &pair.access, &["api"]);
    (api, pair, secret, id)
}

#[test]
fn a_token_is_made_shown_once_listed_and_deleted_over_the_api() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up(EMAIL);

    let made = create(
        &api,
        &pair.access,
        &json!({"name": "backup", "expires_in_days": 30, "scope": ["api", "Wiki.Example.com"]}),
    );

    assert_eq!(made.status, Status::Created, "{}", made.body);
    let body = json_of(&made);
    let secret = body["token"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("pcp_") && secret.len() >= 4 + 43,
        "{secret}"
    );
    assert_eq!(body["name"], "backup");
    assert_eq!(body["scope"], json!(["api", "wiki.example.com"]));
    assert_eq!(body["last_used_at"], Value::Null);
    let listed = api.get("/api/v1/tokens", &pair.access);
    assert_eq!(listed.status, Status::Ok);
    assert!(
        !listed.body.contains(&secret[4..]),
        "the secret is shown only once"
    );
    let tokens = json_of(&listed)["tokens"].clone();
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    assert_eq!(tokens[0]["id"], body["id"]);
    assert_eq!(tokens[0]["expires_at"], body["expires_at"]);
    let sessions = json_of(&api.get("/api/v1/sessions", &pair.access));
    let kinds: Vec<_> = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].clone())
        .collect();
    assert!(kinds.contains(&json!("token")), "{sessions}");

    let id = body["id"].as_str().unwrap();
    let deleted = api.delete(&format!("/api/v1/tokens/{id}"), &pair.access);
    assert_eq!(deleted.status, Status::NoContent);
    assert_ended(&api.me(&secret), "revoked_from_device");
    let listed = json_of(&api.get("/api/v1/tokens", &pair.access));
    assert_eq!(listed["tokens"], json!([]));
    let again = api.delete(&format!("/api/v1/tokens/{id}"), &pair.access);
    assert_error(&again, 404, "not_found");
}

#[test]
fn a_token_speaks_for_its_owner_on_the_api() {
    let app = TestApp::spawn();
    let (api, _, secret, id) = alice_with_token(&app);

    let me = api.me(&secret);

    assert_eq!(me.status, Status::Ok, "{}", me.body);
    assert_eq!(json_of(&me)["email"], EMAIL);
    assert_eq!(json_of(&me)["session_id"], id);
}

#[test]
fn a_token_without_the_api_scope_is_forbidden_and_a_forged_one_refused_by_the_api() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up(EMAIL);
    let (site_only, _) = token(&api, &pair.access, &["wiki.example.com"]);
    let forged = format!("pcp_{}", "A".repeat(43));

    let out_of_scope = api.me(&site_only);
    assert_error(&out_of_scope, 403, "insufficient_scope");
    assert_eq!(
        out_of_scope.header("WWW-Authenticate"),
        Some("Bearer error=\"insufficient_scope\", scope=\"api\"")
    );
    assert_error(&api.me(&forged), 401, "invalid_token");
    assert_error(&api.me("pcp_"), 401, "invalid_token");
}

#[test]
fn a_token_cannot_make_another_token() {
    let app = TestApp::spawn();
    let (api, _, secret, _) = alice_with_token(&app);

    let reply = create(
        &api,
        &secret,
        &json!({"name": "wider", "scope": ["api", "x.example.com"]}),
    );

    assert_error(&reply, 403, "forbidden");
}

#[test]
fn bad_names_scopes_and_expiries_are_refused_with_the_reason() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up(EMAIL);

    for body in [
        json!({"name": "", "scope": ["api"]}),
        json!({"name": "x", "scope": []}),
        json!({"name": "x", "scope": ["https://wiki.example.com/"]}),
        json!({"name": "x", "expires_in_days": 366}),
        json!({"name": "x", "expires_in_days": 0}),
    ] {
        let reply = create(&api, &pair.access, &body);
        assert_error(&reply, 422, "invalid_request");
    }
    let listed = json_of(&api.get("/api/v1/tokens", &pair.access));
    assert_eq!(listed["tokens"], json!([]));
}

#[test]
fn a_token_ends_at_its_expiry_and_defaults_to_ninety_days() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up(EMAIL);
    let (short, _) = {
        let reply = create(
            &api,
            &pair.access,
            &json!({"name": "a", "expires_in_days": 2}),
        );
        let body = json_of(&reply);
        (body["token"].as_str().unwrap().to_owned(), ())
    };
    let (long, _) = token(&api, &pair.access, &["api"]);

    app.advance(Duration::from_secs(3 * 86_400));
    assert_ended(&api.me(&short), "expired");
    assert_eq!(
        api.me(&long).status,
        Status::Ok,
        "idle time does not end a token"
    );
    app.advance(Duration::from_secs(87 * 86_400));
    assert_ended(&api.me(&long), "expired");
}

#[test]
fn last_used_is_recorded_at_most_once_a_minute() {
    let app = TestApp::spawn();
    let (api, pair, secret, _) = alice_with_token(&app);
    let last_used =
        || json_of(&api.get("/api/v1/tokens", &pair.access))["tokens"][0]["last_used_at"].clone();
    assert_eq!(last_used(), Value::Null);

    app.advance(Duration::from_secs(5));
    api.me(&secret);
    let first = last_used();
    app.advance(Duration::from_secs(30));
    api.me(&secret);
    let within_a_minute = last_used();
    app.advance(Duration::from_secs(31));
    api.me(&secret);

    assert!(first.is_string(), "{first}");
    assert_eq!(within_a_minute, first);
    assert_ne!(last_used(), first);
}

#[test]
fn a_token_survives_a_restart_and_a_deleted_one_does_not_come_back() {
    let app = TestApp::spawn();
    let (api, pair, kept, _) = alice_with_token(&app);
    let (gone, gone_id) = token(&api, &pair.access, &["api"]);
    api.delete(&format!("/api/v1/tokens/{gone_id}"), &pair.access);

    let app = app.restart();
    let api = Api::new(&app);

    assert_eq!(api.me(&kept).status, Status::Ok);
    assert_eq!(api.me(&gone).status, Status::Unauthorized);
}

/// The tokens page's form, filled in.
fn make_on_page(browser: &mut Browser<'_>, fields: &[(&str, &str)]) -> Reply {
    browser.post_form("/account/tokens", fields)
}

#[test]
fn the_tokens_page_makes_shows_once_lists_and_deletes() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, EMAIL);

    let made = make_on_page(
        &mut browser,
        &[
            ("name", "nightly"),
            ("expires_in_days", "30"),
            ("api", "on"),
            ("domains", "wiki.example.com"),
        ],
    );

    assert_eq!(made.status, Status::Ok, "{}", made.body);
    let secret = between(&made.body, "id=\"new-token\">", "<")
        .expect("token shown")
        .to_owned();
    assert!(secret.starts_with("pcp_"));
    let page = browser.get("/account/tokens");
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("nightly") && page.body.contains("wiki.example.com"));
    assert!(!page.body.contains(&secret), "shown only once");
    assert_eq!(Api::new(&app).me(&secret).status, Status::Ok);
    let account = browser.get("/account");
    assert!(
        account.body.contains("/account/tokens"),
        "linked from the account page"
    );

    let action = between(&page.body, "action=\"/account/tokens/", "/delete\"")
        .unwrap()
        .to_owned();
    let deleted = browser.post_form(&format!("/account/tokens/{action}/delete"), &[]);
    assert_eq!(deleted.status, Status::SeeOther);
    assert_eq!(deleted.location(), Some("/account/tokens"));
    let page = browser.get("/account/tokens");
    assert!(page.body.contains("deleted"), "says what happened");
    assert!(!page.body.contains("nightly</td>"));
    assert_eq!(Api::new(&app).me(&secret).status, Status::Unauthorized);
}

#[test]
fn the_tokens_page_refuses_bad_input_and_foreign_ids() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, EMAIL);
    let mut mallory = registered(&app, "mallory@example.com");
    let made = make_on_page(&mut browser, &[("name", "mine"), ("api", "on")]);
    let secret = between(&made.body, "id=\"new-token\">", "<")
        .unwrap()
        .to_owned();
    let id = json_of(&Api::new(&app).me(&secret))["session_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let no_scope = make_on_page(&mut browser, &[("name", "x")]);
    let bad_days = make_on_page(
        &mut browser,
        &[("name", "x"), ("api", "on"), ("expires_in_days", "999")],
    );
    let stolen = mallory.post_form(&format!("/account/tokens/{id}/delete"), &[]);
    let no_csrf = browser.post_raw(&format!("/account/tokens/{id}/delete"), "", &[]);

    assert_eq!(no_scope.status, Status::UnprocessableEntity);
    assert!(
        no_scope.body.contains("Choose a scope"),
        "{}",
        no_scope.body
    );
    assert_eq!(bad_days.status, Status::UnprocessableEntity);
    assert_eq!(stolen.status, Status::NotFound);
    assert_eq!(no_csrf.status, Status::Forbidden);
    assert_eq!(Api::new(&app).me(&secret).status, Status::Ok);
}

#[test]
fn anonymous_visitors_are_sent_to_log_in() {
    let app = TestApp::spawn();
    let reply = app.browser().get("/account/tokens");
    assert_eq!(reply.status, Status::SeeOther);
    assert!(reply.location().unwrap().starts_with("/login"));
}
