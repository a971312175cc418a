//! The files on disk: the configuration file (not readable by everyone if it holds
//! a `secret_key`), and the data dir: present, the service user's alone, with
//! signing keys and Rocket's `secret_key`.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::Check;

/// Every data dir check, in order.
pub fn checks(dir: &Path) -> Vec<Check> {
    let shown = dir.display();
    let meta = match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => meta,
        Ok(_) => {
            return vec![Check::fail(
                format!("data_dir {shown} is not a directory"),
                "point data_dir at a directory (it is created, mode 0700, on first start)",
            )];
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return vec![Check::pass(format!(
                "data_dir {shown} does not exist yet: the server creates it (mode 0700) on first start"
            ))];
        }
        Err(e) => {
            return vec![Check::fail(
                format!("data_dir {shown} cannot be read: {e}"),
                "run the doctor as the server's user (e.g. sudo -u portcullis)",
            )];
        }
    };
    let mut checks = vec![owner(dir, &meta), private_tree(dir)];
    checks.push(signing_keys(dir));
    checks.push(secret_key(dir));
    checks
}

fn owner(dir: &Path, meta: &std::fs::Metadata) -> Check {
    // /proc/self belongs to the process's effective user.
    let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    match me {
        Some(me) if me != meta.uid() => Check::fail(
            format!(
                "data_dir {} belongs to uid {}, the doctor runs as uid {me}",
                dir.display(),
                meta.uid()
            ),
            "run the doctor as the server's user (e.g. sudo -u portcullis), or chown the data dir to it",
        ),
        _ => Check::pass(format!(
            "data_dir {} belongs to the user running the doctor",
            dir.display()
        )),
    }
}

/// Whether the data dir, the keys and the secret key have no group or other
/// permission bits. The dir's own mode is what keeps the database private (sled's
/// files follow the umask); the keys are checked too, in case the dir is opened up.
fn private_tree(dir: &Path) -> Check {
    let mut paths = vec![dir.to_path_buf(), dir.join("keys"), dir.join("secret_key")];
    if let Ok(entries) = std::fs::read_dir(dir.join("keys")) {
        paths.extend(entries.flatten().map(|e| e.path()));
    }
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Check::fail(
                format!(
                    "{} has mode {mode:04o}: other users may read sessions or keys",
                    path.display()
                ),
                format!("chmod -R go-rwx {}", dir.display()),
            );
        }
    }
    Check::pass("nothing in the data dir is readable by other users")
}

fn signing_keys(dir: &Path) -> Check {
    let keys = std::fs::read_dir(dir.join("keys"))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "paserk"))
                .count()
        })
        .unwrap_or(0);
    match keys {
        0 => Check::fail(
            "no signing key in keys/: no token can be minted or checked",
            "start the server once (it creates one), or run `portcullis keys rotate`",
        ),
        n => Check::pass(format!("{n} signing key(s) in keys/")),
    }
}

fn secret_key(dir: &Path) -> Check {
    // Rocket's own default key is all zeros, which means "not configured".
    let configured = crate::figment()
        .extract::<rocket::Config>()
        .is_ok_and(|c| !c.secret_key.is_zero());
    if configured {
        return Check::pass("Rocket's secret_key is set in the configuration");
    }
    match std::fs::metadata(dir.join("secret_key")) {
        Ok(meta) if meta.len() > 0 => Check::pass("Rocket's secret_key is kept in the data dir"),
        _ => Check::fail(
            "no secret_key in the configuration or the data dir: cookies cannot be decrypted across restarts",
            "start the server once (it generates <data_dir>/secret_key)",
        ),
    }
}

/// Which configuration file is read, and whether it gives a secret away.
pub fn config_file() -> Check {
    let Some(path) = crate::config_file() else {
        return Check::pass("no Rocket.toml: built-in defaults and PORTCULLIS_* variables");
    };
    let shown = path.display();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let holds_secret = text
        .lines()
        .any(|l| l.trim_start().starts_with("secret_key"));
    let mode = std::fs::metadata(&path).map_or(0, |m| m.permissions().mode() & 0o777);
    if holds_secret && mode & 0o004 != 0 {
        return Check::fail(
            format!(
                "{shown} holds a secret_key and is readable by every user (mode {mode:04o}): anyone on the machine can forge cookies"
            ),
            format!("chmod 640 {shown} (owner root, group of the server's user)"),
        );
    }
    Check::pass(format!("configuration read from {shown}"))
}
