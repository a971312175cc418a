//! `portcullis keys rotate`, `portcullis healthcheck` and `portcullis backup`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use portcullis::config::StoreKind;
use portcullis::store::Store;
use portcullis::token::Keyring;

use super::{Failure, Outcome, config, finish};

/// `portcullis keys …`.
#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a new signing key; the server mints with it from its next start, and
    /// tokens under older keys stay valid until they expire.
    Rotate,
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
/// keys, secret key, the key sealing TOTP secrets), written atomically with mode 0600.
pub async fn backup(file: PathBuf) -> ExitCode {
    finish(async {
        let config = config()?;
        let data_dir = &config.data_dir;
        // With PostgreSQL the archive holds a sled copy of the shared database.
        let store = match (&config.store, &config.database_url) {
            (StoreKind::Postgres, Some(url)) => Store::open_postgres(&url.0)?,
            _ => Store::open(&data_dir.join("db"))?,
        };
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
    let factor_key = portcullis::auth::mfa::vault::FILE;
    if data_dir.join(factor_key).is_file() {
        archive.append_path_with_name(data_dir.join(factor_key), factor_key)?;
    }
    archive.into_inner()?.flush()?;
    Ok(())
}
