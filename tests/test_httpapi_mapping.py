"""HTTP APIs' parameter mapping (http-api-parameter-mapping.html) on HTTP_PROXY integrations:
request headers, query strings and path from `$request.*`, `$context.*`, `$stageVariables.*`
and static values; response headers and status codes by the integration's status code."""
from dataplane import backend  # noqa: F401  (fixture)
from httpapi import call, http_api, proxy_integration, route, v2  # noqa: F401


def test_request_parameters_rewrite_headers_query_and_path(server, v2, backend):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, backend.url, RequestParameters={
        "overwrite:header.x-from-header": "$request.header.X-In",
        "append:header.x-multi": "added",
        "remove:header.x-secret": "''",
        "overwrite:header.x-static": "static value",
        "overwrite:header.x-body": "$request.body.order.items[1].sku",
        "overwrite:header.x-whole": "id=${request.path.id} stage=${stageVariables.env}",
        "overwrite:header.x-request-id": "$context.requestId",
        "overwrite:header.x-route": "$context.routeKey",
        "append:querystring.tag": "$request.querystring.q",
        "remove:querystring.drop": "''",
        "overwrite:querystring.fixed": "1",
        "overwrite:path": "/v2/items/$request.path.id",
    })
    route(v2, api_id, "POST /items/{id}", i)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True,
                    StageVariables={"env": "dev"})
    r = call(server, api_id, "/items/a%20b?q=x&q=y&drop=1&fixed=0", method="POST",
             body={"order": {"items": [{"sku": "A"}, {"sku": "B"}]}},
             headers={"X-In": "in", "X-Multi": "first", "X-Secret": "s"})
    assert r.status == 200, r.text
    rec = r.json()
    h = rec["headers"]
    assert h["x-from-header"] == "in"
    assert h["x-multi"] == "first,added"
    assert "x-secret" not in h
    assert h["x-static"] == "static value"
    assert h["x-body"] == "B"
    assert h["x-whole"] == "id=a b stage=dev"
    assert h["x-request-id"] == r.header("apigw-requestid")
    assert h["x-route"] == "POST /items/{id}"
    assert rec["path"] == "/v2/items/a%20b"
    pairs = sorted(rec["query"].split("&"))
    assert pairs == ["fixed=1", "q=x", "q=y", "tag=x%2Cy"]


def test_a_missing_source_changes_nothing(server, v2, backend):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, backend.url, RequestParameters={
        "overwrite:header.x-a": "$request.header.x-absent",
    })
    route(v2, api_id, "GET /x", i)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    rec = call(server, api_id, "/x").json()
    assert "x-a" not in rec["headers"]


def test_response_parameters_by_status_code(server, v2, backend):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, backend.url, ResponseParameters={
        "200": {
            "overwrite:statuscode": "202",
            "append:header.x-echo": "$response.header.X-Backend",
            "overwrite:header.x-method": "$response.body.method",
            "remove:header.server": "''",
            "overwrite:header.x-ctx": "$context.stage",
        },
        "404": {"overwrite:statuscode": "410", "overwrite:header.x-gone": "yes"},
    })
    route(v2, api_id, "ANY /{proxy+}", i)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    r = call(server, api_id, "/anything")
    assert r.status == 202, r.text
    assert r.header("x-echo") == "yes"
    assert r.header("x-method") == "GET"
    assert r.header("x-ctx") == "$default"
    assert r.header("server") != "test-backend/1.0"
    assert r.json()["path"] == "/anything"
    r = call(server, api_id, "/status/404")
    assert (r.status, r.header("x-gone")) == (410, "yes")
    r = call(server, api_id, "/status/500")
    assert r.status == 500 and r.json() == {"status": 500}
