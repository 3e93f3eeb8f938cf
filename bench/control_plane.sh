#!/usr/bin/env bash
# Control-plane benchmark: ../shared/bench/cp_workload.py with N client processes against
# Portico, and against moto_server measured the same way in the same run (the reference).
# Prints calls/s, errors, each server's CPU time per call (utime+stime from /proc), the clients'
# CPU time per call, and the ceiling that the clients' CPU puts on calls/s on this machine.
#
#   bash bench/control_plane.sh            # 4 client processes, 10 APIs x 20 resources each
#   PROCS=4 APIS=10 RESOURCES=20 SKIP_MOTO=1 bash bench/control_plane.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PROCS=${PROCS:-4}
APIS=${APIS:-10}
RESOURCES=${RESOURCES:-20}
WORKLOAD=${WORKLOAD:-../shared/bench/cp_workload.py}
VENV=${VENV:-.venv-bench}

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
[ "${SKIP_MOTO:-0}" = 1 ] || "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]"
BIN=${PORTICO_BIN:-target/release/portico}
[ -n "${PORTICO_BIN:-}" ] || cargo build --release --quiet -p portico

tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
wait_up() { for _ in $(seq 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "server at $1 did not come up" >&2; return 1; }

run_workload() { # name url pid
  local name=$1 url=$2 pid=$3
  local t0 c0 t1 c1
  c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
  # The clients run under one launcher, which reports their CPU time (RUSAGE_CHILDREN): with
  # the server's, it says how much of the machine the clients leave the server.
  "$VENV/bin/python" - "$PROCS" "$tmp/$name" "$VENV/bin/python" "$WORKLOAD" "$url" \
    --apis "$APIS" --resources "$RESOURCES" >"$tmp/$name.clients" <<'PY'
import resource, subprocess, sys
procs, prefix, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
running = [subprocess.Popen(cmd + ["--json", f"{prefix}-{i}.json"], stdout=open(f"{prefix}-{i}.out", "w"),
                            stderr=subprocess.STDOUT) for i in range(procs)]
for p in running:
    p.wait()
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime)
PY
  t1=$(date +%s.%N); c1=$(cpu_ticks "$pid")
  "$VENV/bin/python" - "$name" "$tmp" "$PROCS" "$t0" "$t1" "$c0" "$c1" "$(getconf CLK_TCK)" <<'PY'
import json, sys, glob
name, tmp, procs, t0, t1, c0, c1, hz = sys.argv[1:]
calls = errors = 0
for f in glob.glob(f"{tmp}/{name}-*.json"):
    d = json.load(open(f))
    calls += d["total_calls"]
    errors += d["errors_total"]
wall = float(t1) - float(t0)
cpu = (int(c1) - int(c0)) / int(hz)
clients = float(open(f"{tmp}/{name}.clients").read())
print(f"{name}: {calls} calls in {wall:.2f}s = {calls/wall:.0f} calls/s; errors {errors}; "
      f"server CPU {cpu:.2f}s = {cpu/calls*1e6 if calls else 0:.0f} us/call; "
      f"clients' CPU {clients/calls*1e6 if calls else 0:.0f} us/call")
json.dump({"calls": calls, "wall": wall, "cpu": cpu, "clients": clients, "errors": errors},
          open(f"{tmp}/{name}.sum", "w"))
PY
}

port=$(free_port)
"$BIN" serve --listen "127.0.0.1:$port" --data-dir "$tmp/portico-data" >"$tmp/portico.log" 2>&1 &
ppid=$!
wait_up "http://127.0.0.1:$port/_portico/health"
run_workload portico "http://127.0.0.1:$port" "$ppid"
kill "$ppid"; wait "$ppid" 2>/dev/null || true

if [ "${SKIP_MOTO:-0}" != 1 ]; then
  mport=$(free_port)
  "$VENV/bin/moto_server" -p "$mport" >"$tmp/moto.log" 2>&1 &
  mpid=$!
  wait_up "http://127.0.0.1:$mport/moto-api/"
  run_workload moto "http://127.0.0.1:$mport" "$mpid"
  kill "$mpid"; wait "$mpid" 2>/dev/null || true
  "$VENV/bin/python" - "$tmp" <<'PY'
import json, os, sys
p = json.load(open(f"{sys.argv[1]}/portico.sum")); m = json.load(open(f"{sys.argv[1]}/moto.sum"))
print(f"ratio portico/moto calls/s: {(p['calls']/p['wall'])/(m['calls']/m['wall']):.1f}x; "
      f"CPU per call portico/moto: {(p['cpu']/p['calls'])/(m['cpu']/m['calls']):.3f}")
# What bounds calls/s when the clients share the machine: every call costs the clients' CPU
# plus the server's. With all CPUs busy, calls/s cannot pass CPUs / (clients + server per call);
# even a server that cost nothing could not pass CPUs / clients per call.
cpus = os.cpu_count()
ceiling = cpus / (p["clients"] / p["calls"])
moto = m["calls"] / m["wall"]
print(f"ceiling on {cpus} CPUs with these clients: {ceiling:.0f} calls/s for a server that cost "
      f"nothing = {ceiling/moto:.1f}x moto's calls/s; Portico used "
      f"{(p['cpu']+p['clients'])/p['wall']/cpus*100:.0f}% of the machine with its clients")
PY
fi
