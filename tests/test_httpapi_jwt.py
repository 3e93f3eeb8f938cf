"""JWT authorizers of HTTP APIs: tokens signed with an RSA key the test makes, the issuer's
OpenID configuration and JWKS served by a local HTTP server (discovery, caching), and AWS's
checks and answers (iss, aud/client_id, exp, nbf, scopes; 401 Unauthorized, 403 Forbidden)."""
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import make_client
from dataplane import backend  # noqa: F401  (fixture)
from httpapi import call, http_api, proxy_integration, route, v2  # noqa: F401
from lambda_helpers import create


class Issuer:
    """An OIDC issuer on a free loopback port: discovery and JWKS, every fetch counted."""

    def __init__(self, cert_file=None):
        """`cert_file` (certificate and key in one PEM): serve over HTTPS."""
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        self.fetches = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                issuer.fetches.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    out = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/keys"}
                elif self.path == "/keys":
                    jwk = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(issuer.key.public_key()))
                    jwk.update({"kid": issuer.kid, "alg": "RS256", "use": "sig"})
                    out = {"keys": [jwk]}
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = json.dumps(out).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if cert_file:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert_file)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def token(self, key=None, kid=None, **claims):
        now = int(time.time())
        body = {"iss": self.url, "aud": "my-app", "sub": "user-1", "iat": now,
                "exp": now + 300}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return pyjwt.encode(body, key or self.key, algorithm="RS256",
                            headers={"kid": kid or self.kid})

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def issuer():
    i = Issuer()
    yield i
    i.close()


def jwt_api(v2, backend, issuer, scopes=None, audience=("my-app",)):
    api_id = http_api(v2)
    a = v2.create_authorizer(ApiId=api_id, AuthorizerType="JWT", Name="jwt",
                             IdentitySource=["$request.header.Authorization"],
                             JwtConfiguration={"Issuer": issuer.url,
                                               "Audience": list(audience)})["AuthorizerId"]
    i = proxy_integration(v2, api_id, backend.url, RequestParameters={
        "overwrite:header.x-sub": "$context.authorizer.claims.sub",
    })
    kw = {"AuthorizationScopes": scopes} if scopes else {}
    route(v2, api_id, "GET /secure", i, AuthorizationType="JWT", AuthorizerId=a, **kw)
    route(v2, api_id, "GET /open", i)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return api_id


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def unauthorized(r):
    assert (r.status, r.json()) == (401, {"message": "Unauthorized"}), r.text
    assert "invalid_token" in r.header("www-authenticate")


def test_a_valid_token_passes_and_its_claims_reach_the_integration(server, v2, backend, issuer):
    api_id = jwt_api(v2, backend, issuer)
    r = call(server, api_id, "/secure", headers=bearer(issuer.token()))
    assert r.status == 200, r.text
    assert r.json()["headers"]["x-sub"] == "user-1"
    # Without the Bearer prefix too.
    assert call(server, api_id, "/secure",
                headers={"Authorization": issuer.token()}).status == 200
    assert call(server, api_id, "/open").status == 200
    # Discovery and keys were fetched once, then cached.
    assert issuer.fetches == ["/.well-known/openid-configuration", "/keys"]


@pytest.mark.parametrize("claims", [
    {"exp": int(time.time()) - 10},
    {"nbf": int(time.time()) + 600},
    {"iss": "https://someone-else.example"},
    {"aud": "another-app"},
    {"exp": None},
])
def test_tokens_aws_refuses(server, v2, backend, issuer, claims):
    api_id = jwt_api(v2, backend, issuer)
    unauthorized(call(server, api_id, "/secure", headers=bearer(issuer.token(**claims))))


def test_missing_forged_and_garbled_tokens(server, v2, backend, issuer):
    api_id = jwt_api(v2, backend, issuer)
    unauthorized(call(server, api_id, "/secure"))
    unauthorized(call(server, api_id, "/secure", headers=bearer("not.a.jwt")))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unauthorized(call(server, api_id, "/secure", headers=bearer(issuer.token(key=other))))
    unauthorized(call(server, api_id, "/secure", headers=bearer(issuer.token(kid="unknown"))))


def test_client_id_stands_in_for_a_missing_aud(server, v2, backend, issuer):
    api_id = jwt_api(v2, backend, issuer)
    token = issuer.token(aud=None, client_id="my-app")
    assert call(server, api_id, "/secure", headers=bearer(token)).status == 200


def test_scopes(server, v2, backend, issuer):
    api_id = jwt_api(v2, backend, issuer, scopes=["pets:read", "pets:admin"])
    ok = issuer.token(scope="openid pets:read")
    assert call(server, api_id, "/secure", headers=bearer(ok)).status == 200
    assert call(server, api_id, "/secure",
                headers=bearer(issuer.token(scp=["pets:admin"]))).status == 200
    r = call(server, api_id, "/secure", headers=bearer(issuer.token(scope="openid")))
    assert (r.status, r.json()) == (403, {"message": "Forbidden"})
    assert "insufficient_scope" in r.header("www-authenticate")


def test_a_rotated_key_is_fetched_again(server, v2, backend, issuer):
    api_id = jwt_api(v2, backend, issuer)
    assert call(server, api_id, "/secure", headers=bearer(issuer.token())).status == 200
    # The issuer rotates to a new key id while the old set is cached: an unknown kid
    # refetches, but not more than once a minute — so the first minute still refuses it.
    issuer.kid = "k2"
    unauthorized(call(server, api_id, "/secure", headers=bearer(issuer.token())))
    assert issuer.fetches.count("/keys") == 1


def test_claims_reach_a_lambda_as_aws_records_them(server, v2, issuer):
    lam = make_client(server, service="lambda")
    code = ("import json\ndef handler(event, context):\n"
            "    return {'statusCode': 200, 'body': json.dumps(event)}\n")
    arn = create(lam, "jwt-echo", code)["FunctionArn"]
    api_id = http_api(v2)
    a = v2.create_authorizer(ApiId=api_id, AuthorizerType="JWT", Name="jwt",
                             IdentitySource=["$request.header.Authorization"],
                             JwtConfiguration={"Issuer": issuer.url,
                                               "Audience": ["my-app"]})["AuthorizerId"]
    i = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn,
                              PayloadFormatVersion="2.0")["IntegrationId"]
    route(v2, api_id, "GET /me", i, AuthorizationType="JWT", AuthorizerId=a,
          AuthorizationScopes=["scope1"])
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    token = issuer.token(scope="scope1 scope2", groups=["a", "b"])
    e = json.loads(call(server, api_id, "/me", headers=bearer(token)).body)
    jwt = e["requestContext"]["authorizer"]["jwt"]
    assert set(jwt) == {"claims", "scopes"}
    assert jwt["scopes"] == ["scope1", "scope2"]
    claims = jwt["claims"]
    assert claims["sub"] == "user-1" and claims["aud"] == "my-app"
    assert claims["groups"] == "[a b]"
    assert all(isinstance(v, str) for v in claims.values()), "AWS passes claims as text"
