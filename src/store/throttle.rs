//! Throttle counters, updated atomically (`update_and_fetch`) so concurrent attempts
//! are counted one by one.

use std::net::IpAddr;

use super::backend::Tree;
use super::{Store, StoreError};
use crate::domain::throttle::{Counter, IP_WINDOW, REGISTER_WINDOW};

fn account_key(email_key: &str) -> Vec<u8> {
    [b"acct:".as_slice(), email_key.as_bytes()].concat()
}

fn ip_key(prefix: &[u8], ip: Option<IpAddr>) -> Vec<u8> {
    let ip = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    [prefix, ip.as_bytes()].concat()
}

impl Store {
    /// Counts a login attempt for `email_key` from `ip` before the password is
    /// checked. `Err(seconds)` when the attempt must not be made at all.
    pub fn reserve_login(
        &self,
        email_key: &str,
        ip: Option<IpAddr>,
        now: i64,
        ip_limit: u32,
    ) -> Result<Result<(), i64>, StoreError> {
        let ip_wait = self.bump_window(&ip_key(b"ip:", ip), now, ip_limit, IP_WINDOW)?;
        if let Err(wait) = ip_wait {
            return Ok(Err(wait));
        }
        self.reserve_password_check(email_key, now)
    }

    /// Counts one check of `email_key`'s password (a login, a re-authentication,
    /// a password change) before it runs: the account's back-off and lock, shared by
    /// every route that takes its password. `Err(seconds)` when the check must not
    /// run at all.
    pub fn reserve_password_check(
        &self,
        email_key: &str,
        now: i64,
    ) -> Result<Result<(), i64>, StoreError> {
        let mut refused = None;
        self.update(Tree::Throttle, &account_key(email_key), |old| {
            let counter = old.map(Counter::from_bytes).unwrap_or_default();
            refused = counter.account_wait(now);
            let next = match refused {
                Some(_) => counter,
                None => Counter {
                    count: counter.count + 1,
                    since: now,
                },
            };
            Some(next.to_bytes().to_vec())
        })?;
        Ok(refused.map_or(Ok(()), Err))
    }

    /// A login succeeded: the account's failures are forgotten and the attempt no
    /// longer counts against the IP.
    pub fn login_succeeded(&self, email_key: &str, ip: Option<IpAddr>) -> Result<(), StoreError> {
        self.backend
            .remove(Tree::Throttle, &account_key(email_key))?;
        self.update(Tree::Throttle, &ip_key(b"ip:", ip), |old| {
            let counter = Counter::from_bytes(old?);
            Some(
                Counter {
                    count: counter.count.saturating_sub(1),
                    ..counter
                }
                .to_bytes()
                .to_vec(),
            )
        })
    }

    /// A right password whose second factor is still to come: this attempt no
    /// longer counts, but earlier failures (wrong codes among them) are kept, so
    /// entering the password again buys no fresh guesses at the code.
    pub fn login_half_succeeded(&self, email_key: &str) -> Result<(), StoreError> {
        self.update(Tree::Throttle, &account_key(email_key), |old| {
            let counter = Counter::from_bytes(old?);
            let count = counter.count.saturating_sub(1);
            (count > 0).then(|| Counter { count, ..counter }.to_bytes().to_vec())
        })
    }

    /// Forgets an account's failures (its password was right, or was reset).
    pub fn clear_login_failures(&self, email_key: &str) -> Result<(), StoreError> {
        self.backend
            .remove(Tree::Throttle, &account_key(email_key))?;
        Ok(())
    }

    /// Counts a registration (or invite/reset use) from `ip`; `Err(seconds)` when
    /// over `limit` per minute.
    pub fn reserve_registration(
        &self,
        ip: Option<IpAddr>,
        now: i64,
        limit: u32,
    ) -> Result<Result<(), i64>, StoreError> {
        self.bump_window(&ip_key(b"reg:", ip), now, limit, REGISTER_WINDOW)
    }

    fn bump_window(
        &self,
        key: &[u8],
        now: i64,
        limit: u32,
        length: i64,
    ) -> Result<Result<(), i64>, StoreError> {
        let mut refused = None;
        self.update(Tree::Throttle, key, |old| {
            let counter = old.map(Counter::from_bytes).unwrap_or_default();
            refused = counter.window_wait(now, limit, length);
            let next = if refused.is_some() {
                counter
            } else {
                counter.window_bump(now, length)
            };
            Some(next.to_bytes().to_vec())
        })?;
        Ok(refused.map_or(Ok(()), Err))
    }
}
