//! Single statements on a pooled connection, with owned parameters so a query can
//! move onto the backend's threads.

use super::{Postgres, db_error};
use crate::store::StoreError;
use crate::store::backend::{Entry, Tree};

impl Postgres {
    /// Runs one statement on a pooled connection and returns how many rows it
    /// touched.
    pub(super) fn execute(&self, sql: &'static str, params: Params) -> Result<u64, StoreError> {
        let pool = self.pool.clone();
        self.threads.wait(async move {
            let client = pool.get().await.map_err(db_error)?;
            let statement = client.prepare_cached(sql).await.map_err(db_error)?;
            client
                .execute(&statement, &params.refs())
                .await
                .map_err(db_error)
        })
    }

    /// Runs one query on a pooled connection and returns its rows' first
    /// columns as bytes.
    pub(super) fn query(
        &self,
        sql: &'static str,
        params: Params,
    ) -> Result<Vec<Entry>, StoreError> {
        let pool = self.pool.clone();
        self.threads.wait(async move {
            let client = pool.get().await.map_err(db_error)?;
            let statement = client.prepare_cached(sql).await.map_err(db_error)?;
            let rows = client
                .query(&statement, &params.refs())
                .await
                .map_err(db_error)?;
            Ok(rows
                .iter()
                .map(|row| (row.get::<_, Vec<u8>>(0), row.get::<_, Vec<u8>>(1)))
                .collect())
        })
    }
}

/// Owned query parameters, so a query can move onto the backend's threads.
pub(super) enum Param {
    Text(&'static str),
    Bytes(Vec<u8>),
    Int(i64),
}

pub(super) struct Params(pub(super) Vec<Param>);

impl Params {
    pub(super) fn refs(&self) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
        self.0
            .iter()
            .map(|p| match p {
                Param::Text(t) => t as &(dyn tokio_postgres::types::ToSql + Sync),
                Param::Bytes(b) => b,
                Param::Int(i) => i,
            })
            .collect()
    }
}

/// The (tree, key) pair most statements start with.
pub(super) fn tk(tree: Tree, key: &[u8]) -> Vec<Param> {
    vec![Param::Text(tree.name()), Param::Bytes(key.to_vec())]
}
