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
