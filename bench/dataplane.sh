#!/usr/bin/env bash
# Data-plane benchmark, in one run on one machine: a backend directly, nginx proxying to it, and
# Portico serving a deployed API (HTTP_PROXY to the same backend; MOCK with a response
# template), all measured with wrk by ../shared/bench/nginx_anchor.sh. Prints req/s, p50, p99,
# the target ratios, and Portico's RSS idle and across the load.
#
#   bash bench/dataplane.sh                 # 10 s per wrk run, 16 connections, 60 s RSS run
#   DUR=30 CONN=16 RSS_SECONDS=300 bash bench/dataplane.sh
# Needs nginx and wrk (apt-get install -y nginx-light wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
RSS_SECONDS=${RSS_SECONDS:-60}
export CONN=${CONN:-16}
ANCHOR=${ANCHOR:-../shared/bench/nginx_anchor.sh}
VENV=${VENV:-.venv-bench}
BACKEND=http://127.0.0.1:18081/ # the anchor's nginx backend

for tool in nginx wrk; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y nginx-light wrk" >&2; exit 2; }
done
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
cargo build --release --quiet -p portico --bins --example proxy_floor

tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

port=$(free_port)
PORTICO_LOG=warn ./target/release/portico serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" >"$tmp/portico.log" 2>&1 &
ppid=$!
for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.05; done

# Deploy the benchmark API through the management API, as a user would.
read -r API_ID < <("$VENV/bin/python" - "http://127.0.0.1:$port" "$BACKEND" <<'PY'
import sys, boto3
url, backend = sys.argv[1:]
c = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
api = c.create_rest_api(name="bench")
api_id, root = api["id"], api["rootResourceId"]
proxy = c.create_resource(restApiId=api_id, parentId=root, pathPart="proxy")["id"]
c.put_method(restApiId=api_id, resourceId=proxy, httpMethod="GET", authorizationType="NONE")
c.put_integration(restApiId=api_id, resourceId=proxy, httpMethod="GET", type="HTTP_PROXY",
                  integrationHttpMethod="GET", uri=backend)
mock = c.create_resource(restApiId=api_id, parentId=root, pathPart="mock")["id"]
c.put_method(restApiId=api_id, resourceId=mock, httpMethod="GET", authorizationType="NONE")
c.put_method_response(restApiId=api_id, resourceId=mock, httpMethod="GET", statusCode="200")
c.put_integration(restApiId=api_id, resourceId=mock, httpMethod="GET", type="MOCK",
                  requestTemplates={"application/json": '{"statusCode": 200}'})
c.put_integration_response(
    restApiId=api_id, resourceId=mock, httpMethod="GET", statusCode="200",
    responseTemplates={"application/json":
                       '{"ok":true,"service":"$context.stage","n":12345,"id":"$context.requestId"}'})
c.create_deployment(restApiId=api_id, stageName="bench")
print(api_id)
PY
)
base="http://127.0.0.1:$port/restapis/$API_ID/bench/_user_request_"
idle=$(rss_kb "$ppid")

GATEWAY_URL="$base/proxy" GATEWAY_MOCK_URL="$base/mock" bash "$ANCHOR" "$DUR" | tee "$tmp/out"

# RSS across a sustained load: both methods at once (the anchor's backend is gone; start one).
cat >"$tmp/backend.conf" <<CONF
worker_processes 1; daemon off; pid $tmp/b.pid; error_log $tmp/b.err;
events { worker_connections 4096; }
http { access_log off;
  server { listen 127.0.0.1:18081;
    location / { default_type application/json; return 200 '{"ok":true,"service":"backend","n":12345}'; } } }
CONF
nginx -c "$tmp/backend.conf" -p "$tmp" &
sleep 0.3
# The floor: the same hyper server and backend pool with no pipeline (what bounds HTTP_PROXY).
fport=$(free_port)
./target/release/examples/proxy_floor "127.0.0.1:$fport" "$BACKEND" >"$tmp/floor.log" 2>&1 &
fpid=$!
sleep 0.3
wrk -t1 -c"$CONN" -d"${DUR}s" --latency "http://127.0.0.1:$fport/" >"$tmp/floor.out" 2>&1
kill "$fpid" 2>/dev/null || true
printf 'floor    rps=%-10s p50=%-8s p99=%-8s (hyper server + backend pool, no pipeline)\n' \
  "$(awk '/Requests\/sec/{print $2}' "$tmp/floor.out")" "$(awk '$1=="50%"{print $2}' "$tmp/floor.out")" \
  "$(awk '$1=="99%"{print $2}' "$tmp/floor.out")" | tee -a "$tmp/out"

( for _ in $(seq "$RSS_SECONDS"); do rss_kb "$ppid"; sleep 1; done ) >"$tmp/rss" &
sampler=$!
wrk -t1 -c"$((CONN / 2))" -d"${RSS_SECONDS}s" "$base/proxy" >/dev/null &
wrk -t1 -c"$((CONN / 2))" -d"${RSS_SECONDS}s" "$base/mock" >/dev/null
wait "$sampler" 2>/dev/null || true

"$VENV/bin/python" - "$tmp/out" "$tmp/rss" "$idle" "$RSS_SECONDS" <<'PY'
import re, sys
out, rss_file, idle, secs_run = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = {}
def secs(t):
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", t)
    return float(m[1]) * {"us": 1e-6, "ms": 1e-3, "s": 1}[m[2]] if m else float("nan")
for line in open(out):
    m = re.match(r"(\S+)\s+rps=(\S+)\s+p50=(\S+)\s+p99=(\S+)", line)
    if m:
        rows[m[1]] = (float(m[2]), secs(m[3]), secs(m[4]))
d, n = rows["direct"], rows["nginx"]
print()
if "gw-proxy" in rows:
    g = rows["gw-proxy"]
    print(f"HTTP_PROXY: throughput {g[0]/n[0]:.2f}x nginx (target >= 1.0), "
          f"p99 {g[2]/n[2]:.2f}x nginx (target <= 1.5)")
if "floor" in rows:
    f = rows["floor"]
    print(f"  floor (no pipeline): {f[0]/n[0]:.2f}x nginx; Portico HTTP_PROXY is "
          f"{rows.get('gw-proxy', (0,))[0]/f[0]:.2f}x the floor")
if "gw-mock" in rows:
    m = rows["gw-mock"]
    print(f"MOCK+template: throughput {m[0]/d[0]:.2f}x direct backend (target >= 0.6)")
rss = [int(x) for x in open(rss_file).read().split() if x.strip()]
print(f"Portico RSS idle: {idle/1024:.1f} MB (target < 20 MB)")
if len(rss) >= 4:
    warm = rss[len(rss) // 10]
    end, peak = rss[-1], max(rss)
    print(f"Portico RSS over a {secs_run} s load run: warm {warm/1024:.1f} MB, end {end/1024:.1f} MB, "
          f"peak {peak/1024:.1f} MB; end vs warm {(end-warm)/warm*100:+.1f}% (target within 10%)")
PY
