//! New sign-in notices (SPEC §11): a sign-in from a device and network not seen
//! for the user in 90 days shows a banner on `/account` and the admin user page,
//! with "Not me" (signs it out, on to the password change) and "It was me".

mod api;
mod sweep;

use rocket::http::Status;

use crate::helpers::{Browser, PASSWORD, TestApp, encode, first_admin};
use portcullis::domain::Email;

pub(super) const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
pub(super) const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
pub(super) const EMAIL: &str = "alice@example.com";

/// A browser with `user_agent` at `ip`.
pub(super) fn device<'a>(app: &'a TestApp, ip: &str) -> Browser<'a> {
    let mut browser = app.browser();
    browser.remote = Some(format!("{ip}:40000").parse().unwrap());
    browser
}

pub(super) fn send(browser: &mut Browser<'_>, path: &str, user_agent: &str) -> Status {
    let token = browser.csrf_token();
    let fields = [
        ("csrf_token", token.as_str()),
        ("email", EMAIL),
        ("password", PASSWORD),
    ];
    let reply = browser.post_raw(path, encode(&fields), &[("User-Agent", user_agent)]);
    reply.status
}

/// Alice's first device: registered from Firefox on Linux at home.
pub(super) fn home(app: &TestApp) -> Browser<'_> {
    let mut browser = device(app, "203.0.113.5");
    assert_eq!(
        send(&mut browser, "/register", FIREFOX_LINUX),
        Status::SeeOther
    );
    browser
}

pub(super) fn sign_in<'a>(app: &'a TestApp, ip: &str, user_agent: &str) -> Browser<'a> {
    let mut browser = device(app, ip);
    assert_eq!(send(&mut browser, "/login", user_agent), Status::SeeOther);
    browser
}

pub(super) fn banner(browser: &mut Browser<'_>) -> Option<String> {
    let page = browser.get("/account");
    assert_eq!(page.status, Status::Ok);
    let start = page.body.find("<strong>New sign-in:</strong>")?;
    let text = &page.body[start..];
    Some(shown(&text[..text.find("</p>").unwrap()]))
}

/// Page text as the browser shows it (Tera escapes `/` in values).
fn shown(html: &str) -> String {
    html.replace("&#x2F;", "/")
}

/// The session id in the banner's first "Not me" form.
pub(super) fn flagged_id(browser: &mut Browser<'_>) -> String {
    let body = browser.get("/account").body;
    let start = body.find("/account/sign-ins/").expect("a banner") + "/account/sign-ins/".len();
    body[start..].split('/').next().unwrap().to_owned()
}

#[test]
fn the_first_sign_in_and_sign_ins_from_a_known_place_are_not_flagged() {
    let app = TestApp::spawn();
    let mut first = home(&app);
    // Same browser family, another address in the same /24.
    let mut second = sign_in(&app, "203.0.113.200", FIREFOX_LINUX);

    assert_eq!(banner(&mut first), None);
    assert_eq!(banner(&mut second), None);
}

#[test]
fn a_new_device_or_network_is_flagged_on_the_other_devices() {
    let app = TestApp::spawn();
    let mut alice = home(&app);
    let mut stranger = sign_in(&app, "198.51.100.9", CHROME_WINDOWS);

    let text = banner(&mut alice).expect("a banner for the new sign-in");
    assert!(
        text.contains("Chrome on Windows 10 from 198.51.100.0/24"),
        "{text}"
    );
    assert!(text.contains("just now"), "{text}");
    app.advance(std::time::Duration::from_secs(5 * 60));
    assert!(banner(&mut alice).unwrap().contains("5 minutes ago"));
    assert_eq!(
        banner(&mut stranger),
        None,
        "the new device itself is not warned"
    );

    // The known browser from a new network is new too.
    sign_in(&app, "192.0.2.1", FIREFOX_LINUX);
    let body = shown(&alice.get("/account").body);
    assert_eq!(body.matches("<strong>New sign-in:</strong>").count(), 2);
    assert!(body.contains("Firefox on Linux from 192.0.2.0/24"));
}

#[test]
fn not_me_signs_that_device_out_and_leads_to_the_password_change() {
    let app = TestApp::spawn();
    let mut alice = home(&app);
    let mut stranger = sign_in(&app, "198.51.100.9", CHROME_WINDOWS);
    let id = flagged_id(&mut alice);

    let reply = alice.post_form(&format!("/account/sign-ins/{id}/not-me"), &[]);

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/account/password"));
    assert_eq!(
        stranger.get("/account").status,
        Status::SeeOther,
        "signed out"
    );
    assert_eq!(banner(&mut alice), None);
    let again = alice.post_form(&format!("/account/sign-ins/{id}/not-me"), &[]);
    assert_eq!(again.status, Status::NotFound);
}

#[test]
fn it_was_me_dismisses_the_notice_and_keeps_the_session() {
    let app = TestApp::spawn();
    let mut alice = home(&app);
    let mut laptop = sign_in(&app, "198.51.100.9", CHROME_WINDOWS);
    let id = flagged_id(&mut alice);

    let reply = alice.post_form(&format!("/account/sign-ins/{id}/dismiss"), &[]);

    assert_eq!(reply.status, Status::SeeOther);
    assert_eq!(reply.location(), Some("/account"));
    assert_eq!(banner(&mut alice), None);
    assert_eq!(laptop.get("/account").status, Status::Ok);
    // Known now: the next sign-in from there is not flagged.
    sign_in(&app, "198.51.100.10", CHROME_WINDOWS);
    assert_eq!(banner(&mut alice), None);
}

#[test]
fn the_buttons_need_a_csrf_token_and_the_users_own_notice() {
    let app = TestApp::spawn();
    let mut alice = home(&app);
    let mut stranger = sign_in(&app, "198.51.100.9", CHROME_WINDOWS);
    let id = flagged_id(&mut alice);

    for action in ["not-me", "dismiss"] {
        let path = format!("/account/sign-ins/{id}/{action}");
        assert_eq!(alice.post_raw(&path, "", &[]).status, Status::Forbidden);
    }
    let mut bob = device(&app, "203.0.113.50");
    assert_eq!(
        bob.register("bob@example.com", PASSWORD).status,
        Status::SeeOther
    );
    for action in ["not-me", "dismiss"] {
        let path = format!("/account/sign-ins/{id}/{action}");
        assert_eq!(bob.post_form(&path, &[]).status, Status::NotFound);
    }
    let garbage = alice.post_form("/account/sign-ins/not-an-id/dismiss", &[]);
    assert_eq!(garbage.status, Status::NotFound);

    assert!(banner(&mut alice).is_some(), "still there");
    assert_eq!(stranger.get("/account").status, Status::Ok);
}

#[test]
fn the_admin_user_page_shows_the_flags_and_the_audit_log_the_answers() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let mut alice = home(&app);
    sign_in(&app, "198.51.100.9", CHROME_WINDOWS);
    sign_in(&app, "192.0.2.1", FIREFOX_LINUX);
    let email = Email::parse(EMAIL).unwrap();
    let user = app.auth().accounts().by_email(&email).unwrap().unwrap().id;

    let page = admin.get(&format!("/admin/users/{user}"));
    assert_eq!(page.status, Status::Ok);
    let body = shown(&page.body);
    assert!(body.contains("New sign-ins"), "{body}");
    assert!(
        body.contains("Chrome on Windows 10 from 198.51.100.0/24"),
        "{body}"
    );

    let first = flagged_id(&mut alice);
    alice.post_form(&format!("/account/sign-ins/{first}/not-me"), &[]);
    let second = flagged_id(&mut alice);
    alice.post_form(&format!("/account/sign-ins/{second}/dismiss"), &[]);

    let log = admin.get(&format!("/admin/audit?user={user}")).body;
    assert_eq!(log.matches("New sign-in flagged").count(), 2, "{log}");
    assert!(log.contains("New sign-in disowned"), "{log}");
    assert!(log.contains("New sign-in notice dismissed"), "{log}");
    let page = admin.get(&format!("/admin/users/{user}"));
    assert!(!page.body.contains("New sign-ins"));
}

#[test]
fn an_api_login_from_a_new_place_is_flagged_and_not_me_ends_it() {
    let app = TestApp::spawn();
    let mut alice = home(&app);
    let body = serde_json::json!({ "email": EMAIL, "password": PASSWORD });
    let login = app
        .client
        .post("/api/v1/sessions")
        .header(rocket::http::ContentType::JSON)
        .header(rocket::http::Header::new("User-Agent", "curl/8.5.0"))
        .remote("198.51.100.9:40000".parse().unwrap())
        .body(body.to_string())
        .dispatch();
    assert_eq!(login.status(), Status::Created);
    let issued: serde_json::Value = login.into_json().unwrap();
    let bearer = format!("Bearer {}", issued["access_token"].as_str().unwrap());
    let me = |app: &TestApp| {
        let auth = rocket::http::Header::new("Authorization", bearer.clone());
        app.client
            .get("/api/v1/me")
            .header(auth)
            .dispatch()
            .status()
    };
    assert_eq!(me(&app), Status::Ok);

    let text = banner(&mut alice).expect("a banner for the API login");
    assert!(text.contains("from 198.51.100.0/24"), "{text}");
    let id = flagged_id(&mut alice);
    assert_eq!(id, issued["session_id"].as_str().unwrap());
    alice.post_form(&format!("/account/sign-ins/{id}/not-me"), &[]);

    assert_eq!(me(&app), Status::Unauthorized);
}
