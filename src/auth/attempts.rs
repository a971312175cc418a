//! One check of a known account's password outside login (re-authentication, a
//! password change), under the same rules as a login (SPEC §8, issue 15): it counts
//! against the account's back-off and its 100-failure lock before the hash runs, it
//! needs a slot in the hashing pool, a right password forgets the failures, and a
//! wrong one is durable before it is answered, like a revocation.

use std::net::IpAddr;

use super::{Auth, Client, InternalError};
use crate::domain::audit::AuditKind;
use crate::domain::throttle::counted_address;
use crate::domain::{Email, Password, User};
use crate::hashing::{HashPermit, Hasher};

/// The outcome of [`Auth::check_password`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PasswordCheck {
    /// The password is right.
    Right,
    /// The password is wrong (counted).
    Wrong,
    /// Not checked: the account must wait this many seconds (or is locked).
    Throttled(i64),
}

/// The throttle and hashing-pool key of an account: its normalised email key.
pub(super) fn account_key(user: &User) -> String {
    Email::parse(&user.email).map_or_else(|_| user.email.clone(), |e| e.key())
}

impl Auth {
    /// The hashing pool, for tools and tests that take a slot themselves.
    pub fn hasher(&self) -> &Hasher {
        &self.hasher
    }

    /// The address the client's attempts are counted under (IPv6 by prefix).
    pub(super) fn counted_ip(&self, client: &Client) -> Option<IpAddr> {
        let prefix = self.config.ipv6_prefix_length;
        client.ip.map(|ip| counted_address(ip, prefix))
    }

    /// A hashing slot for a job about the account keyed `key`; `Busy` at once when
    /// the account or the pool is at its bound.
    pub(super) fn admit_hash(&self, key: &str) -> Result<HashPermit, InternalError> {
        Ok(self.hasher.admit(key)?)
    }

    /// Checks `password` against `user`'s, as one throttled attempt (see the module
    /// documentation).
    pub(super) async fn check_password(
        &self,
        user: &User,
        password: &Password,
        client: &Client,
    ) -> Result<PasswordCheck, InternalError> {
        let key = account_key(user);
        let permit = self.admit_hash(&key)?;
        let now = self.clock.now();
        if let Err(wait) = self.store.reserve_password_check(&key, now)? {
            self.audit(AuditKind::Throttled, Some(user.id), None, client);
            return Ok(PasswordCheck::Throttled(wait));
        }
        let phc = Some(user.password_hash.as_str());
        if self.hasher.verify(permit, password, phc).await {
            self.store.clear_login_failures(&key)?;
            Ok(PasswordCheck::Right)
        } else {
            self.store.flush().await?;
            Ok(PasswordCheck::Wrong)
        }
    }
}
