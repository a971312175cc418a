#!/usr/bin/env bash
# Login throughput and memory under a login flood, and guarded latency with and
# without the flood (issue 8, docs/BENCHMARKS.md).
#
#   scripts/bench-login.sh [seconds] [max_concurrent_hashes] [probe req/s]
#
# 1. raw argon2id capacity of this machine (examples/argon2_capacity.rs, 2 threads);
# 2. guarded latency without a flood: oha sends /bench/cookie at a fixed rate
#    (default 2000 req/s, a few % of capacity) over 8 connections, latency counted
#    from when each request was due (--latency-correction), so a stalled server
#    cannot hide its stall by delaying the next requests;
# 3. a login flood (wrk POSTing valid logins, 16 connections) alone: logins/s and
#    the server's peak RSS (VmHWM);
# 4. the same flood and the same probe at once: guarded p99 under the flood;
# 5. context: the flood against a saturating guarded load (wrk -c8, as fast as it
#    goes), which shows how the two share the CPU when there is none to spare.
# Defaults: argon2 m=19456 KiB, t=2, p=1 (the shipped defaults).
# Needs wrk (apt-get install wrk) and oha (cargo install oha --locked).
set -euo pipefail

secs=${1:-10}
hashes=${2:-2}
rate=${3:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
need wrk "apt-get install wrk"
need oha "cargo install oha --locked"
cargo build --quiet --release --example bench_server --example argon2_capacity --manifest-path "$root/Cargo.toml"

echo "== raw argon2id capacity (2 threads)"
"$root/target/release/examples/argon2_capacity" 2 60

work=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
PORTCULLIS_DATA_DIR="$work/data" PORTCULLIS_PUBLIC_URL="$base" ROCKET_PORT=$port ROCKET_LOG_LEVEL=off \
  PORTCULLIS_MAX_CONCURRENT_HASHES=$hashes PORTCULLIS_LOGIN_IP_LIMIT=1000000 PORTCULLIS_REGISTER_RATE_LIMIT=1000000 \
  "$root/target/release/examples/bench_server" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
up "$base/healthz"

session=$(register "$base" bench@example.com)
login_flood "$base"
body=$(python3 -c 'import sys, urllib.parse as u; print(u.urlencode({"csrf_token": sys.argv[1], "email": "user1@example.com", "password": sys.argv[2]}))' "$flood_token" "$PASSWORD")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: portcullis_csrf=$flood_csrf" \
  -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" "$base/login")
[ "$code" = 303 ] || { echo "a flood login answered $code, not 303" >&2; exit 1; }

probe() {
  local out
  out=$(oha --no-tui -u ms -z "${secs}s" -c 8 -q "$rate" --latency-correction \
    -H "Cookie: portcullis=$session" "$base/bench/cookie")
  # Every probe request must have been served by the guard: only 200s, and no
  # errors but the few requests still in flight when the duration ends.
  if echo "$out" | grep -E '^\s+\[[0-9]+\] ' | grep -Ev '\[200\] [0-9]+ responses|aborted due to deadline' | grep -q .; then
    echo "$out" >&2; echo "the probe got answers other than 200" >&2; exit 1
  fi
  echo "$out"
}
saturate() { wrk -t1 -c8 -d"${secs}s" -H "Cookie: portcullis=$session" "$base/bench/cookie"; }
pct() { awk -v p="$1" '$1 == p { print $3, $4 }'; }
rps() { awk '/Requests\/sec/ { print $2 }'; }
flood() { wrk -t1 -c16 -d"$1s" -s "$work/login.lua" "$base/login"; }

echo "== guarded route, no flood ($rate req/s probe)"
quiet=$(probe)
echo "$quiet" | grep -E 'Success rate|50.00%|99.00%'

echo "== login flood alone (16 connections)"
alone=$(flood "$secs")
echo "$alone" | grep -E 'Non-2xx' || true
echo "logins/s: $(echo "$alone" | rps)"
echo "peak RSS: $(awk '/VmHWM/ { print $2, $3 }' /proc/$server/status), now $(awk '/VmRSS/ { print $2, $3 }' /proc/$server/status)"

echo "== guarded route during the flood ($rate req/s probe)"
flood "$((secs + 2))" >"$work/flood2.txt" &
loader=$!
busy=$(probe)
wait $loader
echo "$busy" | grep -E 'Success rate|50.00%|99.00%'
echo "logins/s during: $(rps <"$work/flood2.txt")"

echo "== context: a saturating guarded load, alone and against the flood"
full=$(saturate | rps)
flood "$((secs + 2))" >"$work/flood3.txt" &
loader=$!
shared=$(saturate | rps)
wait $loader
echo "guarded req/s: $full alone, $shared during the flood; logins/s during: $(rps <"$work/flood3.txt")"
echo "peak RSS after all: $(awk '/VmHWM/ { print $2, $3 }' /proc/$server/status)"
echo
echo "guarded p99: $(echo "$quiet" | pct 99.00%) quiet, $(echo "$busy" | pct 99.00%) under the flood"
