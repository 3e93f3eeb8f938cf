#!/usr/bin/env bash
# System calls per request, counted by strace: the kernel's share of a request's CPU (two thirds
# of it on a loopback proxy, dataplane.sh's "system" column) is paid per syscall, so a call that
# needn't happen shows here as a count even when req/s can't show it. Counts, per request over
# a wrk run of D seconds (default 3; strace slows the process, the counts stay exact): the nginx
# proxy of dataplane.sh (the reference), Portico's HTTP_PROXY and MOCK + template paths, and the
# failed calls among them (a read answering EAGAIN is a syscall spent learning nothing).
#
#   bash bench/syscalls.sh
#   PORTICO_BIN=target/pgo/release/portico bash bench/syscalls.sh
#   CONN=64 D=5 bash bench/syscalls.sh      # connections (default 16), seconds counted
# Needs nginx, wrk and strace (apt-get install -y nginx-light wrk strace).
set -euo pipefail
cd "$(dirname "$0")/.."
D=${D:-3}
BACKEND=http://127.0.0.1:18081/
source bench/lib.sh nginx wrk strace
start_backend
start_nginx_proxy
start_portico "${PORTICO_BIN:-./target/release/portico}" portico
api=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
base="http://127.0.0.1:$port/restapis/$api/bench/_user_request_"

count() { # label pid url
  wrk -t1 -c"${CONN:-16}" -d1s "$3" >/dev/null # warm: connections to the backend are open before counting
  strace -c -f -p "$2" -o "$tmp/$1.strace" 2>"$tmp/$1.attach" &
  local tracer=$! n
  # Load starts once strace says it is attached (on stderr), so no request goes uncounted.
  for _ in $(seq 100); do grep -q attached "$tmp/$1.attach" && break; sleep 0.05; done
  grep -q attached "$tmp/$1.attach" || { echo "strace did not attach to $1: $(cat "$tmp/$1.attach")" >&2; exit 1; }
  n=$(wrk -t1 -c"${CONN:-16}" -d"${D}s" "$3" | awk '/requests in/{print $1}')
  kill -INT "$tracer"
  wait "$tracer" || true
  # strace -c's table: calls in column 4, errors (when any) in column 5, the name last.
  awk -v l="$1" -v n="$n" '$NF == "total" { printf "%-10s %5.2f syscalls/request, %4.2f failed", l, $4 / n, (NF == 6 ? $5 : 0) / n }
    $4 ~ /^[0-9]+$/ && $NF != "total" && $4 / n >= 0.05 { detail = detail sprintf(" %s %.2f", $NF, $4 / n) }
    END { print "  (" substr(detail, 2) ")" }' "$tmp/$1.strace"
}

count nginx "$NGINX_WORKER" http://127.0.0.1:18083/
count gw-proxy "$ppid" "$base/proxy"
count gw-mock "$ppid" "$base/mock"
