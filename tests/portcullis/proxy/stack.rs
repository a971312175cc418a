//! Starting the proxies, and the whole stack behind one of them.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rocket::figment::value::{Dict, Value};

use super::portal::{Portal, Upstream};
use super::{DOMAIN, template};

/// Portcullis with `extra` settings and the echoing app, behind a real proxy that
/// `proxy` (`Nginx::start` or `Caddy::start`) starts on a free port. Dropped, the
/// proxy stops first, then the app, then Portcullis.
pub(super) struct Stack {
    pub(super) port: u16,
    _proxy: Process,
    _upstream: Upstream,
    pub(super) portal: Portal,
}

pub(super) fn behind(proxy: fn(u16, u16, u16) -> Process, extra: Dict) -> Stack {
    let port = free_port();
    let portal = Portal::start_with(&format!("http://auth.{DOMAIN}:{port}"), extra);
    let upstream = Upstream::start();
    Stack {
        port,
        _proxy: proxy(port, portal.port, upstream.port),
        _upstream: upstream,
        portal,
    }
}

/// [`behind`] with one setting, `key`, set to `value`.
pub(super) fn behind_with(proxy: fn(u16, u16, u16) -> Process, key: &str, value: Value) -> Stack {
    behind(proxy, Dict::from([(key.to_owned(), value)]))
}

/// A port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits until something accepts connections on `port`.
fn wait_for_port(port: u16, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} did not start listening on port {port}:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A proxy process, killed by pid when the test ends.
pub(crate) struct Process {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(program: &str, install: &str, command: &mut Command, dir: tempfile::TempDir) -> Process {
    let log = dir.path().join("stderr.log");
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}); install it: {install}"));
    Process { child, _dir: dir }
}

pub(crate) struct Nginx;

impl Nginx {
    pub(super) fn start(port: u16, portcullis: u16, upstream: u16) -> Process {
        Nginx::start_with(port, portcullis, upstream, &format!("auth.{DOMAIN}"), |c| c)
    }

    /// nginx with the portal at `portal_host` and the template passed through `edit`.
    pub(crate) fn start_with(
        port: u16,
        portcullis: u16,
        upstream: u16,
        portal_host: &str,
        edit: impl Fn(String) -> String,
    ) -> Process {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let servers = edit(template("nginx.conf"))
            .replace("@LISTEN@", &format!("127.0.0.1:{port}"))
            .replace("@PORTAL_HOST@", portal_host)
            .replace("@APP_HOST@", &format!("app.{DOMAIN}"))
            .replace("@PORTCULLIS@", &format!("127.0.0.1:{portcullis}"))
            .replace("@UPSTREAM@", &format!("127.0.0.1:{upstream}"));
        let config_lines = servers.lines().filter(|l| !l.trim_start().starts_with('#'));
        assert!(
            config_lines
                .clone()
                .all(|l| !l.replace("@portcullis_login", "").contains('@')),
            "a placeholder is left:\n{servers}"
        );
        std::fs::write(root.join("portcullis.conf"), servers).unwrap();
        let r = root.display();
        let main = format!(
            "daemon off;\nmaster_process off;\npid {r}/nginx.pid;\nerror_log {r}/error.log info;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {r}/body;\n  \
             proxy_temp_path {r}/proxy;\n  include {r}/portcullis.conf;\n}}\n"
        );
        std::fs::write(root.join("nginx.conf"), main).unwrap();
        let mut command = Command::new("nginx");
        command
            .arg("-p")
            .arg(root)
            .arg("-c")
            .arg(root.join("nginx.conf"))
            .arg("-e")
            .arg(root.join("error.log"));
        let log = root.join("stderr.log");
        let process = spawn("nginx", "apt-get install -y nginx-light", &mut command, dir);
        wait_for_port(port, "nginx", &log);
        process
    }
}

pub(crate) struct Caddy;

impl Caddy {
    pub(super) fn start(port: u16, portcullis: u16, upstream: u16) -> Process {
        Caddy::start_with(
            port,
            portcullis,
            upstream,
            &format!("http://auth.{DOMAIN}:{port}"),
        )
    }

    /// Caddy with the portal's site address `portal_site`.
    pub(crate) fn start_with(
        port: u16,
        portcullis: u16,
        upstream: u16,
        portal_site: &str,
    ) -> Process {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        std::fs::write(root.join("Caddyfile"), template("Caddyfile")).unwrap();
        let mut command = Command::new("caddy");
        command
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(root.join("Caddyfile"))
            .env("HOME", &root)
            .env("XDG_DATA_HOME", &root)
            .env("XDG_CONFIG_HOME", &root)
            .env("CADDY_ADMIN", "off")
            .env("PORTAL_SITE", portal_site)
            .env("APP_SITE", format!("http://app.{DOMAIN}:{port}"))
            .env("PORTCULLIS", format!("127.0.0.1:{portcullis}"))
            .env("UPSTREAM", format!("127.0.0.1:{upstream}"));
        let log = root.join("stderr.log");
        let process = spawn("caddy", "apt-get install -y caddy", &mut command, dir);
        wait_for_port(port, "caddy", &log);
        process
    }
}
