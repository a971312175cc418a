//! `portcullis doctor [--url <public url>]` (SPEC §12): the checks of
//! [`portcullis::doctor`] as ✓/✗ lines with their fixes, exit status 1 on any ✗.
//! With `--url`, one request goes through the reverse proxy to `/doctor/probe`,
//! which answers what arrived (it answers clients on the server's machine only, so
//! run the doctor there).

use std::process::ExitCode;

use portcullis::config::Config;
use portcullis::doctor::live::{self, Seen};
use portcullis::doctor::{self, Check, Report};
use url::Url;

use super::config;

/// Runs every check and prints the report.
pub async fn doctor(url: Option<String>) -> ExitCode {
    let config = match config() {
        Ok(config) => config,
        Err(e) => {
            println!(
                "configuration\n  ✗ {}\n      fix: correct that key in Rocket.toml or its PORTCULLIS_* variable",
                e.0
            );
            return ExitCode::FAILURE;
        }
    };
    let report = rocket::tokio::task::spawn_blocking(move || {
        let mut report = doctor::offline(&config);
        if let Some(url) = url {
            report.add("through the proxy", through_proxy(&config, &url));
        }
        report
    })
    .await
    .unwrap_or_else(|_| Report::default());
    print!("{}", report.to_text());
    if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The live checks: one probe request to `url` (the portal's public URL).
fn through_proxy(config: &Config, url: &str) -> Vec<Check> {
    let url = match Url::parse(url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => url,
        _ => {
            return vec![Check::fail(
                format!("--url {url:?} is not an http(s) URL"),
                "pass the portal's public URL, e.g. --url https://auth.example.com",
            )];
        }
    };
    let mut checks = vec![same_origin(config, &url)];
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let probe = format!("{}/doctor/probe", url.as_str().trim_end_matches('/'));
    let name = portcullis::web::session::cookie_name(config);
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(10))
        .redirects(0)
        .build();
    let answer = agent
        .get(&probe)
        .set("Cookie", &format!("{name}=doctor-probe"))
        .call();
    match answer {
        Ok(response) => match response
            .into_string()
            .map_err(|e| e.to_string())
            .and_then(|body| serde_json::from_str::<Seen>(&body).map_err(|e| e.to_string()))
        {
            Ok(seen) => checks.extend(live::judge(&seen, &host, Some(1))),
            Err(e) => checks.push(Check::fail(
                format!("{probe} did not answer the probe's JSON ({e}): is this Portcullis?"),
                "point --url at the portal's public URL (public_url)",
            )),
        },
        Err(ureq::Error::Status(404, _)) => checks.push(Check::fail(
            format!("{probe} answered 404: the probe answers only clients on the server's own machine, as Portcullis sees them"),
            "run the doctor on the server, and check that the proxy forwards X-Forwarded-For and is in trusted_proxies",
        )),
        Err(ureq::Error::Status(status, _)) => checks.push(Check::fail(
            format!("{probe} answered {status}"),
            "check that the proxy passes /doctor/probe to Portcullis",
        )),
        Err(e) => checks.push(Check::fail(
            format!("{probe} did not answer: {e}"),
            "check that the proxy is running and the URL is right",
        )),
    }
    checks
}

fn same_origin(config: &Config, url: &Url) -> Check {
    let public = &config.public_url;
    if public.origin() == url.origin() {
        Check::pass(format!("{url} is public_url's origin"))
    } else {
        Check::fail(
            format!(
                "you probed {} but public_url is {public}: links and redirects go to public_url",
                url.origin().ascii_serialization()
            ),
            "set public_url to the URL people use, or probe that URL",
        )
    }
}
