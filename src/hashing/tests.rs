use argon2::password_hash::SaltString;
use argon2::password_hash::rand_core::OsRng;

use super::*;

fn cheap() -> Hasher {
    Hasher::new(1024, 1, 1, 2).unwrap()
}

/// A request thread waking up must preempt a running hash at once: on Linux the
/// hashing threads run under `SCHED_IDLE` (policy 5 in `/proc/<tid>/stat`).
#[cfg(target_os = "linux")]
#[rocket::async_test]
async fn hashing_threads_yield_to_everything_else() {
    let hasher = cheap();
    let policy = hasher
        .run(hasher.admit("t").unwrap(), |_| {
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
            // Fields after the parenthesised name start at field 3; policy is 41.
            let after_name = &stat[stat.rfind(')').unwrap() + 1..];
            after_name
                .split_whitespace()
                .nth(41 - 3)
                .unwrap()
                .to_owned()
        })
        .await
        .unwrap();
    assert_eq!(policy, "5", "SCHED_IDLE is policy 5");
}

#[rocket::async_test]
async fn a_hash_verifies_only_its_own_password() {
    let hasher = cheap();
    let right = Password::new("correct horse battery staple").unwrap();
    let wrong = Password::new("correct horse battery stapler").unwrap();
    let phc = hasher
        .hash(hasher.admit("t").unwrap(), &right)
        .await
        .unwrap();
    assert!(phc.starts_with("$argon2id$"));
    assert!(
        hasher
            .verify(hasher.admit("t").unwrap(), &right, Some(&phc))
            .await
    );
    assert!(
        !hasher
            .verify(hasher.admit("t").unwrap(), &wrong, Some(&phc))
            .await
    );
    assert!(
        !hasher
            .verify(hasher.admit("t").unwrap(), &right, None)
            .await
    );
}

#[rocket::async_test]
async fn hashes_interoperate_with_the_argon2_crates_own_phc_api() {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};
    let hasher = cheap();
    let password = Password::new("correct horse battery staple").unwrap();
    let ours = hasher
        .hash(hasher.admit("t").unwrap(), &password)
        .await
        .unwrap();
    let reference = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(1024, 1, 1, None).unwrap(),
    );
    let parsed = PasswordHash::new(&ours).unwrap();
    assert!(
        reference
            .verify_password(b"correct horse battery staple", &parsed)
            .is_ok()
    );
    assert!(
        reference
            .verify_password(b"wrong horse battery staple", &parsed)
            .is_err()
    );
    // A hash made elsewhere, under other (larger) parameters, still verifies.
    let stronger = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(4096, 2, 1, None).unwrap(),
    );
    let salt = SaltString::generate(&mut OsRng);
    let theirs = stronger
        .hash_password(b"correct horse battery staple", &salt)
        .unwrap()
        .to_string();
    assert!(
        hasher
            .verify(hasher.admit("t").unwrap(), &password, Some(&theirs))
            .await
    );
    let wrong = Password::new("correct horse battery stapler").unwrap();
    assert!(
        !hasher
            .verify(hasher.admit("t").unwrap(), &wrong, Some(&theirs))
            .await
    );
}

/// Dropping the hasher joins its threads: each has exited (and run its
/// thread-local destructors) by the time `drop` returns.
#[rocket::async_test]
async fn dropping_the_hasher_stops_its_threads() {
    struct Exit(std::sync::mpsc::Sender<()>);
    impl Drop for Exit {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    thread_local!(static EXIT: std::cell::RefCell<Option<Exit>> = const { std::cell::RefCell::new(None) });
    let hasher = cheap();
    let (exited, exits) = std::sync::mpsc::channel();
    hasher
        .run(hasher.admit("t").unwrap(), move |_| {
            EXIT.with(|slot| *slot.borrow_mut() = Some(Exit(exited)))
        })
        .await
        .unwrap();

    drop(hasher);

    assert!(exits.try_recv().is_ok(), "the thread was still running");
}

/// The slot is free by the time the answer arrives: the next check of the same
/// account, made right after, is admitted even at a bound of one.
#[rocket::async_test]
async fn a_job_frees_its_slot_before_it_answers() {
    let hasher = cheap().with_limits(1, 1);
    let password = Password::new("correct horse battery staple").unwrap();
    let held = hasher.admit("alice").unwrap();
    assert!(hasher.admit("alice").is_err());
    let phc = hasher.hash(held, &password).await.unwrap();

    for _ in 0..3 {
        let permit = hasher.admit("alice").expect("the slot was freed");
        assert!(hasher.verify(permit, &password, Some(&phc)).await);
    }
}

#[rocket::async_test]
async fn raised_parameters_ask_for_a_rehash() {
    let old = cheap();
    let phc = old
        .hash(
            old.admit("t").unwrap(),
            &Password::new("x".repeat(12)).unwrap(),
        )
        .await
        .unwrap();
    assert!(!old.needs_rehash(&phc));
    let stronger = Hasher::new(2048, 2, 1, 2).unwrap();
    assert!(stronger.needs_rehash(&phc));
}
