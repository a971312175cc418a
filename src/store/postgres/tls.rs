//! TLS to PostgreSQL, as libpq's `sslmode` and `sslrootcert` ask for it. tokio-postgres
//! parses `sslmode` itself but knows only `disable`, `prefer` and `require`, and no
//! `sslrootcert`: both are taken out of a `postgres://` URL here, before it parses
//! the rest, and turned into an OpenSSL connector that checks what libpq checks.
//!
//! | `sslmode` | encrypted | certificate checked |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (the default) | if the server offers TLS | only with `sslrootcert` |
//! | `require` | always | only with `sslrootcert` (its chain) |
//! | `verify-ca` | always | its chain, against `sslrootcert` |
//! | `verify-full` | always | its chain and that it names the host |
//!
//! `sslrootcert` is a PEM file of the CA certificates to trust, nothing else then
//! being trusted, or `system` for the system's roots (which, as with libpq, means
//! `verify-full`). A `verify-*` mode without `sslrootcert` is refused: the service
//! has no `~/.postgresql/root.crt` for libpq's default to find.

use std::path::{Path, PathBuf};

use openssl::error::ErrorStack;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};
use openssl::x509::X509;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use percent_encoding::percent_decode_str;
use postgres_openssl::MakeTlsConnector;

use crate::store::StoreError;

/// libpq's `sslmode` values that tokio-postgres can honour (not libpq's `allow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<SslMode, StoreError> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            // The value is not repeated: a mangled URL could put anything there.
            _ => {
                return Err(invalid(
                    "sslmode must be disable, prefer, require, verify-ca or verify-full",
                ));
            }
        })
    }

    /// What tokio-postgres is told: whether TLS may be skipped. Checking the
    /// certificate is the connector's part.
    pub(super) fn negotiation(self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as Negotiate;
        match self {
            SslMode::Disable => Negotiate::Disable,
            SslMode::Prefer => Negotiate::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Negotiate::Require,
        }
    }

    /// The mode tokio-postgres parsed from a `key=value` connection string (which
    /// this module leaves alone).
    pub(super) fn parsed(mode: tokio_postgres::config::SslMode) -> SslMode {
        use tokio_postgres::config::SslMode as Negotiate;
        match mode {
            Negotiate::Disable => SslMode::Disable,
            Negotiate::Prefer => SslMode::Prefer,
            // `Require` and any mode a later tokio-postgres adds: encrypted.
            _ => SslMode::Require,
        }
    }
}

impl std::fmt::Display for SslMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        })
    }
}

/// Where the trusted CA certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Roots {
    /// A PEM file (`sslrootcert=/path/ca.pem`): only these are trusted.
    File(PathBuf),
    /// The system's trust store (`sslrootcert=system`).
    System,
}

/// The TLS parameters a `postgres://` URL carried (`None`: not given).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Asked {
    pub mode: Option<SslMode>,
    pub roots: Option<Roots>,
}

/// Takes `sslmode` and `sslrootcert` out of a `postgres://` or `postgresql://` URL's
/// query: the URL left for tokio-postgres (every other part as it was), and what
/// they asked. Any other string is returned as it is.
pub(super) fn take_from(url: &str) -> Result<(String, Asked), StoreError> {
    let mut asked = Asked::default();
    let Some(rest) = ["postgres://", "postgresql://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
    else {
        return Ok((url.to_owned(), asked));
    };
    // As tokio-postgres reads it: the credentials end at the first `@`, so a `?`
    // in a password does not start the query.
    let after_credentials = rest.find('@').map_or(0, |at| at + 1);
    let Some(question) = rest[after_credentials..].find('?') else {
        return Ok((url.to_owned(), asked));
    };
    let query_at = url.len() - rest.len() + after_credentials + question;
    let mut kept = Vec::new();
    for pair in url[query_at + 1..].split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match decode(key, "a parameter name")?.as_str() {
            "sslmode" => asked.mode = Some(SslMode::parse(&decode(value, "sslmode")?)?),
            "sslrootcert" => {
                asked.roots = Some(match decode(value, "sslrootcert")?.as_str() {
                    "" => return Err(invalid("sslrootcert is empty")),
                    "system" => Roots::System,
                    path => Roots::File(PathBuf::from(path)),
                })
            }
            _ => kept.push(pair),
        }
    }
    let mut left = url[..query_at].to_owned();
    if !kept.is_empty() {
        left.push('?');
        left.push_str(&kept.join("&"));
    }
    Ok((left, asked))
}

fn decode(text: &str, what: &str) -> Result<String, StoreError> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| invalid(&format!("{what} is not UTF-8 once decoded")))
}

fn invalid(problem: &str) -> StoreError {
    StoreError::Database(format!("database_url: {problem}"))
}

/// The TLS setup every connection of this instance uses, the pool's and the
/// change-log listener's alike.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Tls {
    pub mode: SslMode,
    pub roots: Option<Roots>,
}

impl Tls {
    /// What was asked, with libpq's rules for what was not: `sslrootcert=system`
    /// alone means `verify-full`, otherwise the mode is `parsed` (tokio-postgres's
    /// reading, `prefer` unless a `key=value` string said otherwise). Refuses a
    /// combination that would check less than it seems to.
    pub(super) fn settle(asked: Asked, parsed: SslMode) -> Result<Tls, StoreError> {
        let mode = match (asked.mode, &asked.roots) {
            (Some(mode), _) => mode,
            (None, Some(Roots::System)) => SslMode::VerifyFull,
            (None, _) => parsed,
        };
        if asked.roots == Some(Roots::System) && mode != SslMode::VerifyFull {
            return Err(invalid(
                "sslrootcert=system needs sslmode=verify-full (public CAs sign for anyone's host)",
            ));
        }
        if mode >= SslMode::VerifyCa && asked.roots.is_none() {
            return Err(invalid(
                "sslmode=verify-ca and verify-full need sslrootcert: the PEM file of the CA \
                 that signed the server's certificate, or `system` for the system's roots",
            ));
        }
        Ok(Tls {
            mode,
            roots: asked.roots,
        })
    }

    /// The OpenSSL connector: TLS 1.2 or later; the chain checked whenever roots are
    /// given, the host name only with `verify-full`.
    pub(super) fn connector(&self) -> Result<MakeTlsConnector, StoreError> {
        let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(openssl)?;
        builder
            .set_min_proto_version(Some(SslVersion::TLS1_2))
            .map_err(openssl)?;
        match &self.roots {
            None => builder.set_verify(SslVerifyMode::NONE),
            // The builder starts from the system's roots and checks the peer.
            Some(Roots::System) => {}
            Some(Roots::File(path)) => builder.set_cert_store(trusted(path)?),
        }
        let mut connector = MakeTlsConnector::new(builder.build());
        if self.mode != SslMode::VerifyFull {
            connector.set_callback(|connection, _| {
                connection.set_verify_hostname(false);
                Ok(())
            });
        }
        Ok(connector)
    }
}

/// The certificates of the PEM file at `path`, as the only trusted roots.
fn trusted(path: &Path) -> Result<X509Store, StoreError> {
    let shown = path.display();
    let pem = std::fs::read(path)
        .map_err(|e| StoreError::Database(format!("cannot read sslrootcert {shown}: {e}")))?;
    let certificates = X509::stack_from_pem(&pem).unwrap_or_default();
    if certificates.is_empty() {
        return Err(StoreError::Database(format!(
            "sslrootcert {shown} holds no PEM certificate"
        )));
    }
    let mut store = X509StoreBuilder::new().map_err(openssl)?;
    for certificate in certificates {
        store.add_cert(certificate).map_err(openssl)?;
    }
    Ok(store.build())
}

/// OpenSSL could not set up (out of memory, or a broken installation).
fn openssl(e: ErrorStack) -> StoreError {
    StoreError::Database(format!("TLS setup: {e}"))
}

#[cfg(test)]
mod tests;
