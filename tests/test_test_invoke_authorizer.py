"""TestInvokeAuthorizer: an authorizer of the API's current definition (no deployment needed)
run against a simulated request through the data plane's own authorizer code — Lambda TOKEN
and REQUEST authorizers with real functions, COGNITO_USER_POOLS with a real JWKS — answered in
AWS's shape {clientStatus, log, latency, principalId, policy, authorization, claims}."""
import json
import time

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import make_client
from portico_server import CONFIG, Server
from test_dataplane_lambda import function, lambda_uri

TOKEN_AUTHORIZER = """
def handler(event, context):
    token = event["authorizationToken"]
    if token == "nope":
        raise Exception("Unauthorized")
    if token == "broken":
        return {"principalId": "x"}
    return {"principalId": "user-" + token,
            "context": {"arn": event["methodArn"], "n": 7, "ok": True},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow",
                 "Resource": event["methodArn"]}]}}
"""

REQUEST_AUTHORIZER = """
import json
def handler(event, context):
    return {"principalId": event["headers"]["x-user"],
            "context": {"event": json.dumps(event)},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}]}}
"""


@pytest.fixture
def lam(server, apigw):
    return make_client(server, service="lambda")


def token_authorizer(apigw, lam, api_id):
    arn = function(lam, "tia-token", TOKEN_AUTHORIZER)
    return apigw.create_authorizer(restApiId=api_id, name="tok", type="TOKEN",
                                   authorizerUri=lambda_uri(arn),
                                   identitySource="method.request.header.Authorization",
                                   identityValidationExpression="^[a-z]+$")["id"]


def test_a_token_authorizer_is_run_and_its_answer_shown(apigw, api, lam):
    api_id, _ = api
    auth = token_authorizer(apigw, lam, api_id)
    r = apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=auth,
                                     headers={"Authorization": "alice"})
    assert r["clientStatus"] == 200, r["log"]
    assert r["principalId"] == "user-alice"
    arn = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/ESTestInvoke-stage/GET/"
    policy = json.loads(r["policy"])
    assert policy["Statement"][0] == {"Action": "execute-api:Invoke", "Effect": "Allow",
                                      "Resource": arn}
    assert r["authorization"] == {"arn": [arn], "n": ["7"], "ok": ["true"]}
    assert isinstance(r["latency"], int)
    log = r["log"]
    assert log.startswith("Execution log for request ")
    assert f"Starting authorizer: {auth} for request: " in log
    assert "Incoming identity: {method.request.header.authorization=alice}" in log
    assert ('Endpoint request body after transformations: {"type":"TOKEN","methodArn":'
            f'"{arn}","authorizationToken":"alice"}}') in log
    assert "Successfully completed authorizer execution" in log


def test_a_token_authorizer_refusal_is_the_clients_status(apigw, api, lam):
    api_id, _ = api
    auth = token_authorizer(apigw, lam, api_id)
    run = lambda **kw: apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=auth, **kw)
    # No token, or one failing identityValidationExpression: 401 without calling the function.
    for kw in ({}, {"headers": {"Authorization": "NOT VALID"}}):
        r = run(**kw)
        assert r["clientStatus"] == 401
        assert "Endpoint request body" not in r["log"]
        assert "principalId" not in r
    r = run(headers={"Authorization": "nope"})
    assert r["clientStatus"] == 401 and "Unauthorized request: " in r["log"]
    assert "Endpoint request body after transformations" in r["log"]
    r = run(multiValueHeaders={"Authorization": ["broken"]})
    assert r["clientStatus"] == 500
    assert "AuthorizerConfigurationException" in r["log"]


def test_a_request_authorizer_gets_the_simulated_request(apigw, api, lam):
    api_id, _ = api
    arn = function(lam, "tia-request", REQUEST_AUTHORIZER)
    auth = apigw.create_authorizer(
        restApiId=api_id, name="req", type="REQUEST", authorizerUri=lambda_uri(arn),
        identitySource="method.request.header.x-user, method.request.querystring.k, "
                       "stageVariables.env")["id"]
    r = apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=auth,
                                     headers={"x-user": "bob"},
                                     pathWithQueryString="/pets/7?k=v&k=w",
                                     stageVariables={"env": "dev"})
    assert r["clientStatus"] == 200, r["log"]
    # The policy denies, but a test names no method: it is shown, not enforced.
    assert r["principalId"] == "bob"
    assert json.loads(r["policy"])["Statement"][0]["Effect"] == "Deny"
    event = json.loads(r["authorization"]["event"][0])
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == (
        f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/ESTestInvoke-stage/GET/pets/7")
    assert (event["httpMethod"], event["path"]) == ("GET", "/pets/7")
    assert event["headers"]["x-user"] == "bob"
    assert event["queryStringParameters"] == {"k": "w"}
    assert event["multiValueQueryStringParameters"] == {"k": ["v", "w"]}
    assert event["stageVariables"] == {"env": "dev"}
    assert event["requestContext"]["stage"] == "test-invoke-stage"
    assert "body" not in event
    # A missing identity source: 401, the function not called.
    r = apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=auth,
                                     headers={"x-user": "bob"}, stageVariables={"env": "dev"})
    assert r["clientStatus"] == 401


def test_an_unknown_authorizer_is_not_found(apigw, api):
    api_id, _ = api
    with pytest.raises(ClientError) as e:
        apigw.test_invoke_authorizer(restApiId=api_id, authorizerId="nope12")
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err["Error"] == {"Code": "NotFoundException",
                            "Message": "Invalid Authorizer identifier specified"}


POOL_ID = "us-east-1_TiaPool"
POOL = f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{POOL_ID}"


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def pool_server(signing_key, tmp_path_factory):
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    jwk.update({"kid": "k1", "alg": "RS256", "use": "sig"})
    path = tmp_path_factory.mktemp("pool") / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    s = Server(config=CONFIG + f'\n[[user_pools]]\narn = "{POOL}"\njwks_file = "{path}"\n')
    s.start()
    yield s
    s.close()


def test_a_cognito_authorizer_verifies_the_token_and_shows_its_claims(pool_server, signing_key):
    apigw = make_client(pool_server)
    api_id = apigw.create_rest_api(name="tia-cognito")["id"]
    auth = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS",
                                   providerARNs=[POOL],
                                   identitySource="method.request.header.Authorization")["id"]
    now = int(time.time())
    claims = {"sub": "u-1", "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}",
              "token_use": "id", "email": "a@example.com", "email_verified": True,
              "exp": now + 600, "iat": now}
    tok = jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": "k1"})
    r = apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=auth,
                                     headers={"Authorization": tok})
    assert r["clientStatus"] == 200, r["log"]
    assert r["claims"]["sub"] == "u-1" and r["claims"]["email_verified"] == "true"
    assert r["claims"]["exp"] == str(now + 600)
    expired = jwt.encode({**claims, "exp": now - 5}, signing_key, algorithm="RS256",
                         headers={"kid": "k1"})
    for headers in ({}, {"Authorization": "not-a-jwt"}, {"Authorization": expired}):
        r = apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=auth, headers=headers)
        assert r["clientStatus"] == 401 and "claims" not in r
