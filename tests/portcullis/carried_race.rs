//! A carried admin action (SPEC §9) runs exactly once even when the password
//! confirmation it waits for is submitted twice at once (two tabs, a double
//! click): both requests carry the same kept action and the same session. One that
//! is cancelled at the prompt is said on its page not to have been done.

use std::time::Duration;

use portcullis::domain::audit::AuditKind;
use rocket::figment::value::Dict;
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::asynchronous::Client;

use crate::helpers::{PASSWORD, TestApp, encode, figment, first_admin};

/// Past the default 10-minute `reauth_window`.
const STALE: Duration = Duration::from_secs(11 * 60);

#[test]
fn a_confirmation_submitted_twice_at_once_carries_the_action_out_once() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    app.advance(STALE);
    let stale = admin.post_form("/admin/invites", &[("groups", "staff")]);
    assert_eq!(stale.location(), Some("/reauth?rd=%2Fadmin"));
    let form = admin.get("/reauth?rd=%2Fadmin");
    let token = form.csrf_token().expect("the confirmation form");
    let body = encode(&[
        ("csrf_token", &token),
        ("password", PASSWORD),
        ("rd", "/admin"),
    ]);
    let cookies: Vec<Cookie<'static>> = admin
        .cookies
        .iter()
        .map(|(name, value)| Cookie::new(name.clone(), value.clone()))
        .collect();

    // The same server (data dir, secret key, clock) under the asynchronous client,
    // so that the two confirmations are in flight together.
    let (clock, dir) = (app.clock.clone(), app.dir.clone());
    drop(admin);
    drop(app);
    let mut settings = Dict::new();
    settings.insert("argon2_memory_kib".into(), 256.into());
    settings.insert("argon2_iterations".into(), 1.into());
    settings.insert("data_dir".into(), dir.path().display().to_string().into());
    let rocket = rocket::custom(figment(&settings)).attach(portcullis::fairing().with_clock(clock));
    let (statuses, made) = rocket::execute(async move {
        let client = Client::untracked(rocket).await.expect("server starts");
        let confirm = || {
            client
                .post("/reauth")
                .header(ContentType::Form)
                .cookies(cookies.clone())
                .body(body.clone())
                .dispatch()
        };
        let (first, second) = rocket::tokio::join!(confirm(), confirm());
        let auth: &portcullis::auth::Auth = client.rocket().state().expect("fairing");
        let events = auth.store().audit_events(0, 1000, None).expect("audit");
        let made = events
            .iter()
            .filter(|e| e.kind == AuditKind::LinkCreated)
            .count();
        ([first.status(), second.status()], made)
    });
    assert_eq!(statuses, [Status::SeeOther, Status::SeeOther]);
    assert_eq!(made, 1, "two confirmations at once made {made} invites");
    drop(dir);
}

#[test]
fn a_carried_action_cancelled_at_the_prompt_is_said_not_done_on_its_page() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    app.advance(STALE);
    admin.post_form("/admin/invites", &[("groups", "staff")]);
    // Cancel leads back to the user list.
    let back = admin.get("/admin");
    assert!(
        back.body.contains(
            "Not done: your password was not confirmed, so Portcullis did not make an \
             invite link into staff. Press the button again to do it."
        ),
        "{}",
        back.body
    );
    assert!(back.body.contains("class=\"notice warning\""));
    assert!(!back.body.contains("id=\"invite-url\""), "nothing was made");
    let again = admin.get("/admin");
    assert!(
        !again.body.contains("Not done"),
        "said once: the action is dropped"
    );
    let form = admin.get("/reauth?rd=%2Fadmin");
    assert!(!form.body.contains("After you confirm"), "{}", form.body);
}
