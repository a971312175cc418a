//! Copying a whole store onto another engine (`portcullis migrate`, SPEC §13):
//! every tree, key for key, into a target that holds no account yet. The target
//! keeps its own `meta` (its schema stamp); the records are the same layout on
//! every engine, so nothing is converted.

use super::backend::{Keys, Tree};
use super::{Store, StoreError};

/// What a copy wrote: entries per tree.
pub type Copied = Vec<(&'static str, usize)>;

impl Store {
    /// Copies everything into `target`, which must hold no account. Run it with
    /// both stores closed to every server, so nothing changes meanwhile.
    pub fn copy_into(&self, target: &Store) -> Result<Copied, StoreError> {
        if !target.backend.is_empty(Tree::Users)? {
            return Err(StoreError::Transaction(format!(
                "the target ({}) already has accounts; migrate only into an empty store",
                target.backend.engine()
            )));
        }
        let mut copied = Vec::new();
        for tree in Tree::ALL.into_iter().filter(|t| *t != Tree::Meta) {
            let mut count = 0;
            for entry in self.backend.scan(tree, Keys::All, false)? {
                let (key, value) = entry?;
                target.backend.insert(tree, &key, &value)?;
                count += 1;
            }
            copied.push((tree.name(), count));
        }
        target.backend.flush()?;
        Ok(copied)
    }
}
