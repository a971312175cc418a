//! What a person does and sees, in the words of the pages: sign in, register, find
//! the session rows, notice being signed out. The scenarios are written with these.
//!
//! SPEC §9's notices are checked here: the one-time notice after an action
//! ([`done`]) and the reason a device was signed out, on its login page
//! ([`signed_out`]).

use std::time::{Duration, Instant};

use totp_rs::{Algorithm, Secret, TOTP};

use super::harness::{DEADLINE, Profile};

/// The first administrator of every scenario.
pub const ADMIN: &str = "root@example.com";
/// The password every scenario's people start with.
pub const PASSWORD: &str = "correct horse battery staple";
/// A second good password.
pub const NEW_PASSWORD: &str = "a different horse entirely";

/// The rows of the session table on the page shown.
pub const SESSION_ROWS: &str = "//table[contains(@class,'sessions')]/tbody/tr[td[@data-label]]";
/// The row of a session other than this browser's.
pub const OTHER_SESSION: &str = "//table[contains(@class,'sessions')]/tbody/tr[td[@data-label] and not(contains(@class,'current'))]";

/// Creates the first administrator, [`ADMIN`] with [`PASSWORD`], through the setup
/// link the portal printed; the browser is then signed in, on the admin page.
pub async fn set_up_admin(who: &Profile, setup_url: &str) {
    who.visit(setup_url, "setup").await;
    who.fill("Email", ADMIN).await;
    who.fill("Password", PASSWORD).await;
    who.press("Create administrator", "admin").await;
}

/// Signs in through the login form shown; `remember` ticks "Remember me".
pub async fn sign_in(who: &Profile, email: &str, password: &str, remember: bool, next: &str) {
    who.fill("Email", email).await;
    who.fill("Password", password).await;
    if remember {
        who.tick("Remember me on this device").await;
    }
    who.press("Sign in", next).await;
}

/// Opens the login page and signs in; asserts the account page is reached.
pub async fn log_in(who: &Profile, email: &str, password: &str) {
    who.visit("/login", "login").await;
    sign_in(who, email, password, false, "account").await;
    assert_eq!(who.path().await, "/account");
}

/// How many sessions the table on the page lists.
pub async fn session_rows(who: &Profile) -> usize {
    let script = format!(
        "return document.evaluate(\"count({SESSION_ROWS})\", document, null, \
         XPathResult.NUMBER_TYPE, null).numberValue;"
    );
    who.js(&script).await.as_f64().unwrap_or(-1.0) as usize
}

/// The device was signed out by something done elsewhere: its next page is the
/// login form, with the way back to where it was going, saying why (SPEC §9:
/// "revoked from another device (…)", "password changed", …): `why` is that
/// reason as the page words it.
pub async fn signed_out(who: &Profile, why: &str) {
    let label = format!(
        "signed-out-{}",
        why.split(' ').take(3).collect::<Vec<_>>().join("-")
    );
    who.visit("/account", &label).await;
    assert_eq!(
        who.path().await,
        "/login?rd=%2Faccount",
        "a device whose session ended ({why}) must land on the login form"
    );
    who.sees("Sign in").await;
    let said = notice(who).await;
    assert!(
        said.starts_with(&format!("You were signed out: {why}")),
        "the login page must say why the session ended ({why}), not {said:?}"
    );
}

/// An action has been carried out, the page it led to is `path`, and that page
/// says so once: `notice` is its one-time message ("Signed out 1 other device."),
/// announced politely to screen readers (`role="status"`). Loading the page again
/// shows it no more.
pub async fn done(who: &Profile, path: &str, notice_text: &str) {
    assert_eq!(who.path().await, path, "after: {notice_text}");
    assert_eq!(notice(who).await, notice_text, "the notice on {path}");
    who.goto(path).await;
    assert_eq!(notice(who).await, "", "a notice is shown once");
}

/// The text of the page's one-time notice, "" when there is none.
pub async fn notice(who: &Profile) -> String {
    who.js("const n = document.querySelector('p.notice[role=status]');\
         return n ? n.textContent.trim() : '';")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Asserts that no visible text on the page is a raw RFC 3339 time (SPEC §9).
pub async fn no_raw_times(who: &Profile) {
    let text = who.text().await;
    let raw = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}").expect("regex");
    assert!(
        !raw.is_match(&text),
        "{} shows a raw RFC 3339 time:\n{text}",
        who.path().await
    );
}

/// The code an authenticator app holding `key` (base32, as the page shows it) shows now.
pub fn app_code(key: &str) -> String {
    let bytes = Secret::Encoded(key.replace(' ', ""))
        .to_bytes()
        .expect("the page shows a base32 key");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new())
        .generate_current()
        .expect("a clock after 1970")
}

/// Opens the password page until the confirmation has gone stale and the browser is
/// sent to `/reauth` instead: `window` is the `PORTCULLIS_REAUTH_WINDOW` the portal
/// was started with (seconds), waited out with the usual deadline on top.
pub async fn wait_until_stale(who: &Profile, window: &str) {
    let window = Duration::from_secs(window.parse().expect("a window in seconds"));
    let deadline = Instant::now() + DEADLINE + window;
    loop {
        who.goto("/account/password").await;
        if who.path().await == "/reauth?rd=%2Faccount%2Fpassword" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the confirmation never went stale"
        );
        rocket::tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
