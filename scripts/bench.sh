#!/usr/bin/env bash
# Every issue-8 measurement in one go (docs/BENCHMARKS.md): guard ratios, login
# throughput/memory/latency under a flood, and the 100k-user / 1M-session scale case.
# Each part builds the release binaries it needs; run on an otherwise idle machine.
# Needs wrk (apt-get install wrk) and oha (cargo install oha --locked).
#
#   scripts/bench.sh [seconds-per-run]
set -euo pipefail
secs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
# The parts' own messages are silenced below, so check their tools first.
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
command -v oha >/dev/null || { echo "oha is not installed (cargo install oha --locked)" >&2; exit 1; }
guard=$("$here/bench-guard.sh" "$secs" 3 2>/dev/null | tail -5)
login=$("$here/bench-login.sh" "$secs" 2 2>/dev/null)
scale=$("$here/bench-scale.sh" "$secs" 2>/dev/null | grep -E '^(small|large) ')

ratio() { echo "$guard" | awk -v r="$1" '$1 == r { print $3 }'; }
raw=$(echo "$login" | awk '/hashes\/s/ { print $(NF-1) }')
logins=$(echo "$login" | awk '/^logins\/s:/ { print $2 }')
quiet=$(echo "$login" | awk '/^guarded p99:/ { print $3 }')
busy=$(echo "$login" | awk '/^guarded p99:/ { print $6 }')
shared=$(echo "$login" | awk '/^guarded req\/s:/ { printf "%.2f× of its req/s kept, %s logins/s", $5 / $3, $NF }')
field() { echo "$scale" | awk -v n="$1" -v k="$2" '$1 == n { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { sub(k "=", "", $i); print $i } }'; }

echo
printf '%-58s %s\n' "goal" "measured"
printf '%-58s %s\n' "cookie-guarded req/s ≥ 0.95× open" "$(ratio cookie)×"
printf '%-58s %s\n' "bearer-guarded req/s ≥ 0.95× open" "$(ratio bearer)×"
printf '%-58s %s\n' "login throughput ≥ 0.9× raw argon2 ($raw hashes/s)" \
  "$(awk -v l="$logins" -v r="$raw" 'BEGIN { printf "%.2f× (%s logins/s)", l / r, l }')"
printf '%-58s %s\n' "peak RSS under the login flood" "$(echo "$login" | awk '/^peak RSS:/ { sub(",", "", $4); print $3, $4 }')"
printf '%-58s %s\n' "guarded p99 under login flood ≤ 2× quiet (fixed-rate probe)" \
  "$(awk -v b="$busy" -v q="$quiet" 'BEGIN { printf "%.2f× (%s ms vs %s ms)", b / q, b, q }')"
printf '%-58s %s\n' "  context: saturating guarded load during the flood" "$shared"
printf '%-58s %s\n' "100k users / 1M sessions: start-up ≤ 2 s" "$(field large start)"
printf '%-58s %s\n' "100k users / 1M sessions: RSS ≤ 200 MB" "$(field large rss_start) at start, $(field large rss_after) after load, peak $(field large peak)"
printf '%-58s %s\n' "guard p50 at 100k/1M within 1.1× of 1k" "$(field large p50) vs $(field small p50)"
