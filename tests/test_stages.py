"""Stages: create/get/list/delete with AWS's Stage shape and validation, and UpdateStage with
AWS's patch paths — variables, cache, tracing, access logs, method settings (`*/*` and per
method), canary settings and canary promotion by `copy`."""
import pytest

from conftest import make_client
from helpers import expect_error, replace
from test_deployments import add_method

METHOD_SETTING_DEFAULTS = {
    "metricsEnabled": False, "dataTraceEnabled": False,
    "throttlingBurstLimit": 5000, "throttlingRateLimit": 10000.0,
    "cachingEnabled": False, "cacheTtlInSeconds": 300, "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}


def stage_of(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.fixture
def deployed(apigw, api):
    """An API with an integrated GET / and two deployments; returns (api_id, dep1, dep2)."""
    api_id, root = api
    add_method(apigw, api_id, root)
    d1 = apigw.create_deployment(restApiId=api_id)["id"]
    d2 = apigw.create_deployment(restApiId=api_id)["id"]
    return api_id, d1, d2


@pytest.fixture
def stage(apigw, deployed):
    """A stage `dev` on the first deployment; returns (api_id, dep1, dep2)."""
    api_id, d1, d2 = deployed
    apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1, variables={"testVar": "default"})
    return deployed


def update(apigw, api_id, *ops, name="dev"):
    return apigw.update_stage(restApiId=api_id, stageName=name, patchOperations=list(ops))


# ---- create / get / list / delete -------------------------------------------------------------

def test_create_stage_shape(apigw, deployed):
    api_id, d1, _ = deployed
    s = apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1, description="dev stage",
                           variables={"testVar": "default"})
    assert s["ResponseMetadata"]["HTTPStatusCode"] == 201
    created, last = s["createdDate"], s["lastUpdatedDate"]
    assert {k: v for k, v in stage_of(s).items() if k not in ("createdDate", "lastUpdatedDate")} == {
        "deploymentId": d1, "stageName": "dev", "description": "dev stage",
        "cacheClusterEnabled": False, "cacheClusterStatus": "NOT_AVAILABLE",
        "methodSettings": {}, "variables": {"testVar": "default"}, "tracingEnabled": False,
    }
    assert created == last
    assert stage_of(apigw.get_stage(restApiId=api_id, stageName="dev")) == stage_of(s)


def test_create_stage_with_everything(apigw, deployed):
    api_id, d1, d2 = deployed
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="v1")
    s = apigw.create_stage(restApiId=api_id, stageName="full", deploymentId=d1, cacheClusterEnabled=True,
                           cacheClusterSize="1.6", tracingEnabled=True, documentationVersion="v1",
                           tags={"team": "payments"},
                           canarySettings={"deploymentId": d2, "percentTraffic": 60,
                                           "stageVariableOverrides": {"testVar": "canary"}})
    assert s["cacheClusterEnabled"] is True and s["cacheClusterSize"] == "1.6"
    assert s["cacheClusterStatus"] == "AVAILABLE"
    assert s["tracingEnabled"] is True and s["documentationVersion"] == "v1"
    assert s["tags"] == {"team": "payments"}
    assert s["canarySettings"] == {"deploymentId": d2, "percentTraffic": 60.0,
                                   "stageVariableOverrides": {"testVar": "canary"}, "useStageCache": False}
    assert "variables" not in s and "description" not in s


def test_create_stage_validation(apigw, deployed):
    api_id, d1, _ = deployed
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="a b", deploymentId=d1),
                 "BadRequestException", status=400, contains="Stage name only allows")
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId="nope00"),
                 "NotFoundException", "Invalid Deployment identifier specified", 404)
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1,
                                            canarySettings={"deploymentId": "deploy"}),
                 "BadRequestException", "Deployment id does not exist", 400)
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1,
                                            variables={"bad-name": "x"}),
                 "BadRequestException", status=400, contains="Invalid stage variable name")
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1,
                                            variables={"v": "has space"}),
                 "BadRequestException", status=400,
                 message="Invalid stage variable value: has space.  Please use values with alphanumeric "
                         "characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','.")
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1,
                                            cacheClusterSize="2"),
                 "ValidationException", status=400, contains="Member must satisfy enum value set")
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1,
                                            tags={"aws:reserved": "x"}),
                 "BadRequestException", status=400, contains="aws:")
    assert apigw.get_stages(restApiId=api_id)["item"] == []


def test_stage_names_allow_hyphens_and_underscores(apigw, deployed):
    api_id, d1, _ = deployed
    for name in ("v1_beta", "dev-2"):
        assert apigw.create_stage(restApiId=api_id, stageName=name, deploymentId=d1)["stageName"] == name


def test_duplicate_stage(apigw, stage):
    api_id, d1, _ = stage
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1),
                 "ConflictException", "Stage already exists", 409)


def test_unknown_stage(apigw, deployed):
    api_id, _, _ = deployed
    for call in (lambda: apigw.get_stage(restApiId=api_id, stageName="nope"),
                 lambda: apigw.delete_stage(restApiId=api_id, stageName="nope"),
                 lambda: update(apigw, api_id, replace("/description", "x"), name="nope")):
        expect_error(call, "NotFoundException", "Invalid Stage identifier specified", 404)
    expect_error(lambda: apigw.get_stage(restApiId="nope000000", stageName="dev"),
                 "NotFoundException", "Invalid API identifier specified 000000000000:nope000000", 404)


def test_list_and_filter_by_deployment(apigw, deployed):
    api_id, d1, d2 = deployed
    apigw.create_stage(restApiId=api_id, stageName="a", deploymentId=d1)
    apigw.create_stage(restApiId=api_id, stageName="b", deploymentId=d2)
    apigw.create_stage(restApiId=api_id, stageName="c", deploymentId=d1)
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]] == ["a", "b", "c"]
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id, deploymentId=d1)["item"]] == ["a", "c"]
    assert apigw.get_stages(restApiId=api_id, deploymentId="nope00")["item"] == []


def test_delete(apigw, stage):
    api_id, d1, _ = stage
    r = apigw.delete_stage(restApiId=api_id, stageName="dev")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert apigw.get_stages(restApiId=api_id)["item"] == []
    apigw.delete_deployment(restApiId=api_id, deploymentId=d1)


# ---- update: simple members ---------------------------------------------------------------------

def test_update_simple_members(apigw, stage):
    api_id, d1, d2 = stage
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1.0")
    before = apigw.get_stage(restApiId=api_id, stageName="dev")
    cert = apigw.generate_client_certificate()["clientCertificateId"]
    s = update(apigw, api_id,
               replace("/description", "new"), replace("/deploymentId", d2),
               replace("/tracingEnabled", "true"), replace("/cacheClusterEnabled", "true"),
               replace("/cacheClusterSize", "6.1"), replace("/clientCertificateId", cert),
               replace("/documentationVersion", "1.0"))
    assert s["description"] == "new" and s["deploymentId"] == d2
    assert s["tracingEnabled"] is True
    assert (s["cacheClusterEnabled"], s["cacheClusterSize"], s["cacheClusterStatus"]) == (True, "6.1", "AVAILABLE")
    assert s["clientCertificateId"] == cert and s["documentationVersion"] == "1.0"
    assert s["lastUpdatedDate"] >= before["lastUpdatedDate"] and s["createdDate"] == before["createdDate"]
    assert stage_of(apigw.get_stage(restApiId=api_id, stageName="dev")) == stage_of(s)
    s = update(apigw, api_id, replace("/cacheClusterEnabled", "false"), replace("/description", ""))
    assert (s["cacheClusterEnabled"], s["cacheClusterStatus"]) == (False, "NOT_AVAILABLE")
    assert "description" not in s


def test_update_validation(apigw, stage):
    api_id, _, _ = stage
    expect_error(lambda: update(apigw, api_id, replace("/deploymentId", "nope00")),
                 "BadRequestException", "Deployment id does not exist", 400)
    expect_error(lambda: update(apigw, api_id, replace("/tracingEnabled", "maybe")),
                 "BadRequestException", status=400, contains="Invalid boolean value")
    expect_error(lambda: update(apigw, api_id, replace("/cacheClusterSize", "3")),
                 "ValidationException", status=400, contains="enum value set")
    expect_error(lambda: update(apigw, api_id, replace("/stageName", "x")),
                 "BadRequestException", status=400, contains="Invalid method setting path: /stageName. Must be one of: [")
    # nothing half-applied: a failing op rolls back the earlier ones of the same call
    expect_error(lambda: update(apigw, api_id, replace("/description", "half"), replace("/deploymentId", "nope00")),
                 "BadRequestException", status=400)
    assert "description" not in apigw.get_stage(restApiId=api_id, stageName="dev")


def test_variables(apigw, stage):
    api_id, _, _ = stage
    s = update(apigw, api_id, {"op": "add", "path": "/variables/url", "value": "https://example.com/x?a=b"},
               replace("/variables/testVar", "changed"))
    assert s["variables"] == {"testVar": "changed", "url": "https://example.com/x?a=b"}
    s = update(apigw, api_id, {"op": "remove", "path": "/variables/testVar"},
               {"op": "remove", "path": "/variables/url"})
    assert "variables" not in s
    expect_error(lambda: update(apigw, api_id, replace("/variables/x", "a$b")),
                 "BadRequestException", status=400, contains="Invalid stage variable value: a$b.")


ROLE = "arn:aws:iam::000000000000:role/apigw-logs"


def with_cloudwatch_role(apigw):
    apigw.update_account(patchOperations=[replace("/cloudwatchRoleArn", ROLE)])


def test_logging_needs_the_account_cloudwatch_role(apigw, stage):
    api_id, _, _ = stage
    message = "CloudWatch Logs role ARN must be set in account settings to enable logging"
    for op in (replace("/*/*/logging/loglevel", "INFO"), replace("/*/*/logging/dataTrace", "true"),
               replace("/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:000000000000:log-group:g")):
        expect_error(lambda: update(apigw, api_id, op), "BadRequestException", message, 400)
    # turning logging off, and access logs to Firehose, need no role
    assert update(apigw, api_id, replace("/*/*/logging/loglevel", "OFF"))["methodSettings"]["*/*"]["loggingLevel"] == "OFF"
    firehose = "arn:aws:firehose:us-east-1:000000000000:deliverystream/amazon-apigateway-x"
    assert update(apigw, api_id, replace("/accessLogSettings/destinationArn", firehose))["accessLogSettings"] == \
        {"destinationArn": firehose}
    with_cloudwatch_role(apigw)
    assert update(apigw, api_id, replace("/*/*/logging/loglevel", "ERROR"))["methodSettings"]["*/*"]["loggingLevel"] == "ERROR"


def test_access_log_settings(apigw, stage):
    api_id, _, _ = stage
    with_cloudwatch_role(apigw)
    arn = "arn:aws:logs:us-east-1:000000000000:log-group:access"
    s = update(apigw, api_id, replace("/accessLogSettings/destinationArn", arn),
               replace("/accessLogSettings/format", "$context.requestId"))
    assert s["accessLogSettings"] == {"destinationArn": arn, "format": "$context.requestId"}
    s = update(apigw, api_id, {"op": "remove", "path": "/accessLogSettings"})
    assert "accessLogSettings" not in s


# ---- update: method settings ----------------------------------------------------------------------

def test_stage_wide_method_settings(apigw, stage):
    api_id, _, _ = stage
    with_cloudwatch_role(apigw)
    s = update(apigw, api_id, replace("/*/*/logging/dataTrace", "true"))
    assert s["methodSettings"] == {"*/*": {**METHOD_SETTING_DEFAULTS, "dataTraceEnabled": True}}
    s = update(apigw, api_id,
               replace("/*/*/throttling/rateLimit", "100.5"), replace("/*/*/throttling/burstLimit", "200"),
               replace("/*/*/caching/enabled", "true"), replace("/*/*/caching/ttlInSeconds", "60"),
               replace("/*/*/caching/dataEncrypted", "true"),
               replace("/*/*/caching/requireAuthorizationForCacheControl", "false"),
               replace("/*/*/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403"),
               replace("/*/*/metrics/enabled", "true"), replace("/*/*/logging/loglevel", "INFO"))
    assert s["methodSettings"]["*/*"] == {
        "metricsEnabled": True, "dataTraceEnabled": True, "throttlingBurstLimit": 200,
        "throttlingRateLimit": 100.5, "cachingEnabled": True, "cacheTtlInSeconds": 60,
        "cacheDataEncrypted": True, "requireAuthorizationForCacheControl": False,
        "unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403", "loggingLevel": "INFO"}


def test_per_method_settings_are_keyed_by_escaped_path(apigw, stage):
    api_id, _, _ = stage
    s = update(apigw, api_id, replace("/~1pets~1{id}/GET/throttling/rateLimit", "5"),
               replace("/~1resourceName/GET/logging/dataTrace", "false"))
    assert s["methodSettings"]["~1pets~1{id}/GET"] == {**METHOD_SETTING_DEFAULTS, "throttlingRateLimit": 5.0}
    assert s["methodSettings"]["~1resourceName/GET"] == METHOD_SETTING_DEFAULTS
    s = update(apigw, api_id, {"op": "remove", "path": "/~1pets~1{id}/GET"})
    assert list(s["methodSettings"]) == ["~1resourceName/GET"]


def test_a_setting_for_an_unescaped_resource_path_is_kept_as_given(apigw, stage):
    # recorded against AWS (LocalStack's test_create_update_stages, replayed in
    # tests/aws_recorded): `/test/GET/...` (no `~1`) succeeds and answers a `test/GET` entry
    api_id, _, _ = stage
    s = update(apigw, api_id, replace("/*/*/throttling/burstLimit", "123"),
               replace("/test/GET/throttling/burstLimit", "124"))
    assert s["methodSettings"] == {"*/*": {**METHOD_SETTING_DEFAULTS, "throttlingBurstLimit": 123},
                                   "test/GET": {**METHOD_SETTING_DEFAULTS, "throttlingBurstLimit": 124}}


def test_method_settings_start_from_the_stage_wide_entry(apigw, stage):
    api_id, _, _ = stage
    update(apigw, api_id, replace("/*/*/throttling/burstLimit", "10"))
    s = update(apigw, api_id, replace("/~1pets/POST/metrics/enabled", "true"))
    assert s["methodSettings"]["~1pets/POST"]["throttlingBurstLimit"] == 10
    assert s["methodSettings"]["~1pets/POST"]["metricsEnabled"] is True


def test_method_settings_validation(apigw, stage):
    api_id, _, _ = stage
    for bad in ("/*/GET/metrics/enabled", "/~1pets/*/metrics/enabled", "/~1pets/ANY/metrics/enabled",
                "/*/*/caching/bogus", "/*/*/metrics"):
        expect_error(lambda: update(apigw, api_id, replace(bad, "true")), "BadRequestException", status=400,
                     contains=f"Invalid method setting path: {bad}. Must be one of: [/deploymentId, /description")
    expect_error(lambda: update(apigw, api_id, replace("/*/*/logging/loglevel", "LOUD")),
                 "BadRequestException", status=400, contains="LOUD")
    expect_error(lambda: update(apigw, api_id, replace("/*/*/caching/ttlInSeconds", "3601")),
                 "BadRequestException", status=400)
    expect_error(lambda: update(apigw, api_id, {"op": "remove", "path": "/*/*"}),
                 "BadRequestException",
                 "Cannot remove method setting */* because there is no method setting for this method ", 400)
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["methodSettings"] == {}


def test_wildcard_method_settings_remove(apigw, stage):
    api_id, _, _ = stage
    update(apigw, api_id, replace("/*/*/metrics/enabled", "true"))
    assert update(apigw, api_id, {"op": "remove", "path": "/*/*"})["methodSettings"] == {}


# ---- update: canary -----------------------------------------------------------------------------

def test_canary_created_by_update(apigw, stage):
    api_id, d1, d2 = stage
    s = update(apigw, api_id, replace("/canarySettings/deploymentId", d2))
    assert s["canarySettings"] == {"deploymentId": d2, "percentTraffic": 0.0, "useStageCache": False}
    s = update(apigw, api_id, {"op": "remove", "path": "/canarySettings"})
    assert "canarySettings" not in s
    s = update(apigw, api_id, replace("/canarySettings/percentTraffic", "50"))
    assert s["canarySettings"] == {"deploymentId": d1, "percentTraffic": 50.0, "useStageCache": False}


def test_canary_members(apigw, stage):
    api_id, _, d2 = stage
    update(apigw, api_id, replace("/canarySettings/deploymentId", d2))
    s = update(apigw, api_id, replace("/canarySettings/useStageCache", "true"),
               replace("/canarySettings/percentTraffic", "12.5"),
               replace("/canarySettings/stageVariableOverrides/testVar", "canary"))
    assert s["canarySettings"] == {"deploymentId": d2, "percentTraffic": 12.5,
                                   "stageVariableOverrides": {"testVar": "canary"}, "useStageCache": True}
    for op in ("add", "remove"):
        expect_error(lambda: update(apigw, api_id, {"op": op, "path": "/canarySettings/stageVariableOverrides/x",
                                                    "value": "y"}),
                     "BadRequestException",
                     f"Invalid {op} operation with path: /canarySettings/stageVariableOverrides/x", 400)
    expect_error(lambda: update(apigw, api_id, replace("/canarySettings/percentTraffic", "101")),
                 "BadRequestException", status=400)


def test_canary_validation_matches_aws(apigw, stage):
    api_id, _, d2 = stage
    expect_error(lambda: update(apigw, api_id, {"op": "add", "path": "/canarySettings/deploymentId", "value": d2}),
                 "BadRequestException", "Invalid add operation with path: /canarySettings/deploymentId", 400)
    expect_error(lambda: update(apigw, api_id, {"op": "remove", "path": "/canarySettings/percentTraffic"}),
                 "BadRequestException", "Invalid remove operation with path: /canarySettings/percentTraffic", 400)
    expect_error(lambda: update(apigw, api_id, replace("/tags/tag1", "value1")), "BadRequestException", status=400,
                 contains="Invalid method setting path: /tags/tag1. Must be one of: [/deploymentId, ")
    expect_error(lambda: update(apigw, api_id, replace("/canarySettings/deploymentId", "deploy")),
                 "BadRequestException", "Deployment id does not exist", 400)
    update(apigw, api_id, replace("/canarySettings/deploymentId", d2))
    expect_error(lambda: update(apigw, api_id, {"op": "remove", "path": "/canarySettings/stageVariableOverrides"}),
                 "BadRequestException",
                 "Cannot remove method setting canarySettings/stageVariableOverrides because there is no method "
                 "setting for this method ", 400)
    expect_error(lambda: update(apigw, api_id, {"op": "remove", "path": "/canarySettings/badPath"}),
                 "BadRequestException",
                 "Cannot remove method setting canarySettings/badPath because there is no method setting for "
                 "this method ", 400)
    for path in ("/canarySettings", "/canarySettings/badPath"):
        expect_error(lambda: update(apigw, api_id, replace(path, "x")), "BadRequestException", status=400,
                     contains=f"Invalid method setting path: {path}. Must be one of: [/deploymentId, ")


def test_canary_promotion_by_copy(apigw, deployed):
    api_id, _, _ = deployed
    d1 = apigw.create_deployment(restApiId=api_id, stageName="dev",
                                 variables={"testVar": "test", "testVar2": "test2"})["id"]
    expect_error(lambda: update(apigw, api_id,
                                {"op": "copy", "path": "/canarySettings/stageVariableOverrides", "from": "/variables"}),
                 "BadRequestException",
                 "Invalid copy operation with path: /canarySettings/stageVariableOverrides and from /variables. "
                 "Valid copy:path are [/deploymentId, /variables] and valid copy:from are "
                 "[/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]", 400)
    expect_error(lambda: update(apigw, api_id,
                                {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"}),
                 "BadRequestException", "Promotion not available. Canary does not exist.", 400)
    d2 = apigw.create_deployment(restApiId=api_id, stageName="dev",
                                 canarySettings={"percentTraffic": 50,
                                                 "stageVariableOverrides": {"testVar": "override"}})["id"]
    s = update(apigw, api_id,
               replace("/canarySettings/percentTraffic", "0.0"),
               {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
               {"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"})
    assert s["deploymentId"] == d2 != d1
    assert s["variables"] == {"testVar": "override", "testVar2": "test2"}
    assert s["canarySettings"] == {"deploymentId": d2, "percentTraffic": 0.0,
                                   "stageVariableOverrides": {"testVar": "override"}, "useStageCache": False}
    # the old deployment is free once nothing points at it any more
    apigw.delete_deployment(restApiId=api_id, deploymentId=d1)


def test_stages_survive_restart(own_server):
    c = make_client(own_server)
    api = c.create_rest_api(name="persisted")
    add_method(c, api["id"], api["rootResourceId"])
    d = c.create_deployment(restApiId=api["id"])["id"]
    c.create_stage(restApiId=api["id"], stageName="prod", deploymentId=d, tags={"k": "v"})
    c.update_stage(restApiId=api["id"], stageName="prod",
                   patchOperations=[replace("/*/*/throttling/rateLimit", "3")])
    before = c.get_stage(restApiId=api["id"], stageName="prod")
    own_server.restart()
    c = make_client(own_server)
    assert stage_of(c.get_stage(restApiId=api["id"], stageName="prod")) == stage_of(before)


def test_aws_cli_deploys_promotes_and_tags(server):
    from test_cli import aws
    server.reset()
    c = make_client(server)
    api = c.create_rest_api(name="cli")
    add_method(c, api["id"], api["rootResourceId"])
    rc, plain, err = aws(server, "apigateway", "create-deployment", "--rest-api-id", api["id"])
    assert rc == 0 and set(plain) == {"id", "createdDate"}, err
    rc, dep, err = aws(server, "apigateway", "create-deployment", "--rest-api-id", api["id"],
                       "--stage-name", "prod", "--variables", "v=1")
    assert rc == 0, err
    rc, canary, err = aws(server, "apigateway", "create-deployment", "--rest-api-id", api["id"],
                          "--stage-name", "prod", "--canary-settings", "percentTraffic=10")
    assert rc == 0, err
    rc, out, err = aws(server, "apigateway", "update-stage", "--rest-api-id", api["id"], "--stage-name", "prod",
                       "--patch-operations", "op=copy,from=/canarySettings/deploymentId,path=/deploymentId",
                       "op=replace,path=/*/*/throttling/rateLimit,value=7")
    assert rc == 0, err
    assert out["deploymentId"] == canary["id"] != dep["id"]
    assert out["methodSettings"]["*/*"]["throttlingRateLimit"] == 7.0
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api['id']}/stages/prod"
    rc, _, err = aws(server, "apigateway", "tag-resource", "--resource-arn", arn, "--tags", "team=edge")
    assert rc == 0, err
    rc, out, err = aws(server, "apigateway", "get-tags", "--resource-arn", arn)
    assert rc == 0 and out["tags"] == {"team": "edge"}, err
    rc, out, err = aws(server, "apigateway", "get-stages", "--rest-api-id", api["id"])
    assert rc == 0 and [s["stageName"] for s in out["item"]] == ["prod"], err
