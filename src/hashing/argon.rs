//! argon2 itself, run in a hashing thread's working memory: a new hash, and the
//! check of a password against a stored one under that hash's own parameters.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use super::HashError;
use crate::domain::Password;

/// Runs argon2 for `argon`'s parameters into `out` in the thread's working memory
/// (a hash under larger, older parameters gets a one-off buffer).
fn compute(
    argon: &Argon2<'_>,
    password: &Password,
    salt: &[u8],
    out: &mut [u8],
    memory: &mut [Block],
) -> Result<(), HashError> {
    let needed = argon.params().block_count();
    let pwd = password.expose().as_bytes();
    let result = if memory.len() >= needed {
        argon.hash_password_into_with_memory(pwd, salt, out, memory)
    } else {
        let mut one_off = vec![Block::default(); needed];
        argon.hash_password_into_with_memory(pwd, salt, out, &mut one_off)
    };
    result.map_err(|e| HashError(e.to_string()))
}

/// A new PHC string for `password` under `argon`'s parameters, with a fresh salt.
pub(super) fn hash_now(
    argon: &Argon2<'_>,
    password: &Password,
    memory: &mut [Block],
) -> Result<String, HashError> {
    let error = |e: argon2::password_hash::Error| HashError(e.to_string());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(error)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(argon, password, salt_bytes, &mut out, memory)?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(error)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(error)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `phc` (compared in constant time).
pub(super) fn verify_now(
    phc: &str,
    password: &Password,
    memory: &mut [Block],
) -> Result<bool, HashError> {
    let error = |e: argon2::password_hash::Error| HashError(e.to_string());
    let hash = PasswordHash::new(phc).map_err(error)?;
    let algorithm = Algorithm::try_from(hash.algorithm).map_err(error)?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).map_err(|e| HashError(e.to_string()))?,
        None => Version::V0x13,
    };
    let params = Params::try_from(&hash).map_err(error)?;
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return Ok(false);
    };
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(error)?;
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    compute(&argon, password, salt_bytes, &mut out, memory)?;
    let actual = Output::new(&out).map_err(error)?;
    // `Output`'s equality is constant-time (subtle).
    Ok(actual == expected)
}
