//! Personal access tokens on the forward-auth endpoints (SPEC §11, §5): a script
//! behind nginx or Caddy reaches the apps its token names, as its owner.

use rocket::figment::value::Value;
use rocket::http::{Header, Status};
use serde_json::json;

use super::{EMAIL, token};
use crate::api::Api;
use crate::helpers::{Reply, TestApp};

const LOOPBACK: &str = "127.0.0.1:50000";

fn spawn() -> TestApp {
    let rules = json!([
        {"domain": "app.example.com", "resources": ["^/admin"], "policy": "deny"},
        {"domain": "app.example.com", "resources": ["^/staff"], "policy": "authenticated", "groups": ["staff"]},
    ]);
    TestApp::spawn_with(&[("access_rules", Value::serialize(rules).unwrap())])
}

/// A forward-auth check as the proxy sends it, with the script's `Authorization`.
fn check(app: &TestApp, nginx: bool, url: &str, authorization: Option<&str>) -> Reply {
    let parsed = url::Url::parse(url).unwrap();
    let mut request = if nginx {
        app.client
            .get("/api/authz/auth-request")
            .header(Header::new("X-Original-URL", url.to_owned()))
            .header(Header::new("X-Original-Method", "GET"))
    } else {
        app.client
            .get("/api/authz/forward-auth")
            .header(Header::new("X-Forwarded-Proto", "https"))
            .header(Header::new(
                "X-Forwarded-Host",
                parsed.host_str().unwrap().to_owned(),
            ))
            .header(Header::new("X-Forwarded-Uri", parsed.path().to_owned()))
            .header(Header::new("X-Forwarded-Method", "GET"))
    };
    request = request.remote(LOOPBACK.parse().unwrap());
    if let Some(value) = authorization {
        request.add_header(Header::new("Authorization", value.to_owned()));
    }
    Reply::from(request.dispatch())
}

fn bearer(secret: &str) -> String {
    format!("Bearer {secret}")
}

#[test]
fn a_token_for_the_host_passes_both_endpoints_with_the_identity_headers() {
    let app = spawn();
    let api = Api::new(&app);
    let pair = api.signed_up(EMAIL);
    let (secret, _) = token(&api, &pair.access, &["app.example.com"]);
    let id = serde_json::from_str::<serde_json::Value>(&api.me(&pair.access).body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for nginx in [true, false] {
        let presented = bearer(&secret);
        let reply = check(
            &app,
            nginx,
            "https://app.example.com/docs",
            Some(&presented),
        );

        assert_eq!(reply.status, Status::Ok, "nginx={nginx}: {}", reply.body);
        assert_eq!(reply.header("Remote-User"), Some(id.as_str()));
        assert_eq!(reply.header("Remote-Email"), Some(EMAIL));
        assert_eq!(reply.header("Remote-Groups"), Some(""));
        assert_eq!(reply.header("Remote-Name"), Some("alice"));
    }
}

#[test]
fn a_token_is_held_to_its_hosts_and_to_the_rules() {
    let app = spawn();
    let api = Api::new(&app);
    let pair = api.signed_up(EMAIL);
    let (app_only, _) = token(&api, &pair.access, &["app.example.com"]);
    let (api_only, _) = token(&api, &pair.access, &["api"]);

    for nginx in [true, false] {
        let ask = |url: &str, secret: &str| check(&app, nginx, url, Some(&bearer(secret)));
        let other_host = ask("https://wiki.example.com/", &app_only);
        let api_scope = ask("https://app.example.com/", &api_only);
        let denied = ask("https://app.example.com/admin", &app_only);
        let not_staff = ask("https://app.example.com/staff", &app_only);

        assert_eq!(other_host.status, Status::Forbidden, "nginx={nginx}");
        assert_eq!(other_host.header("Remote-User"), None);
        assert_eq!(api_scope.status, Status::Forbidden, "nginx={nginx}");
        assert_eq!(denied.status, Status::Forbidden, "nginx={nginx}");
        assert_eq!(not_staff.status, Status::Forbidden, "nginx={nginx}");
    }
}

#[test]
fn a_dead_token_gets_401_with_a_bearer_challenge_not_a_login_redirect() {
    let app = spawn();
    let api = Api::new(&app);
    let pair = api.signed_up(EMAIL);
    let (secret, id) = token(&api, &pair.access, &["app.example.com"]);
    api.delete(&format!("/api/v1/tokens/{id}"), &pair.access);
    let forged = bearer(&format!("pcp_{}", "B".repeat(43)));

    for nginx in [true, false] {
        for presented in [bearer(&secret), forged.clone()] {
            let reply = check(&app, nginx, "https://app.example.com/", Some(&presented));

            assert_eq!(reply.status, Status::Unauthorized, "nginx={nginx}");
            assert_eq!(reply.header("WWW-Authenticate"), Some("Bearer"));
            assert_eq!(reply.header("Location"), None);
            assert_eq!(reply.header("Remote-User"), None);
        }
    }
}

#[test]
fn another_authorization_scheme_is_left_to_the_cookie() {
    let app = spawn();

    let reply = check(
        &app,
        false,
        "https://app.example.com/",
        Some("Basic dXNlcjpwYXNz"),
    );

    assert_eq!(reply.status, Status::Found, "anonymous: sent to log in");
}
