//! The administrative commands of SPEC §7. Each opens the data dir the server would
//! use (same `Rocket.toml` and `PORTCULLIS_*` variables); a store held by a running
//! server is refused at once with a message, never waited for.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use portcullis::auth::{AdminError, Auth, Client, RegisterError};
use portcullis::clock::{SystemClock, rfc3339};
use portcullis::config::Config;
use portcullis::domain::user::{ADMIN_GROUP, parse_groups};
use portcullis::domain::{Email, Password};
use portcullis::store::Store;
use portcullis::token::Keyring;

/// `portcullis user …`.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account (with `--admin`, an administrator).
    Add {
        /// The account's email.
        email: String,
        /// Make the account an administrator (group `admin`).
        #[arg(long)]
        admin: bool,
        /// Comma-separated groups, e.g. `staff,wiki`.
        #[arg(long, value_name = "A,B")]
        groups: Option<String>,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// List every account.
    List,
    /// Set an account's password; every session of it ends.
    Passwd {
        /// The account's email.
        email: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Disable an account: its tokens are refused and it cannot log in.
    Disable {
        /// The account's email.
        email: String,
    },
    /// Re-enable a disabled account.
    Enable {
        /// The account's email.
        email: String,
    },
    /// End every session of an account.
    LogoutEverywhere {
        /// The account's email.
        email: String,
    },
}

/// `portcullis keys …`.
#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a new signing key; the server mints with it from its next start, and
    /// tokens under older keys stay valid until they expire.
    Rotate,
}

/// Where a new password comes from.
#[derive(Args)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input instead of asking.
    #[arg(long)]
    password_stdin: bool,
}

/// A command's failure: the message is printed, the exit status is 1.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

type Outcome = Result<(), Failure>;

/// Runs a command and turns its outcome into an exit status.
async fn finish(outcome: impl Future<Output = Outcome>) -> ExitCode {
    match outcome.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("portcullis: {message}");
            ExitCode::FAILURE
        }
    }
}

fn config() -> Result<Config, Failure> {
    Ok(Config::from_figment(&portcullis::figment())?)
}

/// The core over the server's data dir, opened exactly as the server opens it.
fn open_auth(config: Config) -> Result<Auth, Failure> {
    Ok(Auth::open(config, Arc::new(SystemClock))?)
}

fn parse_email(raw: &str) -> Result<Email, Failure> {
    Email::parse(raw).map_err(|e| Failure(format!("{raw:?}: {e}")))
}

/// Reads a new password from stdin or, without `--password-stdin`, asks twice on the
/// terminal without echo.
fn read_password(source: &PasswordSource) -> Result<Password, Failure> {
    let text = if source.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure(format!("cannot read the password from standard input: {e}")))?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        line.strip_suffix('\r').unwrap_or(line).to_owned()
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(Failure(
                "no terminal to ask for the password on; pass --password-stdin".into(),
            ));
        }
        let first = rpassword::prompt_password("New password: ")?;
        let again = rpassword::prompt_password("Repeat it: ")?;
        if first != again {
            return Err(Failure("the two passwords differ; nothing changed".into()));
        }
        first
    };
    Password::new(text).map_err(|e| Failure(e.to_string()))
}

/// `portcullis user …`.
pub async fn user(command: UserCommand) -> ExitCode {
    finish(async {
        let auth = open_auth(config()?)?;
        let client = Client::command_line();
        match command {
            UserCommand::Add {
                email,
                admin,
                groups,
                password,
            } => {
                let email = parse_email(&email)?;
                let mut groups = parse_groups(groups.as_deref().unwrap_or_default())?;
                if admin && !groups.iter().any(|g| g == ADMIN_GROUP) {
                    groups.push(ADMIN_GROUP.to_owned());
                }
                let password = read_password(&password)?;
                match auth.create_user(&email, &password, groups).await {
                    Ok(user) => {
                        println!("created {} ({})", user.email, user.id);
                        Ok(())
                    }
                    Err(RegisterError::Internal(e)) => Err(e.into()),
                    Err(e) => Err(Failure(e.to_string())),
                }
            }
            UserCommand::List => {
                let rows = auth.user_summaries()?;
                println!(
                    "{:<32} {:<22} {:<8} {:>8}  {:<20}  id",
                    "email", "groups", "status", "sessions", "last seen"
                );
                for row in rows {
                    let status = if row.user.disabled {
                        "disabled"
                    } else {
                        "enabled"
                    };
                    let last_seen = row.last_seen().map(rfc3339).unwrap_or_else(|| "-".into());
                    let groups = if row.user.groups.is_empty() {
                        "-".to_owned()
                    } else {
                        row.user.groups.join(",")
                    };
                    println!(
                        "{:<32} {:<22} {:<8} {:>8}  {:<20}  {}",
                        row.user.email,
                        groups,
                        status,
                        row.sessions.len(),
                        last_seen,
                        row.user.id
                    );
                }
                Ok(())
            }
            UserCommand::Passwd { email, password } => {
                let user = find(&auth, &email)?;
                let password = read_password(&password)?;
                let local = email.split_once('@').map_or(email.as_str(), |(l, _)| l);
                portcullis::domain::password::check_policy(
                    &password,
                    auth.config().password_min_length,
                    &[local],
                )?;
                auth.set_password(&user, &password, &client).await?;
                println!("password set for {email}; every session of it has ended");
                Ok(())
            }
            UserCommand::Disable { email } => {
                let user = find(&auth, &email)?;
                admin_result(auth.set_disabled(&user, true, &client).await)?;
                println!("disabled {email}; every session of it has ended");
                Ok(())
            }
            UserCommand::Enable { email } => {
                let user = find(&auth, &email)?;
                admin_result(auth.set_disabled(&user, false, &client).await)?;
                println!("enabled {email}");
                Ok(())
            }
            UserCommand::LogoutEverywhere { email } => {
                let user = find(&auth, &email)?;
                auth.logout_everywhere(&user, &client).await?;
                println!("every session of {email} has ended");
                Ok(())
            }
        }
    })
    .await
}

fn find(auth: &Auth, email: &str) -> Result<portcullis::domain::UserId, Failure> {
    let parsed = parse_email(email)?;
    match auth.user_by_email(&parsed)? {
        Some(user) => Ok(user.id),
        None => Err(Failure(format!("no account with email {email}"))),
    }
}

fn admin_result(result: Result<(), AdminError>) -> Outcome {
    result.map_err(|e| Failure(e.to_string()))
}

/// `portcullis keys rotate`.
pub async fn keys(command: KeysCommand) -> ExitCode {
    finish(async {
        let config = config()?;
        match command {
            KeysCommand::Rotate => {
                let dir = config.data_dir.join("keys");
                Keyring::load_or_create(&dir)?;
                let id = Keyring::rotate(&dir)?;
                println!(
                    "new signing key {id}\nthe server mints with it from its next start; tokens under older keys stay valid until they expire"
                );
                Ok(())
            }
        }
    })
    .await
}

/// `portcullis healthcheck`: exit 0 if the configured server answers `/healthz`.
pub async fn healthcheck() -> ExitCode {
    finish(async {
        let rocket_config: rocket::Config = portcullis::figment().extract()?;
        let host = if rocket_config.address.is_unspecified() {
            match rocket_config.address {
                std::net::IpAddr::V4(_) => "127.0.0.1".to_owned(),
                std::net::IpAddr::V6(_) => "[::1]".to_owned(),
            }
        } else if rocket_config.address.is_ipv6() {
            format!("[{}]", rocket_config.address)
        } else {
            rocket_config.address.to_string()
        };
        let url = format!("http://{host}:{}/healthz", rocket_config.port);
        let agent = ureq::AgentBuilder::new()
            .timeout(std::time::Duration::from_secs(5))
            .redirects(0)
            .build();
        let answer = rocket::tokio::task::spawn_blocking(move || {
            agent
                .get(&url)
                .call()
                .map(|r| r.status())
                .map_err(|e| format!("{url}: {e}"))
        })
        .await?;
        match answer {
            Ok(200) => {
                println!("ok");
                Ok(())
            }
            Ok(status) => Err(Failure(format!("/healthz answered {status}"))),
            Err(e) => Err(Failure(format!("no answer: {e}"))),
        }
    })
    .await
}

/// `portcullis backup <file>`: a tar archive of a complete data dir (database copy,
/// keys, secret key), written atomically with mode 0600.
pub async fn backup(file: PathBuf) -> ExitCode {
    finish(async {
        let config = config()?;
        let data_dir = &config.data_dir;
        let store = Store::open(&data_dir.join("db"))?;
        let parent = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let scratch = tempfile::tempdir_in(&parent)
            .map_err(|e| Failure(format!("cannot write in {}: {e}", parent.display())))?;
        store.copy_to(&scratch.path().join("db"))?;
        drop(store);
        let partial = tempfile::Builder::new()
            .prefix(".portcullis-backup")
            .tempfile_in(&parent)?;
        write_archive(partial.as_file(), data_dir, &scratch.path().join("db"))?;
        partial.as_file().sync_all()?;
        partial
            .persist(&file)
            .map_err(|e| Failure(format!("cannot write {}: {e}", file.display())))?;
        println!(
            "backup written to {}\nrestore: stop the server, then `tar -xf {} -C <empty data_dir>`",
            file.display(),
            file.display()
        );
        Ok(())
    })
    .await
}

fn write_archive(out: &std::fs::File, data_dir: &Path, db_copy: &Path) -> Outcome {
    let mut archive = tar::Builder::new(out);
    archive.mode(tar::HeaderMode::Deterministic);
    archive.append_dir_all("db", db_copy)?;
    let keys = data_dir.join("keys");
    if keys.is_dir() {
        archive.append_dir_all("keys", &keys)?;
    }
    let secret = data_dir.join("secret_key");
    if secret.is_file() {
        archive.append_path_with_name(&secret, "secret_key")?;
    }
    archive.into_inner()?.flush()?;
    Ok(())
}
