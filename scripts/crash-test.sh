#!/usr/bin/env bash
# Crash test (issue 3, SPEC §2 durability): drives the real server through its HTML
# forms with curl, kills it with SIGKILL right after acknowledged revocations, restarts
# it on the same data dir and checks that nothing acknowledged was lost.
#
# Usage: scripts/crash-test.sh [path/to/portcullis] [rounds]
#   Without a binary path it runs `cargo build --bin portcullis` (the debug binary:
#   after `cargo test` that build is a no-op, where a release build from a clean clone
#   costs several minutes on a small CI machine).
#   ROUNDS (or the second argument; default 5) rounds of three SIGKILL cycles each.
#   Set KEEP_WORK=1 to keep the temp dir (server log, cookie jars) for inspection.
#
# Each round logs in fresh sessions, then runs three cycles, each under background
# load (GET /account in loops over every jar, plus a loop of logins) and each ending
# with kill -9 the moment its action is acknowledged:
#   - user "rev" revokes its session B from session A      (303 → /account)
#   - user "all" logs out everywhere from session A         (303 → /login)
#   - user "pw"  changes its password from session A        (303 → /account)
# After each kill the server restarts on the same data dir and the script checks:
#   - every revoked or old-generation cookie (from this and all earlier rounds) is
#     refused (303 → /login?rd=…); every session never revoked (from this and all
#     earlier rounds, and every login the load loop saw acknowledged) still gets 200;
#   - "pw" logs in with its latest password and not with the previous one.
# Prints PASS or FAIL and exits non-zero on failure.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${ROUNDS:-${2:-5}}"
if [[ $# -ge 1 && -n "$1" ]]; then
  bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  (cd "$root" && cargo build --quiet --bin portcullis)
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/portcullis"
fi
[[ -x "$bin" ]] || { echo "crash-test: no executable at $bin" >&2; exit 2; }
command -v curl >/dev/null || { echo "crash-test: curl is required" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
load_pids=()
failures=0

cleanup() {
  stop_load
  if [[ -n "$server_pid" ]]; then kill -9 "$server_pid" 2>/dev/null || true; fi
  if [[ "${KEEP_WORK:-}" == 1 ]]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() {
  echo "  FAIL: $*"
  failures=$((failures + 1))
}

# A free TCP port: nothing answers on it now (the server binds with SO_REUSEADDR, so
# the same port can be reused after each kill).
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "crash-test: no free port found" >&2
  exit 2
}

port="$(free_port)"
base="http://127.0.0.1:$port"
mkdir -p "$work/data" "$work/jars"

start_server() {
  # Run from the work dir so no Rocket.toml of the checkout is picked up; argon2 is
  # cheapened because hashing speed is not what this test is about.
  (
    cd "$work"
    export ROCKET_CONFIG=/dev/null ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT="$port" \
      ROCKET_LOG_LEVEL=normal \
      PORTCULLIS_DATA_DIR="$work/data" PORTCULLIS_PUBLIC_URL="$base" \
      PORTCULLIS_ARGON2_MEMORY_KIB=1024 PORTCULLIS_ARGON2_ITERATIONS=1 \
      PORTCULLIS_LOGIN_IP_LIMIT=10000 PORTCULLIS_REGISTER_RATE_LIMIT=100
    exec "$bin" >>"$work/server.log" 2>&1
  ) &
  server_pid=$!
  for _ in $(seq 300); do
    if curl -fs -o /dev/null "$base/healthz"; then return; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.05
  done
  echo "crash-test: server did not come up; last log lines:" >&2
  tail -n 30 "$work/server.log" >&2
  exit 2
}

crash_server() {
  kill -9 "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

stop_load() {
  local pid
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${load_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  load_pids=()
}

# `status location` of a request; extra curl arguments follow the path.
req() {
  local path="$1"
  shift
  curl -s -o "$work/body" -w '%{http_code} %{redirect_url}' "$@" "$base$path"
}

# The csrf_token of the page at $2 as seen by jar $1.
csrf_of() {
  curl -s -b "$1" -c "$1" "$base$2" |
    sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1
}

# POST form to $2 with jar $1 (csrf token taken from page $3); prints `status location`.
post_form() {
  local jar="$1" path="$2" page="$3"
  shift 3
  local token
  token="$(csrf_of "$jar" "$page")"
  local args=(--data-urlencode "csrf_token=$token")
  local field
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  req "$path" -b "$jar" -c "$jar" "${args[@]}"
}

expect() { # expect <what> <got> <wanted-prefix>
  if [[ "$2" != "$3"* ]]; then fail "$1: got '$2', wanted '$3…'"; fi
}

# Logs in as $1 with password $2 into a new jar named $3 (at $work/jars/$3).
login() {
  local jar="$work/jars/$3"
  rm -f "$jar"
  expect "login $1 ($3)" "$(post_form "$jar" /login /login "email=$1" "password=$2")" \
    "303 $base/account"
}

has_session_cookie() { grep -q $'\tportcullis\t' "$1"; }

# 200 for a live session, 303 → /login for a refused one.
check_live() {
  has_session_cookie "$1" || { fail "$2: jar has no session cookie"; return; }
  expect "$2 should still be signed in" "$(req /account -b "$1")" "200"
}
check_refused() {
  has_session_cookie "$1" || { fail "$2: jar has no session cookie"; return; }
  expect "$2 should be refused" "$(req /account -b "$1")" "303 $base/login?rd="
}

# The id of the session jar $1 is using, from the "current" row of /account.
session_id_of() {
  # Tera writes `/` in attributes as `&#x2F;`; the macro spreads a form over lines.
  curl -s -b "$1" "$base/account" | sed 's|&#x2F;|/|g' | grep -A 40 'class="current"' |
    grep -o '/account/sessions/[^/"]*/revoke' | head -n 1 | cut -d/ -f4
}

# Background load: repeated GET /account with each jar (read-only, so no jar races).
start_reader() {
  local jar="$1"
  (while :; do curl -s -o /dev/null -b "$jar" "$base/account" || true; done) &
  load_pids+=($!)
}

# Background logins; each one the server acknowledged (303) is recorded as a session
# that must survive the crash.
start_login_loop() {
  local round="$1"
  (
    n=0
    while :; do
      n=$((n + 1))
      jar="$work/jars/loop-$round-$n"
      token="$(csrf_of "$jar" /login)" || continue
      got="$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" \
        --data-urlencode "csrf_token=$token" --data-urlencode "email=keep@example.com" \
        --data-urlencode "password=$keep_pw" "$base/login")" || continue
      if [[ "$got" == 303 ]]; then echo "$jar" >>"$work/acked-logins"; fi
    done
  ) &
  load_pids+=($!)
}

started=$(date +%s)
start_server

# Accounts, created once through /register.
pw_rev="revoke test passphrase one"
pw_all="everywhere test passphrase two"
pw_pw="changing test passphrase 0"
keep_pw="keeper test passphrase four"
declare -A passwords=([rev]="$pw_rev" [all]="$pw_all" [pw]="$pw_pw" [keep]="$keep_pw")
for who in rev all pw keep; do
  jar="$work/jars/register-$who"
  got="$(post_form "$jar" /register /register "email=$who@example.com" "password=${passwords[$who]}")"
  expect "register $who" "$got" "303 $base/account"
done

live=("$work/jars/register-keep")  # jars whose sessions must keep working
refused=()                          # cookie copies that must stay refused
: >"$work/acked-logins"
old_pw=""
cycles=0

# Everything acknowledged so far, checked on a freshly restarted server.
check_all() {
  local jar acked=0 before=$failures
  for jar in "${live[@]}"; do check_live "$jar" "$(basename "$jar")"; done
  while read -r jar; do
    check_live "$jar" "acknowledged $(basename "$jar")"
    acked=$((acked + 1))
  done <"$work/acked-logins"
  for jar in "${refused[@]}"; do check_refused "$jar" "$(basename "$jar")"; done
  if [[ -n "$old_pw" ]]; then
    expect "previous password of pw" \
      "$(post_form "$work/jars/probe" /login /login "email=pw@example.com" "password=$old_pw")" \
      "401"
    rm -f "$work/jars/probe"
  fi
  expect "latest password of pw" \
    "$(post_form "$work/jars/probe" /login /login "email=pw@example.com" "password=$pw_pw")" \
    "303 $base/account"
  rm -f "$work/jars/probe"
  local verdict=ok
  if [[ $failures -ne $before ]]; then verdict="$((failures - before)) FAILED"; fi
  echo "  $1: ${#live[@]} live, $acked acknowledged background logins, ${#refused[@]} refused: $verdict"
}

# Runs the action $2 under load, kills the server the moment it is acknowledged,
# restarts it and checks everything. $1 names the cycle.
crash_cycle() {
  local jar
  for jar in "${live[@]}" "${refused[@]}"; do start_reader "$jar"; done
  start_login_loop "$1"
  "$2"
  crash_server
  stop_load
  cycles=$((cycles + 1))
  start_server
  check_all "$1"
}

# Moves the live jars whose name matches the glob $1 to the refused list, except $2
# (the jar that performs the action: it keeps its new cookie, or loses its cookie).
retire() {
  local jar kept=()
  for jar in "${live[@]}"; do
    if [[ "$(basename "$jar")" == $1 && "$jar" != "${2:-}" ]]; then
      refused+=("$jar")
    else
      kept+=("$jar")
    fi
  done
  live=("${kept[@]}")
}

# Drops jar $1 from the live list (its cookie is about to be cleared).
forget() {
  local jar kept=()
  for jar in "${live[@]}"; do [[ "$jar" == "$1" ]] || kept+=("$jar"); done
  live=("${kept[@]}")
}

# The three acknowledged actions; each one is followed at once by kill -9.
revoke() {
  local id
  id="$(session_id_of "$rev_b")"
  [[ -n "$id" ]] || fail "could not read the session id of $(basename "$rev_b")"
  expect "revoke $(basename "$rev_b")" \
    "$(post_form "$rev_a" "/account/sessions/$id/revoke" /account)" "303 $base/account"
}
everywhere() {
  expect "log out everywhere from $(basename "$all_a")" \
    "$(post_form "$all_a" /account/logout-everywhere /account)" "303 $base/login"
}
change_password() {
  expect "change password from $(basename "$pw_a")" \
    "$(post_form "$pw_a" /account/password /account/password \
      "current_password=$old_pw" "new_password=$pw_pw")" "303 $base/account"
}

for round in $(seq "$rounds"); do
  echo "round $round/$rounds"
  j="$work/jars"
  rev_a="$j/rev-a-$round" rev_b="$j/rev-b-$round" all_a="$j/all-a-$round"
  all_b="$j/all-b-$round" pw_a="$j/pw-a-$round" pw_b="$j/pw-b-$round" keep="$j/keep-$round"
  login rev@example.com "$pw_rev" "rev-a-$round"
  login rev@example.com "$pw_rev" "rev-b-$round"
  login all@example.com "$pw_all" "all-a-$round"
  login all@example.com "$pw_all" "all-b-$round"
  login pw@example.com "$pw_pw" "pw-a-$round"
  login pw@example.com "$pw_pw" "pw-b-$round"
  login keep@example.com "$keep_pw" "keep-$round"
  for jar in "$rev_a" "$rev_b" "$all_a" "$all_b" "$pw_a" "$pw_b" "$keep"; do
    cp "$jar" "$jar.before"
  done
  live+=("$rev_a" "$rev_b" "$all_a" "$all_b" "$pw_a" "$pw_b" "$keep")

  # Revoke one session from another device: only that one ends.
  retire "rev-b-$round"
  crash_cycle "revoke-$round" revoke

  # Log out everywhere: every session of "all" ends, the acting one included.
  retire "all-*" "$all_a"
  forget "$all_a"
  refused+=("$all_a.before")
  crash_cycle "everywhere-$round" everywhere

  # Change the password: this session goes on with a new cookie; its old cookie and
  # every other session of "pw" (earlier rounds' included) end.
  retire "pw-*" "$pw_a"
  refused+=("$pw_a.before")
  old_pw="$pw_pw" pw_pw="changing test passphrase $round"
  crash_cycle "password-$round" change_password
done

crash_server
elapsed=$(($(date +%s) - started))
if [[ $failures -eq 0 ]]; then
  echo "crash-test: PASS ($cycles SIGKILL cycles in $rounds rounds, ${elapsed}s)"
else
  echo "crash-test: FAIL ($failures failed checks over $cycles SIGKILL cycles, ${elapsed}s)"
  echo "server log: last lines" && tail -n 20 "$work/server.log"
  exit 1
fi
