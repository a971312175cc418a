//! The real `portcullis` binary as a subprocess for the Chromium suite: a free
//! loopback port, its own temporary data dir and no config file, cheap argon2, and
//! `public_url` on `localhost` at that port (a secure context for the browser, and
//! the relying party id WebAuthn will need). The setup URL is read from its stderr.
//!
//! The binary is `$PORTCULLIS_BIN` when set (CI points it at the release build),
//! else the one Cargo built for this test run.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the server may take to print its setup URL and answer `/healthz`.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// A running Portcullis server.
pub struct Portal {
    child: Child,
    /// `http://localhost:<port>`, no trailing slash.
    pub base: String,
    /// The one-time first-administrator URL it printed.
    pub setup_url: String,
    /// Everything it printed so far (stdout and stderr), for failure messages.
    output: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Portal {
    /// Starts the server with the default settings.
    pub fn start() -> Portal {
        Portal::start_with(&[])
    }

    /// Starts the server with extra environment (`PORTCULLIS_*` settings, say).
    pub fn start_with(env: &[(&str, &str)]) -> Portal {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let base = format!("http://localhost:{port}");
        let binary = binary();
        let mut command = Command::new(&binary);
        command
            .current_dir(dir.path())
            .env("ROCKET_CONFIG", "/dev/null")
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_LOG_LEVEL", "critical")
            .env("PORTCULLIS_PUBLIC_URL", &base)
            .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
            .env("PORTCULLIS_ARGON2_MEMORY_KIB", "256")
            .env("PORTCULLIS_ARGON2_ITERATIONS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let output = Arc::new(Mutex::new(String::new()));
        let (lines, seen) = mpsc::channel();
        collect(child.stdout.take().expect("piped"), &output, lines.clone());
        collect(child.stderr.take().expect("piped"), &output, lines);
        let mut portal = Portal {
            child,
            base,
            setup_url: String::new(),
            output,
            _dir: dir,
        };
        portal.setup_url = portal.wait_for_setup_url(seen);
        portal.wait_until_healthy();
        portal
    }

    /// A full URL for `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn wait_for_setup_url(&mut self, seen: mpsc::Receiver<String>) -> String {
        let prefix = format!("{}/setup/", self.base);
        let deadline = Instant::now() + START_DEADLINE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match seen.recv_timeout(left) {
                Ok(line) if line.trim().starts_with(&prefix) => return line.trim().to_owned(),
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        panic!(
            "the server printed no setup URL starting {prefix}:\n{}",
            self.output()
        );
    }

    fn wait_until_healthy(&mut self) {
        let health = self.url("/healthz");
        let deadline = Instant::now() + START_DEADLINE;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited ({status}):\n{}", self.output());
            }
            if ureq::get(&health).call().is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{health} never answered:\n{}", self.output());
    }

    /// What the server printed so far.
    pub fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary under test.
fn binary() -> PathBuf {
    match std::env::var_os("PORTCULLIS_BIN") {
        Some(path) => {
            let path = PathBuf::from(path);
            // Relative to the crate root, as `.ci/run` passes it.
            if path.is_relative() {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
            } else {
                path
            }
        }
        None => PathBuf::from(env!("CARGO_BIN_EXE_portcullis")),
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Appends a pipe's lines to `all` and forwards each one.
fn collect(
    pipe: impl std::io::Read + Send + 'static,
    all: &Arc<Mutex<String>>,
    lines: mpsc::Sender<String>,
) {
    let all = all.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut all) = all.lock() {
                all.push_str(&line);
                all.push('\n');
            }
            let _ = lines.send(line);
        }
    });
}
