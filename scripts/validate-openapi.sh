#!/usr/bin/env bash
# Validates the API's OpenAPI document (src/api/openapi.json) against the OpenAPI 3
# specification with openapi-spec-validator, installed into a throw-away virtualenv
# so nothing is added to the system Python. Needs python3 (with venv) and network
# access to PyPI. Exit status: 0 valid, 1 invalid, 2 tooling missing.
set -euo pipefail
cd "$(dirname "$0")/.."

document="${1:-src/api/openapi.json}"
validator_version="0.7.1"

if ! command -v python3 >/dev/null; then
    echo "validate-openapi: python3 is required" >&2
    exit 2
fi

venv="$(mktemp -d)"
trap 'rm -rf "$venv"' EXIT

python3 -m venv "$venv" || { echo "validate-openapi: python3 -m venv failed" >&2; exit 2; }
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "openapi-spec-validator==${validator_version}" \
    || { echo "validate-openapi: could not install openapi-spec-validator" >&2; exit 2; }

echo "== openapi-spec-validator ${document}"
"$venv/bin/openapi-spec-validator" "$document" || exit 1
