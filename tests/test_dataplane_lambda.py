"""Lambda on the data plane, with real functions run by Portico's Lambda host: AWS_PROXY
integrations (the payload-1.0 event, the answer mapped back, AWS's 502s) and Lambda TOKEN and
REQUEST authorizers (policies, principalId and context, caching, the cache flush)."""
import io
import json
import zipfile

import pytest

from conftest import make_client
from dataplane import add_resource, deploy, invoke

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def zipped(source):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", source)
    return buf.getvalue()


def function(lam, name, source):
    r = lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE,
                            Handler="handler.handler", Code={"ZipFile": zipped(source)},
                            Timeout=5)
    return r["FunctionArn"]


def lambda_uri(arn):
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


@pytest.fixture
def lam(server, apigw):
    return make_client(server, service="lambda")


ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"x-fn": context.function_name},
            "body": json.dumps(event)}
"""


def proxy_method(apigw, api_id, resource_id, arn, method="GET"):
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                          type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(arn))


def test_aws_proxy_sends_the_event_and_maps_the_answer(server, apigw, api, lam):
    api_id, root = api
    arn = function(lam, "echo", ECHO)
    items = add_resource(apigw, api_id, root, "items")
    item = add_resource(apigw, api_id, items, "{id}")
    proxy_method(apigw, api_id, item, arn, method="POST")
    deploy(apigw, api_id, variables={"env": "dev"})
    r = invoke(server, api_id, "prod", "/items/42?q=1&q=2", method="POST",
               data='{"a": 1}', headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.headers["x-fn"] == "echo"
    e = r.json()
    assert (e["resource"], e["path"], e["httpMethod"]) == ("/items/{id}", "/items/42", "POST")
    assert e["pathParameters"] == {"id": "42"}
    assert e["queryStringParameters"] == {"q": "2"}
    assert e["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert e["stageVariables"] == {"env": "dev"}
    assert (e["body"], e["isBase64Encoded"]) == ('{"a": 1}', False)
    assert e["headers"]["content-type"] == "application/json"
    ctx = e["requestContext"]
    assert (ctx["apiId"], ctx["stage"], ctx["resourcePath"]) == (api_id, "prod", "/items/{id}")
    assert ctx["identity"]["sourceIp"] == "127.0.0.1" and ctx["identity"]["accessKey"] is None
    assert ctx["accountId"] == "000000000000" and ctx["path"] == "/prod/items/42"


@pytest.mark.parametrize("source", [
    "def handler(event, context):\n    raise ValueError('boom')\n",
    "def handler(event, context):\n    return {'statusCode': 200, 'wrongValue': 1}\n",
    "def handler(event, context):\n    return 'justAString'\n",
])
def test_a_function_error_or_a_malformed_answer_is_502(server, apigw, api, lam, source):
    api_id, root = api
    arn = function(lam, "bad", source)
    proxy_method(apigw, api_id, root, arn)
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/")
    assert (r.status_code, r.json()) == (502, {"message": "Internal server error"})


def test_an_unknown_function_is_a_configuration_error(server, apigw, api):
    api_id, root = api
    proxy_method(apigw, api_id, root, "arn:aws:lambda:us-east-1:000000000000:function:nope")
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/")
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})


TOKEN_AUTHORIZER = """
calls = 0
def handler(event, context):
    global calls
    calls += 1
    token = event["authorizationToken"]
    if token == "nope":
        raise Exception("Unauthorized")
    if token == "broken":
        return {"principalId": "x"}
    effect = "Deny" if token == "deny" else "Allow"
    return {"principalId": f"user-{token}", "context": {"calls": calls, "type": event["type"],
                                                        "arn": event["methodArn"]},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect,
                 "Resource": event["methodArn"].rsplit("/", 2)[0] + "/*"}]}}
"""

SHOW = ('{"principal": "$context.authorizer.principalId", "calls": "$context.authorizer.calls",'
        ' "type": "$context.authorizer.type", "arn": "$context.authorizer.arn"}')


def guarded(apigw, api_id, resource_id, authorizer_id):
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=authorizer_id)
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET",
                              statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET",
                          type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET",
                                   statusCode="200",
                                   responseTemplates={"application/json": SHOW})


@pytest.fixture
def token_api(server, apigw, api, lam):
    api_id, root = api
    arn = function(lam, "tokenauth", TOKEN_AUTHORIZER)
    auth = apigw.create_authorizer(restApiId=api_id, name="tok", type="TOKEN",
                                   authorizerUri=lambda_uri(arn),
                                   identitySource="method.request.header.Authorization",
                                   identityValidationExpression="^[a-z0-9]+$",
                                   authorizerResultTtlInSeconds=300)["id"]
    guarded(apigw, api_id, root, auth)
    deploy(apigw, api_id)
    return api_id


def call(server, api_id, token=None):
    return invoke(server, api_id, "prod", "/",
                  headers={"Authorization": token} if token is not None else {})


def test_a_token_authorizer_allows_with_its_principal_and_context(server, token_api):
    r = call(server, token_api, "alice")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["principal"], body["type"]) == ("user-alice", "TOKEN")
    assert body["arn"] == (f"arn:aws:execute-api:us-east-1:000000000000:{token_api}/prod/GET/")


def test_a_token_authorizer_refuses_as_aws_does(server, token_api):
    assert (call(server, token_api).status_code, call(server, token_api).json()) == (
        401, {"message": "Unauthorized"})
    r = call(server, token_api, "Not Valid!")  # fails identityValidationExpression
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    r = call(server, token_api, "nope")  # the function raises Unauthorized
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    r = call(server, token_api, "deny")
    assert (r.status_code, r.json()) == (403, {
        "Message": "User is not authorized to access this resource with an explicit deny"})
    r = call(server, token_api, "broken")  # no policyDocument
    assert (r.status_code, r.json()) == (500, {"message": None})


def test_authorizer_results_are_cached_until_the_stage_cache_is_flushed(
        server, apigw, token_api):
    first = call(server, token_api, "bob").json()["calls"]
    assert call(server, token_api, "bob").json()["calls"] == first, "served from the cache"
    assert call(server, token_api, "carol").json()["calls"] != first, "another identity"
    apigw.flush_stage_authorizers_cache(restApiId=token_api, stageName="prod")
    assert call(server, token_api, "bob").json()["calls"] != first


REQUEST_AUTHORIZER = """
def handler(event, context):
    ok = event["headers"].get("x-tenant") == "t1" and \\
        event["queryStringParameters"].get("key") == "k1"
    return {"principalId": "req-user", "context": {"tenant": event["headers"]["x-tenant"],
                                                   "type": event["type"]},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow" if ok else "Deny",
                 "Resource": event["methodArn"]}]}}
"""


def test_a_request_authorizer_reads_its_sources_and_feeds_the_proxy_event(
        server, apigw, api, lam):
    api_id, root = api
    auth_arn = function(lam, "reqauth", REQUEST_AUTHORIZER)
    echo_arn = function(lam, "echo2", ECHO)
    auth = apigw.create_authorizer(
        restApiId=api_id, name="req", type="REQUEST", authorizerUri=lambda_uri(auth_arn),
        identitySource="method.request.header.x-tenant,method.request.querystring.key",
        authorizerResultTtlInSeconds=0)["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=auth)
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET",
                          type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=lambda_uri(echo_arn))
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/?key=k1", headers={"x-tenant": "t1"})
    assert r.status_code == 200, r.text
    authorizer = r.json()["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "req-user"
    assert (authorizer["tenant"], authorizer["type"]) == ("t1", "REQUEST")
    r = invoke(server, api_id, "prod", "/?key=k2", headers={"x-tenant": "t1"})
    assert r.status_code == 403


GREETER = """
def handler(event, context):
    if event["name"] == "ghost":
        raise Exception("Not found: ghost")
    return {"greeting": "hi " + event["name"]}
"""


def test_an_aws_integration_maps_the_payload_and_selects_responses_by_error_message(
        server, apigw, api, lam):
    api_id, root = api
    arn = function(lam, "greeter", GREETER)
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")
    for code in ("200", "404"):
        apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                  statusCode=code)
    apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET", type="AWS",
        integrationHttpMethod="POST", uri=lambda_uri(arn),
        requestTemplates={"application/json": '{"name": "$input.params(\'name\')"}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200")
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="404",
        selectionPattern="Not found.*",
        responseTemplates={"application/json": '{"error": $input.json(\'$.errorMessage\')}'})
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/?name=ada")
    assert (r.status_code, r.json()) == (200, {"greeting": "hi ada"})
    r = invoke(server, api_id, "prod", "/?name=ghost")
    assert (r.status_code, r.json()) == (404, {"error": "Not found: ghost"})


def test_test_invoke_method_runs_the_lambda_integration(server, apigw, api, lam):
    api_id, root = api
    arn = function(lam, "echo-ti", ECHO)
    items = add_resource(apigw, api_id, root, "items")
    proxy_method(apigw, api_id, items, arn, method="POST")
    r = apigw.test_invoke_method(restApiId=api_id, resourceId=items, httpMethod="POST",
                                 pathWithQueryString="/items?x=1", body='{"a": 1}')
    assert r["status"] == 200, r["log"]
    assert r["headers"]["x-fn"] == "echo-ti"
    event = json.loads(r["body"])
    assert (event["path"], event["queryStringParameters"]) == ("/items", {"x": "1"})
    assert event["requestContext"]["stage"] == "test-invoke-stage"
    assert "Endpoint request body after transformations" in r["log"]


SLOW = """
import time
def handler(event, context):
    time.sleep(3)
    return {"statusCode": 200, "body": "late"}
"""


@pytest.mark.parametrize("kind", ["AWS_PROXY", "AWS"])
def test_a_function_slower_than_the_integration_timeout_is_a_504(server, apigw, api, lam, kind):
    api_id, root = api
    arn = function(lam, f"slow-{kind.lower().replace('_', '-')}", SLOW)
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                              statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type=kind,
                          integrationHttpMethod="POST", uri=lambda_uri(arn),
                          timeoutInMillis=500)
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200")
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/")
    assert (r.status_code, r.json()) == (504, {"message": "Endpoint request timed out"})
    assert r.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
