"""apigatewayv2 models (GetModelTemplate: tests/test_apigatewayv2_import_export.py)."""
import json

import pytest

from conftest import make_client
from helpers import expect_error

SCHEMA = json.dumps({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"})


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


@pytest.fixture
def ws(v2):
    return v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                         RouteSelectionExpression="$request.body.action")["ApiId"]


def test_models(v2, ws):
    m = v2.create_model(ApiId=ws, Name="Pet", Schema=SCHEMA, ContentType="application/json",
                        Description="d")
    assert m["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (m["Name"], m["Schema"], m["ContentType"]) == ("Pet", SCHEMA, "application/json")
    assert v2.get_model(ApiId=ws, ModelId=m["ModelId"])["Description"] == "d"
    expect_error(lambda: v2.create_model(ApiId=ws, Name="Pet", Schema=SCHEMA),
                 "ConflictException", status=409)
    expect_error(lambda: v2.create_model(ApiId=ws, Name="bad-name", Schema=SCHEMA),
                 "BadRequestException", status=400)
    expect_error(lambda: v2.create_model(ApiId=ws, Name="Other", Schema="not json"),
                 "BadRequestException", status=400)
    other = v2.create_model(ApiId=ws, Name="Other", Schema=SCHEMA)
    page = v2.get_models(ApiId=ws, MaxResults="1")
    rest = v2.get_models(ApiId=ws, NextToken=page["NextToken"])
    assert [x["ModelId"] for x in page["Items"] + rest["Items"]] == [m["ModelId"], other["ModelId"]]
    up = v2.update_model(ApiId=ws, ModelId=m["ModelId"], Description="new")
    assert up["Description"] == "new" and up["Name"] == "Pet"
    expect_error(lambda: v2.update_model(ApiId=ws, ModelId=m["ModelId"], Name="Other"),
                 "ConflictException", status=409)
    v2.delete_model(ApiId=ws, ModelId=m["ModelId"])
    err = expect_error(lambda: v2.get_model(ApiId=ws, ModelId=m["ModelId"]), "NotFoundException",
                       status=404)
    assert "Invalid Model identifier specified" in err["Error"]["Message"]
    # A schema without properties has no template (AWS's REST text; more in
    # test_apigatewayv2_import_export.py).
    expect_error(lambda: v2.get_model_template(ApiId=ws, ModelId=other["ModelId"]),
                 "BadRequestException", status=400,
                 message="Model schema must have at least 1 property or array items defined")
