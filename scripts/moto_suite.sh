#!/usr/bin/env bash
# Runs moto's own API Gateway tests (tests/test_apigateway/ of a moto checkout) in moto's server
# mode against Portico, started on loopback with `accept_any_key = true` (moto signs with
# FOOBARKEY). Prints passed / failed / errored / skipped and the failures by category.
#
#   bash scripts/moto_suite.sh /path/to/moto-checkout [extra pytest args...]
#
# The checkout is yours: this script never downloads moto's sources, and nothing of moto belongs
# in this repository. moto itself (the `mock_aws` decorator the tests use, which in server mode
# only points boto3 at the endpoint and calls POST /moto-api/reset) is pip-installed from PyPI
# into a venv of its own. If the checkout holds a `moto/` package, pytest imports that one
# instead (the checkout's root comes first on sys.path); the script prints which it is.
#
# Environment:
#   PORTICO_BIN   the server (default target/release/portico: `cargo build --release -p portico`)
#   MOTO_VERSION  moto from PyPI (default 5.2.5)
#   MOTO_VENV     the venv (default target/venv-moto, which git ignores; created when missing)
#   OUT           where the JUnit XML, the per-test reasons and Portico's log go (default a
#                 temporary directory, printed at the end)
set -euo pipefail
MOTO=$(cd "${1:?usage: moto_suite.sh MOTO_CHECKOUT [pytest args...]}" && pwd)
shift
cd "$(dirname "$0")/.."
ROOT=$(pwd)
[ -d "$MOTO/tests/test_apigateway" ] || { echo "$MOTO has no tests/test_apigateway" >&2; exit 2; }
PORTICO_BIN=${PORTICO_BIN:-$ROOT/target/release/portico}
[ -x "$PORTICO_BIN" ] || { echo "$PORTICO_BIN is not built: cargo build --release -p portico" >&2; exit 2; }
MOTO_VERSION=${MOTO_VERSION:-5.2.5}
MOTO_VENV=${MOTO_VENV:-$ROOT/target/venv-moto}
OUT=${OUT:-$(mktemp -d -t portico-moto-XXXXXX)}
mkdir -p "$OUT"

if [ ! -x "$MOTO_VENV/bin/python" ]; then
  python3 -m venv "$MOTO_VENV"
fi
# Server-mode tests need moto's client side only; [server] for the tests that import
# moto.server, [apigateway] for moto.apigateway.utils. pytest 9.0.0 fails SkipTest (moto's own
# requirements-tests.txt excludes it).
"$MOTO_VENV/bin/pip" install -q "moto[server,apigateway]==$MOTO_VERSION" "pytest!=9.0.0" freezegun

PORT=$("$MOTO_VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$OUT/data"
printf 'accept_any_key = true\n' >"$OUT/portico.toml"
"$PORTICO_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$OUT/data" --config "$OUT/portico.toml" \
  >"$OUT/portico.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/_portico/health" && break
  kill -0 "$PID" 2>/dev/null || { cat "$OUT/portico.log" >&2; exit 1; }
  sleep 0.1
done

cd "$MOTO"
echo "moto imported by the tests: $("$MOTO_VENV/bin/python" -c 'import moto; print(moto.__version__, moto.__file__)')"
echo "portico: $PORTICO_BIN on 127.0.0.1:$PORT (log $OUT/portico.log)"
set +e
TEST_SERVER_MODE=true TEST_SERVER_MODE_ENDPOINT="http://127.0.0.1:$PORT" \
  "$MOTO_VENV/bin/python" -m pytest tests/test_apigateway -p no:cacheprovider -q --no-header \
  -o addopts= --tb=short -rN --junitxml="$OUT/junit.xml" "$@" >"$OUT/pytest.log" 2>&1
status=$?
set -e
tail -n 1 "$OUT/pytest.log"

# Counts, and each failure's reason in one line, by category.
"$MOTO_VENV/bin/python" - "$OUT/junit.xml" "$OUT/reasons.txt" <<'PY'
import collections, re, sys, xml.etree.ElementTree as ET

def category(text):
    """(category, detail) of a failure, by what its text shows."""
    op = re.search(r"when calling the (\w+) operation|support the operation (\w+)", text)
    op = (op.group(1) or op.group(2)) if op else ""
    if "NotImplementedException" in text or "Portico does not support the operation" in text:
        # Called directly, or a test expecting another error from an operation Portico lacks.
        return "501 not implemented", op or "(expected another error from an unimplemented operation)"
    if "Credential should be scoped to correct service" in text or "invalid XML received" in text:
        # moto suites set up Cognito, CloudFormation... through the same endpoint.
        return "another AWS service (Portico serves apigateway only)", op or "(query/XML protocol)"
    return "other (a real difference: see reasons.txt)", op


root = ET.parse(sys.argv[1]).getroot()
counts = collections.Counter()
cats = collections.defaultdict(list)
lines = []
for case in root.iter("testcase"):
    name = f"{case.get('classname')}::{case.get('name')}"
    bad = case.find("failure") if case.find("failure") is not None else case.find("error")
    if bad is not None:
        kind = "failed" if bad.tag == "failure" else "errored"
        counts[kind] += 1
        text = (bad.get("message") or "") + "\n" + (bad.text or "")
        cat, detail = category(text)
        cats[cat].append((name, detail))
        first = (bad.get("message") or "").strip().splitlines()[:1]
        lines.append(f"{kind}\t{cat}\t{detail}\t{name}\t{first[0][:300] if first else ''}")
    elif case.find("skipped") is not None:
        counts["skipped"] += 1
    else:
        counts["passed"] += 1
print(" ".join(f"{k}={counts[k]}" for k in ("passed", "failed", "errored", "skipped")))
for cat, items in sorted(cats.items(), key=lambda kv: -len(kv[1])):
    detail = collections.Counter(d for _, d in items if d)
    print(f"  {len(items):4d}  {cat}" + (f": {', '.join(f'{d} x{n}' for d, n in detail.most_common())}" if detail else ""))
with open(sys.argv[2], "w") as f:
    f.write("\n".join(sorted(lines)) + "\n")
PY
echo "per-test reasons: $OUT/reasons.txt; pytest output: $OUT/pytest.log"
exit $status
