#!/usr/bin/env bash
# Start-up time, memory and guard latency with 1k users / 10k sessions and with
# 100k users / 1M sessions (issue 8, docs/BENCHMARKS.md).
#
#   scripts/bench-scale.sh [seconds]
#
# Seeds both data dirs with examples/seed.rs (kept in target/bench-scale/ for reruns),
# then for each: starts examples/bench_server on it and times the launch until
# /healthz answers, reads RSS, logs in one user and runs wrk --latency on the
# cookie-guarded route. ONLY_LARGE=1 skips the 1k-user case.
set -euo pipefail

secs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --quiet --release --example bench_server --example seed --manifest-path "$root/Cargo.toml"
out="$root/target/bench-scale"
mkdir -p "$out"

run() {
  local name=$1 users=$2 sessions=$3
  local dir="$out/$name"
  if [ ! -d "$dir/db" ]; then
    "$root/target/release/examples/seed" "$dir" "$users" "$sessions"
  fi
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local base="http://127.0.0.1:$port"
  local t0 t1
  t0=$(date +%s.%N)
  PORTCULLIS_DATA_DIR="$dir" PORTCULLIS_PUBLIC_URL="$base" ROCKET_PORT=$port ROCKET_LOG_LEVEL=off \
    PORTCULLIS_LOGIN_IP_LIMIT=1000000 "$root/target/release/examples/bench_server" >"$out/$name.log" 2>&1 &
  local server=$!
  # Poll every 10 ms (curl's own --retry backs off by whole seconds).
  until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do sleep 0.01; done
  t1=$(date +%s.%N)
  local rss_start
  rss_start=$(awk '/VmRSS/ { print $2 }' /proc/$server/status)
  local jar="$out/$name.jar"
  rm -f "$jar"
  local token
  token=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
  curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=user1@example.com" --data-urlencode "password=correct horse battery staple" "$base/login"
  local cookie
  cookie=$(awk '$6 == "portcullis" { print $7 }' "$jar")
  local load
  load=$(wrk -t1 -c8 -d"${secs}s" --latency -H "Cookie: portcullis=$cookie" "$base/bench/cookie")
  local rss_end hwm
  rss_end=$(awk '/VmRSS/ { print $2 }' /proc/$server/status)
  hwm=$(awk '/VmHWM/ { print $2 }' /proc/$server/status)
  kill $server; wait $server 2>/dev/null || true
  printf '%-6s users=%s sessions=%s start=%.2fs rss_start=%dKiB rss_after=%dKiB peak=%dKiB req/s=%s p50=%s p99=%s\n' \
    "$name" "$users" "$sessions" "$(echo "$t1 - $t0" | awk '{ print $1 - $3 }')" "$rss_start" "$rss_end" "$hwm" \
    "$(echo "$load" | awk '/Requests\/sec/ { print $2 }')" \
    "$(echo "$load" | awk '$1 == "50%" { print $2 }')" "$(echo "$load" | awk '$1 == "99%" { print $2 }')"
}

[ -n "${ONLY_LARGE:-}" ] || run small 1000 10000
run large 100000 1000000
