//! The fairing that turns any Rocket app into a Portcullis server: it reads the
//! `[portcullis]` configuration, prepares the data dir (sled store, PASETO keys, a
//! generated `secret_key`), manages the state and mounts the routes. A bad
//! configuration stops the launch with a message naming the key.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::{Build, Rocket};

use crate::auth::Auth;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::hasher::Hasher;
use crate::store::Store;
use crate::token::{Keyring, Tokens};
use crate::web::headers::SecurityHeaders;
use crate::web::views::Views;

/// The Portcullis fairing; build it with [`fairing`](crate::fairing).
pub struct Portcullis {
    clock: Arc<dyn Clock>,
}

impl Portcullis {
    /// Uses `clock` instead of the wall clock (tests move time with
    /// [`ManualClock`](crate::clock::ManualClock)).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// The fairing with the wall clock.
///
/// # Example
/// ```no_run
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build().attach(portcullis::fairing())
/// }
/// ```
pub fn fairing() -> Portcullis {
    Portcullis {
        clock: Arc::new(SystemClock),
    }
}

#[rocket::async_trait]
impl Fairing for Portcullis {
    fn info(&self) -> Info {
        Info {
            name: "Portcullis",
            kind: Kind::Ignite | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        warn_if_debug_logging(&rocket);
        match prepare(&rocket, self.clock.clone()) {
            Ok(parts) => Ok(install(rocket, parts)),
            Err(message) => {
                rocket::error!("Portcullis cannot start: {message}");
                Err(rocket)
            }
        }
    }
}

/// Rocket's `debug` log level dumps every request and response with its headers, so
/// session cookies and bearer tokens end up in the log; say so at launch.
fn warn_if_debug_logging(rocket: &Rocket<Build>) {
    let level = rocket
        .figment()
        .extract_inner::<rocket::config::LogLevel>("log_level");
    if level.is_ok_and(|level| level == rocket::config::LogLevel::Debug) {
        rocket::warn!(
            "log_level \"debug\" prints raw request and response headers, session cookies \
             and bearer tokens included: do not use it in production"
        );
    }
}

struct Parts {
    auth: Auth,
    views: Views,
    secret_key: Option<String>,
    hsts: bool,
}

fn prepare(rocket: &Rocket<Build>, clock: Arc<dyn Clock>) -> Result<Parts, String> {
    let config = Config::from_figment(rocket.figment()).map_err(|e| e.to_string())?;
    let data_dir = &config.data_dir;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| format!("cannot create data_dir {}: {e}", data_dir.display()))?;
    // Rocket's defaults carry an all-zero key, so "absent" means "zero" here.
    let configured = rocket
        .figment()
        .extract_inner::<rocket::config::SecretKey>("secret_key")
        .is_ok_and(|key| !key.is_zero());
    let secret_key = if configured {
        None
    } else {
        Some(load_or_create_secret_key(data_dir)?)
    };
    let store = Store::open(&data_dir.join("db")).map_err(|e| e.to_string())?;
    let keys = Keyring::load_or_create(&data_dir.join("keys")).map_err(|e| e.to_string())?;
    let issuer = config.public_url.origin().ascii_serialization();
    let hasher = Hasher::new(
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.argon2_parallelism,
        config.max_concurrent_hashes,
    )
    .map_err(|e| e.to_string())?;
    let views = Views::load(config.templates_dir.as_deref()).map_err(|e| e.to_string())?;
    let hsts = config.cookie_secure();
    let auth = Auth::new(config, store, Tokens::new(keys, issuer), hasher, clock)
        .map_err(|e| e.to_string())?;
    Ok(Parts {
        auth,
        views,
        secret_key,
        hsts,
    })
}

fn install(mut rocket: Rocket<Build>, parts: Parts) -> Rocket<Build> {
    if let Some(key) = parts.secret_key {
        let figment = rocket.figment().clone().merge(("secret_key", key));
        rocket = rocket.configure(figment);
    }
    rocket
        .manage(parts.auth)
        .manage(parts.views)
        .attach(SecurityHeaders { hsts: parts.hsts })
        .mount("/", crate::web::routes())
        .register("/", crate::web::catchers())
}

/// Rocket's cookie key, generated once into `data_dir/secret_key` (mode 0600) so that
/// sessions survive restarts without any configuration.
fn load_or_create_secret_key(data_dir: &Path) -> Result<String, String> {
    use data_encoding::BASE64;
    use rand::RngCore;

    let path = data_dir.join("secret_key");
    if let Ok(existing) = fs::read_to_string(&path) {
        let key = existing.trim().to_owned();
        return match BASE64.decode(key.as_bytes()) {
            Ok(bytes) if bytes.len() == 64 => Ok(key),
            _ => Err(format!("{} is not a base64 64-byte key", path.display())),
        };
    }
    let mut bytes = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key = BASE64.encode(&bytes);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut f| writeln!(f, "{key}").and_then(|_| f.sync_all()).map(|_| f))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.flush().ok();
    Ok(key)
}
