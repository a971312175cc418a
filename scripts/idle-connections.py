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
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1100
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "target/release/portcullis")
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} is missing: cargo build --release --bin portcullis")
    work = tempfile.mkdtemp()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PORTCULLIS_DATA_DIR=os.path.join(work, "data"),
               ROCKET_PORT=str(port), ROCKET_LOG_LEVEL="off")
    command = ["bash", "-c", 'ulimit -Sn 1024; exec "$0" serve', binary]
    server = subprocess.Popen(command, env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def health():
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
        except OSError as e:
            status = type(e).__name__
        return status, time.perf_counter() - started

    try:
        for _ in range(300):
            if health()[0] == 200:
                break
            time.sleep(0.1)
        else:
            sys.exit("the server did not come up")
        with open(f"/proc/{server.pid}/limits") as limits:
            line = next(l for l in limits if l.startswith("Max open files"))
        print("server:", " ".join(line.split()))
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        status, elapsed = health()
        print(f"{len(held)} idle connections held: GET /healthz -> {status} in {elapsed * 1000:.0f} ms")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
