//! The second-factor policy in Chromium (SPEC §10): a member of a group that must
//! have a second factor is sent to set one up right after joining, reaches the
//! account page only once it is on, and confirming the password later asks for a
//! code too (here a recovery code, so nothing waits for the next 30-second step).

use super::harness::{Chromium, run};
use super::people::{PASSWORD, app_code, set_up_admin, wait_until_stale};
use super::portal::Portal;

const CAROL: &str = "carol@example.com";
/// Long enough that the enrolment forms are posted inside it even on a busy
/// machine (the whole suite runs at once), short enough to wait out.
const REAUTH_WINDOW_SECS: &str = "12";

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_member_of_a_required_group_enrols_first_and_confirms_with_a_code() {
    run(async {
        let portal = Portal::start_with(&[
            ("PORTCULLIS_SECOND_FACTOR_GROUPS", "[\"staff\"]"),
            ("PORTCULLIS_REAUTH_WINDOW", REAUTH_WINDOW_SECS),
        ]);
        let chromium = Chromium::start("enrol-first").await;
        let admin = chromium.profile("root-enrol", &portal.base).await;
        set_up_admin(&admin, &portal.setup_url).await;
        admin.fill("Groups", "staff").await;
        admin.press("Create invite link", "invite").await;
        let invite = admin.text_of("invite-url").await;

        // Carol joins the staff group: every page sends her to set up a factor.
        let carol = chromium.profile("carol", &portal.base).await;
        carol.visit(&invite, "invite-accept").await;
        carol.fill("Email", CAROL).await;
        carol.fill("Password", PASSWORD).await;
        carol.press("Create account", "security-must-enrol").await;
        assert_eq!(carol.path().await, "/account/security");
        carol
            .sees("Your account needs a second factor before you can go on.")
            .await;
        carol
            .visit("/account/tokens", "tokens-before-enrolment")
            .await;
        assert_eq!(
            carol.path().await,
            "/account/security?rd=%2Faccount%2Ftokens"
        );

        // She sets up the app, and the account page opens.
        carol
            .press("Set up an authenticator app", "totp-enrol-required")
            .await;
        let key = carol.text_of("totp-secret").await;
        carol.fill("Code from the app", &app_code(&key)).await;
        carol.press("Turn on", "recovery-codes-required").await;
        let codes = carol
            .js(
                "return [...document.querySelectorAll('#recovery-codes code')]\
                 .map(c => c.textContent.trim());",
            )
            .await;
        let codes: Vec<String> = serde_json::from_value(codes).expect("a list of codes");
        carol.follow("I have saved them", "tokens-enrolled").await;
        assert_eq!(carol.path().await, "/account/tokens", "where she was going");
        carol.visit("/account/security", "security-enrolled").await;
        carol.does_not_see("needs a second factor").await;
        carol.visit("/account", "account-enrolled").await;
        assert_eq!(carol.path().await, "/account");
        carol.sees("2FA").await;

        // Confirming the password later asks for a code as well.
        wait_until_stale(&carol, REAUTH_WINDOW_SECS).await;
        carol.inspect("reauth-with-code").await;
        carol.sees("and a code from your second factor").await;
        let code_label = "Code from your authenticator app, or a recovery code";
        carol.fill("Password", PASSWORD).await;
        carol.fill(code_label, "000000").await;
        carol.press("Confirm", "reauth-wrong-code").await;
        assert_eq!(
            carol.status().await,
            401,
            "the right password is not enough"
        );
        carol.sees("That password or code is not correct.").await;
        carol.fill("Password", PASSWORD).await;
        carol
            .fill(
                "Code from your authenticator app, or a recovery code",
                &codes[0],
            )
            .await;
        carol.press("Confirm", "password-after-reauth").await;
        assert_eq!(carol.path().await, "/account/password");
        for profile in [admin, carol] {
            profile.close().await;
        }
    });
}
