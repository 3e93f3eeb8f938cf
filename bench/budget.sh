#!/usr/bin/env bash
# Where the machine's time goes per proxied request, for nginx's proxy and Portico's HTTP_PROXY
# in interleaved rounds: the proxy's CPU, the backend's, the rest (wrk and whatever else runs),
# and idle time, each in µs per request, from /proc over one wrk run.
#
# Why: with wrk, the backend and the proxy on two cores, req/s is 2 cores ÷ the sum of all four,
# so a proxy that is some percent cheaper moves req/s by only its share of that sum. And the
# backend does the same work for every request in every run, so its CPU per request gauges how
# fast the (shared) machine was during that run: proxy ÷ backend compares the proxies with the
# machine's drift taken out. Each round's ratios to that round's nginx get a 95% confidence
# interval (bench/stats.py).
#
#   bash bench/budget.sh                        # 5 rounds of 5 s each
#   ROUNDS=8 D=5 PORTICO_BIN=target/pgo/release/portico bash bench/budget.sh
# Needs nginx and wrk (apt-get install -y nginx-light wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
BACKEND=http://127.0.0.1:18081/
source bench/lib.sh nginx wrk
start_backend
BACKEND_WORKER=$(pgrep -P "$(cat "$tmp/b.pid")" | head -1)
start_nginx_proxy
# The control: nginx's proxy made to move the bytes AWS's rules make Portico move. Toward the
# backend, the four headers API Gateway adds to a proxied request; toward the client, its three
# ids and the four headers it renames (x-amzn-Remapped-*), as headers of the same length. nginx
# does no other AWS work here: what this row adds to the backend's and wrk's CPU is what the
# bytes cost them.
aws_headers=(
  'proxy_set_header X-Forwarded-For $remote_addr;'
  'proxy_set_header X-Forwarded-Proto http;'
  'proxy_set_header X-Amzn-Trace-Id "Root=1-6b107c75-f69e222a5b1ad3842004f82b";'
  'proxy_set_header x-amzn-apigateway-api-id xgtzj4m6yx;'
  'add_header x-amzn-Remapped-Server "nginx/1.22.1";'
  'add_header x-amzn-Remapped-Date "Wed, 02 Dec 2026 19:33:29 GMT";'
  'add_header x-amzn-Remapped-Content-Length 41;'
  'add_header x-amzn-Remapped-Connection keep-alive;'
  'add_header x-amzn-RequestId "19748ec5-e44a-427a-826d-7bdb967734b1";'
  'add_header x-amz-apigw-id "HV4krGOEwKfvnIR=";'
  'add_header X-Amzn-Trace-Id "Root=1-6b107289-7bc53c11e0def92ffd5106ca";'
)
# After the proxy's own `proxy_set_header Connection "";`, in its one location.
nginx_proxy_conf 18084 | sed "s|proxy_set_header Connection \"\";|& ${aws_headers[*]}|" >"$tmp/aws.conf"
nginx -c "$tmp/aws.conf" -p "$tmp" &
sleep 0.5
AWS_WORKER=$(pgrep -P "$(cat "$tmp/p-18084.pid")" | head -1)
start_portico "${PORTICO_BIN:-./target/release/portico}" gw
api=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
GW="http://127.0.0.1:$port/restapis/$api/bench/_user_request_/proxy"

# The machine's busy and idle ticks (all CPUs), from /proc/stat.
machine() { awk '/^cpu /{ print $2+$3+$4+$7+$8+$9, $5+$6 }' /proc/stat; }

one() { # label pid url: prints `label req/s proxy backend rest idle` (µs per request)
  local p0 b0 m0 p1 b1 m1 out
  p0=$(cpu_ticks "$2"); b0=$(cpu_ticks "$BACKEND_WORKER"); m0=$(machine)
  out=$(wrk -t1 -c"${CONN:-16}" -d"${D:-5}s" "$3")
  p1=$(cpu_ticks "$2"); b1=$(cpu_ticks "$BACKEND_WORKER"); m1=$(machine)
  awk -v l="$1" -v p=$((p1 - p0)) -v b=$((b1 - b0)) -v m0="$m0" -v m1="$m1" -v hz="$(getconf CLK_TCK)" \
    '/requests in/ { n = $1 } /Requests\/sec/ { r = $2 }
     END { split(m0, a, " "); split(m1, c, " "); k = 1e6 / hz / n
           printf "%-6s %8.0f req/s  proxy %5.1f  backend %5.1f  rest %5.1f  idle %4.1f us/request\n",
             l, r, p * k, b * k, (c[1] - a[1] - p - b) * k, (c[2] - a[2]) * k }' <<<"$out"
}

for _ in $(seq "$ROUNDS"); do
  one nginx "$NGINX_WORKER" http://127.0.0.1:18083/
  one ngxaws "$AWS_WORKER" http://127.0.0.1:18084/
  one gw "$ppid" "$GW"
done | tee "$tmp/rounds"

awk '{ n[$1]++; r[$1] += $2; p[$1] += $5; b[$1] += $7; o[$1] += $9; i[$1] += $11; g[$1] += $5 / $7 }
  END {
    print "-- means over " n["gw"] " rounds (us/request)"
    for (x in n) printf "%-6s %8.0f req/s  proxy %5.1f  backend %5.1f  rest %5.1f  idle %4.1f  proxy/backend %.2f\n",
      x, r[x] / n[x], p[x] / n[x], b[x] / n[x], o[x] / n[x], i[x] / n[x], g[x] / n[x]
    share = p["nginx"] / (p["nginx"] + b["nginx"] + o["nginx"] + i["nginx"])
    rel = (g["gw"] / n["gw"]) / (g["nginx"] / n["nginx"])
    printf "Portico costs %.2fx nginx'"'"'s CPU per request (each gauged by the backend in its own run).\n", rel
    printf "nginx'"'"'s proxy is %.0f%% of the machine'"'"'s time per request: a proxy 10%% cheaper is worth ~%.0f%% more req/s.\n",
      share * 100, share * 10 / (1 - share * 0.1)
    printf "req/s: Portico %.2fx nginx'"'"'s, nginx with AWS'"'"'s headers %.2fx (raw means).\n", r["gw"] / r["nginx"], r["ngxaws"] / r["nginx"]
  }' "$tmp/rounds"

# Each round's ratios to the nginx run of the same round (Portico's req/s, ngxaws's req/s,
# Portico's gauged CPU), one round per line, and how sure their means are.
awk '$1 == "nginx" { r = $2; g = $5 / $7 } $1 == "ngxaws" { a = $2 / r }
     $1 == "gw" { print $2 / r, a, ($5 / $7) / g }' "$tmp/rounds" >"$tmp/ratios"
ci() { cut -d' ' -f"$1" "$tmp/ratios" | "$VENV/bin/python" bench/stats.py; }
echo "per round: Portico's req/s ÷ nginx's: $(ci 1)"
echo "           ngxaws's req/s ÷ nginx's: $(ci 2)"
echo "           Portico's gauged CPU ÷ nginx's: $(ci 3)"
