//! The store's API is synchronous and is called from Rocket's async handlers, from
//! the sweeper's thread and from the command line. The PostgreSQL backend owns a
//! small tokio runtime of its own, where the pool, the queries and the change-log
//! listener live; a caller hands it a future and waits for the answer.
//!
//! Waiting never deadlocks: the future runs on the backend's own threads, never on
//! the caller's. On a worker of a multi-threaded runtime (the server) the wait goes
//! through `block_in_place`, so that runtime moves its other tasks elsewhere
//! meanwhile; on a current-thread runtime (Rocket's local test clients) or a plain
//! thread it simply blocks, as a sled read does.

use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;

use rocket::tokio;
use tokio::runtime::{Handle, Runtime, RuntimeFlavor};

use crate::store::StoreError;

/// How long one database operation may take before it counts as unreachable.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(3);

/// The backend's runtime; shut down without waiting when dropped.
pub struct Threads {
    runtime: Option<Runtime>,
    handle: Handle,
}

impl Threads {
    /// Two threads: queries are I/O-bound and the pool bounds them anyway.
    pub fn start() -> Result<Threads, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("portcullis-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Database(format!("cannot start its threads: {e}")))?;
        Ok(Threads {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
        })
    }

    /// Where to spawn the backend's own tasks.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Runs `work` on the backend's threads, bounded by [`OPERATION_TIMEOUT`], and
    /// waits for its answer.
    pub fn wait<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let (send, answer) = mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let done = match tokio::time::timeout(OPERATION_TIMEOUT, work).await {
                Ok(done) => done,
                Err(_) => Err(StoreError::Database(
                    "the database did not answer in time".into(),
                )),
            };
            let _ = send.send(done);
        });
        let receive = move || answer.recv();
        let received = match Handle::try_current() {
            Ok(caller) if caller.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(receive)
            }
            _ => receive(),
        };
        received.map_err(|_| StoreError::Database("the database threads stopped".into()))?
    }
}

impl Drop for Threads {
    fn drop(&mut self) {
        // Dropping a runtime inside another runtime's context panics; this does not.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
