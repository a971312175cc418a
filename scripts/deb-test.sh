#!/usr/bin/env bash
# Builds the Debian package with cargo-deb, installs it with dpkg, runs the unit's
# ExecStart as the `portcullis` user with the packaged config (no running systemd
# needed: setpriv drops to the user with no capabilities and no new privileges, as
# the unit does), checks /healthz, the setup link, the data dir's owner and modes and
# `systemd-analyze verify`, then purges the package and checks that nothing is left.
#
# Needs root and a Debian/Ubuntu machine. It purges any installed `portcullis`
# package at the end (and refuses to start if one is installed): run it on a test
# machine, not on a server holding real accounts.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
unit=packaging/debian/portcullis.service
log=$(mktemp)
pid=""

fail() { echo "deb-test: FAIL: $*" >&2; exit 1; }
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if dpkg-query -W -f='${Status}' portcullis 2>/dev/null | grep -q installed; then
    dpkg --purge portcullis >/dev/null
  fi
  rm -f "$log"
}

[ "$(id -u)" = 0 ] || fail "needs root (dpkg -i, a system user)"
if dpkg-query -W -f='${Status}' portcullis 2>/dev/null | grep -q "ok installed"; then
  fail "a portcullis package is already installed; this test would purge it"
fi
trap cleanup EXIT

if ! cargo deb --version 2>/dev/null | grep -qF "$CARGO_DEB_VERSION"; then
  echo "== cargo install cargo-deb $CARGO_DEB_VERSION"
  cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked
fi

echo "== cargo deb"
# --fast: gzip instead of xz; this package is thrown away after the test.
deb=$(cargo deb --fast | tail -n1)
[ -f "$deb" ] || fail "cargo deb made no package ($deb)"
echo "$deb: $(du -h "$deb" | cut -f1)"

echo "== dpkg -i"
dpkg -i "$deb" >/dev/null
getent passwd portcullis >/dev/null || fail "postinst made no portcullis user"
[ "$(getent passwd portcullis | cut -d: -f7)" = /usr/sbin/nologin ] || fail "the user can log in"
dpkg-query -W -f='${Conffiles}' portcullis | grep -q /etc/portcullis/Rocket.toml ||
  fail "/etc/portcullis/Rocket.toml is not a conffile"
installed_unit=$(dpkg -L portcullis | grep '/portcullis\.service$') || fail "no unit installed"
[ "$(stat -c '%U:%G %a' /etc/portcullis/Rocket.toml)" = "root:portcullis 640" ] ||
  fail "config is $(stat -c '%U:%G %a' /etc/portcullis/Rocket.toml)"

echo "== systemd-analyze verify $installed_unit"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$installed_unit"
  systemd-analyze security --offline=yes "$installed_unit" 2>/dev/null | tail -n1 || true
else
  echo "(systemd-analyze not installed; skipped)"
fi

echo "== the unit's ExecStart as the portcullis user"
exec_start=$(sed -n 's/^ExecStart=//p' "$installed_unit")
workdir=$(sed -n 's/^WorkingDirectory=//p' "$installed_unit")
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$installed_unit")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The packaged config listens on 8000; a free port keeps this test off any other
# server on the machine. Everything else comes from /etc/portcullis/Rocket.toml.
(
  cd "$workdir"
  umask 0077
  # shellcheck disable=SC2086 # ExecStart is split into words as systemd does
  exec setpriv --reuid=portcullis --regid=portcullis --init-groups --no-new-privs \
    --inh-caps=-all --bounding-set=-all \
    env -i PATH=/usr/bin:/bin "${unit_env[@]}" ROCKET_PORT="$port" $exec_start
) >"$log" 2>&1 &
pid=$!

for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "the server exited"; }
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] ||
  { cat "$log"; fail "/healthz does not answer 200"; }
echo "/healthz: 200"
grep -qE 'http://localhost:8000/setup/[A-Za-z0-9_-]{20,}' "$log" ||
  { cat "$log"; fail "no setup link in the output"; }
echo "setup link printed"
[ "$(ps -o user= -p "$pid")" = portcullis ] || fail "the server does not run as portcullis"

check_mode() { # path, expected "owner:group mode"
  local got
  got=$(stat -c '%U:%G %a' "$1") || fail "$1 missing"
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
  echo "$1: $got"
}
check_mode /var/lib/portcullis "portcullis:portcullis 700"
check_mode /var/lib/portcullis/keys "portcullis:portcullis 700"
check_mode /var/lib/portcullis/secret_key "portcullis:portcullis 600"
for key in /var/lib/portcullis/keys/*.paserk; do check_mode "$key" "portcullis:portcullis 600"; done
others=$(find /var/lib/portcullis ! -user portcullis -o -perm /o=rwx | head -n1)
[ -z "$others" ] || fail "$others is not the service user's alone"

echo "== portcullis doctor as the service user"
setpriv --reuid=portcullis --regid=portcullis --init-groups \
  env -i PATH=/usr/bin:/bin "${unit_env[@]}" /usr/bin/portcullis doctor >"$log.doctor" 2>&1 || true
sed 's/^/  /' "$log.doctor"
grep -q "✓ nothing in the data dir is readable by other users" "$log.doctor" ||
  fail "doctor did not find the data dir private"
rm -f "$log.doctor"

kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

echo "== dpkg --purge"
dpkg --purge portcullis >/dev/null
for gone in /usr/bin/portcullis /var/lib/portcullis /etc/portcullis "$installed_unit"; do
  [ ! -e "$gone" ] || fail "$gone is still there after purge"
done
! getent passwd portcullis >/dev/null || fail "the portcullis user is still there after purge"
echo "deb-test: ok"
