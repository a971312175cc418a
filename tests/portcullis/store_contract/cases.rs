//! The cases every engine must pass, over the public [`Store`] API.

use std::net::IpAddr;

use portcullis::domain::audit::{AuditEvent, AuditKind};
use portcullis::domain::factors::PendingLogin;
use portcullis::domain::onetime::{OneTime, Purpose};
use portcullis::domain::{Email, EndReason, Session, SessionId, SessionKind, User, UserId};
use portcullis::store::{Change, Ends, InsertUserError, Store};

pub fn user(email: &str) -> User {
    User {
        id: UserId::random(),
        email: email.into(),
        password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
        generation: 0,
        groups: Vec::new(),
        disabled: false,
        created_at: 0,
        retired: Vec::new(),
    }
}

/// A browser session; built from JSON so that fields added later take their
/// defaults here as they do in stored records.
pub fn session(user: &User, token_exp: i64) -> Session {
    serde_json::from_value(serde_json::json!({
        "id": SessionId::random(),
        "user_id": user.id,
        "kind": SessionKind::Browser,
        "created_at": token_exp,
        "last_seen_at": 0,
        "expires_at": null,
        "remember": false,
        "device": "",
        "ip": null,
        "auth_at": 0,
        "rotation": 0,
        "rotated_at": 0,
        "token_exp": token_exp,
    }))
    .expect("a session record")
}

pub fn stored(store: &Store, email: &str) -> User {
    let user = user(email);
    store
        .insert_user(&user, &Email::parse(email).unwrap())
        .unwrap();
    user
}

pub fn a_new_address_is_stored_once_and_a_twin_is_refused(store: &Store) {
    assert!(store.has_no_users());
    let alice = stored(store, "alice@example.com");

    let twin = user("ALICE@example.com");
    let again = store.insert_user(&twin, &Email::parse("ALICE@example.com").unwrap());

    assert!(matches!(again, Err(InsertUserError::EmailTaken)));
    let found = store
        .user_by_email(&Email::parse("Alice@Example.com").unwrap())
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(alice.id));
    assert_eq!(store.users().count(), 1);
    assert!(!store.has_no_users());
}

pub fn a_commit_ends_only_the_users_sessions_and_records_why(store: &Store) {
    let alice = stored(store, "alice@example.com");
    let mallory = stored(store, "mallory@example.com");
    let (mine, other) = (session(&alice, 100), session(&alice, 200));
    let victim = session(&mallory, 300);
    for s in [&mine, &other, &victim] {
        store.put_session(s).unwrap();
    }

    let stray = Change::end(alice.id, Ends::One(victim.id), EndReason::SignedOut);
    assert!(store.commit(&stray).unwrap().is_empty());
    let change = Change::retire(alice.clone(), EndReason::PasswordChanged).keeping(mine.clone());
    let ended = store.commit(&change).unwrap();

    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].session, other.id);
    let left: Vec<_> = store
        .sessions_of(&alice.id)
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(left, vec![mine.id]);
    assert!(store.session(&victim.id).unwrap().is_some());
    assert_eq!(store.user(&alice.id).unwrap().unwrap().generation, 1);
    let revoked = store.load_revoked(0).unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].session, other.id);
    assert_eq!(revoked[0].reason, EndReason::PasswordChanged);
}

pub fn a_session_rotates_only_from_the_record_it_read(store: &Store) {
    let alice = stored(store, "alice@example.com");
    let original = session(&alice, 100);
    store.put_session(&original).unwrap();
    let first = store.session_for_update(&original.id).unwrap().unwrap();
    let second = store.session_for_update(&original.id).unwrap().unwrap();

    let rotated = Session {
        rotation: 1,
        ..original.clone()
    };
    assert!(store.replace_session(&first, &rotated).unwrap());
    assert!(!store.replace_session(&second, &rotated).unwrap());
    assert_eq!(store.session(&original.id).unwrap().unwrap().rotation, 1);
}

pub fn throttle_counters_count_every_attempt(store: &Store) {
    let ip: Option<IpAddr> = Some("192.0.2.7".parse().unwrap());
    for _ in 0..3 {
        assert_eq!(
            store.reserve_login("bob@example.com", ip, 1000, 3).unwrap(),
            Ok(())
        );
        store.login_succeeded("other@example.com", ip).unwrap();
    }
    for _ in 0..3 {
        assert_eq!(store.reserve_registration(ip, 1000, 3).unwrap(), Ok(()));
    }
    assert!(store.reserve_registration(ip, 1000, 3).unwrap().is_err());
}

pub fn a_link_is_taken_exactly_once(store: &Store) {
    let link = OneTime {
        purpose: Purpose::Setup,
        created_at: 0,
        expires_at: None,
    };
    store.put_onetime("token-1", &link).unwrap();
    store.put_onetime("token-2", &link).unwrap();
    assert!(store.onetime("token-1").unwrap().is_some());

    assert!(store.take_onetime("token-1").unwrap().is_some());
    assert!(store.take_onetime("token-1").unwrap().is_none());
    store.clear_setup_links().unwrap();
    assert!(store.onetime("token-2").unwrap().is_none());
}

pub fn scans_return_every_entry_in_order_across_pages(store: &Store) {
    let alice = stored(store, "alice@example.com");
    for at in 0..1300 {
        let event = AuditEvent {
            at,
            kind: AuditKind::LoginSucceeded,
            user: Some(alice.id),
            session: None,
            actor: None,
            ip: None,
            user_agent: None,
            repeated: 0,
        };
        store.record(&event).unwrap();
    }
    let sessions: Vec<_> = (0..600).map(|n| session(&alice, n)).collect();
    for s in &sessions {
        store.put_session(s).unwrap();
    }

    let newest: Vec<i64> = store
        .audit_events(5, 1200, Some(&alice.id))
        .unwrap()
        .iter()
        .map(|e| e.at)
        .collect();
    let expected: Vec<i64> = (95..1295).rev().collect();
    assert_eq!(newest, expected);
    assert_eq!(store.sessions_of(&alice.id).unwrap().len(), 600);
    assert_eq!(
        store
            .sweepable()
            .upgrade()
            .unwrap()
            .prune_audit(1000)
            .unwrap(),
        1000
    );
    assert_eq!(store.audit_events(0, 2000, None).unwrap().len(), 300);
}

pub fn factors_edit_atomically_and_pending_logins_are_taken_once(store: &Store) {
    let alice = stored(store, "alice@example.com");
    let codes = store
        .edit_factors(&alice.id, |f| {
            f.recovery = vec!["a".into(), "b".into()];
            f.recovery.len()
        })
        .unwrap();
    assert_eq!(codes, 2);
    assert_eq!(store.factors(&alice.id).unwrap().recovery.len(), 2);
    let pending = PendingLogin {
        user: alice.id,
        generation: 0,
        kind: SessionKind::Browser,
        remember: false,
        device: None,
        expires_at: 50,
    };
    store.put_pending("half-way", &pending).unwrap();
    store.put_pending("stale", &pending).unwrap();
    store.prune_pending(60).unwrap();
    assert!(store.pending("stale").unwrap().is_none());
    store.put_pending("half-way", &pending).unwrap();
    assert!(store.take_pending("half-way").unwrap().is_some());
    assert!(store.take_pending("half-way").unwrap().is_none());
    store.remove_factors(&alice.id).unwrap();
    assert!(store.factors(&alice.id).unwrap().recovery.is_empty());
}

pub fn the_sweeper_moves_ended_sessions_into_the_revoked_set(store: &Store) {
    let alice = stored(store, "alice@example.com");
    let (old, live) = (session(&alice, 500), session(&alice, 900));
    store.put_session(&old).unwrap();
    store.put_session(&live).unwrap();
    let sweep = store.sweepable().upgrade().unwrap();

    let swept = sweep.sweep_sessions(100, |s| s.id == live.id).unwrap();

    assert_eq!((swept.deleted, swept.live), (1, 1));
    assert_eq!(swept.revoked, vec![(old.id, 500)]);
    let revoked = store.load_revoked(100).unwrap();
    assert_eq!(revoked[0].reason, EndReason::Expired);
    assert_eq!(sweep.prune_revoked(600).unwrap(), 1);
    assert!(store.load_revoked(0).unwrap().is_empty());
}
