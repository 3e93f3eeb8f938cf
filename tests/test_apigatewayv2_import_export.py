"""apigatewayv2 ImportApi, ReimportApi and ExportApi (OpenAPI 3.0 with the HTTP API extensions),
and GetModelTemplate: AWS's documented examples imported, an imported HTTP_PROXY API served
against a real local backend, round trips, YAML, and documents AWS refuses."""
import json
import os
import re

import yaml

from dataplane import backend  # noqa: F401  (fixture)
from helpers import expect_error
from httpapi import call, v2  # noqa: F401

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "openapi", "aws")
LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:hello"
AUTH_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:000000000000:function:auth/invocations")


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


def by_key(items, key):
    return {x[key]: x for x in items}


def snapshot(v2, api_id):
    """Everything a definition describes, without the ids that differ between two APIs
    (routes name their integration and authorizer by what those are)."""
    api = v2.get_api(ApiId=api_id)
    integrations = by_key(v2.get_integrations(ApiId=api_id)["Items"], "IntegrationId")
    authorizers = by_key(v2.get_authorizers(ApiId=api_id)["Items"], "AuthorizerId")
    drop = ("IntegrationId", "AuthorizerId", "RouteId", "ModelId", "ResponseMetadata")

    def clean(d):
        return {k: v for k, v in d.items() if k not in drop}

    routes = {}
    for r in v2.get_routes(ApiId=api_id)["Items"]:
        view = clean(r)
        if "Target" in r:
            view["Target"] = clean(integrations[r["Target"].split("/")[1]])
        if "AuthorizerId" in r:
            view["Authorizer"] = authorizers[r["AuthorizerId"]]["Name"]
        routes[r["RouteKey"]] = view
    models = {}
    for m in v2.get_models(ApiId=api_id)["Items"]:
        # Model URLs name the API; compare what they point at.
        models[m["Name"]] = (m.get("ContentType"),
                             json.loads(m["Schema"].replace(api_id, "API")))
    return {
        "api": {k: api.get(k) for k in ("Name", "Description", "Version", "ProtocolType",
                                        "CorsConfiguration", "DisableExecuteApiEndpoint",
                                        "Tags")},
        "routes": routes,
        "integrations": len(integrations),
        "authorizers": sorted((clean(a) for a in authorizers.values()),
                              key=lambda a: a["Name"]),
        "models": models,
    }


def export(v2, api_id, **kw):
    kw.setdefault("OutputType", "JSON")
    body = v2.export_api(ApiId=api_id, Specification="OAS30", **kw)["body"].read()
    return body.decode()


AUTH_DOC = {
    "openapi": "3.0.1",
    "info": {"title": "Secured", "version": "2024-01"},
    "components": {"securitySchemes": {
        "jwt-authorizer-oauth": {
            "type": "oauth2",
            "x-amazon-apigateway-authorizer": {
                "type": "jwt",
                "jwtConfiguration": {"issuer": "https://cognito-idp.region.amazonaws.com/userPoolId",
                                     "audience": ["audience1", "audience2"]},
                "identitySource": "$request.header.Authorization"}},
        "jwt-authorizer-autofind": {
            "type": "openIdConnect",
            "openIdConnectUrl": "https://cognito-idp.region.amazonaws.com/userPoolId/.well-known/openid-configuration",
            "x-amazon-apigateway-authorizer": {
                "type": "jwt",
                "jwtConfiguration": {"audience": ["audience1", "audience2"]},
                "identitySource": "$request.header.Authorization"}},
        "lambda-authorizer": {
            "type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authorizer": {
                "type": "request",
                "identitySource": "$request.header.Authorization, $request.querystring.token",
                "authorizerUri": AUTH_URI,
                "authorizerPayloadFormatVersion": "2.0",
                "authorizerResultTtlInSeconds": 300,
                "enableSimpleResponses": True}},
        "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                  "x-amazon-apigateway-authtype": "awsSigv4"},
    }},
    "paths": {
        "/jwt": {"get": {"security": [{"jwt-authorizer-oauth": ["read", "write"]}],
                         "x-amazon-apigateway-integration": {
                             "type": "AWS_PROXY", "httpMethod": "POST", "uri": LAMBDA_ARN,
                             "payloadFormatVersion": "2.0", "timeoutInMillis": 5000}}},
        "/oidc": {"post": {"security": [{"jwt-authorizer-autofind": []}]}},
        "/lambda": {"x-amazon-apigateway-any-method": {"security": [{"lambda-authorizer": []}]}},
        "/iam": {"delete": {"security": [{"sigv4": []}]}},
        "/open/{id}": {"get": {"security": [],
                               "x-amazon-apigateway-integration": {
                                   "type": "http_proxy", "httpMethod": "GET",
                                   "uri": "https://example.com/items/{id}",
                                   "payloadFormatVersion": "1.0",
                                   "requestParameters": {"append:header.x-a": "static"},
                                   "responseParameters": {"200": {"overwrite:header.x-b": "b"}},
                                   "tlsConfig": {"serverNameToVerify": "example.com"}}}},
        "/$default": {"x-amazon-apigateway-any-method": {
            "isDefaultRoute": True,
            "x-amazon-apigateway-integration": {"type": "HTTP_PROXY", "httpMethod": "ANY",
                                                "uri": "https://example.com",
                                                "payloadFormatVersion": "1.0"}}},
    },
    "x-amazon-apigateway-cors": {"allowOrigins": ["https://a.example"], "maxAge": 60,
                                 "allowCredentials": True, "exposeHeaders": ["x-b"]},
    "tags": [{"name": "team", "x-amazon-apigateway-tag-value": "pets"}],
    "x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": True},
}


def test_aws_petstore_example_imports_as_aws_documents(v2):
    r = v2.import_api(Body=fixture("http-api-petstore.json"))
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (r["Name"], r["Description"], r["Version"], r["ProtocolType"]) == \
        ("Example Pet Store", "A Pet Store API.", "1.0", "HTTP")
    assert r["RouteSelectionExpression"] == "$request.method $request.path"
    assert r["ApiEndpoint"] == f"https://{r['ApiId']}.execute-api.us-east-1.amazonaws.com"
    # HTTP APIs do not validate requests: the request body is reported, not applied.
    assert any("requestBody" in i for i in r["ImportInfo"])
    assert "Warnings" not in r
    assert r["CorsConfiguration"] == {
        "AllowOrigins": ["*"], "AllowMethods": ["GET", "OPTIONS", "POST"],
        "AllowHeaders": ["x-amzm-header", "x-apigateway-header", "x-api-key", "authorization",
                         "x-amz-date", "content-type"]}
    api_id = r["ApiId"]
    assert v2.get_api(ApiId=api_id)["Name"] == "Example Pet Store"
    routes = by_key(v2.get_routes(ApiId=api_id)["Items"], "RouteKey")
    assert set(routes) == {"GET /pets", "POST /pets", "GET /pets/{petId}"}
    assert routes["POST /pets"]["OperationName"] == "Create Pet"
    assert routes["GET /pets"]["AuthorizationType"] == "NONE"
    integrations = by_key(v2.get_integrations(ApiId=api_id)["Items"], "IntegrationId")
    assert len(integrations) == 3
    got = integrations[routes["GET /pets/{petId}"]["Target"].split("/")[1]]
    assert got["IntegrationType"] == "HTTP_PROXY"
    assert got["IntegrationMethod"] == "GET"
    assert got["IntegrationUri"] == \
        "http://petstore.execute-api.us-west-1.amazonaws.com/petstore/pets/{petId}"
    # `payloadFormatVersion: 1.0` is a number in AWS's example.
    assert got["PayloadFormatVersion"] == "1.0"
    assert (got["ConnectionType"], got["TimeoutInMillis"]) == ("INTERNET", 30000)
    models = by_key(v2.get_models(ApiId=api_id)["Items"], "Name")
    assert set(models) == {"Pets", "Empty", "NewPetResponse", "Pet", "NewPet", "PetType"}
    pets = json.loads(models["Pets"]["Schema"])
    assert pets["items"]["$ref"] == \
        f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet"
    assert models["Pet"]["ContentType"] == "application/json"
    # Nothing is deployed by an import: no stage.
    assert v2.get_stages(ApiId=api_id)["Items"] == []


def test_shared_integrations_and_base_path(v2):
    doc = fixture("http-api-integrations.json")
    r = v2.import_api(Body=doc, Basepath="prepend")
    api_id = r["ApiId"]
    routes = by_key(v2.get_routes(ApiId=api_id)["Items"], "RouteKey")
    assert set(routes) == {"GET /example/path", "GET /example/path/pets",
                           "GET /example/path/checkout"}
    # One integration per referenced component, shared by its routes.
    items = v2.get_integrations(ApiId=api_id)["Items"]
    assert len(items) == 2
    assert routes["GET /example/path"]["Target"] == routes["GET /example/path/pets"]["Target"]
    assert routes["GET /example/path/checkout"]["Target"] != routes["GET /example/path/pets"]["Target"]
    assert {i["IntegrationType"] for i in items} == {"AWS_PROXY"}
    assert {i["PayloadFormatVersion"] for i in items} == {"1.0"}
    # passthroughBehavior has no meaning for HTTP APIs.
    assert any("passthroughBehavior" in i for i in r["ImportInfo"])
    assert all("PassthroughBehavior" not in i for i in items)
    # The default (ignore) and split.
    ignored = v2.import_api(Body=doc)["ApiId"]
    assert {x["RouteKey"] for x in v2.get_routes(ApiId=ignored)["Items"]} == \
        {"GET /", "GET /pets", "GET /checkout"}
    split = v2.import_api(Body=doc, Basepath="split")["ApiId"]
    assert {x["RouteKey"] for x in v2.get_routes(ApiId=split)["Items"]} == \
        {"GET /path", "GET /path/pets", "GET /path/checkout"}


def test_authorizers_security_and_integration_members(v2):
    r = v2.import_api(Body=json.dumps(AUTH_DOC))
    api_id = r["ApiId"]
    assert r["Tags"] == {"team": "pets"}
    assert r["DisableExecuteApiEndpoint"] is True
    assert r["CorsConfiguration"] == {"AllowOrigins": ["https://a.example"], "MaxAge": 60,
                                      "AllowCredentials": True, "ExposeHeaders": ["x-b"]}
    auths = by_key(v2.get_authorizers(ApiId=api_id)["Items"], "Name")
    jwt = auths["jwt-authorizer-oauth"]
    assert jwt["AuthorizerType"] == "JWT"
    assert jwt["JwtConfiguration"] == {
        "Issuer": "https://cognito-idp.region.amazonaws.com/userPoolId",
        "Audience": ["audience1", "audience2"]}
    assert jwt["IdentitySource"] == ["$request.header.Authorization"]
    # openIdConnectUrl stands for the issuer.
    assert auths["jwt-authorizer-autofind"]["JwtConfiguration"]["Issuer"] == \
        "https://cognito-idp.region.amazonaws.com/userPoolId"
    lam = auths["lambda-authorizer"]
    assert lam["AuthorizerType"] == "REQUEST"
    assert lam["AuthorizerUri"] == AUTH_URI
    assert lam["AuthorizerPayloadFormatVersion"] == "2.0"
    assert lam["AuthorizerResultTtlInSeconds"] == 300
    assert lam["EnableSimpleResponses"] is True
    assert lam["IdentitySource"] == ["$request.header.Authorization", "$request.querystring.token"]
    assert "sigv4" not in auths
    routes = by_key(v2.get_routes(ApiId=api_id)["Items"], "RouteKey")
    assert routes["GET /jwt"]["AuthorizationType"] == "JWT"
    assert routes["GET /jwt"]["AuthorizerId"] == jwt["AuthorizerId"]
    assert routes["GET /jwt"]["AuthorizationScopes"] == ["read", "write"]
    assert routes["ANY /lambda"]["AuthorizationType"] == "CUSTOM"
    assert routes["ANY /lambda"]["AuthorizerId"] == lam["AuthorizerId"]
    assert routes["DELETE /iam"]["AuthorizationType"] == "AWS_IAM"
    assert routes["GET /open/{id}"]["AuthorizationType"] == "NONE"
    assert "Target" not in routes["POST /oidc"]
    assert "$default" in routes
    integ = v2.get_integration(ApiId=api_id,
                               IntegrationId=routes["GET /open/{id}"]["Target"].split("/")[1])
    assert integ["RequestParameters"] == {"append:header.x-a": "static"}
    assert integ["ResponseParameters"] == {"200": {"overwrite:header.x-b": "b"}}
    assert integ["TlsConfig"] == {"ServerNameToVerify": "example.com"}
    lambda_integ = v2.get_integration(ApiId=api_id,
                                      IntegrationId=routes["GET /jwt"]["Target"].split("/")[1])
    assert (lambda_integ["IntegrationType"], lambda_integ["PayloadFormatVersion"],
            lambda_integ["TimeoutInMillis"]) == ("AWS_PROXY", "2.0", 5000)


def test_imported_http_proxy_api_is_served(server, v2, backend):
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "served", "version": "1"},
        "paths": {
            "/items/{id}": {"get": {"x-amazon-apigateway-integration": {
                "type": "http_proxy", "httpMethod": "GET", "uri": backend.url,
                "payloadFormatVersion": "1.0",
                "requestParameters": {"overwrite:path": "/backend/items/$request.path.id",
                                      "append:header.x-imported": "yes"},
                "responseParameters": {"200": {"overwrite:header.x-answered": "by-import"}}}}},
            "/$default": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
                "type": "HTTP_PROXY", "httpMethod": "ANY", "uri": backend.url,
                "payloadFormatVersion": "1.0"}}},
        },
    }
    api_id = v2.import_api(Body=json.dumps(doc))["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    r = call(server, api_id, "/items/42")
    assert r.status == 200, r.text
    rec = r.json()
    assert rec["path"] == "/backend/items/42"
    assert rec["headers"]["x-imported"] == "yes"
    assert r.header("x-answered") == "by-import"
    r = call(server, api_id, "/anything/else", method="POST", body=b"x")
    assert r.status == 200, r.text
    assert (r.json()["method"], r.json()["path"]) == ("POST", "/anything/else")


def test_round_trip_import_export_reimport(v2):
    for body in (fixture("http-api-petstore.json"), json.dumps(AUTH_DOC)):
        first = v2.import_api(Body=body)["ApiId"]
        exported = export(v2, first)
        doc = json.loads(exported)
        assert doc["openapi"] == "3.0.1"
        assert doc["x-amazon-apigateway-importexport-version"] == "1.0"
        second = v2.import_api(Body=exported)["ApiId"]
        assert snapshot(v2, second) == snapshot(v2, first)
        # Reimporting an API's own export changes nothing that a definition describes.
        before = snapshot(v2, first)
        v2.reimport_api(ApiId=first, Body=exported)
        assert snapshot(v2, first) == before


def test_export_of_an_api_built_with_boto3(v2):
    api = v2.create_api(Name="built", ProtocolType="HTTP", Description="by hand",
                        CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["GET"]},
                        Tags={"k": "v"})
    api_id = api["ApiId"]
    http = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                 IntegrationMethod="GET",
                                 IntegrationUri="https://example.com/items/{id}",
                                 PayloadFormatVersion="1.0", TimeoutInMillis=5000,
                                 RequestParameters={"overwrite:header.x-id": "$request.path.id"},
                                 TlsConfig={"ServerNameToVerify": "example.com"})["IntegrationId"]
    lam = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                IntegrationUri=LAMBDA_ARN,
                                PayloadFormatVersion="2.0")["IntegrationId"]
    jwt = v2.create_authorizer(ApiId=api_id, Name="jwt", AuthorizerType="JWT",
                               IdentitySource=["$request.header.Authorization"],
                               JwtConfiguration={"Issuer": "https://issuer.example",
                                                 "Audience": ["aud"]})["AuthorizerId"]
    req = v2.create_authorizer(ApiId=api_id, Name="lambda", AuthorizerType="REQUEST",
                               AuthorizerUri=AUTH_URI, AuthorizerPayloadFormatVersion="1.0",
                               IdentitySource=["$request.querystring.key"])["AuthorizerId"]
    v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}", Target=f"integrations/{http}",
                    AuthorizationType="JWT", AuthorizerId=jwt, AuthorizationScopes=["read"],
                    OperationName="getItem")
    v2.create_route(ApiId=api_id, RouteKey="ANY /{proxy+}", Target=f"integrations/{lam}",
                    AuthorizationType="CUSTOM", AuthorizerId=req)
    v2.create_route(ApiId=api_id, RouteKey="POST /iam", Target=f"integrations/{lam}",
                    AuthorizationType="AWS_IAM")
    v2.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{lam}")
    v2.create_model(ApiId=api_id, Name="Item", ContentType="application/json",
                    Schema=json.dumps({"type": "object", "properties": {"id": {"type": "string"}}}))
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)

    doc = json.loads(export(v2, api_id, StageName="prod"))
    assert doc["info"]["title"] == "built"
    assert doc["info"]["description"] == "by hand"
    # Without a version, AWS writes the API's creation time.
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dUTC", doc["info"]["version"])
    assert doc["servers"] == [{
        "url": f"https://{api_id}.execute-api.us-east-1.amazonaws.com/{{basePath}}",
        "variables": {"basePath": {"default": "prod"}}}]
    assert doc["tags"] == [{"name": "k", "x-amazon-apigateway-tag-value": "v"}]
    item = doc["paths"]["/items/{id}"]
    assert item["parameters"] == [{"name": "id", "in": "path",
                                   "description": "Generated path parameter for id",
                                   "required": True, "schema": {"type": "string"}}]
    get = item["get"]
    assert get["operationId"] == "getItem"
    assert get["responses"] == {"default": {"description": "Default response for GET /items/{id}"}}
    assert get["security"] == [{"jwt": ["read"]}]
    assert get["x-amazon-apigateway-integration"] == {
        "requestParameters": {"overwrite:header.x-id": "$request.path.id"},
        "payloadFormatVersion": "1.0", "type": "http_proxy", "httpMethod": "GET",
        "uri": "https://example.com/items/{id}", "connectionType": "INTERNET",
        "timeoutInMillis": 5000, "tlsConfig": {"serverNameToVerify": "example.com"}}
    default = doc["paths"]["/$default"]["x-amazon-apigateway-any-method"]
    assert default["isDefaultRoute"] is True
    # The Lambda integration three routes share is written once, in components.
    ref = default["x-amazon-apigateway-integration"]["$ref"]
    assert ref == doc["paths"]["/iam"]["post"]["x-amazon-apigateway-integration"]["$ref"]
    shared = doc["components"]["x-amazon-apigateway-integrations"][ref.rsplit("/", 1)[1]]
    assert (shared["type"], shared["uri"], shared["payloadFormatVersion"]) == \
        ("aws_proxy", LAMBDA_ARN, "2.0")
    assert doc["paths"]["/iam"]["post"]["security"] == [{"sigv4": []}]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["jwt"] == {"type": "oauth2", "flows": {}, "x-amazon-apigateway-authorizer": {
        "identitySource": "$request.header.Authorization",
        "jwtConfiguration": {"audience": ["aud"], "issuer": "https://issuer.example"},
        "type": "jwt"}}
    assert schemes["lambda"]["in"] == "query" and schemes["lambda"]["name"] == "key"
    assert schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert doc["components"]["schemas"]["Item"]["properties"]["id"] == {"type": "string"}
    assert doc["x-amazon-apigateway-cors"] == {"allowMethods": ["GET"], "allowOrigins": ["*"]}

    # The export re-imports to the same API.
    again = v2.import_api(Body=json.dumps(doc))["ApiId"]
    a, b = snapshot(v2, api_id), snapshot(v2, again)
    # Only what a definition carries: the original's name came from CreateApi, as did the
    # version AWS writes from its creation time.
    b["api"]["Version"] = a["api"]["Version"]
    assert b == a


def test_export_follows_the_stage_deployment_and_options(v2):
    api_id = v2.import_api(Body=fixture("http-api-petstore.json"))["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    v2.create_stage(ApiId=api_id, StageName="frozen")
    v2.create_deployment(ApiId=api_id, StageName="frozen")
    # A route added later is in the latest configuration and the auto-deployed stage only.
    v2.create_route(ApiId=api_id, RouteKey="GET /new")
    assert "/new" in json.loads(export(v2, api_id))["paths"]
    assert "/new" in json.loads(export(v2, api_id, StageName="$default"))["paths"]
    frozen = json.loads(export(v2, api_id, StageName="frozen"))
    assert "/new" not in frozen["paths"] and "/pets" in frozen["paths"]
    assert json.loads(export(v2, api_id, StageName="$default"))["servers"][0]["variables"] == \
        {"basePath": {"default": ""}}
    # YAML, and no extensions when asked.
    text = export(v2, api_id, OutputType="YAML", IncludeExtensions=False, ExportVersion="1.0")
    assert not text.lstrip().startswith("{")
    doc = yaml.safe_load(text)
    assert doc["info"]["title"] == "Example Pet Store"
    assert "x-amazon-apigateway" not in text
    assert set(doc["paths"]) == {"/pets", "/pets/{petId}", "/new"}
    # No servers without a stage.
    assert "servers" not in json.loads(export(v2, api_id))
    expect_error(lambda: export(v2, api_id, StageName="nope"), "NotFoundException", status=404)
    expect_error(lambda: v2.export_api(ApiId=api_id, Specification="SWAGGER", OutputType="JSON"),
                 "BadRequestException", status=400)
    expect_error(lambda: export(v2, api_id, ExportVersion="2.0"), "BadRequestException",
                 status=400)
    expect_error(lambda: export(v2, "abcdef1234"), "NotFoundException", status=404)


def test_yaml_documents_import_and_reimport(v2):
    body = fixture("http-api-petstore.json")
    as_yaml = yaml.safe_dump(json.loads(body), sort_keys=False)
    from_yaml = v2.import_api(Body=as_yaml)["ApiId"]
    from_json = v2.import_api(Body=body)["ApiId"]
    assert snapshot(v2, from_yaml) == snapshot(v2, from_json)
    # moto's document (a Terraform acceptance test's): `version: 2.0` is a YAML number, and
    # the snake_case CORS keys are not AWS's, so CORS is empty.
    api_id = v2.create_api(Name="test-api", ProtocolType="HTTP")["ApiId"]
    resp = v2.reimport_api(
        ApiId=api_id,
        Body="---\nopenapi: 3.0.1\ninfo:\n  title: tf-acc-test-2983214806752144669_DIFFERENT\n"
             "  version: 2.0\nx-amazon-apigateway-cors:\n  allow_methods:\n    - delete\n"
             "  allow_origins:\n    - https://www.google.de\npaths:\n  \"/test\":\n    get:\n"
             "      x-amazon-apigateway-integration:\n        type: HTTP_PROXY\n"
             "        httpMethod: GET\n        payloadFormatVersion: '1.0'\n"
             "        uri: https://www.google.de\n")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert resp["CorsConfiguration"] == {}
    assert resp["Name"] == "tf-acc-test-2983214806752144669_DIFFERENT"
    assert resp["Version"] == "2.0"
    route = v2.get_routes(ApiId=api_id)["Items"][0]
    assert (route["RouteKey"], route["ApiKeyRequired"], route.get("AuthorizationScopes", [])) == \
        ("GET /test", False, [])


MISSING_MODEL = json.dumps({
    "openapi": "3.0.1",
    "info": {"title": "Title test", "version": "2.0", "description": "Description test"},
    "paths": {"/update": {"get": {
        "x-amazon-apigateway-integration": {"type": "HTTP_PROXY", "httpMethod": "GET",
                                            "payloadFormatVersion": "1.0",
                                            "uri": "https://www.google.de"},
        "responses": {"200": {"description": "Response description", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ModelThatDoesNotExist"}}}}},
    }}},
})


def test_warnings_are_answered_or_refuse_the_import(v2):
    api_id = v2.create_api(Name="test-import-api", ProtocolType="HTTP")["ApiId"]
    # moto's test_reimport_api_failonwarnings pins this text.
    expect_error(lambda: v2.reimport_api(ApiId=api_id, Body=MISSING_MODEL, FailOnWarnings=True),
                 "BadRequestException", status=400,
                 message="Warnings found during import:\n\tParse issue: attribute "
                         "paths.'/update'(get).responses.200.content.schema."
                         "#/components/schemas/ModelThatDoesNotExist is missing")
    assert v2.get_api(ApiId=api_id)["Name"] == "test-import-api"
    assert v2.get_routes(ApiId=api_id)["Items"] == []
    r = v2.reimport_api(ApiId=api_id, Body=MISSING_MODEL, FailOnWarnings=False)
    assert r["Warnings"] == ["Parse issue: attribute paths.'/update'(get).responses.200.content."
                             "schema.#/components/schemas/ModelThatDoesNotExist is missing"]
    assert v2.get_api(ApiId=api_id)["Name"] == "Title test"
    # An integration HTTP APIs cannot have is a warning (AWS's documented example); the route
    # is imported without it.
    doc = {"openapi": "3.0.1", "info": {"title": "w"}, "paths": {"/": {"get": {
        "x-amazon-apigateway-integration": {
            "type": "AWS", "httpMethod": "POST", "payloadFormatVersion": "1.0",
            "uri": "arn:aws:lambda:us-east-2:123456789012:function:HelloWorld"}}}}}
    r = v2.import_api(Body=json.dumps(doc))
    assert len(r["Warnings"]) == 1 and "AWS" in r["Warnings"][0]
    route = v2.get_routes(ApiId=r["ApiId"])["Items"][0]
    assert route["RouteKey"] == "GET /" and "Target" not in route
    count = len(v2.get_apis()["Items"])
    expect_error(lambda: v2.import_api(Body=json.dumps(doc), FailOnWarnings=True),
                 "BadRequestException", status=400, contains="Warnings found during import:")
    assert len(v2.get_apis()["Items"]) == count


def test_reimport_replaces_the_definition_and_keeps_stages(server, v2, backend):
    api_id = v2.import_api(Body=json.dumps(AUTH_DOC))["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    before = v2.get_stage(ApiId=api_id, StageName="$default")["DeploymentId"]
    doc = {"openapi": "3.0.1", "info": {"title": "replaced"}, "paths": {"/only": {"get": {
        "x-amazon-apigateway-integration": {"type": "HTTP_PROXY", "httpMethod": "GET",
                                            "uri": backend.url, "payloadFormatVersion": "1.0"}}}}}
    r = v2.reimport_api(ApiId=api_id, Body=json.dumps(doc))
    assert r["ApiId"] == api_id and r["Name"] == "replaced"
    assert "CorsConfiguration" not in r
    assert r["DisableExecuteApiEndpoint"] is False
    assert r["Tags"] == {"team": "pets"}
    assert [x["RouteKey"] for x in v2.get_routes(ApiId=api_id)["Items"]] == ["GET /only"]
    assert len(v2.get_integrations(ApiId=api_id)["Items"]) == 1
    assert v2.get_authorizers(ApiId=api_id)["Items"] == []
    stage = v2.get_stage(ApiId=api_id, StageName="$default")
    assert stage["DeploymentId"] != before
    # The stage serves the new definition.
    assert call(server, api_id, "/only").status == 200
    assert call(server, api_id, "/jwt").status == 404
    expect_error(lambda: v2.reimport_api(ApiId="abcdef1234", Body=json.dumps(doc)),
                 "NotFoundException", status=404)


def test_invalid_documents_create_nothing(v2):
    def refused(body, contains=None, message=None):
        expect_error(lambda: v2.import_api(Body=body), "BadRequestException", status=400,
                     contains=contains, message=message)

    refused("{'key:value}", message="Invalid OpenAPI input.")
    refused("test:\n  - \"x\" y\"", message="Invalid OpenAPI input.")
    # AWS's documented error: HTTP APIs import OpenAPI 3.0 only.
    refused(json.dumps({"swagger": "2.0", "info": {"title": "t"}, "paths": {}}),
            contains="OpenAPI 3.0")
    # AWS's documented example of an import error.
    refused(json.dumps({"swagger": "2.0.0", "info": {
        "title": "My API", "description": "An Example OpenAPI definition for Errors/Warnings/ImportInfo",
        "version": "1.0"}}), contains="OpenAPI 3.0")
    refused(json.dumps({"openapi": "3.0.1", "info": {"title": "t"}}), contains="paths")
    refused(json.dumps({"openapi": "3.0.1", "info": {}, "paths": {}}), contains="info.title")
    base = {"openapi": "3.0.1", "info": {"title": "t"}}
    # AWS: "Each operation can have only one of IAM authorization, a Lambda authorizer, or a
    # JWT authorizer".
    two = dict(base, components=AUTH_DOC["components"], paths={"/a": {"get": {"security": [
        {"jwt-authorizer-oauth": []}, {"sigv4": []}]}}})
    refused(json.dumps(two), contains="Multiple security requirements")
    refused(json.dumps(dict(base, paths={"/a": {"get": {"security": [{"nope": []}]}}})),
            contains="nope")
    # A route is never left open because its scheme could not be imported (a REST API's
    # Cognito authorizer here).
    cognito = {"securitySchemes": {"pool": {
        "type": "apiKey", "name": "Authorization", "in": "header",
        "x-amazon-apigateway-authtype": "cognito_user_pools",
        "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                           "providerARNs": ["arn:aws:cognito-idp:x"]}}}}
    refused(json.dumps(dict(base, components=cognito,
                            paths={"/a": {"get": {"security": [{"pool": []}]}}})),
            contains="security scheme HTTP APIs do not support")
    refused(json.dumps(dict(base, paths={"/a": {"get": {"x-amazon-apigateway-integration": {
        "type": "HTTP_PROXY", "uri": "https://x", "payloadFormatVersion": "1.0"}}}})),
        contains="IntegrationMethod is required")
    refused(json.dumps(dict(base, paths={"/a": {"get": {"x-amazon-apigateway-integration": {
        "$ref": "#/components/x-amazon-apigateway-integrations/missing"}}}})),
        contains="Unable to resolve reference")
    refused(json.dumps(dict(base, paths={"a/{b": {"get": {}}})), contains="Invalid route key")
    refused(json.dumps(dict(base, paths={"/a": {"get": {"x-amazon-apigateway-integration": {
        "type": "AWS_PROXY", "uri": LAMBDA_ARN, "payloadFormatVersion": "3.0"}}}})),
        contains="payloadFormatVersion")
    refused(json.dumps(dict(base, paths={}, **{"x-amazon-apigateway-importexport-version": "2.0"})),
            contains="importexport-version")
    # WebSocket APIs cannot be imported.
    refused(json.dumps(dict(base, paths={}, **{
        "x-amazon-apigateway-route-selection-expression": "$request.body.action"})),
        contains="only HTTP APIs")
    expect_error(lambda: v2.import_api(Body=json.dumps(dict(base, paths={})), Basepath="x"),
                 "BadRequestException", status=400)
    assert v2.get_apis()["Items"] == []


def test_get_model_template(v2):
    api_id = v2.create_api(Name="m", ProtocolType="HTTP")["ApiId"]
    pet = v2.create_model(ApiId=api_id, Name="Pet", ContentType="application/json", Schema=json.dumps(
        {"type": "object", "properties": {"age": {"type": "integer"}, "name": {"type": "string"}}}))
    pets = v2.create_model(ApiId=api_id, Name="Pets", ContentType="application/json", Schema=json.dumps(
        {"type": "array",
         "items": {"$ref": f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet"}}))
    r = v2.get_model_template(ApiId=api_id, ModelId=pet["ModelId"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["Value"] == ("#set($inputRoot = $input.path('$'))\n{\n  \"age\" : $inputRoot.age,\n"
                          "  \"name\" : \"$inputRoot.name\"\n}")
    # The array's items come from the model it references, as REST's GetModelTemplate does.
    assert v2.get_model_template(ApiId=api_id, ModelId=pets["ModelId"])["Value"] == (
        "#set($inputRoot = $input.path('$'))\n[\n"
        "##TODO: Update this foreach loop to reference array from input json\n"
        "#foreach($elem in $inputRoot)\n {\n  \"age\" : $elem.age,\n  \"name\" : \"$elem.name\"\n} \n"
        "#if($foreach.hasNext),#end\n#end\n]")
    empty = v2.create_model(ApiId=api_id, Name="Empty", Schema=json.dumps({"type": "object"}))
    expect_error(lambda: v2.get_model_template(ApiId=api_id, ModelId=empty["ModelId"]),
                 "BadRequestException", status=400,
                 message="Model schema must have at least 1 property or array items defined")
    expect_error(lambda: v2.get_model_template(ApiId=api_id, ModelId="nope12"),
                 "NotFoundException", status=404)
    # Imported models template like created ones.
    imported = v2.import_api(Body=fixture("http-api-petstore.json"))["ApiId"]
    models = by_key(v2.get_models(ApiId=imported)["Items"], "Name")
    value = v2.get_model_template(ApiId=imported, ModelId=models["NewPetResponse"]["ModelId"])["Value"]
    assert "\"pet\" : {\n    \"id\" : \"$inputRoot.pet.id\"" in value
    assert "\"price\" : $inputRoot.pet.price" in value


def test_a_rest_api_export_migrates_to_an_http_api(server, v2, backend):
    """AWS: "To migrate from a REST API to an HTTP API, you can export your REST API as an
    OpenAPI 3.0 definition file. Then import the API definition as an HTTP API." """
    from conftest import make_client
    from dataplane import add_resource, deploy, mock_method

    apigw = make_client(server)
    rest = apigw.create_rest_api(name="legacy", description="old")["id"]
    root = apigw.get_resources(restApiId=rest)["items"][0]["id"]
    pets = add_resource(apigw, rest, root, "pets")
    apigw.put_method(restApiId=rest, resourceId=pets, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=rest, resourceId=pets, httpMethod="GET", type="HTTP_PROXY",
                          integrationHttpMethod="GET", uri=f"{backend.url}/pets")
    mock_method(apigw, rest, add_resource(apigw, rest, root, "mock"))
    deploy(apigw, rest)
    exported = apigw.get_export(restApiId=rest, stageName="prod", exportType="oas30",
                                parameters={"extensions": "integrations"},
                                accepts="application/json")["body"].read().decode()
    r = v2.import_api(Body=exported)
    assert r["Name"] == "legacy" and r["ProtocolType"] == "HTTP"
    # The MOCK integration is what HTTP APIs cannot have: a warning, the route kept.
    assert len(r["Warnings"]) == 1 and "MOCK" in r["Warnings"][0], r.get("Warnings")
    routes = by_key(v2.get_routes(ApiId=r["ApiId"])["Items"], "RouteKey")
    assert set(routes) == {"GET /pets", "GET /mock"}
    assert "Target" not in routes["GET /mock"]
    v2.create_stage(ApiId=r["ApiId"], StageName="$default", AutoDeploy=True)
    answer = call(server, r["ApiId"], "/pets")
    assert answer.status == 200, answer.text
    assert answer.json()["path"] == "/pets"
