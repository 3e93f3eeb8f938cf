"""apigatewayv2 stages and deployments: `$default`, auto-deploy, stage variables, route
settings."""
import pytest

from conftest import make_client
from helpers import expect_error

LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:hello"


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


@pytest.fixture
def http_api(v2):
    api_id = v2.create_api(Name="http", ProtocolType="HTTP")["ApiId"]
    v2.create_route(ApiId=api_id, RouteKey="GET /pets")
    return api_id


def test_create_get_stage(v2, http_api):
    s = v2.create_stage(ApiId=http_api, StageName="dev", StageVariables={"v": "1"},
                        Description="d", DefaultRouteSettings={"ThrottlingBurstLimit": 10,
                                                               "ThrottlingRateLimit": 5.0},
                        RouteSettings={"GET /pets": {"ThrottlingBurstLimit": 1}},
                        AccessLogSettings={"DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:g",
                                           "Format": "$context.requestId"})
    assert s["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert s["StageName"] == "dev" and s["AutoDeploy"] is False
    assert s["StageVariables"] == {"v": "1"}
    assert s["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 10
    assert s["RouteSettings"]["GET /pets"]["ThrottlingBurstLimit"] == 1
    assert "DeploymentId" not in s
    got = v2.get_stage(ApiId=http_api, StageName="dev")
    assert got["AccessLogSettings"]["Format"] == "$context.requestId"
    assert got["CreatedDate"] == s["CreatedDate"]
    d = v2.create_stage(ApiId=http_api, StageName="$default")
    assert d["DefaultRouteSettings"] == {"DetailedMetricsEnabled": False}
    assert [x["StageName"] for x in v2.get_stages(ApiId=http_api)["Items"]] == ["dev", "$default"]
    page = v2.get_stages(ApiId=http_api, MaxResults="1")
    assert [x["StageName"] for x in page["Items"]] == ["dev"]
    assert [x["StageName"] for x in v2.get_stages(ApiId=http_api, NextToken=page["NextToken"])["Items"]] == ["$default"]


def test_stage_validation(v2, http_api):
    v2.create_stage(ApiId=http_api, StageName="dev")
    expect_error(lambda: v2.create_stage(ApiId=http_api, StageName="dev"), "ConflictException",
                 status=409)
    expect_error(lambda: v2.create_stage(ApiId=http_api, StageName="bad name"),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_stage(ApiId=http_api, StageName="x",
                                         RouteSettings={"GET /nope": {}}),
                 "NotFoundException", status=404)
    expect_error(lambda: v2.create_stage(ApiId=http_api, StageName="x",
                                         DefaultRouteSettings={"LoggingLevel": "INFO"}),
                 "BadRequestException", status=400, contains="Execution logs")
    expect_error(lambda: v2.create_stage(ApiId=http_api, StageName="x", DeploymentId="nope12"),
                 "NotFoundException", status=404)
    expect_error(lambda: v2.get_stage(ApiId=http_api, StageName="nope"), "NotFoundException",
                 status=404)
    ws = v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                       RouteSelectionExpression="$request.body.action")["ApiId"]
    expect_error(lambda: v2.create_stage(ApiId=ws, StageName="$default"), "BadRequestException",
                 status=400)
    s = v2.create_stage(ApiId=ws, StageName="prod", DefaultRouteSettings={"LoggingLevel": "INFO",
                                                                          "DataTraceEnabled": True})
    assert s["DefaultRouteSettings"]["LoggingLevel"] == "INFO"


def test_update_stage_merges_variables_and_settings(v2, http_api):
    v2.create_route(ApiId=http_api, RouteKey="POST /pets")
    v2.create_stage(ApiId=http_api, StageName="dev", StageVariables={"a": "1"},
                    RouteSettings={"GET /pets": {"ThrottlingBurstLimit": 1}})
    up = v2.update_stage(ApiId=http_api, StageName="dev", StageVariables={"b": "2"},
                         RouteSettings={"POST /pets": {"ThrottlingRateLimit": 2.0}},
                         Description="new")
    assert up["StageVariables"] == {"a": "1", "b": "2"}
    assert set(up["RouteSettings"]) == {"GET /pets", "POST /pets"}
    assert up["Description"] == "new"
    v2.delete_route_settings(ApiId=http_api, StageName="dev", RouteKey="GET /pets")
    assert set(v2.get_stage(ApiId=http_api, StageName="dev")["RouteSettings"]) == {"POST /pets"}
    expect_error(lambda: v2.delete_route_settings(ApiId=http_api, StageName="dev",
                                                  RouteKey="GET /pets"),
                 "NotFoundException", status=404)
    v2.update_stage(ApiId=http_api, StageName="dev",
                    AccessLogSettings={"DestinationArn": "arn:x", "Format": "f"})
    v2.delete_access_log_settings(ApiId=http_api, StageName="dev")
    assert "AccessLogSettings" not in v2.get_stage(ApiId=http_api, StageName="dev")
    r = v2.delete_stage(ApiId=http_api, StageName="dev")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error(lambda: v2.delete_stage(ApiId=http_api, StageName="dev"), "NotFoundException",
                 status=404)


def test_deployments(v2, http_api):
    v2.create_stage(ApiId=http_api, StageName="dev")
    d = v2.create_deployment(ApiId=http_api, StageName="dev", Description="first")
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert d["DeploymentStatus"] == "DEPLOYED" and d["AutoDeployed"] is False
    assert d["Description"] == "first"
    stage = v2.get_stage(ApiId=http_api, StageName="dev")
    assert stage["DeploymentId"] == d["DeploymentId"]
    assert d["DeploymentId"] in stage["LastDeploymentStatusMessage"]
    got = v2.get_deployment(ApiId=http_api, DeploymentId=d["DeploymentId"])
    assert got["Description"] == "first" and "_routes" not in str(got)
    up = v2.update_deployment(ApiId=http_api, DeploymentId=d["DeploymentId"], Description="x")
    assert up["Description"] == "x"
    d2 = v2.create_deployment(ApiId=http_api)
    assert [x["DeploymentId"] for x in v2.get_deployments(ApiId=http_api)["Items"]] == [
        d["DeploymentId"], d2["DeploymentId"]]
    expect_error(lambda: v2.delete_deployment(ApiId=http_api, DeploymentId=d["DeploymentId"]),
                 "BadRequestException", status=400)
    v2.delete_deployment(ApiId=http_api, DeploymentId=d2["DeploymentId"])
    expect_error(lambda: v2.get_deployment(ApiId=http_api, DeploymentId=d2["DeploymentId"]),
                 "NotFoundException", status=404)
    expect_error(lambda: v2.create_deployment(ApiId=http_api, StageName="nope"),
                 "NotFoundException", status=404)
    empty = v2.create_api(Name="e", ProtocolType="HTTP")["ApiId"]
    expect_error(lambda: v2.create_deployment(ApiId=empty), "BadRequestException", status=400)


def test_auto_deploy_redeploys_on_every_change(v2, http_api):
    s = v2.create_stage(ApiId=http_api, StageName="$default", AutoDeploy=True)
    first = s["DeploymentId"]
    assert v2.get_deployment(ApiId=http_api, DeploymentId=first)["AutoDeployed"] is True
    v2.create_route(ApiId=http_api, RouteKey="POST /pets")
    second = v2.get_stage(ApiId=http_api, StageName="$default")["DeploymentId"]
    assert second != first
    expect_error(lambda: v2.create_deployment(ApiId=http_api, StageName="$default"),
                 "BadRequestException", status=400)
    v2.create_stage(ApiId=http_api, StageName="manual")
    v2.update_stage(ApiId=http_api, StageName="manual", AutoDeploy=True)
    assert v2.get_stage(ApiId=http_api, StageName="manual").get("DeploymentId")


def test_websocket_stage_defaults_and_a_missing_stage(v2):
    ws = v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                       RouteSelectionExpression="$request.body.action")["ApiId"]
    v2.create_stage(ApiId=ws, StageName="my_stage")
    assert v2.get_stage(ApiId=ws, StageName="my_stage")["DefaultRouteSettings"] == {
        "DataTraceEnabled": False, "DetailedMetricsEnabled": False, "LoggingLevel": "OFF"}
    v2.delete_stage(ApiId=ws, StageName="my_stage")
    err = expect_error(lambda: v2.get_stage(ApiId=ws, StageName="my_stage"), "NotFoundException",
                       status=404)
    assert err["Error"]["Message"] == "Invalid stage identifier specified"


def test_reset_authorizers_cache(v2, http_api):
    v2.create_stage(ApiId=http_api, StageName="dev")
    r = v2.reset_authorizers_cache(ApiId=http_api, StageName="dev")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error(lambda: v2.reset_authorizers_cache(ApiId=http_api, StageName="nope"),
                 "NotFoundException", status=404)
