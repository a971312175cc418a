//! Following the change log: each instance keeps one connection of its own that
//! `LISTEN`s for the wake-up every logged commit sends, and on each wake-up, on a
//! short heartbeat, and after every (re)connect reads the log from the last
//! sequence it applied. A `NOTIFY` sent while the listener was away is lost, the
//! log is not: nothing committed is skipped, and the sequences come from one
//! counter row taken inside each writing transaction, so a lower one can never
//! become visible after a higher one.
//!
//! The follower also tells how fresh its view is: the last time it heard from
//! PostgreSQL ([`Follower::contact_age`]), which `max_staleness` is measured by.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use futures_util::StreamExt;
use rocket::tokio;
use tokio::sync::Notify;
use tokio_postgres::AsyncMessage;

use super::tx::CHANNEL;
use super::{Postgres, db_error};
use crate::store::StoreError;
use crate::store::backend::{Followed, Tree};

/// The backstop poll: a wake-up lost for any reason costs at most this.
const HEARTBEAT: Duration = Duration::from_millis(250);

/// The pause before connecting again.
const RECONNECT: Duration = Duration::from_millis(200);

/// Log entries applied per read.
const BATCH: usize = 1000;

/// What the instance applies to its mirror, in order.
pub type Apply = Box<dyn Fn(&[Followed]) + Send + Sync>;

/// Wakes the follower at once (after a local write), or waits for its next read.
pub type Wake = Arc<Notify>;

struct Shared {
    applied: AtomicI64,
    contact: Mutex<Instant>,
    wake: Wake,
    /// Serialises reads of the log, so batches are applied in order.
    reading: tokio::sync::Mutex<()>,
    apply: Apply,
}

/// A running follower; it stops when dropped.
pub struct Follower {
    shared: Arc<Shared>,
    store: Arc<Postgres>,
    task: tokio::task::JoinHandle<()>,
}

impl Follower {
    /// How long since PostgreSQL last answered the follower.
    pub fn contact_age(&self) -> Duration {
        self.shared
            .contact
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }

    /// The last sequence applied.
    pub fn applied(&self) -> i64 {
        self.shared.applied.load(Ordering::Acquire)
    }

    /// Applies everything committed so far before returning (after a local write,
    /// so this instance's later reads see it in log order).
    pub fn catch_up(&self) -> Result<(), StoreError> {
        let (shared, pool) = (self.shared.clone(), self.store.pool.clone());
        self.store
            .threads
            .wait(async move { read_log(&shared, &pool).await })
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts following after `seq`.
pub(super) fn start(store: Arc<Postgres>, seq: i64, apply: Apply) -> Follower {
    let shared = Arc::new(Shared {
        applied: AtomicI64::new(seq),
        contact: Mutex::new(Instant::now()),
        wake: Arc::new(Notify::new()),
        reading: tokio::sync::Mutex::new(()),
        apply,
    });
    let task = store
        .threads
        .handle()
        .spawn(listen(shared.clone(), store.clone()));
    Follower {
        shared,
        store,
        task,
    }
}

/// Connects, listens, reads; on any failure connects again.
async fn listen(shared: Arc<Shared>, store: Arc<Postgres>) {
    loop {
        if let Err(e) = listen_once(&shared, &store).await {
            rocket::warn!("change log listener: {e}; reconnecting");
        }
        tokio::time::sleep(RECONNECT).await;
    }
}

async fn listen_once(shared: &Shared, store: &Postgres) -> Result<(), StoreError> {
    let connect = &store.connect;
    let (client, mut connection) = connect
        .config
        .connect(connect.tls.clone())
        .await
        .map_err(db_error)?;
    let (send, mut woken) = tokio::sync::mpsc::unbounded_channel();
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let driver = tokio::spawn(async move {
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    let _ = send.send(());
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    let listening = async {
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(db_error)?;
        loop {
            // Read first: this also resyncs after every (re)connect.
            read_log(shared, &store.pool).await?;
            tokio::select! {
                got = woken.recv() => if got.is_none() {
                    return Err(StoreError::Database("listener connection closed".into()));
                },
                () = shared.wake.notified() => {},
                () = tokio::time::sleep(HEARTBEAT) => {},
            }
        }
    };
    let result: Result<(), StoreError> = listening.await;
    driver.abort();
    result
}

/// Applies every log entry after the last applied one; if the entries it needs
/// were pruned meanwhile (it was cut off for longer than the log is kept), reloads
/// the followed trees whole instead.
async fn read_log(shared: &Shared, pool: &Pool) -> Result<(), StoreError> {
    let _reading = shared.reading.lock().await;
    loop {
        let after = shared.applied.load(Ordering::Acquire);
        let (counter, batch) = read_after(pool, after, BATCH).await?;
        // Sequences are contiguous (a rolled-back transaction gives its number
        // back), and the counter and the entries are read in one snapshot: a hole
        // means entries were pruned.
        let missed = match batch.first() {
            Some(first) => first.seq > after + 1,
            None => counter > after,
        };
        *shared.contact.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        if missed {
            let (seq, everything) = snapshot(pool).await?;
            (shared.apply)(&everything);
            shared.applied.store(seq, Ordering::Release);
            continue;
        }
        if let Some(last) = batch.last() {
            (shared.apply)(&batch);
            shared.applied.store(last.seq, Ordering::Release);
        }
        if batch.len() < BATCH {
            return Ok(());
        }
    }
}

/// The counter and the entries after `seq`, in one statement (one snapshot).
async fn read_after(
    pool: &Pool,
    seq: i64,
    limit: usize,
) -> Result<(i64, Vec<Followed>), StoreError> {
    let client = pool.get().await.map_err(db_error)?;
    let statement = client
        .prepare_cached(
            "SELECT c.seq, l.seq, l.tree, l.key, l.value FROM portcullis_log_counter c
             LEFT JOIN LATERAL (SELECT * FROM portcullis_log WHERE seq > $1
                                ORDER BY seq LIMIT $2) l ON TRUE
             ORDER BY l.seq",
        )
        .await
        .map_err(db_error)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client
        .query(&statement, &[&seq, &limit])
        .await
        .map_err(db_error)?;
    let counter = rows.first().map_or(0, |row| row.get::<_, i64>(0));
    let entries = rows
        .iter()
        .filter_map(|row| {
            Some(Followed {
                seq: row.get::<_, Option<i64>>(1)?,
                tree: Tree::named(row.get::<_, Option<&str>>(2)?)?,
                key: row.get(3),
                value: row.get(4),
            })
        })
        .collect();
    Ok((counter, entries))
}

/// Every row of the followed trees as one consistent read, as if each were a log
/// entry at the log position the read saw.
async fn snapshot(pool: &Pool) -> Result<(i64, Vec<Followed>), StoreError> {
    let mut client = pool.get().await.map_err(db_error)?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(db_error)?;
    let seq: i64 = tx
        .query_one("SELECT seq FROM portcullis_log_counter", &[])
        .await
        .map_err(db_error)?
        .get(0);
    let rows = tx
        .query(
            "SELECT tree, key, value FROM portcullis_kv
             WHERE tree IN ('users', 'revoked', 'access_tokens') ORDER BY tree, key",
            &[],
        )
        .await
        .map_err(db_error)?;
    let everything = rows
        .iter()
        .filter_map(|row| {
            Some(Followed {
                seq,
                tree: Tree::named(row.get(0))?,
                key: row.get(1),
                value: Some(row.get(2)),
            })
        })
        .collect();
    tx.commit().await.map_err(db_error)?;
    Ok((seq, everything))
}

/// The log entries after `seq`, in order.
pub(super) async fn changes_since(
    pool: &Pool,
    seq: i64,
    limit: usize,
) -> Result<Vec<Followed>, StoreError> {
    let client = pool.get().await.map_err(db_error)?;
    let statement = client
        .prepare_cached(
            "SELECT seq, tree, key, value FROM portcullis_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .await
        .map_err(db_error)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client
        .query(&statement, &[&seq, &limit])
        .await
        .map_err(db_error)?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            Some(Followed {
                seq: row.get(0),
                tree: Tree::named(row.get(1))?,
                key: row.get(2),
                value: row.get(3),
            })
        })
        .collect())
}
