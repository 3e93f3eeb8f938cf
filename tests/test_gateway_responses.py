from conftest import make_client
from helpers import expect_error, replace

MESSAGE = '{"message":$context.error.messageString}'
DEFAULT_STATUS = {
    "ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_FAILURE": "500", "BAD_REQUEST_BODY": "400", "BAD_REQUEST_PARAMETERS": "400",
    "DEFAULT_4XX": None, "DEFAULT_5XX": None, "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504", "INVALID_API_KEY": "403", "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403", "QUOTA_EXCEEDED": "429", "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404", "THROTTLED": "429", "UNAUTHORIZED": "401", "UNSUPPORTED_MEDIA_TYPE": "415",
    "WAF_FILTERED": "403",
}
ENUM = ("[REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, AUTHORIZER_CONFIGURATION_ERROR, MISSING_AUTHENTICATION_TOKEN, "
        "BAD_REQUEST_BODY, INVALID_SIGNATURE, INVALID_API_KEY, BAD_REQUEST_PARAMETERS, AUTHORIZER_FAILURE, "
        "UNAUTHORIZED, INTEGRATION_TIMEOUT, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX, WAF_FILTERED, QUOTA_EXCEEDED, "
        "THROTTLED, API_CONFIGURATION_ERROR, UNSUPPORTED_MEDIA_TYPE, INTEGRATION_FAILURE, EXPIRED_TOKEN]")
PARAMS = {
    "gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'",
    "gatewayresponse.header.x-request-header": "method.request.header.Accept",
    "gatewayresponse.header.x-request-path": "method.request.path.petId",
    "gatewayresponse.header.x-request-query": "method.request.querystring.q",
}


def strip(r):
    return {k: v for k, v in r.items() if k != "ResponseMetadata"}


def default(response_type):
    d = {"defaultResponse": True, "responseParameters": {}, "responseTemplates": {"application/json": MESSAGE},
         "responseType": response_type}
    if DEFAULT_STATUS[response_type]:
        d["statusCode"] = DEFAULT_STATUS[response_type]
    return d


def test_every_type_has_its_aws_default(apigw, api):
    items = apigw.get_gateway_responses(restApiId=api[0], limit=500)["items"]
    assert items == [default(t) for t in sorted(DEFAULT_STATUS)]
    for t in DEFAULT_STATUS:
        assert strip(apigw.get_gateway_response(restApiId=api[0], responseType=t)) == default(t)


def test_put_get_delete_round_trip(apigw, api):
    api_id = api[0]
    templates = {"application/json": '{"message": $context.error.messageString, "type": "$context.error.responseType"}'}
    r = apigw.put_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN",
                                   statusCode="404", responseParameters=PARAMS, responseTemplates=templates)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    custom = {"defaultResponse": False, "responseParameters": PARAMS, "responseTemplates": templates,
              "responseType": "MISSING_AUTHENTICATION_TOKEN", "statusCode": "404"}
    assert strip(r) == custom
    assert strip(apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")) == custom
    listed = apigw.get_gateway_responses(restApiId=api_id, limit=500)["items"]
    assert [i for i in listed if i["responseType"] == "MISSING_AUTHENTICATION_TOKEN"] == [custom]
    assert sum(1 for i in listed if i["defaultResponse"]) == 20
    d = apigw.delete_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert strip(apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")) == \
        default("MISSING_AUTHENTICATION_TOKEN")


def test_put_keeps_defaults_for_what_is_not_given(apigw, api):
    r = apigw.put_gateway_response(restApiId=api[0], responseType="THROTTLED")
    assert strip(r) == {**default("THROTTLED"), "defaultResponse": False}
    r = apigw.put_gateway_response(restApiId=api[0], responseType="DEFAULT_5XX")
    assert "statusCode" not in r and r["defaultResponse"] is False


def test_put_replaces_the_whole_customisation(apigw, api):
    apigw.put_gateway_response(restApiId=api[0], responseType="UNAUTHORIZED", statusCode="402",
                               responseParameters={"gatewayresponse.header.a": "'1'"})
    r = apigw.put_gateway_response(restApiId=api[0], responseType="UNAUTHORIZED")
    assert r["statusCode"] == "401" and r["responseParameters"] == {}


def test_customised_class_default_is_inherited(apigw, api):
    api_id = api[0]
    apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                               responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
    nf = apigw.get_gateway_response(restApiId=api_id, responseType="RESOURCE_NOT_FOUND")
    assert nf["defaultResponse"] is True and nf["statusCode"] == "404"
    assert nf["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    assert apigw.get_gateway_response(restApiId=api_id, responseType="INTEGRATION_TIMEOUT")["responseParameters"] == {}


def test_update_customises_a_default_type(apigw, api):
    api_id = api[0]
    r = apigw.update_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                                      patchOperations=[replace("/statusCode", "444")])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    expected = {"defaultResponse": False, "responseParameters": {}, "responseTemplates": {"application/json": MESSAGE},
                "responseType": "DEFAULT_4XX", "statusCode": "444"}
    assert strip(r) == expected
    assert strip(apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")) == expected
    xml = "<gatewayResponse><message>$context.error.messageString</message></gatewayResponse>"
    r = apigw.update_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX", patchOperations=[
        {"op": "add", "path": "/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin",
         "value": "'a.b.c'"},
        {"op": "add", "path": "/responseTemplates/application~1xml", "value": xml},
    ])
    assert r["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'"}
    assert r["responseTemplates"] == {"application/json": MESSAGE, "application/xml": xml}
    r = apigw.update_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX", patchOperations=[
        replace("/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin", "'example.com'"),
        {"op": "remove", "path": "/responseTemplates/application~1json"},
    ])
    assert r["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'example.com'"}
    assert r["responseTemplates"] == {"application/xml": xml}
    # Deleting the customisation brings the default back.
    apigw.delete_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert strip(apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")) == default("DEFAULT_4XX")


def test_update_rejects_bad_patches_and_changes_nothing(apigw, api):
    api_id = api[0]
    upd = lambda *ops: apigw.update_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                                                     patchOperations=list(ops))
    for op in ("add", "remove"):
        expect_error(lambda: upd({"op": op, "path": "/statusCode", "value": "444"}),
                     "BadRequestException", "Invalid patch path /statusCode", 400)
    expect_error(lambda: upd(replace("/responseParameters/gatewayresponse.header.nope", "'x'")),
                 "NotFoundException", "Invalid parameter name specified", 404)
    expect_error(lambda: upd({"op": "add", "path": "/responseTemplates/application~1json"}),
                 "BadRequestException", "Invalid null or empty value in responseTemplates", 400)
    expect_error(lambda: upd({"op": "add", "path": "/responseParameters/gatewayresponse.header.a"}),
                 "BadRequestException", "Invalid null or empty value in responseParameters", 400)
    expect_error(lambda: upd(replace("/wrongPath", "x")), "BadRequestException", "Invalid patch path /wrongPath", 400)
    expect_error(lambda: upd({"op": "replace", "value": "x"}), "BadRequestException", "Invalid patch path null", 400)
    expect_error(lambda: upd({"op": "wrong-op", "path": "/statusCode", "value": "444"}),
                 "ValidationException", status=400,
                 message="1 validation error detected: Value 'wrong-op' at "
                         "'updateGatewayResponseInput.patchOperations.1.member.op' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [add, remove, move, test, replace, copy]")
    expect_error(lambda: upd(replace("/statusCode", "444"), replace("/statusCode", "abc")),
                 "BadRequestException", status=400, contains="Invalid status code")
    # Nothing above was saved: the type is still the default.
    assert apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")["defaultResponse"] is True


def test_validation(apigw, api):
    for call in (lambda: apigw.get_gateway_responses(restApiId="fake-api-id"),
                 lambda: apigw.get_gateway_response(restApiId="fake-api-id", responseType="DEFAULT_4XX"),
                 lambda: apigw.delete_gateway_response(restApiId="fake-api-id", responseType="DEFAULT_4XX"),
                 lambda: apigw.update_gateway_response(restApiId="fake-api-id", responseType="DEFAULT_4XX",
                                                       patchOperations=[])):
        expect_error(call, "NotFoundException", "Invalid API identifier specified 000000000000:fake-api-id", 404)
    expect_error(lambda: apigw.delete_gateway_response(restApiId=api[0], responseType="DEFAULT_4XX"),
                 "NotFoundException", "Gateway response type not defined on api", 404)
    message = (f"1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType' failed to satisfy "
               f"constraint: Member must satisfy enum value set: {ENUM}")
    for call in (lambda: apigw.get_gateway_response(restApiId=api[0], responseType="FAKE_RESPONSE_TYPE"),
                 lambda: apigw.delete_gateway_response(restApiId=api[0], responseType="FAKE_RESPONSE_TYPE"),
                 lambda: apigw.put_gateway_response(restApiId=api[0], responseType="FAKE_RESPONSE_TYPE"),
                 lambda: apigw.update_gateway_response(restApiId=api[0], responseType="FAKE_RESPONSE_TYPE",
                                                       patchOperations=[])):
        expect_error(call, "ValidationException", message, 400)


def test_put_validates_status_and_parameters(apigw, api):
    expect_error(lambda: apigw.put_gateway_response(restApiId=api[0], responseType="THROTTLED", statusCode="700"),
                 "BadRequestException", status=400, contains="Invalid status code")
    expect_error(lambda: apigw.put_gateway_response(restApiId=api[0], responseType="THROTTLED",
                                                    responseParameters={"method.response.header.x": "'y'"}),
                 "BadRequestException", status=400, contains="Invalid mapping expression")
    expect_error(lambda: apigw.put_gateway_response(restApiId=api[0], responseType="THROTTLED",
                                                    responseParameters={"gatewayresponse.header.x": "unquoted"}),
                 "BadRequestException", status=400, contains="Invalid mapping expression")
    assert apigw.get_gateway_response(restApiId=api[0], responseType="THROTTLED")["defaultResponse"] is True


def test_get_gateway_responses_pages(apigw, api):
    apigw.put_gateway_response(restApiId=api[0], responseType="THROTTLED", statusCode="503")
    seen, tokens, page = [], set(), apigw.get_gateway_responses(restApiId=api[0], limit=5)
    while True:
        seen += page["items"]
        if "position" not in page:
            break
        assert page["position"] not in tokens
        tokens.add(page["position"])
        page = apigw.get_gateway_responses(restApiId=api[0], limit=5, position=page["position"])
    assert [i["responseType"] for i in seen] == sorted(DEFAULT_STATUS)
    assert [i["statusCode"] for i in seen if i["responseType"] == "THROTTLED"] == ["503"]
    assert len(apigw.get_gateway_responses(restApiId=api[0])["items"]) == 21
    expect_error(lambda: apigw.get_gateway_responses(restApiId=api[0], position="garbage"),
                 "BadRequestException", "Invalid position parameter", 400)


def test_customisations_are_per_api_and_survive_a_restart(own_server):
    c = make_client(own_server)
    a = c.create_rest_api(name="a")["id"]
    b = c.create_rest_api(name="b")["id"]
    c.put_gateway_response(restApiId=a, responseType="RESOURCE_NOT_FOUND", statusCode="410")
    own_server.restart()
    c = make_client(own_server)
    assert c.get_gateway_response(restApiId=a, responseType="RESOURCE_NOT_FOUND")["statusCode"] == "410"
    assert c.get_gateway_response(restApiId=b, responseType="RESOURCE_NOT_FOUND")["statusCode"] == "404"
