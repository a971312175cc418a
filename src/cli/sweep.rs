//! `portcullis sweep`: one sweeper pass (SPEC §12) on a stopped server's data dir,
//! what a running server does every `sweep_interval`.

use std::process::ExitCode;

use super::{Failure, config, finish, open_auth};

/// Runs one pass and prints what it deleted.
pub async fn sweep() -> ExitCode {
    finish(async {
        let auth = open_auth(config()?)?;
        let sweeper = auth.sweeper();
        let report = rocket::tokio::task::spawn_blocking(move || sweeper.run_once())
            .await
            .map_err(|e| Failure(format!("the sweep did not finish: {e}")))??
            .ok_or_else(|| Failure("the store closed during the sweep".into()))?;
        println!(
            "deleted {} sessions, {} revoked entries, {} throttle counters, {} links, {} token grants, {} audit records, {} pending logins, {} sign-in places; {} live sessions left",
            report.sessions,
            report.revoked,
            report.throttle,
            report.links,
            report.grants,
            report.audit,
            report.pending_logins,
            report.sign_in_places,
            report.live_sessions
        );
        Ok(())
    })
    .await
}
