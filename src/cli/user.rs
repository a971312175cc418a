//! `portcullis user …`: accounts from the command line, recorded in the audit log
//! as done by the *command line*.

use std::process::ExitCode;

use clap::Subcommand;
use portcullis::auth::{Auth, Client, RegisterError};
use portcullis::clock::rfc3339;
use portcullis::domain::UserId;
use portcullis::domain::user::{ADMIN_GROUP, parse_groups};

use super::{
    Failure, Outcome, PasswordSource, config, finish, open_auth, parse_email, read_password,
};

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
    /// Remove every second factor of an account (authenticator app, recovery
    /// codes) and end all its sessions.
    ResetFactors {
        /// The account's email.
        email: String,
    },
}

/// `portcullis user …`.
pub async fn user(command: UserCommand) -> ExitCode {
    finish(async {
        let auth = open_auth(config()?)?;
        let client = Client::command_line();
        let (accounts, sessions) = (auth.accounts(), auth.sessions());
        match command {
            UserCommand::Add {
                email,
                admin,
                groups,
                password,
            } => add(&auth, &email, admin, groups.as_deref(), &password).await,
            UserCommand::List => list(&auth),
            UserCommand::Passwd { email, password } => {
                let (user, password) = (find(&auth, &email)?, read_password(&password)?);
                accounts.set_password(&user, &password, &client).await?;
                done(format!(
                    "password set for {email}; every session of it has ended"
                ))
            }
            UserCommand::Disable { email } => {
                let user = find(&auth, &email)?;
                accounts.set_disabled(&user, true, &client).await?;
                done(format!("disabled {email}; every session of it has ended"))
            }
            UserCommand::Enable { email } => {
                accounts
                    .set_disabled(&find(&auth, &email)?, false, &client)
                    .await?;
                done(format!("enabled {email}"))
            }
            UserCommand::LogoutEverywhere { email } => {
                let user = find(&auth, &email)?;
                sessions.log_out_everywhere(&user, &client).await?;
                done(format!("every session of {email} has ended"))
            }
            UserCommand::ResetFactors { email } => {
                let user = find(&auth, &email)?;
                auth.factors().reset(&user, &client).await?;
                done(format!(
                    "the second factors of {email} were removed and every session has ended"
                ))
            }
        }
    })
    .await
}

/// Says what a command did.
fn done(message: String) -> Outcome {
    println!("{message}");
    Ok(())
}

/// `user add`: the account, in `groups` (and `admin` with `--admin`).
async fn add(
    auth: &Auth,
    email: &str,
    admin: bool,
    groups: Option<&str>,
    password: &PasswordSource,
) -> Outcome {
    let email = parse_email(email)?;
    let mut groups = parse_groups(groups.unwrap_or_default())?;
    if admin && !groups.iter().any(|g| g == ADMIN_GROUP) {
        groups.push(ADMIN_GROUP.to_owned());
    }
    let password = read_password(password)?;
    match auth.accounts().create(&email, &password, groups).await {
        Ok(user) => {
            println!("created {} ({})", user.email, user.id);
            Ok(())
        }
        Err(RegisterError::Internal(e)) => Err(e.into()),
        Err(e) => Err(Failure(e.to_string())),
    }
}

/// `user list`: one line per account.
fn list(auth: &Auth) -> Outcome {
    println!(
        "{:<32} {:<22} {:<8} {:>8}  {:<20}  id",
        "email", "groups", "status", "sessions", "last seen"
    );
    for row in auth.accounts().summaries()? {
        let status = if row.user.disabled {
            "disabled"
        } else {
            "enabled"
        };
        let last_seen = row.last_seen().map(rfc3339).unwrap_or_else(|| "-".into());
        let groups = match row.user.groups.is_empty() {
            true => "-".to_owned(),
            false => row.user.groups.join(","),
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

fn find(auth: &Auth, email: &str) -> Result<UserId, Failure> {
    let parsed = parse_email(email)?;
    match auth.accounts().by_email(&parsed)? {
        Some(user) => Ok(user.id),
        None => Err(Failure(format!("no account with email {email}"))),
    }
}
