"""`X-Amz-Invocation-Type: Event` on an `AWS` (non-proxy) Lambda integration, mapped from a
static `'Event'` or from the client's own header: the function is queued and the client answered
at once (Lambda's 202 and empty body, through the default integration response), while the
function really runs afterwards."""
import json
import os
import time

import pytest

from conftest import make_client
from dataplane import deploy, invoke
from test_dataplane_lambda import function, lambda_uri

# Waits for the test's "go" file before writing "done": a synchronous call would hang until
# the test (which is waiting for the answer) creates it.
WAITER = """
import json, os, time
def handler(event, context):
    if event.get("mode") == "sync":
        return {"ran": "sync"}
    deadline = time.time() + 10
    while not os.path.exists(event["go"]) and time.time() < deadline:
        time.sleep(0.02)
    with open(event["done"], "w") as f:
        f.write(context.aws_request_id)
    return {"ran": "async"}
"""


@pytest.fixture
def lam(server, apigw):
    return make_client(server, service="lambda")


def async_api(apigw, api_id, root, arn, mapped_from):
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                     authorizationType="NONE",
                     requestParameters={"method.request.header.InvocationType": False})
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                              statusCode="200")
    apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="POST", type="AWS",
        integrationHttpMethod="POST", uri=lambda_uri(arn),
        requestParameters={"integration.request.header.X-Amz-Invocation-Type": mapped_from})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200",
        responseTemplates={"application/json": '{"accepted": true, "answer": $input.json(\'$\')}'})
    deploy(apigw, api_id)


def wait_for(path, seconds=10):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)
    return os.path.exists(path)


def test_a_static_event_invocation_answers_at_once_and_runs_later(
        server, apigw, api, lam, tmp_path):
    api_id, root = api
    arn = function(lam, "waiter", WAITER)
    async_api(apigw, api_id, root, arn, "'Event'")
    go, done = tmp_path / "go", tmp_path / "done"
    r = invoke(server, api_id, "prod", "/", method="POST",
               data=json.dumps({"go": str(go), "done": str(done)}),
               headers={"Content-Type": "application/json"})
    # Answered while the function still waits for "go": the default integration response
    # over Lambda's empty 202 body.
    assert (r.status_code, r.json()) == (200, {"accepted": True, "answer": {}})
    assert not done.exists()
    go.write_text("go")
    assert wait_for(done), "the queued function did not run"
    assert len(done.read_text()) == 36


def test_the_client_may_choose_the_invocation_type(server, apigw, api, lam, tmp_path):
    api_id, root = api
    arn = function(lam, "chooser", WAITER)
    async_api(apigw, api_id, root, arn, "method.request.header.InvocationType")
    body = {"mode": "sync"}
    r = invoke(server, api_id, "prod", "/", method="POST", data=json.dumps(body),
               headers={"Content-Type": "application/json", "InvocationType": "RequestResponse"})
    assert (r.status_code, r.json()) == (200, {"accepted": True, "answer": {"ran": "sync"}})
    go, done = tmp_path / "go", tmp_path / "done"
    r = invoke(server, api_id, "prod", "/", method="POST",
               data=json.dumps({"go": str(go), "done": str(done)}),
               headers={"Content-Type": "application/json", "InvocationType": "Event"})
    assert (r.status_code, r.json()) == (200, {"accepted": True, "answer": {}})
    go.write_text("go")
    assert wait_for(done)
    r = invoke(server, api_id, "prod", "/", method="POST", data="{}",
               headers={"Content-Type": "application/json", "InvocationType": "Bogus"})
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})


def test_an_event_invocation_of_an_unknown_function_is_a_configuration_error(
        server, apigw, api):
    api_id, root = api
    async_api(apigw, api_id, root,
              "arn:aws:lambda:us-east-1:000000000000:function:nobody", "'Event'")
    r = invoke(server, api_id, "prod", "/", method="POST", data="{}",
               headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})
