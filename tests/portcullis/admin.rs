//! Administration (issue 6): the setup link, invites, reset links, the admin pages
//! and their actions, registration modes, and the audit view.

mod users;

use std::time::Duration;

use rocket::http::Status;

use crate::helpers::{
    Browser, PASSWORD, Reply, TestApp, between, block_on, encode, first_admin, registered,
};

const NEW_PASSWORD: &str = "a different long passphrase";

/// The id of the user with `email`, read from the admin list.
fn user_id(app: &TestApp, email: &str) -> String {
    let email = portcullis::domain::Email::parse(email).unwrap();
    app.auth()
        .accounts()
        .by_email(&email)
        .unwrap()
        .expect("user exists")
        .id
        .to_string()
}

/// An invite link made by `admin` (signed in as an administrator), as a path.
fn invite(admin: &mut Browser<'_>) -> String {
    let page = admin.post_form("/admin/invites", &[]);
    shown_link(&page.body, "invite")
}

/// Joins through the invite at `path` as `email` with `password`.
fn accept(guest: &mut Browser<'_>, path: &str, email: &str, password: &str) -> Reply {
    guest.post_form(path, &[("email", email), ("password", password)])
}

/// The one-time URL shown on an admin page, as a path on this server.
fn shown_link(body: &str, kind: &str) -> String {
    // Tera escapes `/` in HTML text; a browser shows it as a slash.
    let body = &body.replace("&#x2F;", "/");
    let marker = format!("http://localhost:8000/{kind}/");
    let token =
        between(body, &marker, "<").unwrap_or_else(|| panic!("page shows the link: {body}"));
    format!("/{kind}/{token}")
}

#[test]
fn the_setup_link_creates_an_admin_once() {
    let app = TestApp::spawn();
    let token = block_on(app.auth().links().create_setup()).unwrap();
    let path = format!("/setup/{token}");

    let mut first = app.browser();
    let csrf = first.get(&path).csrf_token().unwrap();
    let body = encode(&[
        ("csrf_token", &csrf),
        ("email", "root@example.com"),
        ("password", PASSWORD),
    ]);
    let created = first.post_raw(&path, &body, &[]);
    assert_eq!(created.status, Status::SeeOther);
    assert_eq!(created.location(), Some("/admin"));
    assert_eq!(first.get("/admin").status, Status::Ok);
    assert!(first.get("/account").body.contains(">admin</span>"));

    // Spent: a second visit or submission is a 404, and no second account appears.
    let mut second = app.browser();
    assert_eq!(second.get(&path).status, Status::NotFound);
    let csrf = second.csrf_token();
    let again = encode(&[
        ("csrf_token", &csrf),
        ("email", "mallory@example.com"),
        ("password", PASSWORD),
    ]);
    assert_eq!(second.post_raw(&path, &again, &[]).status, Status::NotFound);
    assert_eq!(app.auth().accounts().summaries().unwrap().len(), 1);
}

#[test]
fn a_setup_link_is_dead_once_any_account_exists() {
    let app = TestApp::spawn();
    let token = block_on(app.auth().links().create_setup()).unwrap();
    registered(&app, "early@example.com");
    assert_eq!(
        app.browser().get(&format!("/setup/{token}")).status,
        Status::NotFound
    );
}

#[test]
fn unknown_and_wrong_kind_links_are_404() {
    let app = TestApp::spawn();
    let setup = block_on(app.auth().links().create_setup()).unwrap();
    let mut browser = app.browser();
    for path in [
        "/setup/AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        "/invite/nonsense".to_owned(),
        "/reset/%00%0d%0a".to_owned(),
        format!("/invite/{setup}"),
        format!("/reset/{setup}"),
    ] {
        assert_eq!(browser.get(&path).status, Status::NotFound, "{path}");
    }
}

#[test]
fn a_new_setup_link_replaces_the_previous_one() {
    // A link is made (and printed) at each start without accounts; only the newest
    // works. (The printing itself is checked on the real binary in `logs`.)
    let app = TestApp::spawn();
    let first = block_on(app.auth().links().create_setup()).unwrap();
    let second = block_on(app.auth().links().create_setup()).unwrap();
    let mut browser = app.browser();
    assert_eq!(
        browser.get(&format!("/setup/{first}")).status,
        Status::NotFound
    );
    assert_eq!(browser.get(&format!("/setup/{second}")).status, Status::Ok);
}

#[test]
fn an_invite_creates_one_account_in_its_groups_then_is_spent() {
    let app = TestApp::spawn_with(&[("registration", "invite".into())]);
    let mut admin = first_admin(&app, "root@example.com");
    let page = admin.post_form("/admin/invites", &[("groups", "staff, wiki")]);
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let path = shown_link(&page.body, "invite");

    // Self-registration is closed in invite mode; the invite works.
    let mut guest = app.browser();
    assert_eq!(guest.get("/register").status, Status::Forbidden);
    assert_eq!(guest.get(&path).status, Status::Ok);
    let created = accept(&mut guest, &path, "new@example.com", PASSWORD);
    assert_eq!(created.status, Status::SeeOther, "{}", created.body);
    assert_eq!(created.location(), Some("/account"));
    let account = guest.get("/account").body;
    assert!(account.contains(">staff</span>") && account.contains(">wiki</span>"));

    let mut other = app.browser();
    assert_eq!(other.get(&path).status, Status::NotFound);
    let reused = accept(&mut other, &path, "second@example.com", PASSWORD);
    assert_eq!(reused.status, Status::NotFound);
}

#[test]
fn a_failed_invite_use_does_not_spend_it() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let path = invite(&mut admin);
    let mut guest = app.browser();
    let weak = accept(&mut guest, &path, "new@example.com", "short");
    assert_eq!(weak.status, Status::UnprocessableEntity);
    assert!(weak.body.contains("at least 12"));
    let taken = accept(&mut guest, &path, "ROOT@example.com", PASSWORD);
    assert_eq!(taken.status, Status::Conflict);
    let created = accept(&mut guest, &path, "new@example.com", PASSWORD);
    assert_eq!(created.status, Status::SeeOther);
}

#[test]
fn an_invite_expires_after_a_week() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let path = invite(&mut admin);
    app.advance(Duration::from_secs(7 * 24 * 3600 + 1));
    assert_eq!(app.browser().get(&path).status, Status::NotFound);
}

#[test]
fn closed_registration_refuses_invites_both_ways() {
    let app = TestApp::spawn_with(&[("registration", "closed".into())]);
    let mut admin = first_admin(&app, "root@example.com");
    let refused = admin.post_form("/admin/invites", &[]);
    assert_eq!(refused.status, Status::Forbidden);
    assert!(refused.body.contains("closed"));
    // An invite made before the server was closed is refused too.
    let token = block_on(
        app.auth()
            .links()
            .create_invite(Vec::new(), &Default::default()),
    );
    assert!(token.is_err());
    let mut guest = app.browser();
    assert_eq!(guest.get("/register").status, Status::Forbidden);
    let registered = guest.register("walkin@example.com", PASSWORD);
    assert_eq!(registered.status, Status::Forbidden);
}
