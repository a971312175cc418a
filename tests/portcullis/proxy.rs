//! End to end behind real proxies (SPEC §5): Portcullis on a loopback port, a tiny
//! upstream app that echoes the identity headers it received, and nginx or Caddy
//! in front of both, configured with the very templates in `docs/proxies/`.
//!
//! These need the programs installed (`apt-get install -y nginx-light caddy`) and
//! run with `cargo test -- --ignored proxy`; a missing program fails the test.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portcullis::clock::ManualClock;
use rocket::fairing::AdHoc;
use rocket::figment::value::{Dict, Value};
use serde_json::json;

use crate::helpers::{PASSWORD, figment};

const DOMAIN: &str = "example.test";

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_auth_request_guards_an_app() {
    let stack = behind(Nginx::start, Dict::new());
    scenario(stack.port, &stack.portal);
}

#[test]
#[ignore = "needs caddy"]
fn proxy_caddy_forward_auth_guards_an_app() {
    let stack = behind(Caddy::start, Dict::new());
    scenario(stack.port, &stack.portal);
}

#[test]
fn proxies_guide_shows_the_very_configs_the_tests_run() {
    let guide = std::fs::read_to_string(repo_file("docs/PROXIES.md")).unwrap();
    for name in ["nginx.conf", "Caddyfile"] {
        assert!(
            guide.contains(&template(name)),
            "docs/PROXIES.md must quote docs/proxies/{name} verbatim"
        );
    }
}

/// What a user of an app behind the proxy goes through.
fn scenario(port: u16, portal: &Portal) {
    let auth = format!("http://auth.{DOMAIN}:{port}");
    let app = format!("http://app.{DOMAIN}:{port}");
    let docs = format!("{app}/docs?page=1");
    Browser::new().register(&auth, "alice@example.test");

    // Anonymous: sent to the portal, with the way back in `rd`.
    let mut alice = Browser::new();
    let sent = alice.get(&docs, &[]);
    assert_eq!(sent.status, 302, "{sent:?}");
    let rd: String = url::form_urlencoded::byte_serialize(docs.as_bytes()).collect();
    assert_eq!(
        sent.location(),
        Some(format!("{auth}/login?rd={rd}").as_str())
    );

    // A public page passes, and a client cannot choose its own identity.
    let public = alice.get(&format!("{app}/public/x"), &[("Remote-User", "admin")]);
    assert_eq!(public.status, 200, "{public:?}");
    assert!(!public.body.contains("admin"), "{}", public.body);

    // Log in through the portal's form; land back on the app, known to it.
    let landed = alice.login(sent.location().unwrap(), "alice@example.test");
    assert_eq!(landed.status, 303, "{landed:?}");
    assert_eq!(landed.location(), Some(docs.as_str()));
    let page = alice.get(&docs, &[]);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("path=/docs?page=1\n"), "{}", page.body);
    assert!(
        page.body.contains("remote-email=alice@example.test\n"),
        "{}",
        page.body
    );
    let user = page.seen("remote-user");
    assert_eq!(user.len(), 22, "Remote-User is the user id: {}", page.body);
    let post = alice.post(&format!("{app}/docs"), &[("x", "1")]);
    assert_eq!(post.status, 200, "{post:?}");

    // A rule limited to a group this user is not in.
    assert_eq!(alice.get(&format!("{app}/staff"), &[]).status, 403);

    // The session slides: the refreshed cookie reaches the browser through the proxy.
    portal.clock.advance(Duration::from_secs(16 * 60));
    let refreshed = alice.get(&docs, &[]);
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    assert!(refreshed.cookies.iter().any(|c| c.contains("portcullis=")));
    portal.clock.advance(Duration::from_secs(60));
    assert_eq!(alice.get(&docs, &[]).status, 200, "old cookie replaced");

    // A session revoked from another login is blocked on its next request.
    let mut phone = Browser::new();
    phone.login(&format!("{auth}/login"), "alice@example.test");
    assert_eq!(phone.get(&docs, &[]).status, 200);
    let account = format!("{auth}/account");
    let revoked = alice.post_form(&account, &format!("{account}/sessions/revoke-others"), &[]);
    assert_eq!(revoked.status, 303, "{revoked:?}");
    assert_eq!(phone.get(&docs, &[]).status, 302);

    // Logging out of the portal blocks the app at once, even for a copied cookie.
    let mut copy = alice.clone();
    assert_eq!(copy.get(&docs, &[]).status, 200);
    let out = alice.post_form(&account, &format!("{auth}/logout"), &[]);
    assert_eq!(out.status, 303, "{out:?}");
    assert_eq!(alice.get(&docs, &[]).status, 302);
    assert_eq!(copy.get(&docs, &[]).status, 302);
}

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_lets_a_script_with_an_access_token_through() {
    let stack = behind(Nginx::start, Dict::new());
    token_scenario(stack.port);
}

#[test]
#[ignore = "needs caddy"]
fn proxy_caddy_lets_a_script_with_an_access_token_through() {
    let stack = behind(Caddy::start, Dict::new());
    token_scenario(stack.port);
}

/// A cron job reaching an app behind the proxy with a personal access token
/// (SPEC §11), until its owner deletes the token.
fn token_scenario(port: u16) {
    let auth = format!("http://auth.{DOMAIN}:{port}");
    let docs = format!("http://app.{DOMAIN}:{port}/docs");
    let mut alice = Browser::new();
    alice.register(&auth, "alice@example.test");
    let tokens = format!("{auth}/account/tokens");
    let app_host = format!("app.{DOMAIN}");
    let fields = [("name", "cron"), ("domains", app_host.as_str())];
    let made = alice.post_form(&tokens, &tokens, &fields);
    assert_eq!(made.status, 200, "{made:?}");
    let marker = "id=\"new-token\">";
    let start = made.body.find(marker).expect("token shown") + marker.len();
    let token = made.body[start..].split('<').next().unwrap().to_owned();
    let bearer = format!("Bearer {token}");

    let mut script = Browser::new();
    let page = script.get(&docs, &[("Authorization", &bearer)]);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("remote-email=alice@example.test\n"),
        "{}",
        page.body
    );
    let other = script.get(
        &format!("http://auth.{DOMAIN}:{port}/api/v1/me"),
        &[("Authorization", &bearer)],
    );
    assert_eq!(other.status, 403, "no `api` scope: {other:?}");
    assert!(other.body.contains("insufficient_scope"), "{other:?}");

    let listed = alice.get(&tokens, &[]);
    let id_at =
        listed.body.find("/account/tokens/").expect("a delete form") + "/account/tokens/".len();
    let id = listed.body[id_at..].split('/').next().unwrap().to_owned();
    let deleted = alice.post_form(&tokens, &format!("{tokens}/{id}/delete"), &[]);
    assert_eq!(deleted.status, 303, "{deleted:?}");
    let refused = script.get(&docs, &[("Authorization", &bearer)]);
    assert_eq!(refused.status, 401, "{refused:?}");
    assert!(!refused.body.contains("remote-email"), "{}", refused.body);
}

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_two_factor_rule_sends_to_enrolment_then_to_the_second_step() {
    let rules = json!([
        {"domain": format!("app.{DOMAIN}"), "resources": ["^/vault"], "policy": "two_factor"},
    ]);
    let rules = Value::serialize(rules).unwrap();
    let stack = behind_with(Nginx::start, "access_rules", rules);
    two_factor_scenario(stack.port, &stack.portal);
}

/// A `two_factor` rule (SPEC §10): no factor yet → enrolment; a session opened
/// before the factor existed → the second step, which returns to the app.
fn two_factor_scenario(port: u16, portal: &Portal) {
    use portcullis::clock::Clock;
    let auth = format!("http://auth.{DOMAIN}:{port}");
    let vault = format!("http://app.{DOMAIN}:{port}/vault");
    let rd: String = url::form_urlencoded::byte_serialize(vault.as_bytes()).collect();
    let mut alice = Browser::new();
    alice.register(&auth, "alice@example.test");
    let mut phone = Browser::new();
    let signed_in = phone.login(&format!("{auth}/login"), "alice@example.test");
    assert_eq!(signed_in.status, 303, "{signed_in:?}");

    let sent = alice.get(&vault, &[]);
    assert_eq!(sent.status, 302, "{sent:?}");
    let enrol = format!("{auth}/account/security?rd={rd}");
    assert_eq!(sent.location(), Some(enrol.as_str()));

    let security = format!("{auth}/account/security");
    let back = [("rd", vault.as_str())];
    let started = alice.post_form(&enrol, &format!("{auth}/account/totp"), &back);
    assert_eq!(started.status, 200, "{started:?}");
    let marker = "id=\"totp-secret\">";
    let at = started.body.find(marker).expect("the secret") + marker.len();
    let secret = started.body[at..].split('<').next().unwrap().to_owned();
    let code = portcullis::auth::mfa::code_at(&secret, portal.clock.now()).unwrap();
    let confirm = format!("{auth}/account/totp/confirm");
    let done = alice.post_form(&security, &confirm, &[("code", &code), back[0]]);
    assert_eq!(done.status, 200, "{done:?}");
    let onward = format!(
        "href=\"{}\">I have saved them",
        vault.replace('/', "&#x2F;")
    );
    assert!(
        done.body.contains(&onward),
        "back to the app: {}",
        done.body
    );
    let page = alice.get(&vault, &[]);
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.seen("remote-auth-level"), "2", "{}", page.body);

    let asked = phone.get(&vault, &[]);
    assert_eq!(asked.status, 302, "{asked:?}");
    let step = format!("{auth}/login/second-factor?rd={rd}");
    assert_eq!(asked.location(), Some(step.as_str()));
    portal.clock.advance(Duration::from_secs(30));
    let code = portcullis::auth::mfa::code_at(&secret, portal.clock.now()).unwrap();
    let target = format!("{auth}/login/second-factor");
    let fields = [("code", code.as_str()), ("rd", vault.as_str())];
    let back = phone.post_form(&step, &target, &fields);
    assert_eq!(back.status, 303, "{back:?}");
    assert_eq!(back.location(), Some(vault.as_str()));
    let page = phone.get(&vault, &[]);
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.seen("remote-auth-level"), "2", "{}", page.body);
}

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_forwards_sec_fetch_so_only_navigations_keep_a_session() {
    let stack = behind_with(Nginx::start, "session_idle_timeout", "1h".into());
    idle_scenario(stack.port, &stack.portal);
}

#[test]
#[ignore = "needs caddy"]
fn proxy_caddy_forwards_sec_fetch_so_only_navigations_keep_a_session() {
    let stack = behind_with(Caddy::start, "session_idle_timeout", "1h".into());
    idle_scenario(stack.port, &stack.portal);
}

/// A tab left polling through the proxy ends at the idle limit; a person who keeps
/// navigating stays signed in (SPEC §11 `idle_counts`).
fn idle_scenario(port: u16, portal: &Portal) {
    let auth = format!("http://auth.{DOMAIN}:{port}");
    let feed = format!("http://app.{DOMAIN}:{port}/feed");
    let fetch = [("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")];
    let navigate = [
        ("Sec-Fetch-Mode", "navigate"),
        ("Sec-Fetch-Dest", "document"),
    ];
    let mut tab = Browser::new();
    tab.register(&auth, "alice@example.test");
    let mut person = Browser::new();
    assert_eq!(
        person
            .login(&format!("{auth}/login"), "alice@example.test")
            .status,
        303
    );
    for round in 1..=5 {
        portal.clock.advance(Duration::from_secs(10 * 60));
        assert_eq!(tab.get(&feed, &fetch).status, 200, "poll {round}");
        assert_eq!(person.get(&feed, &navigate).status, 200, "visit {round}");
    }
    portal.clock.advance(Duration::from_secs(10 * 60));
    let ended = tab.get(&feed, &fetch);
    assert_eq!(
        ended.status, 302,
        "the polling tab is signed out: {ended:?}"
    );
    assert_eq!(person.get(&feed, &navigate).status, 200);
}

/// Portcullis with `extra` settings and the echoing app, behind a real proxy that
/// `proxy` (`Nginx::start` or `Caddy::start`) starts on a free port. Dropped, the
/// proxy stops first, then the app, then Portcullis.
struct Stack {
    port: u16,
    _proxy: Process,
    _upstream: Upstream,
    portal: Portal,
}

fn behind(proxy: fn(u16, u16, u16) -> Process, extra: Dict) -> Stack {
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
fn behind_with(proxy: fn(u16, u16, u16) -> Process, key: &str, value: Value) -> Stack {
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

/// The Portcullis server, launched for real on a loopback port with a manual clock.
pub(crate) struct Portal {
    pub(crate) port: u16,
    clock: Arc<ManualClock>,
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
struct Upstream {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Upstream {
    fn start() -> Upstream {
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

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn template(name: &str) -> String {
    let path = repo_file("docs/proxies").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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
    fn start(port: u16, portcullis: u16, upstream: u16) -> Process {
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
    fn start(port: u16, portcullis: u16, upstream: u16) -> Process {
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

/// What the test looks at in an answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

impl Answer {
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// A `name=value` line the upstream echoed.
    fn seen(&self, name: &str) -> String {
        let prefix = format!("{name}=");
        let line = self.body.lines().find(|l| l.starts_with(&prefix));
        line.map(|l| l[prefix.len()..].to_owned())
            .unwrap_or_default()
    }
}

/// A browser: every `*.example.test` name resolves to loopback, redirects are not
/// followed, and cookies are kept per host or domain as a browser would.
#[derive(Clone)]
struct Browser {
    agent: ureq::Agent,
    /// (cookie, the host that set it).
    jar: Vec<(cookie::Cookie<'static>, String)>,
}

impl Browser {
    fn new() -> Browser {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout(Duration::from_secs(20))
            .resolver(|addr: &str| {
                let port = addr.rsplit(':').next().and_then(|p| p.parse().ok());
                let port = port.ok_or_else(|| std::io::Error::other("no port"))?;
                Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))])
            })
            .build();
        Browser {
            agent,
            jar: Vec::new(),
        }
    }

    fn cookie_header(&self, host: &str) -> String {
        let applies = |(cookie, origin): &&(cookie::Cookie<'static>, String)| match cookie.domain()
        {
            Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
            None => host == origin,
        };
        let pairs: Vec<String> = self
            .jar
            .iter()
            .filter(applies)
            .map(|(c, _)| format!("{}={}", c.name(), c.value()))
            .collect();
        pairs.join("; ")
    }

    fn keep(&mut self, host: &str, set_cookie: &str) {
        let Ok(cookie) = cookie::Cookie::parse(set_cookie.to_owned()) else {
            return;
        };
        let same = |(c, origin): &(cookie::Cookie<'static>, String)| {
            c.name() == cookie.name()
                && c.domain() == cookie.domain()
                && (c.domain().is_some() || origin == host)
        };
        self.jar.retain(|entry| !same(entry));
        let removed =
            cookie.max_age().is_some_and(|age| age.is_zero()) || cookie.value().is_empty();
        if !removed {
            self.jar.push((cookie, host.to_owned()));
        }
    }

    fn send(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let host = url::Url::parse(url).unwrap().host_str().unwrap().to_owned();
        let mut request = self.agent.request(method, url);
        let cookies = self.cookie_header(&host);
        if !cookies.is_empty() {
            request = request.set("Cookie", &cookies);
        }
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let result = match form {
            Some(fields) => request.send_form(fields),
            None => request.call(),
        };
        let response = match result {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("{method} {url}: {e}"),
        };
        let cookies: Vec<String> = response
            .all("Set-Cookie")
            .into_iter()
            .map(str::to_owned)
            .collect();
        for set_cookie in &cookies {
            self.keep(&host, set_cookie);
        }
        Answer {
            status: response.status(),
            location: response.header("Location").map(str::to_owned),
            cookies,
            body: response.into_string().unwrap_or_default(),
        }
    }

    fn get(&mut self, url: &str, headers: &[(&str, &str)]) -> Answer {
        self.send("GET", url, headers, None)
    }

    fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> Answer {
        self.send("POST", url, &[], Some(fields))
    }

    /// Opens `page` for its CSRF token, then posts `fields` with it to `target`.
    fn post_form(&mut self, page: &str, target: &str, fields: &[(&str, &str)]) -> Answer {
        let shown = self.get(page, &[]);
        assert_eq!(shown.status, 200, "{page}: {shown:?}");
        let marker = "name=\"csrf_token\" value=\"";
        let start = shown.body.find(marker).expect("a csrf token") + marker.len();
        let token = shown.body[start..].split('"').next().unwrap().to_owned();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.send("POST", target, &[], Some(&all))
    }

    /// Registers through the portal's form.
    fn register(&mut self, auth: &str, email: &str) {
        let page = format!("{auth}/register");
        let reply = self.post_form(&page, &page, &[("email", email), ("password", PASSWORD)]);
        assert_eq!(reply.status, 303, "register: {reply:?}");
    }

    /// Logs in through the form at `login_page` (which may carry `?rd=`).
    fn login(&mut self, login_page: &str, email: &str) -> Answer {
        let url = url::Url::parse(login_page).unwrap();
        let rd = url
            .query_pairs()
            .find(|(k, _)| k == "rd")
            .map(|(_, v)| v.into_owned());
        let mut fields = vec![("email", email), ("password", PASSWORD)];
        if let Some(rd) = &rd {
            fields.push(("rd", rd));
        }
        let target = url.join("/login").unwrap();
        self.post_form(login_page, target.as_str(), &fields)
    }
}
