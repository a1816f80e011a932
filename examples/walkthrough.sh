#!/usr/bin/env bash
# The model case with curl, against a running Meridian: the test suite runs this very
# script (tests/api/walkthrough.rs), so every step here works as written.
#   MERIDIAN_URL  the server (default http://127.0.0.1:8080)
#   TOKEN         an organizer's API token (default: step 1 creates an organizer)
# Needs bash, curl and python3. Stops at the first step that does not answer as expected.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)  # the checkout: examples/ and tests/data/
BASE=${MERIDIAN_URL:-http://127.0.0.1:8080}

# call STATUS METHOD PATH [curl options...]: prints the answer's body; any other status stops.
call() {
  local expect=$1 method=$2 path=$3 body status
  shift 3
  body=$(mktemp)
  status=$(curl -sS -o "$body" -w '%{http_code}' -X "$method" "$BASE$path" "$@")
  if [ "$status" != "$expect" ]; then
    echo "FAILED: $method $path answered $status (expected $expect): $(cat "$body")" >&2
    rm -f "$body"
    exit 1
  fi
  cat "$body"
  rm -f "$body"
}
# field EXPRESSION: reads JSON on stdin and prints python3's value of EXPRESSION on it (`j`).
field() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
AUTH=(-H "Authorization: Bearer ${TOKEN:-}")
JSON=(-H 'content-type: application/json')

# 1. An organizer account; the API token is the last line printed.
if [ -z "${TOKEN:-}" ]; then
  TOKEN=$(cargo run --release -q -- organizer create --email focal.point@iom.example.org --name "Focal Point" | tail -n1)
  AUTH=(-H "Authorization: Bearer $TOKEN")
fi

# 2. The webinar, held as an AM and a PM session.
WEBINAR_JSON=$(call 201 POST /api/v1/webinars "${AUTH[@]}" "${JSON[@]}" -d '{
    "title": "High-level webinar: ISCMs and the GCM regional reviews",
    "languages": ["en", "es", "fr", "ru", "ar"], "time_zone": "Europe/Zurich",
    "sessions": [
      {"label": "AM", "starts_at": "2027-09-24T07:00:00Z", "duration_minutes": 120},
      {"label": "PM", "starts_at": "2027-09-24T14:00:00Z", "duration_minutes": 120}
    ]}')
WEBINAR=$(field 'j["id"]' <<<"$WEBINAR_JSON")
AM=$(field 'j["sessions"][0]["id"]' <<<"$WEBINAR_JSON")
PM=$(field 'j["sessions"][1]["id"]' <<<"$WEBINAR_JSON")
echo "webinar $WEBINAR: AM session $AM, PM session $PM"

# 3. Import the invitees (examples/iscm-invitees.csv) and see who gets which session.
call 200 POST "/api/v1/webinars/$WEBINAR/invitees" "${AUTH[@]}" \
  -H 'content-type: text/csv' --data-binary @"$ROOT/examples/iscm-invitees.csv"
echo
call 200 GET "/api/v1/webinars/$WEBINAR/invitees" "${AUTH[@]}" |
  python3 -c 'import json,sys; [print(i["time_zone"], i["recommended_session_label"], i["recommended_local_start"]) for i in json.load(sys.stdin)]'

# 3b. Which times would serve them best? Two sessions on the day, on a 30-minute grid,
#     each of the 19 mechanisms counting once; the current 07:00/14:00 UTC are told beside.
#     (POST .../plan/apply with {"starts_at": [...], "duration_minutes": 120} moves the
#     sessions; everyone registered gets an updated invitation.)
call 200 POST "/api/v1/webinars/$WEBINAR/plan" "${AUTH[@]}" "${JSON[@]}" \
  -d '{"sessions": 2, "dates": ["2027-09-24"], "duration_minutes": 120, "step_minutes": 30, "weight": "organization"}' |
  field '"now:", j["current"]["starts_at"], "best:", j["proposals"][0]["starts_at"]'

# 4. What someone in Tokyo sees (no token needed): AM at 16:00 local is recommended.
call 200 GET "/api/v1/webinars/$WEBINAR/sessions?tz=Asia/Tokyo" |
  field '[(s["label"], s["local_start"]) for s in j["sessions"] if s["recommended"]]'

# 5. Register; the answer (201) holds the private manage_url with its token. An address that
#    is registered already, or on the invitee list, gets 202 {"status": "check your email"}
#    instead, and its owner is emailed their link or invitation.
REGISTRATION_JSON=$(call 201 POST "/api/v1/webinars/$WEBINAR/registrations" "${JSON[@]}" \
  -d '{"name": "Observer, UN Network on Migration", "email": "observer@un-network.example.org", "time_zone": "Asia/Colombo"}')
REGISTRATION=$(field 'j["id"]' <<<"$REGISTRATION_JSON")
MANAGE_TOKEN=$(field 'j["manage_url"].rsplit("/", 1)[1]' <<<"$REGISTRATION_JSON")

# 6. Switch with that token (DELETE cancels: step 14).
call 200 PATCH "/api/v1/registrations/$MANAGE_TOKEN" "${JSON[@]}" -d "{\"session_id\": \"$PM\"}" |
  field '"now in", j["session"]["label"], "at", j["session"]["local_start"]'

# 7. Invite every imported invitee (each gets the session the rule picks, status "invited").
call 200 POST "/api/v1/webinars/$WEBINAR/invitations" "${AUTH[@]}"
echo
# 8. Name a chair of a session: they get the invitation with ROLE=CHAIR, and every update.
call 201 POST "/api/v1/webinars/$WEBINAR/sessions/$AM/chairs" "${AUTH[@]}" "${JSON[@]}" \
  -d '{"name": "Chair, Bali Process", "email": "cochair@bali-process.example.org", "time_zone": "Australia/Sydney"}'
echo
# 9. Watch delivery: pending, sent, or failed with the server's answer (retry a failed one
#    with POST .../outbox/<id>/retry).
call 200 GET "/api/v1/webinars/$WEBINAR/outbox" "${AUTH[@]}" |
  field '{s: sum(1 for m in j if m["status"] == s) for s in ("pending", "sent", "failed")}'

# 10. Import the meeting platform's report for a session: Zoom's webinar attendee report
#     (CSV) or Teams' attendance report (UTF-16), as downloaded. Importing again replaces it.
#     Rows that match nobody are listed with their line, to link by hand.
call 200 POST "/api/v1/webinars/$WEBINAR/attendance?session_id=$PM" "${AUTH[@]}" \
  -H 'content-type: text/csv' --data-binary @"$ROOT/tests/data/attendance/zoom-webinar-attendees.csv" |
  field 'j["format"], "matched", j["matched"], "unmatched", len(j["unmatched"])'
# 11. Correct by hand (attended, with minutes; or {"attended": false}); DELETE takes it back.
call 200 PUT "/api/v1/webinars/$WEBINAR/registrations/$REGISTRATION/attendance" "${AUTH[@]}" "${JSON[@]}" \
  -d '{"attended": true, "minutes": 55}'
echo
# 12. The participant list: format=csv|xlsx|html, registered_only, attended_only, and
#     shareable=true (only those who agreed on the form, without email addresses).
call 200 GET "/api/v1/webinars/$WEBINAR/participants?format=xlsx&shareable=true" "${AUTH[@]}" >participants.xlsx
# 13. The report (also a page with a chart), then the thank-you / sorry-we-missed-you
#     emails, which go out once the last session has ended (before that: 409, saying when).
call 200 GET "/api/v1/webinars/$WEBINAR/report" "${AUTH[@]}" |
  field 'j["totals"]'
call 409 POST "/api/v1/webinars/$WEBINAR/follow-up" "${AUTH[@]}"
echo

# 14. Cancel with the manage token.
call 200 DELETE "/api/v1/registrations/$MANAGE_TOKEN" | field 'j["status"]'
echo "walkthrough done"
