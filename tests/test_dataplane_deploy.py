"""Data plane over the deployment lifecycle: redeploys and stage updates visible at once and
without failing in-flight traffic, canary splits, access logs, and TestInvokeMethod against the
undeployed definition."""
import threading
import time

import requests

from dataplane import (add_resource, backend, deploy, http_method, invoke, invoke_url,
                       mock_method)
from helpers import expect_error

__all__ = ["backend"]


def versioned_mock(apigw, api_id, resource_id, version):
    apigw.put_integration_response(
        restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": '{"v": %d, "canary": "$context.isCanaryRequest",'
                                               ' "color": "$stageVariables.color"}' % version})


def test_redeploy_is_visible_to_the_next_request(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    versioned_mock(apigw, api_id, root, 1)
    deploy(apigw, api_id)
    assert invoke(server, api_id, "prod").json()["v"] == 1
    versioned_mock(apigw, api_id, root, 2)
    # Not deployed yet: the stage still serves its deployment.
    assert invoke(server, api_id, "prod").json()["v"] == 1
    deploy(apigw, api_id)
    assert invoke(server, api_id, "prod").json()["v"] == 2


def test_stage_variable_update_is_visible_to_the_next_request(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    versioned_mock(apigw, api_id, root, 1)
    deploy(apigw, api_id, variables={"color": "red"})
    assert invoke(server, api_id, "prod").json()["color"] == "red"
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/color", "value": "green"}])
    assert invoke(server, api_id, "prod").json()["color"] == "green"
    apigw.delete_stage(restApiId=api_id, stageName="prod")
    assert invoke(server, api_id, "prod").status_code == 403


def test_stage_pointed_at_an_older_deployment(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    versioned_mock(apigw, api_id, root, 1)
    first = deploy(apigw, api_id)
    versioned_mock(apigw, api_id, root, 2)
    deploy(apigw, api_id)
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/deploymentId", "value": first}])
    assert invoke(server, api_id, "prod").json()["v"] == 1


def test_redeploy_under_load_drops_nothing(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    versioned_mock(apigw, api_id, root, 0)
    deploy(apigw, api_id)
    url = invoke_url(server, api_id, "prod")
    stop = threading.Event()
    results = []
    seen = threading.Condition()

    def hammer():
        s = requests.Session()
        while not stop.is_set():
            try:
                r = s.get(url, timeout=10)
                outcome = (r.status_code, r.json().get("v"))
            except Exception as e:  # noqa: BLE001 - any failure is a dropped request
                outcome = (repr(e), None)
            with seen:
                results.append(outcome)
                seen.notify_all()

    def wait_for(version):
        with seen:
            assert seen.wait_for(lambda: any(v == version for _, v in results), timeout=10)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        wait_for(0)
        for version in range(1, 11):
            versioned_mock(apigw, api_id, root, version)
            deploy(apigw, api_id)
            # Every request sent after the deployment call returned sees it.
            assert invoke(server, api_id, "prod").json()["v"] == version
        wait_for(10)
    finally:
        stop.set()
        for t in threads:
            t.join()
    failures = [r for r in results if r[0] != 200]
    assert failures == []
    assert len(results) >= 40


def test_canary_split_and_overrides(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    versioned_mock(apigw, api_id, root, 1)
    deploy(apigw, api_id, variables={"color": "main"})
    versioned_mock(apigw, api_id, root, 2)
    deploy(apigw, api_id, canarySettings={"percentTraffic": 30.0,
                                          "stageVariableOverrides": {"color": "canary"}})
    s = requests.Session()
    url = invoke_url(server, api_id, "prod")
    bodies = [s.get(url, timeout=5).json() for _ in range(1000)]
    canary = [b for b in bodies if b["v"] == 2]
    main = [b for b in bodies if b["v"] == 1]
    # Binomial(1000, 0.3): mean 300, sd ~14.5; ±75 is more than 5 sd.
    assert 225 <= len(canary) <= 375, len(canary)
    assert len(canary) + len(main) == 1000
    assert all(b["canary"] == "true" and b["color"] == "canary" for b in canary)
    assert all(b["canary"] == "false" and b["color"] == "main" for b in main)


def test_canary_at_zero_and_hundred_percent(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    versioned_mock(apigw, api_id, root, 1)
    deploy(apigw, api_id)
    versioned_mock(apigw, api_id, root, 2)
    deploy(apigw, api_id, canarySettings={"percentTraffic": 100.0})
    assert {invoke(server, api_id, "prod").json()["v"] for _ in range(20)} == {2}
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0"}])
    assert {invoke(server, api_id, "prod").json()["v"] for _ in range(20)} == {1}


def test_access_log_line_in_stage_format(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    deploy(apigw, api_id)
    # AWS requires the account's CloudWatch role before a stage may log.
    apigw.update_account(patchOperations=[
        {"op": "replace", "path": "/cloudwatchRoleArn",
         "value": "arn:aws:iam::000000000000:role/apigateway-logs"}])
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": "arn:aws:logs:us-east-1:000000000000:log-group:access"},
        {"op": "replace", "path": "/accessLogSettings/format",
         "value": '{"rid":"$context.requestId","status":"$context.status",'
                  '"route":"$context.httpMethod $context.resourcePath","ip":"$context.identity.sourceIp",'
                  '"err":"$context.error.message"}'}])
    r = invoke(server, api_id, "prod", "/")
    missing = invoke(server, api_id, "prod", "/nope")
    rid = r.headers["x-amzn-RequestId"]
    expected = ('{"rid":"%s","status":"200","route":"GET /","ip":"127.0.0.1","err":"-"}' % rid)
    deadline = time.monotonic() + 5
    while expected not in server.log() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert expected in server.log()
    assert ('"rid":"%s","status":"403","route":"GET -","ip":"127.0.0.1",'
            '"err":"Missing Authentication Token"' % missing.headers["x-amzn-RequestId"]) in server.log()


def test_test_invoke_method_runs_the_undeployed_definition(server, apigw, api, backend):
    api_id, root = api
    res = add_resource(apigw, api_id, root, "{id}")
    http_method(apigw, api_id, res, backend.url + "/things/{id}", type="HTTP_PROXY",
                method_request_parameters={"method.request.path.id": True},
                requestParameters={"integration.request.path.id": "method.request.path.id"})
    r = apigw.test_invoke_method(restApiId=api_id, resourceId=res, httpMethod="GET",
                                 pathWithQueryString="/7?x=1",
                                 headers={"X-Test": "yes"},
                                 stageVariables={"a": "b"})
    assert r["status"] == 200
    seen = __import__("json").loads(r["body"])
    assert (seen["path"], seen["query"], seen["headers"]["x-test"]) == ("/things/7", "x=1", "yes")
    assert {k.lower(): v for k, v in r["headers"].items()}["content-type"] == "application/json"
    assert isinstance(r["multiValueHeaders"], dict) and r["multiValueHeaders"]
    assert "Execution log for request" in r["log"]
    assert "Method request path: {id=7}" in r["log"]
    assert "Method request query string: {x=1}" in r["log"]
    assert isinstance(r["latency"], int)
    # Nothing was deployed: the data plane doesn't serve it.
    assert invoke(server, api_id, "test-invoke-stage", "/7").status_code == 403


def test_test_invoke_method_mock_and_errors(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root, response_templates={"application/json":
                                                         '{"stage": "$context.stage", "v": "$stageVariables.v"}'})
    r = apigw.test_invoke_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                 stageVariables={"v": "1"})
    assert r["status"] == 200
    assert __import__("json").loads(r["body"]) == {"stage": "test-invoke-stage", "v": "1"}
    expect_error(lambda: apigw.test_invoke_method(restApiId=api_id, resourceId=root,
                                                  httpMethod="POST"),
                 "NotFoundException", "Invalid Method identifier specified", 404)
    expect_error(lambda: apigw.test_invoke_method(restApiId=api_id, resourceId="nope00",
                                                  httpMethod="GET"),
                 "NotFoundException", "Invalid Resource identifier specified", 404)


def test_deployed_apis_are_served_after_a_restart(own_server):
    from conftest import make_client
    apigw = make_client(own_server)
    api = apigw.create_rest_api(name="persisted")
    api_id = api["id"]
    mock_method(apigw, api_id, api["rootResourceId"],
                response_templates={"application/json": '{"stage": "$context.stage"}'})
    deploy(apigw, api_id, "live")
    assert invoke(own_server, api_id, "live").json() == {"stage": "live"}
    own_server.restart()
    assert invoke(own_server, api_id, "live").json() == {"stage": "live"}
