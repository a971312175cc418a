//! The PostgreSQL engine (SPEC §13): the store's trees as rows of one table keyed
//! by (tree, key), so the key layout and every rule built on it are the same code
//! as on sled. Writes to the trees the request path is derived from also append to
//! a change log, ordered by a counter row taken in the same transaction; other
//! instances follow it (`follow.rs`). At open, `database_url` is read into one
//! connection setup, TLS included (`connect.rs`, `tls.rs`), and the schema is brought
//! up to date (`migrate.rs`).

mod connect;
mod follow;
mod migrate;
mod query;
mod runtime;
mod scan;
mod tls;
mod tx;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;

pub use follow::{Follower, Wake};

use super::StoreError;
use super::backend::{Backend, Entries, Followed, Keys, Tree, TxWork};
use connect::Connect;
use query::{Param, Params, tk};
use runtime::Threads;
use scan::{Pages, successor};

/// A PostgreSQL database shared by every instance.
pub struct Postgres {
    pool: Pool,
    /// Where and how the listener connects (a connection of its own, outside the
    /// pool, set up as the pool's are).
    connect: Connect,
    threads: Threads,
}

/// A database error with its causes ("error connecting to server: Connection
/// refused"), described without the connection's parameters.
pub(crate) fn db_error(e: impl std::error::Error) -> StoreError {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        cause = inner.source();
    }
    StoreError::Database(message)
}

impl Postgres {
    /// Connects to `url` (TLS as its `sslmode` asks, `tls.rs`) and brings the
    /// schema up to date.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let connect = Connect::parse(url)?;
        let threads = Threads::start()?;
        let store = Postgres {
            pool: connect.pool()?,
            connect,
            threads,
        };
        // The first connection: a refusal here is most often the TLS setup.
        store.migrate().map_err(|e| match e {
            StoreError::Database(message) => StoreError::Database(format!(
                "{message} (database_url's sslmode is {})",
                store.connect.mode
            )),
            other => other,
        })?;
        Ok(store)
    }

    /// A write to a followed tree: one logged transaction.
    fn logged(&self, tree: Tree, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        self.transaction(&mut |tx| match value {
            Some(value) => tx.insert(tree, key, value),
            None => tx.remove(tree, key),
        })
        .map(|_| ())
    }

    /// Starts following the change log after `seq`: `apply` gets every later
    /// write, in order, on the backend's threads.
    pub fn follow(
        self: &Arc<Self>,
        seq: i64,
        apply: impl Fn(&[Followed]) + Send + Sync + 'static,
    ) -> Follower {
        follow::start(self.clone(), seq, Box::new(apply))
    }
}

impl Backend for Postgres {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = self.query(
            "SELECT key, value FROM portcullis_kv WHERE tree = $1 AND key = $2",
            Params(tk(tree, key)),
        )?;
        Ok(rows.into_iter().next().map(|(_, v)| v))
    }

    fn insert(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        if tree.is_followed() {
            return self.logged(tree, key, Some(value));
        }
        let mut params = tk(tree, key);
        params.push(Param::Bytes(value.to_vec()));
        self.execute(
            "INSERT INTO portcullis_kv (tree, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value",
            Params(params),
        )?;
        Ok(())
    }

    fn remove(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if tree.is_followed() {
            let mut old = None;
            self.transaction(&mut |tx| {
                old = tx.get(tree, key)?;
                tx.remove(tree, key)
            })?;
            return Ok(old);
        }
        let rows = self.query(
            "DELETE FROM portcullis_kv WHERE tree = $1 AND key = $2 RETURNING key, value",
            Params(tk(tree, key)),
        )?;
        Ok(rows.into_iter().next().map(|(_, v)| v))
    }

    fn compare_and_swap(
        &self,
        tree: Tree,
        key: &[u8],
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, StoreError> {
        if tree.is_followed() {
            let (old, new) = (old.map(<[u8]>::to_vec), new.map(<[u8]>::to_vec));
            return self.transaction(&mut |tx| {
                if tx.get(tree, key)? != old {
                    return Err(super::backend::TxError::Refused);
                }
                match &new {
                    Some(value) => tx.insert(tree, key, value),
                    None => tx.remove(tree, key),
                }
            });
        }
        let mut params = tk(tree, key);
        let touched = match (old, new) {
            (None, None) => return Ok(self.get(tree, key)?.is_none()),
            (None, Some(new)) => {
                params.push(Param::Bytes(new.to_vec()));
                self.execute(
                    "INSERT INTO portcullis_kv (tree, key, value) VALUES ($1, $2, $3)
                     ON CONFLICT (tree, key) DO NOTHING",
                    Params(params),
                )?
            }
            (Some(old), Some(new)) => {
                params.extend([Param::Bytes(old.to_vec()), Param::Bytes(new.to_vec())]);
                self.execute(
                    "UPDATE portcullis_kv SET value = $4
                     WHERE tree = $1 AND key = $2 AND value = $3",
                    Params(params),
                )?
            }
            (Some(old), None) => {
                params.push(Param::Bytes(old.to_vec()));
                self.execute(
                    "DELETE FROM portcullis_kv WHERE tree = $1 AND key = $2 AND value = $3",
                    Params(params),
                )?
            }
        };
        Ok(touched == 1)
    }

    fn scan(&self, tree: Tree, keys: Keys<'_>, reverse: bool) -> Result<Entries<'_>, StoreError> {
        let (low, high) = match keys {
            Keys::All => (Vec::new(), None),
            Keys::Prefix(prefix) => (prefix.to_vec(), successor(prefix)),
            Keys::Below(end) => (Vec::new(), Some(end.to_vec())),
        };
        Ok(Box::new(Pages::new(self, tree, low, high, reverse)))
    }

    fn is_empty(&self, tree: Tree) -> Result<bool, StoreError> {
        let rows = self.query(
            "SELECT key, value FROM portcullis_kv WHERE tree = $1 LIMIT 1",
            Params(vec![Param::Text(tree.name())]),
        )?;
        Ok(rows.is_empty())
    }

    fn clear(&self, tree: Tree) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM portcullis_kv WHERE tree = $1",
            Params(vec![Param::Text(tree.name())]),
        )?;
        Ok(())
    }

    fn transaction(&self, work: &mut TxWork<'_>) -> Result<bool, StoreError> {
        tx::run(self, work)
    }

    fn unique_id(&self) -> Result<u64, StoreError> {
        let pool = self.pool.clone();
        self.threads.wait(async move {
            let client = pool.get().await.map_err(db_error)?;
            let row = client
                .query_one("SELECT nextval('portcullis_ids')", &[])
                .await
                .map_err(db_error)?;
            Ok(row.get::<_, i64>(0) as u64)
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        // A commit PostgreSQL has acknowledged is durable.
        Ok(())
    }

    fn copy_to(&self, dir: &Path) -> Result<(), StoreError> {
        let copy = sled::Config::new().path(dir).open()?;
        for tree in Tree::ALL {
            let target = copy.open_tree(tree.name())?;
            for entry in self.scan(tree, Keys::All, false)? {
                let (key, value) = entry?;
                target.insert(key, value)?;
            }
        }
        copy.flush()?;
        drop(copy);
        super::lock::wait_until_closed(dir);
        Ok(())
    }

    fn changes_since(&self, seq: i64, limit: usize) -> Result<Vec<Followed>, StoreError> {
        let pool = self.pool.clone();
        self.threads
            .wait(async move { follow::changes_since(&pool, seq, limit).await })
    }

    fn last_seq(&self) -> Result<i64, StoreError> {
        let pool = self.pool.clone();
        self.threads.wait(async move {
            let client = pool.get().await.map_err(db_error)?;
            let row = client
                .query_one("SELECT seq FROM portcullis_log_counter", &[])
                .await
                .map_err(db_error)?;
            Ok(row.get(0))
        })
    }

    fn prune_log(&self, keep: Duration) -> Result<usize, StoreError> {
        let pool = self.pool.clone();
        let seconds = keep.as_secs_f64();
        self.threads.wait(async move {
            let client = pool.get().await.map_err(db_error)?;
            let deleted = client
                .execute(
                    "DELETE FROM portcullis_log WHERE at < now() - make_interval(secs => $1)",
                    &[&seconds],
                )
                .await
                .map_err(db_error)?;
            Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
        })
    }

    fn engine(&self) -> &'static str {
        "postgres"
    }
}
