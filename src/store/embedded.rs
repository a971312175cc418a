//! The embedded engine: one sled database in the data dir, a sled tree per
//! [`Tree`], and this process's claim on the directory (`lock.rs`).

use std::collections::HashMap;
use std::path::Path;

use sled::Transactional;
use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};

use super::backend::{Backend, Entries, Keys, Tree, Tx, TxError, TxWork};
use super::{StoreError, lock};

/// sled's page cache.
const CACHE_BYTES: u64 = 8 * 1024 * 1024;

/// The open sled database. Field order matters: every sled handle is dropped
/// before `_claim` (fields drop in declaration order), so the claim's drop sees
/// sled closed.
pub struct Embedded {
    db: sled::Db,
    trees: HashMap<Tree, sled::Tree>,
    /// The same handles in [`Tree::ALL`] order, for transactions.
    ordered: Vec<sled::Tree>,
    _claim: lock::DirLock,
}

impl Embedded {
    /// Opens (creating if needed) the database under `dir`.
    pub fn open(dir: &Path) -> Result<Embedded, StoreError> {
        let claim = lock::DirLock::take(dir)?;
        // sled caches up to 1 GiB of pages by default; the hot path reads nothing from
        // it, so a small cache keeps memory flat with a million sessions on disk.
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .open()
            .map_err(|e| match e {
                sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => {
                    StoreError::Locked(dir.display().to_string())
                }
                sled::Error::Io(io) if io.to_string().contains("lock") => {
                    StoreError::Locked(dir.display().to_string())
                }
                other => StoreError::Sled(other),
            })?;
        let mut trees = HashMap::new();
        let mut ordered = Vec::new();
        for tree in Tree::ALL {
            let handle = db.open_tree(tree.name())?;
            trees.insert(tree, handle.clone());
            ordered.push(handle);
        }
        Ok(Embedded {
            db,
            trees,
            ordered,
            _claim: claim,
        })
    }

    fn tree(&self, tree: Tree) -> &sled::Tree {
        &self.trees[&tree]
    }
}

impl Backend for Embedded {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree(tree).get(key)?.map(|v| v.to_vec()))
    }

    fn insert(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.tree(tree).insert(key, value)?;
        Ok(())
    }

    fn remove(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree(tree).remove(key)?.map(|v| v.to_vec()))
    }

    fn compare_and_swap(
        &self,
        tree: Tree,
        key: &[u8],
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, StoreError> {
        Ok(self.tree(tree).compare_and_swap(key, old, new)?.is_ok())
    }

    fn scan(&self, tree: Tree, keys: Keys<'_>, reverse: bool) -> Result<Entries<'_>, StoreError> {
        let handle = self.tree(tree);
        let iter = match keys {
            Keys::All => handle.iter(),
            Keys::Prefix(prefix) => handle.scan_prefix(prefix),
            Keys::Below(end) => handle.range(..end.to_vec()),
        };
        let owned = |entry: sled::Result<(sled::IVec, sled::IVec)>| {
            entry
                .map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(StoreError::from)
        };
        Ok(if reverse {
            Box::new(iter.rev().map(owned))
        } else {
            Box::new(iter.map(owned))
        })
    }

    fn is_empty(&self, tree: Tree) -> Result<bool, StoreError> {
        Ok(self.tree(tree).is_empty())
    }

    fn clear(&self, tree: Tree) -> Result<(), StoreError> {
        self.tree(tree).clear()?;
        Ok(())
    }

    fn transaction(&self, work: &mut TxWork<'_>) -> Result<bool, StoreError> {
        // sled may run the closure again on a conflict, and wants an `Fn`.
        let work = std::cell::RefCell::new(work);
        let result = self.ordered.as_slice().transaction(|trees| {
            let mut tx = SledTx { trees };
            match (work.borrow_mut())(&mut tx) {
                Ok(()) => Ok(true),
                Err(TxError::Refused) => Err(ConflictableTransactionError::Abort(None)),
                Err(TxError::Retry) => Err(ConflictableTransactionError::Conflict),
                Err(TxError::Store(e)) => Err(ConflictableTransactionError::Abort(Some(e))),
            }
        });
        match result {
            Ok(done) => Ok(done),
            Err(TransactionError::Abort(None)) => Ok(false),
            Err(TransactionError::Abort(Some(e))) => Err(e),
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
        }
    }

    fn unique_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    fn copy_to(&self, dir: &Path) -> Result<(), StoreError> {
        self.db.flush()?;
        let copy = sled::Config::new().path(dir).open()?;
        copy.import(self.db.export());
        copy.flush()?;
        drop(copy);
        // The copy's files are complete only once sled's own threads let go of them.
        lock::wait_until_closed(dir);
        Ok(())
    }

    fn engine(&self) -> &'static str {
        "sled"
    }
}

/// A sled transaction over every tree, indexed in [`Tree::ALL`] order.
struct SledTx<'a> {
    trees: &'a Vec<TransactionalTree>,
}

impl SledTx<'_> {
    fn tree(&self, tree: Tree) -> &TransactionalTree {
        let at = Tree::ALL.iter().position(|t| *t == tree).unwrap_or(0);
        &self.trees[at]
    }
}

fn conflict(e: UnabortableTransactionError) -> TxError {
    match e {
        UnabortableTransactionError::Conflict => TxError::Retry,
        UnabortableTransactionError::Storage(e) => TxError::Store(StoreError::Sled(e)),
    }
}

impl Tx for SledTx<'_> {
    fn get(&mut self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, TxError> {
        Ok(self
            .tree(tree)
            .get(key)
            .map_err(conflict)?
            .map(|v| v.to_vec()))
    }

    fn insert(&mut self, tree: Tree, key: &[u8], value: &[u8]) -> Result<(), TxError> {
        self.tree(tree).insert(key, value).map_err(conflict)?;
        Ok(())
    }

    fn remove(&mut self, tree: Tree, key: &[u8]) -> Result<(), TxError> {
        self.tree(tree).remove(key).map_err(conflict)?;
        Ok(())
    }
}
