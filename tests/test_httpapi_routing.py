"""HTTP APIs served: addressing (execute-api hosts with and without a stage segment,
`/_aws/execute-api/`), stages and `$default`, AWS's route priority, auto-deploy, and
HTTP_PROXY integrations against a real local backend."""
import re

from dataplane import backend  # noqa: F401  (fixture)
from httpapi import call, default_stage, http_api, proxy_integration, route, v2  # noqa: F401


def routed(v2, api_id, backend, keys):
    """One integration per route key, each to `{backend}/r/{n}`; returns key → n."""
    names = {}
    for n, key in enumerate(keys):
        i = proxy_integration(v2, api_id, f"{backend.url}/r/{n}")
        route(v2, api_id, key, i)
        names[key] = str(n)
    return names


def hit(answer):
    assert answer.status == 200, (answer.status, answer.text)
    return answer.json()["path"].rsplit("/", 1)[-1]


def test_quick_create_serves_the_whole_path_through_the_default_stage(server, v2, backend):
    api_id = v2.create_api(Name="quick", ProtocolType="HTTP", Target=backend.url)["ApiId"]
    r = call(server, api_id, "/store/checkout?x=1&y=a%20b", method="POST", body=b"hello",
             headers={"X-Custom": "1", "Content-Type": "text/plain"})
    assert r.status == 200, r.text
    rec = r.json()
    assert (rec["method"], rec["path"], rec["query"]) == ("POST", "/store/checkout", "x=1&y=a%20b")
    assert rec["headers"]["x-custom"] == "1"
    assert rec["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert rec["headers"]["host"] == f"127.0.0.1:{backend.port}"
    assert rec["headers"]["forwarded"] == (
        f"by=127.0.0.1:{backend.port};for=127.0.0.1;host={api_id}.execute-api.localhost;proto=http")
    assert rec["headers"]["x-forwarded-proto"] == "http"
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", rec["headers"]["x-amzn-trace-id"])
    assert r.header("x-backend") == "yes"
    assert r.header("apigw-requestid") and len(r.header("apigw-requestid")) == 16
    # The same through /_aws/execute-api/{id}/$default.
    r = call(server, api_id, "/store/checkout", form="aws")
    assert r.json()["path"] == "/store/checkout"


def test_routes_are_chosen_as_aws_documents(server, v2, backend):
    api_id = http_api(v2)
    keys = ["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}",
            "$default"]
    n = routed(v2, api_id, backend, keys)
    default_stage(v2, api_id)
    assert hit(call(server, api_id, "/pets/dog/1")) == n["GET /pets/dog/1"]
    assert hit(call(server, api_id, "/pets/dog/2")) == n["GET /pets/dog/{id}"]
    assert hit(call(server, api_id, "/pets/cat/1")) == n["GET /pets/{proxy+}"]
    assert hit(call(server, api_id, "/pets/dog/1", method="POST")) == n["ANY /{proxy+}"]
    assert hit(call(server, api_id, "/")) == n["$default"]


def test_no_route_is_not_found(server, v2, backend):
    api_id = http_api(v2)
    routed(v2, api_id, backend, ["GET /pets", "POST /pets/{id}"])
    default_stage(v2, api_id)
    for method, path in [("GET", "/nope"), ("DELETE", "/pets"), ("POST", "/pets"),
                         ("GET", "/pets/1/x")]:
        r = call(server, api_id, path, method=method)
        assert (r.status, r.json()) == (404, {"message": "Not Found"}), (method, path)
        assert r.header("content-type") == "application/json"
    assert hit(call(server, api_id, "/pets/")) == "0"


def test_named_stages_and_the_default_stage(server, v2, backend):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, backend.url)
    route(v2, api_id, "ANY /{proxy+}", i)
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    r = call(server, api_id, "/items/1", stage="prod")
    assert r.json()["path"] == "/items/1", "an integration without a path gets the path below the stage"
    assert call(server, api_id, "/items/1", stage="prod", form="aws").json()["path"] == "/items/1"
    # No $default stage: a path whose first segment is no stage is not found.
    r = call(server, api_id, "/items/1")
    assert (r.status, r.json()) == (404, {"message": "Not Found"})
    default_stage(v2, api_id)
    assert call(server, api_id, "/items/1").json()["path"] == "/items/1"
    # A stage's name wins over the $default stage's path.
    assert call(server, api_id, "/prod/items/2").json()["path"] == "/items/2"


def test_auto_deploy_is_live_on_the_next_request_and_manual_stages_wait(server, v2, backend):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, f"{backend.url}/first")
    route(v2, api_id, "GET /a", i)
    default_stage(v2, api_id)
    manual = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    v2.create_stage(ApiId=api_id, StageName="manual", DeploymentId=manual)
    assert call(server, api_id, "/b").status == 404
    route(v2, api_id, "GET /b", i)
    assert call(server, api_id, "/b").json()["path"] == "/first"
    assert call(server, api_id, "/b", stage="manual").status == 404
    v2.update_integration(ApiId=api_id, IntegrationId=i, IntegrationUri=f"{backend.url}/second")
    assert call(server, api_id, "/a").json()["path"] == "/second"
    assert call(server, api_id, "/a", stage="manual").json()["path"] == "/first"
    d = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    v2.update_stage(ApiId=api_id, StageName="manual", DeploymentId=d)
    assert call(server, api_id, "/b", stage="manual").json()["path"] == "/second"
    v2.delete_api(ApiId=api_id)
    assert call(server, api_id, "/a").status == 403


def test_path_variables_fill_the_integration_uri(server, v2, backend):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, f"{backend.url}/users/{{id}}/files/{{proxy}}?fixed=1")
    route(v2, api_id, "GET /u/{id}/{proxy+}", i)
    default_stage(v2, api_id)
    r = call(server, api_id, "/u/42/a/b.txt?q=2")
    rec = r.json()
    assert rec["path"] == "/users/42/files/a/b.txt"
    assert rec["query"] == "fixed=1&q=2"


def test_backend_failures_answer_as_http_apis_do(server, v2, backend):
    from dataplane import closed_port
    api_id = http_api(v2)
    down = proxy_integration(v2, api_id, f"http://127.0.0.1:{closed_port()}/")
    slow = proxy_integration(v2, api_id, f"{backend.url}/sleep/1500", TimeoutInMillis=300)
    route(v2, api_id, "GET /down", down)
    route(v2, api_id, "GET /slow", slow)
    route(v2, api_id, "GET /none")
    default_stage(v2, api_id)
    r = call(server, api_id, "/down")
    assert (r.status, r.json()) == (500, {"message": "Internal Server Error"})
    r = call(server, api_id, "/slow")
    assert (r.status, r.json()) == (503, {"message": "Service Unavailable"})
    r = call(server, api_id, "/none")
    assert (r.status, r.json()) == (404, {"message": "Not Found"})
    r = call(server, api_id, "/status/418")
    assert r.status == 404


def test_backend_status_and_headers_pass_through(server, v2, backend):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, backend.url)
    route(v2, api_id, "$default", i)
    default_stage(v2, api_id)
    r = call(server, api_id, "/status/418")
    assert (r.status, r.json()) == (418, {"status": 418})
    r = call(server, api_id, "/big/100000")
    assert r.status == 200 and len(r.body) == 100000
    r = call(server, api_id, "/empty")
    assert r.status == 204 and r.body == b""
    r = call(server, api_id, "/head", method="HEAD")
    assert r.status == 200 and r.body == b""
    r = call(server, api_id, "/after-head")
    assert r.json()["path"] == "/after-head"


def test_client_forwarding_and_hop_by_hop_headers_are_not_passed_on_as_sent(server, v2, backend):
    """Without header mappings the client's headers go out as they arrived, less the hop-by-hop
    ones and those the gateway sets itself: a client cannot forge `Forwarded` or a trace id."""
    api_id = v2.create_api(Name="quick", ProtocolType="HTTP", Target=backend.url)["ApiId"]
    r = call(server, api_id, "/h", headers={
        "X-Forwarded-For": "10.9.9.9", "Forwarded": "for=10.9.9.9", "X-Forwarded-Proto": "https",
        "X-Amzn-Trace-Id": "Root=1-00000000-000000000000000000000000", "Keep-Alive": "timeout=5",
        "X-Kept": "yes"})
    assert r.status == 200, r.text
    h = r.json()["headers"]
    assert h["x-kept"] == "yes"
    assert h["x-forwarded-for"] == "10.9.9.9, 127.0.0.1"
    assert h["forwarded"].endswith(";for=127.0.0.1;host=" + f"{api_id}.execute-api.localhost;proto=http")
    assert h["x-forwarded-proto"] == "http"
    assert h["x-amzn-trace-id"] != "Root=1-00000000-000000000000000000000000"
    assert "keep-alive" not in h
