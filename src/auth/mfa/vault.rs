//! The key that seals TOTP secrets at rest: `factor-secrets.paserk` in the data dir
//! (a PASERK `k4.local` key, mode 0600, made on first use). A secret is sealed as a
//! PASETO v4.local message (XChaCha20 + BLAKE2b-MAC) whose implicit assertion names
//! its user, so a sealed secret copied onto another account does not open.

use std::fs;
use std::path::Path;

use pasetors::Local;
use pasetors::keys::SymmetricKey;
use pasetors::token::UntrustedToken;
use pasetors::version4::{LocalToken, V4};

use crate::domain::UserId;
use crate::token::KeyError;

/// Name of the key file in the data dir.
pub const FILE: &str = "factor-secrets.paserk";

/// Seals and opens second-factor secrets.
pub struct Vault(SymmetricKey<V4>);

impl Vault {
    /// Loads the key from `data_dir`, creating it when missing.
    pub fn load_or_create(data_dir: &Path) -> Result<Vault, KeyError> {
        let path = data_dir.join(FILE);
        let io = |source| KeyError::Io {
            path: path.clone(),
            source,
        };
        match fs::read_to_string(&path) {
            Ok(text) => SymmetricKey::<V4>::try_from(text.trim())
                .map(Vault)
                .map_err(|_| KeyError::Malformed(path.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::token::keys::write_key_file(&path).map(Vault)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Seals `secret` (base32 text) for `user`.
    pub fn seal(&self, user: &UserId, secret: &str) -> String {
        LocalToken::encrypt(&self.0, secret.as_bytes(), None, Some(&assertion(user)))
            .expect("v4.local encryption of a non-empty payload cannot fail")
    }

    /// Opens what [`Vault::seal`] made for `user`; `None` for anything else.
    pub fn open(&self, user: &UserId, sealed: &str) -> Option<String> {
        let untrusted = UntrustedToken::<Local, V4>::try_from(sealed).ok()?;
        let trusted =
            LocalToken::decrypt(&self.0, &untrusted, None, Some(&assertion(user))).ok()?;
        Some(trusted.payload().to_owned())
    }
}

fn assertion(user: &UserId) -> Vec<u8> {
    [b"portcullis/totp-secret/".as_slice(), user.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_user_and_under_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::load_or_create(dir.path()).unwrap();
        let (alice, bob) = (UserId::random(), UserId::random());
        let sealed = vault.seal(&alice, "JBSWY3DPEHPK3PXP");
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            vault.open(&alice, &sealed).as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(vault.open(&bob, &sealed), None);
        let again = Vault::load_or_create(dir.path()).unwrap();
        assert_eq!(
            again.open(&alice, &sealed).as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        let other = Vault::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert_eq!(other.open(&alice, &sealed), None);
    }
}
