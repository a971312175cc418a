//! Fills a data dir with many accounts and sessions, for the scale benchmark
//! (`scripts/bench-scale.sh`, docs/BENCHMARKS.md).
//!
//!     cargo run --release --example seed -- <data_dir> <users> <sessions>
//!
//! Users are `user<N>@example.com`, all with the password
//! `correct horse battery staple` (one argon2id hash at the shipped cost, shared, so
//! seeding is fast); sessions are spread evenly over the users.

use std::time::Instant;

use portcullis::domain::{Email, Password, Session, SessionId, SessionKind, User, UserId};
use portcullis::hashing::Hasher;
use portcullis::store::Store;

#[rocket::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: seed <data_dir> <users> <sessions>";
    let dir = std::path::PathBuf::from(args.first().expect(usage));
    let users: usize = args.get(1).and_then(|a| a.parse().ok()).expect(usage);
    let sessions: usize = args.get(2).and_then(|a| a.parse().ok()).expect(usage);
    let started = Instant::now();
    let store = Store::open(&dir.join("db")).expect("store opens");
    let hasher = Hasher::new(19456, 2, 1, 1).expect("hasher");
    let password = Password::new("correct horse battery staple").unwrap();
    let permit = hasher.admit("seed").expect("an idle pool admits");
    let hash = hasher.hash(permit, &password).await.expect("hash");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut ids = Vec::with_capacity(users);
    for n in 0..users {
        let email = Email::parse(&format!("user{n}@example.com")).unwrap();
        let user = User {
            id: UserId::random(),
            email: email.as_str().to_owned(),
            password_hash: hash.clone(),
            generation: 0,
            groups: if n % 10 == 0 {
                vec!["staff".into()]
            } else {
                Vec::new()
            },
            disabled: false,
            created_at: now,
            retired: Vec::new(),
        };
        store.insert_user(&user, &email).expect("insert user");
        ids.push(user.id);
    }
    for n in 0..sessions {
        let session = Session {
            id: SessionId::random(),
            user_id: ids[n % users],
            kind: SessionKind::Browser,
            created_at: now,
            last_seen_at: now,
            expires_at: Some(now + 30 * 86_400),
            remember: false,
            device: "Firefox on Linux".into(),
            ip: Some("192.0.2.10".parse().unwrap()),
            auth_at: now,
            rotation: 0,
            rotated_at: now,
            token_exp: now + 900,
            refresh: None,
            amr: Vec::new(),
            factor_at: 0,
        };
        store.put_session(&session).expect("insert session");
    }
    store.flush().await.expect("flush");
    println!(
        "seeded {users} users and {sessions} sessions into {} in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
}
