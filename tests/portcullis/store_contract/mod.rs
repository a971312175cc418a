//! One contract for every store engine (SPEC §13): the same cases run over sled in
//! plain `cargo test`, and over PostgreSQL with `cargo test -- --ignored postgres`
//! (a throwaway cluster, `scripts/pg-cluster.sh`).

mod cases;
pub mod cluster;
mod log;

use portcullis::store::Store;

/// A fresh embedded store; the directory lives as long as the returned guard.
fn sled_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    (dir, store)
}

/// A store on a fresh database of the shared cluster.
pub fn postgres_store() -> Store {
    Store::open_postgres(&cluster::fresh_database()).unwrap()
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod sled {
            $(#[test]
            fn $case() {
                let (_dir, store) = super::sled_store();
                super::cases::$case(&store);
            })*
        }
        mod postgres {
            $(#[test]
            #[ignore = "needs postgresql"]
            fn $case() {
                super::cases::$case(&super::postgres_store());
            })*
        }
    };
}

contract!(
    a_new_address_is_stored_once_and_a_twin_is_refused,
    a_commit_ends_only_the_users_sessions_and_records_why,
    a_session_rotates_only_from_the_record_it_read,
    throttle_counters_count_every_attempt,
    a_link_is_taken_exactly_once,
    scans_return_every_entry_in_order_across_pages,
    factors_edit_atomically_and_pending_logins_are_taken_once,
    the_sweeper_moves_ended_sessions_into_the_revoked_set,
);
