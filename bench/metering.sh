#!/usr/bin/env bash
# Metering overhead benchmark, in one run on one machine: Portico serving the same HTTP_PROXY
# route (to an nginx backend) twice — once without an API key, once with `apiKeyRequired` and a
# usage plan whose throttle and quota are high enough never to refuse (so every request pays for
# the key lookup, the per-key GCRA bucket, the quota decrement and the usage count). The two
# routes are measured in the order A B B A with wrk and the keyed/unkeyed throughput ratio is
# printed (target >= 0.95), with Portico's CPU time per request for each. First, the
# `metering_hot_path` example times `Metering::authorize` alone (what a keyed request adds).
#
#   bash bench/metering.sh                  # 10 s per wrk run, 16 connections
#   DUR=20 CONN=32 bash bench/metering.sh
#   REDIS_URL=redis://127.0.0.1:6379 bash bench/metering.sh   # cluster mode: metered through
#       # Redis (quota leases; target: keyed >= 0.9x unkeyed), under a fresh key prefix
#   BIN=target/debug/portico NO_BUILD=1 ... # a build of your own (figures of a debug build
#       # are only good for comparing the two routes with each other)
# Needs nginx and wrk (apt-get install -y nginx-light wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
CONN=${CONN:-16}
VENV=${VENV:-.venv-bench}
BIN=${BIN:-./target/release/portico}

for tool in nginx wrk; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y nginx-light wrk" >&2; exit 2; }
done
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet -p portico --bins --example metering_hot_path
# The metering work alone, without HTTP (noise-free): ns per request, unkeyed and keyed.
HOT=${HOT:-./target/release/examples/metering_hot_path}
if [ -x "$HOT" ]; then REDIS_URL=${REDIS_URL:-} "$HOT"; else echo "($HOT not built: skipped)"; fi

tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bport=$(free_port)
cat >"$tmp/backend.conf" <<CONF
worker_processes 1; daemon off; pid $tmp/b.pid; error_log $tmp/b.err;
events { worker_connections 4096; }
http { access_log off;
  server { listen 127.0.0.1:$bport;
    location / { default_type application/json; return 200 '{"ok":true,"service":"backend","n":12345}'; } } }
CONF
nginx -c "$tmp/backend.conf" -p "$tmp" &

port=$(free_port)
# Cluster mode: the keys under a prefix of this run's own.
: >"$tmp/portico.toml"
[ -z "${REDIS_URL:-}" ] || printf 'redis_url = "%s"\nredis_prefix = "bench-%s:"\n' "$REDIS_URL" "$$" >"$tmp/portico.toml"
PORTICO_LOG=warn "$BIN" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" --config "$tmp/portico.toml" >"$tmp/portico.log" 2>&1 &
ppid=$!
for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.05; done

# Deploy through the management API, as a user would.
read -r API_ID KEY < <("$VENV/bin/python" - "http://127.0.0.1:$port" "http://127.0.0.1:$bport/" <<'PY'
import sys, boto3
url, backend = sys.argv[1:]
c = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
api = c.create_rest_api(name="bench-metering")
api_id, root = api["id"], api["rootResourceId"]
for part, keyed in (("open", False), ("keyed", True)):
    r = c.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
    c.put_method(restApiId=api_id, resourceId=r, httpMethod="GET", authorizationType="NONE",
                 apiKeyRequired=keyed)
    c.put_integration(restApiId=api_id, resourceId=r, httpMethod="GET", type="HTTP_PROXY",
                      integrationHttpMethod="GET", uri=backend)
c.create_deployment(restApiId=api_id, stageName="bench")
plan = c.create_usage_plan(name="bench", apiStages=[{"apiId": api_id, "stage": "bench"}],
                           throttle={"rateLimit": 1000000.0, "burstLimit": 1000000},
                           quota={"limit": 1000000000, "period": "DAY"})
key = c.create_api_key(name="bench", enabled=True)
c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
print(api_id, key["value"])
PY
)
base="http://127.0.0.1:$port/restapis/$API_ID/bench/_user_request_"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/keyed")" = 403 ] || { echo "keyed route served without a key" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "x-api-key: $KEY" "$base/keyed")" = 200 ] || { echo "keyed route refused its key" >&2; exit 1; }

# Portico's CPU time (utime + stime) in clock ticks: CPU per request is the figure that does not
# depend on what else the shared machine is doing.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$ppid/stat"; }
run() { # name url [header]
  local out rps p50 p99 non2xx reqs t0 t1
  t0=$(cpu_ticks)
  if [ -n "${3:-}" ]; then out=$(wrk -t1 -c"$CONN" -d"${DUR}s" --latency -H "$3" "$2" 2>&1)
  else out=$(wrk -t1 -c"$CONN" -d"${DUR}s" --latency "$2" 2>&1); fi
  t1=$(cpu_ticks)
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out")
  printf '%-8s rps=%-10s p50=%-8s p99=%-8s non2xx=%-6s cpu_us_per_req=%s\n' "$1" "$rps" "$p50" "$p99" \
    "${non2xx:-0}" "$(awk -v t="$((t1 - t0))" -v n="$reqs" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')"
}
# A B B A: on a shared machine whose load drifts during the run, a linear drift cancels out
# (A B A B would charge it all to B).
{
  run open  "$base/open"
  run keyed "$base/keyed" "x-api-key: $KEY"
  run keyed "$base/keyed" "x-api-key: $KEY"
  run open  "$base/open"
} | tee "$tmp/out"

"$VENV/bin/python" - "$tmp/out" "http://127.0.0.1:$port" <<'PY'
import os, re, sys, datetime, boto3
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+)\s+rps=(\S+).*non2xx=(\S+)\s+cpu_us_per_req=(\S+)", line)
    if m:
        rows.setdefault(m[1], []).append((float(m[2]), int(m[3]), float(m[4])))
avg = lambda name, i: sum(r[i] for r in rows[name]) / len(rows[name])
refused = sum(r[1] for r in rows["keyed"])
print()
print(f"API key + usage plan: throughput {avg('keyed', 0)/avg('open', 0):.3f}x the same route "
      f"without a key (target >= 0.95); keyed non-2xx: {refused}")
print(f"CPU per request: {avg('open', 2):.1f} us without a key, {avg('keyed', 2):.1f} us with "
      f"({avg('keyed', 2)/avg('open', 2):.3f}x)")
c = boto3.client("apigateway", endpoint_url=sys.argv[2], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
plan = c.get_usage_plans()["items"][0]["id"]
day = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
items = c.get_usage(usagePlanId=plan, startDate=day, endDate=day)["items"]
print(f"GetUsage after the run: {sum(d[0] for v in items.values() for d in v)} requests counted")
if os.environ.get("REDIS_URL"):
    import urllib.request
    text = urllib.request.urlopen(sys.argv[2] + "/_portico/metrics").read().decode()
    print("Redis:", ", ".join(l for l in text.splitlines() if l.startswith("portico_redis_")))
PY
