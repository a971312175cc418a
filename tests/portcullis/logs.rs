//! What the real binary writes to its console (SPEC §8, issue 4 item 8): run it with
//! its default log level, go through register, a wrong then right login, an
//! authenticated page and a password change, and grep everything it printed for the
//! secrets it handled. Client-supplied text must not be able to forge a log line.

mod server;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use portcullis::store::Store;

pub(super) use server::Server;

const PASSWORD: &str = "log capture passphrase one";
const WRONG_PASSWORD: &str = "log capture wrong guess";
const NEW_PASSWORD: &str = "log capture passphrase two";
/// A User-Agent with a tab, the only control character HTTP lets through.
const TAB_AGENT: &str = "probe-agent/1.0\tFORGED-LOG-LINE ok";

/// One browser: a cookie jar over ureq with redirects off. Remembers every cookie
/// value and form token it ever saw, to look for them in the logs.
pub(super) struct Browser {
    agent: ureq::Agent,
    base: String,
    user_agent: String,
    cookies: HashMap<String, String>,
    seen: Vec<String>,
}

pub(super) struct Answer {
    pub(super) status: u16,
    location: Option<String>,
    pub(super) body: String,
}

impl Browser {
    pub(super) fn new(server: &Server, user_agent: &str) -> Browser {
        Browser {
            agent: ureq::AgentBuilder::new().redirects(0).build(),
            base: server.base.clone(),
            user_agent: user_agent.to_owned(),
            cookies: HashMap::new(),
            seen: Vec::new(),
        }
    }

    pub(super) fn send(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Answer {
        let cookie_header = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = self
            .agent
            .request(method, &format!("{}{path}", self.base))
            .set("User-Agent", &self.user_agent);
        if !cookie_header.is_empty() {
            request = request.set("Cookie", &cookie_header);
        }
        let result = if method == "POST" {
            request.send_form(form)
        } else {
            request.call()
        };
        let response = match result {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        for raw in response.all("set-cookie") {
            let cookie = cookie::Cookie::parse(raw.to_owned()).expect("a valid Set-Cookie");
            if cookie.value().is_empty() {
                self.cookies.remove(cookie.name());
            } else {
                self.seen.push(cookie.value().to_owned());
                self.cookies
                    .insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
        Answer {
            status: response.status(),
            location: response.header("Location").map(str::to_owned),
            body: response.into_string().expect("a text body"),
        }
    }

    /// Posts `fields` with the CSRF token of the form at `page`.
    pub(super) fn post_form(&mut self, page: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let form_page = self.send("GET", page, &[]);
        let marker = "name=\"csrf_token\" value=\"";
        let start = form_page.body.find(marker).expect("a csrf field") + marker.len();
        let end = start + form_page.body[start..].find('"').expect("closing quote");
        let token = form_page.body[start..end].to_owned();
        self.seen.push(token.clone());
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.send("POST", path, &all)
    }
}

/// Sends one raw request whose User-Agent carries a bare CR, the way a client would
/// try to start a new log line; returns the start of the answer.
fn raw_request_with_cr_in_user_agent(base: &str) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET /login HTTP/1.1\r\nHost: {address}\r\nUser-Agent: probe\rFORGED-LOG-LINE\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn the_console_log_shows_requests_but_no_password_cookie_token_or_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), "normal");
    let mut browser = Browser::new(&server, "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
    let registered = browser.post_form(
        "/register",
        "/register",
        &[("email", "logs@example.com"), ("password", PASSWORD)],
    );
    let mut tab = Browser::new(&server, TAB_AGENT);
    let wrong = tab.post_form(
        "/login",
        "/login",
        &[("email", "logs@example.com"), ("password", WRONG_PASSWORD)],
    );
    let right = tab.post_form(
        "/login",
        "/login",
        &[("email", "logs@example.com"), ("password", PASSWORD)],
    );
    let account = tab.send("GET", "/account", &[]);
    let changed = tab.post_form(
        "/account/password",
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
        ],
    );
    let forged = raw_request_with_cr_in_user_agent(&server.base);
    let output = server.stop();

    assert_eq!(registered.status, 303);
    assert_eq!((wrong.status, right.status), (401, 303));
    assert_eq!(account.status, 200);
    assert!(account.body.contains("logs@example.com"));
    assert_eq!(
        (changed.status, changed.location.as_deref()),
        (303, Some("/account"))
    );
    assert!(
        !forged.contains(" 200 "),
        "a bare CR in a header must not be served: {forged}"
    );
    assert!(
        output.contains("method=POST path=/login") && output.contains("method=GET path=/account"),
        "requests are logged at the default level:\n{output}"
    );
    // First start with no account: the one-time setup URL is printed (SPEC §3).
    assert!(
        output.contains("Create the first administrator at:") && output.contains("/setup/"),
        "the setup URL is printed on first start:\n{output}"
    );
    let data = dir.path().join("data");
    let key = std::fs::read_to_string(data.join("keys/0001.paserk")).expect("key file");
    let secret_key = std::fs::read_to_string(data.join("secret_key")).expect("secret_key");
    let mut secrets = vec![
        PASSWORD.to_owned(),
        WRONG_PASSWORD.to_owned(),
        NEW_PASSWORD.to_owned(),
        key.trim().to_owned(),
        secret_key.trim().to_owned(),
        "v4.local.".to_owned(),
        "k4.local.".to_owned(),
    ];
    secrets.extend(browser.seen.iter().chain(&tab.seen).cloned());
    assert!(tab.seen.len() >= 4, "cookies and tokens were collected");
    for secret in &secrets {
        assert!(
            !output.contains(secret.as_str()),
            "the console output contains a secret ({} chars)",
            secret.len()
        );
    }
    assert!(
        !output.lines().any(|line| line.starts_with("FORGED")),
        "client text started a log line:\n{output}"
    );
    let events = Store::open(&data.join("db"))
        .expect("the store opens once the server is gone")
        .audit_events(0, 100, None)
        .expect("audit events");
    let agents: Vec<&str> = events
        .iter()
        .filter_map(|event| event.user_agent.as_deref())
        .collect();
    assert!(agents.contains(&"probe-agent/1.0FORGED-LOG-LINE ok"));
    assert!(
        agents.iter().all(|ua| !ua.chars().any(char::is_control)),
        "control characters reached the audit log: {agents:?}"
    );
}

#[test]
fn debug_logging_warns_that_it_prints_cookies() {
    let dir = tempfile::tempdir().expect("temp dir");

    let output = Server::start(dir.path(), "debug").stop();

    assert!(
        output.contains("log_level \"debug\" prints raw request and response headers"),
        "{output}"
    );
}
