//! Passkeys in Chromium (SPEC §10), with Chrome's virtual authenticator (WebDriver
//! `POST /session/{id}/webauthn/authenticator`: a platform authenticator that
//! holds discoverable credentials and verifies its user): a passkey added from the
//! security page, a passwordless sign-in with it, a sign-in with the password and
//! then the passkey, and its removal.

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::json;

use super::harness::{Chromium, Profile, run};
use super::people::{ADMIN, PASSWORD, set_up_admin, sign_in};
use super::portal::Portal;

/// WebDriver's "Add Virtual Authenticator".
#[derive(Debug)]
struct AddAuthenticator;

impl WebDriverCompatibleCommand for AddAuthenticator {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session.unwrap_or_default();
        base.join(&format!("session/{session}/webauthn/authenticator"))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "automaticPresenceSimulation": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Gives `who`'s browser a passkey-capable authenticator.
pub(super) async fn with_authenticator(who: &Profile) {
    who.client()
        .issue_cmd(AddAuthenticator)
        .await
        .expect("chromedriver adds a virtual authenticator");
}

/// Adds a passkey called `name` from the security page, made by `who`'s
/// authenticator (see [`with_authenticator`]).
pub(super) async fn add_passkey(who: &Profile, name: &str) {
    who.visit("/account/security", "security").await;
    who.fill("Name of the new passkey", name).await;
    who.press("Add a passkey", "passkey-added").await;
    who.sees(&format!("Passkey “{name}” added.")).await;
}

/// From now on, pages in `who`'s browser see no conditional mediation (as in a
/// browser without passkey autofill), so the login page waits for a click.
async fn without_autofill(who: &Profile) {
    let source = "PublicKeyCredential.isConditionalMediationAvailable = \
                  () => Promise.resolve(false);";
    who.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": source }),
    )
    .await;
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_person_adds_a_passkey_signs_in_with_it_and_removes_it() {
    run(async {
        let portal = Portal::start();
        let chromium = Chromium::start("passkeys").await;
        let me = chromium.profile("root", &portal.base).await;
        with_authenticator(&me).await;
        set_up_admin(&me, &portal.setup_url).await;

        // Adding a passkey from the security page.
        add_passkey(&me, "This laptop").await;
        assert_eq!(me.path().await, "/account/security");
        let listed = me.text_of("passkeys").await;
        assert!(
            listed.contains("This laptop") && listed.contains("never"),
            "{listed}"
        );

        // Passwordless through autofill: the login page asks with conditional
        // mediation, and the virtual authenticator answers at once.
        me.press_quietly("Sign out").await;
        me.until(
            "the autofill sign-in",
            "return location.pathname === '/account';",
        )
        .await;
        me.inspect("signed-in-by-autofill").await;
        me.sees("2FA").await;
        let sessions = me
            .js("return document.querySelector('.sessions').innerHTML;")
            .await;
        let sessions = sessions.as_str().unwrap_or_default().to_owned();
        assert!(
            sessions.contains("signed in with webauthn\""),
            "no password: {sessions}"
        );

        // A browser without autofill for passkeys: the button.
        without_autofill(&me).await;
        me.press("Sign out", "login-with-passkey-button").await;
        assert_eq!(me.path().await, "/login");
        me.press("Sign in with a passkey", "signed-in-with-passkey")
            .await;
        assert_eq!(me.path().await, "/account");
        me.sees("2FA").await;

        // The password, then the passkey as the second step.
        me.press("Sign out", "login-again").await;
        sign_in(&me, ADMIN, PASSWORD, false, "second-factor").await;
        assert_eq!(me.path().await, "/login/second-factor");
        me.sees("Use a passkey").await;
        me.press("Use a passkey", "signed-in-with-password-and-passkey")
            .await;
        assert_eq!(me.path().await, "/account");
        me.sees("2FA").await;

        // Removing it: the list is empty, the password alone signs in again.
        me.visit("/account/security", "security-with-passkey").await;
        let listed = me.text_of("passkeys").await;
        assert!(!listed.contains("never"), "last used is shown: {listed}");
        me.open("Remove…").await;
        me.press("Remove", "passkey-removed").await;
        me.sees("Passkey removed; your other devices were signed out.")
            .await;
        let table = me
            .js("return document.getElementById('passkeys') === null;")
            .await;
        assert_eq!(table.as_bool(), Some(true), "no passkey listed");
        me.press("Sign out", "login-after-removal").await;
        sign_in(&me, ADMIN, PASSWORD, false, "account-password-only").await;
        assert_eq!(me.path().await, "/account");
        me.close().await;
    });
}
