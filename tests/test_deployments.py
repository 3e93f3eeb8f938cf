"""Deployments: validation like AWS, the frozen snapshot (seen through apiSummary and stages),
publishing to a stage, canary deployments, paging, update and delete rules."""
import pytest

from conftest import make_client
from helpers import expect_error, replace


def add_method(apigw, api_id, resource_id, verb="GET", integrate=True, **method):
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb,
                     authorizationType=method.pop("authorizationType", "NONE"), **method)
    if integrate:
        apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})


@pytest.fixture
def deployable(apigw, api):
    """An API with one integrated GET / method; returns (api_id, root_id)."""
    api_id, root = api
    add_method(apigw, api_id, root)
    return api_id, root


# ---- validation -----------------------------------------------------------------------------

def test_an_api_without_methods_cannot_be_deployed(apigw, api):
    api_id, root = api
    apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    expect_error(lambda: apigw.create_deployment(restApiId=api_id, stageName="prod"),
                 "BadRequestException", "The REST API doesn't contain any methods", 400)
    assert apigw.get_deployments(restApiId=api_id)["items"] == []
    assert apigw.get_stages(restApiId=api_id)["item"] == []


def test_a_method_without_integration_cannot_be_deployed(apigw, api):
    api_id, root = api
    add_method(apigw, api_id, root, "GET")
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    add_method(apigw, api_id, pets["id"], "POST", integrate=False)
    expect_error(lambda: apigw.create_deployment(restApiId=api_id),
                 "BadRequestException", "No integration defined for method", 400)


def test_unknown_api(apigw):
    expect_error(lambda: apigw.create_deployment(restApiId="nope000000"),
                 "NotFoundException", "Invalid API identifier specified 000000000000:nope000000", 404)
    expect_error(lambda: apigw.get_deployments(restApiId="nope000000"), "NotFoundException", status=404)


def test_unknown_deployment(apigw, api):
    api_id, _ = api
    for call in (lambda: apigw.get_deployment(restApiId=api_id, deploymentId="nope00"),
                 lambda: apigw.update_deployment(restApiId=api_id, deploymentId="nope00",
                                                 patchOperations=[replace("/description", "x")]),
                 lambda: apigw.delete_deployment(restApiId=api_id, deploymentId="nope00")):
        expect_error(call, "NotFoundException", "Invalid Deployment identifier specified", 404)


def test_canary_deployment_needs_an_existing_stage(apigw, deployable):
    api_id, _ = deployable
    canary = {"percentTraffic": 50, "stageVariableOverrides": {"testVar": "canary"}}
    expect_error(lambda: apigw.create_deployment(restApiId=api_id, canarySettings=canary),
                 "BadRequestException",
                 "Invalid deployment content specified.Non null and non empty stageName must be provided for "
                 "canary deployment. Provided value is null", 400)
    expect_error(lambda: apigw.create_deployment(restApiId=api_id, stageName="", canarySettings=canary),
                 "BadRequestException",
                 "Invalid deployment content specified.Non null and non empty stageName must be provided for "
                 "canary deployment. Provided value is ", 400)
    expect_error(lambda: apigw.create_deployment(restApiId=api_id, stageName="non-existing", canarySettings=canary),
                 "BadRequestException",
                 "Invalid deployment content specified.Stage non-existing must already be created before making "
                 "a canary release deployment", 400)
    assert apigw.get_deployments(restApiId=api_id)["items"] == []


def test_bad_stage_name_is_refused_and_nothing_is_stored(apigw, deployable):
    api_id, _ = deployable
    expect_error(lambda: apigw.create_deployment(restApiId=api_id, stageName="bad.name"),
                 "BadRequestException", status=400, contains="Stage name only allows")
    assert apigw.get_deployments(restApiId=api_id)["items"] == []


# ---- happy paths ------------------------------------------------------------------------------

def test_create_and_get(apigw, deployable):
    api_id, _ = deployable
    d = apigw.create_deployment(restApiId=api_id, description="first")
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(d["id"]) == 6 and d["description"] == "first" and "createdDate" in d
    got = apigw.get_deployment(restApiId=api_id, deploymentId=d["id"])
    assert {k: got[k] for k in ("id", "description")} == {"id": d["id"], "description": "first"}
    assert "apiSummary" not in got
    plain = apigw.create_deployment(restApiId=api_id)
    assert set(plain) - {"ResponseMetadata"} == {"id", "createdDate"}


def test_deploying_to_a_new_stage_creates_it(apigw, deployable):
    api_id, _ = deployable
    d = apigw.create_deployment(restApiId=api_id, stageName="prod", stageDescription="production",
                                variables={"backend": "https://example.com/v1"}, tracingEnabled=True)
    s = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert s["deploymentId"] == d["id"]
    assert s["description"] == "production"
    assert s["variables"] == {"backend": "https://example.com/v1"}
    assert s["tracingEnabled"] is True
    assert s["cacheClusterEnabled"] is False and s["cacheClusterStatus"] == "NOT_AVAILABLE"
    assert s["methodSettings"] == {}


def test_deploying_with_cache_settings(apigw, deployable):
    api_id, _ = deployable
    apigw.create_deployment(restApiId=api_id, stageName="cached", cacheClusterEnabled=True, cacheClusterSize="13.5")
    s = apigw.get_stage(restApiId=api_id, stageName="cached")
    assert (s["cacheClusterEnabled"], s["cacheClusterSize"], s["cacheClusterStatus"]) == (True, "13.5", "AVAILABLE")
    expect_error(lambda: apigw.create_deployment(restApiId=api_id, stageName="other", cacheClusterSize="1"),
                 "ValidationException", status=400, contains="cacheClusterSize")
    assert [x["stageName"] for x in apigw.get_stages(restApiId=api_id)["item"]] == ["cached"]
    assert len(apigw.get_deployments(restApiId=api_id)["items"]) == 1


def test_redeploying_repoints_the_stage_and_keeps_its_settings(apigw, deployable):
    api_id, _ = deployable
    d1 = apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"a": "1"})
    apigw.update_stage(restApiId=api_id, stageName="prod",
                       patchOperations=[replace("/*/*/metrics/enabled", "true")])
    d2 = apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"b": "2"})
    s = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert s["deploymentId"] == d2["id"] != d1["id"]
    assert s["variables"] == {"b": "2"}
    assert s["methodSettings"]["*/*"]["metricsEnabled"] is True
    assert s["lastUpdatedDate"] >= s["createdDate"]


def test_api_summary(apigw, api):
    api_id, root = api
    add_method(apigw, api_id, root, "GET")
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    add_method(apigw, api_id, pets["id"], "POST", authorizationType="AWS_IAM", apiKeyRequired=True)
    d = apigw.create_deployment(restApiId=api_id)
    got = apigw.get_deployment(restApiId=api_id, deploymentId=d["id"], embed=["apisummary"])
    assert got["apiSummary"] == {
        "/": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}},
        "/pets": {"POST": {"authorizationType": "AWS_IAM", "apiKeyRequired": True}},
    }


def test_a_deployment_is_a_frozen_snapshot(apigw, deployable):
    api_id, root = deployable
    d1 = apigw.create_deployment(restApiId=api_id, stageName="prod")
    # change the API after deploying: a new method and a deleted one
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    add_method(apigw, api_id, pets["id"], "PUT")
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    summary1 = apigw.get_deployment(restApiId=api_id, deploymentId=d1["id"], embed=["apisummary"])["apiSummary"]
    assert summary1 == {"/": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["deploymentId"] == d1["id"]
    d2 = apigw.create_deployment(restApiId=api_id)
    summary2 = apigw.get_deployment(restApiId=api_id, deploymentId=d2["id"], embed=["apisummary"])["apiSummary"]
    assert summary2 == {"/pets": {"PUT": {"authorizationType": "NONE", "apiKeyRequired": False}}}
    # editing a method in place does not reach into earlier deployments either
    apigw.update_method(restApiId=api_id, resourceId=pets["id"], httpMethod="PUT",
                        patchOperations=[replace("/apiKeyRequired", "true")])
    assert apigw.get_deployment(restApiId=api_id, deploymentId=d2["id"], embed=["apisummary"])["apiSummary"] == summary2
    d3 = apigw.create_deployment(restApiId=api_id)
    assert apigw.get_deployment(restApiId=api_id, deploymentId=d3["id"], embed=["apisummary"])["apiSummary"] == \
        {"/pets": {"PUT": {"authorizationType": "NONE", "apiKeyRequired": True}}}


def test_canary_deployment_goes_to_the_stage_canary(apigw, deployable):
    api_id, _ = deployable
    d1 = apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"testVar": "default"})
    d2 = apigw.create_deployment(restApiId=api_id, stageName="dev",
                                 canarySettings={"percentTraffic": 50, "stageVariableOverrides": {"testVar": "canary"}})
    s = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert s["deploymentId"] == d1["id"]
    assert s["variables"] == {"testVar": "default"}
    assert s["canarySettings"] == {"deploymentId": d2["id"], "percentTraffic": 50.0,
                                   "stageVariableOverrides": {"testVar": "canary"}, "useStageCache": False}
    d3 = apigw.create_deployment(restApiId=api_id, stageName="dev", canarySettings={"percentTraffic": 10})
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["canarySettings"] == \
        {"deploymentId": d3["id"], "percentTraffic": 10.0, "useStageCache": False}
    # a plain deployment to the stage replaces what it serves and ends the canary
    d4 = apigw.create_deployment(restApiId=api_id, stageName="dev")
    s = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert s["deploymentId"] == d4["id"] and "canarySettings" not in s
    assert s["variables"] == {"testVar": "default"}


def test_paging(apigw, deployable):
    api_id, _ = deployable
    ids = [apigw.create_deployment(restApiId=api_id, description=f"d{i}")["id"] for i in range(7)]
    seen, position = [], None
    while True:
        kw = {"position": position} if position else {}
        page = apigw.get_deployments(restApiId=api_id, limit=3, **kw)
        assert len(page["items"]) <= 3
        seen += [d["id"] for d in page["items"]]
        position = page.get("position")
        if not position:
            break
    assert seen == ids
    paginator = apigw.get_paginator("get_deployments")
    assert [d["id"] for p in paginator.paginate(restApiId=api_id, PaginationConfig={"PageSize": 2})
            for d in p["items"]] == ids


def test_update_description(apigw, deployable):
    api_id, _ = deployable
    d = apigw.create_deployment(restApiId=api_id, description="old")
    r = apigw.update_deployment(restApiId=api_id, deploymentId=d["id"],
                                patchOperations=[replace("/description", "new")])
    assert r["description"] == "new"
    assert apigw.get_deployment(restApiId=api_id, deploymentId=d["id"])["description"] == "new"
    expect_error(lambda: apigw.update_deployment(restApiId=api_id, deploymentId=d["id"],
                                                 patchOperations=[replace("/id", "x")]),
                 "BadRequestException", status=400, contains="Invalid patch path")


def test_delete_is_refused_while_a_stage_uses_it(apigw, deployable):
    api_id, _ = deployable
    d1 = apigw.create_deployment(restApiId=api_id, stageName="prod")
    expect_error(lambda: apigw.delete_deployment(restApiId=api_id, deploymentId=d1["id"]),
                 "BadRequestException", "Active stages pointing to this deployment must be moved or deleted", 400)
    d2 = apigw.create_deployment(restApiId=api_id, stageName="prod", canarySettings={"percentTraffic": 5})
    expect_error(lambda: apigw.delete_deployment(restApiId=api_id, deploymentId=d2["id"]),
                 "BadRequestException",
                 "Active stages with canary settings pointing to this deployment must be moved or deleted", 400)
    apigw.delete_stage(restApiId=api_id, stageName="prod")
    r = apigw.delete_deployment(restApiId=api_id, deploymentId=d1["id"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_deployment(restApiId=api_id, deploymentId=d1["id"]),
                 "NotFoundException", "Invalid Deployment identifier specified", 404)
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [d2["id"]]


def test_deployments_survive_restart(own_server):
    c = make_client(own_server)
    api = c.create_rest_api(name="persisted")
    add_method(c, api["id"], api["rootResourceId"])
    d = c.create_deployment(restApiId=api["id"], stageName="prod", description="kept")
    own_server.restart()
    c = make_client(own_server)
    assert c.get_deployment(restApiId=api["id"], deploymentId=d["id"])["description"] == "kept"
    assert c.get_stage(restApiId=api["id"], stageName="prod")["deploymentId"] == d["id"]
    assert c.get_deployment(restApiId=api["id"], deploymentId=d["id"],
                            embed=["apisummary"])["apiSummary"] == \
        {"/": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
