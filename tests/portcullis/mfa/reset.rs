//! Ending second factors (SPEC §10): a user removing one or making new recovery
//! codes keeps this session and ends the others; an administrator's or the command
//! line's reset removes them all and ends every session; pending logins that were
//! never finished are swept.

use std::time::Duration;

use portcullis::domain::audit::AuditKind;
use rocket::http::Status;

use super::policy::user_id;
use super::{code_now, enrolled, past_password};
use crate::helpers::{PASSWORD, TestApp, first_admin};

#[test]
fn removing_or_regenerating_ends_the_other_sessions_and_keeps_this_one() {
    let app = TestApp::spawn();
    let mut alice = enrolled(&app, "alice@example.com");
    let mut other = past_password(&app, "alice@example.com");
    other.post_form(
        "/login/second-factor",
        &[("code", &code_now(&app, &alice.secret))],
    );
    assert_eq!(other.get("/account").status, Status::Ok);

    let page = alice.browser.post_form("/account/recovery-codes", &[]);
    assert_eq!(page.status, Status::Ok);
    assert_eq!(alice.browser.get("/account").status, Status::Ok);
    assert_eq!(other.get("/account").status, Status::SeeOther);
}

#[test]
fn an_admin_resets_the_second_factors_after_re_authenticating_and_every_session_ends() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let mut alice = enrolled(&app, "alice@example.com");
    let id = user_id(&app, "alice@example.com");
    let page = format!("/admin/users/{id}");
    let shown = admin.get(&page);
    assert!(shown.body.contains(&format!("{page}/reset-factors")));

    app.advance(Duration::from_secs(11 * 60));
    let action = format!("{page}/reset-factors");
    let stale = admin.post_form(&action, &[]);
    let reauth = stale.location().unwrap().to_owned();
    assert!(reauth.starts_with("/reauth?rd="), "{reauth}");
    let asked = admin.get(&reauth);
    assert!(
        asked
            .body
            .contains("reset the second factors of alice@example.com"),
        "{}",
        asked.body
    );
    let done = admin.post_form("/reauth", &[("password", PASSWORD), ("rd", &page)]);
    assert_eq!(done.location(), Some(page.as_str()), "{}", done.body);
    let notice = admin.get(&page);
    assert!(
        notice.body.contains("Second factors reset"),
        "{}",
        notice.body
    );

    assert_eq!(alice.browser.get("/account").status, Status::SeeOther);
    let login = app.browser().login("alice@example.com", PASSWORD);
    assert_eq!(login.location(), Some("/account"), "the password is enough");
    let events = app.auth().store().audit_events(0, 100, None).unwrap();
    assert!(events.iter().any(|e| e.kind == AuditKind::FactorsReset));
}

#[test]
fn expired_pending_logins_are_swept_and_counted() {
    let app = TestApp::spawn();
    enrolled(&app, "alice@example.com");
    past_password(&app, "alice@example.com");
    past_password(&app, "alice@example.com");
    let fresh = app.sweep();
    assert_eq!(fresh.pending_logins, 0, "still within their five minutes");
    app.advance(Duration::from_secs(6 * 60));
    let report = app.sweep();
    assert_eq!(report.pending_logins, 2, "{report:?}");
    let metrics = crate::metrics::scrape(&app);
    assert!(
        metrics.contains("portcullis_swept_total{kind=\"pending_logins\"} 2"),
        "{metrics}"
    );
}

#[test]
fn reset_factors_from_the_command_line_removes_them_and_ends_every_session() {
    use crate::cli::{portcullis, text};
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let data = dir.path().join("data").display().to_string();
    let server = || TestApp::spawn_in(dir.clone(), &[("data_dir", data.clone().into())]);
    let cookie = {
        let app = server();
        let alice = enrolled(&app, "alice@example.com");
        alice.browser.session_cookie().unwrap()
    };
    let out = portcullis(
        dir.path(),
        &["user", "reset-factors", "ALICE@example.com"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("second factors"), "{}", text(&out));
    let unknown = portcullis(
        dir.path(),
        &["user", "reset-factors", "bob@example.com"],
        None,
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("no account"), "{}", text(&unknown));

    let app = server();
    let mut browser = app.browser();
    browser.cookies.insert("portcullis".into(), cookie);
    assert_eq!(browser.get("/account").status, Status::SeeOther);
    let login = app.browser().login("alice@example.com", PASSWORD);
    assert_eq!(login.location(), Some("/account"), "the password is enough");
}
