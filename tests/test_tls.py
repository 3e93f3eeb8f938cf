"""HTTPS on `--tls-listen`: every plane over TLS, custom domains' certificates chosen by SNI
(uploaded with the domain, or named by ARN through `[[certificates]]`), and mutual TLS with a
`file://` truststore that requires and verifies client certificates."""
import json
import socket
import ssl

import pytest
from cryptography import x509

import tls_certs
from conftest import make_client
from dataplane import deploy
from portico_server import CONFIG, Server, free_port


class TlsServer(Server):
    def __init__(self, config=CONFIG):
        self.tls_port = free_port()
        super().__init__(config=config,
                         extra_args=["--tls-listen", f"127.0.0.1:{self.tls_port}"])


def https(server, sni, path, host=None, ctx=None, client=None):
    """One HTTPS request over a raw socket (SNI and Host chosen freely, as DNS would give)."""
    if ctx is None:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if client is not None:
        ctx.load_cert_chain(*client)
    with socket.create_connection(("127.0.0.1", server.tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni) as s:
            peer = s.getpeercert(binary_form=True)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host or sni}\r\n"
                      "Connection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body, x509.load_der_x509_certificate(peer)


def subject(cert):
    return cert.subject.rfc4514_string()


@pytest.fixture(scope="module")
def ca():
    return tls_certs.ca()


@pytest.fixture(scope="module")
def arn_cert(ca, tmp_path_factory):
    folder = tmp_path_factory.mktemp("arn")
    pem = tls_certs.leaf(ca, "by-arn.example.test", dns=["by-arn.example.test"])
    return pem, pem.write(folder, "by-arn")


ARN = "arn:aws:acm:us-east-1:000000000000:certificate/11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def tls_server(arn_cert):
    _, (cert_file, key_file) = arn_cert
    s = TlsServer(config=CONFIG + f'\n[[certificates]]\narn = "{ARN}"\n'
                  f'cert_file = "{cert_file}"\nkey_file = "{key_file}"\n').start()
    yield s
    s.close()


@pytest.fixture
def apigw_tls(tls_server):
    tls_server.reset()
    return make_client(tls_server)


def mock_api(apigw, template='{"ok": true}'):
    api_id = apigw.create_rest_api(name="tls")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                              statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200",
                                   responseTemplates={"application/json": template})
    deploy(apigw, api_id)
    return api_id


def test_every_plane_is_served_over_https_with_the_listeners_own_certificate(
        tls_server, apigw_tls):
    api_id = mock_api(apigw_tls)
    status, body, cert = https(tls_server, "localhost", f"/_aws/execute-api/{api_id}/prod/")
    assert (status, json.loads(body)) == (200, {"ok": True})
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    status, body, _ = https(tls_server, None, "/_portico/health", host="127.0.0.1")
    assert status == 200


def test_a_domain_is_served_with_its_uploaded_certificate_by_sni(tls_server, apigw_tls, ca):
    api_id = mock_api(apigw_tls, template='{"domain": "$context.domainName"}')
    leaf = tls_certs.leaf(ca, "api.example.test", dns=["api.example.test"])
    apigw_tls.create_domain_name(domainName="api.example.test", certificateBody=leaf.cert,
                                 certificatePrivateKey=leaf.key, certificateChain=ca.cert,
                                 endpointConfiguration={"types": ["REGIONAL"]})
    apigw_tls.create_base_path_mapping(domainName="api.example.test", restApiId=api_id,
                                       stage="prod")
    ctx = ssl.create_default_context(cadata=ca.cert)
    status, body, cert = https(tls_server, "api.example.test", "/", ctx=ctx)
    assert subject(cert) == "CN=api.example.test"
    assert (status, json.loads(body)) == (200, {"domain": "api.example.test"})
    # Another name still gets the listener's own certificate, which this CA did not sign.
    with pytest.raises(ssl.SSLCertVerificationError):
        https(tls_server, "other.example.test", "/",
              ctx=ssl.create_default_context(cadata=ca.cert))


def test_a_certificate_arn_resolves_through_the_config(tls_server, apigw_tls, ca, arn_cert):
    apigw_tls.create_domain_name(domainName="by-arn.example.test", regionalCertificateArn=ARN,
                                 endpointConfiguration={"types": ["REGIONAL"]})
    ctx = ssl.create_default_context(cadata=ca.cert)
    _, _, cert = https(tls_server, "by-arn.example.test", "/_portico/health", ctx=ctx)
    assert subject(cert) == "CN=by-arn.example.test"


def test_deleting_a_domain_stops_serving_its_certificate(tls_server, apigw_tls, ca):
    leaf = tls_certs.leaf(ca, "gone.example.test", dns=["gone.example.test"])
    apigw_tls.create_domain_name(domainName="gone.example.test", certificateBody=leaf.cert,
                                 certificatePrivateKey=leaf.key)
    _, _, cert = https(tls_server, "gone.example.test", "/_portico/health")
    assert subject(cert) == "CN=gone.example.test"
    apigw_tls.delete_domain_name(domainName="gone.example.test")
    _, _, cert = https(tls_server, "gone.example.test", "/_portico/health")
    assert subject(cert) != "CN=gone.example.test"


@pytest.fixture
def mtls_domain(tls_server, apigw_tls, ca, tmp_path):
    """A domain that requires client certificates issued by `client_ca`."""
    client_ca = tls_certs.ca("Client CA")
    store = tmp_path / "truststore.pem"
    store.write_text(client_ca.cert)
    leaf = tls_certs.leaf(ca, "mtls.example.test", dns=["mtls.example.test"])
    api_id = mock_api(apigw_tls, template='{"subject": "$context.identity.clientCert.subjectDN",'
                      ' "issuer": "$context.identity.clientCert.issuerDN"}')
    apigw_tls.create_domain_name(domainName="mtls.example.test", certificateBody=leaf.cert,
                                 certificatePrivateKey=leaf.key,
                                 endpointConfiguration={"types": ["REGIONAL"]},
                                 securityPolicy="TLS_1_2",
                                 mutualTlsAuthentication={"truststoreUri": f"file://{store}"})
    apigw_tls.create_base_path_mapping(domainName="mtls.example.test", restApiId=api_id,
                                       stage="prod")
    return client_ca


def test_mutual_tls_accepts_a_trusted_client_certificate(tls_server, mtls_domain, tmp_path):
    client = tls_certs.leaf(mtls_domain, "client one", client=True)
    status, body, _ = https(tls_server, "mtls.example.test", "/",
                            client=client.write(tmp_path, "client"))
    assert status == 200
    assert json.loads(body) == {"subject": "CN=client one", "issuer": "CN=Client CA"}


def test_mutual_tls_refuses_an_untrusted_or_missing_client_certificate(
        tls_server, mtls_domain, tmp_path):
    stranger = tls_certs.leaf(tls_certs.ca("Other CA"), "stranger", client=True)
    for client in (stranger.write(tmp_path, "stranger"), None):
        # TLS 1.3: the server's refusal arrives with the first read after the handshake.
        with pytest.raises((ssl.SSLError, ConnectionResetError, IndexError)):
            https(tls_server, "mtls.example.test", "/", client=client)


def test_a_websocket_api_over_tls_carries_messages_both_ways(tls_server):
    """A TLS connection is served as hyper hands it over (only plain TCP sockets are parked
    while quiet): messages in, route answers and @connections posts out, fragments included."""
    import websocket_helpers as wh
    from websockets.sync.client import connect as ws_connect

    tls_server.reset()
    v2 = make_client(tls_server, service="apigatewayv2")
    api_id = wh.ws_api(v2)
    wh.whoami_route(v2, api_id)
    wh.mock_route(v2, api_id, "$default", reply="default")
    wh.deploy(v2, api_id)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    target = f"wss://127.0.0.1:{tls_server.tls_port}/_aws/execute-api/{api_id}/prod"
    with ws_connect(target, ssl=ctx, open_timeout=10, close_timeout=10) as ws:
        cid = wh.my_id(ws)
        ws.send(['{"action": ', '"whoami"', "}"])  # one message in three frames
        assert json.loads(ws.recv(timeout=10)) == {"id": cid}
        wh.management(tls_server, api_id).post_to_connection(ConnectionId=cid, Data=b"pushed")
        assert ws.recv(timeout=10) == "pushed"
        ws.send("anything")
        assert ws.recv(timeout=10) == "default"
