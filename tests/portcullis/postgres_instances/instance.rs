//! A real `portcullis` binary on a loopback port, on the PostgreSQL store. The
//! instances of one test share a data dir (signing keys, the key sealing second
//! factors) and a Rocket secret key, as instances behind one load balancer must.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::super::store_contract::cluster::free_port;

/// A fixed cookie key shared by the instances of a test (64 bytes, hex).
const SECRET_KEY: &str = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c";

pub struct Instance {
    child: Child,
    pub base: String,
    pub port: u16,
}

fn binary() -> PathBuf {
    match std::env::var_os("PORTCULLIS_BIN") {
        Some(path) => Path::new(env!("CARGO_MANIFEST_DIR")).join(path),
        None => PathBuf::from(env!("CARGO_BIN_EXE_portcullis")),
    }
}

fn command(data_dir: &Path, url: &str, extra: &[(&str, &str)]) -> Command {
    let mut command = Command::new(binary());
    command
        .current_dir(data_dir)
        .env("ROCKET_CONFIG", "/dev/null")
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_LOG_LEVEL", "critical")
        .env("ROCKET_SECRET_KEY", SECRET_KEY)
        .env("PORTCULLIS_DATA_DIR", data_dir.join("data"))
        .env("PORTCULLIS_STORE", "postgres")
        .env("PORTCULLIS_DATABASE_URL", url)
        .env("PORTCULLIS_ARGON2_MEMORY_KIB", "256")
        .env("PORTCULLIS_ARGON2_ITERATIONS", "1")
        .env("PORTCULLIS_LOGIN_IP_LIMIT", "100000")
        .env("PORTCULLIS_REGISTER_RATE_LIMIT", "100000")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    for (key, value) in extra {
        command.env(key, value);
    }
    command
}

/// Makes the shared data dir's keys once, before instances start at the same time.
pub fn prepare(data_dir: &Path, url: &str) {
    let out = command(data_dir, url, &[])
        .args(["user", "list"])
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "portcullis user list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Instance {
    /// Starts an instance and waits until `/healthz` answers 200.
    pub fn start(data_dir: &Path, url: &str, extra: &[(&str, &str)]) -> Instance {
        Instance::start_on(free_port(), data_dir, url, extra)
    }

    pub fn start_on(port: u16, data_dir: &Path, url: &str, extra: &[(&str, &str)]) -> Instance {
        let base = format!("http://127.0.0.1:{port}");
        let child = command(data_dir, url, extra)
            .env("ROCKET_PORT", port.to_string())
            // One public URL for all, as behind one load balancer (the tokens' issuer).
            .env("PORTCULLIS_PUBLIC_URL", "http://portcullis.test")
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut instance = Instance { child, base, port };
        instance.wait_until_ready();
        instance
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("instance on {} exited: {status}", self.base);
            }
            if ureq::get(&self.url("/healthz")).call().is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("instance on {} never became ready", self.base);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `kill -9`.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status of a response (ureq reports 4xx and 5xx as errors).
pub fn status(result: Result<ureq::Response, ureq::Error>) -> u16 {
    match result {
        Ok(response) => response.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("no answer: {e}"),
    }
}

/// `POST` of a JSON body; the status and the parsed answer.
pub fn post_json(
    url: &str,
    body: &serde_json::Value,
    bearer: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut request = ureq::post(url).set("Content-Type", "application/json");
    if let Some(token) = bearer {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    match request.send_string(&body.to_string()) {
        Ok(r) => (
            r.status(),
            serde_json::from_str(&r.into_string().unwrap()).unwrap_or_default(),
        ),
        Err(ureq::Error::Status(code, r)) => (
            code,
            serde_json::from_str(&r.into_string().unwrap_or_default()).unwrap_or_default(),
        ),
        Err(e) => panic!("no answer from {url}: {e}"),
    }
}

/// `GET /api/v1/me` with `token`: its status.
pub fn me(instance: &Instance, token: &str) -> u16 {
    status(
        ureq::get(&instance.url("/api/v1/me"))
            .set("Authorization", &format!("Bearer {token}"))
            .call(),
    )
}

/// Registers `email` through `instance`.
pub fn register(instance: &Instance, email: &str, password: &str) {
    let body = serde_json::json!({ "email": email, "password": password });
    let (code, answer) = post_json(&instance.url("/api/v1/users"), &body, None);
    assert_eq!(code, 201, "registration answered {code}: {answer}");
}

/// Logs in through `instance`: an access token.
pub fn login(instance: &Instance, email: &str, password: &str) -> String {
    let body = serde_json::json!({ "email": email, "password": password, "device_name": "test" });
    let (code, answer) = post_json(&instance.url("/api/v1/sessions"), &body, None);
    assert_eq!(code, 201, "login answered {code}: {answer}");
    answer["access_token"].as_str().unwrap().to_owned()
}

/// Logs the token's session out through `instance`: its status.
pub fn logout(instance: &Instance, token: &str) -> u16 {
    status(
        ureq::delete(&instance.url("/api/v1/sessions/current"))
            .set("Authorization", &format!("Bearer {token}"))
            .call(),
    )
}

/// Runs a command of the binary with `input` on standard input: whether it
/// succeeded, and what it printed.
pub fn run(
    data_dir: &Path,
    url: &str,
    extra: &[(&str, &str)],
    args: &[&str],
    input: &str,
) -> (bool, String) {
    use std::io::Write;
    let mut child = command(data_dir, url, extra)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{input}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), printed)
}
