//! The new sign-in notice in Chromium (SPEC §11): Alice's second "device" (another
//! profile with another browser's User-Agent) signs in; her first sees the banner,
//! says "Not me", and lands on the password change while the other is signed out.

use serde_json::json;

use super::harness::{Chromium, run};
use super::people::{PASSWORD, log_in, signed_out};
use super::portal::Portal;

const ALICE: &str = "alice@example.com";
const FIREFOX_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_sign_in_from_another_device_shows_a_banner_and_not_me_signs_it_out() {
    run(async {
        let portal = Portal::start();
        let chromium = Chromium::start("new-sign-in").await;
        let home = chromium.profile("alice-home", &portal.base).await;
        home.visit("/register", "register").await;
        home.fill("Email", ALICE).await;
        home.fill("Password", PASSWORD).await;
        home.press("Create account", "account-first").await;
        assert_eq!(home.path().await, "/account");
        home.does_not_see("New sign-in").await;

        let other = chromium.profile("stranger", &portal.base).await;
        let agent = json!({ "userAgent": FIREFOX_WINDOWS });
        other.cdp("Emulation.setUserAgentOverride", agent).await;
        log_in(&other, ALICE, PASSWORD).await;
        other.does_not_see("New sign-in").await;

        home.visit("/account", "account-new-sign-in").await;
        home.sees("New sign-in: Firefox on Windows 10 from 127.0.0.0/24, just now")
            .await;
        home.press("Not me: sign it out", "not-me-password").await;
        // Signed in minutes ago, so the password change opens without a confirmation.
        assert_eq!(home.path().await, "/account/password");
        home.sees("That device is signed out.").await;
        signed_out(&other, "revoked from another device").await;
        home.visit("/account", "account-after-not-me").await;
        home.does_not_see("New sign-in").await;

        other.close().await;
        home.close().await;
    });
}
