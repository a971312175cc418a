//! A passkey proven in a signed-in session, in Chromium with the virtual
//! authenticator (SPEC §10, §9): a person whose only second factor is a passkey,
//! signed in with the password alone (`aal` 1), is sent by a `two_factor`
//! forward-auth rule to the step-up page, uses the passkey there and lands back at
//! the app's URL, now at `aal` 2; and an administrator's action interrupted by
//! re-authentication is carried out after the passkey confirms it.
//!
//! The test plays the proxy: it asks forward auth with the browser's own session
//! cookie, as nginx would, and the app behind it is a one-page server of its own.

use rocket::response::content::RawHtml;
use rocket::{get, routes};

use super::harness::{Chromium, run};
use super::passkeys::{add_passkey, with_authenticator};
use super::people::{set_up_admin, wait_until_stale};
use super::portal::{Portal, free_port};

/// The app behind the proxy: one page, whatever the path.
#[get("/<_..>")]
fn app_page() -> RawHtml<&'static str> {
    RawHtml(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>Vault</title>\
         <link rel=\"icon\" href=\"data:,\"></head><body><h1>The vault</h1></body></html>",
    )
}

/// Starts the app on a free loopback port, answering once it listens.
async fn start_app() -> u16 {
    let port = free_port();
    let config = rocket::Config {
        port,
        address: std::net::Ipv4Addr::LOCALHOST.into(),
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let (ready, listening) = rocket::tokio::sync::oneshot::channel();
    let ready = std::sync::Mutex::new(Some(ready));
    let app = rocket::custom(config).mount("/", routes![app_page]).attach(
        rocket::fairing::AdHoc::on_liftoff("ready", move |_| {
            Box::pin(async move {
                if let Some(ready) = ready.lock().ok().and_then(|mut r| r.take()) {
                    let _ = ready.send(());
                }
            })
        }),
    );
    rocket::tokio::spawn(app.launch());
    listening.await.expect("the app starts");
    port
}

/// A config file with one `two_factor` rule for `app.localhost`'s `/vault`.
fn rules_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("Rocket.toml");
    let toml = "[default.portcullis]\n\
                allowed_redirect_hosts = [\"app.localhost\"]\n\
                [[default.portcullis.access_rules]]\n\
                domain = \"app.localhost\"\n\
                resources = [\"^/vault\"]\n\
                policy = \"two_factor\"\n";
    std::fs::write(&path, toml).expect("write the config");
    path
}

/// What forward auth answers the proxy for `url` with `session` (the browser's
/// cookie): the status, `Location` and `Remote-Auth-Level`.
fn forward_auth(portal: &Portal, url: &str, session: &str) -> (u16, String, String) {
    let asked = ureq::get(&portal.url("/api/authz/auth-request"))
        .set("X-Original-URL", url)
        .set("X-Original-Method", "GET")
        .set("Cookie", &format!("portcullis={session}"))
        .call();
    let answer = match asked {
        Ok(answer) | Err(ureq::Error::Status(_, answer)) => answer,
        Err(e) => panic!("forward auth did not answer: {e}"),
    };
    let header = |name: &str| answer.header(name).unwrap_or_default().to_owned();
    (
        answer.status(),
        header("Location"),
        header("Remote-Auth-Level"),
    )
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_a_passkey_steps_a_session_up_for_a_two_factor_rule_and_returns_to_the_app() {
    run(async {
        let config = tempfile::tempdir().expect("temp dir");
        let file = rules_file(config.path());
        let file = file.display().to_string();
        let portal = Portal::start_with(&[("ROCKET_CONFIG", file.as_str())]);
        let app_port = start_app().await;
        let vault = format!("http://app.localhost:{app_port}/vault");
        let chromium = Chromium::start("step-up").await;
        let me = chromium.profile("root", &portal.base).await;
        with_authenticator(&me).await;
        set_up_admin(&me, &portal.setup_url).await;

        // A passkey is the only second factor; this session proved only the password.
        add_passkey(&me, "This laptop").await;
        me.visit("/account", "account-password-only").await;
        me.does_not_see("2FA").await;

        // The proxy asks; the rule sends the session to the step-up page.
        let session = me.cookie("portcullis").await.expect("signed in");
        let (status, location, _) = forward_auth(&portal, &vault, session.value());
        assert_eq!(status, 401, "{location}");
        let rd: String = url::form_urlencoded::byte_serialize(vault.as_bytes()).collect();
        let step_up = portal.url(&format!("/login/second-factor?rd={rd}"));
        assert_eq!(location, step_up);
        me.visit(&location, "step-up-passkey").await;
        me.sees("Use your passkey").await;
        me.sees("This page needs your second factor. Use your passkey to go on.")
            .await;
        me.sees("Sign out").await;
        let code_form = me
            .js("return document.getElementById('code') === null;")
            .await;
        assert_eq!(code_form.as_bool(), Some(true), "no code to ask for");

        // The passkey; back at the app's URL, and the proxy now lets it through.
        me.press("Use a passkey", "vault").await;
        let landed = me.client().current_url().await.expect("a URL");
        assert_eq!(landed.as_str(), vault, "back where the rule sent it from");
        me.sees("The vault").await;
        me.visit("/account", "account-stepped-up").await;
        me.sees("2FA").await;
        let session = me.cookie("portcullis").await.expect("still signed in");
        let (status, _, level) = forward_auth(&portal, &vault, session.value());
        assert_eq!((status, level.as_str()), (200, "2"));
        me.close().await;
    });
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_an_admin_action_waiting_for_a_passkey_confirmation_is_carried_out() {
    run(async {
        let portal = Portal::start_with(&[("PORTCULLIS_REAUTH_WINDOW", "4")]);
        let chromium = Chromium::start("carried-passkey").await;
        let admin = chromium.profile("admin", &portal.base).await;
        with_authenticator(&admin).await;
        set_up_admin(&admin, &portal.setup_url).await;
        add_passkey(&admin, "This laptop").await;

        // The confirmation has gone stale: the invite waits for the passkey.
        wait_until_stale(&admin, "4").await;
        admin.visit("/admin", "admin-users").await;
        admin.fill("Groups", "staff").await;
        admin.press("Create invite link", "reauth-passkey").await;
        assert_eq!(admin.path().await, "/reauth?rd=%2Fadmin");
        admin
            .sees("After you confirm, Portcullis will make an invite link into staff.")
            .await;
        admin.sees("Confirm with your passkey").await;
        admin
            .press("Confirm with a passkey", "admin-invite-carried")
            .await;
        assert_eq!(admin.path().await, "/admin");
        admin.sees("One-time invite link, valid for 7 days.").await;
        let invite = admin.text_of("invite-url").await;
        assert!(invite.starts_with(&portal.url("/invite/")), "{invite}");

        admin.close().await;
    });
}
