//! The relying party, from `public_url` (SPEC §10): its host is the relying-party
//! id and its origin the only origin accepted. WebAuthn needs a secure context, so
//! `public_url` must be `https://` with a host name, or `http://localhost`.

use url::Url;
use webauthn_rs::prelude::{Webauthn, WebauthnBuilder};

use crate::domain::passkeys::CEREMONY_TTL;

/// Why passkeys cannot be used with this configuration.
pub fn unavailable_reason(public_url: &Url) -> Option<&'static str> {
    let Some(host) = public_url.domain() else {
        return Some(
            "Passkeys need public_url to name a host (not an IP address): https://auth.example.com, or http://localhost for a trial.",
        );
    };
    let local = host == "localhost" || host.ends_with(".localhost");
    match public_url.scheme() {
        "https" => None,
        "http" if local => None,
        _ => Some(
            "Passkeys need a secure context: public_url must start with https:// (or be http://localhost for a trial).",
        ),
    }
}

/// The `webauthn-rs` relying party for `public_url`, or why there is none.
pub fn relying_party(public_url: &Url) -> Result<Webauthn, &'static str> {
    if let Some(reason) = unavailable_reason(public_url) {
        return Err(reason);
    }
    let rp_id = public_url.domain().unwrap_or_default();
    let origin = Url::parse(&public_url.origin().ascii_serialization())
        .map_err(|_| "public_url has no usable origin for passkeys.")?;
    let timeout = std::time::Duration::from_secs(CEREMONY_TTL as u64);
    WebauthnBuilder::new(rp_id, &origin)
        .and_then(|b| b.rp_name("Portcullis").timeout(timeout).build())
        .map_err(|_| "public_url cannot be used as a WebAuthn relying party.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_secure_contexts_with_a_host_name_are_relying_parties() {
        assert!(relying_party(&url("https://auth.example.com/portal")).is_ok());
        assert!(relying_party(&url("http://localhost:8000")).is_ok());
        assert!(relying_party(&url("http://auth.example.com")).is_err());
        assert!(relying_party(&url("https://127.0.0.1:8443")).is_err());
        assert!(relying_party(&url("http://127.0.0.1:8000")).is_err());
    }
}
