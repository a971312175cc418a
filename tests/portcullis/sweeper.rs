//! The sweeper (SPEC §12): what has ended disappears from every list at once and
//! from the disk at the next pass; a pass is driven here with the manual clock and
//! `Sweeper::run_once`, no sleeping.

use std::collections::HashSet;
use std::time::Duration;

use rocket::http::Status;

use crate::api::{Api, Pair};
use crate::helpers::{PASSWORD, TestApp, block_on, first_admin, registered};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// The session ids a page offers to revoke (one per listed session).
fn listed_sessions(body: &str, marker: &str) -> HashSet<String> {
    let pattern = format!("{}([A-Za-z0-9_-]+)/revoke", regex::escape(marker));
    regex::Regex::new(&pattern)
        .unwrap()
        .captures_iter(body)
        .map(|c| c[1].to_owned())
        .collect()
}

fn user_id(app: &TestApp, email: &str) -> portcullis::domain::UserId {
    let email = portcullis::domain::Email::parse(email).unwrap();
    app.auth().accounts().by_email(&email).unwrap().unwrap().id
}

#[test]
fn a_session_past_its_idle_end_leaves_every_list_before_any_sweep() {
    let app = TestApp::spawn_with(&[("session_idle_timeout", "1h".into())]);
    let mut admin = first_admin(&app, "root@example.com");
    let mut idle = app.browser();
    assert_eq!(
        idle.login("root@example.com", PASSWORD).status,
        Status::SeeOther
    );
    let api = Api::new(&app);
    let pair = Pair::from(&api.login("root@example.com", PASSWORD));
    let before = listed_sessions(&admin.get("/account").body, "/account/sessions/");
    assert_eq!(before.len(), 3, "admin browser, idle browser, API");

    // The admin browser stays active; the other browser falls idle.
    for _ in 0..4 {
        app.advance(20 * MINUTE);
        assert_eq!(admin.get("/account").status, Status::Ok);
    }
    let account = admin.get("/account");
    let admin_id = user_id(&app, "root@example.com");
    let admin_page = admin.get(&format!("/admin/users/{admin_id}"));
    let refreshed = Pair::from(&api.refresh(&pair.refresh));
    let api_list = crate::api::json_of(&api.get("/api/v1/sessions", &refreshed.access));

    assert_eq!(
        listed_sessions(&account.body, "/account/sessions/").len(),
        2
    );
    let marker = format!("/admin/users/{admin_id}/sessions/");
    assert_eq!(listed_sessions(&admin_page.body, &marker).len(), 2);
    let api_sessions = api_list["sessions"]
        .as_array()
        .or(api_list.as_array())
        .cloned();
    assert_eq!(api_sessions.map(|s| s.len()), Some(2), "{api_list}");
    assert_eq!(idle.get("/account").status, Status::SeeOther);
}

#[test]
fn a_sweep_deletes_what_has_ended_and_counts_it() {
    let app = TestApp::spawn_with(&[("audit_retention", "1d".into())]);
    let mut alice = registered(&app, "alice@example.com");
    let mut other = app.browser();
    assert_eq!(
        other.login("alice@example.com", PASSWORD).status,
        Status::SeeOther
    );
    assert_eq!(other.logout().status, Status::SeeOther);
    let mut stranger = app.browser();
    stranger.login("nobody@example.com", "not the password at all");
    let alice_id = user_id(&app, "alice@example.com");
    let client = portcullis::auth::Client::default();
    block_on(app.auth().links().create_reset(alice_id, &client)).unwrap();
    let revoked_before = app.auth().mirror().revoked_count();
    assert!(revoked_before >= 1);
    app.advance(2 * DAY);

    let report = app.sweep();

    assert_eq!(report.sessions, 1, "{report:?}");
    assert_eq!(report.live_sessions, 0, "{report:?}");
    assert!(report.revoked >= 1 && report.mirrored >= 1, "{report:?}");
    assert!(
        report.throttle >= 2,
        "the stranger's address and account: {report:?}"
    );
    assert_eq!(report.links, 1, "{report:?}");
    assert!(report.audit >= 3, "{report:?}");
    assert_eq!(app.auth().mirror().revoked_count(), 0);
    assert!(
        app.auth()
            .store()
            .sessions_of(&alice_id)
            .unwrap()
            .is_empty()
    );
    assert_eq!(alice.get("/account").status, Status::SeeOther);
    let again = app.sweep();
    assert_eq!((again.sessions, again.links, again.audit), (0, 0, 0));
    let metrics = crate::metrics::scrape(&app);
    assert!(
        metrics.contains("portcullis_swept_total{kind=\"sessions\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("portcullis_sweeps_total"), "{metrics}");
}

#[test]
fn a_swept_session_whose_token_is_unexpired_stays_refused() {
    // An idle timeout shorter than the token's lifetime: the token outlives the
    // session record, so deleting the record must revoke it.
    let app = TestApp::spawn_with(&[("session_idle_timeout", "60".into())]);
    let mut alice = registered(&app, "alice@example.com");
    app.advance(2 * MINUTE);

    let report = app.sweep();

    assert_eq!(report.sessions, 1);
    assert_eq!(alice.get("/account").status, Status::SeeOther);
    app.advance(HOUR);
    assert_eq!(app.sweep().mirrored, 1);
}

#[test]
fn an_account_locked_by_failures_is_not_unlocked_by_the_sweeper() {
    let app = TestApp::spawn_with(&[("login_ip_limit", 1000.into())]);
    let _alice = registered(&app, "alice@example.com");
    let mut attacker = app.browser();
    for _ in 0..5 {
        attacker.login("alice@example.com", "wrong wrong wrong wrong");
    }
    app.advance(30 * DAY);

    app.sweep();

    let counted = attacker.login("alice@example.com", "wrong wrong wrong wrong");
    assert_eq!(
        counted.status,
        Status::Unauthorized,
        "the sixth failure is let through"
    );
    let backed_off = attacker.login("alice@example.com", "wrong wrong wrong wrong");
    assert_eq!(
        backed_off.status,
        Status::TooManyRequests,
        "the account's count survived the sweep"
    );
}

#[test]
fn portcullis_sweep_makes_one_pass_on_a_stopped_servers_data_dir() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let data = dir.path().join("data").display().to_string();
    let app = TestApp::spawn_in(dir.clone(), &[("data_dir", data.into())]);
    registered(&app, "alice@example.com");
    drop(app);

    let output = crate::cli::portcullis(dir.path(), &["sweep"], None);

    let text = crate::cli::text(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("deleted 0 sessions") && text.contains("1 live sessions left"),
        "{text}"
    );
}
