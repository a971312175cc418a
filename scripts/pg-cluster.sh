#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a loopback port, for the tests of the
# PostgreSQL store (SPEC §13) and for trying several instances by hand.
#
#   scripts/pg-cluster.sh start DIR PORT [WATCH_PID]   # prints the database URL
#   scripts/pg-cluster.sh stop DIR                    # immediate stop (like a crash)
#   scripts/pg-cluster.sh createdb DIR PORT NAME      # prints the new database's URL
#
# `start` runs initdb the first time (trust authentication on 127.0.0.1 only, user
# `portcullis`), then pg_ctl. With WATCH_PID, a watcher stops the cluster and deletes
# DIR once that process is gone, so a test run leaves nothing behind. PostgreSQL
# refuses to run as root: as root, the cluster runs as the `postgres` user (created
# by Debian's postgresql package) and DIR is handed to it.
#
# With PG_TLS_CERT and PG_TLS_KEY (PEM files) set at the first `start`, the cluster
# serves TLS with that certificate and accepts TCP connections over TLS only.
set -euo pipefail
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bin/initdb" ]; then
  echo "pg-cluster: $bin/initdb not found (apt-get install postgresql, or set PG_BIN)" >&2
  exit 2
fi
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
cmd=${1:?usage: pg-cluster.sh start|stop|createdb DIR ...}
dir=${2:?DIR missing}
case $cmd in
  start)
    port=${3:?PORT missing}
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres: "$dir"
      # The postgres user must be able to reach DIR (a temp dir's parent is 0700).
      chmod a+x "$(dirname "$dir")"
    fi
    if [ ! -d "$dir/data" ]; then
      "${as[@]}" "$bin/initdb" -D "$dir/data" -U portcullis --auth=trust -E UTF8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
      if [ -n "${PG_TLS_CERT:-}" ]; then
        # The server refuses a key others can read.
        owner=$(stat -c %U "$dir")
        install -o "$owner" -m 600 "$PG_TLS_CERT" "$dir/data/server.crt"
        install -o "$owner" -m 600 "${PG_TLS_KEY:?PG_TLS_KEY missing}" "$dir/data/server.key"
        echo "ssl = on" >>"$dir/data/postgresql.conf"
        printf '%s\n' "local all all trust" "hostssl all all 127.0.0.1/32 trust" \
          >"$dir/data/pg_hba.conf"
      fi
    fi
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    if [ -n "${4:-}" ]; then
      watch=$4
      (
        while kill -0 "$watch" 2>/dev/null; do sleep 1; done
        "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$dir"
      ) </dev/null >/dev/null 2>&1 &
      disown
    fi
    echo "postgres://portcullis@127.0.0.1:$port/postgres"
    ;;
  stop)
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  createdb)
    port=${3:?PORT missing}
    name=${4:?NAME missing}
    "${as[@]}" "$bin/psql" -q -h 127.0.0.1 -p "$port" -U portcullis -d postgres \
      -c "CREATE DATABASE \"$name\"" >/dev/null
    echo "postgres://portcullis@127.0.0.1:$port/$name"
    ;;
  *)
    echo "pg-cluster: unknown command $cmd" >&2
    exit 2
    ;;
esac
