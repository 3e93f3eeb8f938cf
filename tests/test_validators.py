from conftest import make_client
from helpers import expect_error, replace

NOT_FOUND = "Invalid Request Validator identifier specified"


def test_validator_lifecycle(apigw, api):
    api_id = api[0]
    v = apigw.create_request_validator(restApiId=api_id, name="body-only", validateRequestBody=True)
    assert v["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(v["id"]) == 6 and v["id"].isalnum()
    assert {k: v[k] for k in ("name", "validateRequestBody", "validateRequestParameters")} == \
        {"name": "body-only", "validateRequestBody": True, "validateRequestParameters": False}
    got = apigw.get_request_validator(restApiId=api_id, requestValidatorId=v["id"])
    assert got["name"] == "body-only" and got["id"] == v["id"]
    assert [x["id"] for x in apigw.get_request_validators(restApiId=api_id)["items"]] == [v["id"]]
    d = apigw.delete_request_validator(restApiId=api_id, requestValidatorId=v["id"])
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_request_validator(restApiId=api_id, requestValidatorId=v["id"]),
                 "NotFoundException", NOT_FOUND, 404)
    assert apigw.get_request_validators(restApiId=api_id)["items"] == []


def test_flags_default_to_false(apigw, api):
    v = apigw.create_request_validator(restApiId=api[0], name="plain")
    assert v["validateRequestBody"] is False and v["validateRequestParameters"] is False


def test_create_on_unknown_api_is_a_bad_request(apigw):
    expect_error(lambda: apigw.create_request_validator(restApiId="test-fake-rest-id", name="v",
                                                        validateRequestBody=True),
                 "BadRequestException", "Invalid REST API identifier specified", 400)
    expect_error(lambda: apigw.get_request_validators(restApiId="test-fake-rest-id"),
                 "NotFoundException", "Invalid API identifier specified 000000000000:test-fake-rest-id", 404)


def test_blank_name_is_rejected(apigw, api):
    expect_error(lambda: apigw.create_request_validator(restApiId=api[0], name=""),
                 "BadRequestException", "Request Validator name cannot be blank", 400)


def test_unknown_validator_or_api(apigw, api):
    v = apigw.create_request_validator(restApiId=api[0], name="v")
    for call in (lambda: apigw.get_request_validator(restApiId="api_id", requestValidatorId=v["id"]),
                 lambda: apigw.get_request_validator(restApiId=api[0], requestValidatorId="validator_id"),
                 lambda: apigw.delete_request_validator(restApiId="api_id", requestValidatorId=v["id"]),
                 lambda: apigw.delete_request_validator(restApiId=api[0], requestValidatorId="nope00"),
                 lambda: apigw.update_request_validator(restApiId=api[0], requestValidatorId="nope00",
                                                        patchOperations=[replace("/name", "x")])):
        expect_error(call, "NotFoundException", NOT_FOUND, 404)


def test_update_validator(apigw, api):
    api_id = api[0]
    v = apigw.create_request_validator(restApiId=api_id, name="v")
    r = apigw.update_request_validator(restApiId=api_id, requestValidatorId=v["id"], patchOperations=[
        replace("/validateRequestBody", "true"), replace("/validateRequestParameters", "true"),
        replace("/name", "renamed")])
    assert (r["name"], r["validateRequestBody"], r["validateRequestParameters"]) == ("renamed", True, True)
    # A replace without a value switches the flag off, as in AWS.
    r = apigw.update_request_validator(restApiId=api_id, requestValidatorId=v["id"], patchOperations=[
        {"op": "replace", "path": "/validateRequestBody"}])
    assert r["validateRequestBody"] is False and r["validateRequestParameters"] is True
    got = apigw.get_request_validator(restApiId=api_id, requestValidatorId=v["id"])
    assert (got["name"], got["validateRequestBody"], got["validateRequestParameters"]) == ("renamed", False, True)


def test_update_validator_rejects_bad_patches_and_changes_nothing(apigw, api):
    api_id = api[0]
    v = apigw.create_request_validator(restApiId=api_id, name="v")
    upd = lambda *ops: apigw.update_request_validator(restApiId=api_id, requestValidatorId=v["id"],
                                                      patchOperations=list(ops))
    for op in ("add", "remove"):
        expect_error(lambda: upd({"op": op, "path": "/validateRequestBody", "value": "true"}),
                     "BadRequestException", status=400,
                     message=f"Invalid patch path  '/validateRequestBody' specified for op '{op}'. "
                             "Please choose supported operations")
    expect_error(lambda: upd(replace("/invalidPath", "x")), "BadRequestException", status=400,
                 message="Invalid patch path  '/invalidPath' specified for op 'replace'. "
                         "Must be one of: [/name, /validateRequestParameters, /validateRequestBody]")
    expect_error(lambda: upd(replace("/validateRequestBody", "true"), replace("/name", "")),
                 "BadRequestException", "Request Validator name cannot be blank", 400)
    got = apigw.get_request_validator(restApiId=api_id, requestValidatorId=v["id"])
    assert got["name"] == "v" and got["validateRequestBody"] is False


def test_get_request_validators_pages(apigw, api):
    ids = [apigw.create_request_validator(restApiId=api[0], name=f"v{i}")["id"] for i in range(5)]
    seen, page = [], apigw.get_request_validators(restApiId=api[0], limit=2)
    while True:
        seen += [v["id"] for v in page["items"]]
        if "position" not in page:
            break
        assert len(page["items"]) == 2
        page = apigw.get_request_validators(restApiId=api[0], limit=2, position=page["position"])
    assert seen == ids


def test_validators_are_per_tenant(apigw, apigw_b, api):
    v = apigw.create_request_validator(restApiId=api[0], name="v")
    expect_error(lambda: apigw_b.get_request_validator(restApiId=api[0], requestValidatorId=v["id"]),
                 "NotFoundException", NOT_FOUND, 404)


def test_validators_survive_a_restart(own_server):
    c = make_client(own_server)
    api_id = c.create_rest_api(name="persisted")["id"]
    v = c.create_request_validator(restApiId=api_id, name="v", validateRequestParameters=True)
    own_server.restart()
    c = make_client(own_server)
    got = c.get_request_validator(restApiId=api_id, requestValidatorId=v["id"])
    assert got["name"] == "v" and got["validateRequestParameters"] is True
