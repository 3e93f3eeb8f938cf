#!/usr/bin/env bash
# Runs every test of Portico on a fresh machine: formatting and lints, the Rust unit and
# integration tests, then the boto3 / AWS CLI conformance suite against the real release binary.
# Installs what it needs itself (a Python venv under .venv); builds the release binary once.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
step() { printf '\n== %s (at %ss) ==\n' "$*" "$(( $(date +%s) - started ))"; }

step "python venv"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt

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

step "conformance suite (boto3, AWS CLI)"
export PORTICO_BIN="$PWD/target/release/portico"
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/python -m pytest tests -p no:cacheprovider

step "done"
