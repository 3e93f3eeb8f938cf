#!/usr/bin/env bash
# Instructions per request in user space, counted by callgrind: repeatable to a fraction of a
# percent whatever else the machine is doing, so it shows what a change to the request path
# costs even when req/s can't. Counts Portico serving N keep-alive requests of the benchmark
# API (HTTP_PROXY and MOCK + template, as in dataplane.sh), with two references measured in
# the same run: nginx proxying to the same backend, and the floor (examples/proxy_floor: the
# same server and pool as Portico, no pipeline).
# Kernel work (syscalls, TCP) is not counted; dataplane.sh's CPU per request includes it.
#
#   bash bench/instructions.sh          # N=5000 requests per path
#   PORTICO_BIN=old/portico FLOOR_BIN=old/proxy_floor bash bench/instructions.sh   # another build
#   KEEP=/tmp/cg bash bench/instructions.sh   # keep the callgrind profiles (callgrind_annotate them)
# Needs valgrind and nginx (the backend and the reference proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-5000}
BACKEND=http://127.0.0.1:18081/
source bench/lib.sh valgrind callgrind_control nginx
up() { for _ in $(seq 600); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 did not come up" >&2; return 1; }

start_backend

cat >"$tmp/client.py" <<'PY'
import sys, http.client, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); n = int(sys.argv[2])
c = http.client.HTTPConnection(u.hostname, u.port)
headers = {"Authorization": "bench-token"} if u.path.endswith("/authorized") else {}
for _ in range(n):
    c.request("GET", u.path, headers=headers); r = c.getresponse(); r.read(); assert r.status == 200, r.status
PY

# N keep-alive requests to $3, after a warm-up outside the count; prints instructions/request.
count() { # name pid url out
  "$VENV/bin/python" "$tmp/client.py" "$3" 200
  callgrind_control -i on "$2" >/dev/null 2>&1
  "$VENV/bin/python" "$tmp/client.py" "$3" "$N"
  callgrind_control -i off "$2" >/dev/null 2>&1
  callgrind_control -d "$2" >/dev/null 2>&1 # written to $4.1, whether or not the process exits cleanly
  kill "$2"; wait "$2" 2>/dev/null || true
  [ -z "${KEEP:-}" ] || { mkdir -p "$KEEP" && cp "$4.1" "$KEEP/$1.cg"; }
  callgrind_annotate "$4.1" 2>/dev/null | awk -v name="$1" -v n="$N" \
    '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%-9s %8.0f instructions/request\n", name, $1 / n }'
}

CG="valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file"
port=$(free_port)
$CG="$tmp/floor.cg" "${FLOOR_BIN:-./target/release/examples/proxy_floor}" "127.0.0.1:$port" "$BACKEND" 1 >"$tmp/floor.log" 2>&1 &
pid=$!
for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
count floor "$pid" "http://127.0.0.1:$port/" "$tmp/floor.cg" | tee "$tmp/out"

# The reference: nginx proxying to the same backend, as one process so callgrind sees it all.
port=$(free_port)
nginx_proxy_conf "$port" "master_process off;" >"$tmp/nginx.conf"
$CG="$tmp/nginx.cg" nginx -c "$tmp/nginx.conf" -p "$tmp" >"$tmp/nginx.log" 2>&1 &
pid=$!
up "http://127.0.0.1:$port/"
count nginx "$pid" "http://127.0.0.1:$port/" "$tmp/nginx.cg" | tee -a "$tmp/out"

# gw-linked: HTTP_PROXY through a VPC link whose NLB's one target is the same backend.
NLB=arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/bench/0123456789abcdef
printf '[[load_balancers]]\narn = "%s"\ntargets = ["127.0.0.1:18081"]\n' "$NLB" >"$tmp/portico.toml"
# gw-cached: GET /proxy on a stage whose cache answers it (hits only: the warm-up fills it).
# gw-authorized: /mock's MOCK behind a Lambda TOKEN authorizer, answered from its cache (the
# warm-up's first request ran the function).
for path in proxy mock linked cached authorized; do
  port=$(free_port)
  PORTICO_LOG=warn $CG="$tmp/$path.cg" "${PORTICO_BIN:-./target/release/portico}" serve --listen "127.0.0.1:$port" \
    --data-dir "$tmp/data-$path" --workers 1 --config "$tmp/portico.toml" >"$tmp/portico.log" 2>&1 &
  pid=$!
  up "http://127.0.0.1:$port/_portico/health"
  api=$(BENCH_NLB=$NLB BENCH_CACHE=1 BENCH_AUTHORIZER=1 "$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
  url="http://127.0.0.1:$port/restapis/$api/bench/_user_request_/$path"
  [ "$path" != cached ] || url="http://127.0.0.1:$port/restapis/$api/cached/_user_request_/proxy"
  count "gw-$path" "$pid" "$url" "$tmp/$path.cg" | tee -a "$tmp/out"
done

awk '{ v[$1] = $2 } END {
  printf "HTTP_PROXY: %.2fx nginx'"'"'s instructions, %.2fx the floor'"'"'s (the pipeline: %.0f per request)\n", v["gw-proxy"] / v["nginx"], v["gw-proxy"] / v["floor"], v["gw-proxy"] - v["floor"]
  printf "floor: %.2fx nginx'"'"'s instructions\n", v["floor"] / v["nginx"]
  printf "VPC link: %.3fx HTTP_PROXY'"'"'s instructions\n", v["gw-linked"] / v["gw-proxy"]
  printf "cache hit: %.2fx MOCK'"'"'s instructions\n", v["gw-cached"] / v["gw-mock"]
  printf "authorizer cache hit: %.0f instructions over MOCK\n", v["gw-authorized"] - v["gw-mock"]
}' "$tmp/out"
