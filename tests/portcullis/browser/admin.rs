//! The admin panel in Chromium (SPEC §3 admin rows): an invite made, copied and used
//! in a fresh profile; a user's groups changed, the account disabled and enabled, a
//! session revoked, the user logged out everywhere, a reset link used in a fresh
//! profile; the audit log, the doctor's report, and the way out (Your account, Sign out) on every page.

use serde_json::json;

use super::harness::{Chromium, Profile, run};
use super::people::{
    NEW_PASSWORD, PASSWORD, SESSION_ROWS, done, log_in, no_raw_times, session_rows, set_up_admin,
    sign_in, signed_out,
};
use super::portal::Portal;

const BOB: &str = "bob@example.com";

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_an_administrator_looks_after_accounts() {
    run(async {
        let portal = Portal::start();
        let chromium = Chromium::start("admin").await;
        let admin = chromium.profile("admin", &portal.base).await;
        set_up_admin(&admin, &portal.setup_url).await;
        assert_eq!(admin.path().await, "/admin");

        // An invite into a group, copied with the button.
        admin.fill("Groups", "staff").await;
        admin.press("Create invite link", "invite").await;
        admin.sees("One-time invite, expiring in 1 week").await;
        no_raw_times(&admin).await;
        let invite = admin.text_of("invite-url").await;
        assert!(invite.starts_with(&portal.url("/invite/")), "{invite}");
        assert_eq!(copied(&admin, "invite-url").await, invite);
        admin.inspect("invite-copied").await;

        // Bob opens it in a browser of his own.
        let bob = chromium.profile("bob", &portal.base).await;
        bob.visit(&invite, "invite-accept").await;
        bob.sees("Accept your invitation").await;
        bob.sees("staff").await;
        bob.fill("Email", BOB).await;
        bob.fill("Password", PASSWORD).await;
        bob.press("Create account", "account").await;
        assert_eq!(bob.path().await, "/account");
        bob.sees("staff").await;
        bob.visit(&invite, "invite-spent").await;
        assert_eq!(bob.status().await, 404, "an invite works once");
        bob.sees("Ask your administrator for a new invite link.")
            .await;
        bob.sees("Your account").await;

        // Bob's page, from the user list.
        admin.visit("/admin", "admin-users").await;
        admin.sees(BOB).await;
        no_raw_times(&admin).await;
        admin.follow(BOB, "admin-user").await;
        let bob_page = admin.path().await;
        assert!(bob_page.starts_with("/admin/users/"), "{bob_page}");
        admin.sees("Your account").await;
        admin.sees("Sign out").await;
        assert_eq!(session_rows(&admin).await, 1);
        no_raw_times(&admin).await;

        // Groups: saving signs Bob out everywhere; he comes back with the new ones.
        admin.fill("Groups", "staff, wiki").await;
        admin.press("Save groups", "admin-user-groups").await;
        done(
            &admin,
            &bob_page,
            &format!("Groups saved; {BOB} was signed out everywhere."),
        )
        .await;
        admin.sees("wiki").await;
        signed_out(&bob, "groups changed by an administrator").await;
        sign_in(&bob, BOB, PASSWORD, false, "account").await;
        bob.sees("wiki").await;

        // Disable asks first; a disabled account cannot sign in; enable lets it.
        admin.visit(&bob_page, "admin-user").await;
        admin.open("Disable account…").await;
        admin.inspect("admin-user-disable-confirm").await;
        admin.press("Disable account", "admin-user-disabled").await;
        let said = format!("Account disabled; {BOB} was signed out everywhere.");
        done(&admin, &bob_page, &said).await;
        admin.sees("disabled").await;
        signed_out(&bob, "disabled by an administrator").await;
        sign_in(&bob, BOB, PASSWORD, false, "login-disabled").await;
        assert_eq!(bob.status().await, 401);
        bob.sees("Invalid email or password.").await;
        admin.press("Enable account", "admin-user-enabled").await;
        let said = format!("Account enabled; {BOB} can sign in again.");
        done(&admin, &bob_page, &said).await;
        sign_in(&bob, BOB, PASSWORD, false, "account").await;
        assert_eq!(bob.path().await, "/account");

        // One of Bob's sessions, revoked from his page.
        admin.visit(&bob_page, "admin-user").await;
        let row = format!("{SESSION_ROWS}[1]");
        admin.open_in(&row, "Revoke…").await;
        admin
            .press_in(&row, "Revoke", "admin-user-session-revoked")
            .await;
        let said = "Session revoked; that device is signed out.";
        done(&admin, &bob_page, said).await;
        assert_eq!(session_rows(&admin).await, 0);
        admin.sees("No open sessions.").await;
        signed_out(&bob, "revoked by an administrator").await;

        // Log out everywhere, from the admin side.
        log_in(&bob, BOB, PASSWORD).await;
        admin.visit(&bob_page, "admin-user").await;
        admin.open("Log out everywhere…").await;
        admin
            .press("Log out everywhere", "admin-user-logged-out")
            .await;
        let said = format!("{BOB} was signed out everywhere.");
        done(&admin, &bob_page, &said).await;
        signed_out(&bob, "signed out everywhere").await;

        // A reset link, copied and used on a new laptop.
        admin
            .press("Make a password reset link", "admin-user-reset-link")
            .await;
        admin.sees("One-time password reset link").await;
        let reset = admin.text_of("reset-url").await;
        assert!(reset.starts_with(&portal.url("/reset/")), "{reset}");
        assert_eq!(copied(&admin, "reset-url").await, reset);
        let laptop = chromium.profile("bob-new-laptop", &portal.base).await;
        laptop.visit(&reset, "reset").await;
        laptop.sees("Choose a new password").await;
        laptop.fill("New password", NEW_PASSWORD).await;
        laptop.press("Set password", "login-after-reset").await;
        let said = "Password set; sign in with your new password.";
        done(&laptop, "/login", said).await;
        sign_in(&laptop, BOB, NEW_PASSWORD, false, "account").await;
        assert_eq!(laptop.path().await, "/account");
        sign_in(&bob, BOB, PASSWORD, false, "login-old-password").await;
        assert_eq!(bob.status().await, 401, "the old password is dead");
        laptop.visit(&reset, "reset-spent").await;
        assert_eq!(laptop.status().await, 404, "a reset link works once");
        laptop
            .sees("Ask your administrator for a new reset link.")
            .await;

        // The audit log, all of it and one user's.
        admin.visit("/admin", "admin-users").await;
        admin.follow("Audit log", "audit").await;
        assert_eq!(admin.path().await, "/admin/audit");
        admin.sees(BOB).await;
        no_raw_times(&admin).await;
        for event in [
            "Invite link made",
            "Password reset link made",
            "Account disabled",
        ] {
            admin.sees(event).await;
        }
        admin.does_not_see("user_disabled").await;
        admin.does_not_see("Mozilla/5.0").await;
        admin
            .click_xpath(&format!("(//a[normalize-space()='{BOB}'])[1]"))
            .await;
        admin
            .until(
                "the audit log of one user",
                "return location.search.startsWith('?user=') && document.readyState === 'complete';",
            )
            .await;
        admin.inspect("audit-one-user").await;
        admin.sees(&format!("Audit log — {BOB}")).await;

        // The doctor's report, from the admin tabs.
        admin.follow("Doctor", "admin-doctor").await;
        assert_eq!(admin.path().await, "/admin/doctor");
        admin.sees("Password hashing").await;
        admin.sees("This request, through the proxy").await;

        // Every admin page has the way to the account and out.
        admin.follow("Your account", "account").await;
        assert_eq!(admin.path().await, "/account");
        admin.visit("/admin/audit", "audit").await;
        admin.press("Sign out", "login-signed-out").await;
        assert_eq!(admin.path().await, "/login");

        for profile in [admin, bob, laptop] {
            profile.close().await;
        }
    });
}

/// Presses the copy button beside the URL with id `id` and returns what landed on
/// the clipboard (the page is allowed to use it, as a person's click allows it).
async fn copied(who: &Profile, id: &str) -> String {
    let origin = who.js("return location.origin;").await;
    who.cdp(
        "Browser.grantPermissions",
        json!({
            "origin": origin,
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        }),
    )
    .await;
    who.click_xpath(&format!("//button[@data-copy='{id}']"))
        .await;
    who.until(
        "the copy button to say it copied",
        &format!(
            "return document.querySelector(\"button[data-copy='{id}']\").textContent === 'Copied';"
        ),
    )
    .await;
    let text = who
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             navigator.clipboard.readText().then(done, e => done('clipboard: ' + e));",
            vec![],
        )
        .await
        .expect("read the clipboard");
    text.as_str().unwrap_or_default().to_owned()
}
