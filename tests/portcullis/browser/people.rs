//! What a person does and sees, in the words of the pages: sign in, register, find
//! the session rows, notice being signed out. The scenarios are written with these.
//!
//! Some of SPEC §9 needs server work that lands later (flash notices after every
//! action, the sign-out reason on the login page, readable audit event names); the
//! helpers that will check those already take what the page must then say, so the
//! scenarios read as the finished story and only these bodies grow.

use super::harness::Profile;

/// The password every scenario's people start with.
pub const PASSWORD: &str = "correct horse battery staple";
/// A second good password.
pub const NEW_PASSWORD: &str = "a different horse entirely";

/// The rows of the session table on the page shown.
pub const SESSION_ROWS: &str = "//table[contains(@class,'sessions')]/tbody/tr[td[@data-label]]";
/// The row of a session other than this browser's.
pub const OTHER_SESSION: &str = "//table[contains(@class,'sessions')]/tbody/tr[td[@data-label] and not(contains(@class,'current'))]";

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
/// login form, with the way back to where it was going. `why` is what the login
/// page is to say (SPEC §9: "revoked from another device", "password changed",
/// …) once the server gives the reason; until then it names the cause in failures.
pub async fn signed_out(who: &Profile, why: &str) {
    who.visit("/account", &format!("signed-out-{why}")).await;
    assert_eq!(
        who.path().await,
        "/login?rd=%2Faccount",
        "a device whose session ended ({why}) must land on the login form"
    );
    who.sees("Sign in").await;
}

/// An action has been carried out and the page it led to is `path`. `notice` is the
/// one-time message SPEC §9 has that page show ("Signed out 1 other device."), once
/// the server sends flash notices; until then it names the action in failures.
pub async fn done(who: &Profile, path: &str, notice: &str) {
    assert_eq!(who.path().await, path, "after: {notice}");
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
