#!/usr/bin/env bash
# Cluster mode (issue #26) against a single node, in one run on one machine:
# 1. management calls/s and server CPU per call on PostgreSQL against SQLite
#    (bench/control_plane.sh's workload, moto skipped), on a fresh database;
# 2. HTTP_PROXY req/s on a cluster node (PostgreSQL store + Redis metering) against a single
#    node (SQLite), interleaved wrk rounds (target: within 3%);
# 3. change-propagation lag: a REST API with a MOCK method deployed through node 1, timed until
#    node 2 serves it (N deployments; p50, p99, max).
# Keyed requests metered through Redis (target >= 0.9x unkeyed) are bench/metering.sh's:
#    REDIS_URL=redis://127.0.0.1:6379 bash bench/metering.sh
#
#   bash bench/cluster.sh        # ROUNDS=3, D=10 s per wrk run, LAG_N=100
#   PARTS=2 ROUNDS=10 bash bench/cluster.sh   # only part 2, more rounds (a tighter interval)
# Needs PostgreSQL (psql) on 127.0.0.1:5432, Redis on 127.0.0.1:6379, nginx and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
D=${D:-10}
LAG_N=${LAG_N:-100}
PARTS=${PARTS:-123}
export CONN=${CONN:-16}
PG=${PORTICO_TEST_PG:-postgres://postgres@127.0.0.1:5432}
BACKEND=http://127.0.0.1:18081/
source bench/lib.sh nginx wrk psql redis-cli
PORTICO_BIN=${PORTICO_BIN:-./target/release/portico}
fresh_db() { local db="bench_$1_$$"; psql "$PG/postgres" -qAtc "DROP DATABASE IF EXISTS $db" >/dev/null; psql "$PG/postgres" -qAtc "CREATE DATABASE $db" >/dev/null; echo "$PG/$db"; }
drop_dbs() { for db in $(psql "$PG/postgres" -qAtc "SELECT datname FROM pg_database WHERE datname LIKE 'bench_%_$$'"); do psql "$PG/postgres" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true; done; }
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; drop_dbs; rm -rf "$tmp"' EXIT
up() { for _ in $(seq 600); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "$1 did not come up" >&2; return 1; }
serve() { # name [extra flags...]: starts a node, sets port and ppid
  local name=$1; shift
  port=$(free_port)
  PORTICO_LOG=warn "$PORTICO_BIN" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data-$name" "$@" >"$tmp/$name.log" 2>&1 &
  ppid=$!
  up "http://127.0.0.1:$port/_portico/health"
}

if [[ $PARTS == *1* ]]; then
echo "== 1. management calls: PostgreSQL against SQLite (bench/control_plane.sh, moto skipped)"
SKIP_MOTO=1 PORTICO_BIN="$PORTICO_BIN" bash bench/control_plane.sh 2>&1 | sed 's/^/sqlite      /' | grep -v "^sqlite *$"
PORTICO_DATABASE_URL=$(fresh_db cp) SKIP_MOTO=1 PORTICO_BIN="$PORTICO_BIN" bash bench/control_plane.sh 2>&1 | sed 's/^/postgresql  /' | grep -v "^postgresql *$"
fi

if [[ $PARTS == *2* ]]; then
echo "== 2. HTTP_PROXY: a cluster node (PostgreSQL + Redis) against a single node (SQLite)"
start_backend
serve single
single_port=$port single_pid=$ppid
serve cluster --database-url "$(fresh_db dp)" --redis-url redis://127.0.0.1:6379
cluster_port=$port cluster_pid=$ppid
a=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$single_port" "$BACKEND")
b=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$cluster_port" "$BACKEND")
single_url="http://127.0.0.1:$single_port/restapis/$a/bench/_user_request_/proxy"
cluster_url="http://127.0.0.1:$cluster_port/restapis/$b/bench/_user_request_/proxy"
curl -fsS "$single_url" >/dev/null && curl -fsS "$cluster_url" >/dev/null
: >"$tmp/ratios"
for round in $(seq "$ROUNDS"); do
  # Alternating which goes first: the second run of a round measured a few % faster.
  if (( round % 2 )); then
    s=$(measure single "$single_pid" "$single_url" | awk '{print $2}')
    c=$(measure cluster "$cluster_pid" "$cluster_url" | awk '{print $2}')
  else
    c=$(measure cluster "$cluster_pid" "$cluster_url" | awk '{print $2}')
    s=$(measure single "$single_pid" "$single_url" | awk '{print $2}')
  fi
  awk -v r="$round" -v s="$s" -v c="$c" 'BEGIN { printf "round %d: single %9.1f req/s  cluster node %9.1f req/s  ratio %.3f\n", r, s, c, c / s }'
  awk -v s="$s" -v c="$c" 'BEGIN { print c / s }' >>"$tmp/ratios"
done
echo "cluster node / single node req/s: $("$VENV/bin/python" bench/stats.py <"$tmp/ratios") (target: within 3%)"
kill "$single_pid" "$cluster_pid"; wait "$single_pid" "$cluster_pid" 2>/dev/null || true
fi

[[ $PARTS == *3* ]] || exit 0
echo "== 3. change propagation: deployed on node 1, served by node 2"
db=$(fresh_db lag)
serve one --database-url "$db"
one=$port
serve two --database-url "$db"
two=$port
"$VENV/bin/python" - "$one" "$two" "$LAG_N" <<'PY'
import http.client, statistics, sys, time, boto3
one, two, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = boto3.client("apigateway", endpoint_url=f"http://127.0.0.1:{one}", region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
probe = http.client.HTTPConnection("127.0.0.1", two)
lags = []
for i in range(n):
    api = c.create_rest_api(name=f"lag{i}")
    api_id, root = api["id"], api["rootResourceId"]
    c.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    c.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    c.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200")
    c.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
                               responseTemplates={"application/json": '{"ok": true}'})
    c.create_deployment(restApiId=api_id, stageName="s")
    t0 = time.monotonic()
    while True:
        probe.request("GET", f"/restapis/{api_id}/s/_user_request_/")
        r = probe.getresponse(); r.read()
        if r.status == 200:
            break
        if time.monotonic() - t0 > 10:
            sys.exit(f"node 2 did not serve {api_id} within 10 s")
    lags.append((time.monotonic() - t0) * 1000)
lags.sort()
q = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))]
print(f"propagation lag over {n} deployments: p50 {q(0.5):.1f} ms, p99 {q(0.99):.1f} ms, "
      f"max {lags[-1]:.1f} ms (target: every change within 1 s)")
PY
