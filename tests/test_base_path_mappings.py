"""Base path mappings: Create/Get/Update/Delete BasePathMapping, GetBasePathMappings, their
errors — and invocations over real sockets through a custom domain, by `Host`.

AWS's texts used as they are (as moto reproduces AWS's answers): "Invalid base path mapping
identifier specified", "Base path already exists for this domain name", "Invalid REST API
identifier specified", "Invalid stage identifier specified", the v1 slash text, and
DeleteRestApi's and DeleteStage's refusals while a domain maps the API or stage (quoted in
glomex/gcdt issue #373 and terraform-provider-aws issue #41651). The
text for other bad base path characters is Portico's.
"""
import json
import time

import pytest
import requests

from dataplane import add_resource, deploy, invoke, mock_method
from helpers import expect_error, replace

DOMAIN = "api.example.com"
NO_MAPPING = "Invalid base path mapping identifier specified"
SLASH = ("API Gateway V1 doesn't support the slash character (/) in base path mappings. "
         "To create a multi-level base path mapping, use API Gateway V2.")


def body_of(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


@pytest.fixture
def domain(apigw):
    apigw.create_domain_name(domainName=DOMAIN)
    return DOMAIN


@pytest.fixture
def staged(apigw, api):
    """A REST API with stages `prod` and `dev`: its id."""
    api_id, root = api
    mock_method(apigw, api_id, root)
    deploy(apigw, api_id, "prod")
    deploy(apigw, api_id, "dev")
    return api_id


# ---------------------------------------------------------------- management


def test_lifecycle(apigw, domain, staged):
    created = apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath="v1",
                                             stage="prod")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert body_of(created) == {"basePath": "v1", "restApiId": staged, "stage": "prod"}
    assert body_of(apigw.get_base_path_mapping(domainName=domain, basePath="v1")) == body_of(created)

    updated = apigw.update_base_path_mapping(domainName=domain, basePath="v1", patchOperations=[
        replace("/stage", "dev"), replace("/basePath", "v2")])
    assert body_of(updated) == {"basePath": "v2", "restApiId": staged, "stage": "dev"}
    expect_error(lambda: apigw.get_base_path_mapping(domainName=domain, basePath="v1"),
                 "NotFoundException", NO_MAPPING, 404)
    assert apigw.get_base_path_mappings(domainName=domain)["items"] == [body_of(updated)]
    # An empty patch changes nothing.
    assert body_of(apigw.update_base_path_mapping(domainName=domain, basePath="v2",
                                                  patchOperations=[])) == body_of(updated)

    deleted = apigw.delete_base_path_mapping(domainName=domain, basePath="v2")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_base_path_mapping(domainName=domain, basePath="v2"),
                 "NotFoundException", NO_MAPPING, 404)
    expect_error(lambda: apigw.delete_base_path_mapping(domainName=domain, basePath="v2"),
                 "NotFoundException", NO_MAPPING, 404)
    assert apigw.get_base_path_mappings(domainName=domain)["items"] == []


def test_empty_base_path_is_none_and_stage_is_optional(apigw, domain, staged):
    m = apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath="")
    assert body_of(m) == {"basePath": "(none)", "restApiId": staged}
    assert body_of(apigw.get_base_path_mapping(domainName=domain, basePath="(none)")) == body_of(m)
    expect_error(lambda: apigw.create_base_path_mapping(domainName=domain, restApiId=staged),
                 "ConflictException", "Base path already exists for this domain name", 409)
    # `(none)` as a stage names no stage.
    n = apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath="x",
                                       stage="(none)")
    assert "stage" not in n
    apigw.delete_base_path_mapping(domainName=domain, basePath="(none)")
    assert [i["basePath"] for i in apigw.get_base_path_mappings(domainName=domain)["items"]] == ["x"]


def test_bad_input_creates_nothing(apigw, domain, staged):
    cases = [
        ({"basePath": "orders/v1"}, "BadRequestException", SLASH, 400),
        ({"basePath": "a b"}, "BadRequestException", None, 400),
        ({"basePath": "caf\u00e9"}, "BadRequestException", None, 400),
        ({"basePath": "v1", "restApiId": "nope000000"}, "BadRequestException",
         "Invalid REST API identifier specified", 400),
        ({"basePath": "v1", "stage": "nope"}, "BadRequestException",
         "Invalid stage identifier specified", 400),
    ]
    for kw, code, message, status in cases:
        kw = {"restApiId": staged, **kw}
        expect_error(lambda: apigw.create_base_path_mapping(domainName=domain, **kw),
                     code, message, status)
    err = expect_error(lambda: apigw.create_base_path_mapping(domainName=domain, restApiId=staged,
                                                              basePath="a#b"),
                       "BadRequestException", status=400)
    assert "$-_.+!*'()" in err["Error"]["Message"]
    assert apigw.get_base_path_mappings(domainName=domain)["items"] == []
    expect_error(lambda: apigw.get_base_path_mapping(domainName=domain, basePath="v1"),
                 "NotFoundException", NO_MAPPING, 404)
    # AWS's characters are all accepted.
    assert apigw.create_base_path_mapping(domainName=domain, restApiId=staged,
                                          basePath="v1.2_$-+!*'()")["basePath"] == "v1.2_$-+!*'()"


def test_unknown_domain(apigw, staged):
    for call in (lambda: apigw.create_base_path_mapping(domainName="nope.example.com",
                                                        restApiId=staged),
                 lambda: apigw.get_base_path_mappings(domainName="nope.example.com"),
                 lambda: apigw.get_base_path_mapping(domainName="nope.example.com",
                                                     basePath="(none)"),
                 lambda: apigw.delete_base_path_mapping(domainName="nope.example.com",
                                                        basePath="(none)")):
        expect_error(call, "NotFoundException", "Invalid domain name identifier specified", 404)


def test_update_is_checked_like_create(apigw, domain, staged):
    apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath="a", stage="prod")
    apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath="b")
    for ops, code, message in [
        ([replace("/basePath", "b")], "ConflictException",
         "Base path already exists for this domain name"),
        ([replace("/basePath", "x/y")], "BadRequestException", SLASH),
        ([replace("/restapiId", "nope000000")], "BadRequestException",
         "Invalid REST API identifier specified"),
        ([replace("/stage", "nope")], "BadRequestException", "Invalid stage identifier specified"),
        ([replace("/domainName", "x")], "BadRequestException", None),
        ([{"op": "remove", "path": "/stage"}], "BadRequestException", None),
    ]:
        expect_error(lambda: apigw.update_base_path_mapping(domainName=domain, basePath="a",
                                                            patchOperations=ops), code, message)
    assert body_of(apigw.get_base_path_mapping(domainName=domain, basePath="a")) == {
        "basePath": "a", "restApiId": staged, "stage": "prod"}


def test_paging(apigw, domain, staged):
    paths = [f"p{i}" for i in range(5)]
    for p in paths:
        apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath=p)
    first = apigw.get_base_path_mappings(domainName=domain, limit=3)
    assert [m["basePath"] for m in first["items"]] == paths[:3]
    rest = apigw.get_base_path_mappings(domainName=domain, limit=3, position=first["position"])
    assert [m["basePath"] for m in rest["items"]] == paths[3:]
    assert "position" not in rest
    pages = apigw.get_paginator("get_base_path_mappings").paginate(
        domainName=domain, PaginationConfig={"PageSize": 2})
    assert [m["basePath"] for page in pages for m in page["items"]] == paths


def test_a_mapped_api_cannot_be_deleted(apigw, domain, staged):
    apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath="v1")
    expect_error(lambda: apigw.delete_rest_api(restApiId=staged), "BadRequestException",
                 f"Deleting RestApi {staged} failed. Please remove all base path mappings "
                 f"related to the RestApi in your domains: {domain}", 400)
    apigw.get_rest_api(restApiId=staged)
    apigw.delete_base_path_mapping(domainName=domain, basePath="v1")
    apigw.delete_rest_api(restApiId=staged)


def test_a_mapped_stage_cannot_be_deleted(apigw, domain, staged):
    apigw.create_domain_name(domainName="two.example.com")
    apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath="v1",
                                   stage="prod")
    apigw.create_base_path_mapping(domainName="two.example.com", restApiId=staged, stage="prod")
    expect_error(lambda: apigw.delete_stage(restApiId=staged, stageName="prod"),
                 "BadRequestException",
                 "Deleting stage prod failed. Please remove all base path mappings related to "
                 f"the stage in your domains: {domain}, two.example.com", 400)
    apigw.get_stage(restApiId=staged, stageName="prod")
    # Another stage, or a mapping without a stage, does not hold it.
    apigw.create_base_path_mapping(domainName=domain, restApiId=staged, basePath="any")
    apigw.delete_stage(restApiId=staged, stageName="dev")
    apigw.delete_base_path_mapping(domainName=domain, basePath="v1")
    apigw.delete_base_path_mapping(domainName="two.example.com", basePath="(none)")
    apigw.delete_stage(restApiId=staged, stageName="prod")


# ---------------------------------------------------------------- invocations by Host

CONTEXT = ('{"api": "$context.apiId", "stage": "$context.stage", "path": "$context.path", '
           '"resourcePath": "$context.resourcePath", "domain": "$context.domainName"}')


def context_api(apigw, name, stages=("prod",)):
    """A MOCK API answering its `$context` on `/` and `/pets`."""
    api = apigw.create_rest_api(name=name)
    api_id, root = api["id"], api["rootResourceId"]
    pets = add_resource(apigw, api_id, root, "pets")
    for r in (root, pets):
        mock_method(apigw, api_id, r, response_templates={"application/json": CONTEXT})
    for s in stages:
        deploy(apigw, api_id, s)
    return api_id


def get(server, host, path):
    return requests.get(f"{server.url}{path}", headers={"Host": host}, timeout=10)


def served(server, host, path):
    r = get(server, host, path)
    assert r.status_code == 200, (path, r.status_code, r.text)
    return json.loads(r.text)


def wait_for(probe, deadline_s=3.0):
    """Poll `probe()` until it is true; fail after the deadline."""
    deadline = time.monotonic() + deadline_s
    while not probe():
        assert time.monotonic() < deadline, f"not so after {deadline_s}s"
        time.sleep(0.05)


@pytest.fixture
def two_apis(apigw):
    root_api = context_api(apigw, "root-api")
    v1_api = context_api(apigw, "v1-api", stages=("live", "beta"))
    apigw.create_domain_name(domainName=DOMAIN)
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=root_api, stage="prod")
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=v1_api, basePath="v1",
                                   stage="live")
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=v1_api, basePath="any")
    return root_api, v1_api


def test_host_routes_through_the_mappings(server, two_apis):
    root_api, v1_api = two_apis
    assert served(server, DOMAIN, "/pets") == {
        "api": root_api, "stage": "prod", "path": "/pets", "resourcePath": "/pets",
        "domain": DOMAIN}
    assert served(server, DOMAIN, "/")["api"] == root_api
    # The longest base path first; `$context.path` keeps the base path, as on AWS.
    assert served(server, DOMAIN, "/v1/pets") == {
        "api": v1_api, "stage": "live", "path": "/v1/pets", "resourcePath": "/pets",
        "domain": DOMAIN}
    assert served(server, DOMAIN, "/v1")["resourcePath"] == "/"
    # Whole segments only: `/v1x` is not under `v1`, so `(none)` gets it (and has no such path).
    r = get(server, DOMAIN, "/v1x/pets")
    assert r.status_code == 403 and r.json() == {"message": "Missing Authentication Token"}
    # A mapping without a stage: the next segment names it.
    assert served(server, DOMAIN, "/any/beta/pets")["stage"] == "beta"
    # Host: any case, any port.
    port = server.url.rsplit(":", 1)[1]
    assert served(server, f"API.Example.COM:{port}", "/v1/pets")["api"] == v1_api


def test_unmapped_paths_and_unknown_stages_are_forbidden(server, apigw, two_apis):
    _, v1_api = two_apis
    apigw.create_domain_name(domainName="only-v1.example.com")
    apigw.create_base_path_mapping(domainName="only-v1.example.com", restApiId=v1_api,
                                   basePath="v1", stage="live")
    for host, path in [("only-v1.example.com", "/"), ("only-v1.example.com", "/v2/pets"),
                       ("only-v1.example.com", "/_portico/health"),
                       (DOMAIN, "/any/nostage/pets"), (DOMAIN, "/any")]:
        r = get(server, host, path)
        assert r.status_code == 403, (host, path, r.text)
        assert r.json() == {"message": "Forbidden"}, (host, path)
        assert r.headers.get("x-amzn-RequestId")


def test_a_deleted_mapping_is_no_longer_served(server, apigw, two_apis):
    assert served(server, DOMAIN, "/v1/pets")["stage"] == "live"
    apigw.delete_base_path_mapping(domainName=DOMAIN, basePath="v1")
    # `(none)` now gets `/v1/pets`, which the root API does not have.
    wait_for(lambda: get(server, DOMAIN, "/v1/pets").status_code == 403)
    apigw.delete_domain_name(domainName=DOMAIN)
    wait_for(lambda: get(server, DOMAIN, "/pets").status_code != 200)
    # No longer a domain: the request is a management call again (unsigned: AWS's 403).
    r = get(server, DOMAIN, "/pets")
    assert r.status_code == 403
    assert r.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException"), r.headers


def test_other_hosts_behave_as_before(server, apigw, two_apis):
    root_api, _ = two_apis
    # execute-api addressing and the admin and management planes on other hosts.
    assert json.loads(invoke(server, root_api, "prod", "/pets").text)["api"] == root_api
    assert requests.get(f"{server.url}/_portico/health", timeout=10).status_code == 200
    assert apigw.get_domain_name(domainName=DOMAIN)["domainName"] == DOMAIN
    r = get(server, f"{root_api}.execute-api.localhost", "/prod/pets")
    assert json.loads(r.text)["api"] == root_api


def test_a_wildcard_domain_serves_its_subdomains(server, apigw):
    api_id = context_api(apigw, "wild-api")
    apigw.create_domain_name(domainName="*.wild.example.com")
    apigw.create_base_path_mapping(domainName="*.wild.example.com", restApiId=api_id,
                                   stage="prod")
    got = served(server, "Tenant-A.wild.example.com", "/pets")
    assert got["api"] == api_id and got["domain"] == "Tenant-A.wild.example.com"
    # The wildcard itself is one level of subdomain, not the parent.
    r = get(server, "wild.example.com", "/pets")
    assert r.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException")
