#!/usr/bin/env bash
# Staff page throughput and latency with the audit log on: a signed-in member of staff's
# inbox, case list (and its search by name, reference and personnummer), deadline watch, a case
# page, a person search, and the same reads through the API with a token.
# Every one of these requests writes an audit row before it answers.
#
#   bench/staff.sh                                   # the demo database (small)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/anh_gen_national EMAIL=... bench/staff.sh
#
# Environment:
#   DATABASE_URL  the database to serve (default: a fresh demo SQLite file)
#   EMAIL         a demo staff account of that database (default handlaggare@demo.example);
#                 its second-step code comes from `anhorigstod demo code`
#   DURATION      seconds per target (default 15); WARMUP (3); CONNECTIONS (32); THREADS (1)
#   BUILD         0 to skip the release build
#   LABEL         a name for this dataset in the results (default: the database kind)
#
# Appends a dated section to bench/results/<UTC date>-staff-pages.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION="${DURATION:-15}"; WARMUP="${WARMUP:-3}"; CONNECTIONS="${CONNECTIONS:-32}"; THREADS="${THREADS:-1}"
BUILD="${BUILD:-1}"; EMAIL="${EMAIL:-handlaggare@demo.example}"; PASSWORD="${PASSWORD:-demo-anhorigstod-2026}"
BIN="$ROOT/target/release/anhorigstod"
log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && COMMIT="$COMMIT (with uncommitted changes)"
[ "$BUILD" != "0" ] && cargo build --release -p anhorigstod
[ -x "$BIN" ] || die "$BIN missing"

TMP="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
printf 'access_log = false\n' > "$TMP/config.toml"

if [ -z "${DATABASE_URL:-}" ]; then
    DATABASE_URL="sqlite://$TMP/bench.db"
    DEMO=(--demo)
else
    DEMO=()
fi
export ANHORIGSTOD_DATABASE_URL="$DATABASE_URL" ANHORIGSTOD_LOG=warn
LABEL="${LABEL:-$(case "$DATABASE_URL" in postgres*) echo PostgreSQL;; *) echo SQLite;; esac)}"

"$BIN" --config "$TMP/config.toml" serve --bind 127.0.0.1:0 "${DEMO[@]}" > "$TMP/out" 2> "$TMP/err" &
SERVER_PID=$!
for _ in $(seq 1 600); do grep -q "listening on" "$TMP/out" 2>/dev/null && break; sleep 0.1; done
BASE="$(sed -n 's/^Anhörigstöd listening on //p' "$TMP/out" | head -n 1)"
[ -n "$BASE" ] || { cat "$TMP/err" >&2; die "the server did not start"; }

# Sign in as a person would: the form's CSRF token, the password, then the second step.
JAR="$TMP/jar"
field() { grep -o 'name="_csrf" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//;s/"$//'; }
curl -s -c "$JAR" -b "$JAR" "$BASE/personal/logga-in" -o "$TMP/login.html"
curl -s -c "$JAR" -b "$JAR" -o /dev/null --data-urlencode "_csrf=$(field "$TMP/login.html")" \
    --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$BASE/personal/logga-in"
curl -s -c "$JAR" -b "$JAR" "$BASE/personal/tvastegs" -o "$TMP/code.html"
CODE="$("$BIN" demo code --email "$EMAIL")"
curl -s -c "$JAR" -b "$JAR" -o /dev/null --data-urlencode "_csrf=$(field "$TMP/code.html")" \
    --data-urlencode "code=$CODE" "$BASE/personal/tvastegs"
SESSION="$(awk '$6 == "anh_session" { print $7 }' "$JAR" | tail -n 1)"
[ -n "$SESSION" ] || die "sign-in failed for $EMAIL"
COOKIE="Cookie: anh_session=$SESSION"
TOKEN="$("$BIN" token create --email "$EMAIL" --scope read)"
AUTH="Authorization: Bearer $TOKEN"

# A case and a person this account works on.
CASE_ID="$(curl -s -H "$AUTH" "$BASE/api/v1/cases" | python3 -c 'import json,sys; c=json.load(sys.stdin)["cases"]; print(c[0]["id"] if c else "")')"
[ -n "$CASE_ID" ] || die "$EMAIL has no case to read"
PERSON_ID="$(curl -s -H "$AUTH" "$BASE/api/v1/cases/$CASE_ID" | python3 -c 'import json,sys; p=json.load(sys.stdin)["persons"]; print(p[0]["id"] if p else "")')"
FAMILY="$(curl -s -H "$AUTH" "$BASE/api/v1/persons/$PERSON_ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["family_name"])' 2>/dev/null || echo Demo)"
Q="$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$FAMILY")"

# What a carer quotes on the phone: a reference and a personnummer of this account's cases.
REF="$(curl -s -H "$AUTH" "$BASE/api/v1/cases" | python3 -c 'import json,sys; c=[x["reference"] for x in json.load(sys.stdin)["cases"] if x.get("reference")]; print(c[0] if c else "")')"
PNR="$(curl -s -H "$AUTH" "$BASE/api/v1/persons/$PERSON_ID" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("id_number") or "")' 2>/dev/null || true)"
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

TARGETS=(
    "Inbox page|$COOKIE|/personal/inkorg"
    "Case list page (person, reference, age, next deadline)|$COOKIE|/personal/arenden"
    "Case search page by name|$COOKIE|/personal/arenden?q=$Q"
    "Deadline watch page|$COOKIE|/personal/bevakning"
    "API: case list|$AUTH|/api/v1/cases"
    "Case page (case, persons, journal)|$COOKIE|/personal/arenden/$CASE_ID"
    "Person search page|$COOKIE|/personal/personer?q=$Q"
    "API: case|$AUTH|/api/v1/cases/$CASE_ID"
    "API: journal|$AUTH|/api/v1/cases/$CASE_ID/journal"
)
[ -n "$REF" ] && TARGETS+=("Case search page by reference|$COOKIE|/personal/arenden?q=$(enc "$REF")")
[ -n "$PNR" ] && TARGETS+=("API: case search by personnummer|$AUTH|/api/v1/cases?q=$(enc "$PNR")")
# The open support's pages, for accounts that run it (carer support officers, managers) and
# where activities exist (the demo has some; generated data has none yet).
if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$COOKIE" "$BASE/personal/aktiviteter/1")" = "200" ]; then
    TARGETS+=(
        "Activities list|$COOKIE|/personal/aktiviteter"
        "Activity page (participants, attendance)|$COOKIE|/personal/aktiviteter/1"
    )
fi
AUDIT_BEFORE="$("$BIN" audit verify 2>/dev/null | sed -n 's/.*intact: \([0-9]*\) rows.*/\1/p' || true)"

ROWS=""
for t in "${TARGETS[@]}"; do
    IFS='|' read -r name header path <<< "$t"
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$BASE$path")"
    [ "$status" = "200" ] || die "$name: $path answered $status"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "$header" "$BASE$path" > /dev/null
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "$header" "$BASE$path")"
    rps="$(printf '%s\n' "$out" | awk '/^Requests\/sec/ { printf "%d", $2 }')"
    p50="$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')"
    p99="$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')"
    errors="$(printf '%s\n' "$out" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ' || true)"
    ROWS="$ROWS| $name | \`$path\` | $rps | $p50 | $p99 | ${errors:-none} |"$'\n'
    log "bench: $name: $rps req/s, p50 $p50, p99 $p99"
done

VERDICT="$("$BIN" audit verify 2>&1 | tail -n 1)"
DATE="$(date -u +%F)"
OUT="bench/results/$DATE-staff-pages.md"
mkdir -p bench/results
{
    printf '\n## %s, %s (%s)\n\n' "$(date -u '+%F %H:%M UTC')" "$LABEL" "$COMMIT"
    printf -- '- Machine: %s, %s, %s cores\n' "$(uname -srm)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)"
    printf -- '- Account: `%s`; wrk -t%s -c%s -d%ss after %ss warm-up; audit log on (every request writes a row)\n' "$EMAIL" "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP"
    printf -- '- Audit chain after the run: %s\n\n' "$VERDICT"
    printf '| Target | Path | Requests/s | p50 | p99 | Errors |\n|---|---|---:|---:|---:|---|\n'
    printf '%s' "$ROWS"
} | tee -a "$OUT"
