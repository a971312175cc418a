//! `TestApp`: a Portcullis server on Rocket's local client with its own temporary
//! data dir and a manual clock; `Browser`: one cookie jar talking to it, so a test
//! can play several devices at once.

mod browser;

pub use browser::{Browser, Reply};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use portcullis::clock::ManualClock;
use rocket::figment::Figment;
use rocket::figment::value::{Dict, Value};
use rocket::http::Status;
use rocket::local::blocking::Client;

pub const PASSWORD: &str = "correct horse battery staple";

/// A running server under test.
pub struct TestApp {
    pub client: Client,
    pub clock: Arc<ManualClock>,
    pub dir: Arc<tempfile::TempDir>,
    settings: Dict,
    host: Host,
}

/// How a test builds the host app around Portcullis (its own routes, the fairing).
pub type Host =
    fn(rocket::Rocket<rocket::Build>, portcullis::Portcullis) -> rocket::Rocket<rocket::Build>;

fn plain_host(
    rocket: rocket::Rocket<rocket::Build>,
    fairing: portcullis::Portcullis,
) -> rocket::Rocket<rocket::Build> {
    rocket.attach(fairing)
}

impl TestApp {
    /// A server with the default settings (cheap argon2 so tests stay fast).
    pub fn spawn() -> TestApp {
        TestApp::spawn_with(&[])
    }

    /// A server with some `[portcullis]` settings overridden.
    pub fn spawn_with(settings: &[(&str, Value)]) -> TestApp {
        TestApp::spawn_in(Arc::new(tempfile::tempdir().expect("temp dir")), settings)
    }

    /// A server on an existing data dir (no other server may hold it).
    pub fn spawn_in(dir: Arc<tempfile::TempDir>, settings: &[(&str, Value)]) -> TestApp {
        let mut dict = Dict::new();
        dict.insert("argon2_memory_kib".into(), 256.into());
        dict.insert("argon2_iterations".into(), 1.into());
        for (key, value) in settings {
            dict.insert((*key).into(), value.clone());
        }
        TestApp::start(dir, dict, ManualClock::starting_now(), plain_host)
    }

    /// A host app built by `host` (its own routes, the fairing as it wants it) with
    /// some `[portcullis]` settings: how an embedding app tests itself.
    pub fn spawn_host(settings: &[(&str, Value)], host: Host) -> TestApp {
        let mut dict = Dict::new();
        dict.insert("argon2_memory_kib".into(), 256.into());
        dict.insert("argon2_iterations".into(), 1.into());
        for (key, value) in settings {
            dict.insert((*key).into(), value.clone());
        }
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        TestApp::start(dir, dict, ManualClock::starting_now(), host)
    }

    fn start(
        dir: Arc<tempfile::TempDir>,
        mut settings: Dict,
        clock: Arc<ManualClock>,
        host: Host,
    ) -> TestApp {
        settings
            .entry("data_dir".into())
            .or_insert_with(|| dir.path().display().to_string().into());
        let rocket = host(
            rocket::custom(figment(&settings)),
            portcullis::fairing().with_clock(clock.clone()),
        );
        let client = Client::untracked(rocket).expect("server starts");
        TestApp {
            client,
            clock,
            dir,
            settings,
            host,
        }
    }

    /// Stops this server and starts a new one on the same data dir and clock.
    pub fn restart(self) -> TestApp {
        let TestApp {
            client,
            clock,
            dir,
            settings,
            host,
        } = self;
        drop(client);
        TestApp::start(dir, settings, clock, host)
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// A new browser with an empty cookie jar.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: HashMap::new(),
            remote: None,
        }
    }

    /// The status a new browser gets logging in as `email` with `password`.
    pub fn login_status(&self, email: &str, password: &str) -> Status {
        self.browser().login(email, password).status
    }

    /// One sweep of what has ended (SPEC §12), run now: what it deleted.
    pub fn sweep(&self) -> portcullis::auth::SweepReport {
        let swept = self.auth().sweeper().run_once().unwrap();
        swept.expect("store open")
    }

    /// Path of the data dir.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// The Portcullis service inside the server, to look at stored records.
    pub fn auth(&self) -> &portcullis::auth::Auth {
        self.client.rocket().state().expect("fairing attached")
    }
}

/// The figment tests build servers from: Rocket's debug defaults, quiet logs, and
/// the given `[portcullis]` table.
pub fn figment(settings: &Dict) -> Figment {
    Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("portcullis", settings.clone()))
}

/// Asserts that `email` logs in with `new` now, and no longer with [`PASSWORD`].
pub fn only_the_new_password_opens(app: &TestApp, email: &str, new: &str) {
    assert_eq!(app.login_status(email, PASSWORD), Status::Unauthorized);
    assert_eq!(app.login_status(email, new), Status::SeeOther);
}

/// `application/x-www-form-urlencoded` body from pairs.
pub fn encode(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// A registered user with a logged-in browser.
pub fn registered<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = app.browser();
    let reply = browser.register(email, PASSWORD);
    assert_eq!(
        reply.status,
        Status::SeeOther,
        "registration failed: {}",
        reply.body
    );
    browser
}

/// Runs a future of the core (`app.auth()`) to completion from a blocking test.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// The first administrator, created through the setup link, with a logged-in browser.
pub fn first_admin<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let token = block_on(app.auth().links().create_setup()).expect("setup link");
    let mut browser = app.browser();
    let page = browser.get(&format!("/setup/{token}"));
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let token_field = page.csrf_token().expect("csrf token");
    let reply = browser.post_raw(
        &format!("/setup/{token}"),
        encode(&[
            ("csrf_token", &token_field),
            ("email", email),
            ("password", PASSWORD),
        ]),
        &[],
    );
    assert_eq!(
        reply.status,
        Status::SeeOther,
        "setup failed: {}",
        reply.body
    );
    assert_eq!(reply.location(), Some("/admin"));
    browser
}

/// The text between `start` and the next `end` in `body`.
pub fn between<'b>(body: &'b str, start: &str, end: &str) -> Option<&'b str> {
    let from = body.find(start)? + start.len();
    let to = body[from..].find(end)? + from;
    Some(&body[from..to])
}
