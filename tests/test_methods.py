"""Methods and method responses: PutMethod/GetMethod/UpdateMethod/DeleteMethod and the
*MethodResponse operations, with AWS's defaults, validation texts and patch rules."""
import pytest

from helpers import expect_error, replace

AUTHORIZER_TEXT = ("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                   "COGNITO_USER_POOLS requires a valid authorizer.")


def put_get(apigw, api_id, rid, verb="GET", **kw):
    kw.setdefault("authorizationType", "NONE")
    return apigw.put_method(restApiId=api_id, resourceId=rid, httpMethod=verb, **kw)


def strip(r):
    r = dict(r)
    r.pop("ResponseMetadata", None)
    return r


def test_put_method_defaults_and_get(apigw, api):
    api_id, root = api
    r = put_get(apigw, api_id, root)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert strip(r) == {"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False}
    got = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert strip(got) == strip(r)


def test_put_method_with_every_member(apigw, api):
    api_id, root = api
    r = put_get(apigw, api_id, root, "POST", authorizationType="AWS_IAM", apiKeyRequired=True,
                operationName="CreatePet",
                requestParameters={"method.request.querystring.q": True,
                                   "method.request.header.X-Trace": False,
                                   "method.request.path.id": True},
                requestModels={"application/json": "Empty"})
    assert strip(r) == {
        "httpMethod": "POST", "authorizationType": "AWS_IAM", "apiKeyRequired": True,
        "operationName": "CreatePet",
        "requestParameters": {"method.request.querystring.q": True,
                              "method.request.header.X-Trace": False,
                              "method.request.path.id": True},
        "requestModels": {"application/json": "Empty"},
    }
    assert strip(apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")) == strip(r)


def test_every_verb_and_any(apigw, api):
    api_id, root = api
    for verb in ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"):
        assert put_get(apigw, api_id, root, verb)["httpMethod"] == verb
    listed = apigw.get_resource(restApiId=api_id, resourceId=root)["resourceMethods"]
    assert sorted(listed) == sorted(["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"])


def test_put_method_validation(apigw, api):
    api_id, root = api
    expect_error(lambda: put_get(apigw, "nope000000", root), "NotFoundException",
                 "Invalid Resource identifier specified", 404)
    expect_error(lambda: put_get(apigw, api_id, "nope00"), "NotFoundException",
                 "Invalid Resource identifier specified", 404)
    expect_error(lambda: put_get(apigw, api_id, root, "WRONG"), "BadRequestException",
                 "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY",
                 400)
    expect_error(lambda: put_get(apigw, api_id, root, authorizationType="CUSTOM"),
                 "BadRequestException", AUTHORIZER_TEXT, 400)
    expect_error(lambda: put_get(apigw, api_id, root, authorizationType="COGNITO_USER_POOLS",
                                 authorizerId="nope00"),
                 "BadRequestException", AUTHORIZER_TEXT, 400)
    expect_error(lambda: put_get(apigw, api_id, root, authorizationType="BASIC"),
                 "BadRequestException", status=400,
                 message="Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
    expect_error(lambda: put_get(apigw, api_id, root, requestValidatorId="nope00"),
                 "BadRequestException", "Invalid Request Validator identifier specified", 400)
    expect_error(lambda: put_get(apigw, api_id, root, requestModels={"application/json": "petModel"}),
                 "BadRequestException", "Invalid model identifier specified: petModel", 400)
    expect_error(lambda: put_get(apigw, api_id, root,
                                 requestParameters={"method.request.querystring.a": True,
                                                    "method.request.header.a": True}),
                 "BadRequestException",
                 "Parameter names must be unique across querystring, header and path", 400)
    expect_error(lambda: put_get(apigw, api_id, root, requestParameters={"method.request.cookie.a": True}),
                 "BadRequestException", status=400,
                 message="Invalid mapping expression specified: Validation Result: warnings : [], errors : "
                         "[Invalid mapping expression parameter specified: method.request.cookie.a]")
    expect_error(lambda: put_get(apigw, api_id, root,
                                 requestParameters={"method.request.querystring.page[size]": True}),
                 "BadRequestException", status=400,
                 message="Invalid mapping expression specified: Validation Result: warnings : [], errors : "
                         "[Parameter name should match the following regular expression: ^[a-zA-Z0-9._$-]+$]")
    # None of the failures left a method behind.
    assert "resourceMethods" not in apigw.get_resource(restApiId=api_id, resourceId=root)


def test_method_already_exists(apigw, api):
    api_id, root = api
    put_get(apigw, api_id, root, "ANY")
    expect_error(lambda: put_get(apigw, api_id, root, "ANY"), "ConflictException",
                 "Method already exists for this resource", 409)


def test_authorizer_id_is_dropped_without_an_authorizer_type(apigw, api):
    api_id, root = api
    r = put_get(apigw, api_id, root, authorizationType="NONE", authorizerId="abc123")
    assert "authorizerId" not in r


def test_missing_method(apigw, api):
    api_id, root = api
    for call in (
        lambda: apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET"),
        lambda: apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="GET"),
        lambda: apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                    patchOperations=[replace("/apiKeyRequired", "true")]),
    ):
        expect_error(call, "NotFoundException", "Invalid Method identifier specified", 404)
    expect_error(lambda: apigw.get_method(restApiId="nope000000", resourceId=root, httpMethod="GET"),
                 "NotFoundException", "Invalid Resource identifier specified", 404)


def test_delete_method(apigw, api):
    api_id, root = api
    put_get(apigw, api_id, root, "ANY")
    put_get(apigw, api_id, root, "GET")
    r = apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="ANY")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error(lambda: apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="ANY"),
                 "NotFoundException", "Invalid Method identifier specified", 404)
    expect_error(lambda: apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="ANY"),
                 "NotFoundException", "Invalid Method identifier specified", 404)
    assert list(apigw.get_resource(restApiId=api_id, resourceId=root)["resourceMethods"]) == ["GET"]
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert "resourceMethods" not in apigw.get_resource(restApiId=api_id, resourceId=root)


def test_update_method(apigw, api):
    api_id, root = api
    put_get(apigw, api_id, root, "ANY")
    upd = lambda ops: apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="ANY",
                                          patchOperations=ops)
    r = upd([{"op": "add", "path": "/requestParameters/method.request.querystring.optional", "value": "true"},
             {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"}])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert strip(r) == {"httpMethod": "ANY", "authorizationType": "NONE", "apiKeyRequired": False,
                        "requestParameters": {"method.request.querystring.optional": True},
                        "requestModels": {"application/json": "Empty"}}
    r = upd([replace("/apiKeyRequired", "true"), replace("/authorizationType", "aws_iam"),
             replace("/operationName", "ReplacedOperationName"),
             replace("/requestParameters/method.request.querystring.optional", "false")])
    assert strip(r) == {"httpMethod": "ANY", "authorizationType": "AWS_IAM", "apiKeyRequired": True,
                        "operationName": "ReplacedOperationName",
                        "requestParameters": {"method.request.querystring.optional": False},
                        "requestModels": {"application/json": "Empty"}}
    r = upd([{"op": "remove", "path": "/requestParameters/method.request.querystring.optional"},
             {"op": "remove", "path": "/requestModels/application~1json"}])
    assert "requestParameters" not in r and "requestModels" not in r
    # A non-boolean text reads as false, as AWS does.
    assert upd([replace("/apiKeyRequired", "wrong")])["apiKeyRequired"] is False
    # The change is stored, not only echoed.
    got = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="ANY")
    assert got["authorizationType"] == "AWS_IAM" and got["operationName"] == "ReplacedOperationName"


def test_update_method_authorization_scopes(apigw, api):
    api_id, root = api
    put_get(apigw, api_id, root)
    upd = lambda op, v: apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                            patchOperations=[{"op": op, "path": "/authorizationScopes", "value": v}])
    upd("add", "email")
    assert upd("add", "openid")["authorizationScopes"] == ["email", "openid"]
    assert upd("remove", "email")["authorizationScopes"] == ["openid"]
    assert "authorizationScopes" not in upd("remove", "openid")


def test_update_method_validation(apigw, api):
    api_id, root = api
    upd = lambda ops, rid=root, api=api_id: apigw.update_method(
        restApiId=api, resourceId=rid, httpMethod="ANY", patchOperations=ops)
    expect_error(lambda: upd([replace("/apiKeyRequired", "true")], api="nope000000"),
                 "NotFoundException", "Invalid Resource identifier specified", 404)
    expect_error(lambda: upd([replace("/apiKeyRequired", "true")], rid="nope00"),
                 "NotFoundException", "Invalid Resource identifier specified", 404)
    put_get(apigw, api_id, root, "ANY", apiKeyRequired=True)
    expect_error(lambda: upd([{"op": "add", "path": "/apiKeyRequired", "value": "true"}]),
                 "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]", 400)
    expect_error(lambda: upd([{"op": "remove", "path": "/operationName"}]),
                 "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]", 400)
    expect_error(lambda: upd([replace("/httpMethod", "GET")]),
                 "BadRequestException", "Invalid patch path /httpMethod", 400)
    expect_error(lambda: upd([{"op": "add", "path": "/requestParameters", "value": "true"}]),
                 "BadRequestException", "Invalid patch path /requestParameters", 400)
    expect_error(lambda: upd([{"op": "add", "path": "/requestModels/application/json", "value": "Empty"}]),
                 "BadRequestException", "Invalid patch path /requestModels/application/json", 400)
    expect_error(lambda: upd([replace("/authorizationType", "CUSTOM")]),
                 "BadRequestException", AUTHORIZER_TEXT, 400)
    expect_error(lambda: upd([replace("/authorizationType", "COGNITO_USER_POOLS"),
                              replace("/authorizerId", "nope00")]),
                 "BadRequestException", AUTHORIZER_TEXT, 400)
    expect_error(lambda: upd([replace("/requestValidatorId", "nope00")]),
                 "BadRequestException", "Invalid Request Validator identifier specified", 400)
    expect_error(lambda: upd([{"op": "add", "path": "/requestModels/application~1json", "value": "petModel"}]),
                 "BadRequestException", "Invalid model identifier specified: petModel", 400)
    expect_error(lambda: upd([{"op": "add", "path": "/requestParameters/method.request.body.x", "value": "true"}]),
                 "BadRequestException", status=400,
                 contains="Invalid mapping expression parameter specified: method.request.body.x")
    expect_error(lambda: upd([{"op": "move", "path": "/operationName", "from": "/x"}]),
                 "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]", 400)
    # The method is looked up before the patch is judged.
    expect_error(lambda: apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="PUT",
                                             patchOperations=[replace("/httpMethod", "GET")]),
                 "NotFoundException", "Invalid Method identifier specified", 404)
    # An authorizer id on a method without CUSTOM/COGNITO authorization is ignored.
    r = upd([replace("/authorizerId", "abc123")])
    assert "authorizerId" not in r
    # A failed update leaves the method as it was (all ops or none).
    expect_error(lambda: upd([replace("/operationName", "Half"), replace("/requestValidatorId", "nope00")]),
                 "BadRequestException", "Invalid Request Validator identifier specified", 400)
    assert "operationName" not in apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="ANY")
    # An empty validator id removes the validator.
    assert "requestValidatorId" not in upd([replace("/requestValidatorId", "")])


def test_method_responses(apigw, api):
    api_id, root = api
    put_get(apigw, api_id, root)
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="GET")
    r = apigw.put_method_response(statusCode="200", **kw)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert strip(r) == {"statusCode": "200"}
    r = apigw.put_method_response(statusCode="400", responseParameters={"method.response.header.X-Err": True},
                                  responseModels={"application/json": "Error"}, **kw)
    assert strip(r) == {"statusCode": "400", "responseParameters": {"method.response.header.X-Err": True},
                        "responseModels": {"application/json": "Error"}}
    assert strip(apigw.get_method_response(statusCode="400", **kw)) == strip(r)
    method = apigw.get_method(**kw)
    assert method["methodResponses"] == {"200": {"statusCode": "200"}, "400": strip(r)}
    expect_error(lambda: apigw.put_method_response(statusCode="200", **kw), "ConflictException",
                 "Response already exists for this resource", 409)

    d = apigw.delete_method_response(statusCode="400", **kw)
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (lambda: apigw.get_method_response(statusCode="400", **kw),
                 lambda: apigw.delete_method_response(statusCode="400", **kw),
                 lambda: apigw.update_method_response(statusCode="400", patchOperations=[], **kw)):
        expect_error(call, "NotFoundException", "Invalid Response status code specified", 404)
    apigw.delete_method_response(statusCode="200", **kw)
    assert "methodResponses" not in apigw.get_method(**kw)


def test_method_response_validation(apigw, api):
    api_id, root = api
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="GET")
    expect_error(lambda: apigw.put_method_response(statusCode="200", **kw),
                 "NotFoundException", "Invalid Method identifier specified", 404)
    expect_error(lambda: apigw.put_method_response(statusCode="200", **{**kw, "resourceId": "nope00"}),
                 "NotFoundException", "Invalid Resource identifier specified", 404)
    put_get(apigw, api_id, root)
    for bad in ("600", "99", "20x", "2000"):
        expect_error(lambda: apigw.put_method_response(statusCode=bad, **kw), "ValidationException", status=400,
                     message=f"1 validation error detected: Value '{bad}' at 'statusCode' failed to satisfy "
                             "constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d")
    expect_error(lambda: apigw.put_method_response(statusCode="200", responseModels={"application/json": "Nope"}, **kw),
                 "BadRequestException", "Invalid model identifier specified: Nope", 400)
    expect_error(lambda: apigw.put_method_response(statusCode="200",
                                                   responseParameters={"method.response.body.x": True}, **kw),
                 "BadRequestException", status=400,
                 contains="Invalid mapping expression parameter specified: method.response.body.x")


def test_update_method_response_returns_201(apigw, api):
    api_id, root = api
    put_get(apigw, api_id, root)
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200")
    apigw.put_method_response(**kw)
    r = apigw.update_method_response(patchOperations=[
        {"op": "add", "path": "/responseParameters/method.response.header.X-A", "value": "true"},
        {"op": "add", "path": "/responseModels/application~1json", "value": "Empty"}], **kw)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert strip(r) == {"statusCode": "200", "responseParameters": {"method.response.header.X-A": True},
                        "responseModels": {"application/json": "Empty"}}
    r = apigw.update_method_response(patchOperations=[
        replace("/responseParameters/method.response.header.X-A", "false"),
        {"op": "remove", "path": "/responseModels/application~1json"}], **kw)
    assert strip(r) == {"statusCode": "200", "responseParameters": {"method.response.header.X-A": False}}
    assert strip(apigw.get_method_response(**kw)) == strip(r)
    expect_error(lambda: apigw.update_method_response(patchOperations=[replace("/statusCode", "201")], **kw),
                 "BadRequestException", "Invalid patch path /statusCode", 400)
    expect_error(lambda: apigw.update_method_response(
        patchOperations=[{"op": "add", "path": "/responseModels/text~1plain", "value": "Nope"}], **kw),
        "BadRequestException", "Invalid model identifier specified: Nope", 400)


def test_delete_method_removes_integration_and_responses(apigw, api):
    api_id, root = api
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="GET")
    put_get(apigw, api_id, root)
    apigw.put_method_response(statusCode="200", **kw)
    apigw.put_integration(type="MOCK", **kw)
    apigw.put_integration_response(statusCode="200", **kw)
    apigw.delete_method(**kw)
    put_get(apigw, api_id, root)
    fresh = strip(apigw.get_method(**kw))
    assert fresh == {"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False}
    expect_error(lambda: apigw.get_integration(**kw), "NotFoundException",
                 "Invalid Integration identifier specified", 404)
    expect_error(lambda: apigw.get_method_response(statusCode="200", **kw), "NotFoundException",
                 "Invalid Response status code specified", 404)


def test_get_resources_embeds_methods(apigw, api):
    api_id, root = api
    put_get(apigw, api_id, root, requestParameters={"method.request.querystring.q": True})
    plain = apigw.get_resources(restApiId=api_id)["items"][0]
    assert plain["resourceMethods"] == {"GET": {}}
    embedded = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"][0]
    assert embedded["resourceMethods"]["GET"]["requestParameters"] == {"method.request.querystring.q": True}


def test_methods_are_per_tenant(apigw, apigw_b, api):
    api_id, root = api
    put_get(apigw, api_id, root)
    expect_error(lambda: apigw_b.get_method(restApiId=api_id, resourceId=root, httpMethod="GET"),
                 "NotFoundException", "Invalid Resource identifier specified", 404)
