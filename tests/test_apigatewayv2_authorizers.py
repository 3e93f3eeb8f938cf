"""apigatewayv2 authorizers: JWT and Lambda REQUEST, and the routes that name them."""
import pytest

from conftest import make_client
from helpers import expect_error

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:000000000000:function:auth/invocations")
JWT = {"Issuer": "https://issuer.example.com", "Audience": ["api"]}


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


@pytest.fixture
def http_api(v2):
    return v2.create_api(Name="http", ProtocolType="HTTP")["ApiId"]


def test_jwt_authorizer(v2, http_api):
    a = v2.create_authorizer(ApiId=http_api, AuthorizerType="JWT", Name="jwt",
                             IdentitySource=["$request.header.Authorization"],
                             JwtConfiguration=JWT)
    assert a["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert a["JwtConfiguration"] == JWT and a["IdentitySource"] == ["$request.header.Authorization"]
    got = v2.get_authorizer(ApiId=http_api, AuthorizerId=a["AuthorizerId"])
    assert got["Name"] == "jwt" and got["AuthorizerType"] == "JWT"
    route = v2.create_route(ApiId=http_api, RouteKey="GET /me", AuthorizationType="JWT",
                            AuthorizerId=a["AuthorizerId"], AuthorizationScopes=["read"])
    assert route["AuthorizerId"] == a["AuthorizerId"]
    assert route["AuthorizationScopes"] == ["read"]
    expect_error(lambda: v2.create_route(ApiId=http_api, RouteKey="GET /x",
                                         AuthorizationType="CUSTOM",
                                         AuthorizerId=a["AuthorizerId"]),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.delete_authorizer(ApiId=http_api, AuthorizerId=a["AuthorizerId"]),
                 "ConflictException", status=409)
    up = v2.update_authorizer(ApiId=http_api, AuthorizerId=a["AuthorizerId"], Name="renamed",
                              JwtConfiguration={"Issuer": "https://other", "Audience": ["a", "b"]})
    assert up["Name"] == "renamed" and up["JwtConfiguration"]["Audience"] == ["a", "b"]
    v2.delete_route(ApiId=http_api, RouteId=route["RouteId"])
    r = v2.delete_authorizer(ApiId=http_api, AuthorizerId=a["AuthorizerId"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    err = expect_error(lambda: v2.get_authorizer(ApiId=http_api, AuthorizerId=a["AuthorizerId"]),
                       "NotFoundException", status=404)
    assert "Invalid Authorizer identifier specified" in err["Error"]["Message"]


def test_jwt_authorizer_validation(v2, http_api):
    def create(**kw):
        args = dict(ApiId=http_api, AuthorizerType="JWT", Name="jwt",
                    IdentitySource=["$request.header.Authorization"], JwtConfiguration=JWT)
        args.update(kw)
        return v2.create_authorizer(**args)
    for kw in [dict(JwtConfiguration={"Audience": ["a"]}),
               dict(JwtConfiguration={"Issuer": "https://i"}),
               dict(IdentitySource=["$request.header.A", "$request.header.B"]),
               dict(IdentitySource=["header.Authorization"]),
               dict(AuthorizerUri=LAMBDA_URI)]:
        expect_error(lambda: create(**kw), "BadRequestException", status=400)
    ws = v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                       RouteSelectionExpression="$request.body.action")["ApiId"]
    expect_error(lambda: create(ApiId=ws), "BadRequestException", status=400)


def test_request_authorizer(v2, http_api):
    a = v2.create_authorizer(ApiId=http_api, AuthorizerType="REQUEST", Name="lambda",
                             AuthorizerUri=LAMBDA_URI, AuthorizerPayloadFormatVersion="2.0",
                             EnableSimpleResponses=True,
                             IdentitySource=["$request.header.Authorization"])
    assert a["AuthorizerResultTtlInSeconds"] == 0
    assert a["EnableSimpleResponses"] is True and a["AuthorizerUri"] == LAMBDA_URI
    v2.create_route(ApiId=http_api, RouteKey="GET /x", AuthorizationType="CUSTOM",
                    AuthorizerId=a["AuthorizerId"])
    expect_error(lambda: v2.create_authorizer(ApiId=http_api, AuthorizerType="REQUEST",
                                              Name="l", AuthorizerUri=LAMBDA_URI,
                                              IdentitySource=[]),
                 "BadRequestException", status=400, contains="PayloadFormatVersion")
    expect_error(lambda: v2.create_authorizer(ApiId=http_api, AuthorizerType="REQUEST",
                                              Name="l", AuthorizerUri=LAMBDA_URI,
                                              AuthorizerPayloadFormatVersion="1.0",
                                              EnableSimpleResponses=True, IdentitySource=[]),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_authorizer(ApiId=http_api, AuthorizerType="REQUEST",
                                              Name="l", AuthorizerPayloadFormatVersion="2.0",
                                              IdentitySource=[]),
                 "BadRequestException", status=400)
    ws = v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                       RouteSelectionExpression="$request.body.action")["ApiId"]
    w = v2.create_authorizer(ApiId=ws, AuthorizerType="REQUEST", Name="ws", AuthorizerUri=LAMBDA_URI,
                             IdentitySource=["route.request.header.Auth"])
    assert "AuthorizerResultTtlInSeconds" not in w
    v2.create_route(ApiId=ws, RouteKey="$connect", AuthorizationType="CUSTOM",
                    AuthorizerId=w["AuthorizerId"])


def test_get_authorizers_pages(v2, http_api):
    ids = [v2.create_authorizer(ApiId=http_api, AuthorizerType="JWT", Name=f"a{i}",
                                IdentitySource=["$request.header.Authorization"],
                                JwtConfiguration=JWT)["AuthorizerId"] for i in range(3)]
    page = v2.get_authorizers(ApiId=http_api, MaxResults="2")
    rest = v2.get_authorizers(ApiId=http_api, NextToken=page["NextToken"])
    assert [a["AuthorizerId"] for a in page["Items"] + rest["Items"]] == ids
    expect_error(lambda: v2.get_authorizers(ApiId="nope123456"), "NotFoundException", status=404)
