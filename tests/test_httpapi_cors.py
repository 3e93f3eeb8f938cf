"""CORS answered by the gateway from an HTTP API's CorsConfiguration (http-api-cors.html):
preflights before any route, configured headers on responses, the backend's own CORS headers
dropped, and changes live at once."""
from dataplane import backend  # noqa: F401  (fixture)
from httpapi import call, http_api, proxy_integration, route, v2  # noqa: F401

ORIGIN = "https://app.example"
CORS = {"AllowOrigins": [ORIGIN], "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["authorization", "content-type"], "ExposeHeaders": ["x-backend"],
        "MaxAge": 300, "AllowCredentials": True}


def api_with_cors(v2, backend, cors=CORS):
    api_id = http_api(v2, CorsConfiguration=cors)
    i = proxy_integration(v2, api_id, backend.url)
    route(v2, api_id, "GET /items", i)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return api_id


def preflight(server, api_id, origin=ORIGIN, path="/items"):
    return call(server, api_id, path, method="OPTIONS",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"})


def test_preflights_are_answered_without_an_options_route(server, v2, backend):
    api_id = api_with_cors(v2, backend)
    seen = len(backend.requests)
    r = preflight(server, api_id)
    assert (r.status, r.body) == (204, b"")
    assert r.header("access-control-allow-origin") == ORIGIN
    assert r.header("access-control-allow-methods") == "GET,POST"
    assert r.header("access-control-allow-headers") == "authorization,content-type"
    assert r.header("access-control-max-age") == "300"
    assert r.header("access-control-allow-credentials") == "true"
    # Any path: the preflight comes before routing.
    assert preflight(server, api_id, path="/no/route").status == 204
    assert len(backend.requests) == seen, "a preflight never reaches the integration"
    r = preflight(server, api_id, origin="https://other.example")
    assert r.status == 204 and r.header("access-control-allow-origin") is None


def test_responses_carry_the_configured_headers(server, v2, backend):
    api_id = api_with_cors(v2, backend)
    r = call(server, api_id, "/items", headers={"Origin": ORIGIN})
    assert r.status == 200
    assert r.header("access-control-allow-origin") == ORIGIN
    assert r.header("access-control-expose-headers") == "x-backend"
    assert r.header("access-control-allow-credentials") == "true"
    assert call(server, api_id, "/items").header("access-control-allow-origin") is None
    r = call(server, api_id, "/nope", headers={"Origin": ORIGIN})
    assert r.status == 404 and r.header("access-control-allow-origin") == ORIGIN


def test_the_backends_cors_headers_give_way(server, v2, backend):
    api_id = http_api(v2, CorsConfiguration={"AllowOrigins": ["*"]})
    i = proxy_integration(v2, api_id, backend.url, ResponseParameters={
        "200": {"overwrite:header.access-control-allow-origin": "https://backend.example"}})
    route(v2, api_id, "GET /items", i)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    r = call(server, api_id, "/items", headers={"Origin": "https://any.example"})
    assert r.header("access-control-allow-origin") == "*"


def test_cors_changes_apply_at_once(server, v2, backend):
    api_id = api_with_cors(v2, backend)
    v2.delete_cors_configuration(ApiId=api_id)
    r = preflight(server, api_id)
    assert r.status == 404 and r.header("access-control-allow-origin") is None
    v2.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["*"]})
    r = preflight(server, api_id)
    assert (r.status, r.header("access-control-allow-origin")) == (204, "*")
    assert r.header("access-control-allow-methods") == "*"
