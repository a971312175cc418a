//! Several real instances on one PostgreSQL database (SPEC §13), each the
//! `portcullis` binary on its own loopback port: `cargo test -- --ignored postgres`.
//! Needs PostgreSQL 15 (`apt-get install postgresql`); the release binary with
//! `PORTCULLIS_BIN=target/release/portcullis`.

mod instance;
mod tls;

use std::time::{Duration, Instant};

use instance::{Instance, login, logout, me, prepare, register};

use super::store_contract::cluster;

const PASSWORD: &str = "correct horse battery staple";

/// Percentile `p` (0..=100) of sorted `samples`.
fn percentile(samples: &[Duration], p: usize) -> Duration {
    samples[(samples.len() * p / 100).min(samples.len() - 1)]
}

/// Polls `instance` with `token` until it is refused; how long that took.
fn until_refused(instance: &Instance, token: &str, since: Instant) -> Duration {
    loop {
        match me(instance, token) {
            401 => return since.elapsed(),
            200 => {}
            other => panic!("{} answered {other}", instance.base),
        }
        assert!(since.elapsed() < Duration::from_secs(10), "never refused");
    }
}

/// Polls `instance` until it accepts `token` (an account made elsewhere reaches
/// it through the change log, a few milliseconds later).
fn until_accepted(instance: &Instance, token: &str) {
    let since = Instant::now();
    while me(instance, token) != 200 {
        assert!(
            since.elapsed() < Duration::from_secs(5),
            "{} never accepted the token",
            instance.base
        );
    }
}

fn three(url: &str, dir: &std::path::Path) -> [Instance; 3] {
    prepare(dir, url);
    [(); 3].map(|()| Instance::start(dir, url, &[]))
}

#[test]
#[ignore = "needs postgresql"]
fn a_revocation_on_one_instance_is_refused_by_the_others_within_100_ms() {
    let url = cluster::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let [a, b, c] = three(&url, dir.path());
    register(&a, "alice@example.com", PASSWORD);

    let first = login(&a, "alice@example.com", PASSWORD);
    until_accepted(&b, &first);
    until_accepted(&c, &first);

    // A timing goal on a shared machine: a run of 200 rounds disturbed by other
    // load is measured again, at most three runs; every run is printed.
    let mut runs = Vec::new();
    for _ in 0..3 {
        let (p50, p99, max) = measure_rounds(&a, &b, &c);
        println!(
            "revocation seen by both other instances: p50 {p50:?}, p99 {p99:?}, max {max:?} over 200 rounds"
        );
        runs.push(p99);
        if p99 < Duration::from_millis(100) {
            return;
        }
    }
    panic!("p99 over 100 ms in every run: {runs:?}");
}

/// 200 rounds of: log in on A, both others accept, log out on A, poll both others
/// until they refuse. The p50, p99 and max of the later refusal.
fn measure_rounds(a: &Instance, b: &Instance, c: &Instance) -> (Duration, Duration, Duration) {
    let mut took = Vec::new();
    for _ in 0..200 {
        let token = login(a, "alice@example.com", PASSWORD);
        assert_eq!((me(b, &token), me(c, &token)), (200, 200));
        assert_eq!(logout(a, &token), 204);
        let revoked = Instant::now();
        let (on_b, on_c) = std::thread::scope(|s| {
            let on_c = s.spawn(|| until_refused(c, &token, revoked));
            (until_refused(b, &token, revoked), on_c.join().unwrap())
        });
        assert_eq!(me(a, &token), 401);
        took.push(on_b.max(on_c));
    }
    took.sort();
    (
        percentile(&took, 50),
        percentile(&took, 99),
        took[took.len() - 1],
    )
}

#[test]
#[ignore = "needs postgresql"]
fn an_instance_killed_while_a_revocation_happened_refuses_it_after_restart() {
    let url = cluster::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let [a, b, c] = three(&url, dir.path());
    register(&a, "alice@example.com", PASSWORD);
    let token = login(&a, "alice@example.com", PASSWORD);
    until_accepted(&b, &token);
    until_accepted(&c, &token);
    let port = c.port;

    c.kill();
    assert_eq!(logout(&b, &token), 204);
    let c = Instance::start_on(port, dir.path(), &url, &[]);

    assert_eq!(me(&c, &token), 401, "the first request after ready refuses");
    drop(a);
}

#[test]
#[ignore = "needs postgresql"]
fn cut_off_from_postgresql_an_instance_serves_until_max_staleness_then_503_and_catches_up() {
    let (pg_dir, pg_port, url) = cluster::own_cluster();
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), &url);
    let stale = [("PORTCULLIS_MAX_STALENESS", "2s")];
    let a = Instance::start(dir.path(), &url, &stale);
    let b = Instance::start(dir.path(), &url, &stale);
    register(&a, "alice@example.com", PASSWORD);
    let (kept, doomed) = (
        login(&a, "alice@example.com", PASSWORD),
        login(&a, "alice@example.com", PASSWORD),
    );
    until_accepted(&b, &kept);
    until_accepted(&b, &doomed);

    cluster::stop(&pg_dir);
    let stopped = Instant::now();
    // Writes fail at once; verdicts come from the mirror for now.
    let write = instance::post_json(
        &a.url("/api/v1/sessions"),
        &serde_json::json!({ "email": "alice@example.com", "password": PASSWORD }),
        None,
    );
    assert_eq!(write.0, 503, "{write:?}");
    if stopped.elapsed() < Duration::from_secs(2) {
        assert_eq!(
            me(&b, &kept),
            200,
            "served from the mirror within max_staleness"
        );
    }
    let refused = loop {
        match me(&b, &kept) {
            503 => break stopped.elapsed(),
            200 => assert!(stopped.elapsed() < Duration::from_secs(10)),
            other => panic!("answered {other}"),
        }
    };
    println!("503 after {refused:?} without PostgreSQL (max_staleness 2s)");
    // Staleness counts from the follower's last contact, up to one 250 ms
    // heartbeat before PostgreSQL stopped.
    assert!(
        refused >= Duration::from_millis(1700),
        "503 after only {refused:?}"
    );
    assert_eq!(instance::status(ureq::get(&b.url("/healthz")).call()), 503);
    drop(a);

    // The revocation happens while b's listener is down: on a fresh instance.
    cluster::start(&pg_dir, pg_port);
    let a = Instance::start(dir.path(), &url, &stale);
    assert_eq!(logout(&a, &doomed), 204);
    let since = Instant::now();
    let caught_up = until_refused_after_503(&b, &doomed, since);
    println!("b applied the revocation {caught_up:?} after it was made, PostgreSQL back");
    assert_eq!(me(&b, &kept), 200);
}

/// Like [`until_refused`], waiting out 503s while the instance reconnects.
fn until_refused_after_503(instance: &Instance, token: &str, since: Instant) -> Duration {
    loop {
        match me(instance, token) {
            401 => return since.elapsed(),
            200 | 503 => {}
            other => panic!("{} answered {other}", instance.base),
        }
        assert!(since.elapsed() < Duration::from_secs(20), "never refused");
    }
}

#[test]
#[ignore = "needs postgresql"]
fn a_sled_data_dir_migrated_to_postgresql_keeps_its_accounts() {
    let url = cluster::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let sled = [("PORTCULLIS_STORE", "sled")];
    let added = instance::run(
        dir.path(),
        &url,
        &sled,
        &["user", "add", "bob@example.com", "--password-stdin"],
        PASSWORD,
    );
    assert!(added.0, "user add: {}", added.1);

    let migrated = instance::run(
        dir.path(),
        &url,
        &[],
        &["migrate", "--from", "sled", "--to", "postgres"],
        "",
    );
    assert!(migrated.0, "migrate: {}", migrated.1);
    assert!(migrated.1.contains("users: 1"), "{}", migrated.1);
    let again = instance::run(
        dir.path(),
        &url,
        &[],
        &["migrate", "--from", "sled", "--to", "postgres"],
        "",
    );
    assert!(
        !again.0 && again.1.contains("already has accounts"),
        "{}",
        again.1
    );

    let a = Instance::start(dir.path(), &url, &[]);
    let token = login(&a, "bob@example.com", PASSWORD);
    assert_eq!(me(&a, &token), 200);
}

#[test]
#[ignore = "needs postgresql"]
fn a_personal_access_token_made_on_one_instance_works_on_another_until_ended() {
    let url = cluster::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let [a, b, _c] = three(&url, dir.path());
    register(&a, "alice@example.com", PASSWORD);
    let token = login(&a, "alice@example.com", PASSWORD);

    let body = serde_json::json!({ "name": "deploy script" });
    let (code, made) = instance::post_json(&a.url("/api/v1/tokens"), &body, Some(&token));
    assert_eq!(code, 201, "{made}");
    let pat = made["token"].as_str().unwrap().to_owned();
    let since = Instant::now();
    while me(&b, &pat) != 200 {
        assert!(
            since.elapsed() < Duration::from_secs(5),
            "b never accepted the token"
        );
    }

    let (code, _) = instance::post_json(
        &a.url("/api/v1/logout-everywhere"),
        &serde_json::json!({}),
        Some(&token),
    );
    assert_eq!(code, 204);
    until_refused(&b, &pat, Instant::now());
}

/// Not ready before the first snapshot: an instance that cannot load it never
/// answers, and says why (no PostgreSQL needed: nothing listens on the port).
#[test]
fn an_instance_that_cannot_reach_postgresql_at_start_never_serves_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let port = cluster::free_port();
    let url = format!("postgres://portcullis:hunter2@127.0.0.1:{port}/portcullis");

    let (started, printed) = instance::run(dir.path(), &url, &[], &["serve"], "");

    assert!(!started, "it must not start: {printed}");
    assert!(printed.contains("database error"), "{printed}");
    assert!(
        !printed.contains("hunter2"),
        "the password is never printed: {printed}"
    );
}

/// Not a benchmark harness, a comparison on one machine: sequential logins (cheap
/// argon2, so the store's writes dominate) and guarded requests per second on one
/// instance over sled and over PostgreSQL. Prints the figures; asserts nothing
/// about them.
#[test]
#[ignore = "needs postgresql"]
fn postgresql_next_to_sled_logins_and_guarded_requests_per_second() {
    let url = cluster::fresh_database();
    for store in ["sled", "postgres"] {
        let dir = tempfile::tempdir().unwrap();
        let env = [("PORTCULLIS_STORE", store)];
        prepare(dir.path(), &url);
        let a = Instance::start(dir.path(), &url, &env);
        register(&a, "alice@example.com", PASSWORD);
        let started = Instant::now();
        let mut token = String::new();
        for _ in 0..300 {
            token = login(&a, "alice@example.com", PASSWORD);
        }
        let logins = 300.0 / started.elapsed().as_secs_f64();
        let started = Instant::now();
        for _ in 0..2000 {
            assert_eq!(me(&a, &token), 200);
        }
        let guarded = 2000.0 / started.elapsed().as_secs_f64();
        println!(
            "{store}: {logins:.0} logins/s, {guarded:.0} guarded GET /api/v1/me per s (one client, sequential)"
        );
    }
}
