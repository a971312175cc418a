//! `/login` and `/logout` (SPEC §3).

use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, registered};

#[test]
fn the_right_password_opens_a_new_session() {
    let app = TestApp::spawn();
    let first = registered(&app, "alice@example.com");
    let mut second = app.browser();

    let reply = second.login("alice@example.com", PASSWORD);

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/account"));
    assert_ne!(second.session_cookie(), first.session_cookie());
    let account = second.get("/account");
    assert_eq!(
        account.body.matches("<tr").count(),
        3,
        "header row + two sessions"
    );
}

#[test]
fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let mut browser = app.browser();

    let wrong = browser.login("alice@example.com", "not the password at all");
    let unknown = browser.login("nobody@example.com", "not the password at all");

    assert_eq!(wrong.status, Status::Unauthorized);
    assert_eq!(unknown.status, Status::Unauthorized);
    assert!(wrong.body.contains("Invalid email or password."));
    let without_email = |body: &str| {
        body.replace("alice@example.com", "")
            .replace("nobody@example.com", "")
    };
    assert_eq!(without_email(&wrong.body), without_email(&unknown.body));
    assert_eq!(wrong.headers.len(), unknown.headers.len());
    assert_eq!(browser.session_cookie(), None);
}

#[test]
fn a_malformed_email_at_login_looks_like_a_wrong_password() {
    let app = TestApp::spawn();

    let reply = app.browser().login("alice", PASSWORD);

    assert_eq!(reply.status, Status::Unauthorized);
    assert!(reply.body.contains("Invalid email or password."));
}

#[test]
fn logging_out_makes_the_old_cookie_worthless() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, "alice@example.com");
    let old_cookie = browser.session_cookie().unwrap();

    let reply = browser.logout();

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/login"));
    assert_eq!(browser.session_cookie(), None, "the cookie is cleared");
    let mut replay = app.browser();
    replay.cookies.insert("portcullis".into(), old_cookie);
    let account = replay.get("/account");
    assert_eq!(account.status, Status::SeeOther);
    assert_eq!(account.location(), Some("/login?rd=%2Faccount"));
}

#[test]
fn login_follows_a_safe_rd_and_ignores_an_unsafe_one() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");

    let mut browser = app.browser();
    let safe = browser.post_form(
        "/login",
        &[
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("rd", "/account?tab=sessions"),
        ],
    );
    let mut other = app.browser();
    let unsafe_rd = other.post_form(
        "/login",
        &[
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("rd", "https://evil.com/"),
        ],
    );

    assert_eq!(safe.location(), Some("/account?tab=sessions"));
    assert_eq!(unsafe_rd.location(), Some("/account"));
}

#[test]
fn a_disabled_account_cannot_log_in() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let store = app.auth().store();
    let email = portcullis::domain::Email::parse("alice@example.com").unwrap();
    let mut user = store.user_by_email(&email).unwrap().unwrap();
    user.disabled = true;
    store.update_user(&user).unwrap();

    let reply = app.browser().login("alice@example.com", PASSWORD);

    assert_eq!(reply.status, Status::Unauthorized);
    assert!(reply.body.contains("Invalid email or password."));
}

#[test]
fn raised_argon2_parameters_rehash_the_password_at_login() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let dir = app.dir.clone();
    drop(app);
    let stronger = TestApp::spawn_in(dir, &[("argon2_memory_kib", 512.into())]);

    let reply = stronger.browser().login("alice@example.com", PASSWORD);

    assert_eq!(reply.status, Status::SeeOther);
    let email = portcullis::domain::Email::parse("alice@example.com").unwrap();
    let user = stronger
        .auth()
        .store()
        .user_by_email(&email)
        .unwrap()
        .unwrap();
    assert!(
        user.password_hash.contains("m=512"),
        "{}",
        user.password_hash
    );
}
