//! The schema, embedded (`schema.sql`) and brought up to date at open under an
//! advisory lock, so instances starting together agree on it.

use super::{Postgres, db_error};
use crate::store::StoreError;

/// Schema migrations, applied in order; each runs once.
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("schema.sql"))];

impl Postgres {
    /// Applies, in one transaction, the migrations this database has not had.
    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        let pool = self.pool.clone();
        self.threads.wait(async move {
            let mut client = pool.get().await.map_err(db_error)?;
            let tx = client.transaction().await.map_err(db_error)?;
            // Any constant: instances starting together migrate one after the other.
            tx.execute("SELECT pg_advisory_xact_lock(7130457252)", &[])
                .await
                .map_err(db_error)?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS portcullis_migrations (
                     version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            )
            .await
            .map_err(db_error)?;
            let row = tx
                .query_one(
                    "SELECT COALESCE(MAX(version), 0) FROM portcullis_migrations",
                    &[],
                )
                .await
                .map_err(db_error)?;
            let applied: i32 = row.get(0);
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > applied) {
                tx.batch_execute(sql).await.map_err(db_error)?;
                tx.execute(
                    "INSERT INTO portcullis_migrations (version) VALUES ($1)",
                    &[version],
                )
                .await
                .map_err(db_error)?;
            }
            tx.commit().await.map_err(db_error)
        })
    }
}
