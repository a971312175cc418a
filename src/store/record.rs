//! One JSON record per key, read and changed whole: a user's factors, sign-ins and
//! passkeys are each such a record, keyed by the user id. A record that is not
//! there reads as its type's default, and a change is a compare-and-swap, so of two
//! concurrent changes each sees the other's result.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::backend::Tree;
use super::{Store, StoreError, decode, encode};

impl Store {
    /// The record at `key` in `tree` (the default when there is none); a record
    /// that does not parse is corrupt, named by its tree.
    pub(super) fn read_record<T>(&self, tree: Tree, key: &[u8]) -> Result<T, StoreError>
    where
        T: DeserializeOwned + Default,
    {
        Ok(self
            .backend
            .get(tree, key)?
            .map(|raw| decode(tree.name(), &raw))
            .transpose()?
            .unwrap_or_default())
    }

    /// Changes the record at `key` in `tree` by `edit`, atomically: `edit` may run
    /// more than once, its last answer is returned. The record is written back
    /// when `kept` says so, removed otherwise. Not flushed.
    pub(super) fn edit_record<T, R>(
        &self,
        tree: Tree,
        key: &[u8],
        mut edit: impl FnMut(&mut T) -> R,
        kept: impl Fn(&T) -> bool,
    ) -> Result<R, StoreError>
    where
        T: DeserializeOwned + Serialize + Default,
    {
        loop {
            let old = self.backend.get(tree, key)?;
            let mut record: T = match &old {
                Some(raw) => decode(tree.name(), raw)?,
                None => T::default(),
            };
            let answer = edit(&mut record);
            let new = kept(&record).then(|| encode(&record));
            if self
                .backend
                .compare_and_swap(tree, key, old.as_deref(), new.as_deref())?
            {
                return Ok(answer);
            }
        }
    }
}
