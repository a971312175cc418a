//! The `portcullis` binary as a child process, its console captured line by line.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The `portcullis` binary running on a temp data dir, its output captured.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    readers: Vec<JoinHandle<String>>,
    /// What it printed before it launched, as far as read so far.
    early: Vec<String>,
    /// Its lines as they come (stdout and stderr each read by their own thread, so
    /// a line of one may arrive after a later line of the other).
    lines: mpsc::Receiver<String>,
}

impl Server {
    /// Starts the binary on a free port (port 0; the launch line says which) at
    /// `log_level` (`normal`, the default of a debug build, logs every request).
    pub(crate) fn start(data_dir: &Path, log_level: &str) -> Server {
        Server::start_with(data_dir, log_level, &[])
    }

    /// [`Server::start`] with extra environment variables.
    pub(crate) fn start_with(data_dir: &Path, log_level: &str, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .envs(env.iter().copied())
            .current_dir(data_dir)
            .env("ROCKET_CONFIG", "/dev/null")
            .env("ROCKET_PROFILE", "debug")
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", "0")
            .env("ROCKET_LOG_LEVEL", log_level)
            .env("PORTCULLIS_DATA_DIR", data_dir.join("data"))
            .env("PORTCULLIS_ARGON2_MEMORY_KIB", "256")
            .env("PORTCULLIS_ARGON2_ITERATIONS", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the portcullis binary starts");
        let (lines, launched) = mpsc::channel();
        let readers = vec![
            capture(child.stdout.take().expect("piped"), lines.clone()),
            capture(child.stderr.take().expect("piped"), lines),
        ];
        let marker = "Rocket has launched from ";
        let mut early = Vec::new();
        let base = loop {
            match launched.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => match line.find(marker) {
                    Some(at) => {
                        let rest = line[at + marker.len()..].trim();
                        // A JSON log line ends the message with `"}`.
                        break rest.trim_end_matches(['"', '}']).to_owned();
                    }
                    None => early.push(line),
                },
                Err(_) => {
                    let _ = child.kill();
                    panic!("the server did not launch");
                }
            }
        };
        Server {
            child,
            base,
            readers,
            early,
            lines: launched,
        }
    }

    /// The first line printed so far, or within a minute, for which `pick` holds
    /// (the setup link goes to stderr, the launch line to stdout: either may come
    /// first).
    pub(crate) fn line(&mut self, pick: impl Fn(&str) -> bool) -> String {
        if let Some(line) = self.early.iter().find(|line| pick(line)) {
            return line.clone();
        }
        loop {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if pick(&line) => return line,
                Ok(line) => self.early.push(line),
                Err(e) => panic!("no such line printed ({e}): {:?}", self.early),
            }
        }
    }

    /// Asks for a graceful shutdown (SIGTERM) and returns everything it printed.
    pub(crate) fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let status = Command::new("sh")
            .args(["-c", "kill -TERM \"$0\"", &pid])
            .status()
            .expect("sh runs");
        assert!(status.success(), "could not signal the server");
        self.child.wait().expect("the server exits");
        self.readers
            .drain(..)
            .map(|reader| reader.join().expect("reader thread"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Collects a pipe into a string, forwarding each line for the launch wait.
fn capture(pipe: impl Read + Send + 'static, lines: mpsc::Sender<String>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            let _ = lines.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    })
}
