//! What every page owes its visitor: CSRF checks, security headers, the front door,
//! the health check, embedded assets and template overrides (SPEC §3, §8).

use rocket::http::Status;

use crate::helpers::{Browser, PASSWORD, Reply, TestApp, encode, registered};

/// Opens the form at `path` in a new browser, then posts `fields` to it exactly as
/// given: no CSRF token is added from the form.
fn post_as_written(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
    let mut browser = app.browser();
    browser.get(path);
    browser.post_raw(path, encode(fields), &[])
}

/// Alice's login form as `browser` would post it, with a token of its own.
fn alice_login(browser: &mut Browser<'_>) -> String {
    let token = browser.csrf_token();
    encode(&[
        ("csrf_token", &token),
        ("email", "alice@example.com"),
        ("password", PASSWORD),
    ])
}

#[test]
fn a_post_without_a_csrf_token_is_403_and_changes_nothing() {
    let app = TestApp::spawn();
    let fields = [("email", "alice@example.com"), ("password", PASSWORD)];

    let reply = post_as_written(&app, "/register", &fields);

    assert_eq!(reply.status, Status::Forbidden);
    let alice = app.login_status("alice@example.com", PASSWORD);
    assert_eq!(alice, Status::Unauthorized, "not registered");
}

#[test]
fn a_post_with_a_wrong_csrf_token_is_403() {
    let app = TestApp::spawn();
    let fields = [
        ("csrf_token", "forged"),
        ("email", "a@b.c"),
        ("password", PASSWORD),
    ];

    let reply = post_as_written(&app, "/login", &fields);

    assert_eq!(reply.status, Status::Forbidden);
}

#[test]
fn a_foreign_origin_is_403_even_with_a_valid_token() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    let mut browser = app.browser();
    let body = alice_login(&mut browser);

    let foreign = browser.post_raw("/login", &body, &[("Origin", "https://evil.example")]);
    let cross_site = browser.post_raw("/login", &body, &[("Sec-Fetch-Site", "cross-site")]);
    let own = browser.post_raw("/login", &body, &[("Origin", "http://localhost:8000")]);

    assert_eq!(foreign.status, Status::Forbidden);
    assert_eq!(cross_site.status, Status::Forbidden);
    assert_eq!(own.status, Status::SeeOther);
}

/// Every way a browser (or a forger) can announce where a form POST comes from, with
/// a valid CSRF token each time: what real browsers send passes, the rest is 403.
#[test]
fn origin_and_fetch_metadata_decide_with_a_valid_token() {
    let cases: &[(&[(&str, &str)], Status)] = &[
        // Privacy settings can null the Origin; the browser still vouches for it.
        (
            &[("Origin", "null"), ("Sec-Fetch-Site", "same-origin")],
            Status::SeeOther,
        ),
        // A sandboxed iframe or data: page on another site also sends `null`.
        (
            &[("Origin", "null"), ("Sec-Fetch-Site", "cross-site")],
            Status::Forbidden,
        ),
        (
            &[("Origin", "null"), ("Sec-Fetch-Site", "same-site")],
            Status::Forbidden,
        ),
        (
            &[("Origin", "null"), ("Sec-Fetch-Site", "none")],
            Status::Forbidden,
        ),
        (&[("Origin", "null")], Status::Forbidden),
        (
            &[("Origin", "NULL"), ("Sec-Fetch-Site", "same-origin")],
            Status::Forbidden,
        ),
        // The real origin, with or without fetch metadata.
        (&[("Origin", "http://localhost:8000")], Status::SeeOther),
        (
            &[
                ("Origin", "http://localhost:8000"),
                ("Sec-Fetch-Site", "same-origin"),
            ],
            Status::SeeOther,
        ),
        // A foreign origin never passes, whatever the fetch metadata claims.
        (&[("Origin", "https://evil.example")], Status::Forbidden),
        (
            &[
                ("Origin", "https://evil.example"),
                ("Sec-Fetch-Site", "same-origin"),
            ],
            Status::Forbidden,
        ),
        (&[("Origin", "http://localhost:8001")], Status::Forbidden),
        (&[("Origin", "https://localhost:8000")], Status::Forbidden),
        // Neither header (old browsers, curl): the token alone decides.
        (&[], Status::SeeOther),
    ];
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");

    for (headers, expected) in cases {
        let mut browser = app.browser();
        let body = alice_login(&mut browser);

        let reply = browser.post_raw("/login", &body, headers);

        assert_eq!(reply.status, *expected, "{headers:?}");
    }
}

#[test]
fn the_pages_ask_for_a_referrer_policy_that_keeps_the_origin_on_form_posts() {
    let app = TestApp::spawn();

    let page = app.browser().get("/login");

    assert_eq!(page.header("Referrer-Policy"), Some("same-origin"));
    assert!(
        page.body
            .contains(r#"<meta name="referrer" content="same-origin">"#)
    );
    assert!(!page.body.contains("no-referrer"));
}

#[test]
fn logout_needs_a_csrf_token() {
    let app = TestApp::spawn();
    let mut browser = registered(&app, "alice@example.com");

    let reply = browser.post_raw("/logout", "", &[]);

    assert_eq!(reply.status, Status::Forbidden);
    assert_eq!(browser.get("/account").status, Status::Ok);
}

#[test]
fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn();

    for reply in [
        app.browser().get("/login"),
        app.browser().get("/no-such-page"),
    ] {
        let csp = reply.header("Content-Security-Policy").unwrap();
        for directive in [
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(reply.header("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(reply.header("Referrer-Policy"), Some("same-origin"));
        assert_eq!(reply.header("Cache-Control"), Some("no-store"));
    }
}

#[test]
fn the_front_door_sends_visitors_to_login_and_users_to_their_account() {
    let app = TestApp::spawn();
    let mut user = registered(&app, "alice@example.com");

    assert_eq!(app.browser().get("/").location(), Some("/login"));
    assert_eq!(user.get("/").location(), Some("/account"));
}

#[test]
fn unknown_pages_get_a_styled_404() {
    let app = TestApp::spawn();

    let reply = app.browser().get("/nowhere");

    assert_eq!(reply.status, Status::NotFound);
    assert!(reply.body.contains("There is nothing here."));
}

#[test]
fn the_health_check_answers() {
    let app = TestApp::spawn();

    let reply = app.browser().get("/healthz");

    assert_eq!(reply.status, Status::Ok);
    assert_eq!(reply.body, "{\"status\":\"ok\"}");
}

#[test]
fn the_embedded_stylesheet_is_served_and_cacheable() {
    let app = TestApp::spawn();

    let reply = app.browser().get("/static/portcullis.css");

    assert_eq!(reply.status, Status::Ok);
    assert_eq!(
        reply.header("Content-Type"),
        Some("text/css; charset=utf-8")
    );
    assert!(reply.header("Cache-Control").unwrap().contains("max-age"));
    assert!(reply.body.contains("body"));
}

#[test]
fn templates_can_be_overridden_from_a_folder() {
    let overrides = tempfile::tempdir().unwrap();
    std::fs::write(
        overrides.path().join("login.html"),
        "<p>Company login</p><input name=\"csrf_token\" value=\"{{ csrf_token }}\">",
    )
    .unwrap();
    let app = TestApp::spawn_with(&[(
        "templates_dir",
        overrides.path().display().to_string().into(),
    )]);

    let reply = app.browser().get("/login");

    assert!(reply.body.contains("Company login"));
    assert!(
        app.browser()
            .get("/register")
            .body
            .contains("Create an account"),
        "others stay embedded"
    );
}

#[test]
fn user_input_is_escaped_in_pages() {
    let app = TestApp::spawn();

    let reply = app
        .browser()
        .login("<script>alert(1)</script>@x.io", PASSWORD);

    assert!(!reply.body.contains("<script>alert(1)</script>"));
    assert!(reply.body.contains("&lt;script&gt;"));
}
