"""`https://` backends of HTTP and HTTP_PROXY integrations over real sockets: certificate
verification (webpki roots plus the config's `backend_ca_file`), `tlsConfig.insecureSkip
Verification`, `tlsConfig.serverNameToVerify` (checked and sent as SNI), and a stage's client
certificate presented to a backend that requires one. Every certificate is made by the test."""
import os
import tempfile
import time

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from conftest import make_client
from dataplane import add_resource, deploy, http_method, invoke
from helpers import replace
from portico_server import CONFIG, Server
from tls_pki import HttpsBackend, make_cert, write_pem

import requests


@pytest.fixture(scope="module")
def pki():
    with tempfile.TemporaryDirectory(prefix="portico-pki-") as d:
        ca = make_cert("Portico Test CA", ca=True)
        yield {
            "dir": d,
            "ca_file": write_pem(os.path.join(d, "ca.pem"), ca[0]),
            # Self-signed, for 127.0.0.1: trusted by nobody.
            "self_signed": write_pem(os.path.join(d, "self.pem"),
                                     *make_cert("localhost", dns=["localhost"], ips=["127.0.0.1"])),
            # Issued by the test CA, for a name only (no IP address).
            "named": write_pem(os.path.join(d, "named.pem"),
                               *make_cert("backend.test", dns=["backend.test"], issuer=ca)),
            # Issued by the test CA, for 127.0.0.1.
            "local": write_pem(os.path.join(d, "local.pem"),
                               *make_cert("127.0.0.1", ips=["127.0.0.1"], issuer=ca)),
        }


NLB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/tls/50dc6c495c0c9188"


@pytest.fixture(scope="module")
def linked_backend(pki):
    """An HTTPS backend behind the NLB `NLB` of the server's config."""
    b = HttpsBackend(pki["named"])
    yield b
    b.close()


@pytest.fixture(scope="module")
def tls_server(pki, linked_backend):
    s = Server(config=f'backend_ca_file = "{pki["ca_file"]}"\n' + CONFIG + f"""
[[load_balancers]]
arn = "{NLB}"
targets = ["127.0.0.1:{linked_backend.port}"]
""").start()
    yield s
    s.close()


@pytest.fixture
def apigw_tls(tls_server):
    tls_server.reset()
    return make_client(tls_server)


def https_api(apigw, uri, **kw):
    api_id = apigw.create_rest_api(name="https")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    http_method(apigw, api_id, root, uri, **kw)
    deploy(apigw, api_id)
    return api_id, root


def patch_integration(apigw, api_id, root, *ops):
    apigw.update_integration(restApiId=api_id, resourceId=root, httpMethod="GET",
                             patchOperations=list(ops))
    deploy(apigw, api_id)


def test_a_self_signed_backend_fails_unless_verification_is_skipped(tls_server, apigw_tls, pki):
    backend = HttpsBackend(pki["self_signed"])
    try:
        api_id, root = https_api(apigw_tls, f"https://127.0.0.1:{backend.port}/hello")
        r = invoke(tls_server, api_id, "prod")
        assert r.status_code == 500, r.text
        assert r.json() == {"message": "Internal server error"}
        assert backend.requests == 0
        log = apigw_tls.test_invoke_method(restApiId=api_id, resourceId=root,
                                           httpMethod="GET")["log"]
        assert "certificate" in log, log

        patch_integration(apigw_tls, api_id, root,
                          replace("/tlsConfig/insecureSkipVerification", "true"))
        r = invoke(tls_server, api_id, "prod", "/?q=1")
        assert r.status_code == 200, r.text
        assert r.json()["path"] == "/hello?q=1"
        assert r.headers["Content-Type"] == "application/json"
    finally:
        backend.close()


def test_a_backend_signed_by_the_configured_ca_verifies(tls_server, apigw_tls, pki):
    backend = HttpsBackend(pki["local"])
    try:
        # HTTP (non-proxy) too, through a URI built per request.
        api_id, _ = https_api(apigw_tls, f"https://127.0.0.1:{backend.port}/x",
                              type="HTTP", integration_method="GET")
        r = invoke(tls_server, api_id, "prod")
        assert r.status_code == 200, r.text
        assert r.json()["path"] == "/x"
        # No SNI for an IP address.
        assert backend.snis in ([], [None])
    finally:
        backend.close()


def test_server_name_to_verify_is_checked_and_sent_as_sni(tls_server, apigw_tls, pki):
    backend = HttpsBackend(pki["named"])
    try:
        api_id, root = https_api(apigw_tls, f"https://127.0.0.1:{backend.port}/n")
        # The certificate is trusted but not for 127.0.0.1.
        r = invoke(tls_server, api_id, "prod")
        assert r.status_code == 500, r.text
        patch_integration(apigw_tls, api_id, root,
                          replace("/tlsConfig/serverNameToVerify", "backend.test"))
        # (boto3 does not show the member: REST APIs' TlsConfig has no such member in its model.)
        with requests.Session() as client:
            for _ in range(3):
                r = client.get(f"{tls_server.url}/restapis/{api_id}/prod/_user_request_/",
                               timeout=10)
                assert r.status_code == 200, r.text
                assert r.json()["sni"] == "backend.test"
        # One handshake for the three (the first, failed attempt sent no SNI): the connection
        # was pooled and reused.
        assert backend.snis.count("backend.test") == 1, backend.snis
    finally:
        backend.close()


def test_the_stage_client_certificate_is_presented_to_a_backend_that_requires_one(
        tls_server, apigw_tls, pki):
    cert = apigw_tls.generate_client_certificate(description="to the backend")
    pem = cert["pemEncodedCertificate"]
    backend = HttpsBackend(pki["local"], client_ca=pem)
    try:
        api_id, _ = https_api(apigw_tls, f"https://127.0.0.1:{backend.port}/mtls")
        r = invoke(tls_server, api_id, "prod")
        assert r.status_code == 500, r.text
        assert backend.requests == 0
        apigw_tls.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
            replace("/clientCertificateId", cert["clientCertificateId"])])
        r = invoke(tls_server, api_id, "prod")
        assert r.status_code == 200, r.text
        subject = x509.load_pem_x509_certificate(pem.encode()).subject
        cn = subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        assert r.json()["peer_subject"]["commonName"] == cn
        assert r.json()["path"] == "/mtls"
        # Another stage of the same deployment, without the certificate, is still refused.
        apigw_tls.create_stage(restApiId=api_id, stageName="plain",
                               deploymentId=apigw_tls.get_stage(restApiId=api_id,
                                                                stageName="prod")["deploymentId"])
        assert invoke(tls_server, api_id, "plain").status_code == 500
    finally:
        backend.close()


def test_an_https_uri_through_a_vpc_link_is_verified_for_the_uri_host(tls_server, apigw_tls,
                                                                     linked_backend):
    link = apigw_tls.create_vpc_link(name="tls", targetArns=[NLB])["id"]
    deadline = time.monotonic() + 5
    while apigw_tls.get_vpc_link(vpcLinkId=link)["status"] != "AVAILABLE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # The link's target is 127.0.0.1; the certificate is checked for the URI's host, which is
    # also the SNI and the Host header.
    api_id, _ = https_api(apigw_tls, "https://backend.test/linked",
                          connectionType="VPC_LINK", connectionId=link)
    r = invoke(tls_server, api_id, "prod")
    assert r.status_code == 200, r.text
    assert r.json() == {"path": "/linked", "sni": "backend.test", "peer_subject": {}}


def test_backend_ca_file_must_hold_certificates(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    s = Server(config=f'backend_ca_file = "{bad}"\n' + CONFIG)
    with pytest.raises(Exception):
        s.start()
    s.close()
