//! Where users sign in from (SPEC §11 new sign-in notices): the `sign_ins` tree,
//! user id (16 bytes) → [`SignIns`] as JSON, bounded per user.

use super::backend::Tree;
use super::{Store, StoreError};
use crate::domain::UserId;
use crate::domain::signins::SignIns;

impl Store {
    /// The sign-in record of `user` (empty when there is none).
    pub fn sign_ins(&self, user: &UserId) -> Result<SignIns, StoreError> {
        self.read_record(Tree::SignIns, user.as_bytes())
    }

    /// Changes the sign-in record of `user` by `edit`, atomically (`edit` may run
    /// more than once; its last answer is returned). Not flushed.
    pub fn edit_sign_ins<R>(
        &self,
        user: &UserId,
        edit: impl FnMut(&mut SignIns) -> R,
    ) -> Result<R, StoreError> {
        self.edit_record(Tree::SignIns, user.as_bytes(), edit, |_| true)
    }
}
