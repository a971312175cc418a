//! The command line (SPEC §7) against a temporary data dir, then the server on the
//! same dir to see the effect as a user would.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp, only_the_new_password_opens, registered};

const NEW_PASSWORD: &str = "a different long passphrase";

/// Runs `portcullis args…` on `dir` with cheap argon2, feeding `stdin` if given.
pub fn portcullis(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .current_dir(dir)
        .env("PORTCULLIS_DATA_DIR", dir.join("data"))
        .env("PORTCULLIS_ARGON2_MEMORY_KIB", "256")
        .env("PORTCULLIS_ARGON2_ITERATIONS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the portcullis binary runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A server on the data dir the commands used.
fn server(dir: &Arc<tempfile::TempDir>) -> TestApp {
    let data = dir.path().join("data").display().to_string();
    TestApp::spawn_in(dir.clone(), &[("data_dir", data.into())])
}

/// The session cookie of user@example.com, registered on a server on `dir`.
fn session_on(dir: &Arc<tempfile::TempDir>) -> String {
    let app = server(dir);
    let browser = registered(&app, "user@example.com");
    browser.session_cookie().unwrap()
}

/// The status a browser holding the session `cookie` gets for `/account`.
fn account_status(app: &TestApp, cookie: String) -> Status {
    let mut browser = app.browser();
    browser.cookies.insert("portcullis".into(), cookie);
    browser.get("/account").status
}

#[test]
fn user_add_list_passwd_disable_enable_work_on_the_data_dir() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let line = format!("{PASSWORD}\n");
    let added = portcullis(
        dir.path(),
        &[
            "user",
            "add",
            "Root@Example.com",
            "--admin",
            "--groups",
            "ops",
            "--password-stdin",
        ],
        Some(&line),
    );
    assert!(added.status.success(), "{}", text(&added));
    let plain = portcullis(
        dir.path(),
        &["user", "add", "user@example.com", "--password-stdin"],
        Some(&format!("{PASSWORD}\r\n")),
    );
    assert!(plain.status.success(), "{}", text(&plain));

    let list = portcullis(dir.path(), &["user", "list"], None);
    let listed = text(&list);
    assert!(list.status.success());
    assert!(
        listed.contains("Root@Example.com") && listed.contains("ops,admin"),
        "{listed}"
    );
    assert!(listed.contains("user@example.com"));

    {
        let app = server(&dir);
        let mut admin = app.browser();
        assert_eq!(
            admin.login("root@example.com", PASSWORD).status,
            Status::SeeOther
        );
        assert_eq!(admin.get("/admin").status, Status::Ok);
        // `--password-stdin` dropped the CR LF: the password is exactly the line.
        let user = app.login_status("user@example.com", PASSWORD);
        assert_eq!(user, Status::SeeOther);
    }

    let changed = portcullis(
        dir.path(),
        &["user", "passwd", "user@example.com", "--password-stdin"],
        Some(&format!("{NEW_PASSWORD}\n")),
    );
    assert!(changed.status.success(), "{}", text(&changed));
    let disabled = portcullis(dir.path(), &["user", "disable", "root@example.com"], None);
    assert!(!disabled.status.success(), "the last admin stays enabled");
    assert!(text(&disabled).contains("no enabled administrator"));
    let disabled = portcullis(dir.path(), &["user", "disable", "user@example.com"], None);
    assert!(disabled.status.success(), "{}", text(&disabled));
    let refused = server(&dir).login_status("user@example.com", NEW_PASSWORD);
    assert_eq!(refused, Status::Unauthorized);
    let enabled = portcullis(dir.path(), &["user", "enable", "user@example.com"], None);
    assert!(enabled.status.success());
    only_the_new_password_opens(&server(&dir), "user@example.com", NEW_PASSWORD);
}

#[test]
fn logout_everywhere_from_the_command_line_ends_sessions() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let cookie = session_on(&dir);
    let out = portcullis(
        dir.path(),
        &["user", "logout-everywhere", "USER@example.com"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let account = account_status(&server(&dir), cookie);
    assert_eq!(account, Status::SeeOther);
}

#[test]
fn bad_input_fails_clearly_without_echoing_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let weak = portcullis(
        dir.path(),
        &["user", "add", "a@example.com", "--password-stdin"],
        Some("hunter2hunter\n"),
    );
    assert!(!weak.status.success());
    let said = text(&weak);
    assert!(said.contains("common") || said.contains("guess"), "{said}");
    assert!(!said.contains("hunter2hunter"));

    let no_tty = portcullis(dir.path(), &["user", "add", "a@example.com"], None);
    assert!(!no_tty.status.success());
    assert!(text(&no_tty).contains("--password-stdin"));

    let bad_email = portcullis(
        dir.path(),
        &["user", "add", "not-an-email", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(!bad_email.status.success());
    let unknown = portcullis(dir.path(), &["user", "disable", "ghost@example.com"], None);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("no account with email ghost@example.com"));
}

#[test]
fn commands_refuse_a_store_held_by_a_running_server_at_once() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let app = server(&dir);
    registered(&app, "user@example.com");
    for args in [
        &["user", "list"][..],
        &["user", "disable", "user@example.com"],
        &["backup", "copy.tar"],
    ] {
        let out = portcullis(dir.path(), args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        let said = text(&out);
        assert!(
            said.contains("in use by another Portcullis process"),
            "{args:?}: {said}"
        );
        assert!(!said.contains("panicked"));
    }
    let fresh = app.login_status("user@example.com", PASSWORD);
    assert_eq!(fresh, Status::SeeOther);
}

#[test]
fn keys_rotate_keeps_old_tokens_valid_and_mints_with_the_new_key() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let cookie = session_on(&dir);
    let out = portcullis(dir.path(), &["keys", "rotate"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("k4.lid."));
    assert!(dir.path().join("data/keys/0002.paserk").is_file());

    let app = server(&dir);
    let old = account_status(&app, cookie);
    assert_eq!(old, Status::Ok, "old key still opens");
    let mut fresh = app.browser();
    fresh.login("user@example.com", PASSWORD);
    assert_eq!(fresh.get("/account").status, Status::Ok);
}

#[test]
fn backup_is_a_complete_data_dir_that_a_server_can_start_from() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let cookie = session_on(&dir);
    let out = portcullis(dir.path(), &["backup", "backup.tar"], None);
    assert!(out.status.success(), "{}", text(&out));
    let archive = dir.path().join("backup.tar");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "the backup holds keys: owner only");

    let restored = Arc::new(tempfile::tempdir().unwrap());
    let data = restored.path().join("data");
    std::fs::create_dir(&data).unwrap();
    tar::Archive::new(std::fs::File::open(&archive).unwrap())
        .unpack(&data)
        .unwrap();
    let app = server(&restored);
    assert_eq!(account_status(&app, cookie), Status::Ok, "sessions survive");
    let again = app.login_status("user@example.com", PASSWORD);
    assert_eq!(again, Status::SeeOther);
}

#[test]
fn commands_open_the_data_dir_as_the_server_does() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let first = portcullis(dir.path(), &["user", "list"], None);
    assert!(first.status.success(), "{}", text(&first));
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, 0o700,
        "the data dir holds keys: nobody else may list it"
    );

    // A key retired long ago is dropped by a command too, not only by the server.
    let rotated = portcullis(dir.path(), &["keys", "rotate"], None);
    assert!(rotated.status.success(), "{}", text(&rotated));
    std::fs::write(data.join("keys/0001.retired"), "0\n").unwrap();
    let again = portcullis(dir.path(), &["user", "list"], None);
    assert!(again.status.success(), "{}", text(&again));
    assert!(!data.join("keys/0001.paserk").exists());
    assert!(data.join("keys/0002.paserk").exists());
}
