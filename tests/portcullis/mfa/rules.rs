//! Second factors in forward auth (SPEC §10), both endpoints, the test playing
//! nginx and Caddy from loopback: `policy = "two_factor"`, per-rule
//! `max_auth_age` with its step-up, `Remote-Auth-Level`, and users who must enrol.

use std::time::Duration;

use rocket::figment::value::Value;
use rocket::http::Status;
use serde_json::json;

use super::{code_now, enrolled};
use crate::helpers::{Browser, PASSWORD, Reply, TestApp, registered};

const PORTAL: &str = "http://localhost:8000";

fn rules() -> Value {
    Value::serialize(json!([
        {"domain": "app.example.com", "resources": ["^/vault"], "policy": "two_factor"},
        {"domain": "app.example.com", "resources": ["^/billing"], "policy": "authenticated",
         "max_auth_age": "1h"},
        {"domain": "app.example.com", "resources": ["^/keys"], "policy": "two_factor",
         "max_auth_age": "1h"},
        {"domain": "app.example.com", "resources": ["^/public"], "policy": "bypass"},
    ]))
    .unwrap()
}

fn spawn_with(extra: &[(&str, Value)]) -> TestApp {
    let hosts = Value::serialize(json!(["app.example.com"])).unwrap();
    let mut settings = vec![("access_rules", rules()), ("allowed_redirect_hosts", hosts)];
    settings.extend(extra.iter().cloned());
    TestApp::spawn_with(&settings)
}

fn behind_proxy(mut browser: Browser<'_>) -> Browser<'_> {
    browser.remote = Some("127.0.0.1:50000".parse().unwrap());
    browser
}

fn nginx(browser: &mut Browser<'_>, path: &str) -> Reply {
    let url = format!("https://app.example.com{path}");
    let headers = [
        ("X-Original-URL", url.as_str()),
        ("X-Original-Method", "GET"),
    ];
    browser.get_with("/api/authz/auth-request", &headers)
}

fn caddy(browser: &mut Browser<'_>, path: &str, extra: &[(&str, &str)]) -> Reply {
    let mut headers = vec![
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "app.example.com"),
        ("X-Forwarded-Uri", path),
        ("X-Forwarded-Method", "GET"),
    ];
    headers.extend_from_slice(extra);
    browser.get_with("/api/authz/forward-auth", &headers)
}

/// `<portal><page>?rd=https://app.example.com<path>`, as the proxy relays it.
fn sent_to(page: &str, path: &str) -> String {
    let rd = format!("https://app.example.com{path}");
    let rd: String = url::form_urlencoded::byte_serialize(rd.as_bytes()).collect();
    format!("{PORTAL}{page}?rd={rd}")
}

fn assert_sent(browser: &mut Browser<'_>, path: &str, page: &str) {
    let expected = sent_to(page, path);
    let request = nginx(browser, path);
    assert_eq!(request.status, Status::Unauthorized, "auth-request {path}");
    assert_eq!(
        request.location(),
        Some(expected.as_str()),
        "auth-request {path}"
    );
    let forward = caddy(browser, path, &[]);
    assert_eq!(forward.status, Status::Found, "forward-auth {path}");
    assert_eq!(
        forward.location(),
        Some(expected.as_str()),
        "forward-auth {path}"
    );
}

fn assert_passes(browser: &mut Browser<'_>, path: &str, level: &str) {
    for reply in [nginx(browser, path), caddy(browser, path, &[])] {
        assert_eq!(reply.status, Status::Ok, "{path}: {}", reply.body);
        assert_eq!(reply.header("Remote-Auth-Level"), Some(level), "{path}");
    }
}

#[test]
fn a_password_session_passes_at_level_1_and_is_sent_to_enrol_for_two_factor_rules() {
    let app = spawn_with(&[]);
    let mut alice = behind_proxy(registered(&app, "alice@example.com"));
    assert_passes(&mut alice, "/docs", "1");
    assert_sent(&mut alice, "/vault", "/account/security");
    let anonymous = &mut behind_proxy(app.browser());
    assert_sent(anonymous, "/vault", "/login");
}

#[test]
fn a_session_from_before_the_factor_is_sent_to_the_second_step_and_comes_back() {
    let app = spawn_with(&[]);
    let mut phone = behind_proxy(registered(&app, "alice@example.com"));
    let mut laptop = behind_proxy(app.browser());
    laptop.login("alice@example.com", PASSWORD);
    let secret = super::policy::enrol(&app, &mut laptop);
    assert_passes(&mut laptop, "/vault", "2");

    assert_sent(&mut phone, "/vault", "/login/second-factor");
    let json = caddy(&mut phone, "/vault", &[("Accept", "application/json")]);
    assert_eq!(json.status, Status::Unauthorized);
    assert!(
        json.body.contains("\"error\":\"second_factor_required\""),
        "{}",
        json.body
    );

    let rd = "https://app.example.com/vault";
    let code = code_now(&app, &secret);
    let done = phone.post_form("/login/second-factor", &[("code", &code), ("rd", rd)]);
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    assert_eq!(done.location(), Some(rd));
    assert_passes(&mut phone, "/vault", "2");
}

#[test]
fn an_old_authentication_is_confirmed_again_and_returns_to_the_app() {
    let app = spawn_with(&[]);
    let mut alice = behind_proxy(registered(&app, "alice@example.com"));
    assert_passes(&mut alice, "/billing", "1");
    app.advance(Duration::from_secs(2 * 3600));
    assert_passes(&mut alice, "/docs", "1");
    assert_sent(&mut alice, "/billing", "/reauth");

    let rd = "https://app.example.com/billing";
    let back = alice.post_form("/reauth", &[("password", PASSWORD), ("rd", rd)]);
    assert_eq!(back.status, Status::SeeOther, "{}", back.body);
    assert_eq!(back.location(), Some(rd));
    assert_passes(&mut alice, "/billing", "1");
}

#[test]
fn for_two_factor_rules_the_age_of_the_factor_counts() {
    let app = spawn_with(&[]);
    let alice = enrolled(&app, "alice@example.com");
    let browser = &mut behind_proxy(alice.browser);
    assert_passes(browser, "/keys", "2");
    app.advance(Duration::from_secs(2 * 3600));
    assert_sent(browser, "/keys", "/reauth");

    let rd = "https://app.example.com/keys";
    let password_only = browser.post_form("/reauth", &[("password", PASSWORD), ("rd", rd)]);
    assert_eq!(
        password_only.status,
        Status::Unauthorized,
        "the code is asked too"
    );
    let code = code_now(&app, &alice.secret);
    let fields = [("password", PASSWORD), ("code", code.as_str()), ("rd", rd)];
    let back = browser.post_form("/reauth", &fields);
    assert_eq!(back.location(), Some(rd), "{}", back.body);
    assert_passes(browser, "/keys", "2");
}

#[test]
fn a_user_who_must_enrol_is_let_through_nowhere() {
    let app = spawn_with(&[("second_factor", "required".into())]);
    let mut alice = behind_proxy(registered(&app, "alice@example.com"));
    assert_sent(&mut alice, "/docs", "/account/security");
    assert_sent(&mut alice, "/billing", "/account/security");
    let json = caddy(&mut alice, "/docs", &[("Accept", "application/json")]);
    assert!(
        json.body
            .contains("\"error\":\"second_factor_enrolment_required\""),
        "{}",
        json.body
    );
    let anonymous = &mut behind_proxy(app.browser());
    assert_eq!(caddy(anonymous, "/public/x", &[]).status, Status::Ok);
}
