# What the bench and soak scripts share, sourced (`. "$root/scripts/lib.sh"`):
# finding a port, waiting for a server, registering through the HTML form, and the
# wrk script of a login flood. The functions that write files put them in "$work",
# the caller's temporary directory.

# The password every bench account gets.
PASSWORD="correct horse battery staple"

# Stops the script unless the command $1 is installed; $2 says how to install it.
need() { command -v "$1" >/dev/null || { echo "$1 is not installed${2:+ ($2)}" >&2; exit 1; }; }

# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits until the URL $1 answers 2xx, for $2 seconds at the most (default 60).
up() { curl -fsS --retry 300 --retry-connrefused --retry-delay 0 --retry-max-time "${2:-60}" -o /dev/null "$1" 2>/dev/null; }

# The CSRF token of the first form in the HTML on stdin.
form_token() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1; }

# Registers $2 through the HTML form on the server at $1; prints the session cookie.
register() {
  local jar token
  jar=$(mktemp "$work/jar.XXXXXX")
  token=$(curl -fsS -c "$jar" -b "$jar" "$1/register" | form_token)
  curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=$2" --data-urlencode "password=$PASSWORD" "$1/register"
  awk '$6 == "portcullis" { print $7 }' "$jar"
}

# Makes 32 accounts (user1@example.com … user32@example.com) on the server at $1
# and writes "$work/login.lua", a wrk script that logs them in by turns through the
# login form. The logged-out form token it posts is left in $flood_token and its
# CSRF cookie in $flood_csrf: both stay valid across requests. Logins are spread
# over 32 accounts because one account logging in many times at once is itself
# throttled (concurrent attempts are counted before they are evaluated).
login_flood() {
  local fresh="$work/fresh" bodies i
  flood_token=$(curl -fsS -c "$fresh" "$1/login" | form_token)
  flood_csrf=$(awk '$6 == "portcullis_csrf" { print $7 }' "$fresh")
  for i in $(seq 1 32); do
    curl -fsS -o /dev/null -H "Cookie: portcullis_csrf=$flood_csrf" --data-urlencode "csrf_token=$flood_token" \
      --data-urlencode "email=user$i@example.com" --data-urlencode "password=$PASSWORD" "$1/register"
  done
  bodies=$(python3 -c '
import sys, urllib.parse as u
print(",".join("\"%s\"" % u.urlencode({"csrf_token": sys.argv[1], "email": "user%d@example.com" % i, "password": sys.argv[2]}) for i in range(1, 33)))' "$flood_token" "$PASSWORD")
  cat >"$work/login.lua" <<LUA
local bodies = { $bodies }
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/login", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "portcullis_csrf=$flood_csrf",
  }, bodies[(n % #bodies) + 1])
end
LUA
}
