//! One account per address, whatever its spelling, and no look-alike accounts
//! (SPEC §3, issue 15): every registration pathway (form, API, invite, CLI) answers
//! a twin of an existing address with 409 `email_taken`; login finds the account
//! by any spelling that normalises to it and never by a confusable one.

use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client;
use serde_json::json;

use crate::api::{Api, assert_error, json_of};
use crate::cli::{portcullis, text};
use crate::helpers::{PASSWORD, TestApp, figment, first_admin, registered};

const OTHER_PASSWORD: &str = "another long passphrase";

/// Spellings that are `fiona@example.com` once normalised.
const SAME: &[&str] = &[
    "ｆｉｏｎａ@example.com",             // fullwidth local part
    "ﬁona@example.com",                   // fi ligature
    "fiona@ｅｘａｍｐｌｅ.com",           // fullwidth domain
    "ＦＩＯＮＡ＠ＥＸＡＭＰＬＥ．ＣＯＭ", // fullwidth everything, @ included
    "FIONA@Example.COM",
    "𝐟𝐢𝐨𝐧𝐚@example.com", // mathematical bold
];

/// Different addresses that look like `fiona@example.com`.
const LOOK_ALIKE: &[&str] = &[
    "fіona@example.com", // Cyrillic і
    "fiоna@example.com", // Cyrillic о
    "fiοna@example.com", // Greek ο
    "fıona@example.com", // dotless ı
    "FІONA@example.com", // Cyrillic capital І
    "fiona@exаmple.com", // Cyrillic а in the domain
    "fiona@xn--exmple-4nf.com",
];

#[test]
fn every_twin_of_an_address_is_409_on_the_form_and_the_first_account_is_kept() {
    let app = TestApp::spawn_with(&[("register_rate_limit", 100.into())]);
    registered(&app, "fiona@example.com");
    for twin in SAME.iter().chain(LOOK_ALIKE) {
        let mut intruder = app.browser();

        let reply = intruder.register(twin, OTHER_PASSWORD);

        assert_eq!(reply.status, Status::Conflict, "{twin}: {}", reply.body);
        assert!(reply.body.contains("already exists"), "{twin}");
        assert_eq!(intruder.session_cookie(), None, "{twin}");
    }
    assert_eq!(
        app.auth().accounts().summaries().unwrap().len(),
        1,
        "no second account"
    );
    let login = app.browser().login("fiona@example.com", PASSWORD);
    assert_eq!(login.status, Status::SeeOther);
}

#[test]
fn an_idna_domain_and_its_punycode_are_one_account() {
    let app = TestApp::spawn();
    registered(&app, "fiona@bücher.example");

    let twin = app
        .browser()
        .register("fiona@xn--bcher-kva.example", OTHER_PASSWORD);
    let upper = app
        .browser()
        .register("fiona@BÜCHER.example", OTHER_PASSWORD);
    let login = app.browser().login("Fiona@XN--BCHER-KVA.example", PASSWORD);

    assert_eq!(twin.status, Status::Conflict);
    assert_eq!(upper.status, Status::Conflict);
    assert_eq!(login.status, Status::SeeOther);
}

#[test]
fn the_api_answers_409_email_taken_for_every_twin() {
    let app = TestApp::spawn_with(&[("register_rate_limit", 100.into())]);
    let api = Api::new(&app);
    assert_eq!(api.register("fiona@example.com", PASSWORD).status.code, 201);

    for twin in SAME.iter().chain(LOOK_ALIKE) {
        assert_error(&api.register(twin, OTHER_PASSWORD), 409, "email_taken");
    }
}

#[test]
fn login_works_with_any_spelling_of_the_address_and_never_with_a_look_alike() {
    let app = TestApp::spawn();
    registered(&app, "fiona@example.com");
    let api = Api::new(&app);

    for spelling in SAME {
        assert_eq!(
            app.login_status(spelling, PASSWORD),
            Status::SeeOther,
            "{spelling}"
        );
        assert_eq!(api.login(spelling, PASSWORD).status.code, 201, "{spelling}");
    }
    for look_alike in LOOK_ALIKE {
        assert_eq!(
            app.login_status(look_alike, PASSWORD),
            Status::Unauthorized,
            "{look_alike}"
        );
        assert_error(&api.login(look_alike, PASSWORD), 401, "invalid_credentials");
    }
}

#[test]
fn tags_and_unrelated_addresses_are_their_own_accounts() {
    let app = TestApp::spawn();
    registered(&app, "fiona@example.com");

    for other in [
        "fiona+news@example.com",
        "fionna@example.com",
        "иван@example.com",
    ] {
        let reply = app.browser().register(other, OTHER_PASSWORD);
        assert_eq!(reply.status, Status::SeeOther, "{other}: {}", reply.body);
    }
    assert_eq!(
        app.login_status("fiona+news@example.com", PASSWORD),
        Status::Unauthorized,
        "a tag is another account, not an alias"
    );
}

#[test]
fn invisible_characters_in_an_address_are_refused_as_invalid() {
    let app = TestApp::spawn_with(&[("register_rate_limit", 100.into())]);
    for raw in [
        "fi\u{200D}ona@example.com",
        "fi\u{200B}ona@example.com",
        "\"fi\u{202E}ona\"@example.com",
        "fiona@exa\u{00AD}mple.com",
        "fiona@example.com.",
    ] {
        let reply = app.browser().register(raw, PASSWORD);

        assert_eq!(reply.status, Status::UnprocessableEntity, "{raw:?}");
        assert!(reply.body.contains("Enter a valid email address."));
    }
}

#[test]
fn an_invite_used_with_a_twin_address_is_409_and_stays_usable() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let page = admin.post_form("/admin/invites", &[]);
    let body = page.body.replace("&#x2F;", "/");
    let start = body.find("/invite/").expect("invite link shown");
    let token: String = body[start + 8..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let path = format!("/invite/{token}");
    let mut guest = app.browser();

    let twin = guest.post_form(
        &path,
        &[
            ("email", "ｒｏｏｔ@example.com"),
            ("password", OTHER_PASSWORD),
        ],
    );
    let look_alike = guest.post_form(
        &path,
        &[("email", "rооt@example.com"), ("password", OTHER_PASSWORD)],
    );
    let created = guest.post_form(
        &path,
        &[("email", "new@example.com"), ("password", OTHER_PASSWORD)],
    );

    assert_eq!(twin.status, Status::Conflict, "{}", twin.body);
    assert_eq!(look_alike.status, Status::Conflict, "{}", look_alike.body);
    assert_eq!(created.status, Status::SeeOther, "{}", created.body);
}

#[test]
fn the_cli_refuses_a_twin_of_an_existing_account() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("{PASSWORD}\n");
    let first = portcullis(
        dir.path(),
        &["user", "add", "fiona@example.com", "--password-stdin"],
        Some(&line),
    );
    assert!(first.status.success(), "{}", text(&first));

    for twin in ["ｆｉｏｎａ@example.com", "fіona@example.com"] {
        let again = portcullis(
            dir.path(),
            &["user", "add", twin, "--password-stdin"],
            Some(&line),
        );
        assert!(!again.status.success(), "{twin}: {}", text(&again));
        assert!(text(&again).contains("already exists"), "{}", text(&again));
    }
    let list = portcullis(dir.path(), &["user", "list"], None);
    assert_eq!(
        text(&list).matches("@example.com").count(),
        1,
        "{}",
        text(&list)
    );
}

#[test]
fn concurrent_registrations_of_twins_make_exactly_one_account() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = rocket::figment::value::Dict::new();
    settings.insert("data_dir".into(), dir.path().display().to_string().into());
    settings.insert("argon2_memory_kib".into(), 256.into());
    settings.insert("argon2_iterations".into(), 1.into());
    settings.insert("register_rate_limit".into(), 100.into());
    let rocket = rocket::custom(figment(&settings)).attach(portcullis::fairing());

    let statuses = rocket::execute(async move {
        let client = Client::untracked(rocket).await.unwrap();
        let requests = SAME
            .iter()
            .chain(LOOK_ALIKE)
            .chain(&["fiona@example.com"])
            .map(|email| {
                let body = json!({ "email": email, "password": PASSWORD }).to_string();
                client
                    .post("/api/v1/users")
                    .header(ContentType::JSON)
                    .body(body)
                    .dispatch()
            });
        let replies = rocket::futures::future::join_all(requests).await;
        replies.iter().map(|r| r.status()).collect::<Vec<_>>()
    });

    let created = statuses.iter().filter(|s| **s == Status::Created).count();
    let taken = statuses.iter().filter(|s| **s == Status::Conflict).count();
    assert_eq!((created, taken), (1, statuses.len() - 1), "{statuses:?}");
}

#[test]
fn the_address_is_shown_and_forwarded_as_typed_without_compatibility_forms() {
    let app = TestApp::spawn();
    let api = Api::new(&app);

    let created = api.register("ＦＩＯＮＡ@Example.com", PASSWORD);
    let mut browser = app.browser();
    browser.remote = Some("127.0.0.1:50000".parse().unwrap());
    browser.login("fiona@example.com", PASSWORD);
    let forwarded = browser.get_with(
        "/api/authz/auth-request",
        &[
            ("X-Original-URL", "https://app.example.com/"),
            ("X-Original-Method", "GET"),
        ],
    );

    assert_eq!(json_of(&created)["email"], "FIONA@Example.com");
    assert_eq!(forwarded.status, Status::Ok);
    assert_eq!(forwarded.header("Remote-Email"), Some("FIONA@Example.com"));
    assert_eq!(forwarded.header("Remote-Name"), Some("FIONA"));
}
