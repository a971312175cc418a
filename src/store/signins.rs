//! Where users sign in from (SPEC §11 new sign-in notices): the `sign_ins` tree,
//! user id (16 bytes) → [`SignIns`] as JSON, bounded per user.

use super::backend::Tree;
use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::signins::SignIns;

impl Store {
    /// The sign-in record of `user` (empty when there is none).
    pub fn sign_ins(&self, user: &UserId) -> Result<SignIns, StoreError> {
        let raw = self.backend.get(Tree::SignIns, user.as_bytes())?;
        Ok(raw
            .map(|raw| decode("sign_ins", &raw))
            .transpose()?
            .unwrap_or_default())
    }

    /// Changes the sign-in record of `user` by `edit`, atomically (`edit` may run
    /// more than once; its last answer is returned). Not flushed.
    pub fn edit_sign_ins<R>(
        &self,
        user: &UserId,
        mut edit: impl FnMut(&mut SignIns) -> R,
    ) -> Result<R, StoreError> {
        loop {
            let old = self.backend.get(Tree::SignIns, user.as_bytes())?;
            let mut record: SignIns = match &old {
                Some(raw) => decode("sign_ins", raw)?,
                None => SignIns::default(),
            };
            let answer = edit(&mut record);
            let new = encode(&record);
            let swapped = self.backend.compare_and_swap(
                Tree::SignIns,
                user.as_bytes(),
                old.as_deref(),
                Some(&new),
            )?;
            if swapped {
                return Ok(answer);
            }
        }
    }
}
