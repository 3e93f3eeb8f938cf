"""Usage plans, usage plan keys, GetUsage and UpdateUsage."""
import datetime

import pytest

from helpers import expect_error, replace
from test_deployments import add_method

PLAN_NOT_FOUND = "Invalid Usage Plan ID specified"
KEY_NOT_FOUND = "Invalid API Key identifier specified"


@pytest.fixture
def stages(apigw, api):
    """An API deployed to stages `prod` and `beta`; returns the API id."""
    api_id, root = api
    add_method(apigw, api_id, root)
    dep = apigw.create_deployment(restApiId=api_id)["id"]
    for name in ("prod", "beta"):
        apigw.create_stage(restApiId=api_id, stageName=name, deploymentId=dep)
    return api_id


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def test_create_usage_plan_minimal(apigw):
    r = apigw.create_usage_plan(name="free")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(r["id"]) == 6 and r["id"].isalnum()
    assert r["name"] == "free" and r["apiStages"] == []
    for absent in ("description", "throttle", "quota", "tags", "productCode"):
        assert absent not in r, absent


def test_create_usage_plan_keeps_limits(apigw):
    r = apigw.create_usage_plan(name="gold", description="d", throttle={"burstLimit": 10, "rateLimit": 5.5},
                                quota={"limit": 1000, "period": "WEEK", "offset": 2}, tags={"t": "v"})
    assert r["throttle"] == {"burstLimit": 10, "rateLimit": 5.5}
    assert r["quota"] == {"limit": 1000, "offset": 2, "period": "WEEK"}
    got = apigw.get_usage_plan(usagePlanId=r["id"])
    for field in ("name", "description", "throttle", "quota", "tags", "apiStages"):
        assert got[field] == r[field], field
    # AWS reports offset 0 when none was given.
    assert apigw.create_usage_plan(name="q", quota={"limit": 5, "period": "DAY"})["quota"] == \
        {"limit": 5, "offset": 0, "period": "DAY"}


def test_quota_and_throttle_validation(apigw):
    expect_error(lambda: apigw.create_usage_plan(name="x", quota={"limit": 5, "period": "YEAR"}),
                 "ValidationException", status=400, contains="Member must satisfy enum value set: [DAY, WEEK, MONTH]")
    expect_error(lambda: apigw.create_usage_plan(name="x", quota={"limit": 5, "period": "DAY", "offset": 1}),
                 "BadRequestException", status=400, contains="offset")
    expect_error(lambda: apigw.create_usage_plan(name="x", quota={"limit": 0, "period": "DAY"}),
                 "BadRequestException", status=400, contains="quota limit")
    expect_error(lambda: apigw.create_usage_plan(name="x", throttle={"burstLimit": -1}),
                 "BadRequestException", status=400, contains="burstLimit")
    assert apigw.get_usage_plans()["items"] == []


def test_api_stages_must_exist(apigw, api):
    err = expect_error(lambda: apigw.create_usage_plan(name="x", apiStages=[{"apiId": api[0], "stage": "prod"}]),
                       "BadRequestException", status=400)
    assert err["Error"]["Message"].startswith(f"Invalid API Stage {{api: {api[0]}, stage: prod}} specified for usageplan ")
    plan = apigw.create_usage_plan(name="p")
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api[0]}:prod"}]),
        "NotFoundException", f"Invalid API Stage {{api: {api[0]}, stage: prod}} specified for usageplan {plan['id']}", 404)
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "remove", "path": "/apiStages", "value": "no-colon"}]),
        "BadRequestException", "Invalid API Stage specified", 400)
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        replace(f"/apiStages/{api[0]}:prod/throttle/~1pets/GET/rateLimit", "1")]),
        "NotFoundException", status=404, contains="Invalid API Stage")


def test_unknown_plan_uses_aws_wording(apigw):
    key = apigw.create_api_key(name="k")
    for call in (lambda: apigw.get_usage_plan(usagePlanId="nope"),
                 lambda: apigw.update_usage_plan(usagePlanId="nope", patchOperations=[replace("/name", "x")]),
                 lambda: apigw.delete_usage_plan(usagePlanId="nope"),
                 lambda: apigw.create_usage_plan_key(usagePlanId="nope", keyId=key["id"], keyType="API_KEY"),
                 lambda: apigw.get_usage(usagePlanId="nope", startDate="2024-01-01", endDate="2024-01-02"),
                 lambda: apigw.update_usage(usagePlanId="nope", keyId=key["id"],
                                            patchOperations=[replace("/remaining", "1")])):
        expect_error(call, "NotFoundException", PLAN_NOT_FOUND, 404)
    # GetUsagePlanKeys answers an unknown plan with no keys (AWS's recorded answer)
    assert apigw.get_usage_plan_keys(usagePlanId="nope")["items"] == []


def test_get_usage_plans_pages_and_filters_by_key(apigw):
    ids = [apigw.create_usage_plan(name=f"p{i}")["id"] for i in range(5)]
    page1 = apigw.get_usage_plans(limit=3)
    assert [p["id"] for p in page1["items"]] == ids[:3]
    page2 = apigw.get_usage_plans(limit=3, position=page1["position"])
    assert [p["id"] for p in page2["items"]] == ids[3:] and "position" not in page2
    key = apigw.create_api_key(name="k")
    for plan in (ids[1], ids[3]):
        apigw.create_usage_plan_key(usagePlanId=plan, keyId=key["id"], keyType="API_KEY")
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]] == [ids[1], ids[3]]
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"], limit=1)["items"]] == [ids[1]]
    assert apigw.get_usage_plans(keyId="unknown")["items"] == []


def test_update_usage_plan_paths(apigw):
    plan = apigw.create_usage_plan(name="p")
    pid = plan["id"]
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        replace("/name", "renamed"), replace("/description", "desc"), replace("/productCode", "pc"),
        replace("/throttle/rateLimit", "2.5"), replace("/throttle/burstLimit", "7"),
        replace("/quota/limit", "100"), replace("/quota/period", "MONTH"), replace("/quota/offset", "3")])
    assert (r["name"], r["description"], r["productCode"]) == ("renamed", "desc", "pc")
    assert r["throttle"] == {"rateLimit": 2.5, "burstLimit": 7}
    assert r["quota"] == {"offset": 3, "limit": 100, "period": "MONTH"}
    assert apigw.get_usage_plan(usagePlanId=pid)["quota"] == r["quota"]
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "remove", "path": "/throttle"}, {"op": "remove", "path": "/quota"}])
    assert "throttle" not in r and "quota" not in r
    # A quota built by patches must end up complete.
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[replace("/quota/limit", "5")]),
                 "ValidationException", status=400, contains="quota.period")
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[replace("/quota/period", "YEAR")]),
                 "ValidationException", status=400, contains="enum value set")
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[replace("/id", "x")]),
                 "BadRequestException", status=400, contains="Invalid patch path  '/id'")
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[replace("/name", "")]),
                 "BadRequestException", status=400)
    assert apigw.get_usage_plan(usagePlanId=pid)["name"] == "renamed"


def test_delete_usage_plan(apigw):
    plan = apigw.create_usage_plan(name="p")
    key = apigw.create_api_key(name="k")
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    r = apigw.delete_usage_plan(usagePlanId=plan["id"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_usage_plan(usagePlanId=plan["id"]), "NotFoundException", PLAN_NOT_FOUND, 404)
    assert apigw.get_usage_plans(keyId=key["id"])["items"] == []
    assert apigw.get_api_key(apiKey=key["id"])["name"] == "k", "the key itself stays"


def test_usage_plan_keys_crud(apigw):
    plan = apigw.create_usage_plan(name="p")
    pid = plan["id"]
    key = apigw.create_api_key(name="alpha", value="alpha-value-0123456789")
    r = apigw.create_usage_plan_key(usagePlanId=pid, keyId=key["id"], keyType="API_KEY")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    expected = {"id": key["id"], "type": "API_KEY", "name": "alpha", "value": "alpha-value-0123456789"}
    assert {k: r[k] for k in expected} == expected
    got = apigw.get_usage_plan_key(usagePlanId=pid, keyId=key["id"])
    assert {k: got[k] for k in expected} == expected
    expect_error(lambda: apigw.create_usage_plan_key(usagePlanId=pid, keyId=key["id"], keyType="API_KEY"),
                 "ConflictException", status=409)
    # Renaming the key shows in the plan.
    apigw.update_api_key(apiKey=key["id"], patchOperations=[replace("/name", "alpha2")])
    assert apigw.get_usage_plan_key(usagePlanId=pid, keyId=key["id"])["name"] == "alpha2"
    r = apigw.delete_usage_plan_key(usagePlanId=pid, keyId=key["id"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_usage_plan_key(usagePlanId=pid, keyId=key["id"]),
                 "NotFoundException", PLAN_NOT_FOUND, 404)
    assert apigw.get_usage_plan_keys(usagePlanId=pid)["items"] == []


def test_usage_plan_key_errors(apigw):
    pid = apigw.create_usage_plan(name="p")["id"]
    key = apigw.create_api_key(name="k")
    expect_error(lambda: apigw.create_usage_plan_key(usagePlanId=pid, keyId="nope", keyType="API_KEY"),
                 "NotFoundException", KEY_NOT_FOUND, 404)
    expect_error(lambda: apigw.create_usage_plan_key(usagePlanId=pid, keyId=key["id"], keyType="OTHER"),
                 "BadRequestException", status=400, contains="key type")
    expect_error(lambda: apigw.get_usage_plan_key(usagePlanId=pid, keyId="nope"),
                 "NotFoundException", KEY_NOT_FOUND, 404)
    # moto's recording: a real key that is not in the plan reads as an unknown plan.
    expect_error(lambda: apigw.get_usage_plan_key(usagePlanId=pid, keyId=key["id"]),
                 "NotFoundException", PLAN_NOT_FOUND, 404)
    expect_error(lambda: apigw.delete_usage_plan_key(usagePlanId=pid, keyId=key["id"]),
                 "NotFoundException", PLAN_NOT_FOUND, 404)


def test_get_usage_plan_keys_pages_and_filters_by_name(apigw):
    pid = apigw.create_usage_plan(name="p")["id"]
    ids = []
    for name in ("team-a", "team-b", "other", "team-c"):
        k = apigw.create_api_key(name=name)
        apigw.create_usage_plan_key(usagePlanId=pid, keyId=k["id"], keyType="API_KEY")
        ids.append(k["id"])
    # Newest first, as AWS answers (recorded: LocalStack's test_get_usage_plan_api_keys).
    page1 = apigw.get_usage_plan_keys(usagePlanId=pid, limit=2)
    assert [k["id"] for k in page1["items"]] == ids[::-1][:2]
    page2 = apigw.get_usage_plan_keys(usagePlanId=pid, limit=2, position=page1["position"])
    assert [k["id"] for k in page2["items"]] == ids[::-1][2:]
    assert "position" not in page2
    assert all(k["type"] == "API_KEY" and "value" in k for k in page1["items"])
    team = apigw.get_usage_plan_keys(usagePlanId=pid, nameQuery="team-")["items"]
    assert [k["name"] for k in team] == ["team-c", "team-b", "team-a"]


def test_deleting_an_api_key_removes_it_from_plans(apigw):
    pid = apigw.create_usage_plan(name="p")["id"]
    key = apigw.create_api_key(name="k")
    apigw.create_usage_plan_key(usagePlanId=pid, keyId=key["id"], keyType="API_KEY")
    apigw.delete_api_key(apiKey=key["id"])
    assert apigw.get_usage_plan_keys(usagePlanId=pid)["items"] == []
    assert apigw.get_usage_plans(keyId=key["id"])["items"] == []


def test_get_usage_reports_zeros_until_the_data_plane_counts(apigw):
    pid = apigw.create_usage_plan(name="p", quota={"limit": 500, "period": "DAY"})["id"]
    keys = []
    for i in range(3):
        k = apigw.create_api_key(name=f"k{i}")
        apigw.create_usage_plan_key(usagePlanId=pid, keyId=k["id"], keyType="API_KEY")
        keys.append(k["id"])
    r = apigw.get_usage(usagePlanId=pid, startDate="2024-01-30", endDate="2024-02-02")
    assert (r["usagePlanId"], r["startDate"], r["endDate"]) == (pid, "2024-01-30", "2024-02-02")
    assert r["items"] == {k: [[0, 500]] * 4 for k in keys}
    only = apigw.get_usage(usagePlanId=pid, keyId=keys[1], startDate="2024-01-01", endDate="2024-01-01")
    assert only["items"] == {keys[1]: [[0, 500]]}
    page1 = apigw.get_usage(usagePlanId=pid, startDate="2024-01-01", endDate="2024-01-01", limit=2)
    assert list(page1["items"]) == keys[:2]
    page2 = apigw.get_usage(usagePlanId=pid, startDate="2024-01-01", endDate="2024-01-01", limit=2,
                            position=page1["position"])
    assert list(page2["items"]) == keys[2:] and "position" not in page2


def test_get_usage_validates_dates(apigw):
    pid = apigw.create_usage_plan(name="p")["id"]
    expect_error(lambda: apigw.get_usage(usagePlanId=pid, startDate="2024/01/01", endDate="2024-01-02"),
                 "BadRequestException", status=400, contains="startDate")
    expect_error(lambda: apigw.get_usage(usagePlanId=pid, startDate="2024-01-01", endDate="2024-02-30"),
                 "BadRequestException", status=400, contains="endDate")
    expect_error(lambda: apigw.get_usage(usagePlanId=pid, startDate="2024-01-02", endDate="2024-01-01"),
                 "BadRequestException", status=400, contains="before the startDate")


def test_update_usage_sets_the_remaining_quota_of_the_current_period(apigw):
    pid = apigw.create_usage_plan(name="p", quota={"limit": 100, "period": "DAY"})["id"]
    key = apigw.create_api_key(name="k")["id"]
    apigw.create_usage_plan_key(usagePlanId=pid, keyId=key, keyType="API_KEY")
    r = apigw.update_usage(usagePlanId=pid, keyId=key, patchOperations=[replace("/remaining", "250")])
    day = today().isoformat()
    assert (r["usagePlanId"], r["startDate"], r["endDate"]) == (pid, day, day)
    assert r["items"] == {key: [[0, 250]]}
    assert apigw.get_usage(usagePlanId=pid, startDate=day, endDate=day)["items"] == {key: [[0, 250]]}
    # Only today's period is extended.
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()
    assert apigw.get_usage(usagePlanId=pid, startDate=yesterday, endDate=yesterday)["items"] == {key: [[0, 100]]}


def test_update_usage_errors(apigw):
    pid = apigw.create_usage_plan(name="p", quota={"limit": 100, "period": "DAY"})["id"]
    key = apigw.create_api_key(name="k")["id"]
    expect_error(lambda: apigw.update_usage(usagePlanId=pid, keyId=key, patchOperations=[replace("/remaining", "1")]),
                 "NotFoundException", PLAN_NOT_FOUND, 404)
    expect_error(lambda: apigw.update_usage(usagePlanId=pid, keyId="nope", patchOperations=[replace("/remaining", "1")]),
                 "NotFoundException", KEY_NOT_FOUND, 404)
    apigw.create_usage_plan_key(usagePlanId=pid, keyId=key, keyType="API_KEY")
    expect_error(lambda: apigw.update_usage(usagePlanId=pid, keyId=key, patchOperations=[replace("/used", "1")]),
                 "BadRequestException", status=400, contains="Must be one of: [/remaining]")
    expect_error(lambda: apigw.update_usage(usagePlanId=pid, keyId=key, patchOperations=[replace("/remaining", "-1")]),
                 "BadRequestException", status=400)
    expect_error(lambda: apigw.update_usage(usagePlanId=pid, keyId=key, patchOperations=[replace("/remaining", "x")]),
                 "BadRequestException", status=400, contains="Invalid integer value")
    free = apigw.create_usage_plan(name="no-quota")["id"]
    apigw.create_usage_plan_key(usagePlanId=free, keyId=key, keyType="API_KEY")
    expect_error(lambda: apigw.update_usage(usagePlanId=free, keyId=key, patchOperations=[replace("/remaining", "1")]),
                 "BadRequestException", status=400, contains="has no quota")


def test_plans_keys_and_adjustments_survive_restart(own_server):
    from conftest import make_client
    c = make_client(own_server)
    pid = c.create_usage_plan(name="durable", quota={"limit": 10, "period": "WEEK"})["id"]
    key = c.create_api_key(name="k")["id"]
    c.create_usage_plan_key(usagePlanId=pid, keyId=key, keyType="API_KEY")
    c.update_usage(usagePlanId=pid, keyId=key, patchOperations=[replace("/remaining", "42")])
    own_server.restart()
    c = make_client(own_server)
    assert c.get_usage_plan(usagePlanId=pid)["quota"]["limit"] == 10
    assert c.get_usage_plan_key(usagePlanId=pid, keyId=key)["name"] == "k"
    day = today().isoformat()
    assert c.get_usage(usagePlanId=pid, startDate=day, endDate=day)["items"] == {key: [[0, 42]]}


def test_plans_are_isolated_between_accounts(apigw, apigw_b):
    pid = apigw.create_usage_plan(name="p")["id"]
    expect_error(lambda: apigw_b.get_usage_plan(usagePlanId=pid), "NotFoundException", PLAN_NOT_FOUND, 404)
    assert apigw_b.get_usage_plans()["items"] == []


def test_create_usage_plan_with_api_stages_and_method_throttles(apigw, stages):
    api_id = stages
    r = apigw.create_usage_plan(name="p", apiStages=[
        {"apiId": api_id, "stage": "prod", "throttle": {"/pets/GET": {"burstLimit": 2, "rateLimit": 1}}},
        {"apiId": api_id, "stage": "beta"}])
    assert r["apiStages"] == [
        {"apiId": api_id, "stage": "prod", "throttle": {"/pets/GET": {"burstLimit": 2, "rateLimit": 1.0}}},
        {"apiId": api_id, "stage": "beta"}]
    assert apigw.get_usage_plan(usagePlanId=r["id"])["apiStages"] == r["apiStages"]
    expect_error(lambda: apigw.create_usage_plan(name="p", apiStages=[
        {"apiId": api_id, "stage": "prod", "throttle": {"pets": {"rateLimit": 1}}}]),
        "BadRequestException", status=400, contains="/{resourcePath}/{httpMethod}")
    expect_error(lambda: apigw.create_usage_plan(name="p", apiStages=[
        {"apiId": api_id, "stage": "prod"}, {"apiId": api_id, "stage": "prod"}]),
        "BadRequestException", status=400, contains="Duplicate API Stage")


def test_update_usage_plan_api_stages(apigw, stages):
    api_id = stages
    pid = apigw.create_usage_plan(name="p")["id"]
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:prod"},
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:beta"}])
    assert r["apiStages"] == [{"apiId": api_id, "stage": "prod"}, {"apiId": api_id, "stage": "beta"}]
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "remove", "path": "/apiStages", "value": f"{api_id}:prod"}])
    assert r["apiStages"] == [{"apiId": api_id, "stage": "beta"}]
    assert apigw.get_usage_plan(usagePlanId=pid)["apiStages"] == r["apiStages"]


def test_method_throttle_patch_paths(apigw, stages):
    api_id = stages
    pid = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])["id"]
    base = f"/apiStages/{api_id}:prod/throttle"
    # The AWS CLI examples: escaped resource path, and the root resource.
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        replace(f"{base}/~1pets/GET/rateLimit", "0.5"), replace(f"{base}/~1pets/GET/burstLimit", "3"),
        replace(f"{base}/~1/GET/rateLimit", "7")])
    assert r["apiStages"][0]["throttle"] == {"/pets/GET": {"rateLimit": 0.5, "burstLimit": 3},
                                             "//GET": {"rateLimit": 7.0}}
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "remove", "path": f"{base}/~1pets/GET", "value": ""}])
    assert r["apiStages"][0]["throttle"] == {"//GET": {"rateLimit": 7.0}}
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        replace(base, '{"/pets/POST": {"rateLimit": 1.0, "burstLimit": 1}}')])
    assert r["apiStages"][0]["throttle"] == {"/pets/POST": {"rateLimit": 1.0, "burstLimit": 1}}
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[{"op": "remove", "path": base, "value": ""}])
    assert r["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        replace(f"{base}/~1pets/GET/burstLimit", "-1")]), "BadRequestException", status=400)
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        replace(f"/apiStages/{api_id}:beta/throttle/~1pets/GET/rateLimit", "1")]),
        "NotFoundException", f"Invalid API Stage {{api: {api_id}, stage: beta}} specified for usageplan {pid}", 404)


def test_a_key_cannot_be_in_two_plans_covering_the_same_stage(apigw, stages):
    api_id = stages
    prod1 = apigw.create_usage_plan(name="prod-1", apiStages=[{"apiId": api_id, "stage": "prod"}])["id"]
    prod2 = apigw.create_usage_plan(name="prod-2", apiStages=[{"apiId": api_id, "stage": "prod"}])["id"]
    beta = apigw.create_usage_plan(name="beta", apiStages=[{"apiId": api_id, "stage": "beta"}])["id"]
    key = apigw.create_api_key(name="k")["id"]
    apigw.create_usage_plan_key(usagePlanId=prod1, keyId=key, keyType="API_KEY")
    expect_error(lambda: apigw.create_usage_plan_key(usagePlanId=prod2, keyId=key, keyType="API_KEY"),
                 "BadRequestException",
                 f"Usage Plan {prod2} cannot be added because API Key {key} cannot reference multiple "
                 f"Usage Plans with the same API Stage: {api_id}:prod", 400)
    apigw.create_usage_plan_key(usagePlanId=beta, keyId=key, keyType="API_KEY")
    # Widening a plan onto a stage the key already has through another plan is refused too.
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=beta, patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:prod"}]),
        "BadRequestException", status=400, contains="cannot reference multiple Usage Plans")
    assert apigw.get_usage_plan(usagePlanId=beta)["apiStages"] == [{"apiId": api_id, "stage": "beta"}]


def test_api_key_stage_keys(apigw, stages):
    api_id = stages
    key = apigw.create_api_key(name="k", stageKeys=[{"restApiId": api_id, "stageName": "prod"}])
    assert key["stageKeys"] == [f"{api_id}/prod"]
    r = apigw.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "add", "path": "/stageKeys", "value": f"{api_id}/beta"},
        {"op": "remove", "path": "/stageKeys", "value": f"{api_id}/prod"}])
    assert r["stageKeys"] == [f"{api_id}/beta"]
    assert apigw.get_api_key(apiKey=key["id"])["stageKeys"] == [f"{api_id}/beta"]


def test_a_plan_with_api_stages_cannot_be_deleted(apigw, stages):
    api_id = stages
    pid = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "beta"},
                                                      {"apiId": api_id, "stage": "prod"}])["id"]
    expect_error(lambda: apigw.delete_usage_plan(usagePlanId=pid), "BadRequestException",
                 f"Cannot delete Usage Plan {pid} because there are API Stages associated with it, "
                 f"including {api_id}:beta", 400)
    apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "remove", "path": "/apiStages", "value": f"{api_id}:beta"},
        {"op": "remove", "path": "/apiStages", "value": f"{api_id}:prod"}])
    apigw.delete_usage_plan(usagePlanId=pid)
    expect_error(lambda: apigw.get_usage_plan(usagePlanId=pid), "NotFoundException", PLAN_NOT_FOUND, 404)


def test_remove_paths_are_listed_like_aws(apigw, stages):
    api_id = stages
    pid = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])["id"]
    # AWS's recorded answer to removing a stage by path (boto/boto3#2629).
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "remove", "path": f"/apiStages/{api_id}:prod"}]), "BadRequestException",
        f"Invalid patch path  '/apiStages/{api_id}:prod' specified for op 'remove'. Must be one of: "
        "[/apiStages, /quota, /throttle, /productCode, "
        "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>, /apiStages/<apidId:stageName>/throttle]",
        400)
    # ...and to removing /apiStages without saying which.
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "remove", "path": "/apiStages"}]), "BadRequestException", "Invalid API Stage specified", 400)
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[replace("/productCode", "pc")])
    assert r["productCode"] == "pc"
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[{"op": "remove", "path": "/productCode"}])
    assert "productCode" not in r


def test_a_deleted_stage_can_still_be_removed_from_a_plan(apigw, stages):
    api_id = stages
    pid = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "beta"}])["id"]
    apigw.delete_stage(restApiId=api_id, stageName="beta")
    r = apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "remove", "path": "/apiStages", "value": f"{api_id}:beta"}])
    assert r["apiStages"] == []
    expect_error(lambda: apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:beta"}]),
        "NotFoundException", status=404, contains="Invalid API Stage")
    apigw.delete_usage_plan(usagePlanId=pid)


def test_aws_cli_documented_commands(server, tmp_path):
    """The AWS docs' CLI examples for key files and usage, run unchanged."""
    from test_cli import aws
    server.reset()
    rc, plan, err = aws(server, "apigateway", "create-usage-plan", "--name", "cli",
                        "--quota", "limit=500,offset=0,period=MONTH")
    assert rc == 0, err
    keys = tmp_path / "keys.csv"
    keys.write_text(f"Name,key,description,Enabled,usageplanIds\n"
                    f"MyFirstApiKey,apikey1234abcdefghij0123456789,An imported key,TRUE,{plan['id']}\n")
    rc, out, err = aws(server, "apigateway", "import-api-keys", "--body", f"fileb://{keys}", "--format", "csv",
                       "--fail-on-warnings")
    assert rc == 0, err
    key_id = out["ids"][0]
    rc, out, err = aws(server, "apigateway", "update-usage", "--usage-plan-id", plan["id"], "--key-id", key_id,
                       "--patch-operations", 'op="replace",path="/remaining",value="50"')
    assert rc == 0, err
    assert out["items"][key_id][-1] == [0, 50]
    day = today().isoformat()
    rc, out, err = aws(server, "apigateway", "get-usage", "--usage-plan-id", plan["id"],
                       "--start-date", day, "--end-date", day)
    assert rc == 0, err
    assert out["items"] == {key_id: [[0, 50]]}
