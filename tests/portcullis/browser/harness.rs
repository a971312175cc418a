//! Chromium under WebDriver for the browser suite: one `chromedriver` per test, one
//! browser session per [`Profile`] (its own fresh user-data dir, so its own cookies:
//! one device of a person), the DevTools passthrough (`goog/cdp/execute`) and the
//! screen and colour-scheme emulation built on it.
//!
//! Every page a profile lands on goes through `Profile::inspect` (`checks.rs`);
//! what a person does is in `actions.rs`. Waiting is always for a condition with a
//! deadline ([`Profile::until`]): a click that submits a form returns before the
//! next page has loaded.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use super::portal::free_port;
use super::shots::Shots;

/// The longest any awaited condition (a page load, a redirect) may take.
pub const DEADLINE: Duration = Duration::from_secs(20);
/// How often a condition is polled.
const POLL: Duration = Duration::from_millis(50);

/// The flags that work here, as root, in a container.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,800",
];

fn program(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} is missing: the browser suite needs chromium and chromedriver \
         (apt-get install chromium chromium-driver, or set {env})",
        path.display()
    );
    path
}

/// A running `chromedriver`, the factory of profiles.
pub struct Chromium {
    driver: Child,
    url: String,
    chromium: PathBuf,
    shots: Shots,
}

impl Chromium {
    /// Starts `chromedriver`; screenshots of this scenario go under `scenario/`.
    pub async fn start(scenario: &str) -> Chromium {
        let chromium = program("PORTCULLIS_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = program("PORTCULLIS_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let url = format!("http://127.0.0.1:{port}");
        let status = format!("{url}/status");
        let deadline = Instant::now() + DEADLINE;
        loop {
            let ready = ureq::get(&status)
                .call()
                .ok()
                .and_then(|r| r.into_string().ok())
                .and_then(|body| serde_json::from_str::<Value>(&body).ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver never got ready");
            rocket::tokio::time::sleep(POLL).await;
        }
        Chromium {
            driver,
            url,
            chromium,
            shots: Shots::for_scenario(scenario),
        }
    }

    /// A new browser profile (a device), pointed at `base`; `name` labels its
    /// screenshots.
    pub async fn profile(&self, name: &str, base: &str) -> Profile {
        let dir = tempfile::tempdir().expect("profile dir");
        let mut args: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", dir.path().display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": { "binary": self.chromium, "args": args },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let capabilities: Capabilities = capabilities;
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("chromedriver opens a Chromium session");
        let profile = Profile {
            client,
            name: name.to_owned(),
            base: base.to_owned(),
            shots: self.shots.clone(),
            _dir: dir,
        };
        profile.emulate(Device::Desktop, Scheme::Light).await;
        profile
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A Chrome DevTools command through chromedriver (`POST …/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.0, "params": self.1 }).to_string();
        (http::Method::POST, Some(body))
    }
}

/// chromedriver's browser-log endpoint: returns and clears the console entries.
#[derive(Debug)]
pub(super) struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// A screen to emulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// 1280×800.
    Desktop,
    /// 390×844, a touch phone.
    Phone,
}

impl Device {
    fn size(self) -> (u32, u32) {
        match self {
            Device::Desktop => (1280, 800),
            Device::Phone => (390, 844),
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Device::Desktop => "desktop",
            Device::Phone => "phone",
        }
    }
}

/// A `prefers-color-scheme` to emulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

impl Scheme {
    pub(super) fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }
}

/// One browser profile: a person's device. Its actions (visit, fill, press) are in
/// `actions.rs`, the checks every page passes in `checks.rs`.
pub struct Profile {
    pub(super) client: Client,
    pub(super) name: String,
    pub(super) base: String,
    pub(super) shots: Shots,
    pub(super) _dir: tempfile::TempDir,
}

impl Profile {
    /// Runs a DevTools command and returns its result.
    pub async fn cdp(&self, command: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp(command, params))
            .await
            .unwrap_or_else(|e| panic!("{command}: {e}"))
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The WebDriver client, for what the helpers here do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Polls `condition` (a script returning a boolean) until it holds.
    pub async fn until(&self, what: &str, condition: &str) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            // A script may fail while the page is being replaced: that is "not yet".
            if let Ok(Value::Bool(true)) = self.client.execute(condition, vec![]).await {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] waited {DEADLINE:?} for {what}; at {}",
                self.name,
                self.path().await
            );
            rocket::tokio::time::sleep(POLL).await;
        }
    }

    /// Switches screen size and colour scheme.
    pub async fn emulate(&self, device: Device, scheme: Scheme) {
        let (width, height) = device.size();
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width, "height": height, "deviceScaleFactor": 1,
                "mobile": device == Device::Phone,
            }),
        )
        .await;
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme.name() }] }),
        )
        .await;
        self.until(
            "the emulated screen",
            &format!(
                "return matchMedia('(width: {width}px)').matches && \
                 matchMedia('(prefers-color-scheme: {})').matches;",
                scheme.name()
            ),
        )
        .await;
    }

    /// Ends the session, after a last look at the console.
    pub async fn close(self) {
        let errors = self.console_errors().await;
        assert!(
            errors.is_empty(),
            "[{}] logged errors at the end:\n{}",
            self.name,
            errors.join("\n")
        );
        let _ = self.client.close().await;
    }
}

/// Runs an async scenario to completion on its own runtime.
pub fn run(scenario: impl std::future::Future<Output = ()>) {
    rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(scenario);
}
