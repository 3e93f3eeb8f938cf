"""apigatewayv2 (HTTP and WebSocket APIs): the route table, APIs (quick create included), tags,
tenants."""
import json
import os
import subprocess

import pytest

from conftest import make_client
from helpers import expect_error
from portico_server import ACCOUNT_A, ACCOUNT_B, binary

LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:hello"


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


@pytest.fixture
def v2_b(server):
    return make_client(server, ACCOUNT_B, service="apigatewayv2")


def test_route_table_is_botocores_model():
    out = subprocess.run([binary(), "routes", "--api", "apigatewayv2", "--status"],
                         capture_output=True, text=True, check=True).stdout
    from botocore.loaders import Loader
    model = Loader().load_service_model("apigatewayv2", "service-2")
    expected = "".join(
        f"{n} {o['http']['method']} {o['http']['requestUri']} {o['http'].get('responseCode', 200)}\n"
        for n, o in sorted(model["operations"].items()))
    assert out.splitlines() == expected.splitlines()
    assert len(out.splitlines()) == 103
    spec = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "spec", "apigatewayv2-ops.txt")
    if os.path.exists(spec):
        with open(spec) as f:
            listed = sorted(l.split()[:3] for l in f if l.strip())
        assert sorted(l.split()[:3] for l in out.splitlines()) == listed


def signed(server, method, path, body=None):
    """A signed request, answered as sent: (status, headers, JSON or None)."""
    import urllib.error
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = f"{server.url}{path}"
    data = None if body is None else json.dumps(body).encode()
    req = AWSRequest(method=method, url=url, data=data,
                     headers={"Content-Type": "application/json"} if data else {})
    SigV4Auth(Credentials(ACCOUNT_A[0], ACCOUNT_A[1]), "apigateway", "us-east-1").add_auth(req)
    r = urllib.request.Request(url, data=data, headers=dict(req.headers), method=method)
    try:
        with urllib.request.urlopen(r) as resp:
            raw = resp.read()
            return resp.status, resp.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, e.headers, json.loads(raw) if raw else None


def test_every_operation_is_built(server, v2):
    """All 103 operations of botocore's model, each called at its URI (labels filled with an
    unknown id): none answers 501."""
    import re
    from botocore.loaders import Loader
    model = Loader().load_service_model("apigatewayv2", "service-2")
    assert len(model["operations"]) == 103
    not_built = set()
    for name, op in sorted(model["operations"].items()):
        path = re.sub(r"\{[^}]+\}", "x0000000x", op["http"]["requestUri"])
        method = op["http"]["method"]
        status, headers, body = signed(server, method, path,
                                       {} if method in ("POST", "PUT", "PATCH") else None)
        if status == 501:
            assert headers["x-amzn-ErrorType"] == "NotImplementedException", name
            assert name in body["message"], (name, body)
            not_built.add(name)
    assert not_built == set()


def test_create_get_http_api_with_defaults(v2):
    api = v2.create_api(Name="pets", ProtocolType="HTTP")
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(api["ApiId"]) == 10
    assert api["ApiEndpoint"] == f"https://{api['ApiId']}.execute-api.us-east-1.amazonaws.com"
    assert api["ApiKeySelectionExpression"] == "$request.header.x-api-key"
    assert api["RouteSelectionExpression"] == "$request.method $request.path"
    assert api["DisableExecuteApiEndpoint"] is False
    assert api["ProtocolType"] == "HTTP"
    assert api["Tags"] == {}
    got = v2.get_api(ApiId=api["ApiId"])
    for k in ("ApiId", "Name", "ApiEndpoint", "CreatedDate", "ProtocolType"):
        assert got[k] == api[k]


def test_create_api_members_are_stored(v2):
    cors = {"AllowOrigins": ["https://a.example"], "AllowMethods": ["GET"], "MaxAge": 60,
            "AllowCredentials": True}
    api = v2.create_api(Name="x", ProtocolType="HTTP", CorsConfiguration=cors, Description="d",
                        DisableExecuteApiEndpoint=True, Tags={"team": "a"}, Version="1")
    got = v2.get_api(ApiId=api["ApiId"])
    assert got["CorsConfiguration"] == cors
    assert got["Description"] == "d" and got["Version"] == "1"
    assert got["DisableExecuteApiEndpoint"] is True
    assert got["Tags"] == {"team": "a"}


def raw_get(server, path):
    """A signed GET whose JSON answer is read as sent (no botocore parsing)."""
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = f"{server.url}{path}"
    req = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(ACCOUNT_A[0], ACCOUNT_A[1]), "apigateway", "us-east-1").add_auth(req)
    with urllib.request.urlopen(urllib.request.Request(url, headers=dict(req.headers))) as r:
        return json.loads(r.read())


def model_members(operation):
    from botocore.loaders import Loader
    model = Loader().load_service_model("apigatewayv2", "service-2")
    shape = model["shapes"][model["operations"][operation]["output"]["shape"]]
    return {m.get("locationName", k) for k, m in shape["members"].items()}


def test_answers_use_only_the_models_lower_camel_members(server, v2):
    api = v2.create_api(Name="wire", ProtocolType="HTTP", Target=LAMBDA_ARN,
                        CorsConfiguration={"AllowOrigins": ["*"]}, Tags={"a": "b"})
    a = api["ApiId"]
    body = raw_get(server, f"/v2/apis/{a}")
    assert {"apiId", "name", "protocolType", "apiEndpoint", "createdDate",
            "routeSelectionExpression", "apiKeySelectionExpression"} <= set(body)
    assert set(body) <= model_members("GetApi")
    route = v2.get_routes(ApiId=a)["Items"][0]["RouteId"]
    integration = v2.get_integrations(ApiId=a)["Items"][0]["IntegrationId"]
    deployment = v2.get_deployments(ApiId=a)["Items"][0]["DeploymentId"]
    for op, path in [("GetRoute", f"/v2/apis/{a}/routes/{route}"),
                     ("GetIntegration", f"/v2/apis/{a}/integrations/{integration}"),
                     ("GetStage", f"/v2/apis/{a}/stages/%24default"),
                     ("GetDeployment", f"/v2/apis/{a}/deployments/{deployment}"),
                     ("GetTags", f"/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2F{a}")]:
        assert set(raw_get(server, path)) <= model_members(op), op
    page = raw_get(server, f"/v2/apis/{a}/integrations?maxResults=1")
    assert set(page) == {"items"}


def test_not_found_names_the_resource_type(v2):
    err = expect_error(lambda: v2.get_api(ApiId="abcdef1234"), "NotFoundException", status=404)
    assert err.get("ResourceType") == "Api", err


def test_websocket_api_needs_a_route_selection_expression(v2):
    expect_error(lambda: v2.create_api(Name="ws", ProtocolType="WEBSOCKET"),
                 "BadRequestException", status=400, contains="RouteSelectionExpression")
    api = v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                        RouteSelectionExpression="$request.body.action")
    assert api["ApiEndpoint"] == f"wss://{api['ApiId']}.execute-api.us-east-1.amazonaws.com"
    assert api["RouteSelectionExpression"] == "$request.body.action"
    expect_error(lambda: v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                                       RouteSelectionExpression="$request.body.action",
                                       Target=LAMBDA_ARN), "BadRequestException", status=400)
    expect_error(lambda: v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                                       RouteSelectionExpression="$request.body.action",
                                       CorsConfiguration={"AllowOrigins": ["*"]}),
                 "BadRequestException", status=400)


def test_create_api_validation(v2):
    # The text moto records for AWS (tests/moto_apigatewayv2).
    expect_error(lambda: v2.create_api(Name="x", ProtocolType="REST"), "BadRequestException",
                 "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]", 400)
    expect_error(lambda: v2.create_api(Name="x", ProtocolType="HTTP",
                                       RouteSelectionExpression="$request.body.action"),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_api(Name="x", ProtocolType="HTTP",
                                       ApiKeySelectionExpression="$request.header.other"),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_api(Name="x", ProtocolType="HTTP", RouteKey="GET /x"),
                 "BadRequestException", status=400)


def test_quick_create_lambda(v2):
    api = v2.create_api(Name="quick", ProtocolType="HTTP", Target=LAMBDA_ARN)
    api_id = api["ApiId"]
    integrations = v2.get_integrations(ApiId=api_id)["Items"]
    assert len(integrations) == 1
    i = integrations[0]
    assert i["IntegrationType"] == "AWS_PROXY"
    assert i["IntegrationUri"] == LAMBDA_ARN
    assert i["IntegrationMethod"] == "POST"
    assert i["PayloadFormatVersion"] == "2.0"
    assert i["ApiGatewayManaged"] is True
    assert i["TimeoutInMillis"] == 30000 and i["ConnectionType"] == "INTERNET"
    routes = v2.get_routes(ApiId=api_id)["Items"]
    assert [(r["RouteKey"], r["Target"]) for r in routes] == [
        ("$default", f"integrations/{i['IntegrationId']}")]
    assert routes[0]["ApiGatewayManaged"] is True
    stages = v2.get_stages(ApiId=api_id)["Items"]
    assert [s["StageName"] for s in stages] == ["$default"]
    stage = stages[0]
    assert stage["AutoDeploy"] is True and stage["ApiGatewayManaged"] is True
    deployments = v2.get_deployments(ApiId=api_id)["Items"]
    assert [d["DeploymentId"] for d in deployments] == [stage["DeploymentId"]]
    assert deployments[0]["AutoDeployed"] is True
    assert deployments[0]["DeploymentStatus"] == "DEPLOYED"


def test_quick_create_http_url_with_route_key(v2):
    api = v2.create_api(Name="quick", ProtocolType="HTTP", Target="https://example.com/pets",
                        RouteKey="GET /pets")
    i = v2.get_integrations(ApiId=api["ApiId"])["Items"][0]
    assert (i["IntegrationType"], i["IntegrationMethod"], i["PayloadFormatVersion"]) == (
        "HTTP_PROXY", "ANY", "1.0")
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api["ApiId"])["Items"]] == ["GET /pets"]
    expect_error(lambda: v2.create_api(Name="q", ProtocolType="HTTP", Target="nowhere"),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_api(Name="q", ProtocolType="HTTP", Target=LAMBDA_ARN,
                                       RouteKey="GET pets"), "BadRequestException", status=400)


def test_update_api(v2):
    api = v2.create_api(Name="a", ProtocolType="HTTP")
    up = v2.update_api(ApiId=api["ApiId"], Name="b", Description="new",
                       CorsConfiguration={"AllowOrigins": ["*"]}, DisableExecuteApiEndpoint=True)
    assert up["Name"] == "b" and up["Description"] == "new"
    assert up["CorsConfiguration"] == {"AllowOrigins": ["*"]}
    assert up["DisableExecuteApiEndpoint"] is True
    assert up["CreatedDate"] == api["CreatedDate"]
    assert v2.get_api(ApiId=api["ApiId"])["Name"] == "b"
    v2.delete_cors_configuration(ApiId=api["ApiId"])
    assert "CorsConfiguration" not in v2.get_api(ApiId=api["ApiId"])
    expect_error(lambda: v2.update_api(ApiId="nope123456", Name="x"), "NotFoundException",
                 status=404)
    expect_error(lambda: v2.update_api(ApiId=api["ApiId"], Target=LAMBDA_ARN),
                 "BadRequestException", status=400)


def test_update_quick_created_api_target(v2):
    api = v2.create_api(Name="quick", ProtocolType="HTTP", Target=LAMBDA_ARN)
    before = v2.get_stage(ApiId=api["ApiId"], StageName="$default")["DeploymentId"]
    v2.update_api(ApiId=api["ApiId"], Target="https://example.com", RouteKey="ANY /x")
    i = v2.get_integrations(ApiId=api["ApiId"])["Items"][0]
    assert (i["IntegrationType"], i["IntegrationUri"]) == ("HTTP_PROXY", "https://example.com")
    assert v2.get_routes(ApiId=api["ApiId"])["Items"][0]["RouteKey"] == "ANY /x"
    assert v2.get_stage(ApiId=api["ApiId"], StageName="$default")["DeploymentId"] != before


def test_get_apis_pages(v2):
    ids = [v2.create_api(Name=f"a{i}", ProtocolType="HTTP")["ApiId"] for i in range(3)]
    assert [a["ApiId"] for a in v2.get_apis()["Items"]] == ids
    first = v2.get_apis(MaxResults="2")
    assert [a["ApiId"] for a in first["Items"]] == ids[:2]
    rest = v2.get_apis(MaxResults="2", NextToken=first["NextToken"])
    assert [a["ApiId"] for a in rest["Items"]] == ids[2:]
    assert "NextToken" not in rest
    expect_error(lambda: v2.get_apis(MaxResults="0"), "BadRequestException", status=400)
    expect_error(lambda: v2.get_apis(NextToken="garbage"), "BadRequestException", status=400)


def test_delete_api_and_everything_in_it(v2):
    api = v2.create_api(Name="quick", ProtocolType="HTTP", Target=LAMBDA_ARN)
    r = v2.delete_api(ApiId=api["ApiId"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    err = expect_error(lambda: v2.get_api(ApiId=api["ApiId"]), "NotFoundException", status=404)
    assert err["Error"]["Message"] == f"Invalid API identifier specified {ACCOUNT_A[2]}:{api['ApiId']}"
    expect_error(lambda: v2.get_routes(ApiId=api["ApiId"]), "NotFoundException", status=404)
    expect_error(lambda: v2.delete_api(ApiId=api["ApiId"]), "NotFoundException", status=404)


def test_tenants_never_see_each_other(server, v2, v2_b):
    api = v2.create_api(Name="mine", ProtocolType="HTTP")
    assert v2_b.get_apis()["Items"] == []
    expect_error(lambda: v2_b.get_api(ApiId=api["ApiId"]), "NotFoundException", status=404)
    other_region = make_client(server, region="eu-west-1", service="apigatewayv2")
    assert other_region.get_apis()["Items"] == []
    # REST APIs are another kind: neither API family lists the other's.
    rest = make_client(server).create_rest_api(name="rest")
    assert [a["ApiId"] for a in v2.get_apis()["Items"]] == [api["ApiId"]]
    expect_error(lambda: v2.get_api(ApiId=rest["id"]), "NotFoundException", status=404)


def test_tags(v2):
    api = v2.create_api(Name="t", ProtocolType="HTTP", Tags={"a": "1"})
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api['ApiId']}"
    r = v2.tag_resource(ResourceArn=arn, Tags={"b": "2"})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
    assert v2.get_api(ApiId=api["ApiId"])["Tags"] == {"a": "1", "b": "2"}
    r = v2.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"b": "2"}
    v2.create_stage(ApiId=api["ApiId"], StageName="dev")
    stage_arn = f"{arn}/stages/dev"
    v2.tag_resource(ResourceArn=stage_arn, Tags={"s": "1"})
    assert v2.get_stage(ApiId=api["ApiId"], StageName="dev")["Tags"] == {"s": "1"}
    missing = "arn:aws:apigateway:us-east-1::/apis/abcdef1234"
    expect_error(lambda: v2.get_tags(ResourceArn=missing), "NotFoundException", status=404)
    expect_error(lambda: v2.tag_resource(ResourceArn=missing, Tags={"a": "b"}),
                 "NotFoundException", status=404)
    other_region = f"arn:aws:apigateway:eu-west-1::/apis/{api['ApiId']}"
    expect_error(lambda: v2.get_tags(ResourceArn=other_region), "NotFoundException", status=404)
    expect_error(lambda: v2.get_tags(ResourceArn="not-an-arn"), "BadRequestException", status=400)


def test_readme_table_is_the_binarys_marking():
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    block = readme.split("<!-- v2-ops-table:start -->")[1].split("<!-- v2-ops-table:end -->")[0]
    out = subprocess.run(["bash", os.path.join(os.path.dirname(__file__), "..", "scripts", "ops_table.sh"),
                          binary(), "apigatewayv2"], capture_output=True, text=True, check=True).stdout
    assert block.strip() == out.strip()
    assert block.count("| supported |") == 103


def test_what_quick_create_made_is_managed(v2):
    api = v2.create_api(Name="quick", ProtocolType="HTTP", Target=LAMBDA_ARN)
    i = v2.get_integrations(ApiId=api["ApiId"])["Items"][0]
    r = v2.get_routes(ApiId=api["ApiId"])["Items"][0]
    expect_error(lambda: v2.delete_integration(ApiId=api["ApiId"], IntegrationId=i["IntegrationId"]),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.update_route(ApiId=api["ApiId"], RouteId=r["RouteId"], RouteKey="GET /x"),
                 "BadRequestException", status=400)
    up = v2.update_integration(ApiId=api["ApiId"], IntegrationId=i["IntegrationId"],
                               TimeoutInMillis=1000)
    assert up["TimeoutInMillis"] == 1000 and up["ApiGatewayManaged"] is True


def test_api_names_are_1_to_128_characters(v2):
    expect_error(lambda: v2.create_api(Name="x" * 129, ProtocolType="HTTP"), "BadRequestException",
                 status=400)
    api = v2.create_api(Name="x" * 128, ProtocolType="HTTP")
    expect_error(lambda: v2.update_api(ApiId=api["ApiId"], Name=""), "BadRequestException",
                 status=400)
