"""API keys: CreateApiKey, GetApiKey(s), UpdateApiKey, DeleteApiKey, ImportApiKeys."""
import re

from helpers import expect_error, replace

VALUE = "abcdefghij0123456789XYZ"


def test_create_api_key_has_aws_defaults(apigw):
    r = apigw.create_api_key(name="k1")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(r["id"]) == 10 and r["id"].isalnum()
    assert re.fullmatch(r"[A-Za-z0-9]{40}", r["value"]), r["value"]
    assert r["name"] == "k1"
    assert r["enabled"] is False, "AWS creates disabled keys unless enabled=True"
    assert r["stageKeys"] == []
    assert "createdDate" in r and "lastUpdatedDate" in r
    assert "description" not in r and "customerId" not in r and "tags" not in r


def test_create_api_key_keeps_given_fields(apigw):
    r = apigw.create_api_key(name="k", description="d", enabled=True, value=VALUE,
                             customerId="cust-1", tags={"team": "a"}, generateDistinctId=True)
    assert r["value"] == VALUE
    got = apigw.get_api_key(apiKey=r["id"], includeValue=True)
    for field in ("name", "description", "enabled", "value", "customerId", "tags", "stageKeys"):
        assert got[field] == r[field], field


def test_value_is_hidden_unless_asked_for(apigw):
    key = apigw.create_api_key(name="k", value=VALUE)
    assert "value" not in apigw.get_api_key(apiKey=key["id"])
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == VALUE
    assert "value" not in apigw.get_api_keys()["items"][0]
    assert apigw.get_api_keys(includeValues=True)["items"][0]["value"] == VALUE


def test_value_length_limits_use_aws_texts(apigw):
    expect_error(lambda: apigw.create_api_key(name="k", value="x" * 19), "BadRequestException",
                 "API Key value should be at least 20 characters", 400)
    expect_error(lambda: apigw.create_api_key(name="k", value="x" * 129), "BadRequestException",
                 "API Key value exceeds maximum size of 128 characters", 400)
    assert apigw.get_api_keys()["items"] == []


def test_values_are_unique_per_tenant(apigw, apigw_b):
    apigw.create_api_key(name="a", value=VALUE)
    expect_error(lambda: apigw.create_api_key(name="b", value=VALUE), "ConflictException",
                 "API Key already exists", 409)
    # Another account may use the same value.
    assert apigw_b.create_api_key(name="b", value=VALUE)["value"] == VALUE


def test_unknown_key_uses_aws_wording(apigw):
    for call in (lambda: apigw.get_api_key(apiKey="nope"),
                 lambda: apigw.update_api_key(apiKey="nope", patchOperations=[replace("/name", "x")]),
                 lambda: apigw.delete_api_key(apiKey="nope")):
        expect_error(call, "NotFoundException", "Invalid API Key identifier specified", 404)


def test_stage_keys_must_name_an_existing_stage(apigw, api):
    expect_error(lambda: apigw.create_api_key(name="k", stageKeys=[{"restApiId": api[0], "stageName": "prod"}]),
                 "NotFoundException", "Invalid stage identifier specified", 404)
    key = apigw.create_api_key(name="k")
    expect_error(lambda: apigw.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "add", "path": "/stageKeys", "value": f"{api[0]}/prod"}]),
        "NotFoundException", "Invalid stage identifier specified", 404)
    expect_error(lambda: apigw.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "add", "path": "/stageKeys", "value": "no-slash"}]),
        "BadRequestException", status=400, contains="Invalid stage key")


def test_get_api_keys_pages_and_filters(apigw):
    ids = [apigw.create_api_key(name=f"team-{i}", customerId="c1" if i % 2 else "c2")["id"]
           for i in range(5)]
    other = apigw.create_api_key(name="other")["id"]
    # Newest first, as AWS answers (recorded: LocalStack's TestApigatewayApiKeysCrud, replayed in
    # tests/aws_recorded).
    newest = [other] + ids[::-1]
    page1 = apigw.get_api_keys(limit=2)
    assert [k["id"] for k in page1["items"]] == newest[:2]
    page2 = apigw.get_api_keys(limit=2, position=page1["position"])
    assert [k["id"] for k in page2["items"]] == newest[2:4]
    everything = apigw.get_paginator("get_api_keys").paginate(PaginationConfig={"PageSize": 2})
    assert [k["id"] for p in everything for k in p["items"]] == newest
    assert [k["id"] for k in apigw.get_api_keys(nameQuery="team-")["items"]] == ids[::-1]
    assert apigw.get_api_keys(nameQuery="eam")["items"] == []
    assert [k["id"] for k in apigw.get_api_keys(customerId="c1")["items"]] == [ids[3], ids[1]]
    assert [k["id"] for k in apigw.get_api_keys(nameQuery="team-", customerId="c2", limit=1)["items"]] == [ids[4]]
    # An out-of-range limit reads as the default one (recorded: GetApiKeys limit=-1 answers 200).
    assert len(apigw.get_api_keys(limit=-1)["items"]) == 6


def test_update_api_key_paths(apigw):
    key = apigw.create_api_key(name="k", description="d", customerId="c", value=VALUE)
    r = apigw.update_api_key(apiKey=key["id"], patchOperations=[
        replace("/name", "renamed"), replace("/description", "new"), replace("/enabled", "true"),
        replace("/customerId", "c2")])
    assert (r["name"], r["description"], r["enabled"], r["customerId"]) == ("renamed", "new", True, "c2")
    assert "value" not in r
    assert r["lastUpdatedDate"] >= key["lastUpdatedDate"]
    assert apigw.get_api_key(apiKey=key["id"])["name"] == "renamed"
    expect_error(lambda: apigw.update_api_key(apiKey=key["id"], patchOperations=[replace("/value", "x" * 30)]),
                 "BadRequestException", status=400, contains="Invalid patch path  '/value'")
    # AWS reads anything but "true" as false (recorded: test_update_api_key_invalid_enabled_type)
    assert apigw.update_api_key(apiKey=key["id"], patchOperations=[replace("/enabled", "maybe")])["enabled"] is False


def test_delete_api_key_frees_its_value(apigw):
    key = apigw.create_api_key(name="k", value=VALUE)
    r = apigw.delete_api_key(apiKey=key["id"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_api_key(apiKey=key["id"]), "NotFoundException", status=404)
    assert apigw.create_api_key(name="again", value=VALUE)["value"] == VALUE


def test_keys_are_isolated_between_accounts(apigw, apigw_b):
    key = apigw.create_api_key(name="k")
    expect_error(lambda: apigw_b.get_api_key(apiKey=key["id"]), "NotFoundException", status=404)
    assert apigw_b.get_api_keys()["items"] == []


def test_api_keys_survive_restart(own_server):
    from conftest import make_client
    c = make_client(own_server)
    key = c.create_api_key(name="durable", value=VALUE, enabled=True)
    own_server.restart()
    c = make_client(own_server)
    got = c.get_api_key(apiKey=key["id"], includeValue=True)
    assert (got["name"], got["value"], got["enabled"]) == ("durable", VALUE, True)
    expect_error(lambda: c.create_api_key(name="dup", value=VALUE), "ConflictException", status=409)


KEY_A = "apikey1234abcdefghij0123456789"
KEY_B = "apikey1234abcdefghij9876543210"


def by_value(apigw):
    return {k["value"]: k for k in apigw.get_api_keys(includeValues=True)["items"]}


def test_import_api_keys_csv_in_aws_format(apigw):
    p1 = apigw.create_usage_plan(name="p1")["id"]
    p2 = apigw.create_usage_plan(name="p2")["id"]
    csv = ("Name,key,description,Enabled,usageplanIds\n"
           f"First,{KEY_A},An imported key,TRUE,{p1}\n"
           f"Second,{KEY_B},,false,\"{p1},{p2}\"\n")
    r = apigw.import_api_keys(body=csv.encode(), format="csv")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(r["ids"]) == 2 and not r.get("warnings")
    keys = by_value(apigw)
    a, b = keys[KEY_A], keys[KEY_B]
    assert [a["id"], b["id"]] == r["ids"]
    assert (a["name"], a["description"], a["enabled"]) == ("First", "An imported key", True)
    assert (b["name"], b["enabled"]) == ("Second", False) and "description" not in b
    assert {k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=p1)["items"]} == {a["id"], b["id"]}
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=p2)["items"]] == [b["id"]]


def test_import_header_is_case_insensitive_in_any_order_and_enabled_defaults_true(apigw):
    r = apigw.import_api_keys(body=f"Key,name,Ignored\n{KEY_A},MyFirstApiKey,whatever\n".encode(), format="csv")
    key = by_value(apigw)[KEY_A]
    assert [key["id"]] == r["ids"]
    assert (key["name"], key["enabled"]) == ("MyFirstApiKey", True)


def test_reimporting_a_value_overwrites_that_key(apigw):
    first = apigw.import_api_keys(body=f"name,key\nold,{KEY_A}\n".encode(), format="csv")["ids"]
    again = apigw.import_api_keys(body=f"name,key,enabled\nnew,{KEY_A},false\n".encode(), format="csv")["ids"]
    assert first == again
    key = apigw.get_api_key(apiKey=first[0])
    assert (key["name"], key["enabled"]) == ("new", False)
    assert len(apigw.get_api_keys()["items"]) == 1


def test_import_warnings_skip_bad_rows(apigw):
    csv = (f"name,key,enabled,usageplanids\n"
           f"short,tooshort,true,\n"
           f"bad-enabled,{KEY_B},maybe,\n"
           f"good,{KEY_A},true,nosuchplan\n")
    r = apigw.import_api_keys(body=csv.encode(), format="csv")
    assert len(r["ids"]) == 1
    assert r["warnings"] == [
        "Line 2: API Key value should be at least 20 characters",
        "Line 3: invalid Enabled value 'maybe', expected true or false",
        "Line 4: Invalid Usage Plan ID specified: nosuchplan",
    ]
    assert list(by_value(apigw)) == [KEY_A]


def test_failonwarnings_rejects_the_whole_file(apigw):
    csv = f"name,key\ngood,{KEY_A}\nshort,tooshort\n"
    expect_error(lambda: apigw.import_api_keys(body=csv.encode(), format="csv", failOnWarnings=True),
                 "BadRequestException", "Line 3: API Key value should be at least 20 characters", 400)
    assert apigw.get_api_keys()["items"] == []
    # Without warnings, failonwarnings imports normally.
    r = apigw.import_api_keys(body=f"name,key\ngood,{KEY_A}\n".encode(), format="csv", failOnWarnings=True)
    assert len(r["ids"]) == 1


def test_import_rejects_a_file_without_name_and_key_columns(apigw):
    expect_error(lambda: apigw.import_api_keys(body=f"key,description\n{KEY_A},d\n".encode(), format="csv"),
                 "BadRequestException", status=400, contains="Name and Key")
    expect_error(lambda: apigw.import_api_keys(body=b"", format="csv"),
                 "BadRequestException", status=400)


def test_import_format_must_be_csv(apigw):
    expect_error(lambda: apigw.import_api_keys(body=f"name,key\nk,{KEY_A}\n".encode(), format="json"),
                 "ValidationException", status=400, contains="enum value set: [csv]")
    assert apigw.get_api_keys()["items"] == []
