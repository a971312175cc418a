//! The PostgreSQL change log (SPEC §13): what other instances follow.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use portcullis::domain::EndReason;
use portcullis::store::backend::{Followed, Tree};
use portcullis::store::{Change, Ends, Store};

use super::cases::{session, stored};
use super::cluster;

/// Writers on two instances commit at once, some transactions overtaking others;
/// a follower that reads while they write still sees every write, each sequence
/// once, in order.
#[test]
#[ignore = "needs postgresql"]
fn two_writers_committing_out_of_order_lose_nothing() {
    let url = cluster::fresh_database();
    let (one, two) = (
        Store::open_postgres(&url).unwrap(),
        Store::open_postgres(&url).unwrap(),
    );
    let follower_store = Store::open_postgres(&url).unwrap();
    let seen: Arc<Mutex<Vec<Followed>>> = Arc::default();
    let sink = seen.clone();
    let follower = follower_store
        .follow(0, move |entries| {
            sink.lock().unwrap().extend_from_slice(entries)
        })
        .expect("PostgreSQL has a change log");
    let alice = stored(&one, "alice@example.com");
    let sessions: Vec<_> = (0..80).map(|n| session(&alice, 1000 + n)).collect();
    for s in &sessions {
        one.put_session(s).unwrap();
    }

    std::thread::scope(|scope| {
        for (store, half) in [(&one, &sessions[..40]), (&two, &sessions[40..])] {
            for chunk in half.chunks(10) {
                scope.spawn(move || {
                    for s in chunk {
                        let change =
                            Change::end(alice.id, Ends::One(s.id), EndReason::RevokedByAdmin);
                        assert_eq!(store.commit(&change).unwrap().len(), 1);
                    }
                });
            }
        }
    });
    follower.catch_up().unwrap();

    let seen = seen.lock().unwrap();
    let seqs: Vec<i64> = seen.iter().map(|f| f.seq).collect();
    let last = one.backend().last_seq().unwrap();
    assert_eq!(
        seqs,
        (1..=last).collect::<Vec<_>>(),
        "every sequence once, in order"
    );
    let revoked: HashSet<_> = seen
        .iter()
        .filter(|f| f.tree == Tree::Revoked)
        .map(|f| f.key.clone())
        .collect();
    for s in &sessions {
        assert!(
            revoked.contains(s.id.as_bytes().as_slice()),
            "a revocation was skipped"
        );
    }
    assert_eq!(one.load_revoked(0).unwrap().len(), 80);
}

/// An instance further behind than the log is kept reloads the followed trees.
#[test]
#[ignore = "needs postgresql"]
fn a_follower_behind_a_pruned_log_reloads_a_snapshot() {
    let url = cluster::fresh_database();
    let writer = Store::open_postgres(&url).unwrap();
    let alice = stored(&writer, "alice@example.com");
    let doomed = session(&alice, 5000);
    writer.put_session(&doomed).unwrap();
    let change = Change::end(alice.id, Ends::One(doomed.id), EndReason::RevokedByAdmin);
    writer.commit(&change).unwrap();
    assert!(
        writer
            .backend()
            .prune_log(std::time::Duration::ZERO)
            .unwrap()
            >= 2
    );

    let seen: Arc<Mutex<Vec<Followed>>> = Arc::default();
    let sink = seen.clone();
    let reader = Store::open_postgres(&url).unwrap();
    let follower = reader
        .follow(0, move |entries| {
            sink.lock().unwrap().extend_from_slice(entries)
        })
        .unwrap();
    follower.catch_up().unwrap();

    let seen = seen.lock().unwrap();
    assert!(
        seen.iter()
            .any(|f| f.tree == Tree::Revoked && f.key == doomed.id.as_bytes())
    );
    assert!(
        seen.iter()
            .any(|f| f.tree == Tree::Users && f.key == alice.id.as_bytes())
    );
    assert_eq!(follower.applied(), writer.backend().last_seq().unwrap());
}
