//! Micro-benchmarks of the hot path (docs/BENCHMARKS.md):
//!
//!     cargo bench --bench guard
//!
//! - `token_open`: PASETO v4.local decrypt and claims check of one access token;
//! - `check_cached`: `Auth::check` on bytes already verified (state checks only) —
//!   what every request after a session's first costs.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis::auth::{Auth, Check, Client};
use portcullis::clock::SystemClock;
use portcullis::config::Config;
use portcullis::domain::hasher::Hasher;
use portcullis::domain::{Email, Password, SessionKind};
use portcullis::store::Store;
use portcullis::token::{Keyring, TokenKind, Tokens};

fn guard(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let runtime = rocket::tokio::runtime::Runtime::new().unwrap();
    let issuer = "http://localhost:8000".to_owned();
    let auth = Auth::new(
        Config::default(),
        Store::open(&dir.path().join("db")).unwrap(),
        Tokens::new(
            Keyring::load_or_create(&dir.path().join("keys")).unwrap(),
            issuer.clone(),
        ),
        Hasher::new(1024, 1, 1, 1).unwrap(),
        Arc::new(SystemClock),
    )
    .unwrap();
    let email = Email::parse("bench@example.com").unwrap();
    let password = Password::new("correct horse battery staple").unwrap();
    let token = runtime.block_on(async {
        auth.create_user(&email, &password, Vec::new())
            .await
            .unwrap();
        let (_, issued) = auth
            .login(
                &email,
                &password,
                false,
                SessionKind::Browser,
                &Client::default(),
            )
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

    c.bench_function("token_open", |b| {
        b.iter(|| tokens.open(std::hint::black_box(&token), TokenKind::Browser, now))
    });
    c.bench_function("check_cached", |b| {
        b.iter(|| {
            let outcome = auth.check(std::hint::black_box(&token), TokenKind::Browser);
            assert!(matches!(outcome, Check::Valid(_)));
        })
    });
}

criterion_group!(benches, guard);
criterion_main!(benches);
