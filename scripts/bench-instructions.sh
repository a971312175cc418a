#!/usr/bin/env bash
# Instructions a request, per route, under callgrind (issue 20, docs/BENCHMARKS.md):
# a measure that does not move with what else the machine runs, for choosing
# between candidates on a busy machine. User space only (no kernel work).
#
#   scripts/bench-instructions.sh [requests] [binary]     # defaults 500, the release bench_server
#
# Each case: `requests` requests over one keep-alive connection (curl) to warm up,
# then as many with instrumentation on; prints the server's instructions / request.
# Needs valgrind (callgrind_control, callgrind_annotate) and curl.
set -euo pipefail
n=${1:-500}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
need valgrind
if [ -n "${2:-}" ]; then
  bin=$2
else
  cargo build --quiet --release --example bench_server --manifest-path "$root/Cargo.toml"
  bin="$root/target/release/examples/bench_server"
fi
work=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
PORTCULLIS_ARGON2_MEMORY_KIB=1024 PORTCULLIS_ARGON2_ITERATIONS=1 PORTCULLIS_DATA_DIR="$work/data" \
  PORTCULLIS_PUBLIC_URL="$base" ROCKET_PORT=$port ROCKET_LOG_LEVEL=off ROCKET_WORKERS=1 \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.%p" "$bin" \
  >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
up "$base/healthz" 120
cookie=$(register "$base" bench@example.com)
C="Cookie: portcullis=$cookie"
O=(-H "X-Original-URL: https://app.example.com/docs/page?x=1" -H "X-Original-Method: GET")
F=(-H "X-Forwarded-Proto: https" -H "X-Forwarded-Host: app.example.com"
  -H "X-Forwarded-Uri: /docs/page?x=1" -H "X-Forwarded-Method: GET")
many() {
  local path=$1 urls=()
  shift
  for ((k = 0; k < n; k++)); do urls+=("$base$path"); done
  curl -s "$@" "${urls[@]}" >/dev/null
}
measure() {
  local name=$1 path=$2 file ir
  shift 2
  many "$path" "$@"
  callgrind_control -z $server >/dev/null 2>&1
  callgrind_control -i on $server >/dev/null 2>&1
  many "$path" "$@"
  callgrind_control -i off $server >/dev/null 2>&1
  callgrind_control -d "$name" $server >/dev/null 2>&1
  file=$(ls -t "$work"/cg.$server.* | head -1)
  ir=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  awk -v n="$name" -v ir="$ir" -v r="$n" 'BEGIN { printf "%-26s %8.0f instructions/request\n", n, ir / r }'
}
measure "open, cookie + nginx" /bench/open -H "$C" "${O[@]}"
measure "auth-request allowed" /api/authz/auth-request -H "$C" "${O[@]}"
measure "open, nginx headers" /bench/open "${O[@]}"
measure "auth-request denied" /api/authz/auth-request "${O[@]}"
measure "open, cookie + caddy" /bench/open -H "$C" "${F[@]}"
measure "forward-auth allowed" /api/authz/forward-auth -H "$C" "${F[@]}"
measure "open, caddy headers" /bench/open "${F[@]}"
measure "forward-auth denied" /api/authz/forward-auth "${F[@]}"
measure "open, cookie" /bench/open -H "$C"
measure "cookie guard" /bench/cookie -H "$C"
