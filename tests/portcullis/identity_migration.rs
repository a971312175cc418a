//! Data dirs written before addresses were normalised (schema 1: `emails` keyed by
//! the lower-cased address, no skeleton index) keep working: the first start of
//! this build rebuilds both indexes from the user records, and colliding accounts
//! are resolved as `src/store/migrate.rs` documents.

use std::path::Path;
use std::sync::Arc;

use portcullis::domain::{Password, UserId};
use portcullis::hashing::Hasher;
use rocket::http::Status;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, block_on};

const OTHER_PASSWORD: &str = "another long passphrase";

/// A user record and its `emails` entry exactly as schema 1 wrote them.
fn write_v1_user(db: &sled::Db, email: &str, password: &str, created_at: i64) -> UserId {
    let hasher = Hasher::new(256, 1, 1, 1).unwrap();
    let permit = hasher.admit("migration").unwrap();
    let hash = block_on(hasher.hash(permit, &Password::new(password).unwrap())).unwrap();
    let id = UserId::random();
    let record = json!({
        "id": id.to_string(),
        "email": email,
        "password_hash": hash,
        "generation": 0,
        "groups": [],
        "disabled": false,
        "created_at": created_at,
    });
    let users = db.open_tree("users").unwrap();
    users
        .insert(id.as_bytes(), serde_json::to_vec(&record).unwrap())
        .unwrap();
    let emails = db.open_tree("emails").unwrap();
    emails
        .insert(email.to_lowercase().as_bytes(), id.as_bytes())
        .unwrap();
    id
}

/// A schema-1 database at `dir/db` holding `users` (address, password, created).
fn write_v1_data_dir(dir: &Path, users: &[(&str, &str, i64)]) -> Vec<UserId> {
    let db = sled::open(dir.join("db")).unwrap();
    let meta = db.open_tree("meta").unwrap();
    meta.insert("schema_version", &1u32.to_be_bytes()).unwrap();
    let ids = users
        .iter()
        .map(|(email, password, created)| write_v1_user(&db, email, password, *created))
        .collect();
    db.flush().unwrap();
    ids
}

#[test]
fn a_schema_1_data_dir_opens_and_its_users_log_in_by_any_spelling() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    write_v1_data_dir(
        dir.path(),
        &[
            ("Fiona@Example.com", PASSWORD, 100),
            ("jürgen@bücher.example", PASSWORD, 200),
        ],
    );

    let app = TestApp::spawn_in(dir.clone(), &[]);

    for spelling in [
        "fiona@example.com",
        "ＦＩＯＮＡ@example.com",
        "FIONA@EXAMPLE.COM",
    ] {
        let login = app.browser().login(spelling, PASSWORD);
        assert_eq!(login.status, Status::SeeOther, "{spelling}");
    }
    let idn = app
        .browser()
        .login("JÜRGEN@xn--bcher-kva.example", PASSWORD);
    assert_eq!(idn.status, Status::SeeOther);
    let account = app.browser().login("fiona@example.com", PASSWORD);
    assert_eq!(account.location(), Some("/account"));
    assert_eq!(app.auth().accounts().summaries().unwrap().len(), 2);
}

#[test]
fn after_the_migration_look_alikes_of_old_accounts_are_refused() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    write_v1_data_dir(dir.path(), &[("fiona@example.com", PASSWORD, 100)]);

    let app = TestApp::spawn_in(dir.clone(), &[]);

    let twin = app
        .browser()
        .register("ｆｉｏｎａ@example.com", OTHER_PASSWORD);
    let look_alike = app.browser().register("fіona@example.com", OTHER_PASSWORD);
    assert_eq!(twin.status, Status::Conflict);
    assert_eq!(look_alike.status, Status::Conflict);
}

#[test]
fn colliding_old_accounts_are_kept_and_the_normal_spelling_wins_the_address() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    // The fullwidth twin is older, but it is the one that is not in normal form.
    let ids = write_v1_data_dir(
        dir.path(),
        &[
            ("ｆｉｏｎａ@example.com", OTHER_PASSWORD, 100),
            ("fiona@example.com", PASSWORD, 200),
            ("straße@example.com", PASSWORD, 300),
            ("strasse@example.com", OTHER_PASSWORD, 400),
        ],
    );

    let app = TestApp::spawn_in(dir.clone(), &[]);

    assert_eq!(
        app.auth().accounts().summaries().unwrap().len(),
        4,
        "both kept"
    );
    let kept = app.browser().login("ｆｉｏｎａ@example.com", PASSWORD);
    let shadowed = app
        .browser()
        .login("ｆｉｏｎａ@example.com", OTHER_PASSWORD);
    assert_eq!(kept.status, Status::SeeOther);
    assert_eq!(shadowed.status, Status::Unauthorized);
    let fiona = portcullis::domain::Email::parse("fiona@example.com").unwrap();
    let owner = app.auth().accounts().by_email(&fiona).unwrap().unwrap();
    assert_eq!(owner.id, ids[1]);
    // `ß` and `ss` were two accounts; both are in normal form: the older one wins.
    assert_eq!(
        app.login_status("STRASSE@example.com", PASSWORD),
        Status::SeeOther
    );
    assert_eq!(
        app.login_status("strasse@example.com", OTHER_PASSWORD),
        Status::Unauthorized
    );
}

#[test]
fn the_skeleton_index_is_rebuilt_when_the_confusables_data_changes() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    {
        let app = TestApp::spawn_in(dir.clone(), &[]);
        crate::helpers::registered(&app, "fiona@example.com");
    }
    {
        // As if an older build with other confusables data had built the index.
        let db = sled::open(dir.path().join("db")).unwrap();
        db.open_tree("email_skeletons").unwrap().clear().unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert("skeleton_unicode_version", "15.1.0").unwrap();
        db.flush().unwrap();
    }

    let app = TestApp::spawn_in(dir.clone(), &[]);

    let look_alike = app.browser().register("fіona@example.com", OTHER_PASSWORD);
    assert_eq!(look_alike.status, Status::Conflict);
    assert_eq!(
        app.login_status("fiona@example.com", PASSWORD),
        Status::SeeOther
    );
}

#[test]
fn a_data_dir_from_a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path().join("db")).unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert("schema_version", &99u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }

    let opened = portcullis::store::Store::open(&dir.path().join("db"));

    let message = opened.err().expect("refused").to_string();
    assert!(message.contains("schema version 99"), "{message}");
}
