"""Cluster mode: several Portico nodes on loopback sharing one PostgreSQL database.

These always use PostgreSQL (whatever PORTICO_TEST_STORE says): the machine's, at
PORTICO_TEST_PG, for the shared database; and a private instance of their own (initdb and
pg_ctl in a temp dir, on a free port) for the restart test, so the shared server other suites
use is never restarted. Timings are recorded (`record_property`), never asserted: an API created
on one node must serve on another, within a generous deadline.
"""
import subprocess
import threading
import time

import pytest
import requests

from conftest import make_client
from dataplane import deploy, invoke, mock_method
from portico_server import Server, binary, create_database, drop_database, psql
from private_pg import PrivatePostgres

DEADLINE = 10.0


def poll(check, deadline=DEADLINE):
    """Call `check` until it returns something true, up to `deadline` seconds; return it and
    the time it took."""
    start = time.monotonic()
    while True:
        got = check()
        if got:
            return got, time.monotonic() - start
        if time.monotonic() - start > deadline:
            return got, time.monotonic() - start
        time.sleep(0.02)


def mock_api(client, name, body):
    api = client.create_rest_api(name=name)
    mock_method(client, api["id"], api["rootResourceId"],
                response_templates={"application/json": body})
    deploy(client, api["id"])
    return api["id"]


def serves(node, api_id, body):
    def check():
        try:
            r = invoke(node, api_id, "prod", "/", timeout=2)
        except requests.RequestException:
            return False
        return r.status_code == 200 and r.text == body
    return check


def all_names(client):
    names, position = [], None
    while True:
        page = client.get_rest_apis(limit=500, **({"position": position} if position else {}))
        names += [a["name"] for a in page["items"]]
        position = page.get("position")
        if not position:
            return names


@pytest.fixture
def database():
    url = create_database()
    yield url
    drop_database(url)


@pytest.fixture
def nodes(database):
    started = [Server(database_url=database).start() for _ in range(3)]
    yield started
    for n in started:
        n.close()


def test_an_api_created_on_node_1_serves_on_node_3(nodes, record_property):
    n1, n2, n3 = nodes
    api_id = mock_api(make_client(n1), "made-on-1", '{"from": "node 1"}')
    (ok, lag) = poll(serves(n3, api_id, '{"from": "node 1"}'))
    record_property("propagation_lag_seconds", round(lag, 3))
    print(f"node 1 -> node 3 propagation: {lag * 1000:.0f} ms")
    assert ok, f"node 3 never served the API: {n3.log()}"
    # The management API reads the shared state directly: node 2 lists it too.
    assert all_names(make_client(n2)) == ["made-on-1"]
    # A change (a new deployment of new content) reaches node 3 as well.
    c1 = make_client(n1)
    root = c1.get_resources(restApiId=api_id)["items"][0]["id"]
    c1.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                statusCode="200",
                                responseTemplates={"application/json": '{"v": 2}'})
    deploy(c1, api_id)
    ok, lag = poll(serves(n3, api_id, '{"v": 2}'))
    record_property("redeploy_lag_seconds", round(lag, 3))
    assert ok
    # Deleted on node 2: no longer served on node 1.
    make_client(n2).delete_rest_api(restApiId=api_id)
    gone, _ = poll(lambda: invoke(n1, api_id, "prod", "/").status_code in (403, 404))
    assert gone
    health = requests.get(n3.url + "/_portico/health", timeout=5).json()
    assert health["store"] == {"kind": "postgresql", "reachable": True, "detail": None}
    metrics = requests.get(n3.url + "/_portico/metrics", timeout=5).text
    remote = [line for line in metrics.splitlines()
              if line.startswith("portico_store_remote_changes_total ")]
    assert remote and int(float(remote[0].split()[1])) >= 2, metrics
    assert "portico_store_pool_connections{state=\"idle\"}" in metrics
    assert "portico_store_propagation_lag_max_seconds" in metrics


def writer(node, prefix, acked, stop, errors):
    """Create REST APIs one after another; remember each one the node acknowledged."""
    client = make_client(node)
    i = 0
    while not stop.is_set():
        name = f"{prefix}-{i}"
        try:
            client.create_rest_api(name=name)
            acked.append(name)
        except Exception as e:  # noqa: BLE001 - a refused or cut-off call is not acknowledged
            errors.append(repr(e))
            time.sleep(0.02)
        i += 1


def test_kill_9_of_a_node_during_writes_loses_no_acknowledged_write(nodes):
    n1, n2, _ = nodes
    acked, errors, stop = [], [], threading.Event()
    t = threading.Thread(target=writer, args=(n1, "w", acked, stop, errors))
    t.start()
    _, _ = poll(lambda: len(acked) >= 30)
    n1.kill9()
    stop.set()
    t.join(timeout=30)
    assert len(acked) >= 30, errors[:3]
    names = set(all_names(make_client(n2)))
    lost = [n for n in acked if n not in names]
    assert not lost, f"acknowledged but lost: {lost}"
    # The killed node comes back on the same database with everything.
    n1.start()
    assert set(acked) <= set(all_names(make_client(n1)))


@pytest.fixture
def private_pg():
    pg = PrivatePostgres()
    yield pg
    pg.close()


def test_postgres_restarted_under_load_nodes_reconnect_and_catch_up(private_pg, record_property):
    psql("CREATE DATABASE cluster", server=private_pg.url)
    url = private_pg.url + "/cluster"
    n1, n2 = Server(database_url=url).start(), Server(database_url=url).start()
    try:
        mock_api(make_client(n1), "before", '"before"')
        acked, errors, stop = [], [], threading.Event()
        t = threading.Thread(target=writer, args=(n1, "load", acked, stop, errors))
        t.start()
        poll(lambda: len(acked) >= 10)
        before_restart = len(acked)
        private_pg.pg_ctl("restart")
        # Writes resume once the database is back (no node restarted).
        resumed, took = poll(lambda: len(acked) >= before_restart + 10, deadline=30)
        stop.set()
        t.join(timeout=30)
        record_property("writes_resumed_after_seconds", round(took, 3))
        assert resumed, f"writes never resumed: {errors[-3:]}\n{n1.log()}"
        # Node 2's listener reconnected: a change made on node 1 after the restart serves there.
        api_id = mock_api(make_client(n1), "after", '"after"')
        ok, lag = poll(serves(n2, api_id, '"after"'), deadline=30)
        record_property("propagation_after_restart_seconds", round(lag, 3))
        assert ok, n2.log()
        names = set(all_names(make_client(n2)))
        assert not [n for n in acked if n not in names]
        healthy, _ = poll(lambda: requests.get(n2.url + "/_portico/health", timeout=5)
                          .json()["store"]["reachable"])
        assert healthy
        metrics = requests.get(n2.url + "/_portico/metrics", timeout=5).text
        assert "portico_store_listener_reconnects_total 0" not in metrics, metrics
    finally:
        n1.close()
        n2.close()


def test_migrate_copies_a_sqlite_data_dir_idempotently_and_a_node_serves_it(database):
    single = Server(store="sqlite").start()
    c = make_client(single)
    first = mock_api(c, "migrated", '{"migrated": true}')
    c.create_rest_api(name="second")
    key = c.create_api_key(name="k", enabled=True)
    plan = c.create_usage_plan(name="p", apiStages=[{"apiId": first, "stage": "prod"}])
    c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    single.stop()
    try:
        outputs = []
        for _ in range(2):
            r = subprocess.run([binary(), "migrate", "--from", f"sqlite:{single.data_dir}",
                                "--to", database], capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            outputs.append(r.stdout.splitlines()[0])
        assert outputs[0] == outputs[1], outputs
        counted = psql("SELECT count(*) FROM docs", database=database.rsplit("/", 1)[1]).strip()
        assert int(counted) > 5
        node = Server(database_url=database).start()
        try:
            assert all_names(make_client(node)) == ["migrated", "second"]
            ok, _ = poll(serves(node, first, '{"migrated": true}'))
            assert ok
            keys = make_client(node).get_usage_plan_keys(usagePlanId=plan["id"])["items"]
            assert [k["id"] for k in keys] == [key["id"]]
        finally:
            node.close()
    finally:
        single.close()


def test_migrate_refuses_a_source_that_is_no_data_dir(database, tmp_path):
    r = subprocess.run([binary(), "migrate", "--from", f"sqlite:{tmp_path}", "--to", database],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "no Portico store" in r.stderr
    r = subprocess.run([binary(), "migrate", "--from", str(tmp_path), "--to", database],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "sqlite:DIR" in r.stderr
