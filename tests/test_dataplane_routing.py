"""Data plane: addressing, resolution and routing, AWS's answers for what doesn't exist, and the
identifying headers every invocation carries."""
import re

import requests

from dataplane import add_resource, deploy, invoke, invoke_url, mock_method

MISSING_TOKEN = {"message": "Missing Authentication Token"}


def echo_api(apigw, api):
    """GET / , GET /pets, GET /pets/{id}, ANY /pets/{id}/toys, GET /files/{key+}: MOCK methods
    whose body names the resource and its parameters."""
    api_id, root = api
    tmpl = '{"resource": "$context.resourcePath", "params": "$input.params().path"}'
    mock_method(apigw, api_id, root, response_templates={"application/json": tmpl})
    pets = add_resource(apigw, api_id, root, "pets")
    mock_method(apigw, api_id, pets, response_templates={"application/json": tmpl})
    pet = add_resource(apigw, api_id, pets, "{id}")
    mock_method(apigw, api_id, pet, response_templates={"application/json": tmpl})
    toys = add_resource(apigw, api_id, pet, "toys")
    mock_method(apigw, api_id, toys, method="ANY", response_templates={"application/json": tmpl})
    files = add_resource(apigw, api_id, root, "files")
    key = add_resource(apigw, api_id, files, "{key+}")
    mock_method(apigw, api_id, key, response_templates={"application/json": tmpl})
    deploy(apigw, api_id, "prod")
    return api_id


def test_three_addressing_forms_reach_the_same_method(server, apigw, api):
    api_id = echo_api(apigw, api)
    by_path = requests.get(invoke_url(server, api_id, "prod", "/pets/7"), timeout=5)
    by_host = requests.get(f"{server.url}/prod/pets/7",
                           headers={"Host": f"{api_id}.execute-api.localhost:{server.port}"},
                           timeout=5)
    by_aws = requests.get(f"{server.url}/_aws/execute-api/{api_id}/prod/pets/7", timeout=5)
    for r in (by_path, by_host, by_aws):
        assert r.status_code == 200, r.text
        assert r.json()["resource"] == "/pets/{id}"
        assert "id=7" in r.json()["params"]


def test_host_naming_a_region_is_accepted(server, apigw, api):
    api_id = echo_api(apigw, api)
    r = requests.get(f"{server.url}/prod/pets",
                     headers={"Host": f"{api_id}.execute-api.us-east-1.localhost"}, timeout=5)
    assert r.status_code == 200
    assert r.json()["resource"] == "/pets"


def test_literal_param_greedy_and_any(server, apigw, api):
    api_id = echo_api(apigw, api)
    assert invoke(server, api_id, "prod", "/").json()["resource"] == "/"
    assert invoke(server, api_id, "prod", "/pets/").json()["resource"] == "/pets"
    r = invoke(server, api_id, "prod", "/files/a/b/c.txt")
    assert r.json()["resource"] == "/files/{key+}"
    assert "key=a/b/c.txt" in r.json()["params"]
    r = invoke(server, api_id, "prod", "/pets/9/toys", method="DELETE")
    assert r.status_code == 200
    assert r.json()["resource"] == "/pets/{id}/toys"


def test_unknown_route_and_method_answer_missing_authentication_token(server, apigw, api):
    api_id = echo_api(apigw, api)
    for method, path in [("GET", "/nothing/here"), ("POST", "/pets"), ("GET", "/files")]:
        r = invoke(server, api_id, "prod", path, method=method)
        assert r.status_code == 403, (method, path)
        assert r.json() == MISSING_TOKEN
        assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
        assert r.headers["x-amzn-RequestId"]


def test_unknown_api_or_stage_is_forbidden(server, apigw, api):
    api_id = echo_api(apigw, api)
    for r in (invoke(server, api_id, "nostage", "/pets"),
              invoke(server, "abcdefghij", "prod", "/pets"),
              requests.get(f"{server.url}/", timeout=5,
                           headers={"Host": f"{api_id}.execute-api.localhost"})):
        assert r.status_code == 403
        assert r.json() == {"message": "Forbidden"}
        assert r.headers["x-amzn-ErrorType"] == "ForbiddenException"


def test_an_api_without_deployment_is_not_served(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    assert invoke(server, api_id, "prod").status_code == 403


def test_request_identity_headers(server, apigw, api):
    api_id = echo_api(apigw, api)
    a = invoke(server, api_id, "prod", "/pets")
    b = invoke(server, api_id, "prod", "/pets")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        a.headers["x-amzn-RequestId"])
    assert a.headers["x-amzn-RequestId"] != b.headers["x-amzn-RequestId"]
    assert re.fullmatch(r"[A-Za-z0-9]{15}=", a.headers["x-amz-apigw-id"])
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", a.headers["X-Amzn-Trace-Id"])


def test_tenants_do_not_see_each_other_by_stage(server, apigw, apigw_b, api):
    api_id = echo_api(apigw, api)
    other = apigw_b.create_rest_api(name="b")["id"]
    mock_method(apigw_b, other, apigw_b.get_resources(restApiId=other)["items"][0]["id"],
                response_templates={"application/json": '{"who": "b"}'})
    deploy(apigw_b, other, "prod")
    assert invoke(server, other, "prod").json() == {"who": "b"}
    assert invoke(server, api_id, "prod", "/pets").json()["resource"] == "/pets"


def test_metrics_count_invocations(server, apigw, api):
    api_id = echo_api(apigw, api)
    for _ in range(3):
        invoke(server, api_id, "prod", "/pets")
    invoke(server, api_id, "prod", "/nope")
    text = requests.get(f"{server.url}/_portico/metrics", timeout=5).text
    assert f'portico_requests_total{{api_id="{api_id}",stage="prod",status="200"}} 3' in text
    assert f'portico_requests_total{{api_id="{api_id}",stage="prod",status="403"}} 1' in text
    assert "portico_latency_seconds_bucket" in text
