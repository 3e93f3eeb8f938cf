"""The `lambda` management API through boto3: functions, versions, aliases, policies, and
AWS's errors for each."""
import base64
import hashlib
import json
import os
import re

import pytest
from botocore.exceptions import ClientError

from lambda_helpers import ECHO, ROLE, create, lambda_client, zip_of
from portico_server import ACCOUNT_B
from conftest import make_client


@pytest.fixture
def lam(server):
    server.reset()
    return lambda_client(server)


def error(excinfo):
    e = excinfo.value.response
    return e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Code"], e["Error"]["Message"]


ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def test_create_function_answers_aws_configuration(lam):
    code = zip_of({"app.py": ECHO})
    r = lam.create_function(
        FunctionName="echo", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": code}, Description="d", Environment={"Variables": {"A": "1"}},
    )
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert r["FunctionName"] == "echo"
    assert r["FunctionArn"] == ARN + "echo"
    assert r["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert r["CodeSize"] == len(code)
    assert r["Version"] == "$LATEST"
    assert r["Timeout"] == 3 and r["MemorySize"] == 128
    assert r["State"] == "Active" and r["LastUpdateStatus"] == "Successful"
    assert r["PackageType"] == "Zip" and r["Architectures"] == ["x86_64"]
    assert r["EphemeralStorage"] == {"Size": 512}
    assert r["Environment"] == {"Variables": {"A": "1"}}
    assert r["Description"] == "d"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", r["LastModified"])
    assert not any(k.startswith("_") for k in r)


def test_create_function_errors(lam):
    create(lam, "dup")
    with pytest.raises(ClientError) as e:
        create(lam, "dup")
    assert error(e) == (409, "ResourceConflictException", "Function already exist: dup")
    with pytest.raises(ClientError) as e:
        lam.create_function(FunctionName="x", Role=ROLE, Code={"ZipFile": zip_of({"a.py": ""})})
    assert error(e) == (400, "InvalidParameterValueException",
                        "Runtime and Handler are mandatory parameters for functions created with deployment packages.")
    with pytest.raises(ClientError) as e:
        lam.create_function(FunctionName="x", Role=ROLE, Runtime="python3.12", Handler="a.b",
                            Code={"ZipFile": b"not a zip"})
    assert error(e)[:2] == (400, "InvalidParameterValueException")
    assert "Could not unzip uploaded file" in error(e)[2]
    with pytest.raises(ClientError) as e:
        create(lam, "x", Timeout=901)
    assert error(e)[:2] == (400, "ValidationException")
    with pytest.raises(ClientError) as e:
        create(lam, "x", runtime="cobol85")
    assert error(e)[:2] == (400, "ValidationException")
    with pytest.raises(ClientError) as e:
        lam.create_function(FunctionName="x", Role="not-a-role", Runtime="python3.12",
                            Handler="a.b", Code={"ZipFile": zip_of({"a.py": ""})})
    assert error(e)[:2] == (400, "ValidationException")
    with pytest.raises(ClientError) as e:
        create(lam, "x", Environment={"Variables": {"AWS_REGION": "x"}})
    assert error(e)[:2] == (400, "InvalidParameterValueException")
    with pytest.raises(ClientError) as e:
        lam.create_function(FunctionName="x", Role=ROLE, Runtime="python3.12", Handler="a.b",
                            Code={"S3Bucket": "bucket", "S3Key": "k"})
    assert error(e)[:2] == (501, "NotImplementedException")


def test_error_body_is_lambdas(server, lam):
    """AWS's own wire: x-amzn-ErrorType plus {"Type": "User", "Message"}."""
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = server.url + "/2015-03-31/functions/nope"
    req = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials("test", "test"), "lambda", "us-east-1").add_auth(req)
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers=dict(req.headers)))
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as e:
        assert e.code == 404
        assert e.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
        assert json.loads(e.read()) == {"Type": "User", "Message": "Function not found: " + ARN + "nope"}


def test_get_function_and_configuration(lam):
    create(lam, "f", Tags={"team": "a"})
    r = lam.get_function(FunctionName="f")
    assert r["Configuration"]["FunctionName"] == "f"
    assert r["Code"]["RepositoryType"] == "S3"
    assert r["Tags"] == {"team": "a"}
    for ref in ["f", ARN + "f", "000000000000:function:f", "f:$LATEST"]:
        assert lam.get_function_configuration(FunctionName=ref)["FunctionArn"] == ARN + "f"
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName="missing")
    assert error(e) == (404, "ResourceNotFoundException", "Function not found: " + ARN + "missing")
    with pytest.raises(ClientError) as e:
        lam.get_function_configuration(FunctionName="f", Qualifier="7")
    assert error(e) == (404, "ResourceNotFoundException", "Function not found: " + ARN + "f:7")


def test_list_functions_pages(lam):
    for n in ["c", "a", "b"]:
        create(lam, n)
    r = lam.list_functions()
    assert [f["FunctionName"] for f in r["Functions"]] == ["a", "b", "c"]
    p1 = lam.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in p1["Functions"]] == ["a", "b"]
    p2 = lam.list_functions(MaxItems=2, Marker=p1["NextMarker"])
    assert [f["FunctionName"] for f in p2["Functions"]] == ["c"]
    assert "NextMarker" not in p2
    pages = lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1})
    assert [f["FunctionName"] for p in pages for f in p["Functions"]] == ["a", "b", "c"]


def test_update_code_and_configuration(lam):
    first = create(lam, "f")
    code = zip_of({"app.py": ECHO + "# v2\n"})
    r = lam.update_function_code(FunctionName="f", ZipFile=code)
    assert r["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert r["RevisionId"] != first["RevisionId"]
    r = lam.update_function_configuration(
        FunctionName="f", Timeout=10, MemorySize=256, Handler="app.other",
        Environment={"Variables": {"K": "v"}}, Description="new",
    )
    assert (r["Timeout"], r["MemorySize"], r["Handler"], r["Description"]) == (10, 256, "app.other", "new")
    assert r["Environment"] == {"Variables": {"K": "v"}}
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName="f", RevisionId="stale")
    assert error(e)[:2] == (412, "PreconditionFailedException")
    with pytest.raises(ClientError) as e:
        lam.update_function_code(FunctionName="nope", ZipFile=code)
    assert error(e)[:2] == (404, "ResourceNotFoundException")


def test_delete_function(lam):
    create(lam, "f", Publish=True)
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName="f", Qualifier="$LATEST")
    assert error(e)[:2] == (400, "InvalidParameterValueException")
    lam.delete_function(FunctionName="f", Qualifier="1")
    with pytest.raises(ClientError):
        lam.get_function(FunctionName="f", Qualifier="1")
    lam.delete_function(FunctionName="f")
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName="f")
    assert error(e)[:2] == (404, "ResourceNotFoundException")


def test_publish_versions(lam):
    r = create(lam, "f", Publish=True)
    assert r["Version"] == "1" and r["FunctionArn"] == ARN + "f:1"
    # Nothing changed: the same version again.
    assert lam.publish_version(FunctionName="f")["Version"] == "1"
    lam.update_function_configuration(FunctionName="f", Timeout=5)
    v2 = lam.publish_version(FunctionName="f", Description="second")
    assert (v2["Version"], v2["Timeout"], v2["Description"]) == ("2", 5, "second")
    assert lam.get_function_configuration(FunctionName="f", Qualifier="1")["Timeout"] == 3
    versions = lam.list_versions_by_function(FunctionName="f")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    with pytest.raises(ClientError) as e:
        lam.publish_version(FunctionName="f", CodeSha256="wrong")
    assert error(e)[:2] == (400, "InvalidParameterValueException")
    all_fns = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [f["Version"] for f in all_fns] == ["$LATEST", "1", "2"]


def test_aliases(lam):
    create(lam, "f", Publish=True)
    a = lam.create_alias(FunctionName="f", Name="live", FunctionVersion="1", Description="d")
    assert a["AliasArn"] == ARN + "f:live"
    assert (a["Name"], a["FunctionVersion"], a["Description"]) == ("live", "1", "d")
    assert lam.get_alias(FunctionName="f", Name="live")["RevisionId"] == a["RevisionId"]
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    assert error(e) == (409, "ResourceConflictException", "Alias already exists: " + ARN + "f:live")
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName="f", Name="x", FunctionVersion="9")
    assert error(e) == (404, "ResourceNotFoundException", "Function not found: " + ARN + "f:9")
    lam.create_alias(FunctionName="f", Name="dev", FunctionVersion="$LATEST")
    u = lam.update_alias(FunctionName="f", Name="dev", FunctionVersion="1")
    assert u["FunctionVersion"] == "1"
    assert lam.get_function_configuration(FunctionName="f:live")["Version"] == "1"
    names = [x["Name"] for x in lam.list_aliases(FunctionName="f")["Aliases"]]
    assert names == ["dev", "live"]
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName="f", Qualifier="1")
    assert error(e)[:2] == (409, "ResourceConflictException")
    lam.delete_alias(FunctionName="f", Name="dev")
    with pytest.raises(ClientError) as e:
        lam.get_alias(FunctionName="f", Name="dev")
    assert error(e) == (404, "ResourceNotFoundException", "Cannot find alias arn: " + ARN + "f:dev")


def test_permissions(lam):
    create(lam, "f")
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName="f")
    assert error(e) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    src = "arn:aws:execute-api:us-east-1:000000000000:abc/*/GET/x"
    r = lam.add_permission(FunctionName="f", StatementId="apigw", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com", SourceArn=src)
    st = json.loads(r["Statement"])
    assert st == {
        "Sid": "apigw", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": ARN + "f",
        "Condition": {"ArnLike": {"AWS:SourceArn": src}},
    }
    with pytest.raises(ClientError) as e:
        lam.add_permission(FunctionName="f", StatementId="apigw", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com")
    assert error(e)[:2] == (409, "ResourceConflictException")
    policy = json.loads(lam.get_policy(FunctionName="f")["Policy"])
    assert policy["Version"] == "2012-10-17" and [s["Sid"] for s in policy["Statement"]] == ["apigw"]
    lam.remove_permission(FunctionName="f", StatementId="apigw")
    with pytest.raises(ClientError) as e:
        lam.remove_permission(FunctionName="f", StatementId="apigw")
    assert error(e)[:2] == (404, "ResourceNotFoundException")


def test_tenants_are_isolated(server, lam):
    create(lam, "f")
    other = make_client(server, ACCOUNT_B, service="lambda")
    assert other.list_functions()["Functions"] == []
    with pytest.raises(ClientError):
        other.get_function(FunctionName="f")


def test_unbuilt_operations_answer_501(lam):
    with pytest.raises(ClientError) as e:
        lam.list_layers()
    assert error(e)[:2] == (501, "NotImplementedException")
    with pytest.raises(ClientError) as e:
        lam.get_account_settings()
    assert error(e)[:2] == (501, "NotImplementedException")


def test_state_survives_a_restart(own_server):
    lam = lambda_client(own_server)
    create(lam, "kept")
    own_server.restart()
    lam = lambda_client(own_server)
    assert lam.get_function(FunctionName="kept")["Configuration"]["FunctionName"] == "kept"


def test_route_table_is_botocores_model():
    """Every operation of the `lambda` model is routed, with its method, URI and status."""
    import subprocess
    from botocore.loaders import Loader
    from portico_server import binary
    model = Loader().load_service_model("lambda", "service-2")
    want = sorted(
        f"{n} {op['http']['method']} {op['http']['requestUri']} {op['http'].get('responseCode', 200)}"
        for n, op in model["operations"].items()
    )
    got = subprocess.run([binary(), "routes", "--api", "lambda", "--status"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert got == want
    supported = subprocess.run([binary(), "routes", "--api", "lambda", "--supported"],
                               capture_output=True, text=True, check=True).stdout
    built = sorted(line.split()[0] for line in supported.splitlines() if line.endswith(" supported"))
    assert built == sorted([
        "AddPermission", "CreateAlias", "CreateFunction", "DeleteAlias", "DeleteFunction",
        "GetAlias", "GetFunction", "GetFunctionConfiguration", "GetPolicy", "Invoke",
        "InvokeWithResponseStream",
        "ListAliases", "ListFunctions", "ListVersionsByFunction", "PublishVersion",
        "RemovePermission", "UpdateAlias", "UpdateFunctionCode", "UpdateFunctionConfiguration",
    ])


def test_a_zip_over_the_other_apis_body_limit(lam):
    """Zips are uploaded base64 in the JSON body: up to AWS's 50 MB, beyond the 10 MiB that
    the other rooms accept."""
    code = zip_of({"app.py": ECHO, "blob.bin": os.urandom(9 * 1024 * 1024)})
    assert len(code) > 9 * 1024 * 1024
    r = lam.create_function(FunctionName="big", Runtime="python3.12", Role=ROLE,
                            Handler="app.handler", Code={"ZipFile": code})
    assert r["CodeSize"] == len(code)
    out = lam.invoke(FunctionName="big", Payload=b'"hi"')["Payload"].read()
    assert out == b'"hi"'


def test_odd_input_never_breaks_the_room(lam):
    for role in ["arn:aws:iam::ééééééééééééé:role/x", "arn:aws:iam::", "arn:aws:iam::123456789012:role/"]:
        with pytest.raises(ClientError) as e:
            lam.create_function(FunctionName="x", Role=role, Runtime="python3.12",
                                Handler="a.b", Code={"ZipFile": zip_of({"a.py": ""})})
        assert error(e)[:2] == (400, "ValidationException")
    assert "NextMarker" not in lam.list_functions(Marker="18446744073709551615")
    with pytest.raises(ClientError) as e:
        lam.list_functions(Marker="not-a-marker")
    assert error(e)[:2] == (400, "InvalidParameterValueException")
