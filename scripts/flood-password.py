#!/usr/bin/env python3
"""Another user's login latency while one account floods wrong `PUT /api/v1/password`
(issue 15, docs/BENCHMARKS.md "Password-check flood").

    cargo build --release --bin portcullis
    scripts/flood-password.py [flood size] [probe logins] [binary]

Starts the server on a free port with a fresh data dir and the shipped argon2
parameters, registers `flood@example.com` and `probe@example.com`, then:

1. baseline: `probe` logs in through the API, one login after another;
2. flood: `flood` sends `flood size` concurrent wrong `PUT /api/v1/password` with
   its bearer token while `probe` logs in the same way again;
3. spread flood: `flood size` concurrent wrong logins, each for another (unknown)
   account, so no per-account bound applies and only the pool's overall bound
   (`max_queued_hashes`) does, while `probe` logs in again. A probe login refused
   with 503 is counted, not timed.

Prints the status counts of the flood and p50/p95/max of the probe's logins,
with and without it. Standard library only. Figures depend on the machine and
on whatever else it runs: report them with that context.
"""

import http.client
import json
import sys
import threading
import time
from collections import Counter

sys.dont_write_bytecode = True  # import benchserver without leaving scripts/__pycache__
import benchserver  # noqa: E402

PASSWORD = "correct horse battery staple"


def call(port, method, path, body=None, bearer=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json"}
    if bearer:
        headers["Authorization"] = "Bearer " + bearer
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    reply = conn.getresponse()
    data = reply.read()
    conn.close()
    return reply.status, data


def login(port, email, busy_ok=False):
    started = time.perf_counter()
    status, data = call(port, "POST", "/api/v1/sessions", {"email": email, "password": PASSWORD})
    elapsed = time.perf_counter() - started
    if status == 503 and busy_ok:
        return None, None
    if status != 201:
        sys.exit(f"probe login answered {status}: {data[:200]!r}")
    return elapsed, json.loads(data)["access_token"]


def summary(samples):
    refused = sum(1 for s in samples if s is None)
    ordered = sorted(s for s in samples if s is not None)
    if not ordered:
        return f"all {refused} refused with 503"
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    timed = f"p50 {pick(0.5) * 1000:.0f} ms, p95 {pick(0.95) * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    return timed + (f", {refused} refused with 503" if refused else "")


def main():
    flood_size = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    probes = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    command = [benchserver.binary(3), "serve"]
    limits = {"PORTCULLIS_REGISTER_RATE_LIMIT": "1000", "PORTCULLIS_LOGIN_IP_LIMIT": "1000000"}
    with benchserver.running(command, **limits) as (_, port):
        for email in ("flood@example.com", "probe@example.com"):
            status, data = call(port, "POST", "/api/v1/users", {"email": email, "password": PASSWORD})
            if status != 201:
                sys.exit(f"registering {email} answered {status}: {data[:200]!r}")
        _, flood_token = login(port, "flood@example.com")

        baseline = [login(port, "probe@example.com")[0] for _ in range(probes)]

        def flood(send):
            statuses = Counter()
            lock = threading.Lock()
            go = threading.Event()

            def one(n):
                go.wait()
                try:
                    status = send(n)
                except OSError as e:
                    status = type(e).__name__
                with lock:
                    statuses[status] += 1

            threads = [threading.Thread(target=one, args=(n,)) for n in range(flood_size)]
            for t in threads:
                t.start()
            go.set()
            probed = [login(port, "probe@example.com", busy_ok=True)[0] for _ in range(probes)]
            for t in threads:
                t.join()
            return dict(statuses), probed

        wrong_change = {"current_password": "not the password at all", "new_password": "x" * 20}
        one_account, flooded = flood(
            lambda n: call(port, "PUT", "/api/v1/password", wrong_change, flood_token)[0])
        wrong_login = lambda n: {"email": f"nobody{n}@example.com", "password": "not the password"}
        many_accounts, spread = flood(
            lambda n: call(port, "POST", "/api/v1/sessions", wrong_login(n))[0])

        print(f"probe logins without a flood ({probes}): {summary(baseline)}")
        print(f"flood, one account: {flood_size} concurrent wrong PUT /api/v1/password: {one_account}")
        print(f"probe logins during it ({probes}): {summary(flooded)}")
        print(f"flood, {flood_size} accounts: one wrong login each, concurrently: {many_accounts}")
        print(f"probe logins during it ({probes}): {summary(spread)}")


if __name__ == "__main__":
    main()
