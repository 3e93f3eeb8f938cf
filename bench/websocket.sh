#!/usr/bin/env bash
# WebSocket APIs, issue #25's budgets:
# 1. idle connections: RSS of 10,000 held connections (< 100 MB) — bench/websocket.py --only idle;
# 2. round trip of a MOCK two-way route: p99 < 1 ms at 5,000 messages/s;
# 3. PostToConnection fan-out to 1,000 connections: >= 20,000 messages/s.
# Parts 2 and 3 run the Rust client bench/wsload (a Python client was the bottleneck), ROUNDS
# times each, interleaved, against one Portico serving the MOCK API of websocket.py's setup().
# Each run prints the client's and the server's CPU per message (getrusage, /proc/PID/stat):
# steadier than the rates on a shared machine.
#
#   bash bench/websocket.sh                         # ROUNDS=3 IDLE=10000 RATE=5000 FANOUT=1000
#   NO_BUILD=1 PORTICO_BIN=x/portico WSLOAD=x/wsload bash bench/websocket.sh
#   CALLGRIND=1 bash bench/websocket.sh             # and instructions per message (valgrind)
#   PRIORITY=1 bash bench/websocket.sh              # server and client at nice -10 (root)
#   SKIP_IDLE=1 ROUNDS=5 SECONDS_=10 MESSAGES=100000 SENDERS=8 DEPTH=1 bash bench/websocket.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
IDLE=${IDLE:-10000}
RATE=${RATE:-5000}
RTT_CONNS=${RTT_CONNS:-50}
SECONDS_=${SECONDS_:-10}
FANOUT=${FANOUT:-1000}
MESSAGES=${MESSAGES:-100000}
SENDERS=${SENDERS:-8}
DEPTH=${DEPTH:-1}
THREADS=${THREADS:-2}
source bench/lib.sh curl
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet -p portico-wsload
out=${CARGO_TARGET_DIR:-target}/release
PORTICO_BIN=${PORTICO_BIN:-$out/portico}
WSLOAD=${WSLOAD:-$out/wsload}
ulimit -n "$(ulimit -Hn)"

if [ -z "${SKIP_IDLE:-}" ]; then
  echo "== idle connections (bench/websocket.py --only idle $IDLE)"
  PORTICO_BIN=$PORTICO_BIN "$VENV/bin/python" bench/websocket.py --only idle "$IDLE"
fi

# One server for the rounds: room for the fan-out's connections and its senders.
cat >"$tmp/portico.toml" <<CONF
max_connections = $((FANOUT * 2 + 1024))
CONF
port=$(free_port)
PORTICO_LOG=warn "$PORTICO_BIN" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" \
  --config "$tmp/portico.toml" >"$tmp/portico.log" 2>&1 &
ppid=$!
for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.05; done
API_ID=$("$VENV/bin/python" - "$port" <<'PY'
import sys, types
sys.path.insert(0, "bench")
from websocket import setup
print(setup(types.SimpleNamespace(url=f"http://127.0.0.1:{sys.argv[1]}")))
PY
)
# PRIORITY=1 (as root): the server's threads and the client at nice -10, so that other work on
# a shared machine (builds) delays them less; latency figures then say more about Portico and
# less about the neighbours. Off by default: say which when quoting figures.
client=("$WSLOAD")
if [ -n "${PRIORITY:-}" ]; then
  for t in /proc/"$ppid"/task/*; do renice -n -10 -p "${t##*/}" >/dev/null; done
  client=(nice -n -10 "$WSLOAD")
fi
echo "== Portico $PORTICO_BIN (pid $ppid), MOCK WebSocket API $API_ID; client $WSLOAD ($THREADS threads)${PRIORITY:+, both at nice -10}"
for round in $(seq "$ROUNDS"); do
  echo "-- round $round"
  "${client[@]}" rtt --url "ws://127.0.0.1:$port/_aws/execute-api/$API_ID/prod" --rate "$RATE" \
    --connections "$RTT_CONNS" --seconds "$SECONDS_" --threads "$THREADS" --server-pid "$ppid" || echo "(wsload exited with $?: see above)"
  "${client[@]}" fanout --endpoint "http://127.0.0.1:$port" --api "$API_ID" --connections "$FANOUT" \
    --messages "$MESSAGES" --senders "$SENDERS" --depth "$DEPTH" --threads "$THREADS" \
    --server-pid "$ppid" || echo "(wsload exited with $?: see above)"
done
echo "budgets: rtt p99 < 1000 us at $RATE msg/s; fan-out >= 20000 msg/s"
kill "$ppid"; wait "$ppid" 2>/dev/null || true

# CALLGRIND=1: user-space instructions per message of a one-worker Portico under callgrind
# (repeatable whatever else the machine runs; the kernel's share is not counted): CG_RTT round
# trips at a slow pace, CG_POSTS posts to 100 connections. Needs valgrind.
[ -n "${CALLGRIND:-}" ] || exit 0
CG_RTT=${CG_RTT:-1000}
CG_POSTS=${CG_POSTS:-2000}
port=$(free_port)
PORTICO_LOG=warn valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$tmp/cg.%p" \
  "$PORTICO_BIN" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data-cg" --workers 1 \
  --config "$tmp/portico.toml" >"$tmp/cg.log" 2>&1 &
ppid=$!
for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.1; done
API_ID=$("$VENV/bin/python" - "$port" <<'PY'
import sys, types
sys.path.insert(0, "bench")
from websocket import setup
print(setup(types.SimpleNamespace(url=f"http://127.0.0.1:{sys.argv[1]}")))
PY
)
# Instructions of a run of n messages and of one of 2n, between `on` and `off`: the difference
# ÷ n is what a message costs, without the connections' handshakes (both runs make the same).
total() { # cmd...
  callgrind_control -z "$ppid" >/dev/null 2>&1
  callgrind_control -i on "$ppid" >/dev/null 2>&1
  "$@" >/dev/null || true
  callgrind_control -i off "$ppid" >/dev/null 2>&1
  callgrind_control -d "$ppid" >/dev/null 2>&1
  callgrind_annotate "$(ls -t "$tmp"/cg."$ppid".* | head -1)" 2>/dev/null |
    awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
counted() { # label n cmd... (cmd takes n)
  local label=$1 n=$2 a b
  shift 2
  "$@" "$n" >/dev/null || true # warm-up
  a=$(total "$@" "$n")
  b=$(total "$@" "$((2 * n))")
  awk -v l="$label" -v a="$a" -v b="$b" -v n="$n" \
    'BEGIN { printf "%-8s %8.0f instructions/message (callgrind, one worker)\n", l, (b - a) / n }'
}
url="ws://127.0.0.1:$port/_aws/execute-api/$API_ID/prod"
rtt_n() { "$WSLOAD" rtt --url "$url" --rate 200 --connections 10 --warmup 0 --seconds "$(($1 / 200))"; }
fanout_n() {
  "$WSLOAD" fanout --endpoint "http://127.0.0.1:$port" --api "$API_ID" --connections 100 \
    --senders 2 --messages "$1"
}
counted rtt "$CG_RTT" rtt_n
counted fanout "$CG_POSTS" fanout_n
kill "$ppid"; wait "$ppid" 2>/dev/null || true
