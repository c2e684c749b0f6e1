#!/usr/bin/env bash
# Runs the browser tests: accessibility scans (axe-core), keyboard-only journeys and
# screenshots, against a freshly started `anhorigstod serve --demo`.
#
#   ANHORIGSTOD_BIN    the binary to test (default: ../target/debug/anhorigstod)
#   E2E_DATABASE_URL   database URL (default: a SQLite file in a temporary directory)
#   CHROMIUM_PATH      the browser (default: /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm test
