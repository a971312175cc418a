//! A fixed-rate latency probe (what `oha -q` does, without installing it):
//!
//!     probe URL RATE SECONDS CONNECTIONS ['Name: value' ...]
//!
//! RATE requests a second in all, over CONNECTIONS keep-alive HTTP/1.1 connections,
//! each request due at its own slot in the schedule. When a connection's previous
//! answer came after the next request was due, that request's latency is counted
//! from when it was due, so a stalled server cannot hide its stall by delaying the
//! requests behind it (coordinated omission); a late wake-up of the probe's own
//! timer is not counted. Prints one line, `requests= p50_ms= p99_ms= max_ms=
//! non200=`, and exits with 1 if any answer was not `200`.

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

struct Plan {
    url: hyper::Uri,
    headers: Vec<(String, String)>,
    rate: f64,
    total: usize,
    connections: usize,
    start: Instant,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: probe URL RATE SECONDS CONNECTIONS ['Name: value' ...]";
    let [url, rate, secs, connections] = &args.get(..4).expect(usage) else {
        unreachable!()
    };
    let headers = args[4..]
        .iter()
        .map(|h| {
            let (name, value) = h.split_once(':').expect("a header is 'Name: value'");
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect();
    let rate: f64 = rate.parse().expect(usage);
    let secs: f64 = secs.parse().expect(usage);
    let plan = std::sync::Arc::new(Plan {
        url: url.parse().expect("a URL"),
        headers,
        rate,
        total: (rate * secs) as usize,
        connections: connections.parse().expect(usage),
        start: Instant::now() + Duration::from_millis(50),
    });
    let tasks: Vec<_> = (0..plan.connections)
        .map(|c| tokio::spawn(connection(c, plan.clone())))
        .collect();
    let (mut latencies, mut bad) = (Vec::new(), 0);
    for task in tasks {
        let (l, b) = task.await.expect("a probe connection failed");
        latencies.extend(l);
        bad += b;
    }
    latencies.sort_unstable();
    let ms = |us: u64| us as f64 / 1000.0;
    let at =
        |p: f64| ms(latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)]);
    println!(
        "requests={} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} non200={bad}",
        latencies.len(),
        at(0.50),
        at(0.99),
        ms(*latencies.last().unwrap()),
    );
    if bad > 0 {
        std::process::exit(1);
    }
}

/// The requests of one connection: slots `c`, `c + connections`, …
async fn connection(c: usize, plan: std::sync::Arc<Plan>) -> (Vec<u64>, usize) {
    let mut sender = connect(&plan.url).await;
    let path = plan
        .url
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let authority = plan.url.authority().unwrap().to_string();
    let (mut latencies, mut bad) = (Vec::new(), 0);
    let mut previous_done = plan.start;
    for slot in (c..plan.total).step_by(plan.connections) {
        let due = plan.start + Duration::from_secs_f64(slot as f64 / plan.rate);
        tokio::time::sleep_until(due.into()).await;
        let from = if previous_done > due {
            due
        } else {
            Instant::now()
        };
        let request = || {
            let mut request = hyper::Request::get(path.as_str()).header("Host", authority.as_str());
            for (name, value) in &plan.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            request.body(Empty::<Bytes>::new()).unwrap()
        };
        // A server may close a keep-alive connection after so many requests
        // (nginx: `keepalive_requests`); then the request goes again on a new one.
        if sender.ready().await.is_err() {
            sender = connect(&plan.url).await;
        }
        let response = match sender.send_request(request()).await {
            Ok(response) => response,
            Err(_) => {
                sender = connect(&plan.url).await;
                sender.send_request(request()).await.expect("request")
            }
        };
        let ok = response.status() == 200;
        response.into_body().collect().await.expect("body");
        previous_done = Instant::now();
        latencies.push(previous_done.duration_since(from).as_micros() as u64);
        bad += usize::from(!ok);
    }
    (latencies, bad)
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

/// A new keep-alive HTTP/1.1 connection to the URL's host.
async fn connect(url: &hyper::Uri) -> Sender {
    let host = url.host().expect("URL has a host");
    let port = url.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host, port))
        .await
        .expect("connect");
    stream.set_nodelay(true).unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP/1.1 handshake");
    tokio::spawn(conn);
    sender
}
