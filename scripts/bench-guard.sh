#!/usr/bin/env bash
# Guarded vs open throughput, in one run on one server (issue 8, docs/BENCHMARKS.md).
#
#   scripts/bench-guard.sh [seconds-per-run] [rounds]
#
# Builds examples/bench_server.rs in release, registers one user through the HTML
# form, then runs wrk (-t1 -c8) against /bench/open, /bench/cookie (AuthUser) and
# /bench/bearer (ApiUser) in alternation, `rounds` times each, the open route sent
# the same headers as the guarded one it is compared with; prints the median
# requests/second of each and the ratios. Needs curl and wrk (apt-get install wrk).
#
# With two CPUs or more the server is pinned to CPU 0 and wrk to CPU 1 (taskset), so
# the two do not compete for the same cores: unpinned on a 2-core machine the ratio
# moved by ±4 % between runs with how the scheduler happened to share the cores,
# more than the guard's own cost. PIN=0 runs them unpinned.
set -euo pipefail

secs=${1:-10}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
need wrk "apt-get install wrk"

cargo build --quiet --release --example bench_server --manifest-path "$root/Cargo.toml"
bin="$root/target/release/examples/bench_server"

server_cpu=() client_cpu=()
if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
fi

work=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
PORTCULLIS_DATA_DIR="$work/data" PORTCULLIS_PUBLIC_URL="$base" ROCKET_PORT=$port \
  ROCKET_LOG_LEVEL=off "${server_cpu[@]}" "$bin" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
up "$base/healthz"

cookie=$(register "$base" bench@example.com)
[ -n "$cookie" ] || { echo "no session cookie after registering" >&2; exit 1; }

# Each guarded route is compared with the open route sent the very same headers
# (as from the same client), so a ratio is the cost of the guard alone.
access=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\",\"device_name\":\"bench\"}" \
  "$base/api/v1/sessions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
runs=(open-cookie cookie open-bearer bearer)
declare -A path=([open-cookie]=open [cookie]=cookie [open-bearer]=open [bearer]=bearer)
declare -A headers=(
  [open-cookie]="Cookie: portcullis=$cookie" [cookie]="Cookie: portcullis=$cookie"
  [open-bearer]="Authorization: Bearer $access" [bearer]="Authorization: Bearer $access"
)
for r in "${runs[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "${headers[$r]}" "$base/bench/${path[$r]}")
  [ "$code" = 200 ] || { echo "/bench/${path[$r]} ($r) answered $code, not 200" >&2; exit 1; }
done

declare -A results
for ((i = 1; i <= rounds; i++)); do
  for r in "${runs[@]}"; do
    rps=$("${client_cpu[@]}" wrk -t1 -c8 -d"${secs}s" -H "${headers[$r]}" "$base/bench/${path[$r]}" | awk '/Requests\/sec/ { print $2 }')
    results[$r]+="$rps "
    echo "round $i  $r  $rps req/s"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo
printf '%-12s %12s %8s\n' run "median req/s" "guarded/open"
for pair in "open-cookie cookie" "open-bearer bearer"; do
  set -- $pair
  o=$(echo "${results[$1]}" | median)
  g=$(echo "${results[$2]}" | median)
  awk -v n="$1" -v m="$o" 'BEGIN { printf "%-12s %12.0f\n", n, m }'
  awk -v n="$2" -v m="$g" -v o="$o" 'BEGIN { printf "%-12s %12.0f %8.3f\n", n, m, m / o }'
done
