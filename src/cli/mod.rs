//! The administrative commands of SPEC §7. Each opens the data dir the server would
//! use (same `Rocket.toml` and `PORTCULLIS_*` variables, same [`Auth::open`]); a
//! store held by a running server is refused at once with a message, never waited
//! for. `user.rs` manages accounts, `ops.rs` keys, health checks and backups.

mod doctor;
mod files;
mod migrate;
mod ops;
mod sweep;
mod user;

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use portcullis::auth::Auth;
use portcullis::clock::SystemClock;
use portcullis::config::Config;
use portcullis::domain::{Email, Password};

pub use doctor::doctor;
pub use files::raise_open_file_limit;
pub use migrate::{Engine, migrate};
pub use ops::{KeysCommand, backup, healthcheck, keys};
pub use sweep::sweep;
pub use user::{UserCommand, user};

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
