use super::*;
use crate::store::Ends;
use crate::token::TokenKind;

fn user() -> User {
    User::sample("alice@example.com")
}

fn claims(user: &User, session: SessionId, generation: u64) -> TokenClaims {
    TokenClaims {
        user: user.id,
        session,
        generation,
        kind: TokenKind::Browser,
        issued_at: 0,
        expires_at: 100,
        rotation: 0,
        auth_at: 0,
        aal: 1,
        factor_at: 0,
        unseen: false,
    }
}

#[test]
fn a_token_is_told_why_it_is_refused() {
    let mut alice = user();
    let session = SessionId::random();
    let mirror = Mirror::new([alice.clone()], Vec::new());
    assert!(matches!(
        mirror.admit(&claims(&alice, session, 0)),
        Admission::Admitted(_)
    ));

    alice.retire_generation(EndReason::PasswordChanged);
    alice.retire_generation(EndReason::GroupsChanged);
    mirror.put_user(&alice);

    let reason = |generation| match mirror.admit(&claims(&alice, session, generation)) {
        Admission::Ended(reason) => Some(reason),
        _ => None,
    };
    assert_eq!(reason(0), Some(EndReason::PasswordChanged));
    assert_eq!(reason(1), Some(EndReason::GroupsChanged));
    assert_eq!(reason(2), None, "the current generation is admitted");
    assert!(matches!(
        mirror.admit(&claims(&alice, session, 9)),
        Admission::Unknown
    ));
    assert!(matches!(
        mirror.admit(&claims(&user(), session, 0)),
        Admission::Unknown
    ));
}

#[test]
fn old_retirements_are_forgotten_but_still_refused() {
    let mut alice = user();
    for _ in 0..crate::domain::ended::RETIREMENTS_KEPT + 2 {
        alice.retire_generation(EndReason::LoggedOutEverywhere);
    }
    assert_eq!(alice.retired.len(), crate::domain::ended::RETIREMENTS_KEPT);
    let mirror = Mirror::new([alice.clone()], Vec::new());

    let oldest = mirror.admit(&claims(&alice, SessionId::random(), 0));

    assert!(matches!(oldest, Admission::Ended(EndReason::Unknown)));
}

#[test]
fn a_revoked_session_is_refused_with_its_reason_until_pruned() {
    let alice = user();
    let mirror = Mirror::new([alice.clone()], Vec::new());
    let first = SessionId::random();
    let change = Change::end(alice.id, Ends::One(first), EndReason::RevokedByAdmin);
    let ended = [Ended {
        session: first,
        until: 50,
    }];
    mirror.publish(&change, &ended, 10);
    assert!(matches!(
        mirror.admit(&claims(&alice, first, 0)),
        Admission::Ended(EndReason::RevokedByAdmin)
    ));

    // Growing past the threshold prunes what has expired by then, keeps the rest.
    let later: Vec<Ended> = (0..PRUNE_FLOOR)
        .map(|_| Ended {
            session: SessionId::random(),
            until: 500,
        })
        .collect();
    mirror.publish(&change, &later, 100);

    assert!(mirror.ended(&first).is_none(), "expired entry pruned");
    assert!(mirror.ended(&later[0].session).is_some());
}
