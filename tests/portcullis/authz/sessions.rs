//! Who passes forward auth: the identity headers a logged-in user carries, and how
//! logout, revocation, refresh and the SSO cookie reach every app.

use std::time::Duration;

use portcullis::auth::Client;
use rocket::http::Status;

use super::{
    alice, anonymous, caddy, caddy_status, nginx, no_control_chars, rules, set_groups, spawn,
    user_id,
};
use crate::helpers::{PASSWORD, TestApp, registered};

#[test]
fn a_logged_in_user_passes_with_identity_headers() {
    let app = spawn();
    let mut browser = alice(&app);
    set_groups(&app, "alice@example.com", &["staff", "wiki"]);
    browser.login("alice@example.com", PASSWORD);
    let id = user_id(&app, "alice@example.com").to_string();

    for reply in [
        nginx(&mut browser, "https://app.example.com/docs", "GET"),
        caddy(&mut browser, "PUT", "/docs", &[]),
    ] {
        assert_eq!(reply.status, Status::Ok);
        assert_eq!(reply.header("Remote-User"), Some(id.as_str()));
        assert_eq!(reply.header("Remote-Email"), Some("alice@example.com"));
        assert_eq!(reply.header("Remote-Groups"), Some("staff,wiki"));
        assert_eq!(reply.header("Remote-Name"), Some("alice"));
    }
}

#[test]
fn identity_headers_never_carry_cr_or_lf() {
    let app = spawn();
    let mut browser = alice(&app);
    set_groups(&app, "alice@example.com", &["staff\r\nRemote-User: admin"]);
    browser.login("alice@example.com", PASSWORD);

    let reply = caddy(&mut browser, "GET", "/docs", &[]);

    assert_eq!(reply.status, Status::Forbidden);
    no_control_chars(&reply);
}

#[test]
fn logout_from_the_portal_ends_access_to_every_app_at_once() {
    let app = spawn();
    let mut browser = alice(&app);
    let mut other_tab = anonymous(&app);
    other_tab.cookies = browser.cookies.clone();
    assert_eq!(caddy_status(&mut other_tab, "GET", "/docs"), Status::Ok);

    browser.logout();

    assert_eq!(caddy_status(&mut browser, "GET", "/docs"), Status::Found);
    assert_eq!(caddy_status(&mut other_tab, "GET", "/docs"), Status::Found);
    assert_eq!(
        nginx(&mut other_tab, "https://app.example.com/", "GET").status,
        Status::Unauthorized
    );
}

#[test]
fn revoked_sessions_old_generations_and_disabled_users_are_refused() {
    let app = spawn();
    let mut laptop = alice(&app);
    let mut phone = anonymous(&app);
    phone.login("alice@example.com", PASSWORD);
    assert_eq!(caddy_status(&mut phone, "GET", "/docs"), Status::Ok);

    laptop.post_form("/account/sessions/revoke-others", &[]);
    assert_eq!(caddy_status(&mut phone, "GET", "/docs"), Status::Found);

    let mut copy = anonymous(&app);
    copy.cookies = laptop.cookies.clone();
    laptop.post_form("/account/logout-everywhere", &[]);
    assert_eq!(caddy_status(&mut copy, "GET", "/docs"), Status::Found);

    let mut again = anonymous(&app);
    again.login("alice@example.com", PASSWORD);
    let id = user_id(&app, "alice@example.com");
    rocket::execute(
        app.auth()
            .accounts()
            .set_disabled(&id, true, &Client::default()),
    )
    .unwrap();
    assert_eq!(caddy_status(&mut again, "GET", "/docs"), Status::Found);
}

#[test]
fn sliding_refresh_sets_the_new_cookie_on_the_200() {
    let app = spawn();
    let mut browser = alice(&app);
    app.advance(Duration::from_secs(16 * 60));

    let refreshed = caddy(&mut browser, "GET", "/docs", &[]);

    assert_eq!(refreshed.status, Status::Ok);
    assert!(
        refreshed.set_cookie("portcullis").is_some(),
        "{:?}",
        refreshed.headers
    );
    // The old cookie is now stale; only the relayed one keeps the session alive.
    app.advance(Duration::from_secs(60));
    assert_eq!(caddy_status(&mut browser, "GET", "/docs"), Status::Ok);
}

#[test]
fn after_login_the_user_lands_back_on_the_original_url() {
    let app = TestApp::spawn_with(&[
        ("access_rules", rules()),
        ("cookie_domain", "example.com".into()),
    ]);
    registered(&app, "alice@example.com").logout();
    let mut browser = anonymous(&app);
    let sent = caddy(&mut browser, "GET", "/docs?x=1", &[]);
    let login = url::Url::parse(sent.location().unwrap()).unwrap();
    let rd = login
        .query_pairs()
        .find(|(k, _)| k == "rd")
        .unwrap()
        .1
        .into_owned();

    let reply = browser.post_form(
        "/login",
        &[
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("rd", &rd),
        ],
    );

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("https://app.example.com/docs?x=1"));
}

#[test]
fn sso_cookie_is_secure_prefixed_and_shared_with_subdomains() {
    let app = TestApp::spawn_with(&[
        ("access_rules", rules()),
        ("public_url", "https://auth.example.com".into()),
        ("cookie_domain", "example.com".into()),
    ]);
    let mut browser = anonymous(&app);
    browser.register("alice@example.com", PASSWORD);
    let login = browser.login("alice@example.com", PASSWORD);

    let cookie = login
        .set_cookie("__Secure-portcullis")
        .expect("session cookie");
    assert_eq!(cookie.domain(), Some("example.com"));
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.path(), Some("/"));
    assert!(login.set_cookie("__Host-portcullis").is_none());
    assert_eq!(caddy_status(&mut browser, "GET", "/docs"), Status::Ok);
}
