#!/usr/bin/env bash
# Checks that the OpenAPI document tells the truth: schemathesis sends generated requests
# to a real `meridian` (debug build, temporary SQLite data folder, loopback port) and
# fails on a 5xx, a status the document does not list, or an answer that breaks its schema.
# Bounded: at most SCHEMATHESIS_MAX_TIME seconds of testing (default 150).
# Needs schemathesis (see SCHEMATHESIS_VERSION; .ci/run installs it with pip).
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
max_time=${SCHEMATHESIS_MAX_TIME:-150}
if ! schemathesis --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "schemathesis $SCHEMATHESIS_VERSION is needed: python3 -m pip install schemathesis==$SCHEMATHESIS_VERSION" >&2
  exit 2
fi

work=$(mktemp -d)
server=
stop() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stop EXIT

cargo build --quiet
# A copy, so that another build into a shared target folder cannot swap it meanwhile.
cp "${CARGO_TARGET_DIR:-target}/debug/meridian" "$work/meridian"
meridian="$work/meridian"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export MERIDIAN__SERVER__BIND="127.0.0.1:$port"
export MERIDIAN__SERVER__PUBLIC_URL="$base"
export MERIDIAN__DATABASE__URL="sqlite://$work/meridian.db"
export MERIDIAN__SECURITY__SECRET_FILE="$work/secret.key"
export MERIDIAN__MAIL__OUTBOX_DIR="$work/outbox"
export MERIDIAN__SECURITY__RATE_LIMIT_PER_MINUTE=0
export RUST_LOG=warn

"$meridian" serve 2>"$work/server.log" &
server=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$base/api/openapi.json" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done

token=$("$meridian" organizer create --email fuzz@example.org --name "Fuzz Organizer" | tail -n 1)
auth="Authorization: Bearer $token"
api() { # method path [json]
  curl -fsS -X "$1" -H "$auth" -H 'Content-Type: application/json' ${3:+--data "$3"} "$base$2"
}
field() { python3 -c "import json, sys; print(eval('json.load(sys.stdin)' + sys.argv[1]))" "$1"; }

# Real resources, so that generated requests reach the handlers and not only the 404s.
webinar=$(api POST /api/v1/webinars '{"title": "Fuzzed webinar", "time_zone": "Europe/Zurich",
  "sessions": [{"label": "AM", "starts_at": "2030-09-24T07:00:00Z", "duration_minutes": 120, "capacity": 500},
               {"label": "PM", "starts_at": "2030-09-24T15:00:00Z", "duration_minutes": 120}]}')
webinar_id=$(field "['id']" <<<"$webinar")
session_id=$(field "['sessions'][0]['id']" <<<"$webinar")
registration=$(api POST "/api/v1/webinars/$webinar_id/registrations" \
  '{"name": "Ada Lovelace", "email": "ada@example.org", "time_zone": "Asia/Tokyo"}')
registration_id=$(field "['id']" <<<"$registration")
manage_token=$(field "['manage_url'].rsplit('/', 1)[1]" <<<"$registration")
material_id=$(api POST "/api/v1/webinars/$webinar_id/materials" \
  '{"title": "Agenda", "kind": "agenda", "language": "en", "url": "https://example.org/agenda.pdf"}' | field "['id']")
api POST "/api/v1/webinars/$webinar_id/invitations" >/dev/null

cat >"$work/schemathesis.toml" <<TOML
[parameters]
"path.id" = "$webinar_id"
"path.session_id" = "$session_id"
"query.session_id" = "$session_id"
"path.registration_id" = "$registration_id"
"path.token" = "$manage_token"
"path.material" = "$material_id"
"path.message" = "1"
TOML

# Serializers for the media types schemathesis lacks (message/rfc822).
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
export SCHEMATHESIS_HOOKS=schemathesis_hooks
# From the temporary folder, so that schemathesis's cache and reports stay out of the work tree.
status=0
cd "$work"
timeout $((max_time + 60)) schemathesis --config-file "$work/schemathesis.toml" run "$base/api/openapi.json" \
  --url "$base" \
  --header "$auth" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance \
  --max-time "$max_time" --max-examples 50 --workers 1 --seed 1 \
  --generation-database none --no-color ${SCHEMATHESIS_ARGS:-} || status=$?
if [ "$status" -ne 0 ] && grep -q . "$work/server.log"; then
  echo "--- server log" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit "$status"
