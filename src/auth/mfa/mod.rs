//! The second-factor capability (SPEC §10), `auth.factors()`: enrolling and
//! removing an authenticator app, recovery codes, and the second step of a login.
//!
//! After a correct password, a user with a factor gets a pending login (a random
//! token, stored as a digest, 5 minutes, single use) instead of a session. The
//! second step takes that token and a code; it is counted against the same
//! per-account and per-IP limits as passwords *before* the code is checked, and the
//! account's failures are forgotten only once it passes, so knowing the password
//! buys no extra guesses at the code. Only then is a session opened, with a new id
//! and `amr` recording the factor.

mod login;
mod policy;
mod totp;
pub mod vault;

pub use totp::{code_at, matching_step};

use super::commit::Audit;
use super::{Auth, Client, Identity, InternalError, Issued};
use crate::domain::EndReason;
use crate::domain::audit::AuditKind;
use crate::domain::factors::{Factors, Totp, as_totp_code, new_recovery_codes};
use crate::store::{Change, Ends, StoreError};

/// Why a second-factor step was refused.
#[derive(Debug, thiserror::Error)]
pub enum FactorError {
    /// The code is wrong, already used, or outside the window.
    #[error("That code is not valid. Enter the current code from your app, or a recovery code.")]
    WrongCode,
    /// No pending login for this token (unknown, used or older than 5 minutes).
    #[error("Your sign-in took too long or was already used. Sign in again.")]
    NoPending,
    /// Nothing is being enrolled.
    #[error("Start again: no authenticator app is being set up.")]
    NotEnrolling,
    /// Too many failed attempts; retry after this many seconds.
    #[error("Too many attempts. Try again in {0}s.")]
    Throttled(i64),
    /// Not the user's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<StoreError> for FactorError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.into())
    }
}

/// What the enrolment page shows.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret, base32.
    pub secret: String,
    /// The `otpauth://` URI.
    pub uri: String,
    /// The URI as an inline SVG QR code.
    pub qr_svg: String,
}

/// The second-factor capability; `auth.factors()`.
#[derive(Clone, Copy)]
pub struct FactorsOf<'a>(pub(super) &'a Auth);

impl Auth {
    /// Second factors: TOTP, recovery codes, the second login step.
    pub fn factors(&self) -> FactorsOf<'_> {
        FactorsOf(self)
    }
}

impl FactorsOf<'_> {
    /// The factors of `user`.
    pub fn of(self, user: &crate::domain::UserId) -> Result<Factors, StoreError> {
        self.0.store.factors(user)
    }

    /// Draws a new secret for `me` to enrol; it counts only once confirmed.
    pub async fn start_totp(self, me: &Identity) -> Result<Enrolment, FactorError> {
        let auth = self.0;
        let secret = totp::new_secret();
        let sealed = auth.vault.seal(&me.user.id, &secret);
        let created_at = auth.clock.now();
        auth.store.edit_factors(&me.user.id, |f| {
            f.enrolling = Some(Totp {
                sealed: sealed.clone(),
                created_at,
                last_step: 0,
            });
        })?;
        auth.store.flush().await?;
        self.enrolment(me)?.ok_or(FactorError::NotEnrolling)
    }

    /// The secret `me` is enrolling, as the enrolment page shows it.
    pub fn enrolment(self, me: &Identity) -> Result<Option<Enrolment>, StoreError> {
        let auth = self.0;
        let Some(enrolling) = auth.store.factors(&me.user.id)?.enrolling else {
            return Ok(None);
        };
        let Some(secret) = auth.vault.open(&me.user.id, &enrolling.sealed) else {
            return Ok(None);
        };
        let host = auth.config.public_url.host_str().unwrap_or("localhost");
        let issuer = format!("Portcullis ({host})");
        let uri = totp::uri(&secret, &issuer, &me.user.email);
        let qr_svg = uri.as_deref().and_then(totp::qr_svg);
        Ok(uri.zip(qr_svg).map(|(uri, qr_svg)| Enrolment {
            secret,
            uri,
            qr_svg,
        }))
    }

    /// Confirms the secret being enrolled with one valid code. Returns the new
    /// recovery codes (to be shown once) when the user had none.
    pub async fn confirm_totp(
        self,
        me: &Identity,
        code: &str,
        client: &Client,
    ) -> Result<Option<Vec<String>>, FactorError> {
        let auth = self.0;
        let now = auth.clock.now();
        let user = me.user.id;
        let enrolling = auth.store.factors(&user)?.enrolling;
        let enrolling = enrolling.ok_or(FactorError::NotEnrolling)?;
        let secret = auth.vault.open(&user, &enrolling.sealed);
        let step = secret
            .zip(as_totp_code(code))
            .and_then(|(s, c)| matching_step(&s, &c, now, 0))
            .ok_or(FactorError::WrongCode)?;
        let (codes, digests) = new_recovery_codes();
        let fresh = auth.store.edit_factors(&user, |f| {
            let Some(pending) = f.enrolling.take() else {
                return false;
            };
            f.totp = Some(Totp {
                last_step: step,
                ..pending
            });
            let fresh = f.recovery.is_empty();
            if fresh {
                f.recovery = digests.clone();
            }
            fresh
        })?;
        auth.store.flush().await?;
        auth.audit(AuditKind::TotpEnabled, Some(user), Some(me.session), client);
        Ok(fresh.then_some(codes))
    }

    /// Removes the authenticator app and the recovery codes; every other session
    /// ends, this one continues with the returned token.
    pub async fn remove_totp(self, me: &Identity, client: &Client) -> Result<Issued, FactorError> {
        let auth = self.0;
        auth.store.remove_factors(&me.user.id)?;
        let issued = self.end_others(me, AuditKind::TotpRemoved, client).await?;
        Ok(issued)
    }

    /// Replaces every recovery code of `me` with 10 new ones (returned, to be
    /// shown once); every other session ends.
    pub async fn regenerate_recovery(
        self,
        me: &Identity,
        client: &Client,
    ) -> Result<(Vec<String>, Issued), FactorError> {
        let (codes, digests) = new_recovery_codes();
        self.0
            .store
            .edit_factors(&me.user.id, |f| f.recovery = digests.clone())?;
        let kind = AuditKind::RecoveryCodesCreated;
        let issued = self.end_others(me, kind, client).await?;
        Ok((codes, issued))
    }

    async fn end_others(
        self,
        me: &Identity,
        kind: AuditKind,
        client: &Client,
    ) -> Result<Issued, FactorError> {
        let auth = self.0;
        let session = auth
            .store
            .session(&me.session)?
            .ok_or(FactorError::NoPending)?;
        let device = session.device.clone();
        let issued = auth.reissue(session, me.user.generation);
        let reason = EndReason::OtherDevicesSignedOut { device };
        let change = Change::end(me.user.id, Ends::AllBut(me.session), reason)
            .keeping(issued.session.clone());
        auth.commit(change, Some(Audit(kind, Some(me.session))), client)
            .await?;
        Ok(issued)
    }

    /// An administrator (or the CLI) removes every factor of `user` and ends all
    /// their sessions; `false` when there is no such user.
    pub async fn reset(
        self,
        user: &crate::domain::UserId,
        client: &Client,
    ) -> Result<bool, StoreError> {
        let auth = self.0;
        let Some(record) = auth.store.user(user)? else {
            return Ok(false);
        };
        auth.store.remove_factors(user)?;
        auth.store.remove_passkeys(user)?;
        let change = Change::retire(record, EndReason::LoggedOutEverywhere);
        auth.commit(change, Some(Audit(AuditKind::FactorsReset, None)), client)
            .await?;
        Ok(true)
    }
}
