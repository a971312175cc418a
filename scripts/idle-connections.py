#!/usr/bin/env python3
"""Is `/healthz` still answered while N idle, header-less connections are held?
(issue 15, docs/BENCHMARKS.md "Idle connections").

    cargo build --release --bin portcullis
    scripts/idle-connections.py [connections] [binary]

Starts the server with its soft open-file limit set to 1024 (the usual default; it
raises it to the hard limit itself), opens `connections` TCP connections that never
send a byte, then times one `GET /healthz`. Needs a hard limit above the count, for
this script and the server alike (`ulimit -Hn`).
"""

import http.client
import socket
import sys
import time

sys.dont_write_bytecode = True  # import benchserver without leaving scripts/__pycache__
import benchserver  # noqa: E402


def health(port):
    """`GET /healthz`: its status (or the error's name) and how long it took."""
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        conn.close()
    except OSError as e:
        status = type(e).__name__
    return status, time.perf_counter() - started


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1100
    command = ["bash", "-c", 'ulimit -Sn 1024; exec "$0" serve', benchserver.binary(2)]
    with benchserver.running(command) as (server, port):
        with open(f"/proc/{server.pid}/limits") as limits:
            line = next(l for l in limits if l.startswith("Max open files"))
        print("server:", " ".join(line.split()))
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        status, elapsed = health(port)
        print(f"{len(held)} idle connections held: GET /healthz -> {status} in {elapsed * 1000:.0f} ms")


if __name__ == "__main__":
    main()
