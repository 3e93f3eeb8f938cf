"""GetExport (oas30 and swagger, JSON and YAML, extensions) of a stage's deployed API, and the
round trip: import → deploy → export → import into a new API gives the same entities."""
import json
import pathlib

import pytest
import yaml

from dataplane import add_resource, deploy, invoke, mock_method
from helpers import expect_error

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "openapi"


def export(apigw, api_id, stage, kind="oas30", accepts="application/json", **params):
    r = apigw.get_export(restApiId=api_id, stageName=stage, exportType=kind,
                         parameters=params, accepts=accepts)
    body = r["body"].read()
    # AWS answers exports as application/octet-stream, named after the type and the version.
    assert r["contentType"] == "application/octet-stream"
    assert r["contentDisposition"].startswith(f'attachment; filename="{kind}_')
    return yaml.safe_load(body) if "yaml" in accepts else json.loads(body)


def no_empty_maps(v):
    """Drop members that are empty maps: a `responseParameters={}` given to boto3 is stored,
    and an export (AWS's too) leaves it out."""
    if isinstance(v, dict):
        return {k: no_empty_maps(x) for k, x in v.items() if x != {}}
    return v


def definition(apigw, api_id):
    """The API's entities without ids, to compare two APIs."""
    resources = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    validators = {v["id"]: v["name"]
                  for v in apigw.get_request_validators(restApiId=api_id)["items"]}
    authorizers = {a["id"]: a["name"] for a in apigw.get_authorizers(restApiId=api_id)["items"]}
    out = {}
    for r in resources:
        methods = {}
        for verb, m in r.get("resourceMethods", {}).items():
            m = dict(m)
            if "requestValidatorId" in m:
                m["requestValidatorId"] = validators[m["requestValidatorId"]]
            if "authorizerId" in m:
                m["authorizerId"] = authorizers[m["authorizerId"]]
            integration = dict(m.get("methodIntegration", {}))
            integration.pop("cacheNamespace", None)
            m["methodIntegration"] = integration
            methods[verb] = no_empty_maps(m)
        out[r["path"]] = methods
    models = {m["name"]: json.loads(m["schema"].replace(api_id, "API"))
              for m in apigw.get_models(restApiId=api_id)["items"]}
    for s in models.values():
        s.pop("$schema", None)
    auths = sorted((dict(a, id=None) for a in apigw.get_authorizers(restApiId=api_id)["items"]),
                   key=lambda a: a["name"])
    vals = sorted((dict(v, id=None) for v in apigw.get_request_validators(restApiId=api_id)["items"]),
                  key=lambda v: v["name"])
    return {"paths": out, "models": models, "authorizers": auths, "validators": vals}


def test_oas30_export_as_aws_writes_it(apigw):
    api = apigw.import_rest_api(body=(FIXTURES / "localstack/openapi-mock.json").read_text())
    deploy(apigw, api["id"], "dev")
    doc = export(apigw, api["id"], "dev", extensions="integrations")
    assert doc["openapi"] == "3.0.1"
    assert doc["info"] == {"title": "wait-for-seconds",
                           "description": "Test API for asynchronous Lambda invocation",
                           "version": "2022-04-12T15:36:55Z"}
    assert doc["servers"] == [{
        "url": f"https://{api['id']}.execute-api.us-east-1.amazonaws.com/{{basePath}}",
        "variables": {"basePath": {"default": "dev"}}}]
    op = doc["paths"]["/echo/{data}"]["x-amazon-apigateway-any-method"]
    assert op["responses"]["200"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Empty"}}}
    assert op["x-amazon-apigateway-integration"]["type"] == "mock"
    assert op["x-amazon-apigateway-integration"]["passthroughBehavior"] == "when_no_templates"
    assert op["x-amazon-apigateway-integration"]["responses"]["default"]["statusCode"] == "200"
    assert doc["components"]["schemas"] == {"Empty": {"title": "Empty Schema", "type": "object"}}
    # Without extensions, no integration blocks.
    bare = export(apigw, api["id"], "dev")
    assert "x-amazon-apigateway-integration" not in \
        bare["paths"]["/echo/{data}"]["x-amazon-apigateway-any-method"]


def test_swagger_yaml_export_with_stage_base_path_and_definitions(apigw):
    body = (FIXTURES / "localstack/petstore-authorizer.swagger.json").read_text().replace(
        "${uri}", "http://petstore.example.com/pets")
    api = apigw.import_rest_api(body=body)
    deploy(apigw, api["id"], "prod")
    doc = export(apigw, api["id"], "prod", kind="swagger", accepts="application/yaml",
                 extensions="apigateway")
    assert doc["swagger"] == "2.0"
    assert doc["host"] == f"{api['id']}.execute-api.us-east-1.amazonaws.com"
    assert doc["basePath"] == "/prod"
    assert doc["schemes"] == ["https"]
    assert doc["definitions"]["Pets"] == {"type": "array",
                                          "items": {"$ref": "#/definitions/Pet"}}
    get = doc["paths"]["/pets"]["get"]
    assert get["security"] == [{"test-authorizer": []}]
    assert {"name": "page", "in": "query", "required": False, "type": "string"} in get["parameters"]
    assert get["responses"]["200"]["schema"] == {"$ref": "#/definitions/Pets"}
    auth = doc["securityDefinitions"]["test-authorizer"]
    assert auth["x-amazon-apigateway-authtype"] == "oauth2"
    assert auth["x-amazon-apigateway-authorizer"]["type"] == "token"
    assert auth["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"] == 60


def test_round_trip_import_export_import(apigw):
    body = (FIXTURES / "localstack/petstore-authorizer.swagger.json").read_text().replace(
        "${uri}", "http://petstore.example.com/pets")
    first = apigw.import_rest_api(body=body)
    deploy(apigw, first["id"], "prod")
    for kind in ("oas30", "swagger"):
        doc = export(apigw, first["id"], "prod", kind=kind, extensions="apigateway")
        second = apigw.import_rest_api(body=json.dumps(doc), failOnWarnings=True)
        assert definition(apigw, second["id"]) == definition(apigw, first["id"]), kind
        assert second["name"] == first["name"]
        assert second["description"] == first["description"]


def test_api_built_with_boto3_survives_export_and_import(server, apigw):
    api = apigw.create_rest_api(name="built", binaryMediaTypes=["image/png"])
    api_id, root = api["id"], api["rootResourceId"]
    apigw.create_model(restApiId=api_id, name="Thing", contentType="application/json",
                       schema=json.dumps({"type": "object",
                                          "properties": {"n": {"type": "integer"}}}))
    validator = apigw.create_request_validator(restApiId=api_id, name="body",
                                               validateRequestBody=True)
    things = add_resource(apigw, api_id, root, "things")
    one = add_resource(apigw, api_id, things, "{id}")
    mock_method(apigw, api_id, one, response_templates={
        "application/json": '{"id": "$input.params(\'id\')"}'},
        requestParameters={"method.request.path.id": True,
                           "method.request.querystring.q": False})
    apigw.put_method(restApiId=api_id, resourceId=things, httpMethod="POST",
                     authorizationType="AWS_IAM", requestValidatorId=validator["id"],
                     requestModels={"application/json": "Thing"}, apiKeyRequired=True)
    apigw.put_method_response(restApiId=api_id, resourceId=things, httpMethod="POST",
                              statusCode="201", responseModels={"application/json": "Thing"})
    apigw.put_integration(restApiId=api_id, resourceId=things, httpMethod="POST", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 201}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=things, httpMethod="POST",
                                   statusCode="201")
    apigw.put_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN",
                               statusCode="404",
                               responseTemplates={"application/json": '{"m": "none"}'})
    deploy(apigw, api_id, "v1")
    doc = export(apigw, api_id, "v1", extensions="apigateway")
    assert doc["x-amazon-apigateway-binary-media-types"] == ["image/png"]
    assert doc["x-amazon-apigateway-request-validators"] == {
        "body": {"validateRequestBody": True, "validateRequestParameters": False}}
    post = doc["paths"]["/things"]["post"]
    assert post["x-amazon-apigateway-request-validator"] == "body"
    assert post["security"] == [{"sigv4": []}, {"api_key": []}]
    copy = apigw.import_rest_api(body=json.dumps(doc), failOnWarnings=True)
    a, b = definition(apigw, copy["id"]), definition(apigw, api_id)
    for path in b["paths"]:
        for verb in b["paths"][path]:
            assert a["paths"][path][verb] == b["paths"][path][verb], (path, verb)
    assert a == b
    assert copy["binaryMediaTypes"] == ["image/png"]
    gr = apigw.get_gateway_response(restApiId=copy["id"],
                                    responseType="MISSING_AUTHENTICATION_TOKEN")
    assert gr["statusCode"] == "404"
    # The copy serves what the original served.
    deploy(apigw, copy["id"], "v1")
    r = invoke(server, copy["id"], "v1", "/things/42")
    assert r.status_code == 200 and r.json() == {"id": "42"}


def test_export_exports_the_deployed_snapshot_not_the_current_definition(apigw):
    api = apigw.create_rest_api(name="snap")
    mock_method(apigw, api["id"], api["rootResourceId"])
    deploy(apigw, api["id"], "s1")
    add = add_resource(apigw, api["id"], api["rootResourceId"], "later")
    mock_method(apigw, api["id"], add)
    doc = export(apigw, api["id"], "s1")
    assert list(doc["paths"]) == ["/"]


def test_export_errors(apigw):
    api = apigw.create_rest_api(name="e")
    mock_method(apigw, api["id"], api["rootResourceId"])
    deploy(apigw, api["id"], "s1")
    expect_error(lambda: apigw.get_export(restApiId=api["id"], stageName="nope",
                                          exportType="oas30"),
                 "NotFoundException", message="Invalid Stage identifier specified", status=404)
    expect_error(lambda: apigw.get_export(restApiId="nope123456", stageName="s1",
                                          exportType="oas30"),
                 "NotFoundException", status=404)
    expect_error(lambda: apigw.get_export(restApiId=api["id"], stageName="s1",
                                          exportType="raml"),
                 "BadRequestException", status=400)
    expect_error(lambda: apigw.get_export(restApiId=api["id"], stageName="s1",
                                          exportType="oas30",
                                          parameters={"extensions": "integrations,raml"}),
                 "BadRequestException", status=400, contains="raml")


@pytest.mark.parametrize("accepts", ["application/json", "application/yaml"])
def test_exported_document_imports_in_both_formats(apigw, accepts):
    api = apigw.import_rest_api(body=(FIXTURES / "localstack/openapi-mock.json").read_text())
    deploy(apigw, api["id"], "d")
    r = apigw.get_export(restApiId=api["id"], stageName="d", exportType="oas30",
                         parameters={"extensions": "integrations"}, accepts=accepts)
    again = apigw.import_rest_api(body=r["body"].read())
    assert definition(apigw, again["id"])["paths"].keys() == \
        definition(apigw, api["id"])["paths"].keys()


def random_api(apigw, rng):
    """An API built through the management API from a seeded generator, within what an
    OpenAPI document can say (one media type per body and response)."""
    api = apigw.create_rest_api(name=f"random-{rng.randrange(10**6)}")
    api_id, root = api["id"], api["rootResourceId"]
    models = []
    for i in range(rng.randrange(3)):
        name = f"M{i}"
        props = {f"p{j}": {"type": rng.choice(["string", "integer", "boolean"])}
                 for j in range(rng.randrange(1, 4))}
        if models and rng.random() < 0.5:
            props["ref"] = {"$ref": f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{models[-1]}"}
        apigw.create_model(restApiId=api_id, name=name, contentType="application/json",
                           schema=json.dumps({"type": "object", "properties": props}))
        models.append(name)
    validators = [apigw.create_request_validator(
        restApiId=api_id, name=f"v{i}", validateRequestBody=rng.random() < 0.5,
        validateRequestParameters=rng.random() < 0.5)["id"] for i in range(rng.randrange(3))]
    resources = [(root, "/")]
    for _ in range(rng.randrange(1, 6)):
        parent, path = rng.choice(resources)
        taken = {p for _, p in resources}
        part = rng.choice(["a", "b", "items", "x-y", "v1.0"]) if rng.random() < 0.7 else "{id}"
        child = ("" if path == "/" else path) + "/" + part
        if child in taken or ("{" in part and any(
                p.startswith(("" if path == "/" else path) + "/{") for p in taken)):
            continue
        resources.append((add_resource(apigw, api_id, parent, part), child))
    for rid, path in resources:
        # The root has a method at least, so the API can be deployed.
        count = rng.randrange(1 if path == "/" else 0, 3)
        for verb in rng.sample(["GET", "POST", "PUT", "DELETE", "ANY"], count):
            params = {f"method.request.querystring.q{i}": rng.random() < 0.5
                      for i in range(rng.randrange(3))}
            params.update({f"method.request.path.{seg[1:-1]}": True
                           for seg in path.split("/") if seg.startswith("{")})
            kw = {}
            if models and rng.random() < 0.5:
                kw["requestModels"] = {"application/json": rng.choice(models)}
            if validators and rng.random() < 0.5:
                kw["requestValidatorId"] = rng.choice(validators)
            apigw.put_method(restApiId=api_id, resourceId=rid, httpMethod=verb,
                             authorizationType=rng.choice(["NONE", "AWS_IAM"]),
                             apiKeyRequired=rng.random() < 0.3,
                             requestParameters=params, **kw)
            codes = rng.sample(["200", "201", "400", "500"], rng.randrange(1, 3))
            for code in codes:
                rkw = {}
                if models and rng.random() < 0.5:
                    rkw["responseModels"] = {"application/json": rng.choice(models)}
                if rng.random() < 0.5:
                    rkw["responseParameters"] = {"method.response.header.X-H": False}
                apigw.put_method_response(restApiId=api_id, resourceId=rid, httpMethod=verb,
                                          statusCode=code, **rkw)
            if rng.random() < 0.5:
                apigw.put_integration(restApiId=api_id, resourceId=rid, httpMethod=verb,
                                      type="MOCK", passthroughBehavior=rng.choice(
                                          ["WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES"]),
                                      requestTemplates={"application/json": '{"statusCode": 200}'})
            else:
                apigw.put_integration(restApiId=api_id, resourceId=rid, httpMethod=verb,
                                      type=rng.choice(["HTTP", "HTTP_PROXY"]),
                                      integrationHttpMethod=rng.choice(["GET", "POST"]),
                                      uri="http://backend.example.com/things",
                                      timeoutInMillis=rng.choice([29000, 5000]))
            for i, code in enumerate(codes):
                ikw = {"selectionPattern": f"{code[0]}\\d{{2}}"} if i else {}
                if "X-H" in json.dumps(apigw.get_method_response(
                        restApiId=api_id, resourceId=rid, httpMethod=verb, statusCode=code)):
                    ikw["responseParameters"] = {"method.response.header.X-H": "'h'"}
                apigw.put_integration_response(
                    restApiId=api_id, resourceId=rid, httpMethod=verb, statusCode=code,
                    responseTemplates={"application/json": f'{{"code": {code}}}'}, **ikw)
    return api_id


@pytest.mark.parametrize("seed", range(6))
def test_random_apis_survive_export_and_import(apigw, seed):
    import random
    rng = random.Random(seed)
    api_id = random_api(apigw, rng)
    deploy(apigw, api_id, "s")
    for kind in ("oas30", "swagger"):
        doc = export(apigw, api_id, "s", kind=kind, extensions="apigateway")
        copy = apigw.import_rest_api(body=json.dumps(doc), failOnWarnings=True)
        a, b = definition(apigw, copy["id"]), definition(apigw, api_id)
        for path in b["paths"]:
            for verb in b["paths"][path]:
                assert a["paths"][path][verb] == b["paths"][path][verb], (kind, seed, path, verb)
        assert a == b, (kind, seed)


def test_the_stage_documentation_version_is_exported_and_reimported(apigw):
    api = apigw.import_rest_api(body=(FIXTURES / "localstack/openapi-mock.json").read_text())
    api_id = api["id"]
    apigw.create_documentation_part(restApiId=api_id, location={"type": "API"},
                                    properties=json.dumps({"description": "v1 docs"}))
    apigw.create_documentation_part(
        restApiId=api_id, location={"type": "METHOD", "path": "/echo/{data}", "method": "ANY"},
        properties=json.dumps({"summary": "echo"}))
    deploy(apigw, api_id, "dev")
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1.0",
                                       stageName="dev")
    # Parts added after the version are not in it.
    apigw.create_documentation_part(restApiId=api_id, location={"type": "MODEL", "name": "Empty"},
                                    properties=json.dumps({"description": "later"}))
    doc = export(apigw, api_id, "dev", extensions="integrations")
    ext = doc["x-amazon-apigateway-documentation"]
    assert ext["version"] == "1.0"
    assert sorted((p["location"]["type"], json.dumps(p["properties"]))
                  for p in ext["documentationParts"]) == [
        ("API", '{"description": "v1 docs"}'), ("METHOD", '{"summary": "echo"}')]
    copy = apigw.import_rest_api(body=json.dumps(doc), failOnWarnings=True)
    parts = apigw.get_documentation_parts(restApiId=copy["id"])["items"]
    assert sorted(p["location"]["type"] for p in parts) == ["API", "METHOD"]
    # A stage without a documentation version exports none.
    deploy(apigw, api_id, "bare")
    assert "x-amazon-apigateway-documentation" not in export(apigw, api_id, "bare")


def test_api_settings_survive_export_and_import(apigw):
    api = apigw.create_rest_api(name="settings", disableExecuteApiEndpoint=True,
                                apiKeySource="AUTHORIZER", minimumCompressionSize=100,
                                policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
    mock_method(apigw, api["id"], api["rootResourceId"])
    deploy(apigw, api["id"], "s")
    doc = export(apigw, api["id"], "s", extensions="apigateway")
    assert doc["x-amazon-apigateway-endpoint-configuration"] == {"disableExecuteApiEndpoint": True}
    assert doc["x-amazon-apigateway-api-key-source"] == "AUTHORIZER"
    copy = apigw.import_rest_api(body=json.dumps(doc), failOnWarnings=True)
    for key in ("disableExecuteApiEndpoint", "apiKeySource", "minimumCompressionSize"):
        assert copy[key] == api[key], key
    assert json.loads(copy["policy"]) == json.loads(api["policy"])


POSTMAN_SIGV4 = {"currentHelper": "awsSigV4",
                 "helperAttributes": {"accessKey": "{{aws_access_key_id}}",
                                      "secretKey": "{{aws_secret_access_key}}",
                                      "region": "us-east-1", "service": "execute-api"}}


@pytest.mark.parametrize("kind,accepts", [("oas30", "application/json"),
                                          ("swagger", "application/yaml")])
def test_postman_extension_tells_postman_to_sign_iam_operations(apigw, kind, accepts):
    api = apigw.create_rest_api(name="postman")
    api_id, root = api["id"], api["rootResourceId"]
    mock_method(apigw, api_id, root)
    signed = add_resource(apigw, api_id, root, "signed")
    apigw.put_method(restApiId=api_id, resourceId=signed, httpMethod="POST",
                     authorizationType="AWS_IAM")
    apigw.put_method_response(restApiId=api_id, resourceId=signed, httpMethod="POST",
                              statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=signed, httpMethod="POST", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    keyed = add_resource(apigw, api_id, root, "keyed")
    mock_method(apigw, api_id, keyed)
    apigw.update_method(restApiId=api_id, resourceId=keyed, httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/apiKeyRequired",
                                          "value": "true"}])
    deploy(apigw, api_id, "dev")
    doc = export(apigw, api_id, "dev", kind=kind, accepts=accepts, extensions="postman")
    post = doc["paths"]["/signed"]["post"]
    assert post["x-postman-meta"] == POSTMAN_SIGV4
    assert post["security"] == [{"sigv4": []}]
    # Postman reads API keys from the security schemes; unsigned operations get no meta.
    assert "x-postman-meta" not in doc["paths"]["/keyed"]["get"]
    assert "x-postman-meta" not in doc["paths"]["/"]["get"]
    # postman alone adds no API Gateway extension...
    assert "x-amazon-apigateway-integration" not in post
    # ...and combines with them.
    both = export(apigw, api_id, "dev", kind=kind, extensions="postman,integrations")
    assert both["paths"]["/signed"]["post"]["x-postman-meta"] == POSTMAN_SIGV4
    assert both["paths"]["/signed"]["post"]["x-amazon-apigateway-integration"]["type"] == "mock"
    # Without it, no Postman meta.
    plain = export(apigw, api_id, "dev", kind=kind, extensions="integrations")
    assert "x-postman-meta" not in plain["paths"]["/signed"]["post"]
    # An export for Postman still imports to the same API.
    copy = apigw.import_rest_api(body=json.dumps(both), failOnWarnings=True)
    assert definition(apigw, copy["id"]) == definition(apigw, api_id)


def test_postman_signing_region_is_the_apis(server):
    import boto3
    client = boto3.client("apigateway", endpoint_url=server.url, region_name="eu-west-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    api = client.create_rest_api(name="postman-eu")
    client.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                      authorizationType="AWS_IAM")
    client.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"],
                           httpMethod="GET", type="MOCK")
    deploy(client, api["id"], "dev")
    doc = export(client, api["id"], "dev", extensions="postman")
    meta = doc["paths"]["/"]["get"]["x-postman-meta"]
    assert meta["helperAttributes"]["region"] == "eu-west-1"
    assert doc["servers"][0]["url"].startswith(f"https://{api['id']}.execute-api.eu-west-1.")


def test_stage_variable_references_are_exported_as_written_not_substituted(apigw):
    """An export is the stage's deployment, which every stage on it shares: stage variable
    references stay `${stageVariables.x}` (as GetIntegration answers them), only the
    servers/basePath name the stage, and the copy still reads each stage's variables."""
    api = apigw.create_rest_api(name="stagevars")
    api_id, root = api["id"], api["rootResourceId"]
    pets = add_resource(apigw, api_id, root, "pets")
    apigw.put_method(restApiId=api_id, resourceId=pets, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_method_response(restApiId=api_id, resourceId=pets, httpMethod="GET",
                              statusCode="200")
    apigw.put_integration(
        restApiId=api_id, resourceId=pets, httpMethod="GET", type="HTTP",
        integrationHttpMethod="GET", uri="http://${stageVariables.host}/pets",
        requestParameters={"integration.request.header.X-Env": "stageVariables.env"},
        requestTemplates={"application/json": '{"env": "$stageVariables.env"}'})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=pets, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": '{"stage": "${stageVariables.env}"}'})
    deployment = deploy(apigw, api_id, "dev",
                        variables={"host": "dev.example.com", "env": "dev"})
    apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=deployment,
                       variables={"host": "prod.example.com", "env": "prod"})
    dev = export(apigw, api_id, "dev", extensions="integrations")
    prod = export(apigw, api_id, "prod", extensions="integrations")
    integration = dev["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]
    assert integration["uri"] == "http://${stageVariables.host}/pets"
    assert integration["requestParameters"] == {
        "integration.request.header.X-Env": "stageVariables.env"}
    assert integration["requestTemplates"] == {
        "application/json": '{"env": "$stageVariables.env"}'}
    assert integration["responses"]["default"]["responseTemplates"] == {
        "application/json": '{"stage": "${stageVariables.env}"}'}
    assert "dev.example.com" not in json.dumps(dev)
    # The two stages share the deployment: only the base path tells them apart.
    assert dev["servers"][0]["variables"] == {"basePath": {"default": "dev"}}
    assert prod["servers"][0]["variables"] == {"basePath": {"default": "prod"}}
    assert dev["paths"] == prod["paths"]
    swagger = export(apigw, api_id, "prod", kind="swagger", extensions="integrations")
    assert swagger["basePath"] == "/prod"
    assert swagger["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]["uri"] == \
        "http://${stageVariables.host}/pets"
    copy = apigw.import_rest_api(body=json.dumps(dev), failOnWarnings=True)
    assert definition(apigw, copy["id"]) == definition(apigw, api_id)


@pytest.mark.parametrize("name,kind,extensions", [
    ("s3-proxy.swagger.json", "swagger", "integrations"),
    ("kinesis-proxy.swagger.json", "swagger", "integrations"),
    ("kinesis-proxy.oas30.json", "oas30", "integrations"),
    # Its request validators are there: AWS exported it with the apigateway extensions.
    ("lambda-proxy.swagger.json", "swagger", "apigateway"),
])
def test_export_equals_awss_own_export_of_its_sample_apis(apigw, name, kind, extensions):
    """The developer guide's S3, Kinesis and Lambda proxy APIs as AWS exported them: imported,
    deployed and exported again, Portico writes the same document (all but the API's address
    and the stage; the OpenAPI 3 one was trimmed of its servers in the guide)."""
    aws = json.loads((FIXTURES / "aws" / name).read_text())
    api = apigw.import_rest_api(body=json.dumps(aws), failOnWarnings=True)
    deploy(apigw, api["id"], "test")
    ours = export(apigw, api["id"], "test", kind=kind, extensions=extensions)
    if kind == "swagger":
        assert ours.pop("host") == f"{api['id']}.execute-api.us-east-1.amazonaws.com"
        assert ours.pop("basePath") == "/test"
        aws.pop("host", None)
        aws.pop("basePath", None)
    else:
        assert ours.pop("servers")[0]["variables"] == {"basePath": {"default": "test"}}
        assert (ours.pop("openapi"), aws.pop("openapi")) == ("3.0.1", "3.0.0")
    assert ours == aws
    # Two request models are two body parameters, as AWS writes them; they import back.
    if name == "kinesis-proxy.swagger.json":
        body = [p for p in ours["paths"]["/streams/{stream-name}/records"]["put"]["parameters"]
                if p["in"] == "body"]
        assert len(body) == 2
        copy = apigw.import_rest_api(body=json.dumps(ours), failOnWarnings=True)
        assert definition(apigw, copy["id"]) == definition(apigw, api["id"])
