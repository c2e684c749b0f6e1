#!/usr/bin/env bash
# The whole test suite, as CI runs it: lints, then every Rust test on SQLite and again on
# PostgreSQL, then the browser tests (Chromium + axe-core) against the real binary on both.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-test-env.sh

echo "== format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== Rust tests on SQLite"
ANHORIGSTOD_TEST_DATABASE=sqlite cargo test --workspace --locked

echo "== Rust tests on PostgreSQL"
ANHORIGSTOD_TEST_DATABASE=postgres cargo test --workspace --locked

if [ -f e2e/package.json ]; then
  cargo build --locked -p anhorigstod
  export ANHORIGSTOD_BIN="$PWD/target/debug/anhorigstod"
  echo "== browser tests on SQLite"
  (cd e2e && E2E_DATABASE_URL= npm test)
  echo "== browser tests on PostgreSQL"
  db="anh_e2e_$(date +%s)"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $db"
  (cd e2e && E2E_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" npm test)
fi
echo "== all test suites passed"
