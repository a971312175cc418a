//! Transactions on PostgreSQL: `SERIALIZABLE`, run again from the start when
//! PostgreSQL reports a serialisation failure, a deadlock or a key taken meanwhile
//! (the retry then sees the other writer's rows), as sled reruns on a conflict.
//!
//! The work is synchronous and borrows the caller's data, so it runs on the
//! caller's thread; each statement goes to the backend's threads on one connection
//! held for the whole transaction. Writes to followed trees append to the change
//! log with a sequence from the counter row, and `pg_notify` wakes the other
//! instances when the transaction commits.

use std::sync::Arc;

use deadpool_postgres::Object;
use tokio_postgres::error::SqlState;

use super::{Postgres, db_error};
use crate::store::StoreError;
use crate::store::backend::{Tree, Tx, TxError, TxWork};

/// Runs before giving up on a transaction that keeps conflicting.
const ATTEMPTS: usize = 50;

/// The channel `NOTIFY` wakes followers on.
pub(super) const CHANNEL: &str = "portcullis_log";

struct PgTx<'a> {
    store: &'a Postgres,
    conn: Arc<Object>,
    logged: bool,
}

fn retryable(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE)
            | Some(&SqlState::T_R_DEADLOCK_DETECTED)
            | Some(&SqlState::UNIQUE_VIOLATION)
    )
}

fn tx_error(e: tokio_postgres::Error) -> TxError {
    if retryable(&e) {
        TxError::Retry
    } else {
        TxError::Store(db_error(e))
    }
}

impl PgTx<'_> {
    /// Runs `sql` with `params` on the transaction's connection.
    fn run(&self, sql: &'static str, params: super::Params) -> Result<Vec<Vec<u8>>, TxError> {
        let conn = self.conn.clone();
        let rows = self.store.threads.wait(async move {
            let statement = match conn.prepare_cached(sql).await {
                Ok(statement) => statement,
                Err(e) => return Ok(Err(e)),
            };
            Ok(conn.query(&statement, &params.refs()).await.map(|rows| {
                rows.iter()
                    .filter_map(|row| row.try_get::<_, Vec<u8>>(0).ok())
                    .collect::<Vec<_>>()
            }))
        })?;
        rows.map_err(tx_error)
    }

    fn simple(&self, sql: &'static str) -> Result<(), TxError> {
        let conn = self.conn.clone();
        let done = self
            .store
            .threads
            .wait(async move { Ok(conn.batch_execute(sql).await) })?;
        done.map_err(tx_error)
    }

    fn log(&mut self, tree: Tree, key: &[u8], value: Option<&[u8]>) -> Result<(), TxError> {
        if !tree.is_followed() {
            return Ok(());
        }
        use super::Param::{Bytes, Text};
        let mut params = vec![Text(tree.name()), Bytes(key.to_vec())];
        let sql = match value {
            Some(value) => {
                params.push(Bytes(value.to_vec()));
                "WITH s AS (UPDATE portcullis_log_counter SET seq = seq + 1 RETURNING seq)
                 INSERT INTO portcullis_log (seq, tree, key, value) SELECT seq, $1, $2, $3 FROM s"
            }
            None => {
                "WITH s AS (UPDATE portcullis_log_counter SET seq = seq + 1 RETURNING seq)
                 INSERT INTO portcullis_log (seq, tree, key, value) SELECT seq, $1, $2, NULL FROM s"
            }
        };
        self.run(sql, super::Params(params))?;
        self.logged = true;
        Ok(())
    }
}

impl Tx for PgTx<'_> {
    fn get(&mut self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, TxError> {
        let rows = self.run(
            "SELECT value FROM portcullis_kv WHERE tree = $1 AND key = $2",
            super::Params(super::tk(tree, key)),
        )?;
        Ok(rows.into_iter().next())
    }

    fn insert(&mut self, tree: Tree, key: &[u8], value: &[u8]) -> Result<(), TxError> {
        let mut params = super::tk(tree, key);
        params.push(super::Param::Bytes(value.to_vec()));
        self.run(
            "INSERT INTO portcullis_kv (tree, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value",
            super::Params(params),
        )?;
        self.log(tree, key, Some(value))
    }

    fn remove(&mut self, tree: Tree, key: &[u8]) -> Result<(), TxError> {
        self.run(
            "DELETE FROM portcullis_kv WHERE tree = $1 AND key = $2",
            super::Params(super::tk(tree, key)),
        )?;
        self.log(tree, key, None)
    }
}

/// Runs `work` in one transaction (see the module documentation).
pub(super) fn run(store: &Postgres, work: &mut TxWork<'_>) -> Result<bool, StoreError> {
    let pool = store.pool.clone();
    let conn = Arc::new(
        store
            .threads
            .wait(async move { pool.get().await.map_err(db_error) })?,
    );
    for _ in 0..ATTEMPTS {
        let mut tx = PgTx {
            store,
            conn: conn.clone(),
            logged: false,
        };
        let attempt = tx
            .simple("BEGIN ISOLATION LEVEL SERIALIZABLE")
            .and_then(|()| work(&mut tx))
            .and_then(|()| match tx.logged {
                true => tx.simple("SELECT pg_notify('portcullis_log', '')"),
                false => Ok(()),
            })
            .and_then(|()| tx.simple("COMMIT"));
        let outcome = match attempt {
            Ok(()) => return Ok(true),
            Err(TxError::Retry) => None,
            Err(TxError::Refused) => Some(Ok(false)),
            Err(TxError::Store(e)) => Some(Err(e)),
        };
        if tx.simple("ROLLBACK").is_err() {
            // A connection in an unknown state never goes back to the pool.
            drop(tx);
            if let Ok(conn) = Arc::try_unwrap(conn) {
                let _ = Object::take(conn);
            }
            return outcome.unwrap_or_else(|| Err(StoreError::Database("connection lost".into())));
        }
        if let Some(outcome) = outcome {
            return outcome;
        }
    }
    Err(StoreError::Transaction(
        "too many conflicting writers; try again".into(),
    ))
}
