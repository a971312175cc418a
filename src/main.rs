//! The `portcullis` binary: parses the command line and dispatches.

use clap::{Parser, Subcommand};

/// Self-hosted authentication server.
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
}

#[rocket::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => match portcullis::rocket(portcullis::figment()).launch().await {
            Ok(_) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("portcullis: {e}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}
