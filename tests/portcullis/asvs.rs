//! OWASP ASVS 5.0 requirements that no other module pins down (docs/SECURITY.md maps
//! every requirement to its test): password fields, long passphrases, disabling.

use portcullis::auth::Client;
use portcullis::domain::Email;
use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, registered};

/// 200 characters, no common words in a row: nothing for the policy to refuse.
fn long_passphrase() -> String {
    "velvet quorum ladder ninefold ".repeat(7)[..200].to_owned()
}

/// Every `<input …>` tag of `body` that carries one of the password field names.
fn password_inputs(body: &str) -> Vec<&str> {
    body.split("<input")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap_or(rest.len())])
        .filter(|tag| {
            ["password", "current_password", "new_password"]
                .iter()
                .any(|name| tag.contains(&format!("name=\"{name}\"")))
        })
        .collect()
}

#[test]
fn password_fields_are_masked_and_left_to_password_managers() {
    // ASVS 6.2.6 (type=password), 6.2.7 (paste and password managers allowed).
    let app = TestApp::spawn();
    let mut visitor = app.browser();
    let mut pages = vec![visitor.get("/login").body, visitor.get("/register").body];
    let mut user = registered(&app, "alice@example.com");
    pages.push(user.get("/account/password").body);
    pages.push(user.get("/reauth?rd=/account").body);

    let mut fields = 0;
    for page in &pages {
        assert!(!page.contains("onpaste") && !page.contains("autocomplete=\"off\""));
        for tag in password_inputs(page) {
            assert!(tag.contains("type=\"password\""), "unmasked field: {tag}");
            assert!(
                tag.contains("autocomplete=\""),
                "no password-manager hint: {tag}"
            );
            fields += 1;
        }
    }
    assert_eq!(fields, 5, "login, register, current + new, reauth");
}

#[test]
fn a_long_passphrase_is_accepted_and_checked_whole() {
    // ASVS 6.2.8 (exactly as received, no truncation or case change), 6.2.9 (≥ 64).
    let app = TestApp::spawn();
    let passphrase = long_passphrase();
    let registered = app.browser().register("alice@example.com", &passphrase);

    let whole = app.browser().login("alice@example.com", &passphrase);
    let truncated = app.browser().login("alice@example.com", &passphrase[..199]);
    let shouted = app
        .browser()
        .login("alice@example.com", &passphrase.to_uppercase());

    assert_eq!(registered.status, Status::SeeOther, "{}", registered.body);
    assert_eq!(whole.status, Status::SeeOther);
    assert_eq!(truncated.status, Status::Unauthorized);
    assert_eq!(shouted.status, Status::Unauthorized);
}

#[test]
fn disabling_an_account_ends_its_sessions_at_once() {
    // ASVS 7.4.2: every active session ends when the account is disabled.
    let app = TestApp::spawn();
    let mut laptop = registered(&app, "alice@example.com");
    let mut phone = app.browser();
    phone.login("alice@example.com", PASSWORD);
    let auth = app.auth();
    let email = Email::parse("alice@example.com").unwrap();
    let id = auth.accounts().by_email(&email).unwrap().unwrap().id;

    rocket::execute(auth.accounts().set_disabled(&id, true, &Client::default())).unwrap();

    assert_eq!(laptop.get("/account").status, Status::SeeOther);
    assert_eq!(phone.get("/account").status, Status::SeeOther);
    assert!(auth.sessions().list(&id).unwrap().is_empty());
}
