"""Integrations and integration responses: Put/Get/Update/Delete of both, AWS's defaults and
validation texts, patch rules, cascades and persistence."""
import pytest

from conftest import make_client
from helpers import expect_error, replace

LAMBDA_URI = ("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:eu-west-1:012345678901:function:MyLambda/invocations")
S3_URI = "arn:aws:apigateway:us-west-2:s3:path/b/k"


def strip(r):
    r = dict(r)
    r.pop("ResponseMetadata", None)
    return r


@pytest.fixture
def method(apigw, api):
    """A GET method (with a 200 method response) on the API's root; returns the call kwargs."""
    api_id, root = api
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE",
                     requestParameters={"method.request.path.id": True,
                                        "method.request.querystring.q": False})
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
                              responseParameters={"method.response.header.X-Out": False})
    return dict(restApiId=api_id, resourceId=root, httpMethod="GET")


def test_http_integration_defaults(apigw, method):
    r = apigw.put_integration(type="HTTP", integrationHttpMethod="POST", uri="http://example.com", **method)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert strip(r) == {
        "type": "HTTP", "httpMethod": "POST", "uri": "http://example.com", "connectionType": "INTERNET",
        "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000,
        "cacheNamespace": method["resourceId"], "cacheKeyParameters": [],
    }
    got = apigw.get_integration(**method)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert strip(got) == strip(r)
    assert apigw.get_method(**method)["methodIntegration"] == strip(r)


def test_mock_integration_has_no_backend(apigw, method):
    r = apigw.put_integration(type="MOCK", uri="http://ignored.example.com", **method)
    assert strip(r) == {"type": "MOCK", "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000,
                        "cacheNamespace": method["resourceId"], "cacheKeyParameters": []}


def test_aws_integrations(apigw, method):
    r = apigw.put_integration(type="AWS", integrationHttpMethod="POST", uri=S3_URI,
                              credentials="arn:aws:iam::000000000000:role/r", **method)
    assert strip(r) == {"type": "AWS", "httpMethod": "POST", "uri": S3_URI,
                        "credentials": "arn:aws:iam::000000000000:role/r",
                        "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000,
                        "cacheNamespace": method["resourceId"], "cacheKeyParameters": []}
    r = apigw.put_integration(type="AWS_PROXY", integrationHttpMethod="POST", uri=LAMBDA_URI, **method)
    assert r["type"] == "AWS_PROXY" and r["uri"] == LAMBDA_URI and "connectionType" not in r
    # PUT replaces the integration as a whole: the credentials are gone.
    assert "credentials" not in apigw.get_integration(**method)


def test_put_integration_with_every_member(apigw, method):
    r = apigw.put_integration(
        type="HTTP_PROXY", integrationHttpMethod="ANY", uri="https://example.com/{id}",
        requestParameters={"integration.request.path.id": "method.request.path.id",
                           "integration.request.header.X-Static": "'fixed'",
                           "integration.request.querystring.stage": "stageVariables.name",
                           "integration.request.header.X-Req": "context.requestId"},
        requestTemplates={"application/json": '{"a": 1}'},
        passthroughBehavior="WHEN_NO_TEMPLATES", contentHandling="CONVERT_TO_TEXT",
        cacheNamespace="ns1", cacheKeyParameters=["method.request.path.id"], timeoutInMillis=50,
        tlsConfig={"insecureSkipVerification": True}, **method)
    assert strip(r) == {
        "type": "HTTP_PROXY", "httpMethod": "ANY", "uri": "https://example.com/{id}",
        "connectionType": "INTERNET",
        "requestParameters": {"integration.request.path.id": "method.request.path.id",
                              "integration.request.header.X-Static": "'fixed'",
                              "integration.request.querystring.stage": "stageVariables.name",
                              "integration.request.header.X-Req": "context.requestId"},
        "requestTemplates": {"application/json": '{"a": 1}'},
        "passthroughBehavior": "WHEN_NO_TEMPLATES", "contentHandling": "CONVERT_TO_TEXT",
        "cacheNamespace": "ns1", "cacheKeyParameters": ["method.request.path.id"], "timeoutInMillis": 50,
        "tlsConfig": {"insecureSkipVerification": True},
    }


def test_put_integration_validation(apigw, method):
    put = lambda **kw: apigw.put_integration(**{**method, **kw})
    for t in ("HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY"):
        expect_error(lambda: put(type=t, uri="http://example.com"), "BadRequestException",
                     "Enumeration value for HttpMethod must be non-empty", 400)
    for t in ("HTTP", "HTTP_PROXY"):
        expect_error(lambda: put(type=t, integrationHttpMethod="POST", uri="non-valid-http"),
                     "BadRequestException", "Invalid HTTP endpoint specified for URI", 400)
        expect_error(lambda: put(type=t, integrationHttpMethod="POST"),
                     "BadRequestException", "Invalid HTTP endpoint specified for URI", 400)
    expect_error(lambda: put(type="AWS", integrationHttpMethod="POST", uri="non-valid-arn"),
                 "BadRequestException", "Invalid ARN specified in the request", 400)
    expect_error(lambda: put(type="AWS", integrationHttpMethod="POST",
                             uri="arn:aws:iam::0000000000:role/service-role/asdf"),
                 "BadRequestException", "AWS ARN for integration must contain path or action", 400)
    expect_error(lambda: put(type="AWS_PROXY", integrationHttpMethod="POST", uri=S3_URI),
                 "BadRequestException", status=400,
                 message="Integrations of type 'AWS_PROXY' currently only supports Lambda function and "
                         "Firehose stream invocations.")
    expect_error(lambda: put(type="FOO"), "ValidationException", status=400,
                 message="1 validation error detected: Value 'FOO' at 'putIntegrationInput.type' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, "
                         "HTTP_PROXY, AWS]")
    expect_error(lambda: put(type="MOCK", contentHandling="CONVERT"), "ValidationException", status=400,
                 contains="'putIntegrationInput.contentHandling'")
    expect_error(lambda: put(type="HTTP", integrationHttpMethod="FETCH", uri="http://example.com"),
                 "BadRequestException", status=400,
                 message="Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
    for ms in (49, 29001):
        expect_error(lambda: put(type="MOCK", timeoutInMillis=ms), "BadRequestException",
                     "Timeout should be between 50 ms and 29000 ms", 400)
    expect_error(lambda: put(type="MOCK", passthroughBehavior="SOMETIMES"), "BadRequestException", status=400,
                 contains="Invalid passthrough behavior specified: SOMETIMES")
    expect_error(lambda: put(type="MOCK", requestParameters={"integration.request.path.id": "method.request.header.h"}),
                 "BadRequestException", status=400,
                 message="Invalid mapping expression specified: Validation Result: warnings : [], errors : "
                         "[Invalid mapping expression parameter specified: method.request.header.h]")
    expect_error(lambda: put(type="MOCK", requestParameters={"integration.request.cookie.c": "'x'"}),
                 "BadRequestException", status=400,
                 contains="[Invalid mapping expression parameter specified: integration.request.cookie.c]")
    expect_error(lambda: put(type="MOCK", requestParameters={"integration.request.header.h": "'unbalanced"}),
                 "BadRequestException", status=400,
                 contains="[Invalid mapping expression specified: 'unbalanced]")
    expect_error(lambda: put(type="MOCK", cacheKeyParameters=["method.request.header.nope"]),
                 "BadRequestException", status=400,
                 contains="[Invalid mapping expression parameter specified: method.request.header.nope]")
    expect_error(lambda: put(type="HTTP", integrationHttpMethod="GET", uri="http://example.com",
                             connectionType="VPC_LINK"),
                 "BadRequestException", "ConnectionId must be specified for connection type VPC_LINK", 400)
    # Nothing failed half-way.
    expect_error(lambda: apigw.get_integration(**method), "NotFoundException",
                 "Invalid Integration identifier specified", 404)


def test_integration_not_found(apigw, api, method):
    for call in (lambda: apigw.get_integration(**method),
                 lambda: apigw.delete_integration(**method),
                 lambda: apigw.update_integration(patchOperations=[replace("/uri", "http://x.com")], **method),
                 lambda: apigw.put_integration_response(statusCode="200", **method),
                 lambda: apigw.get_integration_response(statusCode="200", **method)):
        expect_error(call, "NotFoundException", "Invalid Integration identifier specified", 404)
    other = {**method, "httpMethod": "POST"}
    expect_error(lambda: apigw.put_integration(type="MOCK", **other), "NotFoundException",
                 "Invalid Method identifier specified", 404)
    expect_error(lambda: apigw.put_integration(type="MOCK", **{**method, "resourceId": "nope00"}),
                 "NotFoundException", "Invalid Resource identifier specified", 404)


def test_delete_integration_keeps_the_method(apigw, method):
    apigw.put_integration(type="MOCK", **method)
    apigw.put_integration_response(statusCode="200", **method)
    r = apigw.delete_integration(**method)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    m = apigw.get_method(**method)
    assert "methodIntegration" not in m and m["methodResponses"]["200"]["statusCode"] == "200"
    expect_error(lambda: apigw.get_integration_response(statusCode="200", **method), "NotFoundException",
                 "Invalid Integration identifier specified", 404)


def test_update_integration(apigw, method):
    apigw.put_integration(type="HTTP", integrationHttpMethod="POST", uri="http://example.com", **method)
    upd = lambda *ops: apigw.update_integration(patchOperations=list(ops), **method)
    r = upd(replace("/uri", "https://other.example.com/x"), replace("/httpMethod", "PUT"),
            replace("/passthroughBehavior", "NEVER"), replace("/timeoutInMillis", "1000"),
            replace("/contentHandling", "CONVERT_TO_BINARY"), replace("/cacheNamespace", "ns"),
            replace("/credentials", "arn:aws:iam::000000000000:role/r"),
            {"op": "add", "path": "/cacheKeyParameters/method.request.querystring.q"},
            {"op": "add", "path": "/requestParameters/integration.request.querystring.q",
             "value": "method.request.querystring.q"},
            {"op": "add", "path": "/requestTemplates/application~1json", "value": "{}"},
            replace("/tlsConfig/insecureSkipVerification", "true"))
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert strip(r) == {
        "type": "HTTP", "httpMethod": "PUT", "uri": "https://other.example.com/x", "connectionType": "INTERNET",
        "passthroughBehavior": "NEVER", "timeoutInMillis": 1000, "contentHandling": "CONVERT_TO_BINARY",
        "cacheNamespace": "ns", "credentials": "arn:aws:iam::000000000000:role/r",
        "cacheKeyParameters": ["method.request.querystring.q"],
        "requestParameters": {"integration.request.querystring.q": "method.request.querystring.q"},
        "requestTemplates": {"application/json": "{}"},
        "tlsConfig": {"insecureSkipVerification": True},
    }
    assert strip(apigw.get_integration(**method)) == strip(r)
    r = upd(replace("/cacheKeyParameters/method.request.querystring.q", "method.request.path.id"))
    assert r["cacheKeyParameters"] == ["method.request.path.id"]
    r = upd({"op": "remove", "path": "/cacheKeyParameters/method.request.path.id"},
            {"op": "remove", "path": "/requestParameters/integration.request.querystring.q"},
            {"op": "remove", "path": "/requestTemplates/application~1json"},
            replace("/contentHandling", ""))
    assert r["cacheKeyParameters"] == []
    for gone in ("requestParameters", "requestTemplates", "contentHandling"):
        assert gone not in r


def test_mock_integration_has_no_backend_to_patch(apigw, method):
    apigw.put_integration(type="MOCK", **method)
    for path in ("/uri", "/httpMethod"):
        expect_error(lambda: apigw.update_integration(patchOperations=[replace(path, "x")], **method),
                     "BadRequestException", status=400,
                     message=f"Invalid patch path {path}: not supported for MOCK integrations")
    r = apigw.update_integration(patchOperations=[replace("/passthroughBehavior", "NEVER")], **method)
    assert r["passthroughBehavior"] == "NEVER" and "uri" not in r


def test_update_integration_validation(apigw, method):
    apigw.put_integration(type="HTTP", integrationHttpMethod="POST", uri="http://example.com", **method)
    upd = lambda *ops: apigw.update_integration(patchOperations=list(ops), **method)
    expect_error(lambda: upd(replace("/timeoutInMillis", "30000")), "BadRequestException",
                 "Timeout should be between 50 ms and 29000 ms", 400)
    expect_error(lambda: upd(replace("/timeoutInMillis", "soon")), "BadRequestException",
                 "Timeout should be between 50 ms and 29000 ms", 400)
    expect_error(lambda: upd(replace("/uri", "not-a-url")), "BadRequestException",
                 "Invalid HTTP endpoint specified for URI", 400)
    # The type is fixed once put (AWS lists /type with every op unsupported).
    expect_error(lambda: upd(replace("/type", "AWS")), "BadRequestException", "Invalid patch path /type", 400)
    expect_error(lambda: upd(replace("/connectionType", "CABLE")), "BadRequestException", status=400,
                 message="Invalid connectionType specified: CABLE. Valid options are INTERNET,VPC_LINK")
    expect_error(lambda: upd(replace("/passthroughBehavior", "SOMETIMES")), "BadRequestException", status=400,
                 contains="Invalid passthrough behavior specified")
    expect_error(lambda: upd(replace("/requestParameters", "x")), "BadRequestException",
                 "Invalid patch path /requestParameters", 400)
    expect_error(lambda: upd(replace("/id", "x")), "BadRequestException", "Invalid patch path /id", 400)
    expect_error(lambda: upd({"op": "add", "path": "/uri", "value": "http://a.com"}), "BadRequestException",
                 "Invalid patch operation specified. Must be one of: [replace]", 400)
    expect_error(lambda: upd({"op": "move", "path": "/cacheKeyParameters/method.request.querystring.q",
                              "from": "/x"}),
                 "BadRequestException", "Invalid patch operation specified. Must be one of: [add, remove, replace]",
                 400)
    expect_error(lambda: upd({"op": "add", "path": "/cacheKeyParameters/method.request.header.nope"}),
                 "BadRequestException", status=400,
                 contains="Invalid mapping expression parameter specified: method.request.header.nope")
    # Nothing of the failed updates stuck.
    got = strip(apigw.get_integration(**method))
    assert got["uri"] == "http://example.com" and got["timeoutInMillis"] == 29000 and got["type"] == "HTTP"


def test_integration_responses(apigw, method):
    apigw.put_integration(type="MOCK", **method)
    r = apigw.put_integration_response(statusCode="200", selectionPattern="2\\d{2}", responseTemplates={},
                                       **method)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert strip(r) == {"statusCode": "200", "selectionPattern": "2\\d{2}", "responseTemplates": {}}
    got = apigw.get_integration_response(statusCode="200", **method)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200 and strip(got) == strip(r)
    r = apigw.put_integration_response(
        statusCode="200", selectionPattern="", contentHandling="CONVERT_TO_BINARY",
        responseParameters={"method.response.header.X-Out": "integration.response.header.X-In"},
        responseTemplates={"application/json": '{"data": "test"}'}, **method)
    assert strip(r) == {"statusCode": "200", "selectionPattern": "", "contentHandling": "CONVERT_TO_BINARY",
                        "responseParameters": {"method.response.header.X-Out": "integration.response.header.X-In"},
                        "responseTemplates": {"application/json": '{"data": "test"}'}}
    assert apigw.get_integration(**method)["integrationResponses"] == {"200": strip(r)}
    assert apigw.get_method(**method)["methodIntegration"]["integrationResponses"] == {"200": strip(r)}

    d = apigw.delete_integration_response(statusCode="200", **method)
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "integrationResponses" not in apigw.get_integration(**method)
    for call in (lambda: apigw.get_integration_response(statusCode="200", **method),
                 lambda: apigw.delete_integration_response(statusCode="200", **method),
                 lambda: apigw.update_integration_response(statusCode="200", patchOperations=[], **method)):
        expect_error(call, "NotFoundException", "Invalid Response status code specified", 404)


def test_integration_response_validation(apigw, method):
    apigw.put_integration(type="MOCK", **method)
    put = lambda code="200", **kw: apigw.put_integration_response(statusCode=code, **{**method, **kw})
    # AWS takes an integration response without its method response (recorded:
    # tests/aws_recorded, test_lifecycle_integration_response) unless it maps headers onto it.
    assert put("404")["statusCode"] == "404"
    expect_error(lambda: put("404", responseParameters={"method.response.header.X-Out": "'x'"}),
                 "BadRequestException", status=400,
                 message="Invalid mapping expression specified: Validation Result: warnings : [], errors : "
                         "[No method response exists for method.]")
    expect_error(lambda: put("700"), "ValidationException", status=400,
                 message="1 validation error detected: Value '700' at 'statusCode' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: [1-5]\\d\\d")
    expect_error(lambda: put(responseParameters={"method.response.header.X-Undeclared": "'x'"}),
                 "BadRequestException", status=400,
                 message="Invalid mapping expression specified: Validation Result: warnings : [], errors : "
                         "[Invalid mapping expression parameter specified: method.response.header.X-Undeclared]")
    expect_error(lambda: put(responseParameters={"method.response.header.X-Out": "nonsense"}),
                 "BadRequestException", status=400, contains="[Invalid mapping expression specified: nonsense]")
    expect_error(lambda: put(contentHandling="CONVERT"), "ValidationException", status=400,
                 contains="'putIntegrationResponseInput.contentHandling'")


def test_update_integration_response(apigw, method):
    apigw.put_integration(type="MOCK", **method)
    apigw.put_integration_response(statusCode="200", selectionPattern="2\\d{2}", **method)
    upd = lambda *ops: apigw.update_integration_response(statusCode="200", patchOperations=list(ops), **method)
    r = upd(replace("/selectionPattern", "200"), replace("/contentHandling", "CONVERT_TO_TEXT"),
            {"op": "add", "path": "/responseParameters/method.response.header.X-Out", "value": "'v'"},
            {"op": "add", "path": "/responseTemplates/application~1json", "value": "$input.body"})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert strip(r) == {"statusCode": "200", "selectionPattern": "200", "contentHandling": "CONVERT_TO_TEXT",
                        "responseParameters": {"method.response.header.X-Out": "'v'"},
                        "responseTemplates": {"application/json": "$input.body"}}
    assert strip(apigw.get_integration_response(statusCode="200", **method)) == strip(r)
    r = upd({"op": "remove", "path": "/responseParameters/method.response.header.X-Out"},
            {"op": "remove", "path": "/responseTemplates/application~1json"},
            replace("/contentHandling", ""))
    assert strip(r) == {"statusCode": "200", "selectionPattern": "200"}
    # An empty pattern is kept as such: it marks the default response.
    assert upd(replace("/selectionPattern", ""))["selectionPattern"] == ""
    expect_error(lambda: upd(replace("/statusCode", "201")), "BadRequestException",
                 "Invalid patch path /statusCode", 400)
    expect_error(lambda: upd({"op": "add", "path": "/selectionPattern", "value": "x"}), "BadRequestException",
                 "Invalid patch operation specified. Must be one of: [replace]", 400)
    expect_error(lambda: upd({"op": "add", "path": "/responseParameters/method.response.header.X-No",
                              "value": "'v'"}),
                 "BadRequestException", status=400,
                 contains="Invalid mapping expression parameter specified: method.response.header.X-No")
    expect_error(lambda: upd(replace("/contentHandling", "SOMETHING")), "BadRequestException", status=400,
                 contains="Invalid contentHandling specified: SOMETHING")


def test_put_integration_replaces_its_responses(apigw, method):
    apigw.put_integration(type="MOCK", **method)
    apigw.put_integration_response(statusCode="200", **method)
    apigw.put_integration(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **method)
    assert "integrationResponses" not in apigw.get_integration(**method)


def test_any_method_with_lambda_proxy(apigw, api):
    api_id, root = api
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    kw = dict(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY")
    apigw.put_method(authorizationType="NONE", requestParameters={"method.request.path.proxy": True}, **kw)
    apigw.put_integration(type="AWS_PROXY", integrationHttpMethod="POST", uri=LAMBDA_URI,
                          cacheKeyParameters=["method.request.path.proxy"], **kw)
    m = apigw.get_method(**kw)
    assert m["httpMethod"] == "ANY"
    assert m["methodIntegration"]["type"] == "AWS_PROXY"
    assert m["methodIntegration"]["cacheNamespace"] == proxy["id"]
    assert m["methodIntegration"]["cacheKeyParameters"] == ["method.request.path.proxy"]


def test_method_and_integration_survive_a_restart(own_server):
    c = make_client(own_server)
    api = c.create_rest_api(name="durable")
    kw = dict(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="POST")
    c.put_method(authorizationType="AWS_IAM", apiKeyRequired=True,
                 requestParameters={"method.request.header.X-A": True}, **kw)
    c.put_method_response(statusCode="201", responseParameters={"method.response.header.Location": True}, **kw)
    c.put_integration(type="HTTP", integrationHttpMethod="PUT", uri="https://backend.example.com/items",
                      requestParameters={"integration.request.header.X-B": "method.request.header.X-A"},
                      requestTemplates={"application/json": "$input.body"}, timeoutInMillis=1234, **kw)
    c.put_integration_response(statusCode="201", selectionPattern="",
                               responseParameters={"method.response.header.Location":
                                                   "integration.response.header.Location"}, **kw)
    before = strip(c.get_method(**kw))
    own_server.restart()
    c = make_client(own_server)
    after = strip(c.get_method(**kw))
    assert after == before
    assert after["methodIntegration"]["timeoutInMillis"] == 1234
    assert after["methodIntegration"]["integrationResponses"]["201"]["selectionPattern"] == ""
