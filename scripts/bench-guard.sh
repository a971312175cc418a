#!/usr/bin/env bash
# Guarded vs open throughput, in one run on one server (issue 8, docs/BENCHMARKS.md).
#
#   scripts/bench-guard.sh [seconds-per-run] [rounds]
#
# Builds examples/bench_server.rs in release, registers one user through the HTML
# form, then runs wrk (-t1 -c8) against /bench/open, /bench/cookie (AuthUser) and
# /bench/bearer (ApiUser) in alternation, `rounds` times each, and prints the median
# requests/second of each and the ratios. Needs curl and wrk (apt-get install wrk).
set -euo pipefail

secs=${1:-10}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

cargo build --quiet --release --example bench_server --manifest-path "$root/Cargo.toml"
bin="$root/target/release/examples/bench_server"

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
PORTCULLIS_DATA_DIR="$work/data" PORTCULLIS_PUBLIC_URL="$base" ROCKET_PORT=$port \
  ROCKET_LOG_LEVEL=off "$bin" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
curl -fsS --retry 100 --retry-connrefused --retry-delay 0 --retry-max-time 60 -o /dev/null "$base/healthz"

jar="$work/jar"
token=$(curl -fsS -c "$jar" -b "$jar" "$base/register" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -fsS -o /dev/null -c "$jar" -b "$jar" \
  --data-urlencode "csrf_token=$token" --data-urlencode "email=bench@example.com" \
  --data-urlencode "password=correct horse battery staple" "$base/register"
cookie=$(awk '$6 == "portcullis" { print $7 }' "$jar")
[ -n "$cookie" ] || { echo "no session cookie after registering" >&2; exit 1; }

routes=(open cookie)
# The open route gets the same Cookie header, as from the same browser: the ratio
# is then the cost of the guard alone, not of parsing a header the other lacks.
declare -A headers=([open]="Cookie: portcullis=$cookie" [cookie]="Cookie: portcullis=$cookie")
if [ -n "${BEARER:-}" ] || curl -fsS -o /dev/null "$base/api/v1/openapi.json" 2>/dev/null; then
  access=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"correct horse battery staple","device_name":"bench"}' \
    "$base/api/v1/sessions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $access" "$base/bench/bearer")" = 200 ]; then
    routes+=(bearer)
    headers[bearer]="Authorization: Bearer $access"
  fi
fi
for r in "${routes[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "${headers[$r]}" "$base/bench/$r")
  [ "$code" = 200 ] || { echo "/bench/$r answered $code, not 200" >&2; exit 1; }
done

declare -A results
for ((i = 1; i <= rounds; i++)); do
  for r in "${routes[@]}"; do
    rps=$(wrk -t1 -c8 -d"${secs}s" -H "${headers[$r]}" "$base/bench/$r" | awk '/Requests\/sec/ { print $2 }')
    results[$r]+="$rps "
    echo "round $i  /bench/$r  $rps req/s"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
open=$(echo "${results[open]}" | median)
echo
printf '%-8s %12s %8s\n' route "req/s" ratio
for r in "${routes[@]}"; do
  m=$(echo "${results[$r]}" | median)
  awk -v r="$r" -v m="$m" -v o="$open" 'BEGIN { printf "%-8s %12.0f %8.3f\n", r, m, m / o }'
done
