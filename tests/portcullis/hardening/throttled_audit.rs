//! Throttled refusals cost (almost) nothing to store: one audit record per window,
//! user and address, counting them, however many there are.

use std::time::Duration;

use portcullis::domain::audit::{AuditKind, THROTTLED_WINDOW};

use super::{ALICE, WRONG};
use crate::helpers::{TestApp, registered};

fn audit_records(app: &TestApp) -> Vec<portcullis::domain::audit::AuditEvent> {
    app.auth().store().audit_events(0, 100_000, None).unwrap()
}

#[test]
fn fifty_refusals_add_one_record_that_counts_them() {
    let app = TestApp::spawn();
    registered(&app, ALICE);
    for _ in 0..5 {
        app.browser().login(ALICE, WRONG);
    }
    let before = audit_records(&app).len();

    for _ in 0..50 {
        assert_eq!(app.login_status(ALICE, WRONG).code, 429);
    }

    let after = audit_records(&app);
    assert!(
        after.len() <= before + 2,
        "{} new records",
        after.len() - before
    );
    let throttled: u32 = after
        .iter()
        .filter(|e| e.kind == AuditKind::Throttled)
        .map(|e| e.repeated + 1)
        .sum();
    assert_eq!(throttled, 50, "every refusal is counted");
}

#[test]
fn a_new_window_starts_a_new_record() {
    let app = TestApp::spawn();
    registered(&app, ALICE);
    // Five failures, then one refusal.
    for _ in 0..6 {
        app.browser().login(ALICE, WRONG);
    }
    let window = Duration::from_secs(THROTTLED_WINDOW as u64);
    app.advance(window);
    // One more failure (the back-off has run out), then five refusals.
    for _ in 0..6 {
        app.browser().login(ALICE, WRONG);
    }

    let throttled: Vec<_> = audit_records(&app)
        .into_iter()
        .filter(|e| e.kind == AuditKind::Throttled)
        .map(|e| e.repeated + 1)
        .collect();
    assert_eq!(throttled, [5, 1], "newest window first");
}

#[test]
fn the_audit_page_shows_how_many_refusals_a_record_counts() {
    let app = TestApp::spawn();
    let mut admin = crate::helpers::first_admin(&app, "root@example.com");
    registered(&app, ALICE);
    for _ in 0..12 {
        app.browser().login(ALICE, WRONG);
    }

    let page = admin.get("/admin/audit");

    assert!(page.body.contains("throttled ×7"), "{}", page.body);
}
