//! Refresh tokens (SPEC §2): rotation on every use, reuse detection after the grace
//! window, concurrent refreshes within it, the session's absolute cap, durability.

use std::time::Duration;

use portcullis::domain::audit::AuditKind;
use rocket::figment::value::Value as Setting;

use super::{Api, Pair, assert_ended, assert_error, json_of};
use crate::helpers::TestApp;

const GRACE: Duration = Duration::from_secs(10);

/// Asserts that refreshing with `token` is refused with `401` and `code`.
fn refused(api: &Api<'_>, token: &str, code: &str) {
    assert_error(&api.refresh(token), 401, code);
}

/// Alice's first pair and the one a refresh rotated it into, on a server since
/// restarted on the same data dir.
fn rotated_before_a_restart() -> (TestApp, Pair, Pair) {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let first = api.signed_up("alice@example.com");
    let second = Pair::from(&api.refresh(&first.refresh));
    (app.restart(), first, second)
}

#[test]
fn a_refresh_rotates_the_pair_within_the_same_session() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let first = api.signed_up("alice@example.com");
    app.advance(Duration::from_secs(60));

    let reply = api.refresh(&first.refresh);

    assert_eq!(reply.status.code, 200, "{}", reply.body);
    let body = json_of(&reply);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(
        body["refresh_expires_in"],
        30 * 24 * 3600 - 60,
        "capped by the 30-day session lifetime"
    );
    assert_eq!(body.as_object().unwrap().len(), 6);
    let second = Pair::from(&reply);
    assert_eq!(second.session, first.session);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    assert_eq!(api.me(&second.access).status.code, 200);
    let listed = json_of(&api.get("/api/v1/sessions", &second.access));
    let seen = &listed["sessions"][0];
    assert_ne!(
        seen["last_seen_at"], seen["created_at"],
        "refresh moves last seen"
    );
}

#[test]
fn a_spent_refresh_token_replayed_after_the_grace_window_ends_the_session() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let first = api.signed_up("alice@example.com");
    let second = Pair::from(&api.refresh(&first.refresh));
    app.advance(GRACE + Duration::from_secs(1));

    let replay = api.refresh(&first.refresh);

    assert_error(&replay, 401, "refresh_token_reused");
    assert_ended(&api.me(&second.access), "copied_credential");
    assert_ended(&api.me(&first.access), "copied_credential");
    refused(&api, &second.refresh, "invalid_refresh_token");
    let events = app.auth().store().audit_events(0, 5, None).unwrap();
    assert!(events.iter().any(|e| e.kind == AuditKind::CredentialReuse));
}

#[test]
fn a_token_spent_several_rotations_ago_is_still_recognised_as_reuse() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let stolen = api.signed_up("alice@example.com");
    let mut latest = stolen.clone();
    for _ in 0..3 {
        app.advance(GRACE + Duration::from_secs(1));
        latest = Pair::from(&api.refresh(&latest.refresh));
    }

    refused(&api, &stolen.refresh, "refresh_token_reused");
    assert_ended(&api.me(&latest.access), "copied_credential");
}

#[test]
fn concurrent_refreshes_within_the_grace_window_keep_the_user_logged_in() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let first = api.signed_up("alice@example.com");

    let a = api.refresh(&first.refresh);
    let b = api.refresh(&first.refresh);

    assert_eq!(a.status.code, 200, "{}", a.body);
    assert_eq!(b.status.code, 200, "{}", b.body);
    let (a, b) = (Pair::from(&a), Pair::from(&b));
    assert_ne!(a.refresh, b.refresh, "another valid pair, not the same one");
    assert_eq!(api.me(&a.access).status.code, 200);
    assert_eq!(api.me(&b.access).status.code, 200);
    // Whichever answer the device kept, it goes on refreshing.
    app.advance(GRACE + Duration::from_secs(60));
    let kept = api.refresh(&b.refresh);
    assert_eq!(kept.status.code, 200, "{}", kept.body);
    assert_eq!(api.me(&Pair::from(&kept).access).status.code, 200);
}

#[test]
fn the_sibling_pair_also_refreshes_first() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let first = api.signed_up("alice@example.com");
    let a = Pair::from(&api.refresh(&first.refresh));
    let _b = Pair::from(&api.refresh(&first.refresh));

    app.advance(GRACE + Duration::from_secs(60));
    let reply = api.refresh(&a.refresh);

    assert_eq!(reply.status.code, 200, "{}", reply.body);
}

#[test]
fn malformed_and_unknown_refresh_tokens_are_refused_without_revoking() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");
    let forged = format!("pcr1.{}.{}", pair.session, "A".repeat(43));

    for bad in ["", "garbage", "pcr1.x.y", forged.as_str()] {
        refused(&api, bad, "invalid_refresh_token");
    }
    assert_eq!(api.me(&pair.access).status.code, 200, "nothing revoked");
    assert_eq!(api.refresh(&pair.refresh).status.code, 200);
}

#[test]
fn an_unused_refresh_token_expires_after_refresh_token_ttl() {
    let app = TestApp::spawn_with(&[("refresh_token_ttl", Setting::from("2d"))]);
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");
    assert_eq!(
        json_of(&api.login("alice@example.com", crate::helpers::PASSWORD))["refresh_expires_in"],
        2 * 24 * 3600
    );

    app.advance(Duration::from_secs(2 * 24 * 3600));

    refused(&api, &pair.refresh, "invalid_refresh_token");
}

#[test]
fn refreshing_never_extends_past_the_session_lifetime() {
    let app = TestApp::spawn_with(&[("session_lifetime", Setting::from("1h"))]);
    let api = Api::new(&app);
    api.register("alice@example.com", crate::helpers::PASSWORD);
    let login = api.login("alice@example.com", crate::helpers::PASSWORD);
    assert_eq!(json_of(&login)["refresh_expires_in"], 3600);
    let mut pair = Pair::from(&login);

    app.advance(Duration::from_secs(50 * 60));
    let late = api.refresh(&pair.refresh);
    assert_eq!(late.status.code, 200);
    assert_eq!(json_of(&late)["refresh_expires_in"], 600);
    assert_eq!(json_of(&late)["expires_in"], 600, "access token capped too");
    pair = Pair::from(&late);

    app.advance(Duration::from_secs(10 * 60));
    refused(&api, &pair.refresh, "invalid_refresh_token");
    assert_ended(&api.me(&pair.access), "expired");
}

#[test]
fn a_rotation_survives_a_restart() {
    let (app, first, second) = rotated_before_a_restart();
    let api = Api::new(&app);
    app.advance(GRACE + Duration::from_secs(1));

    refused(&api, &first.refresh, "refresh_token_reused");
    refused(&api, &second.refresh, "invalid_refresh_token");
}

#[test]
fn after_a_restart_the_latest_refresh_token_works() {
    let (app, _, second) = rotated_before_a_restart();
    let api = Api::new(&app);

    assert_eq!(api.me(&second.access).status.code, 200);
    assert_eq!(api.refresh(&second.refresh).status.code, 200);
}

#[test]
fn parallel_refreshes_with_one_token_all_succeed_and_keep_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = rocket::figment::value::Dict::new();
    settings.insert("data_dir".into(), dir.path().display().to_string().into());
    settings.insert("argon2_memory_kib".into(), 256.into());
    settings.insert("argon2_iterations".into(), 1.into());
    let rocket = rocket::custom(crate::helpers::figment(&settings)).attach(portcullis::fairing());

    let (statuses, me) = rocket::execute(async move {
        use rocket::http::ContentType;
        let client = rocket::local::asynchronous::Client::untracked(rocket)
            .await
            .unwrap();
        let post = |path: &'static str, body: serde_json::Value| {
            client
                .post(path)
                .header(ContentType::JSON)
                .body(body.to_string())
                .dispatch()
        };
        let credentials = serde_json::json!({
            "email": "alice@example.com", "password": crate::helpers::PASSWORD
        });
        post("/api/v1/users", credentials.clone()).await;
        let login = post("/api/v1/sessions", credentials).await;
        let login: serde_json::Value =
            serde_json::from_str(&login.into_string().await.unwrap()).unwrap();
        let refresh = serde_json::json!({ "refresh_token": login["refresh_token"] });
        let requests = (0..4).map(|_| post("/api/v1/sessions/refresh", refresh.clone()));
        let mut statuses = Vec::new();
        let mut accesses = Vec::new();
        for reply in rocket::futures::future::join_all(requests).await {
            statuses.push(reply.status().code);
            let body: serde_json::Value =
                serde_json::from_str(&reply.into_string().await.unwrap()).unwrap();
            accesses.push(body["access_token"].as_str().unwrap_or("").to_owned());
        }
        let mut me = Vec::new();
        for access in accesses {
            let reply = client
                .get("/api/v1/me")
                .header(rocket::http::Header::new(
                    "Authorization",
                    format!("Bearer {access}"),
                ))
                .dispatch()
                .await;
            me.push(reply.status().code);
        }
        (statuses, me)
    });

    assert_eq!(statuses, [200; 4]);
    assert_eq!(me, [200; 4]);
}
