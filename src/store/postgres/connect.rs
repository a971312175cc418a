//! How this instance reaches PostgreSQL: `database_url` read once into a
//! connection config and a TLS connector (`tls.rs`), which the pool and the
//! change-log listener share, so no connection is set up differently.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use postgres_openssl::MakeTlsConnector;

use super::db_error;
use super::tls::{self, SslMode, Tls};
use crate::store::StoreError;

/// Connections kept per instance.
const POOL_SIZE: usize = 16;

/// How long a connection, a pooled one or the listener's, may take to set up.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Where and how to connect.
#[derive(Clone)]
pub(super) struct Connect {
    pub config: tokio_postgres::Config,
    pub tls: MakeTlsConnector,
    /// The `sslmode` in force, named in connection errors at open.
    pub mode: SslMode,
}

impl Connect {
    /// Reads `url`; an error names the problem, never the URL (it may hold a
    /// password).
    pub(super) fn parse(url: &str) -> Result<Connect, StoreError> {
        let (url, asked) = tls::take_from(url)?;
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| StoreError::Database("database_url is not a PostgreSQL URL".into()))?;
        let tls = Tls::settle(asked, SslMode::parsed(config.get_ssl_mode()))?;
        config.ssl_mode(tls.mode.negotiation());
        config.connect_timeout(TIMEOUT);
        config.application_name("portcullis");
        Ok(Connect {
            config,
            tls: tls.connector()?,
            mode: tls.mode,
        })
    }

    /// The pool of connections for queries and transactions; it connects lazily.
    pub(super) fn pool(&self) -> Result<Pool, StoreError> {
        let manager = Manager::from_config(
            self.config.clone(),
            self.tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(TIMEOUT))
            .create_timeout(Some(TIMEOUT))
            .recycle_timeout(Some(TIMEOUT))
            .build()
            .map_err(db_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(url: &str) -> String {
        match Connect::parse(url) {
            Ok(_) => panic!("{url} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_rest_of_the_url_reaches_tokio_postgres_and_the_mode_is_enforced() {
        let connect =
            Connect::parse("postgres://app:pw@db.internal:5433/auth?sslrootcert=system").unwrap();
        assert_eq!(connect.mode, SslMode::VerifyFull);
        let config = &connect.config;
        assert_eq!(
            config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Require
        );
        assert_eq!(config.get_dbname(), Some("auth"));
        assert_eq!(config.get_password(), Some(&b"pw"[..]));
        assert_eq!(config.get_ports(), [5433]);
    }

    #[test]
    fn without_sslmode_tls_is_tried_first() {
        let connect = Connect::parse("postgres://app@db/auth").unwrap();
        assert_eq!(connect.mode, SslMode::Prefer);
        assert_eq!(
            connect.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Prefer
        );
    }

    #[test]
    fn a_refused_url_is_never_repeated() {
        for url in [
            "postgres://app:hunter2@db/auth?sslmode=verify-full",
            "postgres://app:hunter2@db/auth?sslmode=sometimes",
            "postgres://app:hunter2@db:port/auth",
            "host=db password=hunter2 sslmode=verify-full",
        ] {
            let message = refusal(url);
            assert!(message.contains("database_url"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }
}
