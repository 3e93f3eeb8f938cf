"""VPC links: CreateVpcLink, GetVpcLink(s), UpdateVpcLink, DeleteVpcLink, their errors, the
PENDING → AVAILABLE / FAILED status, and VPC_LINK integrations over real sockets.

AWS's answers these tests hold Portico to were recorded against AWS in LocalStack's
`tests/aws/services/apigateway/test_apigateway_api.snapshot.json` (`TestApiGatewayVpcLink`);
"More than one target arn…" and "Target arns are not allowed…" are AWS's as quoted in
terraform-provider-aws PR #2512; "NLB ARN is malformed" in its issue #30910.
"""
import time

import pytest
from botocore.exceptions import ClientError

from conftest import make_client
from dataplane import Backend, add_resource, closed_port, deploy, http_method, invoke
from portico_server import CONFIG, Server

REGION = "us-east-1"
ACCOUNT = "000000000000"


def nlb(name):
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/net/{name}/50dc6c495c0c9188"


NLB_TWO = nlb("two-backends")
NLB_HALF_DEAD = nlb("one-dead")
NLB_UNKNOWN = nlb("not-configured")
ALB = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/my-alb/50dc6c495c0c9188"
READY = "Your vpc link is ready for use"


@pytest.fixture(scope="module")
def backends():
    a, b = Backend(), Backend()
    yield a, b
    a.close()
    b.close()


@pytest.fixture(scope="module")
def dead_port():
    return closed_port()


@pytest.fixture(scope="module")
def lb_server(backends, dead_port):
    a, b = backends
    config = CONFIG + f"""
[[load_balancers]]
arn = "{NLB_TWO}"
targets = ["127.0.0.1:{a.port}", "127.0.0.1:{b.port}"]

[[load_balancers]]
arn = "{NLB_HALF_DEAD}"
targets = ["127.0.0.1:{dead_port}", "127.0.0.1:{a.port}"]
"""
    s = Server(config=config).start()
    yield s
    s.close()


@pytest.fixture
def apigw(lb_server, backends):
    lb_server.reset()
    for b in backends:
        b.requests.clear()
    return make_client(lb_server)


def error_of(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    err = e.value.response
    return err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Code"], err["Error"]["Message"]


def wait_status(apigw, link_id, want, deadline_s=3.0):
    """Poll GetVpcLink until its status is `want`; fail after the deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        link = apigw.get_vpc_link(vpcLinkId=link_id)
        if link["status"] == want:
            return link
        assert link["status"] == "PENDING", link
        assert time.monotonic() < deadline, f"still {link['status']} after {deadline_s}s"
        time.sleep(0.05)


def body_of(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


# ---------------------------------------------------------------- management


def test_lifecycle_as_aws_records_it(apigw):
    created = apigw.create_vpc_link(name="link-1", targetArns=[NLB_TWO])
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    link_id = created["id"]
    # AWS's create answer: no statusMessage, no tags.
    assert body_of(created) == {"id": link_id, "name": "link-1", "status": "PENDING",
                                "targetArns": [NLB_TWO]}

    started = time.monotonic()
    got = wait_status(apigw, link_id, "AVAILABLE", deadline_s=2.0)
    assert time.monotonic() - started < 2.0
    assert body_of(got) == {"id": link_id, "name": "link-1", "status": "AVAILABLE",
                            "statusMessage": READY, "tags": {}, "targetArns": [NLB_TWO]}

    listed = apigw.get_vpc_links()
    assert listed["items"] == [{"id": link_id, "name": "link-1", "status": "AVAILABLE",
                                "statusMessage": READY, "targetArns": [NLB_TWO]}]

    updated = apigw.update_vpc_link(vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "link-1-updated"},
        {"op": "replace", "path": "/description", "value": "to the backends"},
    ])
    assert body_of(updated) == {"id": link_id, "name": "link-1-updated",
                                "description": "to the backends", "status": "AVAILABLE",
                                "statusMessage": READY, "tags": {}, "targetArns": [NLB_TWO]}
    assert apigw.get_vpc_link(vpcLinkId=link_id)["description"] == "to the backends"

    deleted = apigw.delete_vpc_link(vpcLinkId=link_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert error_of(apigw.get_vpc_link, vpcLinkId=link_id) == (
        404, "NotFoundException", "Invalid Vpc Link identifier specified")
    assert apigw.get_vpc_links()["items"] == []


def test_description_and_tags_on_create(apigw):
    created = apigw.create_vpc_link(name="l", description="d", targetArns=[NLB_TWO],
                                    tags={"team": "edge"})
    assert created["description"] == "d"
    assert created["tags"] == {"team": "edge"}
    got = apigw.get_vpc_link(vpcLinkId=created["id"])
    assert got["tags"] == {"team": "edge"}
    assert apigw.get_vpc_links()["items"][0]["tags"] == {"team": "edge"}


def test_tags_by_arn(apigw):
    link_id = apigw.create_vpc_link(name="l", targetArns=[NLB_TWO])["id"]
    arn = f"arn:aws:apigateway:{REGION}::/vpclinks/{link_id}"
    apigw.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert apigw.get_vpc_link(vpcLinkId=link_id)["tags"] == {"b": "2"}
    assert error_of(apigw.get_tags, resourceArn=f"arn:aws:apigateway:{REGION}::/vpclinks/nope")[:2] \
        == (404, "NotFoundException")


def test_paging_by_position_and_limit(apigw):
    ids = [apigw.create_vpc_link(name=f"l{i}", targetArns=[NLB_TWO])["id"] for i in range(5)]
    first = apigw.get_vpc_links(limit=2)
    assert [i["id"] for i in first["items"]] == ids[:2]
    second = apigw.get_vpc_links(limit=2, position=first["position"])
    assert [i["id"] for i in second["items"]] == ids[2:4]
    last = apigw.get_vpc_links(limit=2, position=second["position"])
    assert [i["id"] for i in last["items"]] == ids[4:]
    assert "position" not in last
    everything = apigw.get_paginator("get_vpc_links").paginate(PaginationConfig={"PageSize": 2})
    assert [i["id"] for page in everything for i in page["items"]] == ids
    code, kind, _ = error_of(apigw.get_vpc_links, limit=0)
    assert (code, kind) == (400, "BadRequestException")


def test_create_validation_uses_aws_texts(apigw):
    assert error_of(apigw.create_vpc_link, name="l", targetArns=["invalid-arn"]) == (
        400, "BadRequestException", "Invalid ARN. ARN is not well formed invalid-arn")
    assert error_of(apigw.create_vpc_link, name="", targetArns=[]) == (
        400, "BadRequestException", "Name cannot be empty")
    assert error_of(apigw.create_vpc_link, name="l", targetArns=[NLB_TWO, NLB_HALF_DEAD]) == (
        400, "BadRequestException", "More than one target arn specified for vpc link.")
    code, kind, _ = error_of(apigw.create_vpc_link, name="l", targetArns=[])
    assert (code, kind) == (400, "BadRequestException")
    # Nothing was half-created.
    assert apigw.get_vpc_links()["items"] == []


def test_unknown_ids_are_not_found(apigw):
    expected = (404, "NotFoundException", "Invalid Vpc Link identifier specified")
    assert error_of(apigw.get_vpc_link, vpcLinkId="invalid-id") == expected
    assert error_of(apigw.delete_vpc_link, vpcLinkId="invalid-id") == expected
    assert error_of(apigw.update_vpc_link, vpcLinkId="invalid-id", patchOperations=[
        {"op": "replace", "path": "/name", "value": "new-name"}]) == expected


def test_update_accepts_only_name_and_description(apigw):
    link_id = apigw.create_vpc_link(name="l", targetArns=[NLB_TWO])["id"]
    assert error_of(apigw.update_vpc_link, vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/targetArns", "value": NLB_HALF_DEAD}]) == (
        400, "BadRequestException", "Target arns are not allowed to be changed/added.")
    code, kind, message = error_of(apigw.update_vpc_link, vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/status", "value": "FAILED"}])
    assert (code, kind) == (400, "BadRequestException")
    assert "/status" in message
    assert error_of(apigw.update_vpc_link, vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": ""}]) == (
        400, "BadRequestException", "Name cannot be empty")
    assert apigw.get_vpc_link(vpcLinkId=link_id)["name"] == "l"
    # An empty description removes it.
    apigw.update_vpc_link(vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/description", "value": "d"}])
    cleared = apigw.update_vpc_link(vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/description", "value": ""}])
    assert "description" not in cleared


def test_an_unconfigured_nlb_fails_naming_it(apigw):
    link_id = apigw.create_vpc_link(name="l", targetArns=[NLB_UNKNOWN])["id"]
    assert apigw.get_vpc_link(vpcLinkId=link_id)["status"] in ("PENDING", "FAILED")
    failed = wait_status(apigw, link_id, "FAILED", deadline_s=2.0)
    assert NLB_UNKNOWN in failed["statusMessage"]
    listed = apigw.get_vpc_links()["items"][0]
    assert listed["status"] == "FAILED" and NLB_UNKNOWN in listed["statusMessage"]


def test_a_load_balancer_that_is_not_network_fails_as_on_aws(apigw):
    link_id = apigw.create_vpc_link(name="l", targetArns=[ALB])["id"]
    failed = wait_status(apigw, link_id, "FAILED", deadline_s=2.0)
    assert failed["statusMessage"] == "NLB ARN is malformed"


def test_links_are_per_tenant(apigw, lb_server):
    link_id = apigw.create_vpc_link(name="l", targetArns=[NLB_TWO])["id"]
    other_region = make_client(lb_server, region="eu-west-1")
    assert other_region.get_vpc_links()["items"] == []
    assert error_of(other_region.get_vpc_link, vpcLinkId=link_id)[0] == 404


# ---------------------------------------------------------------- invocations


def vpc_link_api(apigw, connection_id, uri="http://nlb.internal.example:8080/backend/path?fixed=1",
                 type="HTTP_PROXY", variables=None):
    api_id = apigw.create_rest_api(name="vpc")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    rid = add_resource(apigw, api_id, root, "items")
    http_method(apigw, api_id, rid, uri, type=type, integration_method="GET",
                connectionType="VPC_LINK", connectionId=connection_id)
    deploy(apigw, api_id, variables=variables or {})
    return api_id


def served_by(backends):
    a, b = backends
    return len(a.requests), len(b.requests)


def test_requests_are_spread_over_the_nlb_targets(apigw, lb_server, backends):
    link_id = apigw.create_vpc_link(name="l", targetArns=[NLB_TWO])["id"]
    wait_status(apigw, link_id, "AVAILABLE")
    api_id = vpc_link_api(apigw, link_id)
    for _ in range(10):
        r = invoke(lb_server, api_id, "prod", "/items", params={"q": "v"})
        assert r.status_code == 200, r.text
    got_a, got_b = served_by(backends)
    assert got_a + got_b == 10
    assert got_a >= 3 and got_b >= 3, (got_a, got_b)
    rec = r.json()
    # The integration URI's path, query and Host; the client's query rides along (proxy).
    assert rec["path"] == "/backend/path"
    assert "fixed=1" in rec["query"] and "q=v" in rec["query"]
    assert rec["headers"]["host"] == "nlb.internal.example:8080"


def test_the_link_can_come_from_a_stage_variable(apigw, lb_server, backends):
    link_id = apigw.create_vpc_link(name="l", targetArns=[NLB_TWO])["id"]
    wait_status(apigw, link_id, "AVAILABLE")
    api_id = vpc_link_api(apigw, "${stageVariables.vpcLinkId}", type="HTTP",
                          uri="http://backend.example/plain", variables={"vpcLinkId": link_id})
    for _ in range(4):
        r = invoke(lb_server, api_id, "prod", "/items")
        assert r.status_code == 200, r.text
    assert served_by(backends) == (2, 2)
    recs = backends[0].requests + backends[1].requests
    assert {r["path"] for r in recs} == {"/plain"}
    assert {r["headers"]["host"] for r in recs} == {"backend.example"}


def test_a_target_that_refuses_connections_is_skipped(apigw, lb_server, backends):
    link_id = apigw.create_vpc_link(name="l", targetArns=[NLB_HALF_DEAD])["id"]
    wait_status(apigw, link_id, "AVAILABLE")
    api_id = vpc_link_api(apigw, link_id)
    for _ in range(8):
        r = invoke(lb_server, api_id, "prod", "/items")
        assert r.status_code == 200, r.text
    assert served_by(backends) == (8, 0)


def test_a_link_that_cannot_be_used_answers_500(apigw, lb_server, backends):
    failed = apigw.create_vpc_link(name="l", targetArns=[NLB_UNKNOWN])["id"]
    api_id = vpc_link_api(apigw, failed)
    r = invoke(lb_server, api_id, "prod", "/items")
    assert r.status_code == 500
    assert r.json() == {"message": "Internal server error"}
    api_id = vpc_link_api(apigw, "nosuchlink")
    assert invoke(lb_server, api_id, "prod", "/items").status_code == 500
    # A link deleted after the deployment stops serving.
    link_id = apigw.create_vpc_link(name="l", targetArns=[NLB_TWO])["id"]
    api_id = vpc_link_api(apigw, link_id)
    assert invoke(lb_server, api_id, "prod", "/items").status_code == 200
    apigw.delete_vpc_link(vpcLinkId=link_id)
    assert invoke(lb_server, api_id, "prod", "/items").status_code == 500
    assert served_by(backends) == (1, 0) or served_by(backends) == (0, 1)
