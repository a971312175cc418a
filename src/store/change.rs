//! One security change as one unit of writes: [`Store::commit`] rewrites a user
//! record, keeps one session, and ends sessions (each moved into the revoked set
//! with its reason), all in a single transaction. It is the seam a second
//! store implements (SPEC §13): one call doing the writes, then one flush.

use super::backend::{Keys, Tree, Tx, TxError};
use super::revoked::encode_entry;
use super::sessions::index_key;
use super::{Store, StoreError, decode, encode};
use crate::domain::{EndReason, Session, SessionId, User, UserId};

/// Which of a user's sessions a change ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ends {
    /// This one, if it is the user's.
    One(SessionId),
    /// Every one except this.
    AllBut(SessionId),
    /// Every one.
    All,
}

/// A change to one user's account and sessions; build it with the constructors,
/// which keep its parts consistent (a retired generation ends every session).
#[derive(Debug, Clone)]
pub struct Change {
    user: UserId,
    record: Option<User>,
    keep: Option<Session>,
    ends: Option<(Ends, EndReason)>,
}

/// A session a committed change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    /// The session.
    pub session: SessionId,
    /// The latest expiry of any token minted for it.
    pub until: i64,
}

impl Change {
    /// Ends some of `user`'s sessions for `reason`; the account stays as it is.
    pub fn end(user: UserId, ends: Ends, reason: EndReason) -> Change {
        Change {
            user,
            record: None,
            keep: None,
            ends: Some((ends, reason)),
        }
    }

    /// Writes `record` and retires its generation for `reason`: every token of the
    /// account is refused and every session ends.
    pub fn retire(mut record: User, reason: EndReason) -> Change {
        record.retire_generation(reason.clone());
        Change {
            user: record.id,
            record: Some(record),
            keep: None,
            ends: Some((Ends::All, reason)),
        }
    }

    /// Writes `record`; no session ends.
    pub fn update(record: User) -> Change {
        Change {
            user: record.id,
            record: Some(record),
            keep: None,
            ends: None,
        }
    }

    /// Writes `session` with the change and spares it: every *other* session ends.
    pub fn keeping(mut self, session: Session) -> Change {
        if let Some((ends, _)) = &mut self.ends {
            *ends = Ends::AllBut(session.id);
        }
        self.keep = Some(session);
        self
    }

    /// The user the change is about.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The user record written, if the account changes.
    pub fn record(&self) -> Option<&User> {
        self.record.as_ref()
    }

    /// Which sessions end, and why.
    pub fn ends(&self) -> Option<&(Ends, EndReason)> {
        self.ends.as_ref()
    }
}

impl Store {
    /// Applies `change` in one transaction (not yet flushed) and returns the
    /// sessions it ended; a session of another user is never touched.
    pub fn commit(&self, change: &Change) -> Result<Vec<Ended>, StoreError> {
        let doomed = self.doomed(change)?;
        let reason = change
            .ends()
            .map_or(&EndReason::Unknown, |(_, reason)| reason);
        let mut ended = Vec::new();
        self.backend.transaction(&mut |tx| {
            ended.clear();
            if let Some(record) = &change.record {
                tx.insert(Tree::Users, record.id.as_bytes(), &encode(record))?;
            }
            if let Some(session) = &change.keep {
                tx.insert(Tree::Sessions, session.id.as_bytes(), &encode(session))?;
                tx.insert(
                    Tree::UserSessions,
                    &index_key(&session.user_id, &session.id),
                    &[],
                )?;
            }
            for id in &doomed {
                ended.extend(end_in(tx, id, change.user, reason)?);
            }
            Ok(())
        })?;
        if let Some((_, EndReason::PasswordChanged | EndReason::PasswordReset)) = change.ends() {
            // Flushed with the change: no reset link outlives the password it was for.
            self.clear_reset_links(&change.user)?;
        }
        Ok(ended)
    }

    /// The sessions `change` is to end, as listed now (the transaction checks each
    /// again).
    fn doomed(&self, change: &Change) -> Result<Vec<SessionId>, StoreError> {
        Ok(match change.ends() {
            None => Vec::new(),
            Some((Ends::One(id), _)) => vec![*id],
            Some((Ends::AllBut(keep), _)) => {
                let mut ids = self.session_ids_of(&change.user)?;
                ids.retain(|id| id != keep);
                ids
            }
            Some((Ends::All, _)) => self.session_ids_of(&change.user)?,
        })
    }

    /// The ids in `user`'s session index.
    fn session_ids_of(&self, user: &UserId) -> Result<Vec<SessionId>, StoreError> {
        let mut ids = Vec::new();
        let index = self
            .backend
            .scan(Tree::UserSessions, Keys::Prefix(user.as_bytes()), false)?;
        for entry in index {
            if let Some(id) = SessionId::from_bytes(&entry?.0[16..]) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

/// Inside a commit's transaction: moves session `id` into the revoked set for
/// `reason`, if it still exists and is `owner`'s.
fn end_in(
    tx: &mut dyn Tx,
    id: &SessionId,
    owner: UserId,
    reason: &EndReason,
) -> Result<Option<Ended>, TxError> {
    let Some(raw) = tx.get(Tree::Sessions, id.as_bytes())? else {
        return Ok(None);
    };
    let session: Session = decode("sessions", &raw)?;
    if session.user_id != owner {
        return Ok(None);
    }
    let until = session.token_exp;
    tx.insert(Tree::Revoked, id.as_bytes(), &encode_entry(until, reason))?;
    tx.remove(Tree::Sessions, id.as_bytes())?;
    tx.remove(Tree::UserSessions, &index_key(&owner, id))?;
    Ok(Some(Ended {
        session: *id,
        until,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, SessionKind};

    fn session(user: &User, token_exp: i64) -> Session {
        Session {
            id: SessionId::random(),
            user_id: user.id,
            kind: SessionKind::Browser,
            created_at: 0,
            last_seen_at: 0,
            expires_at: None,
            remember: false,
            device: String::new(),
            ip: None,
            auth_at: 0,
            rotation: 0,
            rotated_at: 0,
            token_exp,
            refresh: None,
            amr: Vec::new(),
            factor_at: 0,
        }
    }

    fn store_with(users: &[&User]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        for user in users {
            let email = Email::parse(&user.email).unwrap();
            store.insert_user(user, &email).unwrap();
        }
        (dir, store)
    }

    #[test]
    fn another_users_session_is_never_ended() {
        let alice = User::sample("alice@example.com");
        let mallory = User::sample("mallory@example.com");
        let (_dir, store) = store_with(&[&alice, &mallory]);
        let victim = session(&alice, 100);
        store.put_session(&victim).unwrap();

        let change = Change::end(mallory.id, Ends::One(victim.id), EndReason::SignedOut);
        let ended = store.commit(&change).unwrap();

        assert!(ended.is_empty());
        assert!(store.session(&victim.id).unwrap().is_some());
        assert!(store.load_revoked(0).unwrap().is_empty());
    }

    #[test]
    fn a_retirement_keeps_one_session_and_revokes_the_rest_with_the_reason() {
        let alice = User::sample("alice@example.com");
        let (_dir, store) = store_with(&[&alice]);
        let (mine, other) = (session(&alice, 100), session(&alice, 200));
        store.put_session(&mine).unwrap();
        store.put_session(&other).unwrap();

        let change =
            Change::retire(alice.clone(), EndReason::PasswordChanged).keeping(mine.clone());
        let ended = store.commit(&change).unwrap();

        let until = 200;
        assert_eq!(
            ended,
            vec![Ended {
                session: other.id,
                until
            }]
        );
        let ids: Vec<_> = store
            .sessions_of(&alice.id)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, vec![mine.id]);
        let stored = store.user(&alice.id).unwrap().unwrap();
        assert_eq!(stored.generation, 1);
        assert_eq!(stored.retired[0].reason, EndReason::PasswordChanged);
        let revoked = store.load_revoked(0).unwrap();
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0].reason, EndReason::PasswordChanged);
        assert_eq!(revoked[0].until, until);
    }
}
