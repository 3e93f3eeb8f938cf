"""COGNITO_USER_POOLS methods on the data plane: the user pool's JWT is verified (RS256 by the
pool's JWKS from `[[user_pools]]`, `iss`, `exp`, scopes on methods' `authorizationScopes`) and its
claims reach `$context.authorizer.claims`. Tokens are made in the test (PyJWT) with a key the
test makes, whose public half is the pool's JWKS file."""
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import make_client
from dataplane import deploy, invoke
from portico_server import CONFIG, Server

REGION = "us-east-1"
POOL_ID = "us-east-1_TestPool1"
POOL = f"arn:aws:cognito-idp:{REGION}:000000000000:userpool/{POOL_ID}"
OTHER_POOL = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_NotConfig"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def pool_server(signing_key, tmp_path_factory):
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    jwk.update({"kid": "key-1", "alg": "RS256", "use": "sig"})
    path = tmp_path_factory.mktemp("pool") / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    s = Server(config=CONFIG + f'\n[[user_pools]]\narn = "{POOL}"\njwks_file = "{path}"\n')
    s.start()
    yield s
    s.close()


def token(key, kid="key-1", **claims):
    now = int(time.time())
    body = {"sub": "user-1", "iss": ISSUER, "token_use": "id", "email": "a@example.com",
            "email_verified": True, "exp": now + 600, "iat": now}
    body.update(claims)
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def api(pool_server):
    pool_server.reset()
    apigw = make_client(pool_server)
    api_id = apigw.create_rest_api(name="cognito")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    return apigw, api_id, root


def guarded(apigw, api_id, root, pools=(POOL,), scopes=None):
    auth = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS",
                                   providerARNs=list(pools),
                                   identitySource="method.request.header.Authorization")["id"]
    kw = {"authorizationScopes": scopes} if scopes else {}
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="COGNITO_USER_POOLS", authorizerId=auth, **kw)
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                              statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json":
                           '{"sub": "$context.authorizer.claims.sub",'
                           ' "email": "$context.authorizer.claims.email",'
                           ' "verified": "$context.authorizer.claims.email_verified"}'})
    deploy(apigw, api_id)


def call(server, api_id, tok=None):
    headers = {"Authorization": tok} if tok is not None else {}
    return invoke(server, api_id, "prod", "/", headers=headers)


def test_a_valid_id_token_passes_with_its_claims_in_the_context(pool_server, api, signing_key):
    apigw, api_id, root = api
    guarded(apigw, api_id, root)
    r = call(pool_server, api_id, token(signing_key))
    assert r.status_code == 200, r.text
    assert r.json() == {"sub": "user-1", "email": "a@example.com", "verified": "true"}


@pytest.mark.parametrize("case", ["missing", "garbage", "other key", "other issuer",
                                  "unknown kid", "no token_use"])
def test_a_bad_token_is_unauthorized(pool_server, api, signing_key, case):
    apigw, api_id, root = api
    guarded(apigw, api_id, root)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tok = {"missing": None, "garbage": "not-a-jwt",
           "other key": token(stranger),
           "other issuer": token(signing_key, iss="https://cognito-idp.us-east-1.amazonaws.com/x"),
           "unknown kid": token(signing_key, kid="key-2"),
           "no token_use": token(signing_key, token_use=None)}[case]
    r = call(pool_server, api_id, tok)
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    assert r.headers["x-amzn-ErrorType"] == "UnauthorizedException"


def test_an_expired_token_says_so(pool_server, api, signing_key):
    apigw, api_id, root = api
    guarded(apigw, api_id, root)
    r = call(pool_server, api_id, token(signing_key, exp=int(time.time()) - 5))
    assert (r.status_code, r.json()) == (401, {"message": "The incoming token has expired"})


def test_scopes_require_an_access_token_granting_one(pool_server, api, signing_key):
    apigw, api_id, root = api
    guarded(apigw, api_id, root, scopes=["orders/read"])
    ok = token(signing_key, token_use="access", scope="openid orders/read")
    assert call(pool_server, api_id, ok).status_code == 200
    for tok in (token(signing_key),  # an ID token
                token(signing_key, token_use="access", scope="orders/write")):
        r = call(pool_server, api_id, tok)
        assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})


def test_an_authorizer_of_unconfigured_pools_cannot_run(pool_server, api, signing_key):
    apigw, api_id, root = api
    guarded(apigw, api_id, root, pools=(OTHER_POOL,))
    r = call(pool_server, api_id, token(signing_key))
    assert (r.status_code, r.json()) == (500, {"message": None})
    assert r.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_a_user_pool_with_a_bad_jwks_stops_the_start(tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text('{"keys": []}')
    s = Server(config=CONFIG + f'\n[[user_pools]]\narn = "{POOL}"\njwks_file = "{path}"\n')
    with pytest.raises(RuntimeError) as e:
        s.start()
    assert "user_pools" in str(e.value) and "no key" in str(e.value)
    s.close()
