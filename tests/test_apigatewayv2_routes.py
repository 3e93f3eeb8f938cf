"""apigatewayv2 routes and integrations (GetIntegrations with MaxResults/NextToken: a seed
operation)."""
import pytest

from conftest import make_client
from helpers import expect_error
from portico_server import ACCOUNT_A, ACCOUNT_B

LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:hello"


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


@pytest.fixture
def http_api(v2):
    return v2.create_api(Name="http", ProtocolType="HTTP")["ApiId"]


@pytest.fixture
def ws_api(v2):
    return v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                         RouteSelectionExpression="$request.body.action")["ApiId"]


def lambda_integration(v2, api_id, **kw):
    return v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                 IntegrationUri=LAMBDA_ARN, **kw)


# --- integrations -------------------------------------------------------------------------------

def test_create_integration_defaults_for_http_apis(v2, http_api):
    i = lambda_integration(v2, http_api)
    assert i["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert i["PayloadFormatVersion"] == "1.0"
    assert i["TimeoutInMillis"] == 30000
    assert i["ConnectionType"] == "INTERNET"
    assert i["IntegrationType"] == "AWS_PROXY"
    assert "ApiGatewayManaged" not in i
    got = v2.get_integration(ApiId=http_api, IntegrationId=i["IntegrationId"])
    assert got["IntegrationUri"] == LAMBDA_ARN
    h = v2.create_integration(ApiId=http_api, IntegrationType="HTTP_PROXY",
                              IntegrationMethod="GET", IntegrationUri="https://example.com",
                              TimeoutInMillis=5000, RequestParameters={"append:header.x": "1"})
    assert h["TimeoutInMillis"] == 5000 and h["IntegrationMethod"] == "GET"
    assert h["RequestParameters"] == {"append:header.x": "1"}
    v2_ = lambda_integration(v2, http_api, PayloadFormatVersion="2.0")
    assert v2_["PayloadFormatVersion"] == "2.0"


def test_create_integration_validation(v2, http_api):
    bad = [
        dict(IntegrationType="MOCK"),
        dict(IntegrationType="HTTP", IntegrationUri="https://e.com", IntegrationMethod="GET"),
        dict(IntegrationType="HTTP_PROXY", IntegrationUri="https://e.com"),
        dict(IntegrationType="AWS_PROXY"),
        dict(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_ARN, PayloadFormatVersion="3.0"),
        dict(IntegrationType="HTTP_PROXY", IntegrationUri="https://e.com",
             IntegrationMethod="GET", PayloadFormatVersion="2.0"),
        dict(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_ARN, TimeoutInMillis=30001),
        dict(IntegrationType="HTTP_PROXY", IntegrationUri="https://e.com",
             IntegrationMethod="GET", ConnectionType="VPC_LINK"),
    ]
    for kw in bad:
        expect_error(lambda: v2.create_integration(ApiId=http_api, **kw), "BadRequestException",
                     status=400)
    expect_error(lambda: v2.create_integration(ApiId="nope123456", IntegrationType="AWS_PROXY",
                                               IntegrationUri=LAMBDA_ARN),
                 "NotFoundException", status=404)


def test_websocket_integrations(v2, ws_api):
    m = v2.create_integration(ApiId=ws_api, IntegrationType="MOCK",
                              RequestTemplates={"200": "{\"statusCode\": 200}"},
                              TemplateSelectionExpression="200")
    assert m["TimeoutInMillis"] == 29000
    assert m["PassthroughBehavior"] == "WHEN_NO_MATCH"
    assert m["PayloadFormatVersion"] == "1.0"
    expect_error(lambda: v2.create_integration(ApiId=ws_api, IntegrationType="MOCK",
                                               TimeoutInMillis=29001),
                 "BadRequestException", status=400)
    expect_error(lambda: lambda_integration(v2, ws_api, PayloadFormatVersion="2.0"),
                 "BadRequestException", status=400)


def test_get_integrations_pages_with_max_results_and_next_token(v2, http_api):
    ids = [lambda_integration(v2, http_api)["IntegrationId"] for _ in range(3)]
    everything = v2.get_integrations(ApiId=http_api)
    assert [i["IntegrationId"] for i in everything["Items"]] == ids
    assert "NextToken" not in everything
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = v2.get_integrations(ApiId=http_api, MaxResults="1", **kw)
        assert len(page["Items"]) == 1
        seen += [i["IntegrationId"] for i in page["Items"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ids
    # The paginator walks the same pages.
    pages = v2.get_paginator("get_integrations").paginate(
        ApiId=http_api, PaginationConfig={"PageSize": 2})
    assert [i["IntegrationId"] for p in pages for i in p["Items"]] == ids
    expect_error(lambda: v2.get_integrations(ApiId=http_api, MaxResults="x"),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.get_integrations(ApiId="nope123456"), "NotFoundException", status=404)


def test_get_integrations_of_an_empty_api(v2, http_api):
    assert v2.get_integrations(ApiId=http_api, MaxResults="1")["Items"] == []


def test_update_and_delete_integration(v2, http_api):
    i = lambda_integration(v2, http_api)
    up = v2.update_integration(ApiId=http_api, IntegrationId=i["IntegrationId"],
                               PayloadFormatVersion="2.0", TimeoutInMillis=1000,
                               Description="d")
    assert (up["PayloadFormatVersion"], up["TimeoutInMillis"], up["Description"]) == (
        "2.0", 1000, "d")
    assert up["IntegrationUri"] == LAMBDA_ARN
    expect_error(lambda: v2.update_integration(ApiId=http_api, IntegrationId=i["IntegrationId"],
                                               IntegrationType="MOCK"),
                 "BadRequestException", status=400)
    route = v2.create_route(ApiId=http_api, RouteKey="GET /x",
                            Target=f"integrations/{i['IntegrationId']}")
    expect_error(lambda: v2.delete_integration(ApiId=http_api, IntegrationId=i["IntegrationId"]),
                 "ConflictException", status=409)
    v2.delete_route(ApiId=http_api, RouteId=route["RouteId"])
    r = v2.delete_integration(ApiId=http_api, IntegrationId=i["IntegrationId"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    err = expect_error(lambda: v2.get_integration(ApiId=http_api, IntegrationId=i["IntegrationId"]),
                       "NotFoundException", status=404)
    assert "Invalid Integration identifier specified" in err["Error"]["Message"]


# --- routes -------------------------------------------------------------------------------------

def test_create_get_routes(v2, http_api):
    i = lambda_integration(v2, http_api)
    r = v2.create_route(ApiId=http_api, RouteKey="GET /pets/{id}",
                        Target=f"integrations/{i['IntegrationId']}")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert r["RouteKey"] == "GET /pets/{id}"
    assert r["AuthorizationType"] == "NONE" and r["ApiKeyRequired"] is False
    assert v2.get_route(ApiId=http_api, RouteId=r["RouteId"])["Target"] == \
        f"integrations/{i['IntegrationId']}"
    v2.create_route(ApiId=http_api, RouteKey="$default")
    v2.create_route(ApiId=http_api, RouteKey="ANY /{proxy+}")
    keys = [x["RouteKey"] for x in v2.get_routes(ApiId=http_api)["Items"]]
    assert keys == ["GET /pets/{id}", "$default", "ANY /{proxy+}"]
    page = v2.get_routes(ApiId=http_api, MaxResults="2")
    assert len(page["Items"]) == 2 and page["NextToken"]


def test_route_key_validation_and_conflicts(v2, http_api, ws_api):
    for key in ["GET", "GET pets", "FETCH /x", "$connect", "GET /{proxy+}/x"]:
        expect_error(lambda: v2.create_route(ApiId=http_api, RouteKey=key),
                     "BadRequestException", status=400)
    v2.create_route(ApiId=http_api, RouteKey="GET /x")
    err = expect_error(lambda: v2.create_route(ApiId=http_api, RouteKey="GET /x"),
                       "ConflictException", status=409)
    assert "GET /x" in err["Error"]["Message"]
    for key in ["$connect", "$disconnect", "$default", "sendMessage"]:
        v2.create_route(ApiId=ws_api, RouteKey=key)
    expect_error(lambda: v2.create_route(ApiId=ws_api, RouteKey="$other"),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_route(ApiId=http_api, RouteKey="GET /y",
                                         Target="integrations/nope"),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_route(ApiId=http_api, RouteKey="GET /y",
                                         AuthorizationType="JWT"),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_route(ApiId="nope123456", RouteKey="GET /y"),
                 "NotFoundException", status=404)


def test_update_and_delete_route(v2, http_api):
    a = v2.create_route(ApiId=http_api, RouteKey="GET /a")
    v2.create_route(ApiId=http_api, RouteKey="GET /b")
    up = v2.update_route(ApiId=http_api, RouteId=a["RouteId"], RouteKey="POST /a",
                         ApiKeyRequired=True, OperationName="createA",
                         RequestParameters={"route.request.querystring.q": {"Required": True}})
    assert (up["RouteKey"], up["ApiKeyRequired"], up["OperationName"]) == ("POST /a", True, "createA")
    v2.delete_route_request_parameter(ApiId=http_api, RouteId=a["RouteId"],
                                      RequestParameterKey="route.request.querystring.q")
    assert not v2.get_route(ApiId=http_api, RouteId=a["RouteId"]).get("RequestParameters")
    expect_error(lambda: v2.update_route(ApiId=http_api, RouteId=a["RouteId"], RouteKey="GET /b"),
                 "ConflictException", status=409)
    expect_error(lambda: v2.update_route(ApiId=http_api, RouteId=a["RouteId"], RouteKey="bad"),
                 "BadRequestException", status=400)
    r = v2.delete_route(ApiId=http_api, RouteId=a["RouteId"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    err = expect_error(lambda: v2.get_route(ApiId=http_api, RouteId=a["RouteId"]),
                       "NotFoundException", status=404)
    assert "Invalid Route identifier specified" in err["Error"]["Message"]
    expect_error(lambda: v2.delete_route(ApiId=http_api, RouteId=a["RouteId"]),
                 "NotFoundException", status=404)


def test_other_tenants_cannot_reach_routes(server, v2, http_api):
    r = v2.create_route(ApiId=http_api, RouteKey="GET /a")
    b = make_client(server, ACCOUNT_B, service="apigatewayv2")
    expect_error(lambda: b.get_route(ApiId=http_api, RouteId=r["RouteId"]), "NotFoundException",
                 status=404)
    expect_error(lambda: b.get_integrations(ApiId=http_api), "NotFoundException", status=404)
    assert ACCOUNT_A[2] != ACCOUNT_B[2]


def test_request_parameters_merge_and_an_empty_value_removes_one(v2, http_api):
    i = v2.create_integration(ApiId=http_api, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                              IntegrationUri="http://www.example.com",
                              RequestParameters={"append:header.h1": "$context.requestId",
                                                 "remove:querystring.qs1": "''",
                                                 "overwrite:path": ""})
    assert i["RequestParameters"] == {"append:header.h1": "$context.requestId",
                                      "remove:querystring.qs1": "''"}
    up = v2.update_integration(ApiId=http_api, IntegrationId=i["IntegrationId"],
                               RequestParameters={"append:header.h1": "$context.accountId",
                                                  "overwrite:header.h2": "$stageVariables.env",
                                                  "remove:querystring.qs1": ""})
    assert up["RequestParameters"] == {"append:header.h1": "$context.accountId",
                                       "overwrite:header.h2": "$stageVariables.env"}


def test_websocket_non_proxy_integrations_select_responses_by_status(v2, ws_api):
    m = v2.create_integration(ApiId=ws_api, IntegrationType="MOCK")
    assert m["IntegrationResponseSelectionExpression"] == "${integration.response.statuscode}"
    p = lambda_integration(v2, ws_api)
    assert "IntegrationResponseSelectionExpression" not in p
