//! User records and the email indexes: one entry per account under its normalised
//! key, and its confusable skeletons (see [`crate::domain::identity`]).

use super::backend::{Keys, Tree, TxError};
use super::{Store, StoreError, decode, encode};
use crate::domain::{Email, User, UserId};

/// Why a new user could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    /// Another account already has this address under some spelling, or an address
    /// that looks like it.
    #[error("email already registered")]
    EmailTaken,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Stores a new user unless its address, or a look-alike of it, belongs to
    /// another account; not yet flushed. The record and every index entry land in
    /// one transaction, so two concurrent registrations of twins cannot both pass.
    pub fn insert_user(&self, user: &User, email: &Email) -> Result<(), InsertUserError> {
        let key = email.key();
        let skeletons = email.skeletons();
        let record = encode(user);
        let stored = self.backend.transaction(&mut |tx| {
            if tx.get(Tree::Emails, key.as_bytes())?.is_some() {
                return Err(TxError::Refused);
            }
            for skeleton in &skeletons {
                if tx.get(Tree::EmailSkeletons, skeleton.as_bytes())?.is_some() {
                    return Err(TxError::Refused);
                }
            }
            tx.insert(Tree::Emails, key.as_bytes(), user.id.as_bytes())?;
            for skeleton in &skeletons {
                tx.insert(
                    Tree::EmailSkeletons,
                    skeleton.as_bytes(),
                    user.id.as_bytes(),
                )?;
            }
            tx.insert(Tree::Users, user.id.as_bytes(), &record)
        })?;
        match stored {
            true => Ok(()),
            false => Err(InsertUserError::EmailTaken),
        }
    }

    /// Replaces an existing user record (email unchanged); not yet flushed.
    pub fn update_user(&self, user: &User) -> Result<(), StoreError> {
        self.backend
            .insert(Tree::Users, user.id.as_bytes(), &encode(user))
    }

    /// The user with this id.
    pub fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        self.backend
            .get(Tree::Users, id.as_bytes())?
            .map(|raw| decode("users", &raw))
            .transpose()
    }

    /// The user with this address under any spelling that normalises alike; never
    /// the owner of a merely confusable address.
    pub fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let Some(raw_id) = self.backend.get(Tree::Emails, email.key().as_bytes())? else {
            return Ok(None);
        };
        let id = UserId::from_bytes(&raw_id).ok_or(StoreError::Corrupt {
            tree: "emails",
            reason: "user id is not 16 bytes".into(),
        })?;
        self.user(&id)
    }

    /// Every user, in id order.
    pub fn users(&self) -> impl Iterator<Item = Result<User, StoreError>> + '_ {
        let entries = match self.backend.scan(Tree::Users, Keys::All, false) {
            Ok(entries) => entries,
            Err(e) => Box::new(std::iter::once(Err(e))),
        };
        entries.map(|entry| decode("users", &entry?.1))
    }

    /// Whether no account exists yet (an unreadable store counts as not empty:
    /// nothing is offered that only a fresh install may have).
    pub fn has_no_users(&self) -> bool {
        self.backend.is_empty(Tree::Users).unwrap_or(false)
    }
}
