"""Cluster metering (`redis_url`): three Portico nodes sharing one Redis enforce one quota
exactly and one throttle at its configured rate, behave as `redis_unavailable` says when Redis
is stopped, and reconcile their counts when it returns.

The nodes share their APIs, keys and plans by starting from copies of one node's data
directory (the same ids everywhere); their usage counts and buckets are shared only through
Redis. The machine's Redis (127.0.0.1:6379) serves the tests that do not stop Redis, each
under its own key prefix; the stop/start tests run a private redis-server on a free port."""
import datetime
import os
import shutil
import subprocess
import threading
import time
import uuid

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import make_client
from dataplane import backend, deploy, invoke_url, mock_method  # noqa: F401  (fixture)
from portico_server import CONFIG, Server, free_port

SHARED_REDIS = "redis://127.0.0.1:6379"
LIMIT_EXCEEDED = (429, {"message": "Limit Exceeded"})
UNAVAILABLE = (503, {"message": "Service Unavailable"})


def today():
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def config(redis_url, prefix, unavailable="fail_open"):
    # Top-level keys before CONFIG's [[credentials]] tables.
    return (f'redis_url = "{redis_url}"\nredis_prefix = "{prefix}"\n'
            f'redis_unavailable = "{unavailable}"\n' + CONFIG)


def poll(what, check, timeout=15.0):
    """Call `check` until it returns something truthy (then return it), or fail."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{what}: still {last!r} after {timeout}s")


class Cluster:
    """Three nodes started from copies of node 1's data directory (or, under the PostgreSQL
    switch, on node 1's database), after node 1 made a metered API (root GET, key required,
    MOCK), a usage plan and a key in it."""

    def __init__(self, redis_url, plan, unavailable="fail_open", nodes=3, setup=None):
        self.prefix = f"portico-test-{uuid.uuid4().hex[:12]}:"
        self.config = config(redis_url, self.prefix, unavailable)
        first = Server(config=self.config).start()
        try:
            if setup:
                # Something else than the metered REST API: `call` is then the setup's.
                self.call = setup(first)
            else:
                self.metered_rest_api(first, plan)
        finally:
            assert first.stop() == 0, first.log()
        self.nodes = []
        # Under the PostgreSQL switch the nodes share node 1's database, as a cluster does;
        # node 1 owns it, so it is closed (and its database dropped) after them.
        self.first = first if first.store == "postgres" else None
        try:
            for n in range(nodes):
                if self.first:
                    s = Server(config=self.config, database_url=first.database_url)
                else:
                    s = Server(config=self.config)
                    shutil.copytree(first.data_dir, s.data_dir)
                self.nodes.append(s.start())
        finally:
            if not self.first:
                first.close()

    def metered_rest_api(self, first, plan):
        apigw = make_client(first)
        api = apigw.create_rest_api(name="cluster")
        self.api_id = api["id"]
        mock_method(apigw, self.api_id, api["rootResourceId"], apiKeyRequired=True,
                    response_templates={"application/json": '{"ok": true}'})
        deploy(apigw, self.api_id, "prod")
        self.plan_id = apigw.create_usage_plan(
            name="plan", apiStages=[{"apiId": self.api_id, "stage": "prod"}], **plan)["id"]
        key = apigw.create_api_key(name="k", enabled=True)
        self.key_id, self.key = key["id"], key["value"]
        apigw.create_usage_plan_key(usagePlanId=self.plan_id, keyId=self.key_id,
                                    keyType="API_KEY")

    def call(self, node, session=None):
        """The metered REST API's root through node `node`: (status, body)."""
        r = (session or requests).get(invoke_url(self.nodes[node], self.api_id, "prod", "/"),
                                      headers={"x-api-key": self.key}, timeout=10)
        return r.status_code, r.json()

    def usage(self, node):
        r = make_client(self.nodes[node]).get_usage(
            usagePlanId=self.plan_id, keyId=self.key_id, startDate=today(), endDate=today())
        return r["items"][self.key_id][0]

    def health(self, node):
        return requests.get(self.nodes[node].url + "/_portico/health", timeout=5).json()["redis"]

    def metric(self, node, name):
        text = requests.get(self.nodes[node].url + "/_portico/metrics", timeout=5).text
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise AssertionError(f"{name} not in the metrics of node {node}")

    def load(self, per_thread, threads_per_node=4):
        """Every node at once, `threads_per_node` clients each sending `per_thread`
        requests; returns [(node, status, body)] and the seconds from the first request's
        start to the last one's end."""
        results, lock = [], threading.Lock()
        start = threading.Barrier(len(self.nodes) * threads_per_node + 1)

        def client(node):
            session = requests.Session()
            mine = []
            start.wait()
            for _ in range(per_thread):
                status, body = self.call(node, session)
                mine.append((node, status, body))
            with lock:
                results.extend(mine)

        workers = [threading.Thread(target=client, args=(n,))
                   for n in range(len(self.nodes)) for _ in range(threads_per_node)]
        for w in workers:
            w.start()
        start.wait()
        t0 = time.monotonic()
        for w in workers:
            w.join()
        return results, time.monotonic() - t0

    def close(self):
        for s in self.nodes:
            s.close()
        if self.first:
            self.first.close()


@pytest.fixture
def cluster():
    made = []

    def make(*args, **kw):
        c = Cluster(*args, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


class PrivateRedis:
    """A redis-server of the test's own, to stop and start (the machine's is never touched).
    `persist`: keep the data across a restart (append-only file), like a production Redis;
    otherwise a restart comes back empty."""

    def __init__(self, tmp, persist):
        self.port = free_port()
        self.dir = str(tmp)
        self.args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                     "--save", "", "--dir", self.dir, "--daemonize", "no",
                     "--appendonly", "yes" if persist else "no"]
        self.proc = None
        self.url = f"redis://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        poll("redis-server answers", self.answers, timeout=10)
        return self

    def answers(self):
        r = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                           text=True)
        return r.stdout.strip() == "PONG"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    made = []

    def make(persist):
        r = PrivateRedis(tmp_path / f"redis{len(made)}", persist)
        os.makedirs(r.dir)
        made.append(r)
        return r.start()

    yield make
    for r in made:
        r.stop()


def test_a_quota_across_three_nodes_gives_exactly_q(cluster):
    q = 150
    c = cluster(SHARED_REDIS, {"quota": {"limit": q, "period": "DAY"}})
    results, _ = c.load(per_thread=60)  # 720 requests, 240 a node
    ok = [r for r in results if r[1] == 200]
    refused = [r for r in results if r[1] != 200]
    assert len(ok) == q, (len(ok), [r for r in results if r[1] not in (200, 429)][:3])
    assert all((s, b) == LIMIT_EXCEEDED for _, s, b in refused), refused[:3]
    assert {n for n, _, _ in ok} == {0, 1, 2}, "every node served part of the quota"
    # Leases: far fewer Redis grants than requests served.
    grants = sum(c.metric(n, "portico_redis_quota_lease_refills_total") for n in range(3))
    assert 0 < grants < q / 2, grants
    # Any node's GetUsage reports the cluster's counts.
    for n in range(3):
        assert c.usage(n) == [q, 0]
    # UpdateUsage on one node grants to the whole cluster, exactly.
    make_client(c.nodes[2]).update_usage(
        usagePlanId=c.plan_id, keyId=c.key_id,
        patchOperations=[{"op": "replace", "path": "/remaining", "value": "7"}])
    after = [c.call(n % 3)[0] for n in range(15)]
    assert after.count(200) == 7, after
    # Other nodes push what they served every 250 ms.
    poll("GetUsage on node 1 counts every node's requests", lambda: c.usage(0) == [q + 7, 0])


def assert_admitted_at(rate, burst, results, ok, elapsed):
    """The cluster admitted `rate` per second (within 5%) beyond the burst, over a load far
    above it, and every node admitted some."""
    offered = len(results) / elapsed
    assert offered > rate * 5, f"the clients offered only {offered:.0f}/s"
    measured = (len(ok) - burst) / elapsed
    print(f"offered {offered:.0f}/s, admitted {measured:.2f}/s cluster-wide (configured {rate}/s)")
    assert abs(measured - rate) <= rate * 0.05, (len(ok), elapsed, measured)
    assert {n for n, _, _ in ok} == {0, 1, 2}, "every node admitted some"


def test_a_throttle_across_three_nodes_converges_to_the_configured_rate(cluster):
    rate, burst = 40.0, 10
    c = cluster(SHARED_REDIS, {"throttle": {"rateLimit": rate, "burstLimit": burst}})
    # 12 clients (4 a node) each send a fixed number of requests: the offered load is far
    # above the rate for the whole window, so the bucket is always drained; what is measured
    # is how many of a bounded number of requests the cluster admitted over the window they
    # took, against the configured rate.
    results, elapsed = c.load(per_thread=300)
    ok = [r for r in results if r[1] == 200]
    assert all(s in (200, 429) for _, s, _ in results)
    assert_admitted_at(rate, burst, results, ok, elapsed)
    # Without sharing, three nodes would each admit the full rate.
    assert len(ok) < burst + rate * elapsed * 1.5


def test_health_and_metrics_report_redis(cluster):
    c = cluster(SHARED_REDIS, {"quota": {"limit": 10, "period": "DAY"}}, nodes=1)
    assert c.health(0) == {"status": "up", "unavailable": "fail_open", "prefix": c.prefix}
    before = c.metric(0, "portico_redis_round_trips_total")
    assert c.call(0)[0] == 200
    assert c.metric(0, "portico_redis_round_trips_total") > before
    assert c.metric(0, "portico_redis_up") == 1


def test_redis_stopped_fail_open_serves_then_counts_reconcile(cluster, private_redis):
    redis = private_redis(persist=True)
    # Leases of this quota are at most 1/16 of what is left (12 here): the outage's 20
    # requests a node outrun them.
    c = cluster(redis.url, {"quota": {"limit": 200, "period": "DAY"}})
    assert [c.call(n % 3)[0] for n in range(30)] == [200] * 30
    redis.stop()
    # Served without Redis: fail open.
    assert [c.call(n % 3)[0] for n in range(60)] == [200] * 60
    for n in range(3):
        down = poll(f"node {n} sees Redis down", lambda: c.health(n)["status"] == "down" and c.health(n))
        assert down["unavailable"] == "fail_open" and down["lastError"]
    assert "Redis is unreachable" in c.nodes[0].log()
    redis.start()
    for n in range(3):
        poll(f"node {n} sees Redis up", lambda: c.health(n)["status"] == "up")
    # GetUsage on a node pushes that node's counts; after every node's, all 90 are in Redis,
    # counted once.
    for n in range(3):
        c.usage(n)
    assert c.usage(0) == [90, 110]
    assert sum(c.metric(n, "portico_redis_reconciled_total") for n in range(3)) > 0
    # And the quota goes on from there, cluster-wide.
    make_client(c.nodes[1]).update_usage(
        usagePlanId=c.plan_id, keyId=c.key_id,
        patchOperations=[{"op": "replace", "path": "/remaining", "value": "4"}])
    after = [c.call(n % 3)[0] for n in range(9)]
    assert after.count(200) == 4, after
    poll("every node's requests counted", lambda: c.usage(2) == [94, 0])


def test_redis_stopped_fail_closed_refuses_then_recovers(cluster, private_redis):
    redis = private_redis(persist=True)
    # A quota this small leases one request at a time: every request asks Redis.
    c = cluster(redis.url, {"quota": {"limit": 20, "period": "DAY"}}, unavailable="fail_closed",
                nodes=2)
    assert [c.call(n % 2)[0] for n in range(4)] == [200] * 4
    redis.stop()
    assert [c.call(n % 2) for n in range(4)] == [UNAVAILABLE] * 4
    assert c.health(0)["status"] == "down"
    assert c.metric(0, "portico_redis_failed_closed_total") >= 2
    # Without Redis, GetUsage answers from the node's store and UpdateUsage refuses to set a
    # figure the cluster would not see. A node's own store holds its own 2 requests; a store
    # the nodes share (the PostgreSQL switch) holds all 4 once each node has written its
    # counts (every 250 ms).
    if c.first:
        poll("GetUsage from the shared store", lambda: c.usage(0) == [4, 16])
    else:
        assert c.usage(0) == [2, 18]
    with pytest.raises(ClientError) as refused:
        make_client(c.nodes[0]).update_usage(
            usagePlanId=c.plan_id, keyId=c.key_id,
            patchOperations=[{"op": "replace", "path": "/remaining", "value": "50"}])
    assert refused.value.response["Error"]["Code"] == "ServiceUnavailableException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    redis.start()
    for n in range(2):
        poll(f"node {n} serves again", lambda: c.call(n)[0] == 200)
    # Other nodes push what they served every 250 ms.
    poll("both nodes' requests counted", lambda: c.usage(1) == [6, 14])


def test_redis_restarted_empty_is_reseeded_from_the_store(cluster, private_redis):
    redis = private_redis(persist=False)
    c = cluster(redis.url, {"quota": {"limit": 20, "period": "DAY"}}, nodes=1)
    assert [c.call(0)[0] for _ in range(5)] == [200] * 5
    redis.stop()
    assert [c.call(0)[0] for _ in range(5)] == [200] * 5  # fail open
    poll("Redis seen down", lambda: c.health(0)["status"] == "down")
    redis.start()  # empty: its records and epoch are gone
    poll("Redis seen up", lambda: c.health(0)["status"] == "up")
    assert c.usage(0) == [10, 10], "the store's counts, nothing pushed twice"
    # The period's record is re-created from the store: 10 left, exactly.
    statuses = [c.call(0) for _ in range(14)]
    assert [s for s, _ in statuses].count(200) == 10, statuses
    assert statuses[-1] == LIMIT_EXCEEDED
    assert c.usage(0) == [20, 0]


def test_an_http_api_route_throttle_across_three_nodes_converges_to_its_rate(cluster, backend):
    """HTTP APIs' route throttles (a stage's default route settings) are shared by the nodes
    through Redis like REST APIs' throttles: the cluster admits the configured rate, not a rate
    per node."""
    rate, burst = 40.0, 10

    def setup(first):
        v2 = make_client(first, service="apigatewayv2")
        api_id = v2.create_api(Name="throttled", ProtocolType="HTTP", Target=backend.url)["ApiId"]
        v2.update_stage(ApiId=api_id, StageName="$default", DefaultRouteSettings={
            "ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst})

        def call(node, session=None):
            r = (session or requests).get(f"{c.nodes[node].url}/_aws/execute-api/{api_id}/$default/t",
                                          timeout=10)
            return r.status_code, r.json()
        return call

    c = cluster(SHARED_REDIS, None, setup=setup)
    results, elapsed = c.load(per_thread=300)
    ok = [r for r in results if r[1] == 200]
    assert all((s, b) == (429, {"message": "Too Many Requests"}) for _, s, b in results
               if s != 200), [r for r in results if r[1] != 200][:3]
    assert_admitted_at(rate, burst, results, ok, elapsed)
