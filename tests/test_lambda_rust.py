"""A Rust function on AWS's `lambda_runtime` crate, run by Portico as a `provided.al2023`
function: built in the test run from tests/fixtures/rust_lambda (its own Cargo project), its
binary zipped as `bootstrap`, invoked through the Lambda API and through an AWS_PROXY REST API.

The build goes to a shared target folder ($PORTICO_RUST_LAMBDA_TARGET, default
/tmp/portico-rust-lambda-target), so a machine builds the crate graph once; later runs only
link."""
import json
import os
import subprocess

import pytest

from conftest import make_client
from dataplane import add_resource, deploy, invoke
from lambda_helpers import ROLE, zip_of

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "rust_lambda")
TARGET = os.environ.get("PORTICO_RUST_LAMBDA_TARGET", "/tmp/portico-rust-lambda-target")


@pytest.fixture(scope="module")
def bootstrap_zip():
    # `--locked`: the fixture's Cargo.lock pins the crate versions the test was written against.
    r = subprocess.run(
        ["cargo", "build", "--locked", "--quiet", "--bin", "bootstrap"],
        cwd=FIXTURE, env={**os.environ, "CARGO_TARGET_DIR": TARGET},
        capture_output=True, text=True, timeout=900,
    )
    assert r.returncode == 0, r.stderr[-4000:]
    with open(os.path.join(TARGET, "debug", "bootstrap"), "rb") as f:
        binary = f.read()
    return zip_of({"bootstrap": binary}, modes={"bootstrap": 0o755})


@pytest.fixture
def lam(server):
    return make_client(server, service="lambda")


def create_rust(lam, name, zip_bytes):
    return lam.create_function(
        FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler="bootstrap",
        Code={"ZipFile": zip_bytes}, MemorySize=256, Timeout=5,
    )["FunctionArn"]


def test_a_lambda_runtime_function_runs_through_invoke(lam, bootstrap_zip):
    arn = create_rust(lam, "rusty", bootstrap_zip)
    r = lam.invoke(FunctionName="rusty", Payload=json.dumps({"name": "ferris"}), LogType="Tail")
    assert r["StatusCode"] == 200 and "FunctionError" not in r
    out = json.loads(r["Payload"].read())
    assert out["hello"] == "ferris"
    me = out["me"]
    # lambda_runtime reads its Context from the Runtime API's headers and Lambda's variables.
    assert (me["function"], me["memory"], me["version"]) == ("rusty", 256, "$LATEST")
    assert me["invokedArn"] == arn
    assert len(me["requestId"]) == 36
    import base64
    log = base64.b64decode(r["LogResult"]).decode()
    assert f"START RequestId: {me['requestId']}" in log and "REPORT RequestId" in log
    # Warm: the same process answers the next event.
    r2 = json.loads(lam.invoke(FunctionName="rusty", Payload=b"{}")["Payload"].read())
    assert r2["hello"] == "world" and r2["me"]["requestId"] != me["requestId"]


def test_a_lambda_runtime_error_is_a_function_error(lam, bootstrap_zip):
    create_rust(lam, "rusty-fails", bootstrap_zip)
    r = lam.invoke(FunctionName="rusty-fails", Payload=b'{"fail": true}')
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(r["Payload"].read())
    # lambda_runtime posts `{errorType, errorMessage}` to /invocation/{id}/error.
    assert err["errorMessage"] == "asked to fail"
    assert err["errorType"]


def test_a_lambda_runtime_function_behind_aws_proxy(server, apigw, api, lam, bootstrap_zip):
    arn = create_rust(lam, "rusty-proxy", bootstrap_zip)
    api_id, root = api
    res = add_resource(apigw, api_id, root, "rust")
    apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id, resourceId=res, httpMethod="GET", type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations")
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/rust?crab=ferris")
    assert r.status_code == 201, r.text
    assert r.headers["x-runtime"] == "rust"
    body = r.json()
    assert (body["method"], body["path"]) == ("GET", "/rust")
    assert body["query"] == {"crab": "ferris"}
    assert body["me"]["function"] == "rusty-proxy"
