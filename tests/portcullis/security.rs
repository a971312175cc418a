//! The security floor (SPEC §8): throttling, rate limits, cookie attributes and
//! prefixes, headers, redirects, the password blocklist.

mod cookies;

use std::time::Duration;

use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client;

use crate::helpers::{PASSWORD, TestApp, encode, figment, registered};

fn wrong_login(app: &TestApp) -> crate::helpers::Reply {
    app.browser()
        .login("alice@example.com", "wrong wrong wrong")
}

#[test]
fn five_failures_start_an_exponential_back_off() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    for _ in 0..5 {
        assert_eq!(wrong_login(&app).status, Status::Unauthorized);
    }

    let mut browser = app.browser();
    let wrong = browser.login("alice@example.com", "wrong wrong wrong");
    let right = browser.login("alice@example.com", PASSWORD);

    assert_eq!(wrong.status, Status::TooManyRequests);
    assert_eq!(
        right.status,
        Status::TooManyRequests,
        "the right password is not even checked"
    );
    assert_eq!(wrong.header("Retry-After"), Some("1"));
    assert_eq!(wrong.body, right.body);
    assert!(wrong.body.contains("Too many attempts. Try again in 1s."));
    app.advance(Duration::from_secs(1));
    assert_eq!(
        app.login_status("alice@example.com", PASSWORD),
        Status::SeeOther
    );
}

#[test]
fn a_successful_login_resets_the_account_counter() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    for _ in 0..4 {
        wrong_login(&app);
    }
    assert_eq!(
        app.login_status("alice@example.com", PASSWORD),
        Status::SeeOther
    );

    for _ in 0..5 {
        assert_eq!(wrong_login(&app).status, Status::Unauthorized);
    }
}

#[test]
fn unknown_accounts_are_throttled_like_known_ones() {
    let app = TestApp::spawn();
    for _ in 0..5 {
        app.browser()
            .login("ghost@example.com", "wrong wrong wrong");
    }

    let reply = app
        .browser()
        .login("ghost@example.com", "wrong wrong wrong");

    assert_eq!(reply.status, Status::TooManyRequests);
}

#[test]
fn the_back_off_survives_a_restart() {
    let app = TestApp::spawn();
    registered(&app, "alice@example.com");
    for _ in 0..8 {
        wrong_login(&app);
    }

    let app = app.restart();

    assert_eq!(
        app.login_status("alice@example.com", PASSWORD),
        Status::TooManyRequests
    );
}

#[test]
fn failures_from_one_address_are_limited_across_accounts() {
    let app = TestApp::spawn_with(&[("login_ip_limit", 3.into())]);
    let attacker = "198.51.100.7:4000".parse().unwrap();
    let mut other = app.browser();
    other.remote = Some("203.0.113.9:5000".parse().unwrap());

    for n in 0..3 {
        let mut browser = app.browser();
        browser.remote = Some(attacker);
        let reply = browser.login(&format!("user{n}@example.com"), "wrong wrong wrong");
        assert_eq!(reply.status, Status::Unauthorized);
    }
    let mut browser = app.browser();
    browser.remote = Some(attacker);

    assert_eq!(
        browser
            .login("user9@example.com", "wrong wrong wrong")
            .status,
        Status::TooManyRequests
    );
    assert_eq!(
        other.login("user9@example.com", "wrong wrong wrong").status,
        Status::Unauthorized
    );
}

#[test]
fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let app = TestApp::spawn_with(&[("login_ip_limit", 1.into())]);
    let attempt = |peer: &str, forwarded: &str| {
        let mut browser = app.browser();
        browser.remote = Some(peer.parse().unwrap());
        let token = browser.csrf_token();
        let body = encode(&[
            ("csrf_token", &token),
            ("email", "x@example.com"),
            ("password", "wrong wrong wrong"),
        ]);
        browser
            .post_raw("/login", body, &[("X-Forwarded-For", forwarded)])
            .status
    };

    // Through the loopback proxy, two different clients each get their own budget.
    assert_eq!(
        attempt("127.0.0.1:1000", "203.0.113.1"),
        Status::Unauthorized
    );
    assert_eq!(
        attempt("127.0.0.1:1000", "203.0.113.2"),
        Status::Unauthorized
    );
    // An untrusted peer cannot escape its budget by inventing forwarded addresses.
    assert_eq!(
        attempt("198.51.100.7:1000", "203.0.113.3"),
        Status::Unauthorized
    );
    assert_eq!(
        attempt("198.51.100.7:1000", "203.0.113.4"),
        Status::TooManyRequests
    );
}

#[test]
fn parallel_guesses_cannot_slip_past_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = rocket::figment::value::Dict::new();
    settings.insert("data_dir".into(), dir.path().display().to_string().into());
    settings.insert("argon2_memory_kib".into(), 256.into());
    settings.insert("argon2_iterations".into(), 1.into());
    // The back-off is what is tested here, not the hashing pool's own bound.
    settings.insert("max_hashes_per_account".into(), 64.into());
    // A stopped clock: the back-off of the fifth failure cannot lapse while the 50
    // requests are still being dispatched on a loaded machine.
    let clock = portcullis::clock::ManualClock::starting_now();
    let rocket = rocket::custom(figment(&settings)).attach(portcullis::fairing().with_clock(clock));

    let statuses = rocket::execute(async move {
        let client = Client::untracked(rocket).await.unwrap();
        let page = client.get("/login").dispatch().await;
        let csrf_cookie: Vec<_> = page.cookies().iter().cloned().collect();
        let body = page.into_string().await.unwrap();
        let start = body.find("name=\"csrf_token\" value=\"").unwrap() + 25;
        let token = body[start..start + body[start..].find('"').unwrap()].to_owned();
        let form = encode(&[
            ("csrf_token", &token),
            ("email", "alice@example.com"),
            ("password", "wrong wrong wrong"),
        ]);
        let requests = (0..50).map(|_| {
            client
                .post("/login")
                .header(ContentType::Form)
                .cookies(csrf_cookie.clone())
                .body(form.clone())
                .dispatch()
        });
        let replies = rocket::futures::future::join_all(requests).await;
        replies.iter().map(|r| r.status()).collect::<Vec<_>>()
    });

    let evaluated = statuses
        .iter()
        .filter(|s| **s == Status::Unauthorized)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == Status::TooManyRequests)
        .count();
    assert_eq!(evaluated, 5, "{statuses:?}");
    assert_eq!(throttled, 45);
}

#[test]
fn registrations_are_rate_limited_per_address() {
    let app = TestApp::spawn_with(&[("register_rate_limit", 2.into())]);
    registered(&app, "a@example.com");
    registered(&app, "b@example.com");

    let reply = app.browser().register("c@example.com", PASSWORD);

    assert_eq!(reply.status, Status::TooManyRequests);
    assert!(reply.header("Retry-After").is_some());
    app.advance(Duration::from_secs(61));
    assert_eq!(
        app.browser().register("c@example.com", PASSWORD).status,
        Status::SeeOther
    );
}

#[test]
fn a_common_password_is_refused_with_the_reason() {
    let app = TestApp::spawn();

    let reply = app.browser().register("alice@example.com", "qwerty123456");

    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("one of the most common passwords"));
}
