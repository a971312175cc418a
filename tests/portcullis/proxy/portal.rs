//! Portcullis and the echoing app, each on its own loopback port.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use portcullis::clock::ManualClock;
use rocket::fairing::AdHoc;
use rocket::figment::value::{Dict, Value};
use serde_json::json;

use super::DOMAIN;
use crate::helpers::figment;

/// The Portcullis server, launched for real on a loopback port with a manual clock.
pub(crate) struct Portal {
    pub(crate) port: u16,
    pub(super) clock: Arc<ManualClock>,
    shutdown: rocket::Shutdown,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Portal {
    /// A portal at `public_url`, with `extra` settings on top of the usual ones.
    pub(crate) fn start_with(public_url: &str, extra: Dict) -> Portal {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = ManualClock::starting_now();
        let rules = json!([
            {"domain": format!("app.{DOMAIN}"), "resources": ["^/public"], "policy": "allow"},
            {"domain": format!("app.{DOMAIN}"), "resources": ["^/staff"],
             "policy": "authenticated", "groups": ["staff"]},
        ]);
        let mut settings = Dict::new();
        let mut set = |key: &str, value: Value| settings.insert(key.into(), value);
        set("argon2_memory_kib", 256.into());
        set("argon2_iterations", 1.into());
        set("data_dir", dir.path().display().to_string().into());
        set("public_url", public_url.into());
        set("cookie_domain", DOMAIN.into());
        set("access_rules", Value::serialize(rules).unwrap());
        settings.extend(extra);
        let figment = figment(&settings)
            .merge(("address", "127.0.0.1"))
            .merge(("port", 0))
            .merge(("shutdown.ctrlc", false))
            .merge(("shutdown.grace", 0))
            .merge(("shutdown.mercy", 0));
        let (tx, rx) = std::sync::mpsc::channel();
        let rocket = rocket::custom(figment)
            .attach(portcullis::fairing().with_clock(clock.clone()))
            .attach(AdHoc::on_liftoff("report port", move |rocket| {
                Box::pin(async move {
                    let _ = tx.send((rocket.config().port, rocket.shutdown()));
                })
            }));
        let thread = std::thread::spawn(move || {
            if let Err(e) = rocket::execute(rocket.launch()) {
                eprintln!("Portcullis stopped: {e}");
            }
        });
        let (port, shutdown) = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("Portcullis did not start");
        Portal {
            port,
            clock,
            shutdown,
            thread: Some(thread),
            _dir: dir,
        }
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The app behind the proxy: answers every request with what it saw.
pub(super) struct Upstream {
    pub(super) port: u16,
    stop: Arc<AtomicBool>,
}

impl Upstream {
    pub(super) fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("upstream port");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    std::thread::spawn(move || echo(stream));
                }
            }
        });
        Upstream { port, stop }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads one request and answers `path=…` and the `Remote-*` headers it carried.
fn echo(stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
    let mut seen = HashMap::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            seen.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = seen
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let _ = reader
        .by_ref()
        .take(length as u64)
        .read_to_end(&mut Vec::new());
    let mut body = format!("path={path}\n");
    for name in [
        "remote-user",
        "remote-email",
        "remote-groups",
        "remote-name",
        "remote-auth-level",
    ] {
        if let Some(value) = seen.get(name) {
            body.push_str(&format!("{name}={value}\n"));
        }
    }
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
}
