"""The process: health, reset, persistence, durability, signatures, tenants."""
import json
import os
import subprocess
import urllib.request

import pytest
from botocore import UNSIGNED
from botocore.config import Config

from conftest import make_client
from helpers import expect_error
from dataplane import backend, http_method, invoke  # noqa: F401  (backend is a fixture)
from portico_server import ACCOUNT_A, ACCOUNT_B, ROOT, Server, binary


def test_health(server):
    with urllib.request.urlopen(server.url + "/_portico/health") as r:
        assert r.status == 200
        assert json.loads(r.read())["status"] == "ok"


def test_reset_wipes_everything_also_under_motos_path(server):
    c = make_client(server)
    c.create_rest_api(name="x")
    req = urllib.request.Request(server.url + "/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(req) as r:
        assert r.status == 200
    assert c.get_rest_apis()["items"] == []


def test_state_survives_a_restart(own_server):
    c = make_client(own_server)
    api = c.create_rest_api(name="persisted")
    c.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="x")
    own_server.restart()
    c = make_client(own_server)
    assert c.get_rest_api(restApiId=api["id"])["name"] == "persisted"
    assert [r["path"] for r in c.get_resources(restApiId=api["id"])["items"]] == ["/", "/x"]


def test_acknowledged_writes_survive_kill_9(own_server):
    c = make_client(own_server)
    ids = [c.create_rest_api(name=f"k{i}")["id"] for i in range(30)]
    own_server.kill9()
    own_server.start(own_server.port)
    c = make_client(own_server)
    assert [a["id"] for a in c.get_rest_apis(limit=500)["items"]] == ids


def test_tenants_never_see_each_other(server):
    server.reset()
    a = make_client(server, ACCOUNT_A)
    b = make_client(server, ACCOUNT_B)
    api = a.create_rest_api(name="mine")
    assert b.get_rest_apis()["items"] == []
    expect_error(lambda: b.get_rest_api(restApiId=api["id"]), "NotFoundException",
                 f"Invalid API identifier specified {ACCOUNT_B[2]}:{api['id']}", 404)
    expect_error(lambda: b.delete_rest_api(restApiId=api["id"]), "NotFoundException", status=404)
    # Regions are tenants too.
    west = make_client(server, ACCOUNT_A, region="eu-west-1")
    assert west.get_rest_apis()["items"] == []
    assert a.get_rest_api(restApiId=api["id"])["name"] == "mine"


def test_unknown_access_key_is_refused(server):
    c = make_client(server, ("AKIDUNKNOWN", "whatever", ""))
    expect_error(lambda: c.get_rest_apis(), "UnrecognizedClientException",
                 "The security token included in the request is invalid.", 403)


def test_wrong_secret_is_refused(server):
    c = make_client(server, (ACCOUNT_A[0], "not-the-secret", ""))
    expect_error(lambda: c.get_rest_apis(), "InvalidSignatureException", status=403,
                 contains="The request signature we calculated does not match the signature you provided")


def test_unsigned_call_is_refused(server):
    c = make_client(server, config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    expect_error(lambda: c.get_rest_apis(), "MissingAuthenticationTokenException", status=403)


def test_v2_calls_reach_the_v2_room(server):
    # (Operations not built answer 501 naming them: test_apigatewayv2_api.py calls all 103.)
    c = make_client(server, service="apigatewayv2")
    assert isinstance(c.list_portals()["Items"], list)


def test_route_table_matches_botocore_model():
    spec = os.path.join(ROOT, "..", "shared", "spec", "oplist.py")
    out = subprocess.run([binary(), "routes", "--api", "apigateway", "--status"], capture_output=True, text=True, check=True).stdout
    if os.path.exists(spec):
        expected = subprocess.run(["python3", spec, "--status"], capture_output=True, text=True, check=True).stdout
    else:
        # Without shared/, derive the same list from the installed botocore directly.
        from botocore.loaders import Loader
        model = Loader().load_service_model("apigateway", "service-2")
        expected = "".join(
            f"{n} {o['http']['method']} {o['http']['requestUri']} {o['http'].get('responseCode', 200)}\n"
            for n, o in sorted(model["operations"].items()))
    assert out.splitlines() == expected.splitlines()
    assert len(out.splitlines()) == 124


def test_config_with_unknown_keys_is_refused(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('listen = "127.0.0.1:0"\nsurprise = 1\n')
    p = subprocess.run([binary(), "serve", "--config", str(cfg)], capture_output=True, text=True, timeout=10)
    assert p.returncode == 2 and "surprise" in p.stderr


def test_seeded_key_refuses_to_listen_on_the_network(tmp_path):
    p = subprocess.run([binary(), "serve", "--listen", "0.0.0.0:0", "--data-dir", str(tmp_path)],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 2 and "refusing" in p.stderr


def test_sigterm_shuts_down_cleanly(own_server):
    assert own_server.stop() == 0


def test_sigterm_finishes_in_flight_requests(own_server, backend):
    """Graceful shutdown stops accepting but lets a request already inside the pipeline (here,
    waiting on a slow backend) complete with its real answer."""
    import threading
    import time

    c = make_client(own_server)
    api = c.create_rest_api(name="drain")
    rid = c.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="slow")["id"]
    http_method(c, api["id"], rid, f"{backend.url}/sleep/800")
    c.create_deployment(restApiId=api["id"], stageName="prod")
    result = {}
    t = threading.Thread(target=lambda: result.update(r=invoke(own_server, api["id"], "prod", "/slow")))
    t.start()
    deadline = time.monotonic() + 10
    while not backend.requests and time.monotonic() < deadline:
        time.sleep(0.005)  # polling for the backend to hold the request, not a fixed wait
    assert backend.requests, "the request never reached the backend"
    assert own_server.stop() == 0
    t.join(timeout=10)
    assert result["r"].status_code == 200
    assert result["r"].json() == {"slept": True}


def test_a_second_server_on_the_same_data_dir_is_refused(own_server):
    """The store holds its file exclusively: a second Portico on the same data dir refuses to
    start instead of interleaving writes with the first."""
    make_client(own_server).create_rest_api(name="first")
    second = Server(data_dir=own_server.data_dir)
    try:
        with pytest.raises(RuntimeError, match="database is locked"):
            second.start()
    finally:
        second.close()
    assert [a["name"] for a in make_client(own_server).get_rest_apis()["items"]] == ["first"]
