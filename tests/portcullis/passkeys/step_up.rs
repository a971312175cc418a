//! A passkey proven in a signed-in session, answered by the software
//! authenticator (`soft.rs`): the step-up of an `aal` 1 session sent by a
//! `two_factor` rule (SPEC §10: "a TOTP code, a recovery code or a passkey"), back
//! to the app at `aal` 2; and an admin action interrupted by re-authentication,
//! carried out once after the passkey confirmed it (SPEC §9).

use std::time::Duration;

use portcullis::domain::audit::AuditKind;
use rocket::figment::value::Value;
use rocket::http::Status;
use serde_json::json;

use super::soft::SoftKey;
use super::{call, forged_assertion, json};
use crate::helpers::{Browser, Reply, TestApp, encode, first_admin, registered};

const VAULT: &str = "https://app.example.com/vault";

fn behind_rules() -> TestApp {
    let rules = json!([
        {"domain": "app.example.com", "resources": ["^/vault"], "policy": "two_factor"},
        {"domain": "app.example.com", "resources": ["^/keys"], "policy": "two_factor",
         "max_auth_age": "1h"},
    ]);
    let hosts = json!(["app.example.com"]);
    TestApp::spawn_with(&[
        ("access_rules", Value::serialize(rules).unwrap()),
        ("allowed_redirect_hosts", Value::serialize(hosts).unwrap()),
    ])
}

/// nginx's `auth_request` for `url`, from loopback.
fn ask(browser: &mut Browser<'_>, url: &str) -> Reply {
    browser.remote = Some("127.0.0.1:50000".parse().unwrap());
    let headers = [("X-Original-URL", url), ("X-Original-Method", "GET")];
    browser.get_with("/api/authz/auth-request", &headers)
}

/// [`ask`] for the vault.
fn vault(browser: &mut Browser<'_>) -> Reply {
    ask(browser, VAULT)
}

/// The step-up page a `two_factor` rule sends an `aal` 1 session to.
fn step_up_page() -> String {
    format!("/login/second-factor?{}", encode(&[("rd", VAULT)]))
}

#[test]
fn a_passkey_only_session_is_offered_its_passkey_on_the_step_up_page() {
    let app = behind_rules();
    let mut alice = registered(&app, "alice@example.com");
    SoftKey::new().enrol(&app, "alice@example.com", "Laptop");

    let sent = vault(&mut alice);
    assert_eq!(sent.status, Status::Unauthorized);
    let expected = format!("http://localhost:8000{}", step_up_page());
    assert_eq!(sent.location(), Some(expected.as_str()));
    let page = alice.get(&step_up_page());
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    assert!(
        page.body.contains("Use your passkey to go on."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Use a passkey"));
    assert!(
        page.body
            .contains("data-start=\"/login/second-factor/passkey/start\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("data-rd=\"https:&#x2F;&#x2F;app.example.com&#x2F;vault\"")
    );
    assert!(page.body.contains("src=\"/static/passkeys.js\""));
    assert!(
        !page.body.contains("name=\"code\""),
        "no code form: the user has no app and no recovery codes"
    );
    assert!(
        page.body
            .contains("href=\"/account\">Back to your account</a>"),
        "a way out for a signed-in session"
    );
    assert!(
        page.body.contains("aria-label=\"Your session\"")
            && page.body.contains("action=\"/logout\""),
        "a signed-in session has its navigation, Sign out included: {}",
        page.body
    );
}

#[test]
fn a_passkey_steps_the_session_up_and_it_goes_back_to_the_app() {
    let app = behind_rules();
    let mut alice = registered(&app, "alice@example.com");
    let key = SoftKey::new();
    key.enrol(&app, "alice@example.com", "Laptop");
    let before = alice.session_cookie();
    app.advance(Duration::from_secs(60));

    let started = call(&mut alice, "/login/second-factor/passkey/start", "");
    assert_eq!(started.status, Status::Ok, "{}", started.body);
    let allowed = &json(&started)["options"]["publicKey"]["allowCredentials"];
    assert_eq!(allowed.as_array().map(Vec::len), Some(1), "alice's passkey");
    let path = "/login/second-factor/passkey/finish";
    let done = call(&mut alice, path, &key.answer(&started, Some(VAULT)));
    assert_eq!(done.status, Status::Ok, "{}", done.body);
    assert_eq!(
        json(&done)["redirect"],
        VAULT,
        "back where the rule sent it from"
    );
    assert_ne!(alice.session_cookie(), before, "a token saying aal 2");

    let passes = vault(&mut alice);
    assert_eq!(passes.status, Status::Ok, "{}", passes.body);
    assert_eq!(passes.header("Remote-Auth-Level"), Some("2"));
    let account = alice.get("/account");
    assert!(
        account.body.contains("signed in with pwd+webauthn"),
        "the same session, now with the passkey: {}",
        account.body
    );
    assert!(
        account.set_cookie("portcullis").is_none(),
        "a person stepped up: the new token is not a background renewal's"
    );
    let events = app.auth().store().audit_events(0, 100, None).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == AuditKind::SecondFactorConfirmed)
    );
}

#[test]
fn a_step_up_ceremony_belongs_to_its_session_and_needs_a_signed_answer() {
    let app = behind_rules();
    let mut phone = registered(&app, "alice@example.com");
    let mut laptop = app.browser();
    laptop.login("alice@example.com", crate::helpers::PASSWORD);
    let key = SoftKey::new();
    key.enrol(&app, "alice@example.com", "Laptop");
    let path = "/login/second-factor/passkey/finish";

    // Finished from another session of the same user: refused, and spent.
    let started = call(&mut phone, "/login/second-factor/passkey/start", "");
    let answer = key.answer(&started, Some(VAULT));
    assert_eq!(call(&mut laptop, path, &answer).status, Status::BadRequest);
    assert_eq!(call(&mut phone, path, &answer).status, Status::BadRequest);
    // Finished by nobody signed in: no pending login, nothing to step up.
    let started = call(&mut phone, "/login/second-factor/passkey/start", "");
    let mut stranger = app.browser();
    let answer = key.answer(&started, Some(VAULT));
    assert_eq!(
        call(&mut stranger, path, &answer).status,
        Status::BadRequest
    );
    // An answer no authenticator signed.
    let started = call(&mut phone, "/login/second-factor/passkey/start", "");
    let ceremony = json(&started)["ceremony"].as_str().unwrap().to_owned();
    let forged = call(&mut phone, path, &forged_assertion(&ceremony, None));
    assert_eq!(forged.status, Status::Unauthorized, "{}", forged.body);

    for browser in [&mut phone, &mut laptop] {
        let still = vault(browser);
        assert_eq!(still.status, Status::Unauthorized, "still aal 1");
    }
}

#[test]
fn an_old_second_factor_is_confirmed_again_with_the_passkey_and_returns_to_the_app() {
    let app = behind_rules();
    let mut alice = registered(&app, "alice@example.com");
    let key = SoftKey::new();
    key.enrol(&app, "alice@example.com", "Laptop");
    let keys = "https://app.example.com/keys";
    let started = call(&mut alice, "/login/second-factor/passkey/start", "");
    let path = "/login/second-factor/passkey/finish";
    assert_eq!(
        call(&mut alice, path, &key.answer(&started, None)).status,
        Status::Ok
    );
    assert_eq!(ask(&mut alice, keys).status, Status::Ok);

    app.advance(Duration::from_secs(2 * 3600));
    let sent = ask(&mut alice, keys);
    let rd = encode(&[("rd", keys)]);
    let expected = format!("http://localhost:8000/reauth?{rd}");
    assert_eq!(
        sent.location(),
        Some(expected.as_str()),
        "the factor is too old"
    );
    let started = call(&mut alice, "/reauth/passkey/start", "");
    let done = call(
        &mut alice,
        "/reauth/passkey/finish",
        &key.answer(&started, Some(keys)),
    );
    assert_eq!(done.status, Status::Ok, "{}", done.body);
    assert_eq!(json(&done)["redirect"], keys);
    let passes = ask(&mut alice, keys);
    assert_eq!(passes.status, Status::Ok, "{}", passes.body);
    assert_eq!(passes.header("Remote-Auth-Level"), Some("2"));
}

#[test]
fn without_a_passkey_no_step_up_ceremony_starts() {
    let app = behind_rules();
    let mut alice = registered(&app, "alice@example.com");
    let reply = call(&mut alice, "/login/second-factor/passkey/start", "");
    assert_eq!(reply.status, Status::NotFound, "alice has no passkey");
}

/// Past the default 10-minute `reauth_window`.
const STALE: Duration = Duration::from_secs(11 * 60);

fn disabled(app: &TestApp, email: &str) -> bool {
    let email = portcullis::domain::Email::parse(email).unwrap();
    let user = app.auth().store().user_by_email(&email).unwrap();
    user.expect("user exists").disabled
}

/// Confirms with the passkey from the confirmation page leading back to `page`.
fn confirm_with(key: &SoftKey, admin: &mut Browser<'_>, page: &str) -> Reply {
    let asks = admin.get(&format!("/reauth?{}", encode(&[("rd", page)])));
    assert!(
        asks.body.contains("Confirm with a passkey"),
        "{}",
        asks.body
    );
    let started = call(admin, "/reauth/passkey/start", "");
    call(
        admin,
        "/reauth/passkey/finish",
        &key.answer(&started, Some(page)),
    )
}

#[test]
fn an_admin_action_waiting_for_a_passkey_confirmation_is_carried_out_once() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let key = SoftKey::new();
    key.enrol(&app, "root@example.com", "Laptop");
    registered(&app, "bob@example.com");
    let bob = app
        .auth()
        .store()
        .user_by_email(&portcullis::domain::Email::parse("bob@example.com").unwrap())
        .unwrap()
        .unwrap()
        .id;
    let page = format!("/admin/users/{bob}");
    app.advance(STALE);

    let stale = admin.post_form(&format!("{page}/disable"), &[]);
    let back = format!("/reauth?{}", encode(&[("rd", &page)]));
    assert_eq!(stale.location(), Some(back.as_str()));
    let kept = admin
        .cookies
        .get("portcullis_carried")
        .cloned()
        .expect("kept");

    // A refused passkey carries out nothing; the action still waits.
    let started = call(&mut admin, "/reauth/passkey/start", "");
    let ceremony = json(&started)["ceremony"].as_str().unwrap().to_owned();
    let forged = forged_assertion(&ceremony, None);
    let refused = call(&mut admin, "/reauth/passkey/finish", &forged);
    assert_eq!(refused.status, Status::Unauthorized);
    assert!(!disabled(&app, "bob@example.com"));
    let asks = admin.get(&back);
    assert!(
        asks.body
            .contains("After you confirm, Portcullis will disable the account of bob@example.com."),
        "{}",
        asks.body
    );

    let done = confirm_with(&key, &mut admin, &page);
    assert_eq!(done.status, Status::Ok, "{}", done.body);
    assert_eq!(json(&done)["redirect"], page.as_str());
    assert!(disabled(&app, "bob@example.com"), "carried out");
    let shown = admin.get(&page);
    assert!(
        shown
            .body
            .contains("Account disabled; bob@example.com was signed out everywhere."),
        "{}",
        shown.body
    );

    // Once: the kept action presented again, at a later confirmation, is spent.
    let client = portcullis::auth::Client::command_line();
    let enable = app.auth().accounts().set_disabled(&bob, false, &client);
    crate::helpers::block_on(enable).unwrap();
    app.advance(STALE);
    admin.cookies.insert("portcullis_carried".into(), kept);
    let again = confirm_with(&key, &mut admin, &page);
    assert_eq!(again.status, Status::Ok, "{}", again.body);
    assert_eq!(json(&again)["redirect"], page.as_str());
    assert!(!disabled(&app, "bob@example.com"), "not carried out twice");
}
