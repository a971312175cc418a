#!/usr/bin/env bash
# Every goal of issue 20 in one table (docs/BENCHMARKS.md): forward auth and the
# guards against the open route, the peers side by side, guarded p99 under a login
# flood, and what nginx `auth_request` adds end to end.
#
#   scripts/bench-forward.sh [seconds-per-run] [rounds] [flood-runs]   # defaults 5 3 10
#
# Builds examples/bench_server.rs and benches/peers (release), starts Portcullis and
# the peers (axum-login + tower-sessions MemoryStore / SqliteStore, axum-extra private
# cookie, Rocket private cookie), then:
# 1. throughput: wrk -t1 -c8 against each route, every route once per round, rounds
#    in alternation; each guarded route is compared with an open route of the same
#    server sent the very same headers. Servers on CPU 0, wrk on CPU 1 (taskset;
#    PIN=0 turns that off). Medians over the rounds, and the spread of the per-round
#    ratios.
# 2. login flood: a second Portcullis, unpinned (as deployed), shipped argon2 cost;
#    a fixed-rate probe (benches/peers `probe`, 2000 req/s over 8 connections) on the
#    cookie route alone, then during a flood of valid logins (wrk -c16), flood-runs
#    times; the goal is flood p99 ≤ 2× quiet p99 in ≥ 9 of 10 runs.
# 3. nginx auth_request: the same page through real nginx, unguarded and behind
#    auth_request, probed at 1000 req/s; the added p50 and p99.
# Needs curl, wrk, nginx, python3 (and taskset for pinning). About 8 minutes with the
# defaults once built; the first build of benches/peers takes several minutes.
set -euo pipefail

secs=${1:-5}
rounds=${2:-3}
floods=${3:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
for tool in curl wrk nginx python3; do need $tool; done

echo "building (release)..." >&2
cargo build --quiet --release --example bench_server --manifest-path "$root/Cargo.toml"
cargo build --quiet --release --manifest-path "$root/benches/peers/Cargo.toml"
bin="$root/target/release/examples/bench_server"
peers="$root/benches/peers/target/release"

server_cpu=() client_cpu=()
if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
secret() { python3 -c 'import base64, os; print(base64.b64encode(os.urandom(64)).decode())'; }

# Starts a Portcullis bench server, its port in $port. $1: data dir name, rest: a
# prefix for the command (taskset, env).
portcullis() {
  local name=$1
  shift
  port=$(free_port)
  PORTCULLIS_DATA_DIR="$work/$name" PORTCULLIS_PUBLIC_URL="http://127.0.0.1:$port" ROCKET_PORT=$port \
    ROCKET_LOG_LEVEL=off PORTCULLIS_LOGIN_IP_LIMIT=1000000 PORTCULLIS_REGISTER_RATE_LIMIT=1000000 \
    "$@" "$bin" >"$work/$name.log" 2>&1 &
  pids+=($!)
  up "http://127.0.0.1:$port/healthz"
}

# The value of cookie $2 after GET $1.
cookie_from() { curl -fsS -o /dev/null -c - "$1" | awk -v n="$2" '$6 == n { print $7 }'; }

# ---------------------------------------------------------------- 1. throughput
echo "starting servers..." >&2
portcullis pinned "${server_cpu[@]}"
pport=$port
pbase="http://127.0.0.1:$pport"
session=$(register "$pbase" bench@example.com)
[ -n "$session" ] || { echo "no session cookie after registering" >&2; exit 1; }
access=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\",\"device_name\":\"bench\"}" \
  "$pbase/api/v1/sessions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
private=$(cookie_from "$pbase/bench/private-login" peer)

rport=$(free_port)
ROCKET_PORT=$rport ROCKET_LOG_LEVEL=off ROCKET_SECRET_KEY=$(secret) \
  "${server_cpu[@]}" "$peers/rocket_peer" >"$work/rocket_peer.log" 2>&1 &
pids+=($!)
declare -A peer_port=([rocket]=$rport)
for mode in memory sqlite cookie; do
  peer_port[$mode]=$(free_port)
  PEER_SQLITE="$work/peer.sqlite" "${server_cpu[@]}" "$peers/axum_peer" $mode "${peer_port[$mode]}" \
    >"$work/axum_$mode.log" 2>&1 &
  pids+=($!)
done
declare -A peer_cookie
for p in rocket memory sqlite cookie; do
  up "http://127.0.0.1:${peer_port[$p]}/open"
  name=$([ $p = memory ] || [ $p = sqlite ] && echo id || echo peer)
  peer_cookie[$p]="$name=$(cookie_from "http://127.0.0.1:${peer_port[$p]}/login" "$name")"
done

# Each case: URL, expected status, headers (one per line).
nginx_headers=$'X-Original-URL: https://app.example.com/docs/page?x=1\nX-Original-Method: GET'
caddy_headers=$'X-Forwarded-Proto: https\nX-Forwarded-Host: app.example.com\nX-Forwarded-Uri: /docs/page?x=1\nX-Forwarded-Method: GET'
both_cookies="Cookie: portcullis=$session; peer=$private"
declare -A url code hdr
case_() { url[$1]=$2 code[$1]=$3 hdr[$1]=$4; }
case_ open-ar-allow "$pbase/bench/open" 200 "Cookie: portcullis=$session"$'\n'"$nginx_headers"
case_ ar-allow "$pbase/api/authz/auth-request" 200 "${hdr[open-ar-allow]}"
case_ open-ar-deny "$pbase/bench/open" 200 "$nginx_headers"
case_ ar-deny "$pbase/api/authz/auth-request" 401 "$nginx_headers"
case_ open-fa-allow "$pbase/bench/open" 200 "Cookie: portcullis=$session"$'\n'"$caddy_headers"
case_ fa-allow "$pbase/api/authz/forward-auth" 200 "${hdr[open-fa-allow]}"
case_ open-fa-deny "$pbase/bench/open" 200 "$caddy_headers"
case_ fa-deny "$pbase/api/authz/forward-auth" 302 "$caddy_headers"
case_ open-cookie "$pbase/bench/open" 200 "$both_cookies"
case_ cookie "$pbase/bench/cookie" 200 "$both_cookies"
case_ private "$pbase/bench/private" 200 "$both_cookies"
case_ open-bearer "$pbase/bench/open" 200 "Authorization: Bearer $access"
case_ bearer "$pbase/bench/bearer" 200 "Authorization: Bearer $access"
for p in rocket memory sqlite cookie; do
  case_ "$p-open" "http://127.0.0.1:${peer_port[$p]}/open" 200 "Cookie: ${peer_cookie[$p]}"
  case_ "$p-guarded" "http://127.0.0.1:${peer_port[$p]}/guarded" 200 "Cookie: ${peer_cookie[$p]}"
done
cases=(open-ar-allow ar-allow open-ar-deny ar-deny open-fa-allow fa-allow open-fa-deny fa-deny
  open-cookie cookie private open-bearer bearer
  rocket-open rocket-guarded memory-open memory-guarded sqlite-open sqlite-guarded cookie-open cookie-guarded)

header_args() { local line; while IFS= read -r line; do [ -n "$line" ] && printf '%s\0' -H "$line"; done <<<"${hdr[$1]}"; }
for c in "${cases[@]}"; do
  mapfile -d '' args < <(header_args "$c")
  got=$(curl -s -o /dev/null -w '%{http_code}' "${args[@]}" "${url[$c]}")
  [ "$got" = "${code[$c]}" ] || { echo "$c: ${url[$c]} answered $got, not ${code[$c]}" >&2; exit 1; }
done

declare -A rps
for ((i = 1; i <= rounds; i++)); do
  for c in "${cases[@]}"; do
    mapfile -d '' args < <(header_args "$c")
    r=$("${client_cpu[@]}" wrk -t1 -c8 -d"${secs}s" "${args[@]}" "${url[$c]}" | awk '/Requests\/sec/ { print $2 }')
    rps[$c]+="$r "
    echo "round $i  $c  $r req/s" >&2
  done
done

# ---------------------------------------------------------------- 2. login flood
echo "login flood: $floods runs..." >&2
portcullis flood env PORTCULLIS_MAX_CONCURRENT_HASHES=2
fport=$port
fbase="http://127.0.0.1:$fport"
fsession=$(register "$fbase" bench@example.com)
login_flood "$fbase"
field() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
probe_cookie() { "$peers/probe" "$fbase/bench/cookie" 2000 "$secs" 8 "Cookie: portcullis=$fsession"; }
flood_ratios=() logins=()
for ((i = 1; i <= floods; i++)); do
  quiet=$(probe_cookie | field p99_ms)
  wrk -t1 -c16 -d"$((secs + 1))s" -s "$work/login.lua" "$fbase/login" >"$work/flood.txt" &
  loader=$!
  busy=$(probe_cookie | field p99_ms)
  wait $loader
  logins+=("$(awk '/Requests\/sec/ { print $2 }' "$work/flood.txt")")
  ratio=$(awk -v b="$busy" -v q="$quiet" 'BEGIN { printf "%.2f", b / q }')
  flood_ratios+=("$ratio")
  echo "flood run $i: p99 quiet $quiet ms, during the flood $busy ms: ${ratio}x" >&2
done

# ---------------------------------------------------------------- 3. nginx auth_request
echo "nginx auth_request..." >&2
nport=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream portcullis { server 127.0.0.1:$fport; keepalive 32; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    location = /authz {
      internal;
      proxy_pass http://portcullis/api/authz/auth-request;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Connection "";
      proxy_set_header X-Original-URL \$scheme://\$http_host\$request_uri;
      proxy_set_header X-Original-Method \$request_method;
    }
    location = /guarded { auth_request /authz; proxy_pass http://portcullis/bench/open; }
    location = /plain { proxy_pass http://portcullis/bench/open; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -e "$work/nginx/error.log" 2>"$work/nginx/start.log" &
pids+=($!)
up "http://127.0.0.1:$nport/plain"
nbase="http://127.0.0.1:$nport"
got=$(curl -s -o /dev/null -w '%{http_code}' "$nbase/guarded")
[ "$got" = 401 ] || { echo "nginx /guarded without a cookie answered $got, not 401" >&2; exit 1; }
declare -A lat
for ((i = 1; i <= rounds; i++)); do
  for page in plain guarded; do
    out=$("$peers/probe" "$nbase/$page" 1000 "$secs" 4 "Cookie: portcullis=$fsession")
    lat[$page.p50]+="$(echo "$out" | field p50_ms) " lat[$page.p99]+="$(echo "$out" | field p99_ms) "
    echo "nginx round $i  $page  $out" >&2
  done
done

# ---------------------------------------------------------------- the table
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
m() { echo "${rps[$1]}" | median; }
# "0.93× (0.91–0.95)": median over median, and the spread of per-round ratios.
ratio() {
  local g=(${rps[$1]}) o=(${rps[$2]}) spread=""
  for ((k = 0; k < ${#g[@]}; k++)); do spread+="$(awk -v a="${g[$k]}" -v b="${o[$k]}" 'BEGIN { printf "%.3f", a / b }') "; done
  awk -v a="$(m "$1")" -v b="$(m "$2")" -v s="$spread" 'BEGIN {
    n = split(s, r, " "); lo = r[1]; hi = r[1]
    for (i = 2; i <= n; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
    printf "%.3f× (%.3f–%.3f)", a / b, lo, hi }'
}
verdict() { awk -v r="${1%%×*}" -v g="$2" 'BEGIN { print (r >= g) ? "met" : "**missed**" }'; }
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
goal() { local r; r=$(ratio "$2" "$3"); row "$1" "$r; $(printf '%.0f' "$(m "$2")") req/s" "$(verdict "$r" "$4")"; }

echo
echo "secs=$secs rounds=$rounds floods=$floods pinned=${#server_cpu[@]} $(date -u +%Y-%m-%dT%H:%MZ) load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
row "goal" "measured: median ratio (spread of per-round ratios); median req/s" "verdict"
row "---" "---" "---"
goal "auth-request, allowed ≥ 0.90× open (same headers)" ar-allow open-ar-allow 0.90
goal "auth-request, denied (401) ≥ 0.90× open" ar-deny open-ar-deny 0.90
goal "forward-auth, allowed ≥ 0.90× open" fa-allow open-fa-allow 0.90
goal "forward-auth, denied (302) ≥ 0.90× open" fa-deny open-fa-deny 0.90
goal "cookie guard ≥ 0.95× open" cookie open-cookie 0.95
goal "bearer guard ≥ 0.95× open" bearer open-bearer 0.95
goal "cookie guard ≥ 0.97× Rocket route opening a private cookie (same server)" cookie private 0.97
met=$(printf '%s\n' "${flood_ratios[@]}" | awk '$1 <= 2 { n++ } END { print n + 0 }')
row "guarded p99 during a login flood ≤ 2× quiet, in ≥ 9 of 10 runs" \
  "$met of $floods runs ≤ 2× (${flood_ratios[*]}); logins/s $(printf '%s\n' "${logins[@]}" | median)" \
  "$(awk -v m="$met" -v n="$floods" 'BEGIN { print (m * 10 >= n * 9) ? "met" : "**missed**" }')"
for q in p50 p99; do
  plain=$(echo "${lat[plain.$q]}" | median) guarded=$(echo "${lat[guarded.$q]}" | median)
  row "nginx auth_request: added $q (guarded − unguarded page)" \
    "$(awk -v g="$guarded" -v p="$plain" 'BEGIN { printf "%+.3f ms (%.3f vs %.3f ms)", g - p, g, p }')" "measured"
done
echo
row "peer (same two-byte routes)" "guarded req/s, guarded/open" "Portcullis cookie guard vs this guard"
row "---" "---" "---"
row "Portcullis \`AuthUser\` (revocable, memory only)" "$(printf '%.0f' "$(m cookie)"), $(ratio cookie open-cookie)" ""
for p in rocket cookie memory sqlite; do
  label=$(case $p in
    rocket) echo "Rocket stateless private cookie" ;;
    cookie) echo "axum-extra stateless private cookie" ;;
    memory) echo "axum-login + tower-sessions MemoryStore" ;;
    sqlite) echo "axum-login + tower-sessions SqliteStore" ;;
  esac)
  row "$label" "$(printf '%.0f' "$(m "$p-guarded")"), $(ratio "$p-guarded" "$p-open")" \
    "$(awk -v a="$(m cookie)" -v b="$(m "$p-guarded")" 'BEGIN { printf "%.2f×", a / b }')"
done
