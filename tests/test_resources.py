from helpers import expect_error, replace


def test_resource_tree(apigw, api):
    api_id, root = api
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert pets["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert pets["path"] == "/pets" and pets["parentId"] == root and len(pets["id"]) == 6
    pet = apigw.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{petId}")
    assert pet["path"] == "/pets/{petId}"
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    assert proxy["path"] == "/{proxy+}"
    got = apigw.get_resource(restApiId=api_id, resourceId=pet["id"])
    assert {k: got[k] for k in ("id", "parentId", "pathPart", "path")} == \
        {"id": pet["id"], "parentId": pets["id"], "pathPart": "{petId}", "path": "/pets/{petId}"}
    paths = [r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]]
    assert paths == ["/", "/pets", "/pets/{petId}", "/{proxy+}"]


def test_path_part_rules(apigw, api):
    api_id, root = api
    for bad in ("a b", "a/b", "{x", "{a+b}"):
        expect_error(lambda: apigw.create_resource(restApiId=api_id, parentId=root, pathPart=bad),
                     "BadRequestException", status=400,
                     message="Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning "
                             "and the end and an optional plus sign before the closing brace.")


def test_sibling_conflicts(apigw, api):
    api_id, root = api
    apigw.create_resource(restApiId=api_id, parentId=root, pathPart="users")
    expect_error(lambda: apigw.create_resource(restApiId=api_id, parentId=root, pathPart="users"),
                 "ConflictException", "Another resource with the same parent already has this name: users", 409)
    apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{id}")
    expect_error(lambda: apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{other}"),
                 "BadRequestException", status=400,
                 message="A sibling ({id}) of this resource already has a variable path part -- only one is allowed")


def test_no_children_under_greedy(apigw, api):
    api_id, root = api
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    expect_error(lambda: apigw.create_resource(restApiId=api_id, parentId=proxy["id"], pathPart="x"),
                 "BadRequestException", status=400, contains="greedy")


def test_unknown_parent_and_resource(apigw, api):
    api_id, _ = api
    expect_error(lambda: apigw.create_resource(restApiId=api_id, parentId="nope00", pathPart="x"),
                 "NotFoundException", "Invalid Resource identifier specified", 404)
    expect_error(lambda: apigw.get_resource(restApiId=api_id, resourceId="nope00"),
                 "NotFoundException", "Invalid Resource identifier specified", 404)
    expect_error(lambda: apigw.get_resource(restApiId="nope000000", resourceId="nope00"),
                 "NotFoundException", "Invalid API identifier specified 000000000000:nope000000", 404)


def test_rename_and_reparent_rewrite_paths(apigw, api):
    api_id, root = api
    a = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="a")
    b = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="b")
    c = apigw.create_resource(restApiId=api_id, parentId=a["id"], pathPart="c")
    r = apigw.update_resource(restApiId=api_id, resourceId=a["id"], patchOperations=[replace("/pathPart", "alpha")])
    assert r["path"] == "/alpha"
    assert apigw.get_resource(restApiId=api_id, resourceId=c["id"])["path"] == "/alpha/c"
    r = apigw.update_resource(restApiId=api_id, resourceId=a["id"], patchOperations=[replace("/parentId", b["id"])])
    assert r["path"] == "/b/alpha" and r["parentId"] == b["id"]
    assert apigw.get_resource(restApiId=api_id, resourceId=c["id"])["path"] == "/b/alpha/c"
    expect_error(lambda: apigw.update_resource(restApiId=api_id, resourceId=b["id"],
                                               patchOperations=[replace("/parentId", c["id"])]),
                 "BadRequestException", status=400)
    expect_error(lambda: apigw.update_resource(restApiId=api_id, resourceId=c["id"],
                                               patchOperations=[replace("/id", "zzz")]),
                 "BadRequestException", status=400, contains="Invalid patch path")


def test_delete_cascades_to_children(apigw, api):
    api_id, root = api
    a = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="a")
    c = apigw.create_resource(restApiId=api_id, parentId=a["id"], pathPart="c")
    r = apigw.delete_resource(restApiId=api_id, resourceId=a["id"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_resource(restApiId=api_id, resourceId=c["id"]), "NotFoundException", status=404)
    assert [x["path"] for x in apigw.get_resources(restApiId=api_id)["items"]] == ["/"]
    expect_error(lambda: apigw.delete_resource(restApiId=api_id, resourceId=root), "BadRequestException", status=400)


def test_resources_paginate(apigw, api):
    api_id, root = api
    for i in range(5):
        apigw.create_resource(restApiId=api_id, parentId=root, pathPart=f"r{i}")
    pages = list(apigw.get_paginator("get_resources").paginate(restApiId=api_id, PaginationConfig={"PageSize": 2}))
    assert [len(p["items"]) for p in pages] == [2, 2, 2]
