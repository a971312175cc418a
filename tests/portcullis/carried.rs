//! An action interrupted by re-authentication (SPEC §9): an admin action is kept,
//! named on the confirmation page and carried out once after the password is
//! confirmed — and never for another confirmation, another browser, or twice; any
//! other form says plainly that it was not done.

use std::time::Duration;

use rocket::http::Status;

use crate::helpers::{Browser, PASSWORD, TestApp, encode, first_admin, registered};

/// Past the default 10-minute `reauth_window`.
const STALE: Duration = Duration::from_secs(11 * 60);

fn user_id(app: &TestApp, email: &str) -> portcullis::domain::UserId {
    let email = portcullis::domain::Email::parse(email).unwrap();
    let user = app.auth().accounts().by_email(&email).unwrap();
    user.expect("user exists").id
}

fn disabled(app: &TestApp, email: &str) -> bool {
    let id = user_id(app, email);
    let row = app.auth().accounts().summary(&id).unwrap().unwrap();
    row.user.disabled
}

/// The first admin and bob, registered, with the admin's password confirmation
/// gone stale: the admin's browser, bob's id and his page in the admin panel.
fn stale_admin_on_bob(app: &TestApp) -> (Browser<'_>, portcullis::domain::UserId, String) {
    let admin = first_admin(app, "root@example.com");
    registered(app, "bob@example.com");
    let id = user_id(app, "bob@example.com");
    let page = format!("/admin/users/{id}");
    app.advance(STALE);
    (admin, id, page)
}

/// Confirms the password on the confirmation page that leads back to `rd`, as a
/// person does: the form from that page, posted.
fn confirm(browser: &mut Browser<'_>, rd: &str) -> crate::helpers::Reply {
    let query = encode(&[("rd", rd)]);
    let form = browser.get(&format!("/reauth?{query}"));
    let token = form.csrf_token().expect("the confirmation form");
    let body = encode(&[("csrf_token", &token), ("password", PASSWORD), ("rd", rd)]);
    browser.post_raw("/reauth", body, &[])
}

#[test]
fn an_admin_action_interrupted_by_reauthentication_is_carried_out_after_it_once() {
    let app = TestApp::spawn();
    let (mut admin, id, page) = stale_admin_on_bob(&app);

    let stale = admin.post_form(&format!("{page}/disable"), &[]);
    let back = encode(&[("rd", &page)]);
    assert_eq!(stale.location(), Some(format!("/reauth?{back}").as_str()));
    assert!(
        !disabled(&app, "bob@example.com"),
        "not before the confirmation"
    );
    let kept = admin
        .cookies
        .get("portcullis_carried")
        .cloned()
        .expect("kept");
    let asks = admin.get(&format!("/reauth?{back}"));
    assert!(
        asks.body
            .contains("After you confirm, Portcullis will disable the account of bob@example.com."),
        "{}",
        asks.body
    );

    let done = confirm(&mut admin, &page);
    assert_eq!(done.status, Status::SeeOther);
    assert_eq!(done.location(), Some(page.as_str()));
    assert!(disabled(&app, "bob@example.com"), "carried out");
    let shown = admin.get(&page);
    assert!(
        shown
            .body
            .contains("Account disabled; bob@example.com was signed out everywhere.")
    );

    // Once: the same kept action presented again, at a later confirmation, is spent.
    block_on_enable(&app, &id);
    app.advance(STALE);
    admin.cookies.insert("portcullis_carried".into(), kept);
    let again = confirm(&mut admin, &page);
    assert_eq!(again.location(), Some(page.as_str()));
    assert!(!disabled(&app, "bob@example.com"), "not carried out twice");
}

fn block_on_enable(app: &TestApp, id: &portcullis::domain::UserId) {
    let client = portcullis::auth::Client::command_line();
    let accounts = app.auth().accounts();
    crate::helpers::block_on(accounts.set_disabled(id, false, &client)).unwrap();
}

#[test]
fn groups_are_carried_with_the_form_that_asked_for_them() {
    let app = TestApp::spawn();
    let (mut admin, id, page) = stale_admin_on_bob(&app);
    let stale = admin.post_form(&format!("{page}/groups"), &[("groups", "staff, wiki")]);
    assert_eq!(stale.status, Status::SeeOther);
    assert_eq!(confirm(&mut admin, &page).location(), Some(page.as_str()));
    let row = app.auth().accounts().summary(&id).unwrap().unwrap();
    assert_eq!(row.user.groups, ["staff", "wiki"]);
}

#[test]
fn a_kept_action_is_dropped_by_a_confirmation_asked_for_anything_else() {
    let app = TestApp::spawn();
    let (mut admin, _, page) = stale_admin_on_bob(&app);
    admin.post_form(&format!("{page}/disable"), &[]);

    // The admin cancels and later confirms for the password page instead.
    let other = admin.get("/reauth?rd=%2Faccount%2Fpassword");
    assert!(!other.body.contains("After you confirm"));
    assert_eq!(
        confirm(&mut admin, &page).location(),
        Some(page.as_str()),
        "the confirmation still returns to the page"
    );
    assert!(!disabled(&app, "bob@example.com"), "dropped, not carried");
}

#[test]
fn a_kept_action_works_only_in_the_browser_and_session_that_asked() {
    let app = TestApp::spawn();
    let (mut admin, _, page) = stale_admin_on_bob(&app);
    admin.post_form(&format!("{page}/disable"), &[]);
    let kept = admin.cookies.get("portcullis_carried").cloned().unwrap();

    // The same admin on another device, handed the cookie: another session.
    let mut other = app.browser();
    other.login("root@example.com", PASSWORD);
    app.advance(STALE);
    other.cookies.insert("portcullis_carried".into(), kept);
    assert_eq!(confirm(&mut other, &page).location(), Some(page.as_str()));
    assert!(!disabled(&app, "bob@example.com"));
}

#[test]
fn a_stale_admin_form_with_a_bad_csrf_token_is_refused_and_not_kept() {
    let app = TestApp::spawn();
    let (mut admin, id, _) = stale_admin_on_bob(&app);
    let forged = admin.post_raw(
        &format!("/admin/users/{id}/disable"),
        encode(&[("csrf_token", "forged")]),
        &[],
    );
    assert_eq!(forged.status, Status::Forbidden);
    assert!(forged.set_cookie("portcullis_carried").is_none());
}

#[test]
fn another_form_interrupted_by_reauthentication_says_it_was_not_done() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    app.advance(STALE);
    let stale = alice.post_form(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a different horse entirely"),
        ],
    );
    assert_eq!(stale.location(), Some("/reauth?rd=%2Faccount%2Fpassword"));
    let back = confirm(&mut alice, "/account/password");
    assert_eq!(back.location(), Some("/account/password"));
    let form = alice.get("/account/password");
    assert!(
        form.body
            .contains("That was not done: your password confirmation had expired."),
        "{}",
        form.body
    );
}

#[test]
fn an_invite_interrupted_by_reauthentication_is_made_after_it_and_shown_once() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    app.advance(STALE);
    let stale = admin.post_form("/admin/invites", &[("groups", "staff")]);
    assert_eq!(stale.location(), Some("/reauth?rd=%2Fadmin"));
    let asks = admin.get("/reauth?rd=%2Fadmin");
    assert!(
        asks.body
            .contains("Portcullis will make an invite link into staff.")
    );
    assert_eq!(confirm(&mut admin, "/admin").location(), Some("/admin"));

    let users = admin.get("/admin");
    let url = crate::helpers::between(&users.body, "id=\"invite-url\">", "<")
        .expect("the invite link is shown")
        .replace("&#x2F;", "/");
    let token = url.rsplit('/').next().unwrap().to_owned();
    assert!(!admin.get("/admin").body.contains(&token), "shown once");
    let mut bob = app.browser();
    let invite = bob.get(&format!("/invite/{token}"));
    assert_eq!(invite.status, Status::Ok);
    assert!(invite.body.contains("staff"));
}

#[test]
fn a_carried_action_that_is_refused_says_so_on_the_page_it_came_from() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let id = user_id(&app, "root@example.com");
    let page = format!("/admin/users/{id}");
    app.advance(STALE);
    admin.post_form(&format!("{page}/disable"), &[]);
    assert_eq!(confirm(&mut admin, &page).location(), Some(page.as_str()));
    let shown = admin.get(&page);
    assert!(
        shown.body.contains("class=\"notice warning\""),
        "{}",
        shown.body
    );
    assert!(!disabled(&app, "root@example.com"), "the last admin stays");
}
