#!/usr/bin/env bash
# The API contract, checked from outside: a fresh demo instance on a free loopback
# port, then schemathesis against its own /api/v1/openapi.json (coverage and fuzzing
# phases). Any failure (a 500, an undocumented status or content type, a body that
# does not match its schema) makes this exit non-zero. Usage: make contract
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${BIN:-.venv/bin}"
# Examples per operation and phase: enough to find the bugs a schema-driven fuzzer
# finds, few enough for a few minutes on 2 cores.
MAX_EXAMPLES="${CONTRACT_MAX_EXAMPLES:-25}"

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export ORTSVEREIN_CONFIG=development
export ORTSVEREIN_INSTANCE_PATH="$work"
export ORTSVEREIN_DATABASE_URL="sqlite:///$work/contract.db"
# The fuzzer posts to /auth/token many times a minute; the login limit is tested
# elsewhere (tests/api/test_api.py) and must not turn this run into 429s.
export ORTSVEREIN_LOGIN_RATE_LIMIT="100000 per minute"
port="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export ORTSVEREIN_BASE_URL="$base"

"$BIN/ortsverein" db upgrade >/dev/null
"$BIN/ortsverein" seed-demo >/dev/null
"$BIN/ortsverein" serve --host 127.0.0.1 --port "$port" --threads 20 \
  >"$work/server.log" 2>&1 &
server=$!

token="$("$BIN/python" tests/contract/demo_ids.py "$base" "$work/schemathesis.toml")"

echo "--- ids of the demo data the fuzzer draws from ---"
cat "$work/schemathesis.toml"
status=0
# Excluded from the fuzzing: DELETE /auth/token revokes the run's own token, and
# every request after it would test nothing but the 401.
"$BIN/schemathesis" --config-file "$work/schemathesis.toml" \
  run "$base/api/v1/openapi.json" \
  --url "$base" \
  -H "Authorization: Bearer $token" \
  --phases=coverage,fuzzing \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --seed "${CONTRACT_SEED:-20}" \
  --workers 2 \
  --exclude-name "DELETE /api/v1/auth/token" \
  --request-timeout 30 \
  --no-color || status=$?
echo "--- responses by status (server log) ---"
grep -o 'HTTP/1.1" [0-9]*' "$work/server.log" | sort | uniq -c || true
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---"
  tail -n 60 "$work/server.log"
fi
exit "$status"
