//! The request a proxy asks about, parsed strictly from its forwarding headers.
//!
//! Rules are only as good as the path they are matched on, and proxies, upstream
//! apps and Portcullis must all read a path the same way. So a target is refused
//! outright when readers could disagree about it:
//!
//! - **400** ([`TargetError::Invalid`]): the headers do not describe a request — a
//!   header missing or repeated, not printable ASCII (so no NUL, CR, LF, space or
//!   non-UTF-8 byte), a relative URL, a scheme other than `http`/`https`, user info,
//!   a fragment, a bad host or method token.
//! - **403** ([`TargetError::Ambiguous`]): a well-formed request whose path could mean
//!   two things to two servers: a `\`, or any of the classes [`path`] lists (empty
//!   and dot segments, encoded separators, `;` path parameters, double encoding,
//!   Windows trailing dots and spaces, NTFS streams, 8.3 short names, ASP.NET
//!   cookieless segments, stray `%`, bytes that are not UTF-8).
//!
//! What is left decodes to exactly one path with the same segments, and that decoded
//! path is what rules match (`/%61dmin` is `/admin`), together with its NFKC form when
//! compatibility characters make that differ. The query string is never matched.

mod path;

use url::Url;

/// The longest target URL accepted.
const MAX_URL: usize = 8 * 1024;

/// A request a proxy asks about.
#[derive(Debug, Clone)]
pub struct Target {
    /// The whole URL, for the `rd` of the login redirect.
    pub url: Url,
    /// Lower case, no trailing dot, no port.
    pub host: String,
    /// Percent-decoded path, no query.
    pub path: String,
    /// The NFKC form of `path`, when compatibility characters make it differ.
    pub folded: Option<String>,
    /// Upper-cased method token.
    pub method: String,
}

/// Why a target is refused; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// `400 Bad Request`: the forwarding headers do not describe a request.
    #[error("the forwarding headers do not describe a request: {0}")]
    Invalid(&'static str),
    /// `403 Forbidden`: the path could be read in more than one way.
    #[error("the target path is ambiguous: {0}")]
    Ambiguous(&'static str),
}

use TargetError::{Ambiguous, Invalid};

impl Target {
    /// From nginx's `X-Original-URL` and `X-Original-Method`.
    pub fn from_original(url: &str, method: &str) -> Result<Target, TargetError> {
        printable(url)?;
        let (scheme, rest) = url
            .split_once("://")
            .ok_or(Invalid("URL is not absolute"))?;
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, uri) = rest.split_at(split);
        Target::build(scheme, authority, uri, method)
    }

    /// From the `X-Forwarded-Proto`, `-Host`, `-Uri` and `-Method` of Traefik or Caddy.
    pub fn from_forwarded(
        proto: &str,
        host: &str,
        uri: &str,
        method: &str,
    ) -> Result<Target, TargetError> {
        for part in [proto, host, uri] {
            printable(part)?;
        }
        Target::build(proto, host, uri, method)
    }

    fn build(
        scheme: &str,
        authority: &str,
        uri: &str,
        method: &str,
    ) -> Result<Target, TargetError> {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https") {
            return Err(Invalid("scheme is not http or https"));
        }
        let host_chars =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']');
        if authority.is_empty() || !authority.chars().all(host_chars) {
            return Err(Invalid("bad host"));
        }
        if !uri.starts_with('/') {
            return Err(Invalid("path does not start with /"));
        }
        if uri.contains('#') {
            return Err(Invalid("target carries a fragment"));
        }
        let raw_path = uri.split_once('?').map_or(uri, |(path, _)| path);
        let path::Readings { path, folded } = path::decode(raw_path).map_err(Ambiguous)?;
        let method = method_token(method).ok_or(Invalid("bad method"))?;
        let url = Url::parse(&format!("{scheme}://{authority}{uri}"))
            .map_err(|_| Invalid("URL does not parse"))?;
        let host = url
            .host_str()
            .ok_or(Invalid("no host"))?
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if host.is_empty() {
            return Err(Invalid("no host"));
        }
        Ok(Target {
            url,
            host,
            path,
            folded,
            method,
        })
    }

    /// Every reading of the path that rules must be matched against.
    pub fn readings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.folded.as_deref())
    }
}

/// Visible ASCII only, bounded: no control byte, space or non-ASCII sneaks through.
fn printable(value: &str) -> Result<(), TargetError> {
    if value.is_empty() || value.len() > MAX_URL {
        return Err(Invalid("empty or too long"));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Invalid("not printable ASCII"));
    }
    if value.contains('\\') {
        return Err(Ambiguous("backslash"));
    }
    Ok(())
}

/// An HTTP method token (RFC 9110 `token`), upper-cased; `None` if it is not one.
pub fn method_token(method: &str) -> Option<String> {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    (!method.is_empty() && method.len() <= 32 && method.chars().all(tchar))
        .then(|| method.to_ascii_uppercase())
}

#[cfg(test)]
mod tests;
