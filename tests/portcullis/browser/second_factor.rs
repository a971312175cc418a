//! The second factor in Chromium (SPEC §10): an authenticator app set up from the
//! account page (the QR code drawn, the key shown, a code from the app accepted),
//! recovery codes shown once, and a sign-in that asks for a code after the password
//! and finishes with a recovery code.

use super::harness::{Chromium, run};
use super::people::{ADMIN, PASSWORD, app_code, set_up_admin, sign_in};
use super::portal::Portal;

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_person_turns_on_an_authenticator_app_and_signs_in_with_it() {
    run(async {
        let portal = Portal::start();
        let chromium = Chromium::start("second-factor").await;
        let me = chromium.profile("root", &portal.base).await;
        set_up_admin(&me, &portal.setup_url).await;

        // From the account page to the enrolment page, QR code and key on it.
        me.visit("/account", "account").await;
        me.follow("Authenticator app and recovery codes", "security")
            .await;
        me.sees("Sign-in security").await;
        me.press("Set up an authenticator app", "totp-enrol").await;
        me.sees("Set up an authenticator app").await;
        let drawn = me
            .js("return document.querySelector('figure.qr svg') !== null;")
            .await;
        assert_eq!(drawn.as_bool(), Some(true), "the QR code is drawn inline");
        let key = me.text_of("totp-secret").await;
        me.fill("Code from the app", &app_code(&key)).await;
        me.press("Turn on", "recovery-codes").await;
        me.sees("Your recovery codes").await;
        let codes = me
            .js(
                "return [...document.querySelectorAll('#recovery-codes code')]\
                 .map(c => c.textContent.trim());",
            )
            .await;
        let codes: Vec<String> = serde_json::from_value(codes).expect("a list of codes");
        assert_eq!(codes.len(), 10);

        // Signing in again: the password alone opens no session.
        me.press("Sign out", "login-signed-out").await;
        sign_in(&me, ADMIN, PASSWORD, false, "second-factor").await;
        assert_eq!(me.path().await, "/login/second-factor");
        me.sees("Enter your code").await;
        me.visit("/account", "account-before-code").await;
        assert_eq!(
            me.path().await,
            "/login?rd=%2Faccount",
            "no session before the code"
        );

        // A wrong code is refused; a recovery code finishes the sign-in, once.
        sign_in(&me, ADMIN, PASSWORD, false, "second-factor-again").await;
        me.fill("Code", "000000").await;
        me.press("Sign in", "second-factor-wrong").await;
        assert_eq!(me.status().await, 401);
        me.fill("Code", &codes[0]).await;
        me.press("Sign in", "signed-in-with-recovery-code").await;
        assert_eq!(me.path().await, "/account");
        me.sees("2FA").await;
        me.visit("/account/security", "security-after").await;
        assert!(me.text_of("recovery-left").await.starts_with("9 of 10"));
    });
}
