#!/usr/bin/env bash
# Data-plane benchmark, in one run on one machine: a backend directly, nginx proxying to it, and
# Portico serving a deployed API (HTTP_PROXY to the same backend; MOCK with a response
# template), all measured with wrk by ../shared/bench/nginx_anchor.sh. Prints req/s, p50, p99,
# the target ratios, and Portico's RSS idle and across the load.
#
#   bash bench/dataplane.sh                 # 10 s per wrk run, 16 connections, 60 s RSS run
#   DUR=30 CONN=16 RSS_SECONDS=300 bash bench/dataplane.sh
#   ROUNDS=5 bash bench/dataplane.sh        # the throughput runs 5 times; ratios per round, their
#                                           # median and 95% confidence interval (bench/stats.py)
#   PORTICO_BIN=target/pgo/release/portico bash bench/dataplane.sh   # the profile-guided build
#                                           # (scripts/build-pgo.sh); the floor stays the plain one
# PORTICO_WORKERS sets Portico's (and the floor's) worker threads; default half the CPUs (at least one).
# Needs nginx and wrk (apt-get install -y nginx-light wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
ROUNDS=${ROUNDS:-1}
RSS_SECONDS=${RSS_SECONDS:-60}
export CONN=${CONN:-16}
ANCHOR=${ANCHOR:-../shared/bench/nginx_anchor.sh}
BACKEND=http://127.0.0.1:18081/ # the anchor's nginx backend

source bench/lib.sh nginx wrk
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

PORTICO_BIN=${PORTICO_BIN:-./target/release/portico}
echo "portico: $PORTICO_BIN"
start_portico "$PORTICO_BIN" portico

# Deploy the benchmark API through the management API, as a user would.
API_ID=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
base="http://127.0.0.1:$port/restapis/$API_ID/bench/_user_request_"
idle=$(rss_kb "$ppid")

# A shared machine swings by ±10% from run to run: with ROUNDS > 1 every round measures all of
# them again, and the ratios are taken within each round.
for round in $(seq "$ROUNDS"); do
  [ "$ROUNDS" = 1 ] || echo "-- round $round of $ROUNDS"
  GATEWAY_URL="$base/proxy" GATEWAY_MOCK_URL="$base/mock" bash "$ANCHOR" "$DUR" | tee -a "$tmp/out"
  # The floor: the same hyper server and backend pool with no pipeline (what bounds
  # HTTP_PROXY). The anchor's backend is gone by now; start one.
  start_backend
  fport=$(free_port)
  ./target/release/examples/proxy_floor "127.0.0.1:$fport" "$BACKEND" ${PORTICO_WORKERS:-} >"$tmp/floor.log" 2>&1 &
  fpid=$!
  sleep 0.3
  wrk -t1 -c"$CONN" -d"${DUR}s" --latency "http://127.0.0.1:$fport/" >"$tmp/floor.out" 2>&1
  kill "$fpid" 2>/dev/null || true
  printf 'floor    rps=%-10s p50=%-8s p99=%-8s (hyper server + backend pool, no pipeline)\n' \
    "$(awk '/Requests\/sec/{print $2}' "$tmp/floor.out")" "$(awk '$1=="50%"{print $2}' "$tmp/floor.out")" \
    "$(awk '$1=="99%"{print $2}' "$tmp/floor.out")" | tee -a "$tmp/out"
  [ "$round" = "$ROUNDS" ] || { kill "$(cat "$tmp/b.pid")" 2>/dev/null || true; sleep 0.3; }
done
# The backend stays up for the CPU and RSS runs below.

# CPU time per request (utime+stime of the serving process over a wrk run, divided by the
# requests served): the figure that holds when the machine is shared and req/s do not.
start_nginx_proxy
# User and system time are shown apart: the kernel's share is the sockets, the same for any proxy.
cpu_per_request() { # name pid url
  local u0 s0 u1 s1 n
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$2/stat")
  n=$(wrk -t1 -c"$CONN" -d"${CPU_DUR:-5}s" "$3" | awk '/requests in/{print $1}')
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$2/stat")
  awk -v name="$1" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$n" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { k = 1e6 / hz / n; printf "cpu      %-9s %6.1f us/request (user %.1f, system %.1f; %d requests)\n", name, (u + s) * k, u * k, s * k, n }'
}
fport=$(free_port)
./target/release/examples/proxy_floor "127.0.0.1:$fport" "$BACKEND" ${PORTICO_WORKERS:-} >"$tmp/floor.log" 2>&1 &
fpid=$!
sleep 0.3
{
  cpu_per_request nginx "$NGINX_WORKER" "http://127.0.0.1:18083/"
  cpu_per_request floor "$fpid" "http://127.0.0.1:$fport/"
  cpu_per_request gw-proxy "$ppid" "$base/proxy"
  cpu_per_request gw-mock "$ppid" "$base/mock"
} | tee -a "$tmp/out"
kill "$fpid" 2>/dev/null || true

( for _ in $(seq "$RSS_SECONDS"); do rss_kb "$ppid"; sleep 1; done ) >"$tmp/rss" &
sampler=$!
wrk -t1 -c"$((CONN / 2))" -d"${RSS_SECONDS}s" "$base/proxy" >/dev/null &
wrk -t1 -c"$((CONN / 2))" -d"${RSS_SECONDS}s" "$base/mock" >/dev/null
wait "$sampler" 2>/dev/null || true

"$VENV/bin/python" - "$tmp/out" "$tmp/rss" "$idle" "$RSS_SECONDS" <<'PY'
import re, statistics, sys
sys.path.insert(0, "bench")
from stats import describe
out, rss_file, idle, secs_run = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = {}  # name -> one (req/s, p50, p99) per round, in order
def secs(t):
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", t)
    return float(m[1]) * {"us": 1e-6, "ms": 1e-3, "s": 1}[m[2]] if m else float("nan")
for line in open(out):
    m = re.match(r"(\S+)\s+rps=(\S+)\s+p50=(\S+)\s+p99=(\S+)", line)
    if m:
        rows.setdefault(m[1], []).append((float(m[2]), secs(m[3]), secs(m[4])))
def ratio(a, b, field):
    """a's figure over b's, per round: the median, then each round's when there are several
    (with the confidence interval from three on)."""
    per = [x[field] / y[field] for x, y in zip(rows[a], rows[b])]
    parts = [", ".join(f"{r:.2f}" for r in per), describe(per)]
    each = f" (rounds: {'; '.join(filter(None, parts))})" if len(per) > 1 else ""
    return f"{statistics.median(per):.2f}x", each
print()
if "gw-proxy" in rows:
    (t, te), (p, pe) = ratio("gw-proxy", "nginx", 0), ratio("gw-proxy", "nginx", 2)
    print(f"HTTP_PROXY: throughput {t} nginx (target >= 1.0){te}, p99 {p} nginx (target <= 1.5){pe}")
if "floor" in rows:
    (f, fe), (g, _) = ratio("floor", "nginx", 0), ratio("gw-proxy", "floor", 0)
    print(f"  floor (no pipeline): {f} nginx{fe}; Portico HTTP_PROXY is {g} the floor")
if "gw-mock" in rows:
    m, me = ratio("gw-mock", "direct", 0)
    print(f"MOCK+template: throughput {m} direct backend (target >= 0.6){me}")
cpu = {}
for line in open(out):
    m = re.match(r"cpu\s+(\S+)\s+([\d.]+) us/request", line)
    if m:
        cpu[m[1]] = float(m[2])
if "nginx" in cpu and "gw-proxy" in cpu:
    print(f"CPU per request: HTTP_PROXY {cpu['gw-proxy']/cpu['nginx']:.2f}x nginx's, "
          f"floor {cpu.get('floor', float('nan'))/cpu['nginx']:.2f}x nginx's")
rss = [int(x) for x in open(rss_file).read().split() if x.strip()]
print(f"Portico RSS idle: {idle/1024:.1f} MB (target < 20 MB)")
if len(rss) >= 4:
    warm = rss[len(rss) // 10]
    end, peak = rss[-1], max(rss)
    print(f"Portico RSS over a {secs_run} s load run: warm {warm/1024:.1f} MB, end {end/1024:.1f} MB, "
          f"peak {peak/1024:.1f} MB; end vs warm {(end-warm)/warm*100:+.1f}% (target within 10%)")
PY
