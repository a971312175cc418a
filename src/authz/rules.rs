//! Access rules (SPEC §5): compiled once at launch from `access_rules`, then matched
//! in memory on every forward-auth request. The first matching rule wins; when none
//! matches, `default_policy` decides.
//!
//! A rule matches on the canonical host (exact, or `*.example.com` for any subdomain
//! at any depth, never `example.com` itself), on its path regexes (any of them; none
//! means every path) and on its methods (none means every method).
//!
//! Paths are matched after percent-decoding (see [`super::target`], which refuses the
//! paths where decoding could change their meaning). Where upstream apps may still
//! read one path two ways, every reading is judged and the strictest answer wins,
//! so a `deny` catches each reading while an `allow` never opens more than it names:
//! - letter case: once with the regexes as written and once case-insensitively
//!   (`^/admin` denied also denies `/ADMIN`);
//! - compatibility characters: the decoded path and its NFKC form (`^/admin` denied
//!   also denies `/ａｄｍｉｎ`, fullwidth).

use regex::{Regex, RegexBuilder};

use super::target::Target;
use crate::auth::UserView;
use crate::config::{AccessRule, Policy};

/// Why a rule cannot be compiled; the message names the rule.
#[derive(Debug, thiserror::Error)]
#[error("access_rules[{index}] (domain {domain:?}): {problem}")]
pub struct RuleError {
    /// Zero-based position in `access_rules`.
    pub index: usize,
    /// The rule's `domain` as written.
    pub domain: String,
    /// What is wrong with it.
    pub problem: String,
}

/// What the rules say about one request for one (possibly anonymous) user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    /// Let it through.
    Allow,
    /// The rule's `max_auth_age` has passed: confirm again (re-authentication).
    StepUp,
    /// The rule is `two_factor` and the session passed only a password.
    SecondFactor,
    /// A second factor is required of this user and they have none: enrol first.
    Enrol,
    /// Nobody is logged in and the rule needs somebody: send them to the portal.
    Login,
    /// Refuse, whoever asks.
    Forbid,
}

/// The compiled rules, held in Rocket state.
#[derive(Debug)]
pub struct Rules {
    rules: Vec<Rule>,
    default: Policy,
}

#[derive(Debug)]
struct Rule {
    host: HostPattern,
    /// Each regex as written, and its case-insensitive twin.
    paths: Vec<(Regex, Regex)>,
    /// Upper-cased; empty means every method.
    methods: Vec<String>,
    policy: Policy,
    groups: Vec<String>,
    /// `max_auth_age` in seconds.
    max_age: Option<i64>,
}

/// How the asking session was authenticated, as ages at the time of the request
/// (SPEC §10): what `two_factor` and `max_auth_age` judge.
#[derive(Debug, Clone, Copy)]
pub struct Proof {
    /// 2 after a second factor, else 1.
    pub aal: u8,
    /// Seconds since the password was last entered.
    pub auth_age: i64,
    /// Seconds since the second factor was last proven (meaningless at `aal` 1).
    pub factor_age: i64,
}

impl Proof {
    /// Everything proven just now: only the policies and groups decide.
    pub const FULL: Proof = Proof {
        aal: 2,
        auth_age: 0,
        factor_age: 0,
    };
}

#[derive(Debug, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    /// `*.example.com`, stored as `.example.com`.
    Subdomains(String),
}

#[derive(Clone, Copy)]
enum Case {
    AsWritten,
    Insensitive,
}

impl Rules {
    /// Compiles `access_rules`; any bad rule is refused with its index and the reason.
    pub fn compile(default: Policy, rules: &[AccessRule]) -> Result<Rules, RuleError> {
        let rules = rules
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                Rule::compile(rule).map_err(|problem| RuleError {
                    index,
                    domain: rule.domain.clone(),
                    problem,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Rules { rules, default })
    }

    /// Judges `target` for `user` (`None`: anonymous): the strictest answer over
    /// every reading of its path, case-sensitive and case-insensitive.
    pub fn decide(&self, target: &Target, user: Option<&UserView>) -> Decision {
        self.decide_with(target, user, Proof::FULL)
    }

    /// [`Rules::decide`] for a session authenticated as `proof` says: a
    /// `two_factor` rule wants `aal` 2, a `max_auth_age` a recent enough proof.
    pub fn decide_with(&self, target: &Target, user: Option<&UserView>, proof: Proof) -> Decision {
        target
            .readings()
            .flat_map(|path| [Case::AsWritten, Case::Insensitive].map(|case| (case, path)))
            .map(|(case, path)| self.decide_as(case, target, path, user, proof))
            .max()
            .unwrap_or(Decision::Forbid)
    }

    fn decide_as(
        &self,
        case: Case,
        target: &Target,
        path: &str,
        user: Option<&UserView>,
        proof: Proof,
    ) -> Decision {
        let matching = |rule: &&Rule| rule.matches(case, target, path);
        let (policy, groups, max_age) = match self.rules.iter().find(matching) {
            Some(rule) => (rule.policy, &rule.groups[..], rule.max_age),
            None => (self.default, &[][..], None),
        };
        let decision = judge(policy, groups, user);
        if decision != Decision::Allow || user.is_none() {
            return decision;
        }
        proven(policy, max_age, proof)
    }
}

/// Whether `proof` satisfies an allowing rule's `policy` and `max_age`.
fn proven(policy: Policy, max_age: Option<i64>, proof: Proof) -> Decision {
    let two = policy == Policy::TwoFactor;
    if two && proof.aal < 2 {
        return Decision::SecondFactor;
    }
    let age = if two {
        proof.factor_age
    } else {
        proof.auth_age
    };
    match max_age {
        Some(max) if age > max => Decision::StepUp,
        _ => Decision::Allow,
    }
}

fn judge(policy: Policy, groups: &[String], user: Option<&UserView>) -> Decision {
    match (policy, user) {
        (Policy::Allow, _) => Decision::Allow,
        (Policy::Deny, _) => Decision::Forbid,
        (Policy::Authenticated | Policy::TwoFactor, None) => Decision::Login,
        (Policy::Authenticated | Policy::TwoFactor, Some(user)) => {
            let member = groups.is_empty() || user.groups.iter().any(|g| groups.contains(g));
            if member {
                Decision::Allow
            } else {
                Decision::Forbid
            }
        }
    }
}

impl Rule {
    fn compile(rule: &AccessRule) -> Result<Rule, String> {
        let host = HostPattern::parse(&rule.domain)?;
        let paths = rule
            .resources
            .iter()
            .map(|source| {
                let build = |insensitive| {
                    RegexBuilder::new(source)
                        .case_insensitive(insensitive)
                        .build()
                        .map_err(|e| format!("resource {source:?} is not a valid regex: {e}"))
                };
                Ok((build(false)?, build(true)?))
            })
            .collect::<Result<_, String>>()?;
        let methods = rule
            .methods
            .iter()
            .map(|m| {
                super::target::method_token(m)
                    .ok_or_else(|| format!("method {m:?} is not an HTTP method name"))
            })
            .collect::<Result<_, String>>()?;
        let needs_user = matches!(rule.policy, Policy::Authenticated | Policy::TwoFactor);
        if !rule.groups.is_empty() && !needs_user {
            return Err(
                "`groups` only applies to policy = \"authenticated\" or \"two_factor\"".into(),
            );
        }
        if rule.max_auth_age.is_some() && !needs_user {
            return Err(
                "`max_auth_age` only applies to policy = \"authenticated\" or \"two_factor\""
                    .into(),
            );
        }
        let max_age = rule
            .max_auth_age
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        if rule.groups.iter().any(|g| g.trim().is_empty()) {
            return Err("a group name is empty".into());
        }
        Ok(Rule {
            host,
            paths,
            methods,
            policy: rule.policy,
            groups: rule.groups.clone(),
            max_age,
        })
    }

    fn matches(&self, case: Case, target: &Target, path: &str) -> bool {
        let host = match &self.host {
            HostPattern::Exact(host) => *host == target.host,
            HostPattern::Subdomains(suffix) => {
                target.host.len() > suffix.len() && target.host.ends_with(suffix.as_str())
            }
        };
        let path = self.paths.is_empty()
            || self.paths.iter().any(|(exact, folded)| match case {
                Case::AsWritten => exact.is_match(path),
                Case::Insensitive => folded.is_match(path),
            });
        let method = self.methods.is_empty() || self.methods.contains(&target.method);
        host && path && method
    }
}

impl HostPattern {
    /// `wiki.example.com` or `*.example.com`: canonical (lower case, no trailing dot),
    /// no port, scheme or path.
    fn parse(domain: &str) -> Result<HostPattern, String> {
        let canon = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let (wildcard, name) = match canon.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, canon.as_str()),
        };
        let valid = !name.is_empty()
            && !name.starts_with('.')
            && !name.contains("..")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid {
            return Err(
                "domain must be a host name (`wiki.example.com`) or `*.example.com`, \
                 without scheme, port or path"
                    .into(),
            );
        }
        Ok(if wildcard {
            HostPattern::Subdomains(format!(".{name}"))
        } else {
            HostPattern::Exact(name.to_owned())
        })
    }
}

#[cfg(test)]
mod tests;
