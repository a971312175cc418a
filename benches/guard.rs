//! Micro-benchmarks of the hot path (docs/BENCHMARKS.md):
//!
//!     cargo bench --bench guard
//!
//! - `token_mint`: PASETO v4.local encryption of one access token;
//! - `token_open`: PASETO v4.local decrypt and claims check of one access token;
//! - `check_cached`: `Sessions::check` on bytes already verified (state checks only) —
//!   what every request after a session's first costs;
//! - `guarded_request` / `open_request`: a whole request through Rocket's local
//!   client to a route behind `AuthUser` and to an open one (no network).

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis::auth::{Auth, Check, Client};
use portcullis::clock::SystemClock;
use portcullis::config::Config;
use portcullis::domain::{Email, Password};
use portcullis::token::{Keyring, TokenKind, Tokens};

fn guard(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let runtime = rocket::tokio::runtime::Runtime::new().unwrap();
    let issuer = "http://localhost:8000".to_owned();
    let config = Config {
        data_dir: dir.path().to_owned(),
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        max_concurrent_hashes: 1,
        ..Config::default()
    };
    let auth = Auth::open(config, Arc::new(SystemClock)).unwrap();
    let email = Email::parse("bench@example.com").unwrap();
    let password = Password::new("correct horse battery staple").unwrap();
    let token = runtime.block_on(async {
        auth.accounts()
            .create(&email, &password, Vec::new())
            .await
            .unwrap();
        let (_, issued) = auth
            .sessions()
            .login(&email, &password, false, &Client::default())
            .await
            .unwrap();
        issued.token
    });
    // A second key ring view of the same keys, to time decryption on its own.
    let tokens = Tokens::new(
        Keyring::load_or_create(&dir.path().join("keys")).unwrap(),
        issuer,
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    let claims = match tokens.open(&token, TokenKind::Browser, now) {
        portcullis::token::Opened::Valid(claims) => claims,
        other => panic!("fresh token does not open: {other:?}"),
    };
    c.bench_function("token_mint", |b| {
        b.iter(|| tokens.mint(std::hint::black_box(&claims)))
    });
    c.bench_function("token_open", |b| {
        b.iter(|| tokens.open(std::hint::black_box(&token), TokenKind::Browser, now))
    });
    c.bench_function("check_cached", |b| {
        b.iter(|| {
            let outcome = auth
                .sessions()
                .check(std::hint::black_box(&token), TokenKind::Browser);
            assert!(matches!(outcome, Check::Valid(_)));
        })
    });
}

#[rocket::get("/open")]
fn open() -> &'static str {
    "ok"
}

#[rocket::get("/guarded")]
fn guarded(_user: portcullis::AuthUser) -> &'static str {
    "ok"
}

fn whole_request(c: &mut Criterion) {
    use rocket::local::blocking::Client as Local;
    let dir = tempfile::tempdir().unwrap();
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("portcullis.data_dir", dir.path().display().to_string()))
        .merge(("portcullis.argon2_memory_kib", 1024));
    let rocket = rocket::custom(figment)
        .attach(portcullis::fairing())
        .mount("/", rocket::routes![open, guarded]);
    // Tracked: the client keeps the CSRF and session cookies like a browser.
    let client = Local::tracked(rocket).unwrap();
    let form = client.get("/register").dispatch();
    let body = form.into_string().unwrap();
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker).unwrap() + marker.len();
    let csrf = body[start..start + body[start..].find('"').unwrap()].to_owned();
    let registered = client
        .post("/register")
        .header(rocket::http::ContentType::Form)
        .body(format!(
            "csrf_token={csrf}&email=bench%40example.com&password=correct+horse+battery+staple"
        ))
        .dispatch();
    assert_eq!(registered.status(), rocket::http::Status::SeeOther);
    c.bench_function("open_request", |b| {
        b.iter(|| client.get("/open").dispatch().status())
    });
    c.bench_function("guarded_request", |b| {
        b.iter(|| {
            let status = client.get("/guarded").dispatch().status();
            assert_eq!(status, rocket::http::Status::Ok);
        })
    });
}

criterion_group!(benches, guard, whole_request);
criterion_main!(benches);
