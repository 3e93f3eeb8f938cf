"""ImportRestApi and PutRestApi from OpenAPI documents (Swagger 2.0 and OpenAPI 3.0, JSON and
YAML): a corpus of real documents (tests/fixtures/openapi/, origins in its README), the
entities they become checked member by member (against AWS's recorded answers where
LocalStack recorded them), imported APIs deployed and invoked, and bad documents refused
with nothing created."""
import json
import pathlib

import pytest

from conftest import make_client
from dataplane import backend, deploy, invoke
from helpers import expect_error

__all__ = ["backend"]

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "openapi"
PETSTORE_URI = "http://petstore.execute-api.us-east-1.amazonaws.com/petstore/pets"


def fixture(name, **replace):
    text = (FIXTURES / name).read_text()
    for k, v in replace.items():
        text = text.replace("${" + k + "}", v)
    return text


def by_path(apigw, api_id):
    items = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    return {r["path"]: r for r in items}


def strip(r):
    r = dict(r)
    r.pop("ResponseMetadata", None)
    return r


def test_petstore_swagger_entities_match_aws(apigw):
    api = apigw.import_rest_api(body=fixture("localstack/petstore-authorizer.swagger.json",
                                             uri=PETSTORE_URI),
                                failOnWarnings=True)
    assert api["name"] == "PetStore"
    assert api["version"] == "1.0"
    assert api["description"].startswith("Your first API with Amazon API Gateway.")
    assert api["apiKeySource"] == "HEADER"
    assert api["endpointConfiguration"] == {"types": ["EDGE"], "ipAddressType": "ipv4"}
    assert "warnings" not in api
    api_id = api["id"]
    paths = by_path(apigw, api_id)
    assert sorted(paths) == ["/", "/pets", "/pets/{petId}"]
    assert sorted(paths["/pets"]["resourceMethods"]) == ["GET", "OPTIONS", "POST"]
    assert paths["/pets/{petId}"]["pathPart"] == "{petId}"
    assert paths["/pets/{petId}"]["parentId"] == paths["/pets"]["id"]

    authorizers = sorted(apigw.get_authorizers(restApiId=api_id)["items"],
                         key=lambda a: a["name"])
    assert [a["name"] for a in authorizers] == ["test-authorizer", "test-authorizer-not-used"]
    used = authorizers[0]
    assert used["type"] == "TOKEN" and used["authType"] == "oauth2"
    assert used["identitySource"] == "method.request.header.Authorization"
    assert used["identityValidationExpression"] == "^x-[a-z]+"
    assert used["authorizerResultTtlInSeconds"] == 60

    # AWS's recorded GetMethod of GET /pets (LocalStack's test_import_swagger_api).
    m = strip(apigw.get_method(restApiId=api_id, resourceId=paths["/pets"]["id"],
                               httpMethod="GET"))
    assert m == {
        "apiKeyRequired": False,
        "authorizationType": "CUSTOM",
        "authorizerId": used["id"],
        "httpMethod": "GET",
        "methodIntegration": {
            "cacheKeyParameters": [],
            "cacheNamespace": paths["/pets"]["id"],
            "connectionType": "INTERNET",
            "httpMethod": "GET",
            "integrationResponses": {"200": {
                "responseParameters": {
                    "method.response.header.Access-Control-Allow-Origin": "'*'"},
                "statusCode": "200"}},
            "passthroughBehavior": "WHEN_NO_MATCH",
            "requestParameters": {
                "integration.request.querystring.page": "method.request.querystring.page",
                "integration.request.querystring.type": "method.request.querystring.type"},
            "timeoutInMillis": 29000,
            "type": "HTTP",
            "uri": PETSTORE_URI,
        },
        "methodResponses": {"200": {
            "responseModels": {"application/json": "Pets"},
            "responseParameters": {"method.response.header.Access-Control-Allow-Origin": False},
            "statusCode": "200"}},
        "requestParameters": {"method.request.querystring.page": False,
                              "method.request.querystring.type": False},
    }

    # Models: only the document's, references rewritten to AWS's model URLs.
    models = {m["name"]: m for m in apigw.get_models(restApiId=api_id)["items"]}
    assert sorted(models) == ["Empty", "NewPet", "NewPetResponse", "Pet", "PetType", "Pets"]
    assert all(m["contentType"] == "application/json" for m in models.values())
    assert json.loads(models["Pets"]["schema"]) == {
        "type": "array",
        "items": {"$ref": f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet"}}
    assert json.loads(models["PetType"]["schema"]) == {
        "type": "string", "enum": ["dog", "cat", "fish", "bird", "gecko"]}
    post = apigw.get_method(restApiId=api_id, resourceId=paths["/pets"]["id"],
                            httpMethod="POST")
    assert post["requestModels"] == {"application/json": "NewPet"}


def test_openapi3_mock_is_served_through_the_data_plane(server, apigw):
    api = apigw.import_rest_api(body=fixture("localstack/openapi-mock.json"),
                                failOnWarnings=True)
    api_id = api["id"]
    paths = by_path(apigw, api_id)
    assert sorted(paths) == ["/", "/echo", "/echo/{data}"]
    m = apigw.get_method(restApiId=api_id, resourceId=paths["/echo/{data}"]["id"],
                         httpMethod="ANY")
    assert m["methodIntegration"]["type"] == "MOCK"
    assert m["methodIntegration"]["passthroughBehavior"] == "WHEN_NO_TEMPLATES"
    assert m["methodResponses"]["200"]["responseModels"] == {"application/json": "Empty"}
    assert m["methodIntegration"]["integrationResponses"]["200"] == {
        "statusCode": "200",
        "responseTemplates": {"application/json":
                              "{\"echo\": \"$input.params('data')\", \"response\": \"mocked\"}"}}
    deploy(apigw, api_id, "dev")
    r = invoke(server, api_id, "dev", "/echo/hello", method="POST", json={})
    assert r.status_code == 200
    assert r.json() == {"echo": "hello", "response": "mocked"}


def test_imported_http_proxy_reaches_the_backend(server, apigw, backend):
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "proxy", "version": "1"},
        "paths": {"/{proxy+}": {
            "parameters": [{"name": "proxy", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "x-amazon-apigateway-any-method": {
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy", "httpMethod": "ANY",
                    "uri": backend.url + "/{proxy}",
                    "requestParameters": {
                        "integration.request.path.proxy": "method.request.path.proxy"},
                }}}},
    }
    api = apigw.import_rest_api(body=json.dumps(doc), failOnWarnings=True)
    paths = by_path(apigw, api["id"])
    m = paths["/{proxy+}"]["resourceMethods"]["ANY"]
    assert m["requestParameters"] == {"method.request.path.proxy": True}
    assert m["methodIntegration"]["type"] == "HTTP_PROXY"
    assert m["methodIntegration"]["httpMethod"] == "ANY"
    deploy(apigw, api["id"], "prod")
    r = invoke(server, api["id"], "prod", "/some/where?x=1")
    assert r.status_code == 200
    assert r.json()["path"] == "/some/where"
    assert r.json()["query"] == "x=1"


def test_yaml_documents_and_deep_paths(apigw):
    api = apigw.import_rest_api(body=fixture("moto/test_deep_api.yaml"))
    assert sorted(by_path(apigw, api["id"])) == [
        "/", "/test", "/test/some", "/test/some/deep", "/test/some/deep/path"]
    api = apigw.import_rest_api(body=fixture("moto/test_api.yaml"))
    assert api["name"] == "doc" and api["description"] == "description" and api["version"] == "1"
    paths = by_path(apigw, api["id"])
    assert sorted(paths["/"]["resourceMethods"]) == ["GET"]
    assert sorted(paths["/test"]["resourceMethods"]) == ["POST"]
    # x-amazon-apigateway-documentation comes in with the API.
    parts = apigw.get_documentation_parts(restApiId=api["id"])["items"]
    assert {p["location"]["type"] for p in parts} >= {"API", "METHOD"}


def test_security_schemes_request_validators_gateway_responses_and_api_extensions(apigw):
    doc = {
        "swagger": "2.0",
        "info": {"title": "full", "version": "2"},
        "x-amazon-apigateway-api-key-source": "AUTHORIZER",
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "x-amazon-apigateway-minimum-compression-size": 1024,
        "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": []},
        "tags": [{"name": "team", "x-amazon-apigateway-tag-value": "core"}],
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True},
            "params": {"validateRequestBody": False, "validateRequestParameters": True}},
        "x-amazon-apigateway-request-validator": "params",
        "x-amazon-apigateway-gateway-responses": {
            "DEFAULT_4XX": {"statusCode": 418,
                            "responseTemplates": {"application/json": '{"m": "teapot"}'}}},
        "securityDefinitions": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                      "x-amazon-apigateway-authtype": "awsSigv4"},
            "pool": {"type": "apiKey", "name": "Authorization", "in": "header",
                     "x-amazon-apigateway-authtype": "cognito_user_pools",
                     "x-amazon-apigateway-authorizer": {
                         "type": "cognito_user_pools",
                         "providerARNs": ["arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc"]}},
        },
        "paths": {
            "/a": {"get": {
                "security": [{"api_key": []}, {"pool": ["email"]}],
                "x-amazon-apigateway-request-validator": "all",
                "parameters": [{"name": "q", "in": "query", "required": True, "type": "string"},
                               {"name": "h", "in": "header", "type": "string"}],
                "responses": {"200": {"description": "ok", "headers": {"X-A": {"type": "string"}}}},
                "x-amazon-apigateway-integration": {
                    "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200"},
                                  "4\\d{2}": {"statusCode": "200", "responseParameters": {
                                      "method.response.header.X-A": "'x'"}}}}}},
            "/b": {"post": {"security": [{"sigv4": []}],
                            "responses": {"201": {"description": "created"}},
                            "x-amazon-apigateway-integration": {"type": "mock"}}},
        },
    }
    api = apigw.import_rest_api(body=json.dumps(doc), failOnWarnings=True)
    api_id = api["id"]
    assert api["apiKeySource"] == "AUTHORIZER"
    assert api["binaryMediaTypes"] == ["image/png"]
    assert api["minimumCompressionSize"] == 1024
    assert json.loads(api["policy"]) == {"Version": "2012-10-17", "Statement": []}
    assert api["tags"] == {"team": "core"}
    validators = {v["name"]: v for v in apigw.get_request_validators(restApiId=api_id)["items"]}
    assert validators["all"]["validateRequestBody"] is True
    assert validators["params"]["validateRequestBody"] is False
    [pool] = apigw.get_authorizers(restApiId=api_id)["items"]
    assert pool["name"] == "pool" and pool["type"] == "COGNITO_USER_POOLS"
    paths = by_path(apigw, api_id)
    a = paths["/a"]["resourceMethods"]["GET"]
    assert a["apiKeyRequired"] is True
    assert a["authorizationType"] == "COGNITO_USER_POOLS"
    assert a["authorizerId"] == pool["id"]
    assert a["authorizationScopes"] == ["email"]
    assert a["requestValidatorId"] == validators["all"]["id"]
    assert a["requestParameters"] == {"method.request.querystring.q": True,
                                      "method.request.header.h": False}
    assert a["methodResponses"]["200"]["responseParameters"] == {
        "method.response.header.X-A": False}
    responses = a["methodIntegration"]["integrationResponses"]
    assert responses["200"]["selectionPattern"] == "4\\d{2}"
    b = paths["/b"]["resourceMethods"]["POST"]
    assert b["authorizationType"] == "AWS_IAM"
    assert b["requestValidatorId"] == validators["params"]["id"]
    gr = apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert gr["statusCode"] == "418"
    assert gr["responseTemplates"] == {"application/json": '{"m": "teapot"}'}


def test_circular_model_references(apigw):
    api = apigw.import_rest_api(body=fixture("localstack/openapi.spec.circular-ref.json"),
                                failOnWarnings=True)
    models = {m["name"]: json.loads(m["schema"])
              for m in apigw.get_models(restApiId=api["id"])["items"]}
    url = f"https://apigateway.amazonaws.com/restapis/{api['id']}/models/"
    text = json.dumps(models)
    assert url + "Person" in text or url + "Company" in text
    assert "#/components/schemas/" not in text


@pytest.mark.parametrize("mode,expected", [("ignore", ["/", "/test"]),
                                           ("prepend", ["/", "/base", "/base/test"]),
                                           ("split", ["/", "/test"])])
def test_basepath_parameter(apigw, mode, expected):
    api = apigw.import_rest_api(body=fixture("localstack/swagger.json"),
                                parameters={"basepath": mode})
    assert sorted(by_path(apigw, api["id"])) == expected


def test_endpoint_configuration_types_parameter(apigw):
    api = apigw.import_rest_api(body=fixture("localstack/pets.json"),
                                parameters={"endpointConfigurationTypes": "REGIONAL"})
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]


def test_warnings_are_listed_or_refuse_the_import(apigw):
    body = fixture("localstack/openapi-basepath-url.yaml")
    api = apigw.import_rest_api(body=body)
    assert any("integration.request.header.nothing" in w for w in api["warnings"])
    before = apigw.get_rest_apis()["items"]
    expect_error(lambda: apigw.import_rest_api(body=body, failOnWarnings=True),
                 "BadRequestException", contains="Warnings found during import:")
    assert apigw.get_rest_apis()["items"] == before


@pytest.mark.parametrize("put_mode,types", [("merge", ["image/heif", "image/png", "image/jpg"]),
                                            ("overwrite", ["image/png", "image/jpg"])])
def test_put_rest_api_binary_media_types_as_aws(apigw, put_mode, types):
    # AWS's recorded answers (LocalStack's test_put_rest_api_mode_binary_media_types).
    base = apigw.create_rest_api(name="base", binaryMediaTypes=["image/heif"])
    put = apigw.put_rest_api(restApiId=base["id"], body=fixture("localstack/pets.json"),
                             mode=put_mode)
    assert put["binaryMediaTypes"] == types
    assert put["version"] == "1.0.0"
    assert put["tags"] == {}
    assert put["rootResourceId"] == base["rootResourceId"]
    assert put["id"] == base["id"]


def test_put_rest_api_merge_keeps_and_overwrite_replaces(apigw):
    api = apigw.import_rest_api(body=fixture("moto/test_api.json"))
    api_id = api["id"]
    extra = {"openapi": "3.0.1", "info": {"title": "doc2", "version": "2"},
             "paths": {"/other": {"get": {"responses": {"200": {"description": "ok"}},
                                          "x-amazon-apigateway-integration": {"type": "mock"}}}}}
    apigw.put_rest_api(restApiId=api_id, body=json.dumps(extra), mode="merge")
    paths = by_path(apigw, api_id)
    assert sorted(paths) == ["/", "/other", "/test"]
    root_id = paths["/"]["id"]
    put = apigw.put_rest_api(restApiId=api_id, body=json.dumps(extra), mode="overwrite")
    assert put["name"] == "doc2" and put["version"] == "2"
    paths = by_path(apigw, api_id)
    assert sorted(paths) == ["/", "/other"]
    assert paths["/"]["id"] == root_id
    assert "resourceMethods" not in paths["/"]
    assert apigw.get_models(restApiId=api_id)["items"] == []


BAD_TYPE = {"swagger": "2.0", "info": {"title": "bad"}, "paths": {"/x": {"get": {
    "responses": {"200": {"description": "ok"}},
    "x-amazon-apigateway-integration": {"type": "carrier_pigeon"}}}}}
BAD_REF = {"openapi": "3.0.1", "info": {"title": "bad"}, "paths": {"/x": {"get": {
    "responses": {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Nowhere"}}}}}}}}}


@pytest.mark.parametrize("body,message,contains", [
    ("{'key:value}", "Invalid OpenAPI input.", None),
    ('test:\n    value:\n        - "value ... \\"escaped\\": $var, \\"dt\\": $(var +"%a")}\\"\n',
     "Invalid OpenAPI input.", None),
    ("just text", "Invalid OpenAPI input.", None),
    (fixture("moto/test_api_invalid.json"),
     "Failed to parse the uploaded OpenAPI document due to: 'paths' is a required property", None),
    (fixture("moto/test_api_invalid_version.json"), "Only OpenAPI 3.x.x are currently supported",
     None),
    (json.dumps(BAD_TYPE), None, "Unable to put integration on 'GET' for resource at path '/x'"),
    (json.dumps(BAD_REF), None, "#/components/schemas/Nowhere"),
    # AWS refuses a mapping from a method request parameter the method does not declare.
    (fixture("moto/test_api_integration.yaml"), None,
     "Invalid mapping expression parameter specified: method.request.header.x-amz-date"),
], ids=["json", "yaml", "text", "no-paths", "version", "integration-type", "ref", "mapping"])
def test_bad_documents_are_refused_and_create_nothing(apigw, body, message, contains):
    base = apigw.create_rest_api(name="untouched")
    expect_error(lambda: apigw.import_rest_api(body=body), "BadRequestException",
                 message=message, contains=contains, status=400)
    expect_error(lambda: apigw.put_rest_api(restApiId=base["id"], body=body, mode="overwrite"),
                 "BadRequestException", message=message, contains=contains, status=400)
    assert [a["name"] for a in apigw.get_rest_apis()["items"]] == ["untouched"]
    assert [r["path"] for r in apigw.get_resources(restApiId=base["id"])["items"]] == ["/"]
    assert sorted(m["name"] for m in apigw.get_models(restApiId=base["id"])["items"]) == [
        "Empty", "Error"]


def test_put_rest_api_unknown_api_and_bad_mode(apigw):
    expect_error(lambda: apigw.put_rest_api(restApiId="nope123456", body=fixture("moto/test_api.json")),
                 "NotFoundException", status=404)
    api = apigw.create_rest_api(name="x")
    expect_error(lambda: apigw.put_rest_api(restApiId=api["id"], mode="unknown",
                                            body=fixture("moto/test_api.json")),
                 "BadRequestException",
                 message='Enumeration value of OpenAPI import mode must be "overwrite" or "merge"')


# Every document of the corpus but the ones the tests above refuse on purpose, and AWS's HTTP
# API examples that use HTTP-only extensions (`components.x-amazon-apigateway-integrations`),
# which tests/test_apigatewayv2_import_export.py imports.
REFUSED = {"moto/test_api_invalid.json", "moto/test_api_invalid_version.json",
           "moto/test_api_integration.yaml", "aws/http-api-integrations.json"}
CORPUS = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*")
                if p.suffix in (".json", ".yaml"))


@pytest.mark.parametrize("name", [n for n in CORPUS if n not in REFUSED])
def test_every_corpus_document_imports(apigw, name):
    # The templates LocalStack's tests fill in before importing these documents.
    lambda_arn = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                  "arn:aws:lambda:us-east-1:000000000000:function:f/invocations")
    replace = {"uri": PETSTORE_URI,
               "cognito_pool_arn": "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x",
               "lambda_invocation_arn": lambda_arn,
               "authorizer_lambda_invocation_arn": lambda_arn}
    api = apigw.import_rest_api(body=fixture(name, **replace))
    paths = by_path(apigw, api["id"])
    assert "/" in paths
    assert any(r.get("resourceMethods") for r in paths.values())


def test_merge_replaces_validators_and_authorizers_in_place(apigw):
    lambda_uri = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                  "arn:aws:lambda:us-east-1:000000000000:function:f/invocations")

    def doc(expression, validate_body):
        return json.dumps({
            "swagger": "2.0", "info": {"title": "m", "version": "1"},
            "x-amazon-apigateway-request-validators": {
                "v": {"validateRequestBody": validate_body, "validateRequestParameters": True}},
            "securityDefinitions": {"auth": {
                "type": "apiKey", "name": "Authorization", "in": "header",
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {
                    "type": "token", "authorizerUri": lambda_uri,
                    "identityValidationExpression": expression}}},
            "paths": {"/a": {"get": {
                "security": [{"auth": []}], "x-amazon-apigateway-request-validator": "v",
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {"type": "mock"}}}}})

    api = apigw.import_rest_api(body=doc("^a$", False), failOnWarnings=True)
    api_id = api["id"]
    [auth] = apigw.get_authorizers(restApiId=api_id)["items"]
    [validator] = apigw.get_request_validators(restApiId=api_id)["items"]
    # A method outside the document keeps naming them.
    root = by_path(apigw, api_id)["/"]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=auth["id"],
                     requestValidatorId=validator["id"])
    apigw.put_rest_api(restApiId=api_id, mode="merge", body=doc("^b$", True),
                       failOnWarnings=True)
    [auth2] = apigw.get_authorizers(restApiId=api_id)["items"]
    [validator2] = apigw.get_request_validators(restApiId=api_id)["items"]
    assert auth2["id"] == auth["id"] and auth2["identityValidationExpression"] == "^b$"
    assert validator2["id"] == validator["id"] and validator2["validateRequestBody"] is True
    root_get = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert root_get["authorizerId"] == auth["id"]


def test_imported_lambda_proxy_and_token_authorizer_are_served(server, apigw):
    """A SAM-style document: an AWS_PROXY integration and a Lambda TOKEN authorizer, both run
    by Portico's Lambda host, the authorizer enforced on the imported method."""
    from test_dataplane_lambda import TOKEN_AUTHORIZER, function, lambda_uri

    lam = make_client(server, service="lambda")
    echo = function(lam, "imported-echo", (
        "import json\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps({\n"
        "        'id': event['pathParameters']['id'],\n"
        "        'principal': event['requestContext']['authorizer']['principalId']})}\n"))
    auth = function(lam, "imported-auth", TOKEN_AUTHORIZER)
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "sam-style", "version": "1"},
        "components": {"securitySchemes": {"tok": {
            "type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": {
                "type": "token", "authorizerUri": lambda_uri(auth),
                "authorizerResultTtlInSeconds": 0}}}},
        "paths": {"/items/{id}": {"get": {
            "security": [{"tok": []}],
            "x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": lambda_uri(echo)}}}},
    }
    api = apigw.import_rest_api(body=json.dumps(doc), failOnWarnings=True)
    [authorizer] = apigw.get_authorizers(restApiId=api["id"])["items"]
    assert authorizer["identitySource"] == "method.request.header.Authorization"
    assert authorizer["authorizerResultTtlInSeconds"] == 0
    deploy(apigw, api["id"], "prod")
    r = invoke(server, api["id"], "prod", "/items/42")
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    r = invoke(server, api["id"], "prod", "/items/42", headers={"Authorization": "bob"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": "42", "principal": "user-bob"}


AWS_VARIABLES_DOC = """
openapi: "3.0.1"
info:
  title: "tasks-api"
  version: "v1.0"
paths:
  /:
    get:
      responses:
        200:
          description: "OK"
      x-amazon-apigateway-integration:
        uri: arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:LambdaFunctionName/invocations
        responses:
          default:
            statusCode: "200"
        passthroughBehavior: "when_no_match"
        httpMethod: "POST"
        contentHandling: "CONVERT_TO_TEXT"
        type: "aws_proxy"
  /other:
    get:
      responses:
        200:
          description: "OK"
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://${stageVariables.host}/${AWS::Region}"
"""


@pytest.mark.parametrize("region,partition", [("eu-west-2", "aws"), ("cn-north-1", "aws-cn")])
def test_aws_variables_are_resolved_on_import(server, region, partition):
    """AWS's "AWS variables for OpenAPI import": ${AWS::AccountId}, ${AWS::Partition} and
    ${AWS::Region} become the importing account's, on ImportRestApi and PutRestApi alike;
    stage variables stay references."""
    from portico_server import ACCOUNT_B
    client = make_client(server, account=ACCOUNT_B, region=region)
    want = (f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/"
            f"arn:{partition}:lambda:{region}:{ACCOUNT_B[2]}:function:LambdaFunctionName/invocations")
    api = client.import_rest_api(body=AWS_VARIABLES_DOC, failOnWarnings=True)
    paths = by_path(client, api["id"])
    assert paths["/"]["resourceMethods"]["GET"]["methodIntegration"]["uri"] == want
    assert paths["/other"]["resourceMethods"]["GET"]["methodIntegration"]["uri"] == \
        f"http://${{stageVariables.host}}/{region}"
    put = client.create_rest_api(name="put")
    client.put_rest_api(restApiId=put["id"], mode="overwrite", body=AWS_VARIABLES_DOC)
    assert by_path(client, put["id"])["/"]["resourceMethods"]["GET"]["methodIntegration"]["uri"] \
        == want
