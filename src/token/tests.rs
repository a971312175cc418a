use super::*;

fn tokens() -> (tempfile::TempDir, Tokens) {
    let dir = tempfile::tempdir().unwrap();
    let keys = Keyring::load_or_create(dir.path()).unwrap();
    (dir, Tokens::new(keys, "https://auth.example.com".into()))
}

fn claims(kind: TokenKind, issued_at: i64) -> TokenClaims {
    TokenClaims {
        user: UserId::random(),
        session: SessionId::random(),
        generation: 3,
        kind,
        issued_at,
        expires_at: issued_at + 900,
        rotation: 1,
        auth_at: issued_at,
        aal: 1,
        factor_at: 0,
        unseen: false,
    }
}

#[test]
fn a_minted_token_opens_until_it_expires() {
    let (_dir, tokens) = tokens();
    let claims = claims(TokenKind::Browser, 1_000_000);
    let token = tokens.mint(&claims);

    assert!(token.starts_with("v4.local."));
    assert_eq!(
        tokens.open(&token, TokenKind::Browser, 1_000_899),
        Opened::Valid(claims.clone())
    );
    assert_eq!(
        tokens.open(&token, TokenKind::Browser, 1_000_900),
        Opened::Expired(claims)
    );
}

#[test]
fn a_token_is_refused_for_the_other_purpose() {
    let (_dir, tokens) = tokens();
    let browser = tokens.mint(&claims(TokenKind::Browser, 1_000_000));
    let api = tokens.mint(&claims(TokenKind::Api, 1_000_000));

    assert_eq!(
        tokens.open(&browser, TokenKind::Api, 1_000_001),
        Opened::Invalid
    );
    assert_eq!(
        tokens.open(&api, TokenKind::Browser, 1_000_001),
        Opened::Invalid
    );
}

#[test]
fn flipped_truncated_or_foreign_tokens_are_refused() {
    let (_dir, tokens) = tokens();
    let (_other_dir, stranger) = super::tests::tokens();
    let token = tokens.mint(&claims(TokenKind::Browser, 1_000_000));
    let mut flipped = token.clone().into_bytes();
    flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();

    for bad in [
        flipped.as_str(),
        &token[..token.len() - 10],
        &token.replace("v4.local.", "v4.public."),
        &stranger.mint(&claims(TokenKind::Browser, 1_000_000)),
        "",
        "v4.local.",
    ] {
        assert_eq!(
            tokens.open(bad, TokenKind::Browser, 1_000_001),
            Opened::Invalid,
            "{bad}"
        );
    }
}

/// A token encrypted under `tokens`' own current key, with any footer.
fn with_footer(tokens: &Tokens, claims: &TokenClaims, footer: &str) -> String {
    let (_, key) = tokens.keys.current();
    LocalToken::encrypt(
        &key.secret,
        &tokens.payload(claims),
        Some(footer.as_bytes()),
        Some(claims.kind.implicit_assertion()),
    )
    .unwrap()
}

#[test]
fn a_footer_carrying_a_key_or_not_of_our_exact_shape_is_refused() {
    use pasetors::paserk::FormatAsPaserk;

    let (_dir, tokens) = tokens();
    let (_other_dir, stranger) = super::tests::tokens();
    let claims = claims(TokenKind::Browser, 1_000_000);
    let (kid, key) = tokens.keys.current();
    let mut paserk = String::new();
    key.secret.fmt(&mut paserk).unwrap();
    let (unknown_kid, _) = stranger.keys.current();
    let exact = format!(r#"{{"kid":"{kid}"}}"#);
    assert_eq!(exact.as_bytes(), key.footer.as_slice());
    assert!(matches!(
        tokens.open(
            &with_footer(&tokens, &claims, &exact),
            TokenKind::Browser,
            1_000_001
        ),
        Opened::Valid(_)
    ));

    for footer in [
        format!(r#"{{"kid":"{paserk}"}}"#),
        format!(r#"{{"kid":"{kid}","wpk":"{paserk}"}}"#),
        format!(r#"{{"kid":"{kid}","extra":1}}"#),
        format!(r#"{{ "kid": "{kid}" }}"#),
        format!(r#"{{"kid":["{kid}"]}}"#),
        format!(r#"{{"kid":"{unknown_kid}"}}"#),
        kid.to_owned(),
        String::new(),
    ] {
        let token = with_footer(&tokens, &claims, &footer);
        assert_eq!(
            tokens.open(&token, TokenKind::Browser, 1_000_001),
            Opened::Invalid,
            "footer {footer}"
        );
    }
}

#[test]
fn a_token_whose_key_left_the_ring_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());
    let under_first = first.mint(&claims(TokenKind::Browser, 1_000_000));
    Keyring::rotate(dir.path()).unwrap();
    let second = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());
    let under_second = second.mint(&claims(TokenKind::Browser, 1_000_000));

    std::fs::remove_file(dir.path().join("0002.paserk")).unwrap();
    let reloaded = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());

    assert_eq!(
        reloaded.open(&under_second, TokenKind::Browser, 1_000_001),
        Opened::Invalid
    );
    assert!(matches!(
        reloaded.open(&under_first, TokenKind::Browser, 1_000_001),
        Opened::Valid(_)
    ));
}

#[test]
fn a_token_from_the_future_is_refused() {
    let (_dir, tokens) = tokens();
    let token = tokens.mint(&claims(TokenKind::Browser, 2_000_000));

    assert_eq!(
        tokens.open(&token, TokenKind::Browser, 1_999_000),
        Opened::Invalid
    );
}

#[test]
fn tokens_under_an_older_key_stay_valid_after_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let old = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());
    let token = old.mint(&claims(TokenKind::Api, 1_000_000));
    Keyring::rotate(dir.path()).unwrap();
    let rotated = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());

    assert!(matches!(
        rotated.open(&token, TokenKind::Api, 1_000_001),
        Opened::Valid(_)
    ));
    assert_ne!(
        rotated.mint(&claims(TokenKind::Api, 1)).rsplit('.').next(),
        token.rsplit('.').next()
    );
}
