//! Every parser that sees attacker bytes before anyone is authenticated: the session
//! cookie (private-cookie decryption, then PASETO open for both purposes), claims
//! inside an authentic token, the `rd` redirect check, forward-auth target paths,
//! path ids, emails, and the User-Agent text that reaches the audit log.
//!
//! The first input byte picks the path; the rest is the input. Besides "never panic",
//! each path checks the property that matters: a token for one purpose never opens
//! for the other, an accepted redirect never leaves the allowed origins once a
//! browser resolves it and is a valid `Location`, an accepted target path has one
//! reading ([`target_paths`]), sanitised text holds no control character.

#![no_main]

mod target_paths;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pasetors::footer::Footer;
use pasetors::keys::SymmetricKey;
use pasetors::paserk::{FormatAsPaserk, Id};
use pasetors::version4::{LocalToken, V4};
use percent_encoding::percent_decode_str;
use portcullis::config::Config;
use portcullis::domain::audit::sanitise;
use portcullis::domain::session::device_label;
use portcullis::domain::{Email, SessionId};
use portcullis::token::{Keyring, Opened, TokenKind, Tokens};
use portcullis::web::redirect::safe_target;
use url::Url;

/// A fixed, public test key, so seeds stay valid from one run to the next.
const KEY: [u8; 32] = [7; 32];
/// A fixed cookie key (Rocket's `secret_key` is 64 bytes).
const COOKIE_KEY: [u8; 64] = [9; 64];
/// Claims are checked against this time.
const NOW: i64 = 1_750_000_000;

struct Fixture {
    tokens: Tokens,
    key: SymmetricKey<V4>,
    footer: Vec<u8>,
    cookie_key: cookie::Key,
    config: Config,
    /// A plain-http portal with no other allowed host: only its exact origin.
    plain: Config,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = SymmetricKey::<V4>::from(&KEY).expect("32-byte key");
        let mut paserk = String::new();
        key.fmt(&mut paserk).expect("paserk");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("0001.paserk"), format!("{paserk}\n")).expect("key file");
        let keys = Keyring::load_or_create(dir.path()).expect("key ring");
        let mut footer = Footer::new();
        footer.key_id(&Id::from(&key));
        let footer = footer.to_string().expect("footer").into_bytes();
        let config = Config {
            public_url: Url::parse("https://auth.example.com").expect("url"),
            cookie_domain: Some("example.com".into()),
            allowed_redirect_hosts: vec!["partner.example.org".into()],
            ..Config::default()
        };
        let plain = Config {
            public_url: Url::parse("http://127.0.0.1:8000").expect("url"),
            ..Config::default()
        };
        Fixture {
            plain,
            tokens: Tokens::new(keys, "https://auth.example.com".into()),
            key,
            footer,
            cookie_key: cookie::Key::from(&COOKIE_KEY),
            config,
            _dir: dir,
        }
    })
}

/// A presented token: both purposes, never a panic.
fn open_both(token: &str) {
    let f = fixture();
    let browser = f.tokens.open(token, TokenKind::Browser, NOW);
    let api = f.tokens.open(token, TokenKind::Api, NOW);
    if let Opened::Valid(c) | Opened::Expired(c) = &browser {
        assert_eq!(c.kind, TokenKind::Browser);
        assert_eq!(api, Opened::Invalid, "one token opened for both purposes");
    }
    if let Opened::Valid(c) | Opened::Expired(c) = &api {
        assert_eq!(c.kind, TokenKind::Api);
    }
}

/// Arbitrary claims inside an authentic browser token: the claim checks must hold up.
fn authentic_payload(payload: &[u8]) {
    let f = fixture();
    if payload.is_empty() {
        return;
    }
    let token = LocalToken::encrypt(
        &f.key,
        payload,
        Some(&f.footer),
        Some(b"portcullis/browser"),
    )
    .expect("encrypt");
    open_both(&token);
}

/// The session cookie as the browser sends it: Rocket decrypts the private cookie,
/// then the guard opens the token inside.
fn session_cookie(value: &str) {
    let f = fixture();
    let mut jar = cookie::CookieJar::new();
    let sealed = cookie::Cookie::new("portcullis", value.to_owned());
    if let Some(opened) = jar.private_mut(&f.cookie_key).decrypt(sealed) {
        open_both(opened.value());
    }
    open_both(value);
}

/// `rd`: an accepted target is visible ASCII, never `//…` (nor one decoding away
/// from it), and resolved the way a browser on our page would, stays on an allowed
/// host over https, or on a plain portal's exact origin, with no credentials.
fn redirect(rd: &str) {
    let f = fixture();
    if let Some(target) = safe_target(rd, &f.config) {
        let resolved = followed(rd, &target, &f.config.public_url);
        let host = resolved
            .host_str()
            .unwrap_or_default()
            .trim_end_matches('.');
        let allowed = host == "auth.example.com"
            || host == "example.com"
            || host.ends_with(".example.com")
            || host == "partner.example.org";
        assert!(allowed, "{rd:?} → {target:?} leaves for {host:?}");
        assert!(matches!(resolved.scheme(), "https"), "{rd:?} → {resolved}");
    }
    if let Some(target) = safe_target(rd, &f.plain) {
        let resolved = followed(rd, &target, &f.plain.public_url);
        assert_eq!(
            resolved.origin(),
            f.plain.public_url.origin(),
            "{rd:?} → {target:?}"
        );
    }
}

/// Where a browser goes when sent `target` from `base`, after checking the text.
fn followed(rd: &str, target: &str, base: &Url) -> Url {
    assert!(
        target.bytes().all(|b| b.is_ascii_graphic()),
        "{rd:?} → {target:?}"
    );
    if target.starts_with('/') {
        let decoded = percent_decode_str(target).decode_utf8_lossy();
        assert!(
            !decoded.starts_with("//") && !decoded.starts_with("/\\"),
            "{rd:?} → {target:?}"
        );
    }
    let resolved = base.join(target).expect("a browser can follow it");
    assert!(resolved.username().is_empty() && resolved.password().is_none());
    assert_eq!(
        resolved.as_str(),
        base.join(resolved.as_str()).expect("reparses").as_str(),
        "{rd:?} → {target:?} is not stable"
    );
    resolved
}

/// Small edge parsers: path ids, emails, User-Agent text.
fn small_parsers(text: &str) {
    if let Some(id) = SessionId::parse(text) {
        assert_eq!(SessionId::parse(&id.to_string()), Some(id));
    }
    if let Ok(email) = Email::parse(text) {
        assert!(email.as_str().contains('@'));
        assert!(email.as_str().starts_with(email.local_part()));
        let _ = email.key();
    }
    let clean = sanitise(text);
    assert!(!clean.chars().any(char::is_control));
    assert!(clean.chars().count() <= 256);
    let _ = device_label(Some(text));
}

fuzz_target!(|data: &[u8]| {
    let Some((&path, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match path % 5 {
        0 => open_both(&text),
        1 => authentic_payload(rest),
        2 => redirect(&text),
        3 => target_paths::check(&text),
        _ => {
            session_cookie(&text);
            small_parsers(&text);
        }
    }
});
