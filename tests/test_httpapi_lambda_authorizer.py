"""Lambda REQUEST authorizers of HTTP APIs, with real Python functions: payload 2.0 with
simple responses and with IAM policies, payload 1.0, identity sources, caching by identity,
and the context reaching the integration."""
import json
import os

import pytest

from conftest import make_client
from dataplane import backend  # noqa: F401  (fixture)
from httpapi import call, http_api, proxy_integration, route, v2  # noqa: F401
from lambda_helpers import create

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")

# Records every event it gets in /tmp-like state: the count lets the tests see caching.
SIMPLE = """
import json
calls = []
def handler(event, context):
    calls.append(1)
    token = event["identitySource"][0]
    return {"isAuthorized": token == "let-me-in",
            "context": {"user": "u-" + token, "calls": len(calls), "event": json.dumps(event)}}
"""

POLICY = """
def handler(event, context):
    arn = event.get("routeArn") or event.get("methodArn")
    token = event["identitySource"][0] if isinstance(event["identitySource"], list) else event["identitySource"]
    effect = "Allow" if token == "let-me-in" else "Deny"
    base = arn.split("/")[0]
    return {"principalId": "p-1",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect,
                 "Resource": base + "/*/GET/allowed"}]},
            "context": {"user": token, "version": event["version"]}}
"""


@pytest.fixture
def lam(server, v2):
    return make_client(server, service="lambda")


def uri(arn):
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def authorized_api(v2, lam, backend, code, payload="2.0", simple=True, ttl=0,
                   identity=("$request.header.Authorization",)):
    arn = create(lam, "authorizer", code, Timeout=5)["FunctionArn"]
    api_id = http_api(v2)
    kw = {"EnableSimpleResponses": True} if simple else {}
    a = v2.create_authorizer(ApiId=api_id, AuthorizerType="REQUEST", Name="lambda",
                             AuthorizerUri=uri(arn), AuthorizerPayloadFormatVersion=payload,
                             IdentitySource=list(identity), AuthorizerResultTtlInSeconds=ttl,
                             **kw)["AuthorizerId"]
    i = proxy_integration(v2, api_id, backend.url, RequestParameters={
        "overwrite:header.x-user": "$context.authorizer.user",
        "overwrite:header.x-calls": "$context.authorizer.calls",
        "overwrite:header.x-event": "$context.authorizer.event",
    })
    for key in ["GET /allowed", "GET /other"]:
        route(v2, api_id, key, i, AuthorizationType="CUSTOM", AuthorizerId=a)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return api_id


def test_simple_responses(server, v2, lam, backend):
    api_id = authorized_api(v2, lam, backend, SIMPLE)
    r = call(server, api_id, "/allowed?x=1", headers={"Authorization": "let-me-in"})
    assert r.status == 200, r.text
    h = r.json()["headers"]
    assert h["x-user"] == "u-let-me-in"
    event = json.loads(h["x-event"])
    with open(os.path.join(FIXTURES, "apigw-v2-custom-authorizer-v2-request.json")) as f:
        recorded = json.load(f)
    assert set(event) == set(recorded) - {"cookies", "pathParameters", "stageVariables"}
    assert set(event["requestContext"]) == set(recorded["requestContext"]) - {"authentication"}
    assert event["type"] == "REQUEST" and event["identitySource"] == ["let-me-in"]
    assert event["routeArn"] == f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/$default/GET/allowed"
    assert event["routeKey"] == "GET /allowed"
    r = call(server, api_id, "/allowed", headers={"Authorization": "nope"})
    assert (r.status, r.json()) == (403, {"message": "Forbidden"})
    r = call(server, api_id, "/allowed")
    assert (r.status, r.json()) == (401, {"message": "Unauthorized"})


def test_policy_responses_are_evaluated_for_the_route(server, v2, lam, backend):
    api_id = authorized_api(v2, lam, backend, POLICY, simple=False)
    r = call(server, api_id, "/allowed", headers={"Authorization": "let-me-in"})
    assert r.status == 200, r.text
    assert r.json()["headers"]["x-user"] == "let-me-in"
    assert call(server, api_id, "/other", headers={"Authorization": "let-me-in"}).status == 403
    assert call(server, api_id, "/allowed", headers={"Authorization": "no"}).status == 403


RECORDING = """
import json
def handler(event, context):
    return {"principalId": "p", "context": {"event": json.dumps(event)},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
"""


def test_payload_1_0(server, v2, lam, backend):
    api_id = authorized_api(v2, lam, backend, RECORDING, payload="1.0", simple=False)
    r = call(server, api_id, "/allowed?q=1", headers={"Authorization": "let-me-in"})
    assert r.status == 200, r.text
    event = json.loads(r.json()["headers"]["x-event"])
    with open(os.path.join(FIXTURES, "apigw-v2-custom-authorizer-v1-request.json")) as f:
        recorded = json.load(f)
    assert set(event) == set(recorded)
    assert set(recorded["requestContext"]) <= set(event["requestContext"])
    assert (event["type"], event["identitySource"], event["authorizationToken"]) == (
        "REQUEST", "let-me-in", "let-me-in")
    assert event["methodArn"] == f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/$default/GET/allowed"
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/allowed", "/allowed", "GET")
    assert event["queryStringParameters"] == {"q": "1"}
    assert "authorizer" not in event["requestContext"]


def test_payload_1_0_policies(server, v2, lam, backend):
    api_id = authorized_api(v2, lam, backend, POLICY, payload="1.0", simple=False)
    assert call(server, api_id, "/allowed", headers={"Authorization": "let-me-in"}).status == 200
    assert call(server, api_id, "/other", headers={"Authorization": "let-me-in"}).status == 403


def test_answers_are_cached_by_identity(server, v2, lam, backend):
    api_id = authorized_api(v2, lam, backend, SIMPLE, ttl=300)
    calls = [call(server, api_id, "/allowed", headers={"Authorization": "let-me-in"})
             .json()["headers"]["x-calls"] for _ in range(3)]
    assert calls[0] == calls[1] == calls[2], "one call, then the cached answer"
    assert call(server, api_id, "/allowed", headers={"Authorization": "nope"}).status == 403
    # A different identity is a different entry.
    assert call(server, api_id, "/allowed", headers={"Authorization": "nope"}).status == 403


def test_reset_authorizers_cache_forgets_the_stages_answers(server, v2, lam, backend):
    api_id = authorized_api(v2, lam, backend, SIMPLE, ttl=300)
    def calls():
        return call(server, api_id, "/allowed",
                    headers={"Authorization": "let-me-in"}).json()["headers"]["x-calls"]
    first = calls()
    assert calls() == first
    v2.reset_authorizers_cache(ApiId=api_id, StageName="$default")
    assert int(calls()) == int(first) + 1


def test_no_caching_calls_every_time(server, v2, lam, backend):
    api_id = authorized_api(v2, lam, backend, SIMPLE, ttl=0)
    calls = [int(call(server, api_id, "/allowed", headers={"Authorization": "let-me-in"})
                 .json()["headers"]["x-calls"]) for _ in range(3)]
    assert calls == [calls[0], calls[0] + 1, calls[0] + 2]


def test_a_failing_authorizer_is_an_internal_server_error(server, v2, lam, backend):
    api_id = authorized_api(v2, lam, backend,
                            "def handler(event, context):\n    raise RuntimeError('x')\n")
    r = call(server, api_id, "/allowed", headers={"Authorization": "let-me-in"})
    assert (r.status, r.json()) == (500, {"message": "Internal Server Error"})
