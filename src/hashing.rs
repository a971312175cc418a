//! argon2id password hashing on a small pool of dedicated threads, one per
//! `max_concurrent_hashes`, so a login flood queues instead of starving the async
//! workers or growing memory without limit (SPEC §6, STYLE 6).
//!
//! Each hashing thread owns one working buffer of `argon2_memory_kib` and reuses it:
//! memory is `max_concurrent_hashes × argon2_memory_kib`, allocated once, rather
//! than 19 MiB allocated and freed per hash (which glibc keeps on the heap, so RSS
//! grows with every burst). On Linux the threads run under `SCHED_IDLE`: any
//! request thread that wakes up preempts a hash at once, so a login flood cannot
//! delay requests that only check a session; the hashes use whatever CPU the rest
//! leaves (elsewhere, or where `SCHED_IDLE` is refused, they fall back to the
//! lowest nice value). Measured in docs/BENCHMARKS.md: guarded p99 during a flood
//! rose 5–6× under nice, about 2× under `SCHED_IDLE`.
//!
//! Every job needs a [`HashPermit`] from [`Hasher::admit`], which bounds the jobs
//! queued or running per account and overall (`limit.rs`): beyond the bound a
//! check is refused at once rather than queued behind a flood.
//!
//! Dropping the [`Hasher`] stops the pool at a known point: queued jobs are dropped
//! unrun (whoever waited for them gets [`HashError`]), a hash in progress finishes,
//! and the threads are joined, so nothing of a stopped server keeps running.

mod argon;
mod limit;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rocket::tokio::sync::oneshot;

use crate::domain::Password;
use crate::ops::metrics::Metrics;
use argon::{hash_now, verify_now};
use limit::Limiter;
pub use limit::{Busy, HashPermit};

/// Hashing could not run (the pool is gone or argon2 refused its input).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// A job for a hashing thread, given that thread's working memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The argon2id service held in Rocket state; it owns its threads.
pub struct Hasher {
    argon: Argon2<'static>,
    /// `None` only while dropping: closing the channel ends the threads.
    jobs: Option<mpsc::Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
    /// Set while dropping: queued jobs are skipped rather than run.
    stopping: Arc<AtomicBool>,
    /// A hash of a random password: unknown emails are verified against it so they
    /// cost as much as a wrong password (no enumeration by timing).
    dummy: Arc<str>,
    /// Admission: jobs queued or running, per account and overall.
    limiter: Arc<Limiter>,
    /// Where queue depth and hash times are counted, once observed.
    metrics: Option<Arc<Metrics>>,
}

const GONE: &str = "the hashing threads are gone";

impl Hasher {
    /// Starts the hashing threads and makes the dummy hash (one argon2 run).
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        max_concurrent: usize,
    ) -> Result<Hasher, HashError> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| HashError(e.to_string()))?;
        let blocks = params.block_count();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let stopping = Arc::new(AtomicBool::new(false));
        let mut hasher = Hasher {
            argon,
            jobs: Some(jobs),
            threads: Vec::new(),
            stopping,
            dummy: Arc::from(""),
            limiter: Limiter::new(usize::MAX, usize::MAX),
            metrics: None,
        };
        for n in 0..max_concurrent.max(1) {
            let (queue, stopping) = (queue.clone(), hasher.stopping.clone());
            let thread = std::thread::Builder::new()
                .name(format!("portcullis-argon2-{n}"))
                .spawn(move || hashing_thread(&queue, &stopping, blocks))
                .map_err(|e| HashError(format!("cannot start a hashing thread: {e}")))?;
            hasher.threads.push(thread);
        }
        let dummy_password = Password::new(crate::domain::ids::random_token(24))
            .map_err(|e| HashError(e.to_string()))?;
        let (done, result) = mpsc::channel();
        let worker_argon = hasher.argon.clone();
        hasher.send(Box::new(move |memory: &mut Vec<Block>| {
            let _ = done.send(hash_now(&worker_argon, &dummy_password, memory));
        }))?;
        hasher.dummy = result.recv().map_err(|_| HashError(GONE.into()))??.into();
        Ok(hasher)
    }

    /// The same hasher admitting at most `per_account` jobs per account and
    /// `overall` in all (queued or running).
    pub fn with_limits(mut self, per_account: usize, overall: usize) -> Hasher {
        self.limiter = Limiter::new(per_account, overall);
        self
    }

    /// A slot for one job about `account` (an email key), or at once why not.
    pub fn admit(&self, account: &str) -> Result<HashPermit, Busy> {
        self.limiter.admit(Some(account))
    }

    /// A slot for a job about no account yet (a registration's hash): only the
    /// overall bound applies, the per-IP registration limit does the rest.
    pub fn admit_new(&self) -> Result<HashPermit, Busy> {
        self.limiter.admit(None)
    }

    /// Counts the queue depth and the wait and run time of every later job.
    pub fn observe(&mut self, metrics: Arc<Metrics>) {
        self.metrics = Some(metrics);
    }

    fn send(&self, job: Job) -> Result<(), HashError> {
        let jobs = self.jobs.as_ref().ok_or_else(|| HashError(GONE.into()))?;
        jobs.send(job).map_err(|_| HashError(GONE.into()))
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, permit: HashPermit, password: &Password) -> Result<String, HashError> {
        let (argon, password) = (self.argon.clone(), password.clone());
        self.run(permit, move |memory| hash_now(&argon, &password, memory))
            .await?
    }

    /// Checks `password` against `phc`, or against the dummy hash when there is no
    /// account, so both cases take the same time. `false` for `None`.
    pub async fn verify(&self, permit: HashPermit, password: &Password, phc: Option<&str>) -> bool {
        let exists = phc.is_some();
        let phc: Arc<str> = phc.map_or_else(|| self.dummy.clone(), Arc::from);
        let password = password.clone();
        let matched = self
            .run(permit, move |memory| {
                verify_now(&phc, &password, memory).unwrap_or(false)
            })
            .await
            .unwrap_or(false);
        exists && matched
    }

    /// Whether `phc` was made with other parameters than the configured ones, so it
    /// should be replaced after a successful login.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(hash) = PasswordHash::new(phc) else {
            return true;
        };
        let current = self.argon.params();
        let same = hash.algorithm == argon2::ARGON2ID_IDENT
            && Params::try_from(&hash).is_ok_and(|p| {
                p.m_cost() == current.m_cost()
                    && p.t_cost() == current.t_cost()
                    && p.p_cost() == current.p_cost()
            });
        !same
    }

    /// Queues `job` for a hashing thread and waits for its answer without blocking
    /// the async worker. The permit goes with the job: a caller that stops waiting
    /// does not free the slot of a job still queued.
    async fn run<T: Send + 'static>(
        &self,
        permit: HashPermit,
        job: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = oneshot::channel();
        let (metrics, queued) = (self.metrics.clone(), Instant::now());
        if let Some(metrics) = &metrics {
            metrics.hash_queue.inc();
        }
        let sent = self.send(Box::new(move |memory: &mut Vec<Block>| {
            let started = Instant::now();
            if let Some(metrics) = &metrics {
                metrics.hash_queue.dec();
            }
            let answer = job(memory);
            drop(permit);
            if let Some(metrics) = &metrics {
                metrics.argon2(started - queued, started.elapsed());
            }
            let _ = done.send(answer);
        }));
        if let (Err(_), Some(metrics)) = (&sent, &self.metrics) {
            metrics.hash_queue.dec();
        }
        sent?;
        result
            .await
            .map_err(|_| HashError("a hashing job was dropped".into()))
    }
}

impl Drop for Hasher {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.jobs = None;
        for thread in self.threads.drain(..) {
            if thread.join().is_err() {
                rocket::error!("a hashing thread panicked");
            }
        }
    }
}

/// A hashing thread: lowers its own priority, then runs jobs until the [`Hasher`]
/// is dropped, reusing one working buffer of `blocks` (allocated at the first job).
fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>, stopping: &AtomicBool, blocks: usize) {
    lower_own_priority();
    let mut memory = Vec::new();
    loop {
        let job = {
            let queue = queue.lock().unwrap_or_else(|e| e.into_inner());
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        if stopping.load(Ordering::SeqCst) {
            continue;
        }
        if memory.is_empty() {
            memory = vec![Block::default(); blocks];
        }
        job(&mut memory);
    }
}

/// Puts the calling thread behind every request thread: `SCHED_IDLE` on Linux,
/// else the lowest priority the platform allows. Failure is not fatal: hashing at
/// normal priority only makes floods more noticeable.
fn lower_own_priority() {
    use thread_priority::{ThreadPriority, set_current_thread_priority};
    #[cfg(target_os = "linux")]
    {
        use thread_priority::unix::{
            NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
            thread_native_id,
        };
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        if set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle).is_ok() {
            return;
        }
    }
    let _ = set_current_thread_priority(ThreadPriority::Min);
}

#[cfg(test)]
mod tests;
