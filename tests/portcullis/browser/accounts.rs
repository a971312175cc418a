//! A person's own account in Chromium (SPEC §3): the setup link, registering (and
//! its refusals), signing in with and without "remember me", the session list,
//! revoking a device from another, signing out other devices, changing the password
//! through re-authentication, logging out everywhere, and `rd` after login.

use cookie::SameSite;

use super::harness::{Chromium, run};
use super::people::{
    ADMIN, NEW_PASSWORD, OTHER_SESSION, PASSWORD, done, log_in, no_raw_times, session_rows,
    sign_in, signed_out, wait_until_stale,
};
use super::portal::Portal;

const ALICE: &str = "alice.wonderland@example.com";
/// Short enough that a password confirmation goes stale within the scenario, long
/// enough that the form after it is posted well inside it.
const REAUTH_WINDOW_SECS: &str = "4";

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_person_manages_their_own_account() {
    run(async {
        let portal = Portal::start_with(&[("PORTCULLIS_REAUTH_WINDOW", REAUTH_WINDOW_SECS)]);
        let chromium = Chromium::start("accounts").await;

        // The first administrator, through the link the server printed.
        let admin = chromium.profile("admin", &portal.base).await;
        admin.visit(&portal.setup_url, "setup").await;
        admin.sees("Set up Portcullis").await;
        admin.fill("Email", ADMIN).await;
        admin.fill("Password", PASSWORD).await;
        admin.press("Create administrator", "admin").await;
        assert_eq!(admin.path().await, "/admin");
        admin.sees(ADMIN).await;
        admin.visit(&portal.setup_url, "setup-spent").await;
        assert_eq!(admin.status().await, 404, "the setup link works once");

        // Alice finds the sign-up form from the front door, and is refused twice.
        let laptop = chromium.profile("alice-laptop", &portal.base).await;
        laptop.visit("/", "front-door").await;
        assert_eq!(laptop.path().await, "/login");
        laptop.follow("Create one", "register").await;
        laptop.fill("Email", ADMIN).await;
        laptop.fill("Password", PASSWORD).await;
        laptop.press("Create account", "register-taken").await;
        assert_eq!(laptop.status().await, 409);
        laptop
            .sees("An account with this email already exists.")
            .await;
        laptop.fill("Email", ALICE).await;
        laptop.fill("Password", "hunter2").await;
        laptop.press("Create account", "register-short").await;
        assert_eq!(laptop.status().await, 422);
        laptop.sees("Use at least 12 characters.").await;
        laptop.fill("Password", "alice.wonderland").await;
        laptop.press("Create account", "register-context").await;
        assert_eq!(laptop.status().await, 422);
        laptop.sees("Do not use your email address").await;
        laptop.fill("Password", PASSWORD).await;
        laptop.press("Create account", "account").await;
        assert_eq!(laptop.path().await, "/account");
        laptop.sees(ALICE).await;
        laptop.sees("current").await;
        no_raw_times(&laptop).await;

        // Signing in without "remember me": a cookie that dies with the browser.
        laptop.press("Sign out", "login-signed-out").await;
        assert_eq!(laptop.path().await, "/login");
        assert!(
            laptop.cookie("portcullis").await.is_none(),
            "cookie cleared"
        );
        laptop.does_not_see("Your account").await;
        sign_in(
            &laptop,
            ALICE,
            "not the password at all",
            false,
            "login-wrong",
        )
        .await;
        assert_eq!(laptop.status().await, 401);
        laptop.sees("Invalid email or password.").await;
        sign_in(&laptop, ALICE, PASSWORD, false, "account").await;
        assert_eq!(laptop.path().await, "/account");
        let cookie = laptop.cookie("portcullis").await.expect("session cookie");
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.same_site(), Some(SameSite::Lax));
        assert!(cookie.expires().is_none(), "no expiry without remember me");

        // With "remember me": the cookie outlives the browser, up to the session's end.
        laptop.press("Sign out", "login-signed-out").await;
        sign_in(&laptop, ALICE, PASSWORD, true, "account").await;
        let cookie = laptop.cookie("portcullis").await.expect("session cookie");
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.same_site(), Some(SameSite::Lax));
        let expires = cookie
            .expires_datetime()
            .expect("an expiry with remember me");
        let left = expires - time::OffsetDateTime::now_utc();
        assert!(
            left > time::Duration::days(29) && left <= time::Duration::days(30),
            "remembered until the session's absolute end (30 days), not {left}"
        );

        // The password page, while the sign-in is fresh.
        laptop.follow("Change your password", "password").await;
        assert_eq!(laptop.path().await, "/account/password");
        laptop.follow("Cancel", "account").await;

        // A page that needs login sends the phone to sign in, and back.
        let phone = chromium.profile("alice-phone", &portal.base).await;
        phone.visit("/account", "login-rd").await;
        assert_eq!(phone.path().await, "/login?rd=%2Faccount");
        sign_in(&phone, ALICE, PASSWORD, false, "account").await;
        assert_eq!(phone.path().await, "/account");

        // The laptop lists both devices and revokes the phone's session.
        laptop.visit("/account", "account-two-sessions").await;
        assert_eq!(session_rows(&laptop).await, 2);
        laptop.open_in(OTHER_SESSION, "Revoke…").await;
        laptop.inspect("account-revoke-confirm").await;
        laptop
            .sees("That device is signed out on its very next request.")
            .await;
        laptop
            .press_in(OTHER_SESSION, "Revoke", "account-revoked")
            .await;
        done(&laptop, "/account", "Signed out 1 device.").await;
        assert_eq!(session_rows(&laptop).await, 1);
        signed_out(&phone, "revoked from another device").await;

        // "Sign out other devices" keeps this one.
        sign_in(&phone, ALICE, PASSWORD, false, "account").await;
        laptop.visit("/account", "account-two-sessions").await;
        laptop.open("Sign out other devices…").await;
        laptop
            .press("Sign out other devices", "account-others-signed-out")
            .await;
        done(&laptop, "/account", "Signed out 1 other device.").await;
        assert_eq!(session_rows(&laptop).await, 1);
        signed_out(&phone, "signed out from another device").await;

        // Changing the password needs a fresh confirmation; Cancel leads back.
        log_in(&phone, ALICE, PASSWORD).await;
        wait_until_stale(&laptop, REAUTH_WINDOW_SECS).await;
        laptop.inspect("reauth").await;
        laptop.sees("Confirm your password").await;
        laptop.follow("Cancel", "account-reauth-cancelled").await;
        assert_eq!(laptop.path().await, "/account");
        wait_until_stale(&laptop, REAUTH_WINDOW_SECS).await;
        laptop.fill("Password", "not the password at all").await;
        laptop.press("Confirm", "reauth-wrong").await;
        assert_eq!(laptop.status().await, 401);
        laptop.sees("That password is not correct.").await;
        laptop.fill("Password", PASSWORD).await;
        laptop.press_quietly("Confirm").await;
        assert_eq!(laptop.path().await, "/account/password");
        laptop.fill("Current password", PASSWORD).await;
        laptop.fill("New password", NEW_PASSWORD).await;
        laptop
            .press("Change password", "account-password-changed")
            .await;
        done(
            &laptop,
            "/account",
            "Password changed; your other devices were signed out.",
        )
        .await;
        signed_out(&phone, "password changed").await;
        sign_in(&phone, ALICE, PASSWORD, false, "login-old-password").await;
        assert_eq!(phone.status().await, 401, "the old password is dead");
        sign_in(&phone, ALICE, NEW_PASSWORD, false, "account").await;
        assert_eq!(phone.path().await, "/account");

        // Log out everywhere asks first, then ends every session, this one too.
        laptop.visit("/account", "account").await;
        laptop.open("Log out everywhere…").await;
        laptop.inspect("account-logout-everywhere-confirm").await;
        laptop
            .sees("This signs out every device, including this one.")
            .await;
        laptop
            .press("Log out everywhere", "login-logged-out-everywhere")
            .await;
        done(
            &laptop,
            "/login",
            "Signed out everywhere: every device, this one too.",
        )
        .await;
        signed_out(&phone, "signed out everywhere").await;

        // `rd` brings a person back to the page they wanted.
        admin.visit("/account", "account").await;
        admin.press("Sign out", "login-signed-out").await;
        admin.visit("/admin/audit", "login-rd-audit").await;
        assert_eq!(admin.path().await, "/login?rd=%2Fadmin%2Faudit");
        sign_in(&admin, ADMIN, PASSWORD, false, "audit").await;
        assert_eq!(admin.path().await, "/admin/audit");

        // An admin action interrupted by the password prompt is carried out after it.
        admin.visit("/admin", "admin-users").await;
        admin.follow(ALICE, "admin-user").await;
        let alice_page = admin.path().await;
        wait_until_stale(&admin, REAUTH_WINDOW_SECS).await;
        admin.visit(&alice_page, "admin-user").await;
        admin.open("Disable account…").await;
        admin.press("Disable account", "reauth-carried").await;
        let asked = admin.path().await;
        assert!(
            asked.starts_with("/reauth?rd=%2Fadmin%2Fusers%2F"),
            "{asked}"
        );
        admin
            .sees(&format!(
                "After you confirm, Portcullis will disable the account of {ALICE}."
            ))
            .await;
        admin.fill("Password", PASSWORD).await;
        admin.press("Confirm", "admin-user-carried").await;
        let said = format!("Account disabled; {ALICE} was signed out everywhere.");
        done(&admin, &alice_page, &said).await;
        admin.sees("disabled").await;

        for profile in [admin, laptop, phone] {
            profile.close().await;
        }
    });
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_person_makes_and_deletes_an_access_token() {
    run(async {
        let portal = Portal::start();
        let chromium = Chromium::start("tokens").await;
        let laptop = chromium.profile("alice-tokens", &portal.base).await;
        laptop.visit("/register", "tokens-register").await;
        laptop.fill("Email", ALICE).await;
        laptop.fill("Password", PASSWORD).await;
        laptop.press("Create account", "tokens-account").await;

        // Made from the account page, shown once with its copy button.
        laptop
            .follow("Access tokens for scripts", "tokens-empty")
            .await;
        laptop.sees("You have no access tokens.").await;
        laptop.fill("Name", "nightly backup").await;
        laptop.fill("Expires after", "30").await;
        laptop.press("Make token", "tokens-made").await;
        laptop.sees("shown only this once").await;
        let token = laptop.text_of("new-token").await;
        assert!(token.starts_with("pcp_"), "{token}");
        no_raw_times(&laptop).await;

        // Listed without the secret, and among the sessions.
        laptop.visit("/account/tokens", "tokens-listed").await;
        laptop.sees("nightly backup").await;
        laptop.sees("never").await;
        laptop.does_not_see(&token).await;
        laptop.visit("/account", "tokens-in-sessions").await;
        laptop.sees("nightly backup").await;

        // Deleted behind a confirmation.
        laptop
            .visit("/account/tokens", "tokens-before-delete")
            .await;
        laptop.open("Delete…").await;
        laptop
            .sees("Scripts using this token stop working at once.")
            .await;
        laptop.press("Delete", "tokens-deleted").await;
        done(
            &laptop,
            "/account/tokens",
            "Token “nightly backup” deleted.",
        )
        .await;
        laptop.sees("You have no access tokens.").await;
        laptop.close().await;
    });
}
