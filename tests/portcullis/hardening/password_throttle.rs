//! `POST /reauth`, `POST /account/password` and `PUT /api/v1/password` count against
//! the same per-account back-off and 100-failure lock as login (SPEC §8), and the
//! count survives a crash.

use std::time::Duration;

use rocket::http::Status;

use super::{ALICE, WRONG, alice, api_change, assert_throttled, page_change, reauth};
use crate::helpers::{PASSWORD, TestApp};

/// Twenty wrong passwords on one route: the first five are refused as wrong, then
/// every answer is a 429 with `Retry-After`.
#[track_caller]
fn twenty_wrong_get_throttled(mut attempt: impl FnMut() -> crate::helpers::Reply) {
    let replies: Vec<_> = (0..20).map(|_| attempt()).collect();
    for reply in &replies[..5] {
        assert_ne!(reply.status, Status::TooManyRequests, "{}", reply.body);
    }
    for reply in &replies[5..] {
        assert_throttled(reply);
    }
}

#[test]
fn wrong_passwords_on_reauth_are_throttled() {
    let app = TestApp::spawn();
    let (mut browser, _) = alice(&app);
    twenty_wrong_get_throttled(|| reauth(&mut browser, WRONG));
}

#[test]
fn wrong_current_passwords_on_the_password_page_are_throttled() {
    let app = TestApp::spawn();
    let (mut browser, _) = alice(&app);
    twenty_wrong_get_throttled(|| page_change(&mut browser, WRONG));
}

#[test]
fn wrong_current_passwords_on_the_api_are_throttled() {
    let app = TestApp::spawn();
    let (_, pair) = alice(&app);
    twenty_wrong_get_throttled(|| api_change(&app, &pair.access, WRONG));
}

#[test]
fn failures_on_one_route_throttle_the_others_and_login() {
    let app = TestApp::spawn();
    let (mut browser, pair) = alice(&app);
    for _ in 0..3 {
        assert_eq!(reauth(&mut browser, WRONG).status, Status::Unauthorized);
    }
    assert_eq!(api_change(&app, &pair.access, WRONG).status.code, 403);
    assert_eq!(page_change(&mut browser, WRONG).status, Status::Forbidden);

    assert_throttled(&app.browser().login(ALICE, PASSWORD));
    assert_throttled(&reauth(&mut browser, PASSWORD));
    assert_throttled(&api_change(&app, &pair.access, PASSWORD));
    assert_throttled(&page_change(&mut browser, PASSWORD));
}

#[test]
fn a_right_reauthentication_forgets_the_failures() {
    let app = TestApp::spawn();
    let (mut browser, _) = alice(&app);
    for _ in 0..4 {
        reauth(&mut browser, WRONG);
    }
    assert_eq!(reauth(&mut browser, PASSWORD).status, Status::SeeOther);

    for _ in 0..5 {
        assert_eq!(reauth(&mut browser, WRONG).status, Status::Unauthorized);
    }
}

/// Tokens that outlive a hundred back-off periods, so one API session can keep
/// guessing until the lock.
fn long_lived() -> TestApp {
    TestApp::spawn_with(&[
        ("access_token_ttl", "3d".into()),
        ("session_idle_timeout", "30d".into()),
    ])
}

#[test]
fn a_hundred_failures_across_routes_lock_the_account() {
    let app = long_lived();
    let (_, pair) = alice(&app);
    for n in 0..100 {
        app.advance(Duration::from_secs(15 * 60));
        let reply = if n % 2 == 0 {
            api_change(&app, &pair.access, WRONG)
        } else {
            app.browser().login(ALICE, WRONG)
        };
        assert_ne!(reply.status, Status::TooManyRequests, "attempt {n}");
    }
    app.advance(Duration::from_secs(24 * 3600));

    assert_throttled(&app.browser().login(ALICE, PASSWORD));
    assert_throttled(&api_change(&app, &pair.access, PASSWORD));
}

/// What a crash leaves: the data dir's files as they are on disk now, opened by a
/// new server (the old one still holds its copy).
fn after_a_crash(app: &TestApp) -> TestApp {
    let copy = tempfile::tempdir().expect("temp dir");
    copy_dir(&app.data_dir(), copy.path());
    TestApp::spawn_in(std::sync::Arc::new(copy), &[])
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("data dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn the_failure_count_survives_a_crash_right_after_throttling() {
    let app = TestApp::spawn();
    let (mut browser, _) = alice(&app);
    // The failures happen an hour ahead of the reopened server's clock, so its
    // back-off cannot have run out by the time it answers.
    app.advance(Duration::from_secs(3600));
    for _ in 0..5 {
        reauth(&mut browser, WRONG);
    }
    assert_throttled(&app.browser().login(ALICE, PASSWORD));

    let reopened = after_a_crash(&app);

    assert_throttled(&reopened.browser().login(ALICE, PASSWORD));
}
