//! This process's claim on a database directory, and the point where it ends.
//!
//! sled locks its data file itself, but it does not release that lock when the last
//! handle is dropped: writes it started (an I/O buffer being written, an
//! asynchronous truncation and its `fsync`) run to completion on sled's own thread
//! pool, which holds the file open until they return. A server started again in the
//! same process right after (a test's restart, an embedding app rebuilding Rocket)
//! then found the directory "in use". Nothing in sled's API can join those threads.
//!
//! So Portcullis keeps its own lock, `portcullis.lock` in the directory, taken before
//! sled opens and released only after sled is gone: dropping the claim first takes
//! sled's lock on the data file, blocking, which returns the moment sled's last
//! write has closed the file. While it waits, our lock keeps every other Portcullis
//! process out, so the only holder it can be waiting for is this process's closing
//! database. Another process that holds the directory is refused at once (SPEC §7).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::StoreError;

/// Name of Portcullis's lock file inside the database directory.
pub const LOCK_FILE: &str = "portcullis.lock";

/// sled's data file inside the database directory, the one sled itself locks.
const SLED_FILE: &str = "db";

/// An exclusive claim on a database directory, held as long as the store is open.
pub(super) struct DirLock {
    /// Locked for as long as this value lives; closing it releases the lock.
    _file: File,
    sled_file: PathBuf,
}

impl DirLock {
    /// Claims `dir` (creating it if needed), or fails at once with
    /// [`StoreError::Locked`] when another process holds it.
    pub(super) fn take(dir: &Path) -> Result<DirLock, StoreError> {
        let io = |source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(DirLock {
                _file: file,
                sled_file: dir.join(SLED_FILE),
            }),
            Err(TryLockError::WouldBlock) => Err(StoreError::Locked(dir.display().to_string())),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Runs after every sled handle of the store is dropped (see `Store`): wait
        // for sled's own threads to close its data file, then let our lock go.
        wait_for(&self.sled_file);
    }
}

/// Returns once no sled instance holds the database in `dir` open any more (at once
/// if none does). Only for a database this process opened and dropped: sled's lock
/// is taken blocking, so a live holder would be waited for.
pub(super) fn wait_until_closed(dir: &Path) {
    wait_for(&dir.join(SLED_FILE));
}

fn wait_for(sled_file: &Path) {
    // The lock is released again when `file` closes at the end of this function.
    if let Ok(file) = File::open(sled_file)
        && let Err(e) = file.lock()
    {
        rocket::warn!("could not wait for the database to close: {e}");
    }
}
