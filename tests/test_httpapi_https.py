"""HTTP APIs over TLS toward their upstreams: `https://` HTTP_PROXY backends verified against
the config's `backend_ca_file` (an untrusted certificate is a 500), and a JWT issuer whose
discovery and JWKS are served over HTTPS. Every certificate is made by the test."""
import os
import tempfile

import pytest

from conftest import make_client
from dataplane import backend  # noqa: F401  (fixture)
from httpapi import call, http_api, proxy_integration, route
from portico_server import CONFIG, Server
from test_httpapi_jwt import Issuer, bearer
from tls_pki import HttpsBackend, make_cert, write_pem


@pytest.fixture(scope="module")
def pki():
    with tempfile.TemporaryDirectory(prefix="portico-pki-") as d:
        ca = make_cert("Portico Test CA", ca=True)
        yield {
            "ca_file": write_pem(os.path.join(d, "ca.pem"), ca[0]),
            "self_signed": write_pem(os.path.join(d, "self.pem"),
                                     *make_cert("localhost", dns=["localhost"], ips=["127.0.0.1"])),
            "local": write_pem(os.path.join(d, "local.pem"),
                               *make_cert("127.0.0.1", ips=["127.0.0.1"], issuer=ca)),
        }


@pytest.fixture(scope="module")
def tls_server(pki):
    s = Server(config=f'backend_ca_file = "{pki["ca_file"]}"\n' + CONFIG).start()
    yield s
    s.close()


@pytest.fixture
def v2(tls_server):
    tls_server.reset()
    return make_client(tls_server, service="apigatewayv2")


def test_https_backends_are_verified(tls_server, v2, pki):
    trusted, untrusted = HttpsBackend(pki["local"]), HttpsBackend(pki["self_signed"])
    try:
        api_id = http_api(v2)
        route(v2, api_id, "GET /trusted",
              proxy_integration(v2, api_id, f"https://127.0.0.1:{trusted.port}/t"))
        route(v2, api_id, "GET /untrusted",
              proxy_integration(v2, api_id, f"https://127.0.0.1:{untrusted.port}/u"))
        v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        r = call(tls_server, api_id, "/trusted")
        assert r.status == 200, r.text
        assert r.json()["path"] == "/t"
        r = call(tls_server, api_id, "/untrusted")
        assert (r.status, r.json()) == (500, {"message": "Internal Server Error"})
    finally:
        trusted.close()
        untrusted.close()


def test_a_jwt_issuer_over_https(tls_server, v2, pki, backend):
    issuer = Issuer(cert_file=pki["local"])
    try:
        api_id = http_api(v2)
        a = v2.create_authorizer(ApiId=api_id, AuthorizerType="JWT", Name="jwt",
                                 IdentitySource=["$request.header.Authorization"],
                                 JwtConfiguration={"Issuer": issuer.url,
                                                   "Audience": ["my-app"]})["AuthorizerId"]
        i = proxy_integration(v2, api_id, backend.url)
        route(v2, api_id, "GET /me", i, AuthorizationType="JWT", AuthorizerId=a)
        v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        r = call(tls_server, api_id, "/me", headers=bearer(issuer.token()))
        assert r.status == 200, r.text
        assert issuer.fetches == ["/.well-known/openid-configuration", "/keys"]
        r = call(tls_server, api_id, "/me", headers=bearer("x.y.z"))
        assert r.status == 401
    finally:
        issuer.close()
