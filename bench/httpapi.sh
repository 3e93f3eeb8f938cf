#!/usr/bin/env bash
# HTTP APIs (apigatewayv2) on the data plane, issue #24's two targets:
# 1. Throughput: an HTTP API's `HTTP_PROXY` route against nginx proxying to the same backend, in
#    one run (wrk -t1 -c16, ROUNDS interleaved rounds, each round's ratio and the geometric mean
#    with its 95% CI from bench/stats.py). Target: >= 1.0x nginx's req/s.
# 2. Route matching: instructions per request (callgrind, user space, repeatable whatever else
#    runs) for the same request on APIs of 10, 1,000 and 10,000 routes. Target: flat, the
#    10,000-route API <= 1.1x the 10-route one.
#
#   bash bench/httpapi.sh                 # ROUNDS=3, D=10 s per wrk run, N=3000 requests counted
# Needs nginx, wrk and valgrind (apt-get install -y nginx-light wrk valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
D=${D:-10}
N=${N:-3000}
export CONN=${CONN:-16}
BACKEND=http://127.0.0.1:18081/
source bench/lib.sh nginx wrk valgrind callgrind_control
PORTICO_BIN=${PORTICO_BIN:-./target/release/portico}
up() { for _ in $(seq 600); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 did not come up" >&2; return 1; }

start_backend
start_nginx_proxy
start_portico "$PORTICO_BIN" httpapi
API_ID=$("$VENV/bin/python" bench/deploy_http_api.py "http://127.0.0.1:$port" "$BACKEND")
HOST="$API_ID.execute-api.localhost"
curl -fsS -H "Host: $HOST" "http://127.0.0.1:$port/proxy" >/dev/null
# A REST API's HTTP_PROXY on the same Portico, measured in the same rounds: what the HTTP API
# path costs beside REST's, whatever the machine does.
REST_ID=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
REST_HOST="$REST_ID.execute-api.localhost"
curl -fsS -H "Host: $REST_HOST" "http://127.0.0.1:$port/bench/proxy" >/dev/null

rps() { awk '/Requests\/sec/ { print $2 }'; }
: >"$tmp/ratios"; : >"$tmp/rest-ratios"; : >"$tmp/vs-rest"
for round in $(seq "$ROUNDS"); do
  n=$(wrk -t1 -c"$CONN" -d"${D}s" http://127.0.0.1:18083/ | rps)
  g=$(wrk -t1 -c"$CONN" -d"${D}s" -H "Host: $HOST" "http://127.0.0.1:$port/proxy" | rps)
  r=$(wrk -t1 -c"$CONN" -d"${D}s" -H "Host: $REST_HOST" "http://127.0.0.1:$port/bench/proxy" | rps)
  awk -v k="$round" -v n="$n" -v g="$g" -v r="$r" \
    'BEGIN { printf "round %d: nginx %9.1f  http-api %9.1f (%.3f)  rest %9.1f (%.3f) req/s\n", k, n, g, g / n, r, r / n }'
  awk -v n="$n" -v g="$g" 'BEGIN { print g / n }' >>"$tmp/ratios"
  awk -v n="$n" -v r="$r" 'BEGIN { print r / n }' >>"$tmp/rest-ratios"
  awk -v g="$g" -v r="$r" 'BEGIN { print g / r }' >>"$tmp/vs-rest"
done
echo "HTTP API HTTP_PROXY / nginx req/s: $("$VENV/bin/python" bench/stats.py <"$tmp/ratios") (target >= 1.0x)"
echo "REST HTTP_PROXY / nginx req/s (same rounds): $("$VENV/bin/python" bench/stats.py <"$tmp/rest-ratios")"
echo "HTTP API / REST req/s: $("$VENV/bin/python" bench/stats.py <"$tmp/vs-rest")"
[ -z "${SKIP_ROUTES:-}" ] || exit 0
kill "$ppid"; wait "$ppid" 2>/dev/null || true

# Route matching: the same request, ever larger route tables.
cat >"$tmp/client.py" <<'PY'
import sys, http.client
port, host, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", int(port))
for _ in range(n):
    c.request("GET", "/proxy", headers={"Host": host}); r = c.getresponse(); r.read(); assert r.status == 200, r.status
PY
CG="valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file"
: >"$tmp/routes"
for routes in 10 1000 10000; do
  port=$(free_port)
  PORTICO_LOG=warn $CG="$tmp/r$routes.cg" "$PORTICO_BIN" serve --listen "127.0.0.1:$port" \
    --data-dir "$tmp/data-r$routes" --workers 1 >"$tmp/r$routes.log" 2>&1 &
  pid=$!
  up "http://127.0.0.1:$port/_portico/health"
  api=$("$VENV/bin/python" bench/deploy_http_api.py "http://127.0.0.1:$port" "$BACKEND" "$routes")
  "$VENV/bin/python" "$tmp/client.py" "$port" "$api.execute-api.localhost" 200
  callgrind_control -i on "$pid" >/dev/null 2>&1
  "$VENV/bin/python" "$tmp/client.py" "$port" "$api.execute-api.localhost" "$N"
  callgrind_control -i off "$pid" >/dev/null 2>&1
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  callgrind_annotate "$tmp/r$routes.cg.1" 2>/dev/null | awk -v r="$routes" -v n="$N" \
    '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%6d routes: %8.0f instructions/request\n", r, $1 / n }' | tee -a "$tmp/routes"
done
awk '{ v[$1] = $3 } END { printf "route matching: 10,000 routes cost %.3fx the instructions of 10 (target <= 1.1x)\n", v["10000"] / v["10"] }' "$tmp/routes"
