//! User records and the email indexes: one entry per account under its normalised
//! key, and its confusable skeletons (see [`crate::domain::identity`]).

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

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
        let trees = (&self.users, &self.emails, &self.email_skeletons);
        let result = trees.transaction(|(users, emails, looks)| {
            if emails.get(key.as_bytes())?.is_some() {
                return Err(ConflictableTransactionError::Abort(()));
            }
            for skeleton in &skeletons {
                if looks.get(skeleton.as_bytes())?.is_some() {
                    return Err(ConflictableTransactionError::Abort(()));
                }
            }
            emails.insert(key.as_bytes(), user.id.as_bytes())?;
            for skeleton in &skeletons {
                looks.insert(skeleton.as_bytes(), user.id.as_bytes())?;
            }
            users.insert(user.id.as_bytes(), record.as_slice())?;
            Ok(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(())) => Err(InsertUserError::EmailTaken),
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e).into()),
        }
    }

    /// Replaces an existing user record (email unchanged); not yet flushed.
    pub fn update_user(&self, user: &User) -> Result<(), StoreError> {
        self.users.insert(user.id.as_bytes(), encode(user))?;
        Ok(())
    }

    /// The user with this id.
    pub fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        self.users
            .get(id.as_bytes())?
            .map(|raw| decode("users", &raw))
            .transpose()
    }

    /// The user with this address under any spelling that normalises alike; never
    /// the owner of a merely confusable address.
    pub fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let Some(raw_id) = self.emails.get(email.key().as_bytes())? else {
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
        self.users.iter().values().map(|raw| decode("users", &raw?))
    }

    /// Whether no account exists yet.
    pub fn has_no_users(&self) -> bool {
        self.users.is_empty()
    }
}
