//! `rd` (SPEC §3, issue 15) wherever it is followed: `POST /login`, `GET /login`
//! while logged in, `POST /reauth`. Every answer is a `303` whose `Location` is a
//! valid header value on an allowed origin — never a `500` that created the session
//! but lost its cookie.

use rocket::http::Status;
use rocket::http::uri::Reference;

use crate::helpers::{Browser, PASSWORD, Reply, TestApp, encode, registered};

/// `rd` as sent, and the `Location` expected (the portal is `http://localhost:8000`).
const TARGETS: &[(&str, &str)] = &[
    ("/é", "/%C3%A9"),
    ("/a\u{2028}b", "/a%E2%80%A8b"),
    ("/\u{a0}", "/%C2%A0"),
    ("/\u{feff}x", "/%EF%BB%BFx"),
    ("/日本?q=ü#é", "/%E6%97%A5%E6%9C%AC?q=%C3%BC#%C3%A9"),
    ("/a|b^c", "/a%7Cb%5Ec"),
    ("/x#a#b", "/x#a%23b"),
    ("/a b", "/a%20b"),
    ("http://localhost:8000/é", "http://localhost:8000/%C3%A9"),
    ("http://LOCALHOST.:8000/x", "http://localhost.:8000/x"),
    ("http://localhost:8000./x", "/account"),
    ("http://127.0.0.1:1/x", "/account"),
    ("http://localhost:1/x", "/account"),
    ("http://localhost/x", "/account"),
    ("https://evil.com/", "/account"),
    ("https://localhost:8000.evil.com/", "/account"),
    ("/.//evil.com", "/account"),
    ("/x/..//evil.com", "/account"),
    ("/%2F/evil.com", "/account"),
    ("https:/evil.com", "/account"),
    ("/\u{85}/evil.com", "/account"),
];

fn assert_safe(reply: &Reply, rd: &str, expected: &str) {
    assert_eq!(reply.status, Status::SeeOther, "rd {rd:?}: {}", reply.body);
    let location = reply.location().expect("a Location");
    assert_eq!(location, expected, "rd {rd:?}");
    assert!(
        location.bytes().all(|b| b.is_ascii_graphic()),
        "{location:?}"
    );
    assert!(Reference::parse(location).is_ok(), "{location:?}");
}

fn app_with_alice() -> TestApp {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com").logout();
    app
}

fn logged_in(app: &TestApp) -> Browser<'_> {
    let mut browser = app.browser();
    browser.login("alice@example.com", PASSWORD);
    browser
}

#[test]
fn logging_in_with_any_rd_redirects_safely_and_sets_the_cookie() {
    let app = app_with_alice();

    for (rd, expected) in TARGETS {
        let mut browser = app.browser();
        let reply = browser.post_form(
            "/login",
            &[
                ("email", "alice@example.com"),
                ("password", PASSWORD),
                ("rd", rd),
            ],
        );

        assert_safe(&reply, rd, expected);
        assert!(reply.set_cookie("portcullis").is_some(), "rd {rd:?}");
        assert_eq!(browser.get("/account").status, Status::Ok, "rd {rd:?}");
    }
}

#[test]
fn the_login_page_sends_a_logged_in_user_on_safely() {
    let app = app_with_alice();
    let mut browser = logged_in(&app);

    for (rd, expected) in TARGETS {
        let query = encode(&[("rd", rd)]);
        let reply = browser.get(&format!("/login?{query}"));

        assert_safe(&reply, rd, expected);
    }
}

#[test]
fn confirming_the_password_returns_safely() {
    let app = app_with_alice();
    let mut browser = logged_in(&app);

    for (rd, expected) in TARGETS {
        let reply = browser.post_form("/reauth", &[("password", PASSWORD), ("rd", rd)]);

        assert_safe(&reply, rd, expected);
        assert!(reply.set_cookie("portcullis").is_some(), "rd {rd:?}");
    }
}

#[test]
fn a_protected_page_with_an_odd_query_comes_back_after_login() {
    let app = app_with_alice();
    let mut browser = app.browser();

    let sent = browser.get("/account?a|b={c}&d=%C3%A9");
    let login = url::Url::parse("http://localhost:8000")
        .unwrap()
        .join(sent.location().expect("sent to log in"))
        .unwrap();
    let rd = login.query_pairs().find(|(k, _)| k == "rd").unwrap().1;
    let reply = browser.post_form(
        "/login",
        &[
            ("email", "alice@example.com"),
            ("password", PASSWORD),
            ("rd", &rd),
        ],
    );

    assert_safe(&reply, &rd, "/account?a%7Cb=%7Bc%7D&d=%C3%A9");
}
