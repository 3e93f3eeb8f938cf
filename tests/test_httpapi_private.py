"""Private integrations of HTTP APIs: HTTP_PROXY with ConnectionType VPC_LINK to a load
balancer listener (network or application) or an AWS Cloud Map service, whose addresses come
from the config file's `[[load_balancers]]` (and their `listeners`) and
`[[cloud_map_services]]`; an address that refuses connections is skipped. Every backend is a
real local server; the HTTPS listener's certificate is made by the test."""
import os
import tempfile
from collections import Counter

import pytest

from conftest import make_client
from dataplane import Backend, closed_port
from helpers import expect_error
from httpapi import call, http_api, route
from portico_server import CONFIG, Server
from tls_pki import HttpsBackend, make_cert, write_pem

NLB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/web/50dc6c495c0c9188"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/net/web/50dc6c495c0c9188/0467ef3c8400ae65"
ALB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/shop/7e3b5c1d2a4f6e8b"
ALB_HTTP = ALB.replace(":loadbalancer/", ":listener/") + "/1f2e3d4c5b6a7980"
ALB_HTTPS = ALB.replace(":loadbalancer/", ":listener/") + "/0a1b2c3d4e5f6071"
SERVICE = "arn:aws:servicediscovery:us-east-1:000000000000:service/srv-e4anhexample0004"
INTERNAL = "internal.example"


def backends(n):
    return [Backend() for _ in range(n)]


@pytest.fixture(scope="module")
def pki():
    with tempfile.TemporaryDirectory(prefix="portico-pki-") as d:
        ca = make_cert("Portico Test CA", ca=True)
        yield {
            "ca_file": write_pem(os.path.join(d, "ca.pem"), ca[0]),
            "internal": write_pem(os.path.join(d, "internal.pem"),
                                  *make_cert(INTERNAL, dns=[INTERNAL], issuer=ca)),
        }


@pytest.fixture(scope="module")
def farm(pki):
    """Every backend the config file names: `nlb` behind the NLB (after a closed port),
    `alb` behind the ALB's HTTP listener, `tls` behind its HTTPS listener, and three Cloud
    Map instances (`prod`, `prod`, `beta`)."""
    f = {"nlb": Backend(), "alb": Backend(), "tls": HttpsBackend(pki["internal"]),
         "cloud": backends(3)}
    yield f
    for b in [f["nlb"], f["alb"], f["tls"], *f["cloud"]]:
        b.close()


@pytest.fixture(scope="module")
def lb_server(pki, farm):
    c1, c2, c3 = farm["cloud"]
    config = f'backend_ca_file = "{pki["ca_file"]}"\n' + CONFIG + f"""
[[load_balancers]]
arn = "{NLB}"
targets = ["127.0.0.1:{closed_port()}", "127.0.0.1:{farm["nlb"].port}"]

[[load_balancers]]
arn = "{ALB}"

[[load_balancers.listeners]]
arn = "{ALB_HTTP}"
protocol = "HTTP"
targets = ["127.0.0.1:{farm["alb"].port}"]

[[load_balancers.listeners]]
arn = "{ALB_HTTPS}"
protocol = "HTTPS"
targets = ["127.0.0.1:{farm["tls"].port}"]

[[cloud_map_services]]
arn = "{SERVICE}"
instances = [
  {{ ipv4 = "127.0.0.1", port = {c1.port}, attributes = {{ stage = "prod" }} }},
  {{ ipv4 = "127.0.0.1", port = {c2.port}, attributes = {{ stage = "prod", color = "green" }} }},
  {{ ipv4 = "127.0.0.1", port = {c3.port}, attributes = {{ stage = "beta" }} }},
]
"""
    s = Server(config=config).start()
    yield s
    s.close()


@pytest.fixture
def v2(lb_server):
    lb_server.reset()
    return make_client(lb_server, service="apigatewayv2")


def private_api(v2, uri, stage="$default", **kw):
    kw.setdefault("RequestParameters", {"overwrite:header.x-via": "vpc-link"})
    link = v2.create_vpc_link(Name="link", SubnetIds=["subnet-1"])["VpcLinkId"]
    api_id = http_api(v2)
    i = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                              IntegrationUri=uri, ConnectionType="VPC_LINK", ConnectionId=link,
                              PayloadFormatVersion="1.0", **kw)
    route(v2, api_id, "ANY /{proxy+}", i["IntegrationId"])
    v2.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
    return api_id


def internal_error(r):
    return (r.status, r.json()) == (500, {"message": "Internal Server Error"})


def test_a_private_integration_reaches_the_load_balancers_targets(lb_server, v2, farm):
    api_id = private_api(v2, LISTENER)
    for _ in range(3):
        r = call(lb_server, api_id, "/orders/7?x=1", method="POST", body=b"{}")
        assert r.status == 200, r.text
        rec = r.json()
        assert (rec["method"], rec["path"], rec["query"]) == ("POST", "/orders/7", "x=1")
        assert rec["headers"]["x-via"] == "vpc-link"
    assert len(farm["nlb"].requests) >= 3


def test_an_unknown_load_balancer_is_an_internal_server_error(lb_server, v2):
    api_id = private_api(v2, LISTENER.replace("/web/", "/other/"))
    assert internal_error(call(lb_server, api_id, "/x"))


def test_an_application_load_balancers_listener_reaches_its_targets(lb_server, v2, farm):
    before = len(farm["alb"].requests)
    api_id = private_api(v2, ALB_HTTP,
                         RequestParameters={"overwrite:path": "/inside/$request.path.proxy",
                                            "overwrite:header.x-via": "alb"})
    r = call(lb_server, api_id, "/cart/3?y=2", method="PUT", body=b"[]")
    assert r.status == 200, r.text
    rec = r.json()
    assert (rec["method"], rec["path"], rec["query"]) == ("PUT", "/inside/cart/3", "y=2")
    assert rec["headers"]["x-via"] == "alb"
    assert len(farm["alb"].requests) == before + 1


def test_a_named_stage_is_part_of_the_path_sent_unless_mapped_away(lb_server, v2):
    # AWS: "API Gateway includes the stage portion of the API endpoint in the request to your
    # backend resources"; overwrite:path with $request.path removes it.
    api_id = private_api(v2, ALB_HTTP, stage="test")
    r = call(lb_server, api_id, "/orders/7", stage="test")
    assert r.status == 200, r.text
    assert r.json()["path"] == "/test/orders/7"
    mapped = private_api(v2, SERVICE, stage="test",
                         RequestParameters={"overwrite:path": "$request.path"})
    r = call(lb_server, mapped, "/orders/7", stage="test")
    assert r.status == 200, r.text
    assert r.json()["path"] == "/orders/7"


def test_a_listener_the_config_does_not_list_is_an_internal_server_error(lb_server, v2, farm):
    # The ALB lists its listeners: another listener ARN under it does not exist.
    before = len(farm["alb"].requests)
    api_id = private_api(v2, ALB_HTTP[:-4] + "dead")
    assert internal_error(call(lb_server, api_id, "/x"))
    assert len(farm["alb"].requests) == before
    assert ALB_HTTP[:-4] + "dead" in lb_server.log()


def test_an_https_listener_is_reached_over_tls_verifying_the_server_name(lb_server, v2, farm):
    tls = farm["tls"]
    api_id = private_api(v2, ALB_HTTPS, TlsConfig={"ServerNameToVerify": INTERNAL})
    r = call(lb_server, api_id, "/secure/1")
    assert r.status == 200, r.text
    assert r.json()["path"] == "/secure/1"
    assert tls.snis[-1] == INTERNAL

    # A name the certificate does not carry fails verification: nothing is served.
    served = tls.requests
    wrong = private_api(v2, ALB_HTTPS, TlsConfig={"ServerNameToVerify": "other.example"})
    assert internal_error(call(lb_server, wrong, "/secure/2"))
    assert tls.requests == served

    # Plain HTTP cannot reach an HTTPS listener, nor TLS an HTTP one.
    plain = private_api(v2, ALB_HTTPS)
    assert internal_error(call(lb_server, plain, "/secure/3"))
    assert tls.requests == served
    tls_to_http = private_api(v2, ALB_HTTP, TlsConfig={"ServerNameToVerify": INTERNAL})
    assert internal_error(call(lb_server, tls_to_http, "/x"))


def test_a_cloud_map_service_spreads_requests_across_its_instances(lb_server, v2, farm):
    cloud = farm["cloud"]
    before = [len(b.requests) for b in cloud]
    api_id = private_api(v2, SERVICE)
    for i in range(6):
        r = call(lb_server, api_id, f"/items/{i}", method="POST", body=b"x")
        assert r.status == 200, r.text
        rec = r.json()
        assert (rec["method"], rec["path"]) == ("POST", f"/items/{i}")
        assert rec["headers"]["x-via"] == "vpc-link"
    got = [len(b.requests) - n for b, n in zip(cloud, before)]
    assert got == [2, 2, 2], got


def test_integration_uri_query_parameters_pick_instances_by_attribute(lb_server, v2, farm):
    cloud = farm["cloud"]
    before = [len(b.requests) for b in cloud]
    prod = private_api(v2, f"{SERVICE}?stage=prod")
    for _ in range(4):
        r = call(lb_server, prod, "/p")
        assert r.status == 200, r.text
        # The filter selects instances; it is not sent to them.
        assert r.json()["query"] == ""
    assert [len(b.requests) - n for b, n in zip(cloud, before)] == [2, 2, 0]

    before = [len(b.requests) for b in cloud]
    green = private_api(v2, f"{SERVICE}?stage=prod&color=green")
    port = private_api(v2, f"{SERVICE}?AWS_INSTANCE_PORT={cloud[2].port}")
    assert call(lb_server, green, "/g").status == 200
    assert call(lb_server, port, "/q").status == 200
    assert [len(b.requests) - n for b, n in zip(cloud, before)] == [0, 1, 1]


def test_a_cloud_map_service_without_a_matching_instance_or_unknown_is_an_error(lb_server, v2, farm):
    cloud = farm["cloud"]
    before = Counter({i: len(b.requests) for i, b in enumerate(cloud)})
    none = private_api(v2, f"{SERVICE}?stage=gamma")
    unknown = private_api(v2, SERVICE.replace("e4anh", "zzzzz"))
    assert internal_error(call(lb_server, none, "/x"))
    assert internal_error(call(lb_server, unknown, "/x"))
    assert Counter({i: len(b.requests) for i, b in enumerate(cloud)}) == before


def test_a_private_integration_uri_must_be_a_listener_or_cloud_map_service(v2):
    api_id = http_api(v2)
    link = v2.create_vpc_link(Name="link", SubnetIds=["subnet-1"])["VpcLinkId"]
    message = ("For VpcLink VPC_LINK, integration uri should be a valid ELB listener ARN "
               "or a valid Cloud Map service ARN.")
    for uri in ["http://internal.example/x", ALB, NLB, ALB_HTTP.rsplit("/", 1)[0] + "/",
                "arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-1"]:
        expect_error(lambda: v2.create_integration(
            ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
            IntegrationUri=uri, ConnectionType="VPC_LINK", ConnectionId=link,
            PayloadFormatVersion="1.0"), "BadRequestException", message, 400)
    for uri in [ALB_HTTP, LISTENER, SERVICE, f"{SERVICE}?stage=prod"]:
        i = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                  IntegrationMethod="ANY", IntegrationUri=uri,
                                  ConnectionType="VPC_LINK", ConnectionId=link,
                                  PayloadFormatVersion="1.0")
        assert i["IntegrationUri"] == uri
    # Turning an internet integration private checks its URI too.
    i = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                              IntegrationUri="http://internal.example/x", PayloadFormatVersion="1.0")
    expect_error(lambda: v2.update_integration(ApiId=api_id, IntegrationId=i["IntegrationId"],
                                               ConnectionType="VPC_LINK", ConnectionId=link),
                 "BadRequestException", message, 400)
