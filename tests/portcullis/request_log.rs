//! The request log of the real binary (SPEC §12): one line per request with its
//! method, path, status, latency, request id and user; a trusted proxy's
//! `X-Request-Id` kept and returned, one generated otherwise; the one-time setup
//! token redacted from the path (it is printed once, on purpose, in the first-start
//! announcement, and nowhere else).

use crate::logs::{Browser, Server};

const PASSWORD: &str = "request log passphrase one";

/// The setup token of the first-start announcement.
fn setup_token(server: &mut Server) -> String {
    let line =
        server.line(|line| line.contains("/setup/") && line.trim_start().starts_with("http"));
    line.rsplit('/').next().unwrap().trim().to_owned()
}

fn get(base: &str, path: &str, headers: &[(&str, &str)]) -> ureq::Response {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let request = headers
        .iter()
        .fold(agent.get(&format!("{base}{path}")), |r, (k, v)| r.set(k, v));
    match request.call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("GET {path}: {e}"),
    }
}

#[test]
fn each_request_is_one_line_with_its_id_and_user_and_no_link_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start_with(dir.path(), "normal", &[]);
    let token = setup_token(&mut server);
    let traced = get(&server.base, "/login", &[("X-Request-Id", "edge-7f3a.1")]);
    let odd = get(&server.base, "/login", &[("X-Request-Id", "two words")]);
    let mut admin = Browser::new(&server, "request-log-test");
    let setup = format!("/setup/{token}");
    let created = admin.post_form(
        &setup,
        &setup,
        &[("email", "root@example.com"), ("password", PASSWORD)],
    );
    let account = admin.send("GET", "/account", &[]);
    let output = server.stop();

    assert_eq!(traced.header("X-Request-Id"), Some("edge-7f3a.1"));
    let generated = odd.header("X-Request-Id").expect("an id is made");
    assert!(
        generated != "two words" && generated.len() >= 12,
        "{generated}"
    );
    assert_eq!((created.status, account.status), (303, 200));
    let line_with = |needle: &str| {
        output
            .lines()
            .find(|line| needle.split('&').all(|part| line.contains(part)))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{output}"))
            .to_owned()
    };
    let line = line_with("request_id=edge-7f3a.1");
    for field in ["method=GET", "path=/login", "status=200", "latency_ms="] {
        assert!(line.contains(field), "{field} missing in {line}");
    }
    assert!(line_with("method=POST&path=/setup/<redacted>").contains("status=303"));
    let user = line_with("path=/account ");
    assert!(
        user.contains("user=") && user.contains("status=200"),
        "{user}"
    );
    let with_token: Vec<&str> = output.lines().filter(|l| l.contains(&token)).collect();
    assert_eq!(with_token.len(), 1, "only the announcement: {with_token:?}");
    assert!(with_token[0].trim_start().starts_with("http"));
}

#[test]
fn log_format_json_writes_one_object_per_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_with(dir.path(), "normal", &[("PORTCULLIS_LOG_FORMAT", "json")]);
    let answer = get(&server.base, "/healthz", &[]);
    let output = server.stop();

    let id = answer.header("X-Request-Id").expect("an id").to_owned();
    let line = output
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|event| event["request_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no JSON line for {id}:\n{output}"));
    assert_eq!(line["method"], "GET");
    assert_eq!(line["path"], "/healthz");
    assert_eq!(line["status"], 200);
    assert!(line["latency_ms"].as_f64().is_some(), "{line}");
}
