#!/usr/bin/env bash
# Runs every test of Portico on a fresh machine: formatting and lints, the Rust unit and
# integration tests, then the boto3 / AWS CLI conformance suite against the real release binary.
# Installs what it needs itself (a Python venv under .venv); builds the release binary once.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
step() { printf '\n== %s (at %ss) ==\n' "$*" "$(( $(date +%s) - started ))"; }

# PostgreSQL on 127.0.0.1:5432 (user postgres, trust) is part of the test bed: the PgStore
# unit tests and the second run of the conformance suite (PORTICO_TEST_STORE=postgres) use it.
step "PostgreSQL on 127.0.0.1:5432"
PG_URL="${PORTICO_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
if ! command -v psql >/dev/null; then
  echo "FAIL: psql is missing: install PostgreSQL's client (Debian: postgresql-client)" >&2
  exit 1
fi
if ! psql "$PG_URL/postgres" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  echo "FAIL: PostgreSQL does not answer at $PG_URL (user postgres, trust auth expected)." >&2
  echo "      Cluster mode's tests need it: start it (Debian: pg_ctlcluster 15 main start)." >&2
  exit 1
fi
# The PgStore tests fail rather than pass silently without PostgreSQL when CI is set.
export CI="${CI:-true}"

step "python venv"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt

step "redis (cluster metering tests)"
# tests/test_cluster_metering.py and the gateway's cluster unit tests use the Redis at
# 127.0.0.1:6379 (each under a key prefix of its own) and start private redis-servers.
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "redis-server / redis-cli are missing: apt-get install -y redis-server" >&2
  exit 2
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "no Redis on 127.0.0.1:6379: starting one (no persistence)"
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start" >&2; exit 2; }
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
# The Rust tests build without optimisation: the workspace has a dozen crates, each with its
# own test binaries, and the release profile would link every one of them with fat LTO. The
# step timings printed here say what each step costs.
cargo test --workspace --quiet

step "cargo build --release"
cargo build --release --quiet -p portico

step "conformance suite (boto3, AWS CLI), on SQLite and on PostgreSQL side by side"
export PORTICO_BIN="$PWD/target/release/portico"
export PATH="$PWD/.venv/bin:$PATH"
# The two runs share nothing (each server has its own data dir, and on PostgreSQL its own
# database), so they run at once; each writes its own log, printed when both are done.
logs=target/test-logs
mkdir -p "$logs"
.venv/bin/python -m pytest tests -p no:cacheprovider >"$logs/pytest-sqlite.log" 2>&1 &
sqlite_run=$!
PORTICO_TEST_STORE=postgres .venv/bin/python -m pytest tests -p no:cacheprovider \
  >"$logs/pytest-postgres.log" 2>&1 &
postgres_run=$!
failed=""
wait "$sqlite_run" || failed="$failed sqlite"
wait "$postgres_run" || failed="$failed postgres"
for store in sqlite postgres; do
  printf '\n-- conformance suite on %s --\n' "$store"
  cat "$logs/pytest-$store.log"
done
if [ -n "$failed" ]; then
  echo "FAIL: the conformance suite failed on:$failed" >&2
  exit 1
fi

step "done"
