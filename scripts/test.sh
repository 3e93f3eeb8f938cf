#!/usr/bin/env bash
# Runs every test of Portico on a fresh machine: formatting and lints, the Rust unit and
# integration tests, then the boto3 / AWS CLI conformance suite against the real release binary.
# Installs what it needs itself (a Python venv under .venv); builds the release binary once.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

step "python venv"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test (release)"
# The release profile is shared with the binary the conformance suite runs: one build.
cargo test --release --workspace --quiet
cargo build --release --quiet -p portico

step "conformance suite (boto3, AWS CLI)"
export PORTICO_BIN="$PWD/target/release/portico"
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/python -m pytest tests -p no:cacheprovider
