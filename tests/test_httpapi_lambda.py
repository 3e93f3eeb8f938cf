"""Lambda AWS_PROXY integrations of HTTP APIs, with real Python functions run by Portico's
Lambda host: the payload-2.0 event compared key by key with AWS's recorded ones
(tests/fixtures/), the 2.0 answer inference, cookies, base64, function errors, and payload
1.0."""
import base64
import json
import os

import pytest

from conftest import make_client
from httpapi import call, http_api, route, v2  # noqa: F401
from lambda_helpers import create

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps(event)}
"""


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return json.load(f)


@pytest.fixture
def lam(server, v2):
    return make_client(server, service="lambda")


def lambda_api(v2, lam, code, name="fn", payload="2.0", key="$default", stage="$default"):
    arn = create(lam, name, code, Timeout=5)["FunctionArn"]
    api_id = http_api(v2)
    i = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn,
                              PayloadFormatVersion=payload)["IntegrationId"]
    route(v2, api_id, key, i)
    v2.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True,
                    StageVariables={"env": "dev"})
    return api_id


def test_the_v2_event_has_aws_recorded_shape(server, v2, lam):
    api_id = lambda_api(v2, lam, ECHO, key="POST /items/{id}/{proxy+}")
    r = call(server, api_id, "/items/42/a/b?p1=v1&p1=v2&p2=v", method="POST",
             body='{"a": 1}', headers={"Content-Type": "application/json",
                                       "Cookie": "cookie1; cookie2", "X-Multi": "one",
                                       "User-Agent": "agent"})
    assert r.status == 200, r.text
    e = r.json()
    recorded = fixture("apigw-v2-request-jwt-authorizer.json")
    # The same members, minus the authorizer (none here) and mutual TLS's authentication.
    assert set(e) == set(recorded)
    ctx_keys = set(recorded["requestContext"]) - {"authorizer", "authentication"}
    assert set(e["requestContext"]) == ctx_keys
    assert set(e["requestContext"]["http"]) == set(recorded["requestContext"]["http"])
    assert (e["version"], e["routeKey"], e["rawPath"]) == ("2.0", "POST /items/{id}/{proxy+}",
                                                           "/items/42/a/b")
    assert e["rawQueryString"] == "p1=v1&p1=v2&p2=v"
    assert e["queryStringParameters"] == {"p1": "v1,v2", "p2": "v"}
    assert e["cookies"] == ["cookie1", "cookie2"]
    assert "cookie" not in e["headers"]
    assert e["headers"]["x-multi"] == "one"
    assert e["pathParameters"] == {"id": "42", "proxy": "a/b"}
    assert e["stageVariables"] == {"env": "dev"}
    assert (e["body"], e["isBase64Encoded"]) == ('{"a": 1}', False)
    ctx = e["requestContext"]
    assert ctx["accountId"] == "000000000000" and ctx["apiId"] == api_id
    assert ctx["domainName"] == f"{api_id}.execute-api.localhost"
    assert ctx["domainPrefix"] == api_id
    assert ctx["http"] == {"method": "POST", "path": "/items/42/a/b", "protocol": "HTTP/1.1",
                           "sourceIp": "127.0.0.1", "userAgent": "agent"}
    assert ctx["requestId"] == r.header("apigw-requestid")
    assert (ctx["routeKey"], ctx["stage"]) == ("POST /items/{id}/{proxy+}", "$default")
    assert isinstance(ctx["timeEpoch"], int)
    assert ctx["time"].endswith(" +0000")
    # The same through /_aws/execute-api/{id}/$default: the path has no stage in it.
    e = call(server, api_id, "/items/1/x", method="POST", form="aws").json()
    assert (e["rawPath"], e["requestContext"]["http"]["path"]) == ("/items/1/x", "/items/1/x")


def test_a_bare_request_matches_the_no_authorizer_recording(server, v2, lam):
    api_id = lambda_api(v2, lam, ECHO, stage="prod")
    e = call(server, api_id, "/", stage="prod").json()
    recorded = fixture("apigw-v2-request-no-authorizer.json")
    assert set(e) - {"stageVariables"} == set(recorded)
    assert set(e["requestContext"]) == set(recorded["requestContext"]) - {"authentication"}
    assert e["rawPath"] == "/prod/" and e["requestContext"]["stage"] == "prod"
    # The headers AWS adds, as recorded.
    added = {h for h in recorded["headers"] if h.startswith("x-")}
    assert added <= set(e["headers"]), added - set(e["headers"])
    h = e["headers"]
    assert (h["x-forwarded-for"], h["x-forwarded-proto"]) == ("127.0.0.1", "http")
    # The port the Host header names (none here: 80).
    assert h["x-forwarded-port"] == "80"
    assert h["x-amzn-trace-id"].startswith("Root=1-")
    assert e["rawQueryString"] == "" and e["isBase64Encoded"] is False


def test_binary_bodies_reach_the_function_base64_encoded(server, v2, lam):
    api_id = lambda_api(v2, lam, ECHO)
    e = call(server, api_id, "/up", method="PUT", body=b"\x89PNG\x00\xff",
             headers={"Content-Type": "image/png"}).json()
    assert e["isBase64Encoded"] is True
    assert base64.b64decode(e["body"]) == b"\x89PNG\x00\xff"


@pytest.mark.parametrize("returned,status,ctype,body", [
    ('"Hello from Lambda!"', 200, "application/json", b"Hello from Lambda!"),
    ('{"message": "Hello from Lambda!"}', 200, "application/json",
     b'{"message": "Hello from Lambda!"}'),
    ('{"statusCode": 201, "body": "made"}', 201, "text/plain; charset=utf-8", b"made"),
    ('{"statusCode": 200, "headers": {"Content-Type": "image/png"}, "isBase64Encoded": true, '
     '"body": "iVBORw=="}', 200, "image/png", b"\x89PNG"),
])
def test_answers_are_read_as_aws_reads_them(server, v2, lam, returned, status, ctype, body):
    code = f"import json\ndef handler(event, context):\n    return json.loads('''{returned}''')\n"
    api_id = lambda_api(v2, lam, code)
    r = call(server, api_id, "/")
    assert r.status == status, r.text
    assert r.header("content-type") == ctype
    assert r.body == body


def test_cookies_become_set_cookie_headers(server, v2, lam):
    code = ("def handler(event, context):\n"
            "    return {'statusCode': 200, 'cookies': ['a=1', 'b=2; HttpOnly'],"
            " 'headers': {'x-h': 'v'}, 'body': 'ok'}\n")
    api_id = lambda_api(v2, lam, code)
    r = call(server, api_id, "/")
    assert r.status == 200 and r.body == b"ok"
    assert r.all("set-cookie") == ["a=1", "b=2; HttpOnly"]
    assert r.header("x-h") == "v"


@pytest.mark.parametrize("code", [
    "def handler(event, context):\n    raise ValueError('boom')\n",
    "def handler(event, context):\n    return {'statusCode': 'not a status'}\n",
])
def test_function_errors_are_internal_server_errors(server, v2, lam, code):
    api_id = lambda_api(v2, lam, code)
    r = call(server, api_id, "/")
    assert (r.status, r.json()) == (500, {"message": "Internal Server Error"})


def test_a_missing_function_is_an_internal_server_error(server, v2):
    api_id = http_api(v2)
    i = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                              IntegrationUri="arn:aws:lambda:us-east-1:000000000000:function:gone",
                              PayloadFormatVersion="2.0")["IntegrationId"]
    route(v2, api_id, "$default", i)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    r = call(server, api_id, "/")
    assert (r.status, r.json()) == (500, {"message": "Internal Server Error"})


def test_payload_1_0(server, v2, lam):
    api_id = lambda_api(v2, lam, ECHO, payload="1.0", key="GET /things/{id}")
    r = call(server, api_id, "/things/7?a=1&a=2", headers={"X-H": "v"})
    assert r.status == 200, r.text
    e = r.json()
    assert e["version"] == "1.0"
    assert (e["resource"], e["path"], e["httpMethod"]) == ("/things/{id}", "/things/7", "GET")
    assert e["queryStringParameters"] == {"a": "2"}
    assert e["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert e["pathParameters"] == {"id": "7"}
    assert e["headers"]["x-h"] == "v"
    ctx = e["requestContext"]
    assert ctx["identity"]["sourceIp"] == "127.0.0.1"
    assert ctx["authorizer"] == {"claims": None, "scopes": None}
    assert (ctx["stage"], ctx["apiId"]) == ("$default", api_id)


def test_the_function_may_come_from_a_stage_variable(server, v2, lam):
    create(lam, "blue", "def handler(event, context):\n    return 'blue'\n")
    create(lam, "green", "def handler(event, context):\n    return 'green'\n")
    api_id = http_api(v2)
    uri = "arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}"
    i = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=uri,
                              PayloadFormatVersion="2.0")["IntegrationId"]
    route(v2, api_id, "$default", i)
    v2.create_stage(ApiId=api_id, StageName="blue", AutoDeploy=True, StageVariables={"fn": "blue"})
    v2.create_stage(ApiId=api_id, StageName="green", AutoDeploy=True,
                    StageVariables={"fn": "green"})
    assert call(server, api_id, "/", stage="blue").body == b"blue"
    assert call(server, api_id, "/", stage="green").body == b"green"
