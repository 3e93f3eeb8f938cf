"""GetSdk for `javascript`: the zip AWS's shape (apiGateway-js-sdk/apigClient.js + README.md),
and the generated client run by a real Node against the running Portico."""
import base64
import io
import json
import subprocess
import zipfile

import pytest
from botocore.exceptions import ClientError

from portico_server import ACCOUNT_A
from dataplane import add_resource, backend, deploy, http_method, invoke_url, mock_method  # noqa: F401

NODE_SCRIPT = r"""
const { apigClientFactory } = require(process.argv[2]);
const [invokeUrl, apiKey] = [process.argv[3], process.argv[4]];
(async () => {
  const out = {};
  const client = apigClientFactory.newClient({ invokeUrl });
  const pet = await client.petsPetIdGet({ petId: 'rex 7', color: 'brown', 'x-tag': 't1' }, null, {});
  out.pet = { status: pet.status, data: pet.data };
  const created = await client.petsPost({}, { name: 'Fido' }, {});
  out.created = { status: created.status, data: created.data };
  try {
    await client.secretGet({}, null, {});
    out.noKey = 'resolved';
  } catch (e) {
    out.noKey = { status: e.response.status, data: e.response.data };
  }
  const keyed = apigClientFactory.newClient({ invokeUrl, apiKey });
  const secret = await keyed.secretGet({}, null, {});
  out.withKey = { status: secret.status, data: secret.data };
  const root = await client.rootGet();
  out.root = root.data;
  try {
    await client.petsPetIdGet({}, null, {});
    out.missing = 'resolved';
  } catch (e) {
    out.missing = e.message;
  }
  try {
    await client.iamIdGet({ id: 'x y', q: 'a b' });
    out.unsigned = 'resolved';
  } catch (e) {
    out.unsigned = e.response.status;
  }
  const signer = apigClientFactory.newClient({ invokeUrl, accessKey: process.argv[5], secretKey: process.argv[6] });
  out.signed = (await signer.iamIdGet({ id: 'x y', q: 'a b' })).data;
  const wrong = apigClientFactory.newClient({ invokeUrl, accessKey: process.argv[5], secretKey: 'wrong' });
  try {
    await wrong.iamIdGet({ id: 'x', q: 'a' });
    out.wrongSecret = 'resolved';
  } catch (e) {
    out.wrongSecret = e.response.status;
  }
  out.codes = (await client['2faCodesGet']()).data;
  out.methods = Object.keys(client).sort();
  out.global = typeof globalThis.apigClientFactory;
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.fixture
def sdk_api(server, apigw, api, backend):
    api_id, root = api
    mock_method(apigw, api_id, root, response_templates={"application/json": '{"root": true}'})
    pets = add_resource(apigw, api_id, root, "pets")
    pet = add_resource(apigw, api_id, pets, "{petId}")
    mock_method(apigw, api_id, pet,
                requestParameters={"method.request.path.petId": True,
                                   "method.request.querystring.color": False,
                                   "method.request.header.x-tag": False},
                response_templates={"application/json":
                                    '{"petId": "$input.params(\'petId\')",'
                                    ' "color": "$input.params(\'color\')",'
                                    ' "tag": "$input.params(\'x-tag\')"}'})
    # A MOCK's integration response cannot read the request body (as on AWS): the body goes
    # to a real local backend that echoes what it received.
    http_method(apigw, api_id, pets, f"{backend.url}/echo", method="POST")
    secret = add_resource(apigw, api_id, root, "secret")
    mock_method(apigw, api_id, secret, apiKeyRequired=True,
                response_templates={"application/json": '{"secret": "$context.identity.apiKey"}'})
    # A name that is no JavaScript identifier (it starts with a digit) still gets its method.
    mock_method(apigw, api_id, add_resource(apigw, api_id, root, "2fa-codes"),
                response_templates={"application/json": '{"codes": 2}'})
    iam = add_resource(apigw, api_id, add_resource(apigw, api_id, root, "iam"), "{id}")
    mock_method(apigw, api_id, iam,
                requestParameters={"method.request.querystring.q": False},
                response_templates={"application/json":
                                    '{"id": "$input.params(\'id\')", "q": "$input.params(\'q\')",'
                                    ' "account": "$context.identity.accountId"}'})
    apigw.update_method(restApiId=api_id, resourceId=iam, httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/authorizationType",
                                          "value": "AWS_IAM"}])
    deploy(apigw, api_id, "prod")
    plan = apigw.create_usage_plan(name="sdk-plan", apiStages=[{"apiId": api_id, "stage": "prod"}])
    key = apigw.create_api_key(name="sdk-key", enabled=True)
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    return api_id, key["value"]


def test_javascript_sdk_calls_the_deployed_stage(server, apigw, sdk_api, tmp_path):
    api_id, key = sdk_api
    r = apigw.get_sdk(restApiId=api_id, stageName="prod", sdkType="javascript")
    assert r["contentType"] == "application/octet-stream"
    assert r["contentDisposition"].startswith('attachment; filename="javascript_')
    assert r["contentDisposition"].endswith('.zip"')
    data = r["body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        assert {"apiGateway-js-sdk/apigClient.js", "apiGateway-js-sdk/README.md"} <= names
        z.extractall(tmp_path)
    client = tmp_path / "apiGateway-js-sdk" / "apigClient.js"
    readme = (tmp_path / "apiGateway-js-sdk" / "README.md").read_text()
    assert "| `petsPetIdGet` | `GET /pets/{petId}` | petId, color, x-tag |" in readme
    assert f"  invokeUrl: '{server.url}/restapis/{api_id}/prod/_user_request_'" in readme
    script = tmp_path / "run.js"
    script.write_text(NODE_SCRIPT)
    url = invoke_url(server, api_id, "prod", "").rstrip("/")
    out = subprocess.run(["node", str(script), str(client), url, key, ACCOUNT_A[0], ACCOUNT_A[1]],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["pet"] == {"status": 200, "data": {"petId": "rex 7", "color": "brown", "tag": "t1"}}
    created = res["created"]
    assert created["status"] == 200
    assert created["data"]["method"] == "POST"
    assert created["data"]["headers"]["content-type"] == "application/json"
    assert json.loads(base64.b64decode(created["data"]["body"])) == {"name": "Fido"}
    assert res["noKey"] == {"status": 403, "data": {"message": "Forbidden"}}
    assert res["withKey"] == {"status": 200, "data": {"secret": key}}
    assert res["root"] == {"root": True}
    assert res["missing"] == "Missing required parameter: petId"
    assert res["methods"] == ["2faCodesGet", "iamIdGet", "petsPetIdGet", "petsPost", "rootGet",
                              "secretGet"]
    assert res["codes"] == {"codes": 2}
    # AWS_IAM: unsigned → 403; signed with the account's keys → served; a wrong secret → 403.
    assert res["unsigned"] == 403
    assert res["signed"] == {"id": "x y", "q": "a b", "account": ACCOUNT_A[2]}
    assert res["wrongSecret"] == 403
    assert res["global"] == "object"


def test_javascript_sdk_default_invoke_url_is_this_server(server, apigw, sdk_api, tmp_path):
    api_id, _ = sdk_api
    data = apigw.get_sdk(restApiId=api_id, stageName="prod", sdkType="javascript")["body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        js = z.read("apiGateway-js-sdk/apigClient.js").decode()
    (tmp_path / "apigClient.js").write_text(js)
    script = ("const { apigClientFactory } = require(process.argv[1]);"
              "apigClientFactory.newClient().rootGet().then(r => console.log(JSON.stringify(r.data)))")
    out = subprocess.run(["node", "-e", script, str(tmp_path / "apigClient.js")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"root": True}


def test_unknown_stage_and_api_are_not_found(apigw, sdk_api):
    api_id, _ = sdk_api
    with pytest.raises(ClientError) as e:
        apigw.get_sdk(restApiId=api_id, stageName="nope", sdkType="javascript")
    assert e.value.response["Error"]["Code"] == "NotFoundException"
    assert e.value.response["Error"]["Message"] == "Invalid Stage identifier specified"
    with pytest.raises(ClientError) as e:
        apigw.get_sdk(restApiId="nosuchapi1", stageName="prod", sdkType="javascript")
    assert e.value.response["Error"]["Code"] == "NotFoundException"
    assert e.value.response["Error"]["Message"] == (
        f"Invalid API identifier specified {ACCOUNT_A[2]}:nosuchapi1")


def test_other_sdk_types_answer_a_clear_error(apigw, sdk_api):
    api_id, _ = sdk_api
    for t in ("java", "android", "objectivec", "swift", "ruby"):
        with pytest.raises(ClientError) as e:
            apigw.get_sdk(restApiId=api_id, stageName="prod", sdkType=t,
                          parameters={"classPrefix": "X"})
        assert e.value.response["Error"]["Code"] == "BadRequestException"
        assert e.value.response["Error"]["Message"] == (
            f"Portico generates only javascript SDKs; the {t} SDK is not supported")
    with pytest.raises(ClientError) as e:
        apigw.get_sdk(restApiId=api_id, stageName="prod", sdkType="cobol")
    assert e.value.response["Error"]["Code"] == "BadRequestException"
    assert e.value.response["Error"]["Message"] == "Invalid SDK type specified: cobol"
