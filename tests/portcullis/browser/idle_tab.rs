//! Sessions that follow people in Chromium (SPEC §11 `idle_counts`): a tab left
//! open that keeps loading things in the background (here an image every 250 ms:
//! the portal's CSP allows no `fetch()`) is signed out when the idle timeout runs
//! out, although those requests renew its token until then.

use std::time::{Duration, Instant};

use super::harness::{Chromium, DEADLINE, Profile, run};
use super::people::PASSWORD;
use super::portal::Portal;

/// Short enough to wait out; the token lives a second so that polls renew it.
const IDLE_SECS: &str = "4";

/// Waits, without navigating (a navigation would count as activity), until the
/// session cookie is `wanted(value)`.
async fn cookie_until(tab: &Profile, what: &str, wanted: impl Fn(Option<String>) -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !wanted(tab.cookie("portcullis").await.map(|c| c.value().to_owned())) {
        assert!(Instant::now() < deadline, "waited {DEADLINE:?} for {what}");
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_tab_left_polling_is_signed_out_at_its_idle_limit() {
    run(async {
        let portal = Portal::start_with(&[
            ("PORTCULLIS_SESSION_IDLE_TIMEOUT", IDLE_SECS),
            ("PORTCULLIS_ACCESS_TOKEN_TTL", "1"),
        ]);
        let chromium = Chromium::start("idle-tab").await;
        let tab = chromium.profile("alice-tab", &portal.base).await;
        tab.visit("/register", "register").await;
        tab.fill("Email", "alice@example.com").await;
        tab.fill("Password", PASSWORD).await;
        tab.press("Create account", "account").await;
        assert_eq!(tab.path().await, "/account");
        let first = tab.cookie("portcullis").await.map(|c| c.value().to_owned());
        assert!(first.is_some());

        tab.js("let n = 0;\
             setInterval(() => { new Image().src = '/account?poll=' + (n++); }, 250);\
             return true;")
            .await;
        cookie_until(&tab, "a background renewal", |c| c.is_some() && c != first).await;
        cookie_until(&tab, "the idle end", |c| c.is_none()).await;

        tab.visit("/account", "signed-out-idle").await;
        assert_eq!(tab.path().await, "/login?rd=%2Faccount");
        tab.close().await;
    });
}
