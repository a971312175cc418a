//! Every parser that sees attacker bytes before anyone is authenticated: the session
//! cookie (private-cookie decryption, then PASETO open for both purposes), claims
//! inside an authentic token, the `rd` redirect check, path ids, emails, and the
//! User-Agent text that reaches the audit log.
//!
//! The first input byte picks the path; the rest is the input. Besides "never panic",
//! each path checks the property that matters: a token for one purpose never opens
//! for the other, an accepted redirect never leaves the allowed hosts once a browser
//! resolves it, sanitised text holds no control character.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pasetors::footer::Footer;
use pasetors::keys::SymmetricKey;
use pasetors::paserk::{FormatAsPaserk, Id};
use pasetors::version4::{LocalToken, V4};
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
        Fixture {
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

/// `rd`: an accepted target, resolved the way a browser on our page would, stays on
/// an allowed host and carries no credentials or control characters.
fn redirect(rd: &str) {
    let f = fixture();
    let Some(target) = safe_target(rd, &f.config) else {
        return;
    };
    assert!(
        !target.chars().any(|c| c.is_control() || c == '\\'),
        "{rd:?} → {target:?}"
    );
    let resolved = f
        .config
        .public_url
        .join(&target)
        .expect("a browser can follow it");
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
    assert!(resolved.username().is_empty() && resolved.password().is_none());
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
    match path % 4 {
        0 => open_both(&text),
        1 => authentic_payload(rest),
        2 => redirect(&text),
        _ => {
            session_cookie(&text);
            small_parsers(&text);
        }
    }
});
