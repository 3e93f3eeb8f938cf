#!/usr/bin/env bash
# AWS_PROXY to a warm Python Lambda function run by Portico's own Lambda host, against the same
# handler served by a plain Python HTTP server behind an HTTP_PROXY route of the same Portico.
# Keep-alive, `wrk -t1 -c$CONN` (default 4: a function environment serves one invocation at a
# time, and Portico starts up to [lambda] max_concurrency of them), interleaved rounds. Prints
# req/s, p50, and Portico's own CPU per request (its process only: the functions' Python
# processes and the Python server are not counted), then the cold start of a new function
# (CreateFunction, first Invoke: its REPORT line's Init Duration).
#
#   bash bench/lambda.sh              # ROUNDS=3, D=5 s per run
# Targets (issue #23): Portico's CPU per invocation < 100 µs, p50 < 1 ms; cold start < 150 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
export D=${D:-5}
export CONN=${CONN:-4}
source bench/lib.sh wrk

PY=$(python3 -c 'import sys; print(sys.executable)')
# The handler, as a Lambda function and as a plain HTTP server (the same work per request).
cat >"$tmp/handler.py" <<'PYH'
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"ok": True, "path": event.get("path")})}
PYH
cat >"$tmp/server.py" <<'PYS'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = json.dumps({"ok": True, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PYS
sport=$(free_port)
"$PY" "$tmp/server.py" "$sport" &
cat >"$tmp/portico.toml" <<CONF
[lambda]
python = "$PY"
CONF
PORTICO_BIN=${PORTICO_BIN:-./target/release/portico}
port=$(free_port)
PORTICO_LOG=warn,portico::lambda=info "$PORTICO_BIN" serve --listen "127.0.0.1:$port" \
  --config "$tmp/portico.toml" --data-dir "$tmp/data" >"$tmp/portico.log" 2>&1 &
ppid=$!
for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.05; done
API_ID=$("$VENV/bin/python" - "$port" "$sport" "$tmp" <<'PY'
import io, sys, zipfile, boto3
port, sport, tmp = sys.argv[1:]
kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
lam, apigw = boto3.client("lambda", **kw), boto3.client("apigateway", **kw)
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.write(f"{tmp}/handler.py", "handler.py")
arn = lam.create_function(FunctionName="bench", Runtime="python3.11", Handler="handler.handler",
                          Role="arn:aws:iam::000000000000:role/r",
                          Code={"ZipFile": buf.getvalue()})["FunctionArn"]
api = apigw.create_rest_api(name="lambda-bench")
api_id, root = api["id"], api["rootResourceId"]
for part, kind, uri in (
        ("fn", "AWS_PROXY",
         f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"),
        ("py", "HTTP_PROXY", f"http://127.0.0.1:{sport}/py")):
    r = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
    apigw.put_method(restApiId=api_id, resourceId=r, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=r, httpMethod="GET", type=kind,
                          integrationHttpMethod="POST" if kind == "AWS_PROXY" else "GET", uri=uri)
apigw.create_deployment(restApiId=api_id, stageName="bench")
print(api_id)
PY
)
base="http://127.0.0.1:$port/restapis/$API_ID/bench/_user_request_"
# Warm up: every environment wrk will use is started before anything is measured.
for _ in $(seq 3); do wrk -t1 -c"$CONN" -d1s "$base/fn" >/dev/null; done
curl -fsS "$base/fn" >/dev/null && curl -fsS "$base/py" >/dev/null

run() { # label url
  local c0 c1 out
  c0=$(cpu_ticks "$ppid")
  out=$(wrk -t1 -c"$CONN" -d"${D}s" --latency "$2")
  c1=$(cpu_ticks "$ppid")
  awk -v l="$1" -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" \
    '/requests in/ { n = $1 } /Requests\/sec/ { r = $2 } $1 == "50%" { p = $2 }
     END { printf "%-22s %9.1f req/s  p50 %-8s Portico %6.1f us/request\n", l, r, p, d * 1e6 / hz / n }' <<<"$out"
}
for round in $(seq "$ROUNDS"); do
  echo "-- round $round of $ROUNDS"
  run "aws-proxy (Lambda)" "$base/fn" | tee "$tmp/f"
  run "http-proxy (Python)" "$base/py" | tee "$tmp/p"
  awk 'NR==FNR { p = $3; next } { printf "ratio    %.2f (Lambda req/s / Python server req/s)\n", $3 / p }' \
    "$tmp/p" "$tmp/f"
done

# Cold start: a new function's first invocation (its REPORT line's Init Duration).
"$VENV/bin/python" - "$port" "$tmp" <<'PY'
import base64, io, re, sys, time, zipfile, boto3
port, tmp = sys.argv[1:]
lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.write(f"{tmp}/handler.py", "handler.py")
inits, walls = [], []
for i in range(5):
    lam.create_function(FunctionName=f"cold{i}", Runtime="python3.11", Handler="handler.handler",
                        Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": buf.getvalue()})
    t0 = time.monotonic()
    r = lam.invoke(FunctionName=f"cold{i}", Payload=b"{}", LogType="Tail")
    walls.append((time.monotonic() - t0) * 1000)
    tail = base64.b64decode(r["LogResult"]).decode()
    m = re.search(r"Init Duration: ([0-9.]+) ms", tail)
    if m:
        inits.append(float(m.group(1)))
inits.sort(); walls.sort()
print(f"cold start: Init Duration median {inits[len(inits)//2] if inits else float('nan'):.1f} ms "
      f"(all: {', '.join(f'{x:.0f}' for x in inits)}); first Invoke wall time median "
      f"{walls[len(walls)//2]:.1f} ms")
PY
