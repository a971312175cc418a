//! What a session's proofs mean to forward auth (SPEC §10): a `two_factor` rule
//! sends an `aal` 1 session to the second step (or to enrolment when the user has
//! no factor yet), an old authentication under `max_auth_age` to re-authentication,
//! and a user who must enrol a second factor and has none is let through nowhere.
//! Everything here is memory only, except the factor lookup for a user sent to the
//! second step and for an `aal` 1 user the second-factor policy applies to.

use super::rules::{Decision, Proof, Rules};
use super::target::Target;
use crate::auth::{Auth, Identity};

/// The rules' decision for the signed-in `me`, with the second-factor policy.
pub fn decide(target: &Target, me: &Identity, rules: &Rules, auth: &Auth) -> Decision {
    let now = auth.now();
    let proof = Proof {
        aal: me.aal,
        auth_age: now.saturating_sub(me.auth_at),
        factor_age: now.saturating_sub(me.factor_at),
    };
    let decision = rules.decide_with(target, Some(&me.user), proof);
    let factors = auth.factors();
    match decision {
        Decision::Forbid | Decision::Login => decision,
        _ if factors.must_enrol(me) => Decision::Enrol,
        // Fails closed: a store that cannot say sends the user to enrol, which
        // lets nothing through.
        Decision::SecondFactor if !factors.has_any(&me.user.id).unwrap_or(false) => Decision::Enrol,
        _ => decision,
    }
}

/// The portal page a decision that is neither "yes" nor "no" sends the user to.
pub fn portal_path(decision: Decision) -> &'static str {
    match decision {
        Decision::StepUp => "/reauth",
        Decision::SecondFactor => "/login/second-factor",
        Decision::Enrol => "/account/security",
        _ => "/login",
    }
}

/// The JSON `error` code and message for a script that is not let through yet.
pub fn json_reason(decision: Decision) -> (&'static str, &'static str) {
    match decision {
        Decision::StepUp => (
            "reauthentication_required",
            "Confirm your password again: this address needs a recent sign-in.",
        ),
        Decision::SecondFactor => (
            "second_factor_required",
            "This address needs a second factor: confirm it on the portal.",
        ),
        Decision::Enrol => (
            "second_factor_enrolment_required",
            "Set up a second factor on the portal first.",
        ),
        _ => ("unauthenticated", "Sign in first."),
    }
}
