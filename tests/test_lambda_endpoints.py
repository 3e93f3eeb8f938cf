"""`[[lambda_endpoints]] arn_prefix, url`: function ARNs under a prefix are not run by Portico
itself but invoked at an existing Lambda Invoke endpoint, SigV4-signed with the entry's
credentials. The endpoint here is a SECOND real Portico process, whose functions belong to
account 111111111111 (its key signs the forwarded calls); the first Portico serves REST APIs
of account 000000000000 whose integrations and authorizers name those ARNs."""
import json
import time

import pytest

from conftest import make_client
from dataplane import add_resource, deploy, invoke
from lambda_helpers import ROLE, zip_of
from portico_server import ACCOUNT_B, CONFIG, Server

PREFIX = "arn:aws:lambda:us-east-1:111111111111:function:"

ECHO = """
import json, os
def handler(event, context):
    if event.get("path") == "/boom":
        raise ValueError("remote boom")
    return {"statusCode": 200, "headers": {"x-served-by": os.environ["SERVED_BY"]},
            "body": json.dumps({"fn": context.function_name, "path": event.get("path"),
                                "arn": context.invoked_function_arn})}
"""

WRITER = """
def handler(event, context):
    with open(event["done"], "w") as f:
        f.write(context.function_name)
"""

AUTHORIZER = """
def handler(event, context):
    effect = "Allow" if event["authorizationToken"] == "let-me-in" else "Deny"
    return {"principalId": "remote-user", "context": {"where": "endpoint"},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": "*"}]}}
"""


@pytest.fixture(scope="module")
def endpoint():
    s = Server().start()
    lam = make_client(s, account=ACCOUNT_B, service="lambda")
    for name, code in (("remote-echo", ECHO), ("remote-auth", AUTHORIZER),
                       ("remote-writer", WRITER)):
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                            Handler="app.handler", Code={"ZipFile": zip_of({"app.py": code})},
                            Environment={"Variables": {"SERVED_BY": "endpoint"}})
    yield s
    s.close()


@pytest.fixture(scope="module")
def gateway(endpoint):
    s = Server(config=CONFIG + f"""
[[lambda_endpoints]]
arn_prefix = "{PREFIX}"
url = "{endpoint.url}/"
access_key = "{ACCOUNT_B[0]}"
secret_key = "{ACCOUNT_B[1]}"
""").start()
    yield s
    s.close()


def uri(name):
    return ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"{PREFIX}{name}/invocations")


def proxy_api(gateway, name, authorizer=None):
    apigw = make_client(gateway)
    api_id = apigw.create_rest_api(name="remote")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    res = add_resource(apigw, api_id, root, "{p+}")
    kw = {"authorizationType": "NONE"}
    if authorizer:
        auth = apigw.create_authorizer(restApiId=api_id, name="remote", type="TOKEN",
                                       authorizerUri=uri(authorizer),
                                       identitySource="method.request.header.Authorization",
                                       authorizerResultTtlInSeconds=0)["id"]
        kw = {"authorizationType": "CUSTOM", "authorizerId": auth}
    apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="ANY", **kw)
    apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=uri(name))
    deploy(apigw, api_id)
    return api_id


def test_an_aws_proxy_integration_runs_at_the_endpoint(gateway, endpoint):
    api_id = proxy_api(gateway, "remote-echo")
    r = invoke(gateway, api_id, "prod", "/hello")
    assert r.status_code == 200, r.text
    assert r.headers["x-served-by"] == "endpoint"
    body = r.json()
    assert (body["fn"], body["path"]) == ("remote-echo", "/hello")
    assert body["arn"] == PREFIX + "remote-echo"
    # The gateway itself has no such function: it ran at the endpoint.
    lam = make_client(gateway, account=ACCOUNT_B, service="lambda")
    assert lam.list_functions()["Functions"] == []


def test_a_function_error_at_the_endpoint_is_a_502(gateway, endpoint):
    api_id = proxy_api(gateway, "remote-echo")
    r = invoke(gateway, api_id, "prod", "/boom")
    assert (r.status_code, r.json()) == (502, {"message": "Internal server error"})


def test_a_function_the_endpoint_does_not_have_is_a_configuration_error(gateway, endpoint):
    api_id = proxy_api(gateway, "not-there")
    r = invoke(gateway, api_id, "prod", "/x")
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})


def test_a_lambda_authorizer_runs_at_the_endpoint(gateway, endpoint):
    api_id = proxy_api(gateway, "remote-echo", authorizer="remote-auth")
    r = invoke(gateway, api_id, "prod", "/in", headers={"Authorization": "let-me-in"})
    assert r.status_code == 200, r.text
    r = invoke(gateway, api_id, "prod", "/in", headers={"Authorization": "no"})
    assert r.status_code == 403


def test_an_event_invocation_is_queued_at_the_endpoint(gateway, endpoint, tmp_path):
    apigw = make_client(gateway)
    api_id = apigw.create_rest_api(name="remote-event")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                     authorizationType="NONE")
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                              statusCode="200")
    apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="POST", type="AWS",
        integrationHttpMethod="POST", uri=uri("remote-writer"),
        requestParameters={"integration.request.header.X-Amz-Invocation-Type": "'Event'"})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                                   statusCode="200")
    deploy(apigw, api_id)
    done = tmp_path / "done"
    r = invoke(gateway, api_id, "prod", "/", method="POST",
               data=json.dumps({"done": str(done)}), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 10
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert done.read_text() == "remote-writer"


def test_wrong_credentials_are_refused_by_the_endpoint(endpoint):
    s = Server(config=CONFIG + f"""
[[lambda_endpoints]]
arn_prefix = "{PREFIX}"
url = "{endpoint.url}"
access_key = "{ACCOUNT_B[0]}"
secret_key = "not-the-secret"
""").start()
    try:
        api_id = proxy_api(s, "remote-echo")
        r = invoke(s, api_id, "prod", "/x")
        assert (r.status_code, r.json()) == (502, {"message": "Internal server error"})
    finally:
        s.close()


@pytest.mark.parametrize("entry, why", [
    ('arn_prefix = "function:"\nurl = "http://127.0.0.1:1"', "must start with arn:"),
    (f'arn_prefix = "{PREFIX}"\nurl = "ftp://x"', "not an http(s) URL"),
    (f'arn_prefix = "{PREFIX}"\nurl = "http://127.0.0.1:1"\naccess_key = "k"', "both"),
])
def test_a_bad_entry_stops_the_start(entry, why):
    s = Server(config=CONFIG + f"\n[[lambda_endpoints]]\n{entry}\n")
    with pytest.raises(RuntimeError) as e:
        s.start()
    assert why in str(e.value)
    s.tmp.cleanup()
