//! The password policy (SPEC §8, NIST 800-63B §3.1.1.2, issue 15) as every pathway
//! that sets a password applies it: the register form, `POST /api/v1/users`, the
//! password-change form and `PUT /api/v1/password`. Each refusal is 422 with its
//! reason; good passphrases in any script pass.

use rocket::http::{Method, Status};
use serde_json::json;

use crate::api::{Api, assert_error, json_of};
use crate::helpers::{PASSWORD, TestApp, registered};

/// The weak passwords of issue 15 for `fiona.macleod@example.com`, each with the
/// words its refusal must show.
const WEAK: &[(&str, &str)] = &[
    (
        "portcullis2024",
        "Do not use your email address or the name of this site",
    ),
    (
        "Portcullis123!",
        "Do not use your email address or the name of this site",
    ),
    (
        "P0rtcull1s-2024",
        "Do not use your email address or the name of this site",
    ),
    (
        "fiona.macleod1990",
        "Do not use your email address or the name of this site",
    ),
    (
        "FionaMacleod!!",
        "Do not use your email address or the name of this site",
    ),
    ("            ", "no visible characters"),
    (
        "\u{200B}\u{200B}\u{200B}\u{200B}\u{200B}\u{200B}\u{200B}\u{200B}\u{200B}\u{200B}\u{200B}\u{200B}",
        "no visible characters",
    ),
    (
        "\u{3164}\u{3164}\u{3164}\u{3164}\u{3164}\u{3164}\u{3164}\u{3164}\u{3164}\u{3164}\u{3164}\u{3164}",
        "no visible characters",
    ),
    ("aaaaaaaaaaaa", "Avoid repeating a character"),
    ("abcabcabcabc", "Avoid repeating a character"),
    ("aaaa aaaa aaaa", "Avoid repeating a character"),
    ("123456789012", "Avoid runs like abcd or 1234"),
    ("abcdefghijkl", "Avoid runs like abcd or 1234"),
    ("zxcvbnm,./;'", "Avoid runs like abcd or 1234"),
];

const FIONA: &str = "fiona.macleod@example.com";

/// A server that lets one address try every weak password (registration attempts
/// are rate-limited per address, 10 by default).
fn server() -> TestApp {
    TestApp::spawn_with(&[("register_rate_limit", 1000.into())])
}

/// Realistic passphrases that must keep working, several scripts among them.
const GOOD: &[&str] = &[
    "correct horse battery staple",
    "Tomorrow we sail for Valparaíso at dawn",
    "мой кот любит спать на окне",
    "私の猫は窓辺で寝るのが好きです",
    "القطة تنام على النافذة كل يوم",
    "मेरी बिल्ली खिड़की पर सोती है",
    "x7#Qm!2vL9@pR4zW",
];

#[test]
fn the_register_form_refuses_each_weak_password_with_its_reason() {
    let app = server();
    for (password, reason) in WEAK {
        let reply = app.browser().register(FIONA, password);

        assert_eq!(reply.status, Status::UnprocessableEntity, "{password:?}");
        assert!(reply.body.contains(reason), "{password:?}: {}", reply.body);
    }
    assert_eq!(
        app.login_status(FIONA, "portcullis2024"),
        Status::Unauthorized,
        "no account was made"
    );
}

#[test]
fn the_register_form_accepts_good_passphrases_in_any_script() {
    let app = server();
    for (n, password) in GOOD.iter().enumerate() {
        let email = format!("user{n}@example.com");

        let reply = app.browser().register(&email, password);

        assert_eq!(reply.status, Status::SeeOther, "{password}: {}", reply.body);
        assert_eq!(app.login_status(&email, password), Status::SeeOther);
    }
}

#[test]
fn the_api_refuses_each_weak_password_with_weak_password_and_the_reason() {
    let app = server();
    let api = Api::new(&app);
    for (password, reason) in WEAK {
        let reply = api.register(FIONA, password);

        assert_error(&reply, 422, "weak_password");
        let message = json_of(&reply)["message"].as_str().unwrap().to_owned();
        assert!(message.contains(reason), "{password:?}: {message}");
    }
    assert_eq!(api.register(FIONA, GOOD[1]).status.code, 201);
}

#[test]
fn changing_the_password_on_the_form_refuses_weak_ones_and_keeps_the_old() {
    let app = server();
    let mut fiona = registered(&app, FIONA);
    for (password, reason) in WEAK {
        let reply = fiona.post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", password)],
        );

        assert_eq!(reply.status, Status::UnprocessableEntity, "{password:?}");
        assert!(reply.body.contains(reason), "{password:?}: {}", reply.body);
    }
    assert_eq!(app.login_status(FIONA, PASSWORD), Status::SeeOther);
}

#[test]
fn changing_the_password_through_the_api_refuses_weak_ones() {
    let app = server();
    let api = Api::new(&app);
    let phone = api.signed_up(FIONA);
    for (password, reason) in WEAK {
        let reply = api.send(
            Method::Put,
            "/api/v1/password",
            Some(&json!({ "current_password": PASSWORD, "new_password": password })),
            Some(&phone.access),
        );

        assert_error(&reply, 422, "weak_password");
        let message = json_of(&reply)["message"].as_str().unwrap().to_owned();
        assert!(message.contains(reason), "{password:?}: {message}");
    }
    assert_eq!(
        api.me(&phone.access).status.code,
        200,
        "the session lives on"
    );
}

#[test]
fn a_short_local_part_does_not_ban_passphrases_containing_it() {
    let app = server();

    let reply = app
        .browser()
        .register("al@example.com", "totally normal passphrase");
    let derived = app.browser().register("al.b@example.com", "al2024!!!!!!##");

    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    assert_eq!(derived.status, Status::UnprocessableEntity);
}
