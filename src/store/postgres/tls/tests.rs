use super::*;

fn taken(url: &str) -> (String, Asked) {
    take_from(url).unwrap()
}

fn refusal(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn the_tls_parameters_leave_the_url_and_the_rest_stays_as_written() {
    let (left, asked) = taken(
        "postgres://app:p%40ss@db.internal:5433/auth?application_name=a%20b&sslmode=verify-full&sslrootcert=%2Fetc%2Fca%20files%2Fca.pem&connect_timeout=5",
    );
    assert_eq!(
        left,
        "postgres://app:p%40ss@db.internal:5433/auth?application_name=a%20b&connect_timeout=5"
    );
    assert_eq!(
        asked,
        Asked {
            mode: Some(SslMode::VerifyFull),
            roots: Some(Roots::File("/etc/ca files/ca.pem".into())),
        }
    );
}

#[test]
fn a_url_with_only_tls_parameters_loses_its_query() {
    let (left, asked) = taken("postgresql://db/auth?sslmode=require");
    assert_eq!(left, "postgresql://db/auth");
    assert_eq!(asked.mode, Some(SslMode::Require));
}

#[test]
fn a_question_mark_in_the_password_does_not_start_the_query() {
    let (left, asked) = taken("postgres://app:what?sslmode=disable@db/auth?sslmode=require");
    assert_eq!(left, "postgres://app:what?sslmode=disable@db/auth");
    assert_eq!(asked.mode, Some(SslMode::Require));
}

#[test]
fn urls_without_tls_parameters_and_key_value_strings_are_left_alone() {
    for url in [
        "postgres://app@db/auth",
        "postgres://app@db/auth?application_name=x",
        "host=db user=app sslmode=require",
    ] {
        assert_eq!(taken(url), (url.to_owned(), Asked::default()), "{url}");
    }
}

#[test]
fn sslrootcert_system_means_the_system_roots() {
    let (_, asked) = taken("postgres://db/auth?sslrootcert=system");
    assert_eq!(asked.roots, Some(Roots::System));
}

#[test]
fn an_unknown_sslmode_is_refused_without_repeating_the_url() {
    for mode in ["allow", "verify_full", "REQUIRE", ""] {
        let url = format!("postgres://app:hunter2@db/auth?sslmode={mode}");
        let message = refusal(take_from(&url));
        assert!(message.contains("sslmode must be"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
    assert!(refusal(take_from("postgres://db/a?sslrootcert=")).contains("sslrootcert is empty"));
    assert!(refusal(take_from("postgres://db/a?sslrootcert=%FF")).contains("not UTF-8"));
}

#[test]
fn without_sslmode_the_default_is_prefer_as_with_libpq() {
    let tls = Tls::settle(Asked::default(), SslMode::Prefer).unwrap();
    assert_eq!((tls.mode, tls.roots), (SslMode::Prefer, None));
}

#[test]
fn a_key_value_string_keeps_the_mode_tokio_postgres_read() {
    let tls = Tls::settle(Asked::default(), SslMode::Require).unwrap();
    assert_eq!(tls.mode, SslMode::Require);
}

#[test]
fn sslrootcert_system_alone_means_verify_full_and_refuses_weaker_modes() {
    let system = |mode| Asked {
        mode,
        roots: Some(Roots::System),
    };
    let tls = Tls::settle(system(None), SslMode::Prefer).unwrap();
    assert_eq!(tls.mode, SslMode::VerifyFull);
    for weaker in [SslMode::Prefer, SslMode::Require, SslMode::VerifyCa] {
        let message = refusal(Tls::settle(system(Some(weaker)), SslMode::Prefer));
        assert!(message.contains("needs sslmode=verify-full"), "{message}");
    }
}

#[test]
fn verifying_without_sslrootcert_is_refused() {
    for mode in [SslMode::VerifyCa, SslMode::VerifyFull] {
        let asked = Asked {
            mode: Some(mode),
            roots: None,
        };
        let message = refusal(Tls::settle(asked, SslMode::Prefer));
        assert!(message.contains("need sslrootcert"), "{message}");
    }
}

#[test]
fn tokio_postgres_is_told_to_require_tls_for_every_mode_above_prefer() {
    use tokio_postgres::config::SslMode as Negotiate;
    assert_eq!(SslMode::Disable.negotiation(), Negotiate::Disable);
    assert_eq!(SslMode::Prefer.negotiation(), Negotiate::Prefer);
    for mode in [SslMode::Require, SslMode::VerifyCa, SslMode::VerifyFull] {
        assert_eq!(mode.negotiation(), Negotiate::Require);
    }
}

#[test]
fn a_missing_or_empty_sslrootcert_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    for (path, problem) in [
        (missing, "cannot read sslrootcert"),
        (empty, "holds no PEM"),
    ] {
        let tls = Tls {
            mode: SslMode::VerifyFull,
            roots: Some(Roots::File(path.clone())),
        };
        let message = refusal(tls.connector().map(|_| ()));
        assert!(message.contains(problem), "{message}");
        assert!(message.contains(path.to_str().unwrap()), "{message}");
    }
}
