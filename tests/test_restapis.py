from helpers import expect_error, replace


def test_create_rest_api_has_aws_defaults(apigw):
    r = apigw.create_rest_api(name="pets", description="d")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(r["id"]) == 10 and r["id"].isalnum()
    assert r["name"] == "pets" and r["description"] == "d"
    assert r["apiKeySource"] == "HEADER"
    assert r["endpointConfiguration"] == {"types": ["EDGE"], "ipAddressType": "ipv4"}
    assert r["disableExecuteApiEndpoint"] is False
    assert "createdDate" in r and "tags" not in r
    resources = apigw.get_resources(restApiId=r["id"])["items"]
    assert resources == [{"id": r["rootResourceId"], "path": "/"}]


def test_create_rest_api_keeps_given_fields(apigw):
    r = apigw.create_rest_api(
        name="x", version="v1", binaryMediaTypes=["image/png"], minimumCompressionSize=100,
        apiKeySource="AUTHORIZER", endpointConfiguration={"types": ["REGIONAL"]},
        tags={"team": "a"}, disableExecuteApiEndpoint=True,
    )
    got = apigw.get_rest_api(restApiId=r["id"])
    for key in ("version", "binaryMediaTypes", "minimumCompressionSize", "apiKeySource", "tags",
                "disableExecuteApiEndpoint", "rootResourceId", "createdDate"):
        assert got[key] == r[key], key
    assert got["endpointConfiguration"]["types"] == ["REGIONAL"]


def test_new_api_has_the_default_models(apigw, api):
    names = sorted(m["name"] for m in apigw.get_models(restApiId=api[0])["items"])
    assert names == ["Empty", "Error"]


def test_invalid_endpoint_type_is_rejected(apigw):
    expect_error(lambda: apigw.create_rest_api(name="x", endpointConfiguration={"types": ["NOPE"]}),
                 "ValidationException", status=400, contains="enum value set")


def test_unknown_api_uses_aws_wording(apigw):
    expect_error(lambda: apigw.get_rest_api(restApiId="abc123"), "NotFoundException",
                 "Invalid API identifier specified 000000000000:abc123", 404)
    expect_error(lambda: apigw.delete_rest_api(restApiId="abc123"), "NotFoundException", status=404)


def test_update_rest_api_patches(apigw, api):
    r = apigw.update_rest_api(restApiId=api[0], patchOperations=[
        replace("/name", "renamed"),
        replace("/description", "about"),
        {"op": "add", "path": "/binaryMediaTypes/image~1png"},
        {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"},
        replace("/minimumCompressionSize", "0"),
        replace("/apiKeySource", "AUTHORIZER"),
        replace("/disableExecuteApiEndpoint", "true"),
        replace("/endpointConfiguration/types/EDGE", "REGIONAL"),
    ])
    assert r["name"] == "renamed" and r["description"] == "about"
    assert r["binaryMediaTypes"] == ["image/png", "application/octet-stream"]
    assert r["minimumCompressionSize"] == 0 and r["apiKeySource"] == "AUTHORIZER"
    assert r["disableExecuteApiEndpoint"] is True
    assert r["endpointConfiguration"]["types"] == ["REGIONAL"]
    r = apigw.update_rest_api(restApiId=api[0], patchOperations=[
        {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
        replace("/minimumCompressionSize", ""),
    ])
    assert r["binaryMediaTypes"] == ["application/octet-stream"]
    assert "minimumCompressionSize" not in r
    assert apigw.get_rest_api(restApiId=api[0])["name"] == "renamed"


def test_update_rest_api_rejects_bad_patches_and_changes_nothing(apigw, api):
    expect_error(lambda: apigw.update_rest_api(restApiId=api[0], patchOperations=[replace("/id", "x")]),
                 "BadRequestException", status=400,
                 contains="Invalid patch path  '/id' specified for op 'replace'")
    expect_error(lambda: apigw.update_rest_api(restApiId=api[0], patchOperations=[
        replace("/name", "changed"), replace("/apiKeySource", "NOPE")]), "ValidationException", status=400)
    assert apigw.get_rest_api(restApiId=api[0])["name"] == "fixture-api"


def test_delete_rest_api_cascades(apigw, api):
    apigw.create_resource(restApiId=api[0], parentId=api[1], pathPart="a")
    d = apigw.delete_rest_api(restApiId=api[0])
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_resources(restApiId=api[0]), "NotFoundException", status=404)
    assert apigw.get_rest_apis()["items"] == []


def test_get_rest_apis_paginates_stably(apigw):
    ids = [apigw.create_rest_api(name=f"api-{i}")["id"] for i in range(7)]
    seen, tokens = [], set()
    page = apigw.get_rest_apis(limit=3)
    while True:
        seen += [i["id"] for i in page["items"]]
        if "position" not in page:
            break
        assert page["position"] not in tokens
        tokens.add(page["position"])
        # An insert during paging does not shift the pages already handed out.
        page = apigw.get_rest_apis(limit=3, position=page["position"])
    assert seen == ids
    paginated = [i["id"] for p in apigw.get_paginator("get_rest_apis").paginate(PaginationConfig={"PageSize": 2})
                 for i in p["items"]]
    assert paginated == ids


def test_limit_bounds_and_bad_position(apigw):
    expect_error(lambda: apigw.get_rest_apis(limit=0), "BadRequestException", status=400)
    expect_error(lambda: apigw.get_rest_apis(position="garbage"), "BadRequestException",
                 "Invalid position parameter", 400)


def test_clone_from_copies_the_definition(apigw, api):
    apigw.create_resource(restApiId=api[0], parentId=api[1], pathPart="pets")
    clone = apigw.create_rest_api(name="clone", cloneFrom=api[0])
    paths = sorted(r["path"] for r in apigw.get_resources(restApiId=clone["id"])["items"])
    assert paths == ["/", "/pets"]
