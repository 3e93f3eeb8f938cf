"""Documentation parts and versions (Create/Get/Update/Delete DocumentationPart,
GetDocumentationParts, ImportDocumentationParts, Create/Get/Update/Delete DocumentationVersion,
GetDocumentationVersions) and a stage's documentationVersion.

Texts marked "recorded" are AWS's answers as LocalStack's
tests/aws/services/apigateway/test_apigateway_api.snapshot.json and
test_apigateway_common.snapshot.json recorded them against AWS; the conflict text is AWS's
developer guide's; "Invalid Documentation version specified" is the text
serverless-aws-documentation matches on AWS's GetDocumentationVersion. The others are
Portico's decisions (see crates/api-apigateway/src/docs/).
"""
import json
import pathlib

import pytest

from conftest import make_client
from helpers import expect_error, replace
from portico_server import ACCOUNT_B
from test_cli import aws

ACCOUNT = "000000000000"
TYPES = ("[RESPONSE_BODY, RESPONSE, METHOD, MODEL, AUTHORIZER, RESPONSE_HEADER, RESOURCE, "
         "PATH_PARAMETER, REQUEST_BODY, QUERY_PARAMETER, API, REQUEST_HEADER]")


def part(apigw, api_id, location, properties=None):
    return apigw.create_documentation_part(
        restApiId=api_id, location=location,
        properties=json.dumps(properties if properties is not None else {"description": "d"}))


def body(r):
    return {k: v for k, v in r.items() if k != "ResponseMetadata"}


# ---- parts: lifecycle and AWS's recorded errors -----------------------------------------------

def test_part_lifecycle(apigw, api):
    api_id, _ = api
    r = apigw.create_documentation_part(restApiId=api_id, location={"type": "API"},
                                        properties='{ "description": "Sample API description" }')
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    pid = r["id"]
    assert body(r) == {"id": pid, "location": {"type": "API"},
                       "properties": '{ "description": "Sample API description" }'}
    assert body(apigw.get_documentation_part(restApiId=api_id, documentationPartId=pid)) == body(r)
    assert apigw.get_documentation_parts(restApiId=api_id)["items"] == [body(r)]
    u = apigw.update_documentation_part(
        restApiId=api_id, documentationPartId=pid,
        patchOperations=[replace("/properties", '{ "description": "Updated" }')])
    assert u["properties"] == '{ "description": "Updated" }' and u["id"] == pid
    assert apigw.get_documentation_part(restApiId=api_id, documentationPartId=pid)["properties"] == \
        '{ "description": "Updated" }'
    d = apigw.delete_documentation_part(restApiId=api_id, documentationPartId=pid)
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.delete_documentation_part(restApiId=api_id, documentationPartId=pid),
                 "NotFoundException", "Invalid Documentation part identifier specified", 404)
    assert apigw.get_documentation_parts(restApiId=api_id)["items"] == []


def test_unknown_api_and_part(apigw, api):
    api_id, _ = api
    pid = part(apigw, api_id, {"type": "API"})["id"]
    missing = f"Invalid API identifier specified {ACCOUNT}:nope"
    # Recorded: create, list and delete name the API; get and update name the part.
    expect_error(lambda: part(apigw, "nope", {"type": "API"}), "NotFoundException", missing, 404)
    expect_error(lambda: apigw.get_documentation_parts(restApiId="nope"), "NotFoundException", missing, 404)
    expect_error(lambda: apigw.delete_documentation_part(restApiId="nope", documentationPartId=pid),
                 "NotFoundException", missing, 404)
    for api_ref, part_ref in (("nope", pid), (api_id, "nopart")):
        expect_error(lambda: apigw.get_documentation_part(restApiId=api_ref, documentationPartId=part_ref),
                     "NotFoundException", "Invalid Documentation part identifier specified", 404)
        expect_error(lambda: apigw.update_documentation_part(
            restApiId=api_ref, documentationPartId=part_ref,
            patchOperations=[replace("/properties", "{}")]),
            "NotFoundException", "Invalid Documentation part identifier specified", 404)


def test_invalid_location_type_is_aws_validation_error(apigw, api):
    api_id, _ = api
    err = expect_error(lambda: part(apigw, api_id, {"type": "INVALID"}), "ValidationException", status=400)
    assert err["Error"]["Message"] == (
        "1 validation error detected: Value 'INVALID' at 'createDocumentationPartInput.location.type' "
        f"failed to satisfy constraint: Member must satisfy enum value set: {TYPES}")


def test_update_patch_errors(apigw, api):
    api_id, _ = api
    pid = part(apigw, api_id, {"type": "API"})["id"]
    upd = lambda *ops: apigw.update_documentation_part(  # noqa: E731
        restApiId=api_id, documentationPartId=pid, patchOperations=list(ops))
    # Recorded, with AWS's double space.
    expect_error(lambda: upd({"op": "add", "path": "/properties", "value": "{}"}), "BadRequestException",
                 "Invalid patch path  '/properties' specified for op 'add'. Please choose supported operations", 400)
    expect_error(lambda: upd(replace("/invalidPath", "{}")), "BadRequestException",
                 "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/properties]", 400)
    expect_error(lambda: upd(replace("/properties", "not json")), "BadRequestException", status=400)
    expect_error(lambda: upd(replace("/properties", "[1, 2]")), "BadRequestException",
                 "Invalid documentation content: properties must be a JSON object", 400)
    # Nothing changed.
    assert apigw.get_documentation_part(restApiId=api_id, documentationPartId=pid)["properties"] == \
        '{"description": "d"}'


def test_properties_must_be_a_json_object(apigw, api):
    api_id, _ = api
    for bad in ("nope", "[]", "1", '"text"'):
        expect_error(lambda: apigw.create_documentation_part(
            restApiId=api_id, location={"type": "API"}, properties=bad), "BadRequestException", status=400)
    assert apigw.get_documentation_parts(restApiId=api_id)["items"] == []


# ---- locations: each type's fields, defaults, required names ----------------------------------

STORED = [
    ({"type": "API"}, {"type": "API"}),
    ({"type": "AUTHORIZER", "name": "auth"}, {"type": "AUTHORIZER", "name": "auth"}),
    ({"type": "MODEL", "name": "Pet"}, {"type": "MODEL", "name": "Pet"}),
    ({"type": "RESOURCE"}, {"type": "RESOURCE", "path": "/"}),
    ({"type": "RESOURCE", "path": "/pets/{petId}"}, {"type": "RESOURCE", "path": "/pets/{petId}"}),
    ({"type": "METHOD", "path": "/pets", "method": "GET"},
     {"type": "METHOD", "path": "/pets", "method": "GET"}),
    ({"type": "METHOD", "method": "GET"}, {"type": "METHOD", "path": "/", "method": "GET"}),
    ({"type": "METHOD", "path": "/pets"}, {"type": "METHOD", "path": "/pets", "method": "*"}),
    ({"type": "PATH_PARAMETER", "path": "/pets/{petId}", "name": "petId"},
     {"type": "PATH_PARAMETER", "path": "/pets/{petId}", "method": "*", "name": "petId"}),
    ({"type": "QUERY_PARAMETER", "path": "/pets", "method": "GET", "name": "page"},
     {"type": "QUERY_PARAMETER", "path": "/pets", "method": "GET", "name": "page"}),
    ({"type": "REQUEST_HEADER", "name": "x-my-token"},
     {"type": "REQUEST_HEADER", "path": "/", "method": "*", "name": "x-my-token"}),
    ({"type": "REQUEST_BODY", "path": "/pets", "method": "POST"},
     {"type": "REQUEST_BODY", "path": "/pets", "method": "POST"}),
    ({"type": "RESPONSE", "statusCode": "200"},
     {"type": "RESPONSE", "path": "/", "method": "*", "statusCode": "200"}),
    ({"type": "RESPONSE_HEADER", "method": "GET", "statusCode": "200", "name": "Content-Type"},
     {"type": "RESPONSE_HEADER", "path": "/", "method": "GET", "statusCode": "200", "name": "Content-Type"}),
    ({"type": "RESPONSE_BODY", "path": "/pets"},
     {"type": "RESPONSE_BODY", "path": "/pets", "method": "*", "statusCode": "*"}),
]


@pytest.mark.parametrize("given,stored", STORED, ids=[f"{g['type']}-{i}" for i, (g, _) in enumerate(STORED)])
def test_location_fields_and_defaults(apigw, api, given, stored):
    api_id, _ = api
    r = part(apigw, api_id, given)
    assert r["location"] == stored
    assert apigw.get_documentation_part(restApiId=api_id, documentationPartId=r["id"])["location"] == stored
    # The same place again, spelled with its defaults or without, is a conflict.
    expect_error(lambda: part(apigw, api_id, stored), "ConflictException", status=409,
                 contains="Documentation part already exists for the specified location: ")


INVALID = [
    ({"type": "API", "path": "/"}, "path"),
    ({"type": "API", "name": "x"}, "name"),
    ({"type": "AUTHORIZER", "name": "a", "path": "/"}, "path"),
    ({"type": "MODEL", "name": "M", "method": "GET"}, "method"),
    ({"type": "RESOURCE", "method": "GET"}, "method"),
    ({"type": "RESOURCE", "name": "x"}, "name"),
    ({"type": "METHOD", "statusCode": "200"}, "statusCode"),
    ({"type": "METHOD", "name": "x"}, "name"),
    ({"type": "PATH_PARAMETER", "name": "id", "statusCode": "200"}, "statusCode"),
    ({"type": "REQUEST_BODY", "statusCode": "200"}, "statusCode"),
    ({"type": "RESPONSE", "name": "x"}, "name"),
    ({"type": "RESPONSE_BODY", "name": "x"}, "name"),
]


@pytest.mark.parametrize("given,field", INVALID, ids=[f"{g['type']}-{f}" for g, f in INVALID])
def test_fields_a_type_does_not_take(apigw, api, given, field):
    api_id, _ = api
    expect_error(lambda: part(apigw, api_id, given), "BadRequestException",
                 f"Invalid location: '{field}' is not a valid location field for a documentation part "
                 f"of type {given['type']}", 400)


@pytest.mark.parametrize("kind", ["AUTHORIZER", "MODEL", "PATH_PARAMETER", "QUERY_PARAMETER",
                                  "REQUEST_HEADER", "RESPONSE_HEADER"])
def test_types_that_require_a_name(apigw, api, kind):
    api_id, _ = api
    expect_error(lambda: part(apigw, api_id, {"type": kind}), "BadRequestException",
                 f"Invalid location: 'name' is required for a documentation part of type {kind}", 400)


def test_bad_status_code_and_path(apigw, api):
    api_id, _ = api
    err = expect_error(lambda: part(apigw, api_id, {"type": "RESPONSE", "statusCode": "600"}),
                       "ValidationException", status=400)
    assert err["Error"]["Message"] == (
        "1 validation error detected: Value '600' at 'createDocumentationPartInput.location.statusCode' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: ^([1-5]\\d\\d|\\*|\\s*)$")
    expect_error(lambda: part(apigw, api_id, {"type": "RESOURCE", "path": "pets"}), "BadRequestException",
                 "Invalid location: path 'pets' must start with '/'", 400)


def test_conflict_names_the_location(apigw, api):
    api_id, _ = api
    part(apigw, api_id, {"type": "API"})
    # AWS's developer guide's text.
    expect_error(lambda: part(apigw, api_id, {"type": "API"}), "ConflictException",
                 "Documentation part already exists for the specified location: type 'API'.", 409)
    part(apigw, api_id, {"type": "METHOD", "path": "/pets"})
    expect_error(lambda: part(apigw, api_id, {"type": "METHOD", "path": "/pets", "method": "*"}),
                 "ConflictException",
                 "Documentation part already exists for the specified location: "
                 "type 'METHOD', path '/pets', method '*'.", 409)
    # Another method at the same path is another place.
    part(apigw, api_id, {"type": "METHOD", "path": "/pets", "method": "GET"})
    assert len(apigw.get_documentation_parts(restApiId=api_id)["items"]) == 3


# ---- GetDocumentationParts: filters and paging -----------------------------------------------

@pytest.fixture
def documented(apigw, api):
    api_id, _ = api
    made = {}
    for key, loc, props in [
        ("api", {"type": "API"}, {"description": "the api"}),
        ("pets", {"type": "RESOURCE", "path": "/pets"}, {"description": "pets"}),
        ("get", {"type": "METHOD", "path": "/pets", "method": "GET"}, {"summary": "list"}),
        ("page", {"type": "QUERY_PARAMETER", "path": "/pets", "method": "GET", "name": "page"}, {}),
        ("limit", {"type": "QUERY_PARAMETER", "path": "/pets", "method": "GET", "name": "PageLimit"},
         {"description": "l"}),
        ("pet", {"type": "MODEL", "name": "Pet"}, {}),
    ]:
        made[key] = part(apigw, api_id, loc, props)["id"]
    return api_id, made


def ids(apigw, api_id, **filters):
    return [p["id"] for p in apigw.get_documentation_parts(restApiId=api_id, **filters)["items"]]


def test_filters(apigw, documented):
    api_id, m = documented
    assert ids(apigw, api_id) == [m[k] for k in ("api", "pets", "get", "page", "limit", "pet")]
    assert ids(apigw, api_id, type="QUERY_PARAMETER") == [m["page"], m["limit"]]
    assert ids(apigw, api_id, type="METHOD") == [m["get"]]
    assert ids(apigw, api_id, path="/pets") == [m[k] for k in ("pets", "get", "page", "limit")]
    assert ids(apigw, api_id, path="/pets", type="RESOURCE") == [m["pets"]]
    assert ids(apigw, api_id, path="/nothing") == []
    # nameQuery: names containing it, case aside (a decision).
    assert ids(apigw, api_id, nameQuery="page") == [m["page"], m["limit"]]
    assert ids(apigw, api_id, nameQuery="Pet") == [m["pet"]]
    # DOCUMENTED: parts with content; UNDOCUMENTED: parts whose properties are empty.
    assert ids(apigw, api_id, locationStatus="DOCUMENTED") == [m[k] for k in ("api", "pets", "get", "limit")]
    assert ids(apigw, api_id, locationStatus="UNDOCUMENTED") == [m["page"], m["pet"]]
    assert ids(apigw, api_id, type="QUERY_PARAMETER", locationStatus="UNDOCUMENTED") == [m["page"]]


def test_filter_validation(apigw, documented):
    api_id, _ = documented
    err = expect_error(lambda: apigw.get_documentation_parts(restApiId=api_id, type="NOPE"),
                       "ValidationException", status=400)
    assert err["Error"]["Message"] == (
        f"1 validation error detected: Value 'NOPE' at 'type' failed to satisfy constraint: "
        f"Member must satisfy enum value set: {TYPES}")
    err = expect_error(lambda: apigw.get_documentation_parts(restApiId=api_id, locationStatus="SOME"),
                       "ValidationException", status=400)
    assert err["Error"]["Message"] == (
        "1 validation error detected: Value 'SOME' at 'locationStatus' failed to satisfy constraint: "
        "Member must satisfy enum value set: [DOCUMENTED, UNDOCUMENTED]")


def test_paging(apigw, documented):
    api_id, m = documented
    seen, position = [], None
    while True:
        kw = {"limit": 2, **({"position": position} if position else {})}
        r = apigw.get_documentation_parts(restApiId=api_id, **kw)
        assert len(r["items"]) <= 2
        seen += [p["id"] for p in r["items"]]
        position = r.get("position")
        if not position:
            break
    assert seen == [m[k] for k in ("api", "pets", "get", "page", "limit", "pet")]
    # Pages of a filtered list hold only matching parts.
    r = apigw.get_documentation_parts(restApiId=api_id, path="/pets", limit=3)
    assert [p["id"] for p in r["items"]] == [m["pets"], m["get"], m["page"]] and r["position"]
    r = apigw.get_documentation_parts(restApiId=api_id, path="/pets", limit=3, position=r["position"])
    assert [p["id"] for p in r["items"]] == [m["limit"]] and "position" not in r
    # The paginator walks them all.
    pages = apigw.get_paginator("get_documentation_parts").paginate(
        restApiId=api_id, PaginationConfig={"PageSize": 4})
    assert [p["id"] for page in pages for p in page["items"]] == seen
    expect_error(lambda: apigw.get_documentation_parts(restApiId=api_id, limit=0), "BadRequestException",
                 status=400)


# ---- ImportDocumentationParts ----------------------------------------------------------------

# AWS's recorded import (LocalStack's tests/aws/files/oas30_documentation_parts.json, Apache-2.0,
# abridged to what the import reads).
OAS30 = {
    "openapi": "3.0.0",
    "info": {"description": "description", "version": "1", "title": "doc"},
    "paths": {"/": {"get": {"description": "Method description.",
                            "responses": {"200": {"description": "200 response"}}}}},
    "x-amazon-apigateway-documentation": {
        "version": "1.0.3",
        "documentationParts": [
            {"location": {"type": "API"},
             "properties": {"description": "API description",
                            "info": {"description": "API info description 4",
                                     "version": "API info version 3"}}},
            {"location": {"type": "METHOD", "method": "GET"},
             "properties": {"description": "Method description."}},
            {"location": {"type": "MODEL", "name": "Empty"}, "properties": {"title": "Empty Schema"}},
            {"location": {"type": "RESPONSE", "method": "GET", "statusCode": "200"},
             "properties": {"description": "200 response"}},
        ],
    },
}


def test_import_overwrite_as_aws_recorded(apigw, api):
    api_id, _ = api
    old = part(apigw, api_id, {"type": "RESOURCE", "path": "/old"})["id"]
    r = apigw.import_documentation_parts(restApiId=api_id, mode="overwrite", body=json.dumps(OAS30))
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(r["ids"]) == 4 and "warnings" not in r
    items = apigw.get_documentation_parts(restApiId=api_id)["items"]
    assert [p["id"] for p in items] == r["ids"] and old not in r["ids"]
    # As recorded: METHOD and RESPONSE parts get the root path; properties come back as text.
    assert [p["location"] for p in items] == [
        {"type": "API"},
        {"type": "METHOD", "path": "/", "method": "GET"},
        {"type": "MODEL", "name": "Empty"},
        {"type": "RESPONSE", "path": "/", "method": "GET", "statusCode": "200"},
    ]
    assert isinstance(items[0]["properties"], str)
    assert json.loads(items[0]["properties"])["info"]["version"] == "API info version 3"


def test_import_merge_keeps_other_parts_and_ids(apigw, api):
    api_id, _ = api
    other = part(apigw, api_id, {"type": "RESOURCE", "path": "/other"})["id"]
    api_part = part(apigw, api_id, {"type": "API"}, {"description": "before"})["id"]
    r = apigw.import_documentation_parts(restApiId=api_id, body=json.dumps(OAS30))  # merge by default
    assert api_part in r["ids"] and len(r["ids"]) == 4
    items = {p["id"]: p for p in apigw.get_documentation_parts(restApiId=api_id)["items"]}
    assert other in items and len(items) == 5
    assert json.loads(items[api_part]["properties"])["description"] == "API description"
    # Merging again changes nothing but the content.
    r2 = apigw.import_documentation_parts(restApiId=api_id, mode="merge", body=json.dumps(OAS30))
    assert r2["ids"] == r["ids"]


def test_import_warnings(apigw, api):
    api_id, _ = api
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
           "x-amazon-apigateway-documentation": {"documentationParts": [
               {"location": {"type": "API"}, "properties": {"description": "ok"}},
               {"location": {"type": "MODEL"}, "properties": {"description": "no name"}},
               {"location": {"type": "NOPE"}, "properties": {}},
           ]}}
    err = expect_error(lambda: apigw.import_documentation_parts(
        restApiId=api_id, mode="overwrite", failOnWarnings=True, body=json.dumps(doc)),
        "BadRequestException", status=400)
    assert "documentationParts[1]" in err["Error"]["Message"]
    assert apigw.get_documentation_parts(restApiId=api_id)["items"] == []
    r = apigw.import_documentation_parts(restApiId=api_id, mode="overwrite", body=json.dumps(doc))
    assert len(r["ids"]) == 1 and len(r["warnings"]) == 2


def test_import_bad_input(apigw, api):
    api_id, _ = api
    # Recorded: a document that does not parse.
    for bad in ("{'key:value}", 'test:\n  value:\n    - "x \\"y\\": $(var +"%a")}"\n', "[]", '{"a": 1}'):
        expect_error(lambda: apigw.import_documentation_parts(restApiId=api_id, mode="overwrite", body=bad),
                     "BadRequestException", "Unable to build importer with provided input.", 400)
    expect_error(lambda: apigw.import_documentation_parts(restApiId="nope", body=json.dumps(OAS30)),
                 "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", 404)
    err = expect_error(lambda: apigw.import_documentation_parts(restApiId=api_id, mode="replace",
                                                                body=json.dumps(OAS30)),
                       "ValidationException", status=400)
    assert "Member must satisfy enum value set: [merge, overwrite]" in err["Error"]["Message"]


# ---- versions --------------------------------------------------------------------------------

def test_version_lifecycle(apigw, api):
    api_id, _ = api
    part(apigw, api_id, {"type": "API"}, {"foo": "bar"})
    v = apigw.create_documentation_version(restApiId=api_id, documentationVersion="v123")
    assert v["ResponseMetadata"]["HTTPStatusCode"] == 201
    # Recorded: a version shows its name and date, and its description once it has one.
    assert set(body(v)) == {"version", "createdDate"} and v["version"] == "v123"
    u = apigw.update_documentation_version(restApiId=api_id, documentationVersion="v123",
                                           patchOperations=[replace("/description", "doc version new")])
    assert body(u) == {"version": "v123", "createdDate": v["createdDate"], "description": "doc version new"}
    assert body(apigw.get_documentation_version(restApiId=api_id, documentationVersion="v123")) == body(u)
    d = apigw.delete_documentation_version(restApiId=api_id, documentationVersion="v123")
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_documentation_version(restApiId=api_id, documentationVersion="v123"),
                 "NotFoundException", "Invalid Documentation version specified", 404)
    expect_error(lambda: apigw.delete_documentation_version(restApiId=api_id, documentationVersion="v123"),
                 "NotFoundException", "Invalid Documentation version specified", 404)


def test_version_errors(apigw, api):
    api_id, _ = api
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1.0", description="first")
    expect_error(lambda: apigw.create_documentation_version(restApiId=api_id, documentationVersion="1.0"),
                 "ConflictException", "Documentation version '1.0' already exists", 409)
    expect_error(lambda: apigw.create_documentation_version(restApiId="nope", documentationVersion="1.0"),
                 "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", 404)
    expect_error(lambda: apigw.get_documentation_versions(restApiId="nope"),
                 "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", 404)
    expect_error(lambda: apigw.update_documentation_version(
        restApiId=api_id, documentationVersion="1.0", patchOperations=[replace("/version", "2")]),
        "BadRequestException",
        "Invalid patch path  '/version' specified for op 'replace'. Must be one of: [/description]", 400)
    expect_error(lambda: apigw.update_documentation_version(
        restApiId=api_id, documentationVersion="1.0",
        patchOperations=[{"op": "add", "path": "/description", "value": "x"}]),
        "BadRequestException",
        "Invalid patch path  '/description' specified for op 'add'. Please choose supported operations", 400)
    expect_error(lambda: apigw.update_documentation_version(
        restApiId=api_id, documentationVersion="2.0", patchOperations=[replace("/description", "x")]),
        "NotFoundException", "Invalid Documentation version specified", 404)
    # An unknown stage: nothing is created.
    expect_error(lambda: apigw.create_documentation_version(restApiId=api_id, documentationVersion="2.0",
                                                            stageName="nostage"),
                 "NotFoundException", "Invalid Stage identifier specified", 404)
    assert [v["version"] for v in apigw.get_documentation_versions(restApiId=api_id)["items"]] == ["1.0"]


def test_versions_paging(apigw, api):
    api_id, _ = api
    names = [f"v{i}" for i in range(5)]
    for n in names:
        apigw.create_documentation_version(restApiId=api_id, documentationVersion=n)
    r = apigw.get_documentation_versions(restApiId=api_id, limit=2)
    assert [v["version"] for v in r["items"]] == names[:2] and r["position"]
    r = apigw.get_documentation_versions(restApiId=api_id, limit=2, position=r["position"])
    assert [v["version"] for v in r["items"]] == names[2:4]
    pages = apigw.get_paginator("get_documentation_versions").paginate(
        restApiId=api_id, PaginationConfig={"PageSize": 3})
    assert [v["version"] for page in pages for v in page["items"]] == names


def test_a_version_is_a_snapshot(apigw, api):
    """AWS shows only a version's name, date and description; the parts it froze are what a
    stage's export documents. Later edits of the parts leave the version as it was."""
    api_id, _ = api
    pid = part(apigw, api_id, {"type": "API"}, {"v": 1})["id"]
    v1 = body(apigw.create_documentation_version(restApiId=api_id, documentationVersion="v1"))
    apigw.update_documentation_part(restApiId=api_id, documentationPartId=pid,
                                    patchOperations=[replace("/properties", '{"v": 2}')])
    apigw.delete_documentation_part(restApiId=api_id, documentationPartId=pid)
    assert body(apigw.get_documentation_version(restApiId=api_id, documentationVersion="v1")) == v1
    # A version may be made of an API with no parts at all (a decision).
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="v2")


# ---- a stage's documentationVersion ----------------------------------------------------------

@pytest.fixture
def deployed(apigw, api):
    api_id, root = api
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    return api_id, apigw.create_deployment(restApiId=api_id)["id"]


def test_stage_names_only_existing_versions(apigw, deployed):
    api_id, dep = deployed
    expect_error(lambda: apigw.create_stage(restApiId=api_id, stageName="s1", deploymentId=dep,
                                            documentationVersion="v123"),
                 "BadRequestException", "Invalid Documentation version specified", 400)
    assert apigw.get_stages(restApiId=api_id)["item"] == []
    part(apigw, api_id, {"type": "API"}, {"foo": "bar"})
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="v123")
    s = apigw.create_stage(restApiId=api_id, stageName="s1", deploymentId=dep, description="my stage",
                           documentationVersion="v123")
    assert s["documentationVersion"] == "v123"
    expect_error(lambda: apigw.update_stage(restApiId=api_id, stageName="s1",
                                            patchOperations=[replace("/documentationVersion", "v9")]),
                 "BadRequestException", "Invalid Documentation version specified", 400)
    assert apigw.get_stage(restApiId=api_id, stageName="s1")["documentationVersion"] == "v123"
    # A version in use cannot be deleted (a decision); once the stage lets go of it, it can.
    expect_error(lambda: apigw.delete_documentation_version(restApiId=api_id, documentationVersion="v123"),
                 "ConflictException",
                 "Cannot delete documentation version 'v123', is referenced in stage: s1", 409)
    s = apigw.update_stage(restApiId=api_id, stageName="s1",
                           patchOperations=[{"op": "remove", "path": "/documentationVersion"}])
    assert "documentationVersion" not in s
    apigw.delete_documentation_version(restApiId=api_id, documentationVersion="v123")


def test_create_version_for_a_stage(apigw, deployed):
    api_id, dep = deployed
    apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=dep)
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1.0", stageName="prod")
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["documentationVersion"] == "1.0"
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1.1")
    s = apigw.update_stage(restApiId=api_id, stageName="prod",
                           patchOperations=[replace("/documentationVersion", "1.1")])
    assert s["documentationVersion"] == "1.1"


# ---- the API around them: clone, delete, tenants, the CLI ------------------------------------

def test_clone_copies_parts_not_versions(apigw, api):
    api_id, _ = api
    pid = part(apigw, api_id, {"type": "RESOURCE", "path": "/pets"})["id"]
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="v1")
    clone = apigw.create_rest_api(name="clone", cloneFrom=api_id)["id"]
    assert [p["id"] for p in apigw.get_documentation_parts(restApiId=clone)["items"]] == [pid]
    assert apigw.get_documentation_versions(restApiId=clone)["items"] == []


def test_deleting_the_api_deletes_its_documentation(apigw, api):
    api_id, _ = api
    part(apigw, api_id, {"type": "API"})
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="v1")
    apigw.delete_rest_api(restApiId=api_id)
    expect_error(lambda: apigw.get_documentation_parts(restApiId=api_id), "NotFoundException", status=404)
    expect_error(lambda: apigw.get_documentation_versions(restApiId=api_id), "NotFoundException", status=404)


def test_tenants_do_not_see_each_others_parts(server, apigw, api):
    api_id, _ = api
    pid = part(apigw, api_id, {"type": "API"})["id"]
    other = make_client(server, ACCOUNT_B)
    expect_error(lambda: other.get_documentation_part(restApiId=api_id, documentationPartId=pid),
                 "NotFoundException", "Invalid Documentation part identifier specified", 404)
    expect_error(lambda: other.get_documentation_parts(restApiId=api_id), "NotFoundException", status=404)


def test_cli_documentation_commands(server, apigw, api):
    api_id, _ = api
    rc, out, err = aws(server, "apigateway", "create-documentation-part", "--rest-api-id", api_id,
                       "--location", "type=METHOD,path=/pets,method=GET",
                       "--properties", '{"summary": "List all pets."}')
    assert rc == 0, err
    assert out["location"] == {"type": "METHOD", "path": "/pets", "method": "GET"}
    rc, out, err = aws(server, "apigateway", "get-documentation-parts", "--rest-api-id", api_id,
                       "--type", "METHOD")
    assert rc == 0, err
    assert [p["properties"] for p in out["items"]] == ['{"summary": "List all pets."}']
    rc, out, err = aws(server, "apigateway", "create-documentation-version", "--rest-api-id", api_id,
                       "--documentation-version", "1.0", "--description", "first")
    assert rc == 0, err
    assert out["version"] == "1.0" and out["description"] == "first"
    rc, _, err = aws(server, "apigateway", "create-documentation-part", "--rest-api-id", api_id,
                     "--location", "type=METHOD,path=/pets,method=GET", "--properties", "{}")
    assert rc != 0 and "ConflictException" in err


def test_import_yaml_document(apigw, api):
    # YAML documents are read as OpenAPI import reads them (moto's test_api.yaml).
    api_id, _ = api
    body = (pathlib.Path(__file__).parent / "fixtures" / "openapi" / "moto" / "test_api.yaml").read_text()
    r = apigw.import_documentation_parts(restApiId=api_id, mode="overwrite", body=body)
    items = apigw.get_documentation_parts(restApiId=api_id)["items"]
    assert len(r["ids"]) == len(items) >= 2
    api_part = [p for p in items if p["location"]["type"] == "API"][0]
    assert json.loads(api_part["properties"])["description"] == "API description"
