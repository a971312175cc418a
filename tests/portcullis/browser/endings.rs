//! The last words of SPEC §9 in Chromium: a device whose session ran out, or whose
//! cookie was copied into another browser, is told so on its login page; an admin
//! action interrupted by the password prompt is carried out after it (an invite,
//! shown and used in a fresh profile; a sign-out everywhere), and one that is not
//! (Cancel) says so plainly.
//!
//! Real time passes here (a session lifetime, a token lifetime, a re-authentication
//! window of seconds); every wait polls what the browser sees, with a deadline.

use std::time::{Duration, Instant};

use super::harness::{Chromium, DEADLINE, Profile, run};
use super::people::{PASSWORD, done, log_in, notice, set_up_admin, wait_until_stale};
use super::portal::Portal;

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";

/// Registers `email` from the sign-up form; the profile ends on its account page.
async fn register(who: &Profile, email: &str) {
    who.visit("/register", "register").await;
    who.fill("Email", email).await;
    who.fill("Password", PASSWORD).await;
    who.press("Create account", "account").await;
    assert_eq!(who.path().await, "/account");
}

/// Opens `/account` until the browser is sent to sign in, then inspects that page.
async fn until_signed_out(who: &Profile, label: &str) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        who.goto("/account").await;
        if who.path().await.starts_with("/login") {
            break;
        }
        assert!(Instant::now() < deadline, "the session never ended");
        rocket::tokio::time::sleep(Duration::from_millis(250)).await;
    }
    who.inspect(label).await;
    assert_eq!(who.path().await, "/login?rd=%2Faccount");
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_device_is_told_its_session_expired() {
    run(async {
        // An absolute cap of a few seconds: using the session does not extend it.
        let portal = Portal::start_with(&[("PORTCULLIS_SESSION_LIFETIME", "3")]);
        let chromium = Chromium::start("expired").await;
        let laptop = chromium.profile("alice", &portal.base).await;
        register(&laptop, ALICE).await;
        until_signed_out(&laptop, "login-expired").await;
        let said = notice(&laptop).await;
        assert!(
            said.starts_with("You were signed out: session expired."),
            "the login page must say the session expired, not {said:?}"
        );
        laptop.close().await;
    });
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_copied_cookie_is_detected_and_its_owner_told() {
    run(async {
        // Tokens renew every second and a stale one is never excused.
        let portal = Portal::start_with(&[
            ("PORTCULLIS_ACCESS_TOKEN_TTL", "1"),
            ("PORTCULLIS_REFRESH_REUSE_GRACE", "0"),
        ]);
        let chromium = Chromium::start("copied").await;
        let owner = chromium.profile("alice", &portal.base).await;
        register(&owner, ALICE).await;
        let stolen = owner.cookie("portcullis").await.expect("session cookie");

        // Someone copies the cookie into a browser of theirs and uses it.
        let thief = chromium.profile("thief", &portal.base).await;
        thief.visit("/login", "thief-login").await;
        // Through DevTools: WebDriver's addCookie refuses a cookie for `localhost`.
        let set = thief
            .cdp(
                "Network.setCookie",
                serde_json::json!({
                    "name": "portcullis", "value": stolen.value(), "url": portal.base,
                    "path": "/", "httpOnly": true, "sameSite": "Lax",
                }),
            )
            .await;
        assert_eq!(set["success"], serde_json::json!(true), "{set}");
        thief.visit("/account", "thief-account").await;
        assert_eq!(thief.path().await, "/account", "the copy works at first");
        // Until its token has been renewed: the owner's copy is now the stale one.
        let deadline = Instant::now() + DEADLINE;
        loop {
            thief.goto("/account").await;
            let now = thief
                .cookie("portcullis")
                .await
                .map(|c| c.value().to_owned());
            if now.is_some_and(|v| v != stolen.value()) {
                break;
            }
            assert!(Instant::now() < deadline, "the copy was never renewed");
            rocket::tokio::time::sleep(Duration::from_millis(250)).await;
        }

        until_signed_out(&owner, "login-copied").await;
        let said = notice(&owner).await;
        assert!(
            said.starts_with("You were signed out: copied cookie detected."),
            "the owner's login page must say the cookie was copied, not {said:?}"
        );
        owner.goto("/account").await;
        assert!(
            owner.path().await.starts_with("/login"),
            "the session is over"
        );
        thief.goto("/account").await;
        assert!(thief.path().await.starts_with("/login"), "for the copy too");
        for profile in [owner, thief] {
            profile.close().await;
        }
    });
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_admin_actions_wait_for_the_password_and_are_carried_out_or_said_not_done() {
    run(async {
        let portal = Portal::start_with(&[("PORTCULLIS_REAUTH_WINDOW", "4")]);
        let chromium = Chromium::start("carried").await;
        let admin = chromium.profile("admin", &portal.base).await;
        set_up_admin(&admin, &portal.setup_url).await;

        // Cancelled at the prompt: nothing is made, and the page says so once.
        wait_until_stale(&admin, "4").await;
        admin.visit("/admin", "admin-users").await;
        admin.fill("Groups", "staff").await;
        admin.press("Create invite link", "reauth-invite").await;
        assert_eq!(admin.path().await, "/reauth?rd=%2Fadmin");
        admin
            .sees("After you confirm, Portcullis will make an invite link into staff.")
            .await;
        admin.follow("Cancel", "admin-invite-not-done").await;
        let said = "Not done: your password was not confirmed, so Portcullis did not \
                    make an invite link into staff. Press the button again to do it.";
        done(&admin, "/admin", said).await;
        admin.does_not_see("One-time invite link").await;

        // Confirmed: the invite is made and shown, and works in a fresh profile.
        admin.visit("/admin", "admin-users").await;
        admin.fill("Groups", "staff").await;
        admin.press("Create invite link", "reauth-invite").await;
        admin.fill("Password", PASSWORD).await;
        admin.press("Confirm", "admin-invite-carried").await;
        assert_eq!(admin.path().await, "/admin");
        admin.sees("One-time invite link, valid for 7 days.").await;
        let invite = admin.text_of("invite-url").await;
        assert!(invite.starts_with(&portal.url("/invite/")), "{invite}");
        let bob = chromium.profile("bob", &portal.base).await;
        bob.visit(&invite, "invite-accept").await;
        bob.sees("staff").await;
        bob.fill("Email", BOB).await;
        bob.fill("Password", PASSWORD).await;
        bob.press("Create account", "account").await;
        assert_eq!(bob.path().await, "/account");

        // Another action, on Bob's page: signing him out everywhere.
        admin.visit("/admin", "admin-users").await;
        admin.follow(BOB, "admin-user").await;
        let bob_page = admin.path().await;
        wait_until_stale(&admin, "4").await;
        admin.visit(&bob_page, "admin-user").await;
        admin.open("Log out everywhere…").await;
        admin
            .press("Log out everywhere", "reauth-logout-everywhere")
            .await;
        admin
            .sees(&format!(
                "After you confirm, Portcullis will sign {BOB} out everywhere."
            ))
            .await;
        admin.fill("Password", PASSWORD).await;
        admin.press("Confirm", "admin-user-carried").await;
        let said = format!("{BOB} was signed out everywhere.");
        done(&admin, &bob_page, &said).await;
        bob.goto("/account").await;
        assert_eq!(bob.path().await, "/login?rd=%2Faccount");
        log_in(&bob, BOB, PASSWORD).await;

        for profile in [admin, bob] {
            profile.close().await;
        }
    });
}
