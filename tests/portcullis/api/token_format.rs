//! The token format of `docs/TOKENS.md`, checked with pasetors directly: given only
//! the key file, another PASETO implementation can decrypt an API access token.

use std::fs;

use pasetors::Local;
use pasetors::footer::Footer;
use pasetors::keys::SymmetricKey;
use pasetors::paserk::{FormatAsPaserk, Id};
use pasetors::token::UntrustedToken;
use pasetors::version4::{LocalToken, V4};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Api, json_of};
use crate::helpers::{Browser, TestApp};

/// The PASETO inside a browser's private session cookie, decrypted with the
/// generated `secret_key` the way Rocket encrypted it.
pub fn browser_token(app: &TestApp, browser: &Browser<'_>) -> String {
    let encoded = fs::read_to_string(app.data_dir().join("secret_key")).unwrap();
    let bytes = data_encoding::BASE64
        .decode(encoded.trim().as_bytes())
        .unwrap();
    let key = cookie::Key::from(&bytes);
    let jar = cookie::CookieJar::new();
    let sealed = cookie::Cookie::new("portcullis", browser.session_cookie().unwrap());
    jar.private(&key)
        .decrypt(sealed)
        .expect("the session cookie decrypts")
        .value()
        .to_owned()
}

fn unix(claims: &Value, name: &str) -> i64 {
    let text = claims[name].as_str().unwrap_or_else(|| panic!("{name}"));
    OffsetDateTime::parse(text, &Rfc3339)
        .unwrap()
        .unix_timestamp()
}

#[test]
fn an_api_access_token_decrypts_with_the_key_file_alone() {
    let app = TestApp::spawn();
    let api = Api::new(&app);
    let pair = api.signed_up("alice@example.com");
    let me = json_of(&api.me(&pair.access));

    // Only what docs/TOKENS.md promises: keys/*.paserk hold one k4.local key each.
    let mut files: Vec<_> = fs::read_dir(app.data_dir().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "paserk"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 1);
    let paserk = fs::read_to_string(&files[0]).unwrap();
    assert!(paserk.starts_with("k4.local."));
    let key = SymmetricKey::<V4>::try_from(paserk.trim()).unwrap();

    let untrusted = UntrustedToken::<Local, V4>::try_from(pair.access.as_str()).unwrap();
    let mut footer = Footer::new();
    footer.parse_bytes(untrusted.untrusted_footer()).unwrap();
    let mut kid = String::new();
    Id::from(&key).fmt(&mut kid).unwrap();
    assert!(kid.starts_with("k4.lid."));
    assert_eq!(
        footer.get_claim("kid").and_then(Value::as_str),
        Some(kid.as_str())
    );

    let wrong_purpose = LocalToken::decrypt(
        &key,
        &untrusted,
        Some(untrusted.untrusted_footer()),
        Some(b"portcullis/browser"),
    );
    assert!(
        wrong_purpose.is_err(),
        "the implicit assertion binds the purpose"
    );
    let trusted = LocalToken::decrypt(
        &key,
        &untrusted,
        Some(untrusted.untrusted_footer()),
        Some(b"portcullis/api"),
    )
    .expect("decrypts with the documented implicit assertion");

    let claims: Value = serde_json::from_str(trusted.payload()).unwrap();
    assert_eq!(claims["iss"], "http://localhost:8000");
    assert_eq!(claims["sub"], me["id"]);
    assert_eq!(claims["sid"], pair.session.as_str());
    assert_eq!(claims["gen"], 0);
    assert_eq!(claims["typ"], "api");
    assert_eq!(claims["rot"], 0);
    assert!(claims["aat"].is_i64());
    assert_eq!(unix(&claims, "iat"), unix(&claims, "nbf"));
    assert_eq!(unix(&claims, "exp") - unix(&claims, "iat"), 15 * 60);
    assert_eq!(unix(&claims, "iat"), app.auth().now());
}
