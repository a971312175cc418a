//! Where users sign in from (SPEC §11 new sign-in notices): the `sign_ins` tree,
//! user id (16 bytes) → [`SignIns`] as JSON, bounded per user.

use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::signins::SignIns;

const TREE: &str = "sign_ins";

impl Store {
    fn sign_ins_tree(&self) -> Result<sled::Tree, StoreError> {
        Ok(self.db.open_tree(TREE)?)
    }

    /// The sign-in record of `user` (empty when there is none).
    pub fn sign_ins(&self, user: &UserId) -> Result<SignIns, StoreError> {
        let tree = self.sign_ins_tree()?;
        let raw = tree.get(user.as_bytes())?;
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
        let tree = self.sign_ins_tree()?;
        loop {
            let old = tree.get(user.as_bytes())?;
            let mut record: SignIns = match &old {
                Some(raw) => decode("sign_ins", raw)?,
                None => SignIns::default(),
            };
            let answer = edit(&mut record);
            let new = encode(&record);
            if tree
                .compare_and_swap(user.as_bytes(), old, Some(new))?
                .is_ok()
            {
                return Ok(answer);
            }
        }
    }
}
