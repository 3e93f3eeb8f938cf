#!/usr/bin/env bash
# A VPC-link integration against the same HTTP_PROXY route: one Portico serves both `GET /proxy`
# (HTTP_PROXY to the backend) and `GET /linked` (HTTP_PROXY through a VPC link whose network load
# balancer's one target is that backend, `[[load_balancers]]`). Keep-alive, `wrk -t1 -c16`,
# interleaved rounds; prints req/s, Portico's CPU per request, and per round linked ÷ proxy
# (95% interval from three rounds on). The target (issue #21): ≥ 0.97×. On a busy machine the
# rounds swing; `bench/instructions.sh` counts both routes' instructions per request (gw-proxy,
# gw-linked), which holds whatever else runs.
#
#   bash bench/vpc_link.sh            # ROUNDS=5, D=5 s per run
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
export D=${D:-5}
BACKEND=http://127.0.0.1:18081/
NLB=arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/bench/0123456789abcdef
source bench/lib.sh nginx wrk
start_backend

cat >"$tmp/portico.toml" <<CONF
[[load_balancers]]
arn = "$NLB"
targets = ["127.0.0.1:18081"]
CONF
PORTICO_BIN=${PORTICO_BIN:-./target/release/portico}
port=$(free_port)
PORTICO_LOG=warn "$PORTICO_BIN" serve --listen "127.0.0.1:$port" --config "$tmp/portico.toml" \
  --data-dir "$tmp/data" >"$tmp/portico.log" 2>&1 &
ppid=$!
for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.05; done
API_ID=$(BENCH_NLB=$NLB "$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
base="http://127.0.0.1:$port/restapis/$API_ID/bench/_user_request_"
curl -fsS -o /dev/null "$base/proxy"
curl -fsS -o /dev/null "$base/linked"

for round in $(seq "$ROUNDS"); do
  echo "-- round $round of $ROUNDS"
  measure http-proxy "$ppid" "$base/proxy" | tee "$tmp/p"
  measure vpc-link "$ppid" "$base/linked" | tee "$tmp/l"
  awk 'NR==FNR { p = $2; next } { printf "ratio    %.3f (VPC link req/s / HTTP_PROXY req/s)\n", $2 / p }' \
    "$tmp/p" "$tmp/l" | tee -a "$tmp/ratios"
done
if [ "$ROUNDS" -ge 3 ]; then
  awk '{print $2}' "$tmp/ratios" | "$VENV/bin/python" bench/stats.py
fi
