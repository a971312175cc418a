//! The PASETO v4.local key ring: `keys/NNNN.paserk` files in the data dir, each one
//! line `k4.local.…` (PASERK), mode 0600. The highest number signs new tokens; every
//! key in the folder still opens tokens, found by the PASERK id (`k4.lid.…`) carried
//! in each token's footer.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use pasetors::footer::Footer;
use pasetors::keys::{Generate, SymmetricKey};
use pasetors::paserk::{FormatAsPaserk, Id};
use pasetors::version4::V4;

/// The key files cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the folder failed.
    #[error("key folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file is not a `k4.local` PASERK key (its content is never shown).
    #[error("key file {0} is not a PASERK k4.local key")]
    Malformed(PathBuf),
    /// Key generation failed.
    #[error("could not generate a key: {0}")]
    Generate(String),
}

/// A key that can open tokens.
pub(crate) struct Key {
    pub(crate) secret: SymmetricKey<V4>,
    /// The footer bytes naming this key, put on every token it mints.
    pub(crate) footer: Vec<u8>,
}

/// All known keys by PASERK id, and which one mints.
pub struct Keyring {
    keys: HashMap<String, Key>,
    current: String,
}

impl Keyring {
    /// Loads `dir`, creating it with a first key when it holds none.
    pub fn load_or_create(dir: &Path) -> Result<Keyring, KeyError> {
        let io = |source| KeyError::Io {
            path: dir.to_owned(),
            source,
        };
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)?;
        if key_files(dir)?.is_empty() {
            write_new_key(dir, 1)?;
        }
        let mut keys = HashMap::new();
        let mut current = String::new();
        for (_, path) in key_files(dir)? {
            let text = fs::read_to_string(&path).map_err(io)?;
            let secret = SymmetricKey::<V4>::try_from(text.trim())
                .map_err(|_| KeyError::Malformed(path.clone()))?;
            let id = paserk_id(&secret);
            let mut footer = Footer::new();
            footer.key_id(&Id::from(&secret));
            let footer = footer
                .to_string()
                .map_err(|e| KeyError::Generate(e.to_string()))?
                .into_bytes();
            current = id.clone();
            keys.insert(id, Key { secret, footer });
        }
        Ok(Keyring { keys, current })
    }

    /// Adds a new minting key to `dir` and returns its PASERK id; older keys stay.
    pub fn rotate(dir: &Path) -> Result<String, KeyError> {
        let next = key_files(dir)?.last().map_or(1, |(n, _)| n + 1);
        let secret = write_new_key(dir, next)?;
        Ok(paserk_id(&secret))
    }

    /// Drops the keys no token can still need. A key stops minting when a server
    /// starts with a newer one: that moment is kept in `NNNN.retired`, and once
    /// `keep_for` has passed since (the longest a token minted under it can still be
    /// presented, even expired, to slide a session) the key file is deleted.
    /// Returns the numbers of the keys dropped.
    pub fn retire_old(dir: &Path, now: i64, keep_for: i64) -> Result<Vec<u32>, KeyError> {
        let files = key_files(dir)?;
        let Some((_newest, older)) = files.split_last() else {
            return Ok(Vec::new());
        };
        let mut dropped = Vec::new();
        for (number, path) in older {
            let marker = dir.join(format!("{number:04}.retired"));
            let io = |source| KeyError::Io {
                path: marker.clone(),
                source,
            };
            match fs::read_to_string(&marker) {
                Ok(text) => {
                    // An unreadable marker restarts the wait rather than dropping a key.
                    let since = text.trim().parse::<i64>().unwrap_or(now);
                    if now - since > keep_for {
                        fs::remove_file(path).map_err(|source| KeyError::Io {
                            path: path.clone(),
                            source,
                        })?;
                        fs::remove_file(&marker).map_err(io)?;
                        dropped.push(*number);
                    } else if since == now && text.trim().parse::<i64>().is_err() {
                        fs::write(&marker, format!("{now}\n")).map_err(io)?;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    fs::write(&marker, format!("{now}\n")).map_err(io)?;
                }
                Err(e) => return Err(io(e)),
            }
        }
        Ok(dropped)
    }

    /// The key that mints new tokens, with its id.
    pub(crate) fn current(&self) -> (&str, &Key) {
        (&self.current, &self.keys[&self.current])
    }

    /// The key whose footer is exactly `footer`.
    pub(crate) fn by_footer(&self, footer: &[u8]) -> Option<&Key> {
        self.keys.values().find(|key| key.footer == footer)
    }

    /// The key with this PASERK id.
    #[cfg(test)]
    pub(crate) fn get(&self, id: &str) -> Option<&Key> {
        self.keys.get(id)
    }
}

fn paserk_id(secret: &SymmetricKey<V4>) -> String {
    let mut id = String::new();
    Id::from(secret)
        .fmt(&mut id)
        .expect("writing to a String cannot fail");
    id
}

/// `NNNN.paserk` files of `dir`, by number.
fn key_files(dir: &Path) -> Result<Vec<(u32, PathBuf)>, KeyError> {
    let entries = fs::read_dir(dir).map_err(|source| KeyError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<(u32, PathBuf)> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let number = path
                .file_name()?
                .to_str()?
                .strip_suffix(".paserk")?
                .parse()
                .ok()?;
            Some((number, path))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn write_new_key(dir: &Path, number: u32) -> Result<SymmetricKey<V4>, KeyError> {
    write_key_file(&dir.join(format!("{number:04}.paserk")))
}

/// Generates a v4.local key and writes it to `path` as PASERK, mode 0600, synced;
/// fails rather than overwrite an existing file.
pub(crate) fn write_key_file(path: &Path) -> Result<SymmetricKey<V4>, KeyError> {
    let secret = SymmetricKey::<V4>::generate().map_err(|e| KeyError::Generate(e.to_string()))?;
    let mut paserk = String::new();
    secret
        .fmt(&mut paserk)
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    writeln!(file, "{paserk}").map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_keys_are_dropped_only_after_everything_minted_under_them_is_dead() {
        let dir = tempfile::tempdir().unwrap();
        let first = Keyring::load_or_create(dir.path())
            .unwrap()
            .current()
            .0
            .to_owned();
        let second = Keyring::rotate(dir.path()).unwrap();
        // The first start with the new key marks the old one retired, keeps it.
        assert!(
            Keyring::retire_old(dir.path(), 1_000, 100)
                .unwrap()
                .is_empty()
        );
        let ring = Keyring::load_or_create(dir.path()).unwrap();
        assert!(ring.get(&first).is_some());
        assert_eq!(ring.current().0, second);
        // Still within keep_for: kept.
        assert!(
            Keyring::retire_old(dir.path(), 1_100, 100)
                .unwrap()
                .is_empty()
        );
        // Past it: dropped; the minting key never is.
        assert_eq!(
            Keyring::retire_old(dir.path(), 1_101, 100).unwrap(),
            vec![1]
        );
        let ring = Keyring::load_or_create(dir.path()).unwrap();
        assert!(ring.get(&first).is_none());
        assert_eq!(ring.current().0, second);
        assert!(
            Keyring::retire_old(dir.path(), 9_999, 100)
                .unwrap()
                .is_empty()
        );
    }
}
