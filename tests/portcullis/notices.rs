//! What the pages tell people (SPEC §9): a one-time notice after every action, the
//! reason a device was signed out on its login page, pages for spent links and
//! errors that say what to do and keep the navigation, and static files that stay
//! cacheable under a base path.

use rocket::http::Status;

use crate::helpers::{Browser, PASSWORD, TestApp, first_admin, registered};

const NEW_PASSWORD: &str = "a different horse entirely";

/// The one-time notice on `page`, if any (`role="status"` paragraph).
fn notice(body: &str) -> Option<&str> {
    let start = body.find("role=\"status\">")? + "role=\"status\">".len();
    let end = body[start..].find("</p>")? + start;
    Some(&body[start..end])
}

/// Follows a `303` and returns the page it leads to.
fn follow(browser: &mut Browser<'_>, reply: &crate::helpers::Reply) -> crate::helpers::Reply {
    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    browser.get(reply.location().expect("a redirect"))
}

fn user_id(app: &TestApp, email: &str) -> portcullis::domain::UserId {
    let email = portcullis::domain::Email::parse(email).unwrap();
    let user = app.auth().accounts().by_email(&email).unwrap();
    user.expect("user exists").id
}

fn log_in<'a>(app: &'a TestApp, email: &str, password: &str) -> Browser<'a> {
    let mut browser = app.browser();
    assert_eq!(browser.login(email, password).status, Status::SeeOther);
    browser
}

#[test]
fn an_action_ends_on_a_page_that_says_what_happened_and_only_once() {
    let app = TestApp::spawn();
    let mut laptop = registered(&app, "alice@example.com");
    let _phone = log_in(&app, "alice@example.com", PASSWORD);

    let done = laptop.post_form("/account/sessions/revoke-others", &[]);
    let page = follow(&mut laptop, &done);

    assert_eq!(notice(&page.body), Some("Signed out 1 other device."));
    assert!(
        page.body
            .contains("<p class=\"notice done\" role=\"status\">")
    );
    let again = laptop.get("/account");
    assert_eq!(notice(&again.body), None, "shown once");

    let changed = laptop.post_form(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
        ],
    );
    assert_eq!(
        notice(&follow(&mut laptop, &changed).body),
        Some("Password changed; your other devices were signed out.")
    );
    let out = laptop.logout();
    assert_eq!(
        notice(&follow(&mut laptop, &out).body),
        Some("You are signed out.")
    );
}

#[test]
fn a_notice_cannot_be_planted_by_a_plain_cookie() {
    let app = TestApp::spawn();
    let mut browser = app.browser();
    browser
        .cookies
        .insert("portcullis_notice".into(), "dYour account is locked".into());
    let page = browser.get("/login");
    assert_eq!(page.status, Status::Ok);
    assert_eq!(notice(&page.body), None);
}

#[test]
fn a_device_signed_out_elsewhere_is_told_why_on_the_login_page() {
    let app = TestApp::spawn();
    let mut laptop = registered(&app, "alice@example.com");
    // A second later, so the phone's session is the newest one.
    app.advance(std::time::Duration::from_secs(1));
    let mut phone = log_in(&app, "alice@example.com", PASSWORD);
    let sessions = app.auth().sessions();
    let phone_session = sessions
        .list(&user_id(&app, "alice@example.com"))
        .unwrap()
        .into_iter()
        .max_by_key(|s| s.created_at)
        .unwrap();
    let revoke = format!("/account/sessions/{}/revoke", phone_session.id);
    assert_eq!(laptop.post_form(&revoke, &[]).status, Status::SeeOther);

    let sent = phone.get("/account");
    assert_eq!(sent.location(), Some("/login?rd=%2Faccount"));
    let login = phone.get("/login?rd=%2Faccount");
    let said = notice(&login.body).expect("a reason");
    assert!(
        said.starts_with("You were signed out: revoked from another device ("),
        "{said}"
    );
    assert!(login.body.contains("class=\"notice warning\""));
    assert_eq!(notice(&phone.get("/login").body), None, "shown once");

    // Straight to the login page, without a page in between.
    let mut phone = log_in(&app, "alice@example.com", PASSWORD);
    laptop.post_form(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
        ],
    );
    let login = phone.get("/login");
    assert_eq!(
        notice(&login.body),
        Some("You were signed out: password changed. Sign in again to go on.")
    );
}

#[test]
fn a_disabled_user_is_told_on_the_login_page() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let mut bob = registered(&app, "bob@example.com");
    let id = user_id(&app, "bob@example.com");
    let disabled = admin.post_form(&format!("/admin/users/{id}/disable"), &[]);
    let page = follow(&mut admin, &disabled);
    assert_eq!(
        notice(&page.body),
        Some("Account disabled; bob@example.com was signed out everywhere.")
    );
    let sent = bob.get("/account");
    let login = follow(&mut bob, &sent);
    assert_eq!(
        notice(&login.body),
        Some("You were signed out: disabled by an administrator. Sign in again to go on.")
    );
}

#[test]
fn spent_and_unknown_links_say_so_and_what_to_do() {
    let app = TestApp::spawn();
    let mut browser = app.browser();
    let invite = browser.get("/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(invite.status, Status::NotFound);
    assert!(
        invite
            .body
            .contains("Ask your administrator for a new invite link.")
    );
    let reset = browser.get("/reset/nothing-here");
    assert_eq!(reset.status, Status::NotFound);
    assert!(
        reset
            .body
            .contains("Ask your administrator for a new reset link.")
    );
    assert!(reset.body.contains(">Sign in</a>"), "a way on");
}

#[test]
fn error_pages_keep_the_navigation_of_a_signed_in_user() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    let missing = alice.get("/no/such/page");
    assert_eq!(missing.status, Status::NotFound);
    assert!(missing.body.contains(">Your account</a>"));
    assert!(missing.body.contains(">Sign out</button>"));
    assert!(missing.csrf_token().is_some(), "the sign-out form works");
    let forbidden = alice.get("/admin");
    assert_eq!(forbidden.status, Status::Forbidden);
    assert!(forbidden.body.contains(">Your account</a>"));
}

#[test]
fn static_files_under_a_base_path_are_cacheable_and_pages_are_not() {
    let app = TestApp::spawn_with(&[("public_url", "http://localhost:8000/auth".into())]);
    let mut browser = app.browser();
    let css = browser.get("/auth/static/portcullis.css");
    assert_eq!(css.status, Status::Ok);
    assert_eq!(css.header("Cache-Control"), Some("public, max-age=86400"));
    let page = browser.get("/auth/login");
    assert_eq!(page.header("Cache-Control"), Some("no-store"));
}

#[test]
fn a_session_that_expired_says_so_on_the_login_page() {
    let app = TestApp::spawn();
    let mut alice = registered(&app, "alice@example.com");
    app.advance(std::time::Duration::from_secs(25 * 3600));
    let sent = alice.get("/account");
    let login = follow(&mut alice, &sent);
    assert_eq!(
        notice(&login.body),
        Some("You were signed out: session expired. Sign in again to go on.")
    );
}

#[test]
fn a_copied_cookie_detected_is_the_reason_the_owner_is_given() {
    let app = TestApp::spawn();
    let mut owner = registered(&app, "alice@example.com");
    let mut thief = app.browser();
    thief.cookies = owner.cookies.clone();
    // The owner's next request renews the session; the copy then holds a spent token.
    app.advance(std::time::Duration::from_secs(16 * 60));
    assert_eq!(owner.get("/account").status, Status::Ok);
    app.advance(std::time::Duration::from_secs(60));
    assert_eq!(thief.get("/account").status, Status::SeeOther);

    assert_eq!(owner.get("/account").status, Status::SeeOther);
    let login = owner.get("/login");
    let said = notice(&login.body).expect("a reason");
    assert!(said.contains("copied cookie detected"), "{said}");
}
