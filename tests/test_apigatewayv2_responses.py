"""apigatewayv2: WebSocket route responses and integration responses."""
import pytest

from conftest import make_client
from helpers import expect_error


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


@pytest.fixture
def ws(v2):
    api_id = v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    route = v2.create_route(ApiId=api_id, RouteKey="$default")["RouteId"]
    integration = v2.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
    return api_id, route, integration


def test_route_responses(v2, ws):
    api_id, route, _ = ws
    r = v2.create_route_response(ApiId=api_id, RouteId=route, RouteResponseKey="$default",
                                 ModelSelectionExpression="$request.body.type",
                                 ResponseModels={"default": "M"})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert r["RouteResponseKey"] == "$default" and r["ResponseModels"] == {"default": "M"}
    assert "_routeId" not in str(r)
    got = v2.get_route_response(ApiId=api_id, RouteId=route, RouteResponseId=r["RouteResponseId"])
    assert got["ModelSelectionExpression"] == "$request.body.type"
    expect_error(lambda: v2.create_route_response(ApiId=api_id, RouteId=route,
                                                  RouteResponseKey="$default"),
                 "ConflictException", status=409)
    other = v2.create_route(ApiId=api_id, RouteKey="send")["RouteId"]
    v2.create_route_response(ApiId=api_id, RouteId=other, RouteResponseKey="$default")
    items = v2.get_route_responses(ApiId=api_id, RouteId=route)["Items"]
    assert [i["RouteResponseId"] for i in items] == [r["RouteResponseId"]]
    up = v2.update_route_response(ApiId=api_id, RouteId=route,
                                  RouteResponseId=r["RouteResponseId"],
                                  ModelSelectionExpression="x")
    assert up["ModelSelectionExpression"] == "x" and up["RouteResponseKey"] == "$default"
    v2.delete_route_response(ApiId=api_id, RouteId=route, RouteResponseId=r["RouteResponseId"])
    err = expect_error(lambda: v2.get_route_response(ApiId=api_id, RouteId=route,
                                                     RouteResponseId=r["RouteResponseId"]),
                       "NotFoundException", status=404)
    assert "Invalid RouteResponse identifier specified" in err["Error"]["Message"]
    expect_error(lambda: v2.get_route_responses(ApiId=api_id, RouteId="nope"),
                 "NotFoundException", status=404)
    # Deleting the route deletes its responses.
    v2.delete_route(ApiId=api_id, RouteId=other)
    expect_error(lambda: v2.get_route_responses(ApiId=api_id, RouteId=other),
                 "NotFoundException", status=404)


def test_integration_responses(v2, ws):
    api_id, _, integration = ws
    r = v2.create_integration_response(ApiId=api_id, IntegrationId=integration,
                                       IntegrationResponseKey="/2\\d\\d/",
                                       ResponseTemplates={"$default": "{}"},
                                       TemplateSelectionExpression="$default")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert r["IntegrationResponseKey"] == "/2\\d\\d/"
    got = v2.get_integration_response(ApiId=api_id, IntegrationId=integration,
                                      IntegrationResponseId=r["IntegrationResponseId"])
    assert got["ResponseTemplates"] == {"$default": "{}"}
    v2.create_integration_response(ApiId=api_id, IntegrationId=integration,
                                   IntegrationResponseKey="$default")
    page = v2.get_integration_responses(ApiId=api_id, IntegrationId=integration, MaxResults="1")
    assert len(page["Items"]) == 1 and page["NextToken"]
    rest = v2.get_integration_responses(ApiId=api_id, IntegrationId=integration,
                                        NextToken=page["NextToken"])
    assert len(rest["Items"]) == 1 and "NextToken" not in rest
    expect_error(lambda: v2.update_integration_response(
        ApiId=api_id, IntegrationId=integration, IntegrationResponseId=r["IntegrationResponseId"],
        IntegrationResponseKey="$default"), "ConflictException", status=409)
    up = v2.update_integration_response(ApiId=api_id, IntegrationId=integration,
                                        IntegrationResponseId=r["IntegrationResponseId"],
                                        ContentHandlingStrategy="CONVERT_TO_TEXT")
    assert up["ContentHandlingStrategy"] == "CONVERT_TO_TEXT"
    v2.delete_integration_response(ApiId=api_id, IntegrationId=integration,
                                   IntegrationResponseId=r["IntegrationResponseId"])
    err = expect_error(lambda: v2.delete_integration_response(
        ApiId=api_id, IntegrationId=integration, IntegrationResponseId=r["IntegrationResponseId"]),
        "NotFoundException", status=404)
    assert "Invalid IntegrationResponse identifier specified" in err["Error"]["Message"]


def test_http_apis_have_no_responses(v2):
    api_id = v2.create_api(Name="h", ProtocolType="HTTP")["ApiId"]
    route = v2.create_route(ApiId=api_id, RouteKey="GET /x")["RouteId"]
    expect_error(lambda: v2.create_route_response(ApiId=api_id, RouteId=route,
                                                  RouteResponseKey="$default"),
                 "BadRequestException", status=400)
