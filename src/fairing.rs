//! The fairing that turns any Rocket app into a Portcullis server: it reads the
//! `[portcullis]` configuration, compiles the access rules, opens the data dir
//! ([`Auth::open`]: sled store, PASETO keys) with a generated `secret_key`, manages
//! the state and mounts the routes. A bad configuration stops the launch with a
//! message naming the key.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::{Build, Rocket};

use crate::auth::Auth;
use crate::authz::Rules;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::web::headers::SecurityHeaders;
use crate::web::views::Views;

/// The Portcullis fairing; build it with [`fairing`](crate::fairing).
pub struct Portcullis {
    clock: Arc<dyn Clock>,
    pages: bool,
}

impl Portcullis {
    /// Uses `clock` instead of the wall clock (tests move time with
    /// [`ManualClock`](crate::clock::ManualClock)).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Leaves out the HTML pages (login, account, admin, one-time links) and their
    /// catchers: the guards, the JSON API and forward auth stay. For an app that
    /// has its own login pages and error pages and uses Portcullis underneath.
    ///
    /// # Example
    /// ```no_run
    /// #[rocket::launch]
    /// fn rocket() -> _ {
    ///     rocket::build().attach(portcullis::fairing().without_pages())
    /// }
    /// ```
    pub fn without_pages(mut self) -> Self {
        self.pages = false;
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
        pages: true,
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
            Ok(parts) => {
                if self.pages
                    && let Err(message) = announce_setup_link(&parts.auth).await
                {
                    rocket::error!("Portcullis cannot start: {message}");
                    return Err(rocket);
                }
                Ok(install(rocket, parts, self.pages))
            }
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
    rules: Rules,
    secret_key: Option<String>,
}

/// Everything the launch needs, checked before anything is served: configuration
/// and access rules first (a mistake there touches no file), then the data dir.
fn prepare(rocket: &Rocket<Build>, clock: Arc<dyn Clock>) -> Result<Parts, String> {
    let config = Config::from_figment(rocket.figment()).map_err(|e| e.to_string())?;
    let rules = Rules::compile(config.default_policy, &config.access_rules)
        .map_err(|e| format!("invalid [portcullis] configuration: {e}"))?;
    let views = Views::load(
        config.templates_dir.as_deref(),
        config.base_path(),
        clock.clone(),
    )
    .map_err(|e| e.to_string())?;
    let auth = Auth::open(config, clock).map_err(|e| e.to_string())?;
    // Rocket's defaults carry an all-zero key, so "absent" means "zero" here.
    let configured = rocket
        .figment()
        .extract_inner::<rocket::config::SecretKey>("secret_key")
        .is_ok_and(|key| !key.is_zero());
    let secret_key = if configured {
        None
    } else {
        Some(load_or_create_secret_key(&auth.config().data_dir)?)
    };
    Ok(Parts {
        auth,
        views,
        rules,
        secret_key,
    })
}

fn install(mut rocket: Rocket<Build>, parts: Parts, pages: bool) -> Rocket<Build> {
    if let Some(key) = parts.secret_key {
        let figment = rocket.figment().clone().merge(("secret_key", key));
        rocket = rocket.configure(figment);
    }
    let config = parts.auth.config();
    let at = config.mount_point();
    let api = format!("{}{}", config.base_path(), crate::api::BASE);
    let hsts = config.cookie_secure();
    let rocket = rocket
        .manage(parts.auth)
        .manage(parts.views)
        .manage(parts.rules)
        .manage(crate::authz::known::TargetCache::default())
        .attach(SecurityHeaders { hsts })
        .attach(crate::ops::request_log::RequestLog)
        .attach(crate::ops::SweeperTask)
        .attach(crate::ops::staleness::Staleness)
        .mount(at.as_str(), crate::ops::routes::routes())
        .mount(api.as_str(), crate::api::routes())
        .register(api.as_str(), crate::api::catchers())
        .mount(at.as_str(), crate::authz::routes::routes());
    if pages {
        rocket
            .mount(at.as_str(), crate::web::routes())
            .register(at.as_str(), crate::web::catchers())
    } else {
        rocket
    }
}

/// With no account yet, prints a fresh one-time setup URL to standard error (whatever
/// the log level): the way in for the first administrator. Any older setup link dies.
async fn announce_setup_link(auth: &Auth) -> Result<(), String> {
    if !auth.store().has_no_users() {
        return Ok(());
    }
    let token = auth
        .links()
        .create_setup()
        .await
        .map_err(|e| format!("cannot create the setup link: {e}"))?;
    let base = auth.config().public_url.as_str().trim_end_matches('/');
    eprintln!(
        "\nPortcullis has no accounts yet. Create the first administrator at:\n\n    {base}/setup/{token}\n\n(or run `portcullis user add <email> --admin`). The link works once.\n"
    );
    Ok(())
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

#[cfg(test)]
mod tests {
    use rocket::figment::providers::{Format, Toml};

    use super::*;

    fn prepared(toml: &str) -> Result<Parts, String> {
        let dir = tempfile::tempdir().unwrap();
        let figment = rocket::Config::figment()
            .merge(Toml::string(toml).nested())
            .merge(("portcullis.data_dir", dir.path().join("data")));
        prepare(&rocket::custom(figment), Arc::new(SystemClock))
    }

    #[test]
    fn an_invalid_access_rule_stops_the_launch_with_its_index() {
        let toml = "[default.portcullis]\n\
                    [[default.portcullis.access_rules]]\n\
                    domain = \"a.example.com\"\npolicy = \"allow\"\n\
                    [[default.portcullis.access_rules]]\n\
                    domain = \"b.example.com\"\nresources = [\"^/(admin\"]\npolicy = \"deny\"";
        let err = prepared(toml).err().expect("the rule is refused");
        assert!(err.contains("access_rules[1]"), "{err}");
        assert!(
            err.contains("b.example.com") && err.contains("regex"),
            "{err}"
        );
    }
}
