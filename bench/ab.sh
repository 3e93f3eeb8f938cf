#!/usr/bin/env bash
# Two Portico builds side by side: both serve the benchmark API at once, and interleaved wrk
# rounds measure HTTP_PROXY and MOCK + template on each, with the nginx proxy of dataplane.sh
# measured in every round as the reference. Prints each round, then the means: req/s and CPU
# time per request (utime+stime of the serving process ÷ requests). Interleaving makes load
# drift hit both builds alike, so this shows what a change is worth when single runs can't.
#
#   A=/path/to/portico-before B=target/release/portico bash bench/ab.sh
#   ROUNDS=4 D=5 A=... B=... bash bench/ab.sh      # rounds, seconds per measurement
# A and B may carry a prefix: A="env PORTICO_WORKERS=1 target/release/portico".
set -euo pipefail
cd "$(dirname "$0")/.."
: "${A:?A=path to the first portico binary}" "${B:?B=path to the second portico binary}"
ROUNDS=${ROUNDS:-3}
D=${D:-5}
BACKEND=http://127.0.0.1:18081/
source bench/lib.sh nginx wrk
start_backend

start_nginx_proxy

declare -A PID BASE
for name in A B; do
  start_portico "${!name}" "$name"
  PID[$name]=$ppid
  api=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
  BASE[$name]="http://127.0.0.1:$port/restapis/$api/bench/_user_request_"
done

for _ in $(seq "$ROUNDS"); do
  measure nginx "$NGINX_WORKER" http://127.0.0.1:18083/
  for name in A B; do
    measure "$name-proxy" "${PID[$name]}" "${BASE[$name]}/proxy"
    measure "$name-mock" "${PID[$name]}" "${BASE[$name]}/mock"
  done
done | tee "$tmp/rounds"
echo "-- means over $ROUNDS rounds"
# With each mean, its ratio to nginx's mean from the same rounds (throughput, then CPU).
awk '{ r[$1] += $2; c[$1] += $4; k[$1]++ }
  END { nr = r["nginx"] / k["nginx"]; nc = c["nginx"] / k["nginx"]
        for (x in r) printf "%-8s %8.0f req/s %6.1f us/request  %.2fx nginx req/s, %.2fx its CPU\n",
          x, r[x] / k[x], c[x] / k[x], r[x] / k[x] / nr, c[x] / k[x] / nc }' \
  "$tmp/rounds" | sort
