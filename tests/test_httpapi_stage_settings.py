"""HTTP API stage settings on the data plane: throttling by default and per-route settings,
access logs in the stage's format, and DisableExecuteApiEndpoint."""
import json
import time

from dataplane import backend  # noqa: F401  (fixture)
from httpapi import call, http_api, proxy_integration, route, v2  # noqa: F401


def api(v2, backend, **stage):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, backend.url)
    route(v2, api_id, "GET /limited", i)
    route(v2, api_id, "GET /free", i)
    route(v2, api_id, "GET /tight", i)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, **stage)
    return api_id


def statuses(server, api_id, path, n):
    return [call(server, api_id, path).status for _ in range(n)]


def test_throttling_by_default_and_route_settings(server, v2, backend):
    api_id = api(v2, backend,
                 DefaultRouteSettings={"ThrottlingBurstLimit": 3, "ThrottlingRateLimit": 0.001},
                 RouteSettings={"GET /free": {"ThrottlingBurstLimit": 1000,
                                              "ThrottlingRateLimit": 1000.0},
                                "GET /tight": {"ThrottlingBurstLimit": 0,
                                               "ThrottlingRateLimit": 0.0}})
    got = statuses(server, api_id, "/limited", 5)
    assert got == [200, 200, 200, 429, 429], got
    r = call(server, api_id, "/limited")
    assert (r.status, r.json()) == (429, {"message": "Too Many Requests"})
    assert statuses(server, api_id, "/free", 5) == [200] * 5
    assert statuses(server, api_id, "/tight", 2) == [429, 429]


def test_access_log_lines_in_the_stage_format(server, v2, backend):
    fmt = ('{"rid":"$context.requestId","status":"$context.status","route":"$context.routeKey",'
           '"ip":"$context.identity.sourceIp","stage":"$context.stage",'
           '"err":"$context.error.message","ist":"$context.integrationStatus"}')
    api_id = api(v2, backend, AccessLogSettings={
        "DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:http", "Format": fmt})
    ok = call(server, api_id, "/free")
    missing = call(server, api_id, "/nope")
    lines = [
        '{"rid":"%s","status":"200","route":"GET /free","ip":"127.0.0.1","stage":"$default",'
        '"err":"-","ist":"200"}' % ok.header("apigw-requestid"),
        '{"rid":"%s","status":"404","route":"-","ip":"127.0.0.1","stage":"$default",'
        '"err":"Not Found","ist":"-"}' % missing.header("apigw-requestid"),
    ]
    deadline = time.monotonic() + 5
    while not all(line in server.log() for line in lines) and time.monotonic() < deadline:
        time.sleep(0.02)
    for line in lines:
        assert line in server.log()


def test_a_disabled_execute_api_endpoint_is_forbidden(server, v2, backend):
    api_id = api(v2, backend)
    assert call(server, api_id, "/free").status == 200
    v2.update_api(ApiId=api_id, DisableExecuteApiEndpoint=True)
    r = call(server, api_id, "/free")
    assert (r.status, r.json()) == (403, {"message": "Forbidden"})
    assert json.loads(r.body) == {"message": "Forbidden"}
