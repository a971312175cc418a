//! The `portcullis` binary: parses the command line and dispatches.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// jemalloc rather than the system allocator: with 100k users and 1M sessions it
/// kept RSS about 15 MB lower than glibc's malloc after load and served ~10 % more
/// guarded requests (docs/BENCHMARKS.md).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Self-hosted authentication server: sessions, tokens and forward-auth in one binary.
///
/// Every command reads the same configuration as the server (`Rocket.toml`,
/// `PORTCULLIS_*` variables).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (the default).
    Serve,
    /// Manage accounts (the server must be stopped; or use the admin pages).
    #[command(subcommand)]
    User(cli::UserCommand),
    /// Manage the token signing keys.
    #[command(subcommand)]
    Keys(cli::KeysCommand),
    /// Exit 0 if the configured server answers `GET /healthz`.
    Healthcheck,
    /// Check the configuration, the data dir and (with --url) the reverse proxy;
    /// exit 1 if any check fails.
    Doctor {
        /// The portal's public URL, to check a live deployment through its proxy
        /// (run on the server's machine).
        #[arg(long)]
        url: Option<String>,
    },
    /// Write a consistent copy of the data dir (a tar archive) to FILE.
    Backup {
        /// Where to write the archive.
        file: PathBuf,
    },
    /// Delete what has ended (sessions, revocations, throttles, links, old audit
    /// records) once; the server does it every `sweep_interval`.
    Sweep,
    /// Copy the whole store from one engine to another (servers stopped; the
    /// target must have no account yet), e.g. `--from sled --to postgres`.
    Migrate {
        /// The store to copy.
        #[arg(long, value_enum)]
        from: cli::Engine,
        /// The store to fill.
        #[arg(long, value_enum)]
        to: cli::Engine,
    },
}

/// The server, with the request log set up before Rocket's own logger can be.
fn serve() -> rocket::Rocket<rocket::Build> {
    let figment = portcullis::figment();
    portcullis::ops::logging::init(&figment);
    portcullis::rocket(figment)
}

#[rocket::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(problem) = portcullis::config_file_problem() {
        eprintln!("portcullis: {problem}");
        return ExitCode::FAILURE;
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            cli::raise_open_file_limit();
            match serve().launch().await {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("portcullis: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::User(command) => cli::user(command).await,
        Command::Keys(command) => cli::keys(command).await,
        Command::Healthcheck => cli::healthcheck().await,
        Command::Backup { file } => cli::backup(file).await,
        Command::Doctor { url } => cli::doctor(url).await,
        Command::Sweep => cli::sweep().await,
        Command::Migrate { from, to } => cli::migrate(from, to).await,
    }
}
