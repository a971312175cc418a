//! One throwaway PostgreSQL cluster per test process (`scripts/pg-cluster.sh`),
//! started by the first test that needs it and stopped, its directory deleted, by
//! the script's watcher once this process exits. Every test gets a database of
//! its own. A missing PostgreSQL fails the test with the reason.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The running cluster.
pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-cluster.sh")
}

fn run(args: &[&str]) -> String {
    run_with(args, &[])
}

/// Runs `scripts/pg-cluster.sh args…` with `env` added: what it printed. A failure,
/// PostgreSQL missing most often, fails the test with the script's reason.
pub fn run_with(args: &[&str], env: &[(&str, &Path)]) -> String {
    let out = Command::new(script())
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("scripts/pg-cluster.sh runs");
    assert!(
        out.status.success(),
        "needs postgresql (apt-get install postgresql): scripts/pg-cluster.sh {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A free loopback port.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The shared cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| {
        // Deleted by the script's watcher, not by a drop (statics are never dropped).
        let dir = tempfile::tempdir().unwrap().keep().join("pg");
        let port = free_port();
        let pid = std::process::id().to_string();
        run(&["start", dir.to_str().unwrap(), &port.to_string(), &pid]);
        Cluster { dir, port }
    })
}

/// The URL of a new, empty database on the shared cluster.
pub fn fresh_database() -> String {
    let cluster = cluster();
    let n = DATABASES.fetch_add(1, Ordering::Relaxed);
    let name = format!("t{}_{n}", std::process::id());
    run(&[
        "createdb",
        cluster.dir.to_str().unwrap(),
        &cluster.port.to_string(),
        &name,
    ])
}

/// A cluster of one's own (for tests that stop and start it).
pub fn own_cluster() -> (PathBuf, u16, String) {
    let dir = tempfile::tempdir().unwrap().keep().join("pg");
    let port = free_port();
    let pid = std::process::id().to_string();
    let url = run(&["start", dir.to_str().unwrap(), &port.to_string(), &pid]);
    (dir, port, url)
}

/// Stops a cluster at once, as a crash would.
pub fn stop(dir: &Path) {
    run(&["stop", dir.to_str().unwrap()]);
}

/// Starts a stopped cluster again on its port.
pub fn start(dir: &Path, port: u16) {
    run(&["start", dir.to_str().unwrap(), &port.to_string()]);
}
