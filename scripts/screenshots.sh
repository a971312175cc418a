#!/usr/bin/env bash
# Copies the README's screenshots from a browser-suite run into docs/screenshots/.
# Run the suite first (PORTCULLIS_BIN=target/release/portcullis cargo test -- --ignored
# browser); it photographs every page into target/screenshots/<scenario>/ as
# NN-<profile>-<page>-<device>-<scheme>.png, and this picks the ones people look at.
set -euo pipefail
cd "$(dirname "$0")/.."
from="${PORTCULLIS_SCREENSHOTS:-target/screenshots}"
to=docs/screenshots
mkdir -p "$to"

# pick SCENARIO PAGE VARIANT NAME [first|last]: the first (or last) visit of PAGE.
pick() {
  local files
  files=$(ls "$from/$1"/*-"$2"-"$3".png 2>/dev/null || true)
  [ -n "$files" ] || { echo "no $1/*-$2-$3.png in $from: run the browser suite" >&2; exit 1; }
  if [ "${5:-first}" = last ]; then files=$(tail -n1 <<<"$files"); else files=$(head -n1 <<<"$files"); fi
  cp "$files" "$to/$4.png"
}

pick accounts alice-laptop-login-signed-out desktop-light login-desktop-light
pick accounts alice-phone-signed-out-password-changed desktop-dark login-desktop-dark
pick accounts alice-laptop-login-signed-out phone-dark login-phone-dark
pick accounts alice-laptop-register-short desktop-light register-desktop-light
pick accounts alice-laptop-account-revoke-confirm desktop-light account-desktop-light
pick accounts alice-laptop-account-revoke-confirm desktop-dark account-desktop-dark
pick accounts alice-laptop-account-others-signed-out phone-light account-phone-light
pick accounts alice-laptop-account-revoke-confirm phone-dark account-phone-dark
pick accounts alice-laptop-reauth desktop-dark reauth-desktop-dark
pick accounts admin-reauth-carried phone-light reauth-phone-light
pick accounts admin-setup desktop-dark setup-desktop-dark
pick admin admin-admin-users desktop-light admin-desktop-light last
pick admin admin-admin-users desktop-dark admin-desktop-dark last
pick admin admin-admin-user-disable-confirm desktop-light admin-user-desktop-light
pick admin admin-admin-user-disabled desktop-dark admin-user-notice-desktop-dark
pick admin bob-invite-spent desktop-light link-spent-desktop-light
pick admin admin-admin-user-disable-confirm phone-dark admin-user-phone-dark
pick admin admin-invite-copied desktop-light invite-desktop-light
pick admin admin-invite-copied desktop-dark invite-desktop-dark
pick admin bob-invite-accept desktop-light invite-accept-desktop-light
pick admin bob-new-laptop-reset phone-dark reset-phone-dark
pick admin admin-audit desktop-light audit-desktop-light
pick second-factor root-totp-enrol desktop-light totp-enrol-desktop-light
pick second-factor root-recovery-codes phone-light recovery-codes-phone-light
pick passkeys root-passkey-added desktop-light passkey-added-desktop-light
pick passkeys root-login-with-passkey-button desktop-dark login-passkey-desktop-dark
pick passkeys root-second-factor phone-dark second-factor-passkey-phone-dark
du -sh "$to"
