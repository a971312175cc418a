//! `portcullis migrate --from sled --to postgres` (SPEC §13): copies the embedded
//! store of `data_dir` into the database at `database_url`, or back. Stop every
//! server first; the target must hold no account yet. Keys, the secret key and
//! the key sealing second factors stay files in the data dir either way.

use std::process::ExitCode;

use clap::ValueEnum;
use portcullis::store::Store;

use super::{Failure, config, finish};

/// A store engine on the command line.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// The embedded database in `data_dir`.
    Sled,
    /// The database at `database_url`.
    Postgres,
}

/// Copies the `from` store into the `to` store.
pub async fn migrate(from: Engine, to: Engine) -> ExitCode {
    finish(async {
        if from == to {
            return Err(Failure("--from and --to name the same store".into()));
        }
        let config = config()?;
        let open = |engine| {
            match engine {
            Engine::Sled => Store::open(&config.data_dir.join("db")),
            Engine::Postgres => match &config.database_url {
                Some(url) => Store::open_postgres(&url.0),
                None => Err(portcullis::store::StoreError::Database(
                    "set database_url (or PORTCULLIS_DATABASE_URL) to migrate to or from PostgreSQL"
                        .into(),
                )),
            },
        }
        };
        let (source, target) = (open(from)?, open(to)?);
        // The store API waits on its own threads; keep that off the async worker.
        let copied = rocket::tokio::task::block_in_place(|| source.copy_into(&target))?;
        for (tree, count) in copied {
            println!("{tree}: {count}");
        }
        println!(
            "done: set store = \"{}\" to use it",
            match to {
                Engine::Sled => "sled",
                Engine::Postgres => "postgres",
            }
        );
        Ok(())
    })
    .await
}
