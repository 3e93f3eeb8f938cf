set -euo pipefail
cd /work/main
BIN=${BIN:-target/release/portico}; VENV=.venv
source bench/lib.sh nginx wrk
BACKEND=http://127.0.0.1:18081/
start_backend
port=$(free_port)
PORTICO_LOG=warn $BIN serve --listen 127.0.0.1:$port --data-dir $tmp/d >$tmp/p.log 2>&1 &
pid=$!
for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.05; done
api=$($VENV/bin/python bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
url="http://127.0.0.1:$port/restapis/$api/bench/_user_request_/proxy"
wrk -t1 -c16 -d2s $url >/dev/null
perf record -e cpu-clock -g -p $pid -o /tmp/st/perf.data -- sleep 5 >/dev/null 2>&1 &
wrk -t1 -c16 -d5s $url | grep -E "requests in"
wait
