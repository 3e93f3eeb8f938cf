#!/usr/bin/env bash
# Builds target/pgo/release/portico: the release binary, optimised with a profile of Portico at
# work (profile-guided optimisation). It runs the same code as `cargo build --release`; LLVM lays
# it out and weighs its branches by what the training run (scripts/pgo_train.py) executed. On the
# data plane this takes about a fifth off the instructions and the user CPU of a request
# (bench/HISTORY.md, 2026-11-30).
#
#   bash scripts/build-pgo.sh          # two release builds and ~20 s of training
#
# Needs llvm-profdata of the LLVM that rustc uses (`rustc -vV`), e.g. `apt-get install -y
# llvm-22`, and Python 3 (the training run uses the test suite's venv and helpers).
set -euo pipefail
cd "$(dirname "$0")/.."

llvm=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
profdata=""
for p in "llvm-profdata-$llvm" "/usr/lib/llvm-$llvm/bin/llvm-profdata" \
  "$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-profdata"; do
  if command -v "$p" >/dev/null; then profdata=$p; break; fi
done
[ -n "$profdata" ] || {
  echo "llvm-profdata for LLVM $llvm is missing: apt-get install -y llvm-$llvm" >&2
  exit 2
}

VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt

# Separate target dirs: RUSTFLAGS differ, and the plain build in target/release stays as it is.
profile=$PWD/target/pgo-profile
RUSTFLAGS="-Cprofile-generate=$profile/raw" \
  cargo build --release --quiet -p portico --bin portico --target-dir target/pgo-train
# Build scripts were instrumented too, and wrote profiles while building: start clean.
rm -rf "$profile" && mkdir -p "$profile/raw"
PORTICO_BIN=target/pgo-train/release/portico PORTICO_LOG=warn "$VENV/bin/python" scripts/pgo_train.py
"$profdata" merge -o "$profile/merged.profdata" "$profile/raw"
# Named by its content: cargo rebuilds when RUSTFLAGS change, not when a file they name does.
merged=$profile/portico-$(sha256sum "$profile/merged.profdata" | cut -c1-16).profdata
mv "$profile/merged.profdata" "$merged"

RUSTFLAGS="-Cprofile-use=$merged" \
  cargo build --release --quiet -p portico --bin portico --target-dir target/pgo
echo "built target/pgo/release/portico"
