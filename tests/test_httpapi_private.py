"""Private integrations of HTTP APIs: HTTP_PROXY with ConnectionType VPC_LINK to a load
balancer listener, whose addresses come from the config file's `[[load_balancers]]`; an
address that refuses connections is skipped."""
import pytest

from conftest import make_client
from dataplane import Backend, closed_port
from httpapi import call, http_api, route
from portico_server import CONFIG, Server

NLB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/web/50dc6c495c0c9188"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/net/web/50dc6c495c0c9188/0467ef3c8400ae65"


@pytest.fixture(scope="module")
def backend_a():
    b = Backend()
    yield b
    b.close()


@pytest.fixture(scope="module")
def lb_server(backend_a):
    config = CONFIG + f"""
[[load_balancers]]
arn = "{NLB}"
targets = ["127.0.0.1:{closed_port()}", "127.0.0.1:{backend_a.port}"]
"""
    s = Server(config=config).start()
    yield s
    s.close()


@pytest.fixture
def v2(lb_server):
    lb_server.reset()
    return make_client(lb_server, service="apigatewayv2")


def private_api(v2, uri):
    link = v2.create_vpc_link(Name="link", SubnetIds=["subnet-1"])["VpcLinkId"]
    api_id = http_api(v2)
    i = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                              IntegrationUri=uri, ConnectionType="VPC_LINK", ConnectionId=link,
                              PayloadFormatVersion="1.0",
                              RequestParameters={"overwrite:header.x-via": "vpc-link"})
    route(v2, api_id, "ANY /{proxy+}", i["IntegrationId"])
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return api_id


def test_a_private_integration_reaches_the_load_balancers_targets(lb_server, v2, backend_a):
    api_id = private_api(v2, LISTENER)
    for _ in range(3):
        r = call(lb_server, api_id, "/orders/7?x=1", method="POST", body=b"{}")
        assert r.status == 200, r.text
        rec = r.json()
        assert (rec["method"], rec["path"], rec["query"]) == ("POST", "/orders/7", "x=1")
        assert rec["headers"]["x-via"] == "vpc-link"


def test_an_unknown_load_balancer_is_an_internal_server_error(lb_server, v2):
    api_id = private_api(v2, LISTENER.replace("/web/", "/other/"))
    r = call(lb_server, api_id, "/x")
    assert (r.status, r.json()) == (500, {"message": "Internal Server Error"})
