"""Data plane with MOCK integrations: request validation, request templates and passthrough,
integration response selection and mapping, method responses, gateway responses, CORS."""
import json

from dataplane import add_resource, deploy, invoke, mock_method


def test_mock_status_and_response_template_with_context_and_stage_variables(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root, status="201", request_template='{"statusCode": 201}',
                response_templates={"application/json":
                                    '{"stage": "$context.stage", "env": "$stageVariables.env",'
                                    ' "q": "$input.params(\'q\')", "method": "$context.httpMethod"}'})
    deploy(apigw, api_id, "dev", variables={"env": "development"})
    r = invoke(server, api_id, "dev", "/?q=hello")
    assert r.status_code == 201
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"stage": "dev", "env": "development", "q": "hello", "method": "GET"}


def test_integration_response_selected_by_status_pattern(server, apigw, api):
    api_id, root = api
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    for code in ("200", "404"):
        apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                  statusCode=code)
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json":
                                            '{"statusCode": $input.params(\'code\')}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200",
                                   responseTemplates={"application/json": '{"ok": true}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="404", selectionPattern="4\\d{2}",
                                   responseTemplates={"application/json": '{"ok": false}'})
    deploy(apigw, api_id)
    assert (invoke(server, api_id, "prod", "/?code=200").status_code, ) == (200,)
    r = invoke(server, api_id, "prod", "/?code=418")
    assert (r.status_code, r.json()) == (404, {"ok": False})
    # 503 matches no pattern: the default (no selectionPattern) response answers.
    r = invoke(server, api_id, "prod", "/?code=503")
    assert (r.status_code, r.json()) == (200, {"ok": True})


def test_response_parameters_map_headers(server, apigw, api):
    api_id, root = api
    res = add_resource(apigw, api_id, root, "{id}")
    mock_method(apigw, api_id, res,
                method_response_parameters={"method.response.header.X-Id": False,
                                            "method.response.header.X-Static": False,
                                            "method.response.header.X-Env": False},
                response_parameters={"method.response.header.X-Id": "method.request.path.id",
                                     "method.response.header.X-Static": "'fixed'",
                                     "method.response.header.X-Env": "stageVariables.env"})
    deploy(apigw, api_id, variables={"env": "e1"})
    r = invoke(server, api_id, "prod", "/abc")
    assert r.status_code == 200
    assert (r.headers["X-Id"], r.headers["X-Static"], r.headers["X-Env"]) == ("abc", "fixed", "e1")


def test_required_parameters_are_validated(server, apigw, api):
    api_id, root = api
    v = apigw.create_request_validator(restApiId=api_id, name="params",
                                       validateRequestParameters=True)["id"]
    mock_method(apigw, api_id, root, requestValidatorId=v,
                requestParameters={"method.request.querystring.name": True,
                                   "method.request.header.x-key": True,
                                   "method.request.querystring.optional": False})
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/")
    assert r.status_code == 400
    assert r.json() == {"message": "Missing required request parameters: [name, x-key]"}
    assert r.headers["x-amzn-ErrorType"] == "BadRequestException"
    r = invoke(server, api_id, "prod", "/?name=a", headers={"x-key": "k"})
    assert r.status_code == 200


def test_body_is_validated_against_the_model_with_refs(server, apigw, api):
    api_id, root = api
    apigw.create_model(restApiId=api_id, name="Owner", contentType="application/json",
                       schema=json.dumps({"$schema": "http://json-schema.org/draft-04/schema#",
                                          "type": "object", "required": ["id"],
                                          "properties": {"id": {"type": "integer"}}}))
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json",
                       schema=json.dumps({
                           "$schema": "http://json-schema.org/draft-04/schema#",
                           "type": "object", "required": ["name"],
                           "properties": {
                               "name": {"type": "string", "minLength": 1},
                               "owner": {"$ref": f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Owner"}}}))
    v = apigw.create_request_validator(restApiId=api_id, name="body",
                                       validateRequestBody=True)["id"]
    mock_method(apigw, api_id, root, method="POST", requestValidatorId=v,
                requestModels={"application/json": "Pet"})
    deploy(apigw, api_id)
    ok = invoke(server, api_id, "prod", "/", method="POST",
                json={"name": "rex", "owner": {"id": 1}})
    assert ok.status_code == 200, ok.text
    for bad in ({"owner": {"id": 1}}, {"name": "rex", "owner": {"id": "one"}}, {"name": ""}):
        r = invoke(server, api_id, "prod", "/", method="POST", json=bad)
        assert r.status_code == 400, bad
        assert r.json() == {"message": "Invalid request body"}
    r = invoke(server, api_id, "prod", "/", method="POST", data="{not json",
               headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_passthrough_behaviours(server, apigw, api):
    api_id, root = api
    for path, behaviour in (("never", "NEVER"), ("nomatch", "WHEN_NO_MATCH"),
                            ("notemplates", "WHEN_NO_TEMPLATES")):
        res = add_resource(apigw, api_id, root, path)
        mock_method(apigw, api_id, res, method="POST")
        apigw.update_integration(restApiId=api_id, resourceId=res, httpMethod="POST",
                                 patchOperations=[{"op": "replace", "path": "/passthroughBehavior",
                                                   "value": behaviour}])
    deploy(apigw, api_id)
    xml = {"data": "<a/>", "headers": {"Content-Type": "application/xml"}}
    js = {"data": "{}", "headers": {"Content-Type": "application/json"}}
    # A template exists for application/json only.
    assert invoke(server, api_id, "prod", "/never", "POST", **js).status_code == 200
    r = invoke(server, api_id, "prod", "/never", "POST", **xml)
    assert (r.status_code, r.json()) == (415, {"message": "Unsupported Media Type"})
    assert r.headers["x-amzn-ErrorType"] == "UnsupportedMediaTypeException"
    assert invoke(server, api_id, "prod", "/notemplates", "POST", **xml).status_code == 415
    # WHEN_NO_MATCH passes the XML through: the MOCK reads no statusCode from it and answers
    # AWS's configuration error.
    r = invoke(server, api_id, "prod", "/nomatch", "POST", **xml)
    assert r.status_code == 500
    assert r.json() == {"message": "Internal server error"}


def test_customised_gateway_responses(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    apigw.put_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
        responseParameters={"gatewayresponse.header.x-hint": "'check the path'",
                            "gatewayresponse.header.x-rid": "context.requestId"},
        responseTemplates={"application/json":
                           '{"error": $context.error.messageString, "type": "$context.error.responseType"}'})
    apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                               responseTemplates={"application/json": '{"default4xx": true}'},
                               responseParameters={"gatewayresponse.header.x-class": "'4xx'"})
    v = apigw.create_request_validator(restApiId=api_id, name="p",
                                       validateRequestParameters=True)["id"]
    res = add_resource(apigw, api_id, root, "v")
    mock_method(apigw, api_id, res, requestValidatorId=v,
                requestParameters={"method.request.querystring.q": True})
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/nowhere")
    assert r.status_code == 404
    assert r.json() == {"error": "Missing Authentication Token",
                        "type": "MISSING_AUTHENTICATION_TOKEN"}
    assert r.headers["x-hint"] == "check the path"
    assert r.headers["x-rid"] == r.headers["x-amzn-RequestId"]
    # BAD_REQUEST_PARAMETERS is not customised: DEFAULT_4XX applies, with the type's own status.
    r = invoke(server, api_id, "prod", "/v")
    assert (r.status_code, r.json(), r.headers["x-class"]) == (400, {"default4xx": True}, "4xx")


def test_gateway_response_changes_need_a_deployment(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root)
    deploy(apigw, api_id)
    apigw.put_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN",
                               statusCode="404")
    assert invoke(server, api_id, "prod", "/x").status_code == 403
    deploy(apigw, api_id)
    assert invoke(server, api_id, "prod", "/x").status_code == 404


def test_cors_preflight_with_mock_options(server, apigw, api):
    api_id, root = api
    headers = {"method.response.header.Access-Control-Allow-Origin": "'*'",
               "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
               "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Api-Key'"}
    mock_method(apigw, api_id, root, method="OPTIONS",
                method_response_parameters={k: False for k in headers},
                response_parameters=headers)
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/", method="OPTIONS",
               headers={"Origin": "http://example.com", "Access-Control-Request-Method": "GET"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"
    assert r.headers["Access-Control-Allow-Headers"] == "Content-Type,X-Api-Key"


def test_response_template_chosen_by_accept(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root,
                response_templates={"application/json": '{"kind": "json"}',
                                    "application/xml": "<kind>xml</kind>"})
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/", headers={"Accept": "application/xml"})
    assert (r.text, r.headers["Content-Type"]) == ("<kind>xml</kind>", "application/xml")
    r = invoke(server, api_id, "prod", "/", headers={"Accept": "text/html"})
    assert r.json() == {"kind": "json"}


def test_payload_over_10_mb_is_rejected(server, apigw, api):
    api_id, root = api
    mock_method(apigw, api_id, root, method="POST")
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/", method="POST", data=b"x" * (10 * 1024 * 1024 + 1),
               headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.headers["x-amzn-ErrorType"] == "RequestTooLargeException"


def test_a_null_response_template_is_kept_and_renders_empty(server, apigw, api):
    # AWS stores a template given as null (or "") as null (recorded: LocalStack's
    # test_put_integration_response_templates, replayed in tests/aws_recorded)
    api_id, root = api
    mock_method(apigw, api_id, root)
    r = apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                       statusCode="200", responseTemplates={"application/json": ""})
    assert r["responseTemplates"] == {"application/json": None}
    deploy(apigw, api_id, "dev")
    r = invoke(server, api_id, "dev", "/")
    assert (r.status_code, r.content) == (200, b"")
