//! TLS between instances and PostgreSQL (`sslmode`, `sslrootcert` in
//! `database_url`): a cluster of its own that serves TLS only, with a certificate
//! for `localhost` made when the tests run, its own CA; and a second, unrelated CA
//! it must not be taken for. `cargo test -- --ignored postgres`.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509Builder, X509NameBuilder};

use super::cluster;
use super::instance::{self, Instance, login, logout, me, prepare, register};
use super::{PASSWORD, until_accepted, until_refused};

/// The database password in every URL here: the cluster trusts 127.0.0.1 and
/// never asks for it, so it only shows whether an error message repeats it.
const DB_PASSWORD: &str = "db-secret-8f3a";

/// The TLS-only cluster, started on first use, stopped and deleted with its
/// directory by the script's watcher once this process exits.
struct TlsCluster {
    dir: PathBuf,
    port: u16,
    /// The server certificate's own (self-signed) CA file.
    ca: PathBuf,
    /// Another CA's certificate, which signed nothing the server has.
    other_ca: PathBuf,
}

static TLS_CLUSTER: OnceLock<TlsCluster> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A self-signed CA certificate named `common_name`, valid for the host
/// `localhost` (and no address), with its key, both as PEM.
fn self_signed(common_name: &str) -> (Vec<u8>, Vec<u8>) {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_nid(Nid::COMMONNAME, common_name)
        .unwrap();
    let name = name.build();
    let mut cert = X509Builder::new().unwrap();
    cert.set_version(2).unwrap();
    let serial = BigNum::from_u32(1).unwrap().to_asn1_integer().unwrap();
    cert.set_serial_number(&serial).unwrap();
    cert.set_subject_name(&name).unwrap();
    cert.set_issuer_name(&name).unwrap();
    cert.set_pubkey(&key).unwrap();
    cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    cert.set_not_after(&Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    let ca = BasicConstraints::new().critical().ca().build().unwrap();
    cert.append_extension(ca).unwrap();
    let san = SubjectAlternativeName::new()
        .dns("localhost")
        .build(&cert.x509v3_context(None, None))
        .unwrap();
    cert.append_extension(san).unwrap();
    cert.sign(&key, MessageDigest::sha256()).unwrap();
    let pem = cert.build().to_pem().unwrap();
    (pem, key.private_key_to_pem_pkcs8().unwrap())
}

fn tls_cluster() -> &'static TlsCluster {
    TLS_CLUSTER.get_or_init(|| {
        // Deleted with the certificates by the script's watcher, not by a drop
        // (statics are never dropped).
        let dir = tempfile::tempdir().unwrap().keep().join("pg");
        std::fs::create_dir(&dir).unwrap();
        let (cert, key) = self_signed("localhost");
        let (other, _) = self_signed("Another CA");
        for (name, pem) in [
            ("server.crt", &cert),
            ("server.key", &key),
            ("other.crt", &other),
        ] {
            std::fs::write(dir.join(name), pem).unwrap();
        }
        let port = cluster::free_port();
        let pid = std::process::id().to_string();
        let (cert, key) = (dir.join("server.crt"), dir.join("server.key"));
        cluster::run_with(
            &["start", dir.to_str().unwrap(), &port.to_string(), &pid],
            &[("PG_TLS_CERT", &cert), ("PG_TLS_KEY", &key)],
        );
        TlsCluster {
            other_ca: dir.join("other.crt"),
            dir,
            port,
            ca: cert,
        }
    })
}

/// A new database on the TLS cluster, reached at `host`, with `query` (the TLS
/// parameters, if any).
fn tls_database(host: &str, query: &str) -> String {
    let cluster = tls_cluster();
    let name = format!(
        "tls{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    );
    let (dir, port) = (cluster.dir.to_str().unwrap(), cluster.port.to_string());
    cluster::run_with(&["createdb", dir, &port, &name], &[]);
    let url = format!("postgres://portcullis:{DB_PASSWORD}@{host}:{port}/{name}");
    match query {
        "" => url,
        query => format!("{url}?{query}"),
    }
}

/// Starts an instance that must refuse to start: what it printed, checked to
/// hold no password.
fn refused(url: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    // Should it get past its store after all, it finds its port taken and exits
    // rather than serving for ever.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let extra = [("ROCKET_PORT", port.as_str())];
    let (started, printed) = instance::run(dir.path(), url, &extra, &["serve"], "");
    assert!(!started, "it must not start: {printed}");
    assert!(
        !printed.contains(DB_PASSWORD),
        "the password is never printed: {printed}"
    );
    printed
}

/// One instance started on `url`, its data dir alive as long as the guard.
fn started(url: &str) -> (tempfile::TempDir, Instance) {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), url);
    let instance = Instance::start(dir.path(), url, &[]);
    (dir, instance)
}

#[test]
#[ignore = "needs postgresql"]
fn postgres_with_sslmode_require_two_instances_share_a_login_and_its_revocation() {
    let url = tls_database("127.0.0.1", "sslmode=require");
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), &url);
    let a = Instance::start(dir.path(), &url, &[]);
    let b = Instance::start(dir.path(), &url, &[]);
    register(&a, "alice@example.com", PASSWORD);

    let token = login(&a, "alice@example.com", PASSWORD);

    // b hears of the session through its change-log listener, a TLS connection too.
    until_accepted(&b, &token);
    assert_eq!(logout(&a, &token), 204);
    until_refused(&b, &token, std::time::Instant::now());
}

#[test]
#[ignore = "needs postgresql"]
fn postgres_without_sslmode_uses_tls_when_the_server_offers_it_and_disable_is_refused() {
    // The cluster takes no unencrypted connection: a start proves TLS was used.
    let (_dir, a) = started(&tls_database("127.0.0.1", ""));
    register(&a, "alice@example.com", PASSWORD);
    let token = login(&a, "alice@example.com", PASSWORD);
    assert_eq!(me(&a, &token), 200);

    let printed = refused(&tls_database("127.0.0.1", "sslmode=disable"));
    assert!(printed.contains("no encryption"), "{printed}");
    assert!(printed.contains("sslmode is disable"), "{printed}");
}

#[test]
#[ignore = "needs postgresql"]
fn postgres_verify_full_and_verify_ca_start_with_the_servers_ca() {
    let ca = tls_cluster().ca.to_str().unwrap();
    let full = format!("sslmode=verify-full&sslrootcert={ca}");
    let (_dir, a) = started(&tls_database("localhost", &full));
    register(&a, "alice@example.com", PASSWORD);
    // verify-ca checks the chain, not the name: 127.0.0.1 is not in the certificate.
    let (_other_dir, _b) = started(&tls_database(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    ));
}

#[test]
#[ignore = "needs postgresql"]
fn postgres_verify_full_refuses_to_start_with_another_ca_or_another_host_name() {
    let cluster = tls_cluster();
    let (ca, other) = (
        cluster.ca.to_str().unwrap(),
        cluster.other_ca.to_str().unwrap(),
    );
    for (host, query) in [
        (
            "localhost",
            format!("sslmode=verify-full&sslrootcert={other}"),
        ),
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&sslrootcert={other}"),
        ),
        // With a root file, libpq's require checks the chain as well.
        ("127.0.0.1", format!("sslmode=require&sslrootcert={other}")),
        ("127.0.0.1", format!("sslmode=verify-full&sslrootcert={ca}")),
    ] {
        let printed = refused(&tls_database(host, &query));
        assert!(
            printed.contains("certificate verify failed"),
            "{query}: {printed}"
        );
        assert!(printed.contains("TLS handshake"), "{query}: {printed}");
    }
    let printed = refused(&tls_database("localhost", "sslmode=verify-full"));
    assert!(printed.contains("need sslrootcert"), "{printed}");
}

#[test]
#[ignore = "needs postgresql"]
fn postgres_sslmode_require_refuses_to_start_against_a_server_without_tls() {
    let url =
        cluster::fresh_database().replacen("portcullis@", &format!("portcullis:{DB_PASSWORD}@"), 1);
    assert!(url.contains(DB_PASSWORD), "{url}");

    let printed = refused(&format!("{url}?sslmode=require"));

    assert!(printed.contains("server does not support TLS"), "{printed}");
    assert!(printed.contains("sslmode is require"), "{printed}");
}
