//! Running for months (SPEC §12): the `GET /metrics` series ([`metrics`], served by
//! [`routes`]), one structured log line per request ([`request_log`], written
//! through [`logging`]), and the fairing that starts the sweeper
//! ([`crate::auth::Sweeper`]) when the server lifts off and stops it on shutdown.

pub mod logging;
pub mod metrics;
pub mod request_log;
pub mod routes;
pub mod staleness;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};

use crate::auth::{Auth, Sweeper};

/// Starts the sweeper on liftoff: one pass at once (awaited, so the server starts
/// with the live-sessions gauge set), then one every `sweep_interval` on a blocking
/// thread, until Rocket shuts down.
pub struct SweeperTask;

#[rocket::async_trait]
impl Fairing for SweeperTask {
    fn info(&self) -> Info {
        Info {
            name: "Portcullis sweeper",
            kind: Kind::Liftoff | Kind::Singleton,
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(auth) = rocket.state::<Auth>() else {
            return;
        };
        let sweeper = auth.sweeper();
        pass(sweeper.clone()).await;
        let mut shutdown = rocket.shutdown();
        rocket::tokio::spawn(async move {
            loop {
                rocket::tokio::select! {
                    _ = rocket::tokio::time::sleep(sweeper.interval()) => pass(sweeper.clone()).await,
                    _ = &mut shutdown => break,
                }
            }
        });
    }
}

/// One sweeper pass off the async workers; a failure is logged and retried at the
/// next interval.
async fn pass(sweeper: Sweeper) {
    match rocket::tokio::task::spawn_blocking(move || sweeper.run_once()).await {
        Ok(Ok(Some(report))) => rocket::debug!("sweeper: {report:?}"),
        Ok(Ok(None)) => {}
        Ok(Err(e)) => rocket::error!("sweeper pass failed: {e}"),
        Err(e) => rocket::error!("sweeper pass did not finish: {e}"),
    }
}
