#!/usr/bin/env bash
# Public page throughput and latency of Anhörigstöd on the demo data, measured with wrk
# beside a bare axum handler in the same run. The ratio page/bare is the figure that matters.
#
#   bench/run.sh                  # 15 s per target
#   DURATION=5 bench/run.sh       # shorter
#
# Environment:
#   DURATION     seconds per measured target (default 15)
#   WARMUP       seconds of warm-up per target before measuring (default 3)
#   CONNECTIONS  wrk connections (default 32)
#   THREADS      wrk threads (default 1)
#   BUILD        set to 0 to skip the release builds and use the binaries already in target/
#
# Writes a markdown table to stdout and appends a dated section to
# bench/results/<UTC date>-public-pages.md. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
BUILD="${BUILD:-1}"

APP_BIN="$ROOT/target/release/anhorigstod"
BARE_BIN="$ROOT/target/release/bench-bare"
WRK_ARGS=(-t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency)

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

# --- tools -------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    log "bench: wrk not found; installing the Debian package"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
fi
command -v curl >/dev/null 2>&1 || die "curl is needed for the pre-flight check"

# --- build -------------------------------------------------------------------------------
# The commit is taken before building, so it names what was built.
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    COMMIT="$COMMIT (with uncommitted changes)"
fi
BUILD_CMDS=(
    "cargo build --release -p anhorigstod"
    "CARGO_TARGET_DIR=target cargo build --release --manifest-path bench/bare/Cargo.toml"
)
if [ "$BUILD" != "0" ]; then
    build_start=$SECONDS
    cargo build --release -p anhorigstod
    CARGO_TARGET_DIR="$ROOT/target" cargo build --release --manifest-path bench/bare/Cargo.toml
    log "bench: builds took $((SECONDS - build_start)) s"
fi
[ -x "$APP_BIN" ] || die "$APP_BIN missing (run without BUILD=0)"
[ -x "$BARE_BIN" ] || die "$BARE_BIN missing (run without BUILD=0)"

# --- servers -----------------------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/anhorigstod-bench.XXXXXX")"
APP_PID=""
BARE_PID=""

stop() {
    local pid="$1"
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop "$APP_PID"
    stop "$BARE_PID"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for_line PID OUTFILE ERRFILE PATTERN -> prints the base URL from the first stdout line
wait_for_url() {
    local pid="$1" out="$2" err="$3" pattern="$4" line
    for _ in $(seq 1 1200); do   # up to 120 s: the demo is seeded before the app listens
        if ! kill -0 "$pid" 2>/dev/null; then
            log "bench: server exited before listening; its stderr:"
            cat "$err" >&2 || true
            exit 1
        fi
        if [ "$(wc -l <"$out")" -ge 1 ]; then
            line="$(head -n1 "$out")"
            [[ "$line" == $pattern* ]] || die "unexpected first line: $line"
            printf '%s\n' "${line#"$pattern"}"
            return 0
        fi
        sleep 0.1
    done
    die "server did not print its address within 120 s"
}

cat >"$TMP/bench.toml" <<'EOF'
access_log = false
EOF

APP_CMD="ANHORIGSTOD_LOG=warn target/release/anhorigstod --config \$TMP/bench.toml serve --demo --bind 127.0.0.1:0 --database-url sqlite://\$TMP/bench.db"
ANHORIGSTOD_LOG=warn "$APP_BIN" --config "$TMP/bench.toml" \
    serve --demo --bind 127.0.0.1:0 --database-url "sqlite://$TMP/bench.db" \
    >"$TMP/app.out" 2>"$TMP/app.err" &
APP_PID=$!

BARE_CMD="target/release/bench-bare 127.0.0.1:0"
"$BARE_BIN" 127.0.0.1:0 >"$TMP/bare.out" 2>"$TMP/bare.err" &
BARE_PID=$!

APP_URL="$(wait_for_url "$APP_PID" "$TMP/app.out" "$TMP/app.err" "Anhörigstöd listening on ")"
BARE_URL="$(wait_for_url "$BARE_PID" "$TMP/bare.out" "$TMP/bare.err" "listening on ")"
[[ "$APP_URL" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || die "cannot parse the app address: $APP_URL"
[[ "$BARE_URL" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || die "cannot parse the bare address: $BARE_URL"
log "bench: app at $APP_URL, bare handler at $BARE_URL"

# --- targets -----------------------------------------------------------------------------
# name|label|base|path ; the bare handler is measured first and again last.
PAGES=(
    "kommun|Municipality overview|app|/kommun/0380"
    "stod|Support entry page|app|/kommun/0380/stod/vaxelvard"
    "start|Start page (290 municipalities)|app|/"
    "api|API: municipality list (JSON)|app|/api/v1/municipalities"
    "aktiviteter|Activities list (open support)|app|/kommun/0380/aktiviteter"
    "aktivitet|Activity page with sign-up form|app|/kommun/0380/aktiviteter/1"
    "api-act|API: activities with seats (JSON)|app|/api/v1/municipalities/0380/activities"
)
BARE="bare|Bare axum handler|bare|/"
RUNS=("bare1|${BARE#bare|}" "${PAGES[@]}" "bare2|${BARE#bare|}")

url_of() {
    local base="$1" path="$2"
    if [ "$base" = "bare" ]; then printf '%s%s' "$BARE_URL" "$path"; else printf '%s%s' "$APP_URL" "$path"; fi
}

# Pre-flight: every target answers 200, and note the body size.
declare -A SIZE
for spec in "$BARE" "${PAGES[@]}"; do
    IFS='|' read -r name _ base path <<<"$spec"
    url="$(url_of "$base" "$path")"
    read -r code size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$url")
    [ "$code" = "200" ] || die "$url answered $code, not 200"
    SIZE[$name]="$size"
done

# Warm-up: caches, connection pools, page-cache of the database file.
log "bench: warming up (${WARMUP} s per target)"
for spec in "$BARE" "${PAGES[@]}"; do
    IFS='|' read -r _ _ base path <<<"$spec"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$(url_of "$base" "$path")" >/dev/null
done

# Parses wrk --latency output: "rps p50_ms p99_ms non2xx socket_errors".
parse_wrk() {
    awk '
    function ms(v,   n, u) {
        n = v; sub(/[a-z]+$/, "", n)
        u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") return n / 1000
        if (u == "ms") return n + 0
        if (u == "s")  return n * 1000
        if (u == "m")  return n * 60000
        return n + 0
    }
    /^[ \t]*50%[ \t]/ { p50 = ms($2) }
    /^[ \t]*99%[ \t]/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) errs += $i + 0 }
    END { printf "%s %.3f %.3f %d %d\n", rps, p50, p99, bad + 0, errs + 0 }
    ' "$1"
}

declare -A RPS P50 P99 BAD ERRS WRKCMD
for spec in "${RUNS[@]}"; do
    IFS='|' read -r name label base path <<<"$spec"
    url="$(url_of "$base" "$path")"
    log "bench: $label  $url  (${DURATION} s)"
    wrk "${WRK_ARGS[@]}" "$url" >"$TMP/wrk-$name.txt"
    read -r RPS[$name] P50[$name] P99[$name] BAD[$name] ERRS[$name] < <(parse_wrk "$TMP/wrk-$name.txt")
    [ -n "${RPS[$name]}" ] || { cat "$TMP/wrk-$name.txt" >&2; die "could not parse wrk output"; }
    WRKCMD[$name]="wrk ${WRK_ARGS[*]} $url"
done

BARE_REF="$(awk -v a="${RPS[bare1]}" -v b="${RPS[bare2]}" 'BEGIN { printf "%.2f", (a + b) / 2 }')"
BARE_DRIFT="$(awk -v a="${RPS[bare1]}" -v b="${RPS[bare2]}" 'BEGIN { printf "%+.1f", (b - a) / a * 100 }')"
ratio() { awk -v r="$1" -v ref="$BARE_REF" 'BEGIN { printf "%.2f", r / ref }'; }

# --- report ------------------------------------------------------------------------------
TABLE="$TMP/table.md"
{
    echo "| Target | Path | Body (bytes) | Requests/s | p50 (ms) | p99 (ms) | Ratio to bare |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    for spec in "${RUNS[@]}"; do
        IFS='|' read -r name label _ path <<<"$spec"
        size_key="$name"
        case "$name" in bare1 | bare2) size_key="bare" ;; esac
        case "$name" in
            bare1) label="$label (first)" ;;
            bare2) label="$label (last)" ;;
        esac
        note=""
        if [ "${BAD[$name]}" != "0" ] || [ "${ERRS[$name]}" != "0" ]; then
            note=" ⚠ non-2xx: ${BAD[$name]}, socket errors: ${ERRS[$name]}"
        fi
        printf '| %s%s | `%s` | %s | %.0f | %.2f | %.2f | %s |\n' \
            "$label" "$note" "$path" "${SIZE[$size_key]}" "${RPS[$name]}" \
            "${P50[$name]}" "${P99[$name]}" "$(ratio "${RPS[$name]}")"
    done
    echo
    printf 'Reference: bare handler, mean of the first and last run = %.0f requests/s (last vs first: %s %%).\n' \
        "$BARE_REF" "$BARE_DRIFT"
    echo
    echo "Ratio page / bare (target: 0.50 or more):"
    echo
    for spec in "${PAGES[@]}"; do
        IFS='|' read -r name label _ path <<<"$spec"
        r="$(ratio "${RPS[$name]}")"
        verdict="$(awk -v r="$r" 'BEGIN { print (r >= 0.5) ? "met" : "NOT met" }')"
        printf -- '- %s, `%s`: %s (%s)\n' "$label" "$path" "$r" "$verdict"
    done
} >"$TABLE"

cat "$TABLE"

# Machine and provenance.
DATE_UTC="$(date -u +%F)"
TIME_UTC="$(date -u +'%F %H:%M UTC')"
UNAME="$(uname -srm)"
CPU="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
CPU="${CPU:-unknown}"
NPROC="$(nproc)"
RUSTC="$(rustc -V 2>/dev/null || echo unknown)"
WRK_VERSION="$(wrk -v 2>&1 | head -n1 | awk '{ print $1, $2 }' || true)"

mkdir -p "$ROOT/bench/results"
RESULTS="$ROOT/bench/results/${DATE_UTC}-public-pages.md"
if [ ! -e "$RESULTS" ]; then
    printf '# Public pages against a bare axum handler, %s\n\nWritten by `bench/run.sh`; each run appends a section.\n' \
        "$DATE_UTC" >"$RESULTS"
fi
{
    echo
    echo "## $TIME_UTC, commit $COMMIT"
    echo
    echo "- Machine: \`$UNAME\`, CPU: $CPU, nproc: $NPROC"
    echo "- Toolchain: $RUSTC; load generator: $WRK_VERSION"
    echo "- Load: wrk ${WRK_ARGS[*]}, after ${WARMUP} s warm-up per target. wrk and both servers share the same cores, so absolute numbers say little; the ratio to the bare handler measured in the same run is the figure."
    echo "- App: demo data (\`serve --demo\`), SQLite, \`access_log = false\`, \`ANHORIGSTOD_LOG=warn\`."
    echo
    cat "$TABLE"
    echo
    echo "Commands:"
    echo
    echo '```sh'
    for c in "${BUILD_CMDS[@]}"; do echo "$c"; done
    echo "TMP=\$(mktemp -d); echo 'access_log = false' > \$TMP/bench.toml"
    echo "$APP_CMD"
    echo "$BARE_CMD"
    for spec in "${RUNS[@]}"; do
        IFS='|' read -r name _ _ _ <<<"$spec"
        echo "${WRKCMD[$name]}"
    done
    echo '```'
} >>"$RESULTS"

log "bench: appended to ${RESULTS#"$ROOT"/}"
