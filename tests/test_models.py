import json

from conftest import make_client
from helpers import expect_error, replace

SCHEMA = json.dumps({"title": "Pet", "type": "object",
                     "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}})
INVALID_SCHEMA = ("Invalid model specified: Validation Result: warnings : [], "
                  "errors : [Invalid model schema specified]")
EMPTY_SCHEMA = "Model schema must have at least 1 property or array items defined"


def ref(api_id, name):
    return f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"


def test_default_models_have_aws_shape(apigw, api):
    models = {m["name"]: m for m in apigw.get_models(restApiId=api[0])["items"]}
    assert set(models) == {"Empty", "Error"}
    empty = models["Empty"]
    assert empty["contentType"] == "application/json"
    assert empty["description"] == "This is a default empty schema model"
    assert json.loads(empty["schema"]) == {"$schema": "http://json-schema.org/draft-04/schema#",
                                           "title": "Empty Schema", "type": "object"}
    assert len(empty["id"]) == 6
    assert json.loads(models["Error"]["schema"])["properties"] == {"message": {"type": "string"}}


def test_model_lifecycle(apigw, api):
    api_id = api[0]
    m = apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json",
                           description="a pet", schema=SCHEMA)
    assert m["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert {k: m[k] for k in ("name", "description", "schema", "contentType")} == \
        {"name": "Pet", "description": "a pet", "schema": SCHEMA, "contentType": "application/json"}
    assert len(m["id"]) == 6 and m["id"].isalnum()
    got = apigw.get_model(restApiId=api_id, modelName="Pet")
    assert got["id"] == m["id"] and got["schema"] == SCHEMA
    names = [x["name"] for x in apigw.get_models(restApiId=api_id)["items"]]
    assert names == ["Empty", "Error", "Pet"]
    d = apigw.delete_model(restApiId=api_id, modelName="Pet")
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_model(restApiId=api_id, modelName="Pet"),
                 "NotFoundException", "Invalid model name specified: Pet", 404)


def test_empty_description_is_dropped(apigw, api):
    m = apigw.create_model(restApiId=api[0], name="NoDesc", contentType="application/json",
                           description="", schema=SCHEMA)
    assert "description" not in m


def test_create_validation(apigw, api):
    api_id = api[0]
    expect_error(lambda: apigw.create_model(restApiId="abcde0", name="X", contentType="application/json",
                                            schema=SCHEMA),
                 "NotFoundException", "Invalid API identifier specified 000000000000:abcde0", 404)
    expect_error(lambda: apigw.create_model(restApiId=api_id, name="", contentType="application/json",
                                            schema=SCHEMA),
                 "BadRequestException", "Model name must be non-empty", 400)
    expect_error(lambda: apigw.create_model(restApiId=api_id, name="my-model", contentType="application/json",
                                            schema=SCHEMA),
                 "BadRequestException", status=400, contains="alphanumeric")
    expect_error(lambda: apigw.create_model(restApiId=api_id, name="Error", contentType="application/json",
                                            schema=SCHEMA),
                 "ConflictException", "Model name already exists for this REST API", 409)
    for kwargs in ({"schema": ""}, {}):
        expect_error(lambda: apigw.create_model(restApiId=api_id, name="E", contentType="application/json",
                                                **kwargs),
                     "BadRequestException", EMPTY_SCHEMA, 400)
    expect_error(lambda: apigw.create_model(restApiId=api_id, name="X", contentType="application/xml"),
                 "BadRequestException", EMPTY_SCHEMA, 400)


def test_schema_must_be_valid_draft4_json(apigw, api):
    for bad in ("{not json", "[1, 2]", '{"type": "String"}', '{"type": "object", "required": []}',
                '{"properties": {"a": 3}}'):
        expect_error(lambda: apigw.create_model(restApiId=api[0], name="Bad", contentType="application/json",
                                                schema=bad),
                     "BadRequestException", INVALID_SCHEMA, 400)
    expect_error(lambda: apigw.create_model(restApiId=api[0], name="Bad", contentType="application/json",
                                            schema='{"$ref": "http://example.com/Pet"}'),
                 "BadRequestException", status=400,
                 message="Invalid model specified: Validation Result: warnings : [], "
                         "errors : [Model reference must be in canonical form]")
    assert [m["name"] for m in apigw.get_models(restApiId=api[0])["items"]] == ["Empty", "Error"]


def test_references_must_name_existing_models(apigw, api):
    api_id = api[0]
    pets = json.dumps({"type": "array", "items": {"$ref": ref(api_id, "Pet")}})
    expect_error(lambda: apigw.create_model(restApiId=api_id, name="Pets", contentType="application/json",
                                            schema=pets),
                 "BadRequestException", status=400,
                 message="Invalid model specified: Validation Result: warnings : [], "
                         "errors : [Invalid model name specified: Pet]")
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=SCHEMA)
    apigw.create_model(restApiId=api_id, name="Pets", contentType="application/json", schema=pets)
    # A referenced model cannot be deleted while the reference stands.
    expect_error(lambda: apigw.delete_model(restApiId=api_id, modelName="Pet"),
                 "ConflictException", "Cannot delete model 'Pet', is referenced in model: Pets", 409)
    apigw.delete_model(restApiId=api_id, modelName="Pets")
    apigw.delete_model(restApiId=api_id, modelName="Pet")


def test_flatten_resolves_references(apigw, api):
    api_id = api[0]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=SCHEMA)
    pets = json.dumps({"type": "array", "items": {"$ref": ref(api_id, "Pet")}})
    apigw.create_model(restApiId=api_id, name="Pets", contentType="application/json", schema=pets)
    assert apigw.get_model(restApiId=api_id, modelName="Pets")["schema"] == pets
    assert apigw.get_model(restApiId=api_id, modelName="Pets", flatten=False)["schema"] == pets
    flat = json.loads(apigw.get_model(restApiId=api_id, modelName="Pets", flatten=True)["schema"])
    assert flat == {"type": "array", "items": json.loads(SCHEMA)}
    # Without references, flatten returns the schema untouched.
    assert apigw.get_model(restApiId=api_id, modelName="Pet", flatten=True)["schema"] == SCHEMA


def test_unknown_models_and_apis(apigw, api):
    for call in (lambda: apigw.get_model(restApiId=api[0], modelName="Nope"),
                 lambda: apigw.delete_model(restApiId=api[0], modelName="Nope"),
                 lambda: apigw.get_model_template(restApiId=api[0], modelName="Nope"),
                 lambda: apigw.update_model(restApiId=api[0], modelName="Nope",
                                            patchOperations=[replace("/description", "x")])):
        expect_error(call, "NotFoundException", "Invalid model name specified: Nope", 404)
    # AWS answers model calls on an unknown API with the model's error, list/create with the API's.
    expect_error(lambda: apigw.get_model(restApiId="abcde0", modelName="MySchema"),
                 "NotFoundException", "Invalid model name specified: MySchema", 404)
    expect_error(lambda: apigw.get_models(restApiId="abcde0"),
                 "NotFoundException", "Invalid API identifier specified 000000000000:abcde0", 404)


def test_update_model(apigw, api):
    api_id = api[0]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json",
                       description="before", schema=SCHEMA)
    new_schema = json.dumps({"title": "Updated schema", "type": "object"})
    r = apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        replace("/schema", new_schema), replace("/description", "")])
    assert r["schema"] == new_schema and "description" not in r
    r = apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[replace("/description", "after")])
    assert r["description"] == "after"
    got = apigw.get_model(restApiId=api_id, modelName="Pet")
    assert got["schema"] == new_schema and got["description"] == "after"


def test_update_model_rejects_bad_patches_and_changes_nothing(apigw, api):
    api_id = api[0]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=SCHEMA)
    expect_error(lambda: apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        {"op": "add", "path": "/wrong-path", "value": "x"}]), "BadRequestException", status=400,
        message="Invalid patch path  '/wrong-path' specified for op 'add'. Please choose supported operations")
    expect_error(lambda: apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        replace("/name", "invalid")]), "BadRequestException", status=400,
        message="Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]")
    expect_error(lambda: apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        replace("/description", "changed"), replace("/schema", "")]), "BadRequestException", EMPTY_SCHEMA, 400)
    expect_error(lambda: apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        replace("/schema", "{nope")]), "BadRequestException", INVALID_SCHEMA, 400)
    expect_error(lambda: apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        {"op": "wrong-op", "path": "/schema"}]), "ValidationException", status=400,
        message="1 validation error detected: Value 'wrong-op' at 'updateModelInput.patchOperations.1.member.op' "
                "failed to satisfy constraint: Member must satisfy enum value set: "
                "[add, remove, move, test, replace, copy]")
    got = apigw.get_model(restApiId=api_id, modelName="Pet")
    assert got["schema"] == SCHEMA and "description" not in got


def test_model_template_for_an_object(apigw, api):
    schema = json.dumps({"type": "object", "properties": {
        "a": {"type": "number"}, "b": {"type": "number"}, "op": {"type": "string"}, "c": {"type": "number"}}})
    apigw.create_model(restApiId=api[0], name="Calc", contentType="application/json", schema=schema)
    t = apigw.get_model_template(restApiId=api[0], modelName="Calc")
    assert t["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert t["value"] == ("#set($inputRoot = $input.path('$'))\n{\n"
                          "  \"a\" : $inputRoot.a,\n  \"b\" : $inputRoot.b,\n"
                          "  \"op\" : \"$inputRoot.op\",\n  \"c\" : $inputRoot.c\n}")


def test_model_template_for_an_array_follows_references(apigw, api):
    api_id = api[0]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=SCHEMA)
    apigw.create_model(restApiId=api_id, name="Pets", contentType="application/json",
                       schema=json.dumps({"type": "array", "items": {"$ref": ref(api_id, "Pet")}}))
    assert apigw.get_model_template(restApiId=api_id, modelName="Pets")["value"] == (
        "#set($inputRoot = $input.path('$'))\n[\n"
        "##TODO: Update this foreach loop to reference array from input json\n"
        "#foreach($elem in $inputRoot)\n {\n  \"name\" : \"$elem.name\",\n  \"age\" : $elem.age\n} \n"
        "#if($foreach.hasNext),#end\n#end\n]")


def test_model_template_needs_properties(apigw, api):
    expect_error(lambda: apigw.get_model_template(restApiId=api[0], modelName="Empty"),
                 "BadRequestException", EMPTY_SCHEMA, 400)


def test_get_models_pages(apigw, api):
    api_id = api[0]
    for i in range(5):
        apigw.create_model(restApiId=api_id, name=f"M{i}", contentType="application/json", schema=SCHEMA)
    seen, page = [], apigw.get_models(restApiId=api_id, limit=3)
    while True:
        seen += [m["name"] for m in page["items"]]
        if "position" not in page:
            break
        page = apigw.get_models(restApiId=api_id, limit=3, position=page["position"])
    assert seen == ["Empty", "Error", "M0", "M1", "M2", "M3", "M4"]
    assert len(apigw.get_models(restApiId=api_id, limit=3)["items"]) == 3


def test_models_are_per_api_and_per_tenant(apigw, apigw_b, api):
    other = apigw.create_rest_api(name="other")["id"]
    apigw.create_model(restApiId=api[0], name="Pet", contentType="application/json", schema=SCHEMA)
    # Names are unique per API, not per account.
    apigw.create_model(restApiId=other, name="Pet", contentType="application/json", schema=SCHEMA)
    expect_error(lambda: apigw_b.get_model(restApiId=api[0], modelName="Pet"), "NotFoundException", status=404)


def test_models_survive_a_restart(own_server):
    c = make_client(own_server)
    api_id = c.create_rest_api(name="persisted")["id"]
    m = c.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=SCHEMA)
    own_server.restart()
    c = make_client(own_server)
    got = c.get_model(restApiId=api_id, modelName="Pet")
    assert got["id"] == m["id"] and got["schema"] == SCHEMA
