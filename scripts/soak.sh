#!/usr/bin/env bash
# Bounded soak (issue 17, docs/BENCHMARKS.md): API logins as fast as wrk can send
# them, with short lifetimes, so sessions, revocations and throttle counters are made
# and die all the time; the server's RSS, its data dir's size and the gauges of
# /metrics are sampled every few seconds. If the sweeper keeps up, every column but
# the login count flattens.
#
#   scripts/soak.sh [seconds] [connections] [sample every N seconds]
#
# Lifetimes: access token 5s, idle 10s, absolute 30s, refresh 20s, sweep every 10s,
# audit records kept 60s.
# argon2 is set cheap (m=256 KiB, t=1) so the run measures the store, not hashing.
# Needs wrk (apt-get install wrk) and curl. Builds the release binary.
set -euo pipefail

secs=${1:-180}
conns=${2:-8}
every=${3:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
need wrk "apt-get install wrk"
cargo build --quiet --release --bin portcullis --manifest-path "$root/Cargo.toml"

work=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
cd "$work"
PORTCULLIS_DATA_DIR="$work/data" PORTCULLIS_PUBLIC_URL="$base" ROCKET_PORT=$port ROCKET_LOG_LEVEL=critical \
  PORTCULLIS_ARGON2_MEMORY_KIB=256 PORTCULLIS_ARGON2_ITERATIONS=1 \
  PORTCULLIS_LOGIN_IP_LIMIT=100000000 PORTCULLIS_REGISTER_RATE_LIMIT=100000000 \
  PORTCULLIS_ACCESS_TOKEN_TTL=5 PORTCULLIS_SESSION_IDLE_TIMEOUT=10 PORTCULLIS_REMEMBER_IDLE_TIMEOUT=10 \
  PORTCULLIS_SESSION_LIFETIME=30 PORTCULLIS_REFRESH_TOKEN_TTL=20 PORTCULLIS_SWEEP_INTERVAL=${SWEEP:-10} PORTCULLIS_AUDIT_RETENTION=60 \
  "$root/target/release/portcullis" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
up "$base/healthz"

# 64 accounts; each wrk request logs one of them in (and every 8th fails, so
# failure counters and audit records grow too).
for i in $(seq 1 64); do
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"soak$i@example.com\",\"password\":\"$PASSWORD\"}" "$base/api/v1/users"
done
cat >"$work/login.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local password = "correct horse battery staple"
  if n % 8 == 0 then password = "not the right password at all" end
  local body = string.format('{"email":"soak%d@example.com","password":"%s"}', n % 64 + 1, password)
  return wrk.format("POST", "/api/v1/sessions", {["Content-Type"] = "application/json"}, body)
end
LUA

gauge() { awk -v s="$1" '$1 == s { print $2 }' "$work/metrics"; }
sample() {
  curl -fsS -o "$work/metrics" "$base/metrics"
  local rss du logins
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$server/status")
  du=$(du -sk "$work/data" | cut -f1)
  logins=$(gauge 'portcullis_logins_total{result="succeeded"}')
  printf '%6s %10s %9s %9s %9s %10s %10s %12s\n' "$1" "${logins%.*}" "$rss" "$du" \
    "$(gauge portcullis_live_sessions)" "$(gauge portcullis_revoked_set)" \
    "$(gauge 'portcullis_swept_total{kind="sessions"}')" "$(gauge 'portcullis_swept_total{kind="audit"}')"
}

printf '%6s %10s %9s %9s %9s %10s %10s %12s\n' t/s logins rss_kib data_kib live revoked swept_sess swept_audit
sample 0
wrk -t2 -c"$conns" -d"${secs}s" -s "$work/login.lua" "$base" >"$work/wrk.txt" &
load=$!
for ((t = every; t <= secs; t += every)); do
  sleep "$every"
  sample "$t"
done
wait $load
# Quiet: everything made during the run ends within 30 s and is swept.
sleep 45
sample "$((secs + 45))"
echo "== wrk"
grep -E 'Requests/sec|Non-2xx|Latency' "$work/wrk.txt"
