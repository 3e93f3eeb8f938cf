"""The consumer's side of a gateway connection, through the real huaweicloudsdkvpcep v1 client:
ListEndpoints, ListEndpointInfoDetails and DeleteEndpoint of the endpoints CreateEndpoint made,
their status mirroring the gateway's accept/reject, what a deleted gateway leaves behind, and
VPCEP's own error codes (EndPoint.xxxx) for CreateEndpoint's and ListEndpoints' bad input."""
import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkvpcep.v1 import (
    CreateEndpointRequest, CreateEndpointRequestBody, DeleteEndpointRequest,
    ListEndpointInfoDetailsRequest, ListEndpointsRequest,
)

from huawei import (  # noqa: F401  (hw, owner, stranger, gateway are fixtures)
    INSTANCE_CREATING, INSTANCE_RUNNING, act, add_permissions, all_connections, connect,
    connect_pending, create_gateway, create_running_gateway, delete_instance, expect_hw_error,
    gateway, hw, owner, show, stranger, suffix, wait_connection, wait_gone, wait_running,
)


def endpoints(tenant, **query):
    return tenant.vpcep.list_endpoints(ListEndpointsRequest(**query))


def details(tenant, endpoint_id):
    return tenant.vpcep.list_endpoint_info_details(
        ListEndpointInfoDetailsRequest(vpc_endpoint_id=endpoint_id))


def delete_endpoint(tenant, endpoint_id):
    return tenant.vpcep.delete_endpoint(DeleteEndpointRequest(vpc_endpoint_id=endpoint_id))


def vpcep_error(call, status, code):
    e = expect_hw_error(call, status)
    assert e.error_code == code, (e.error_code, e.error_msg)
    return e


# --- Reading one's endpoints ---------------------------------------------------------------------

def test_consumer_lists_and_shows_its_endpoint(owner, gateway):
    consumer = owner.sibling()
    ep, conn = connect_pending(consumer, gateway, vpc_id="vpc-mine", subnet_id="subnet-mine")
    r = endpoints(consumer)
    assert r.status_code == 200
    assert r.total_count == 1
    [listed] = r.endpoints
    d = details(consumer, ep.id)
    assert d.status_code == 200
    for e in (listed, d):
        assert e.id == ep.id and e.marker_id == ep.marker_id == conn.marker_id
        assert e.status == "pendingAcceptance"
        assert (e.vpc_id, e.subnet_id) == ("vpc-mine", "subnet-mine")
        assert e.endpoint_service_id == gateway.service_id
        assert e.endpoint_service_name == gateway.service_name
        assert e.project_id == consumer.project
        assert e.service_type == "interface"


def test_endpoint_status_mirrors_the_gateways_decision(owner, gateway):
    consumer = owner.sibling()
    ep, _ = connect_pending(consumer, gateway)
    act(owner, gateway.id, "receive", [ep.id])
    wait_connection(owner, gateway.id, ep.id, "accepted")
    assert details(consumer, ep.id).status == "accepted"
    act(owner, gateway.id, "reject", [ep.id])
    wait_connection(owner, gateway.id, ep.id, "rejected", between=("accepted",))
    assert details(consumer, ep.id).status == "rejected"
    assert [e.status for e in endpoints(consumer).endpoints] == ["rejected"]


def test_endpoints_belong_to_the_consumers_tenant(owner, stranger, gateway):
    add_permissions(owner, gateway.id, ["iam:domain::*"])
    consumer = owner.sibling()
    ep, _ = connect_pending(consumer, gateway)
    # The gateway owner's project, another project, another account: none has this endpoint.
    for other in (owner, consumer.sibling(), stranger):
        assert endpoints(other).total_count == 0
        vpcep_error(lambda: details(other, ep.id), 404, "EndPoint.2006")
        vpcep_error(lambda: delete_endpoint(other, ep.id), 404, "EndPoint.2006")
    assert details(consumer, ep.id).status == "pendingAcceptance"


# --- Deleting --------------------------------------------------------------------------------------

def test_deleting_an_endpoint_removes_its_connection(owner, gateway):
    consumer = owner.sibling()
    keep, _ = connect_pending(consumer, gateway)
    gone, _ = connect_pending(consumer, gateway)
    r = delete_endpoint(consumer, gone.id)
    assert r.status_code == 204
    assert [c.id for c in all_connections(owner, gateway.id)] == [keep.id]
    assert [e.id for e in endpoints(consumer).endpoints] == [keep.id]
    vpcep_error(lambda: details(consumer, gone.id), 404, "EndPoint.2006")
    vpcep_error(lambda: delete_endpoint(consumer, gone.id), 404, "EndPoint.2006")
    # The owner no longer knows the endpoint id either.
    expect_hw_error(lambda: act(owner, gateway.id, "receive", [gone.id]), 404)


def test_a_deleted_gateway_leaves_its_consumers_endpoints_failed(owner, gateway):
    """Decision (README): the endpoint stays in the consumer's tenant and reports failed."""
    consumer = owner.sibling()
    ep, _ = connect_pending(consumer, gateway)
    delete_instance(owner, gateway.id)
    wait_gone(owner, gateway.id)
    assert details(consumer, ep.id).status == "failed"
    assert [e.status for e in endpoints(consumer).endpoints] == ["failed"]
    assert delete_endpoint(consumer, ep.id).status_code == 204
    assert endpoints(consumer).total_count == 0


# --- ListEndpoints' query --------------------------------------------------------------------------

def test_list_endpoints_filters_sorts_and_pages(owner):
    named = create_running_gateway(owner, vpcep_service_name="Orders")
    plain = create_running_gateway(owner)
    consumer = owner.sibling()
    eps = []
    for i in range(5):
        gw = named if i % 2 == 0 else plain
        eps.append(connect(consumer, gw.service_id, vpc_id=f"vpc-{i % 2}"))
    ids = [e.id for e in eps]

    def listed(**q):
        r = endpoints(consumer, **q)
        return r.total_count, [e.id for e in r.endpoints]

    assert listed() == (5, ids[::-1])                      # newest first by default
    assert listed(sort_dir="asc") == (5, ids)
    assert listed(sort_key="update_at", sort_dir="asc") == (5, ids)
    assert listed(limit=2) == (5, ids[::-1][:2])
    assert listed(limit=2, offset=4) == (5, ids[::-1][4:])
    assert listed(id=ids[3]) == (1, [ids[3]])
    assert listed(vpc_id="vpc-1") == (2, [ids[3], ids[1]])
    # endpoint_service_name is a fuzzy match, in either case.
    assert listed(endpoint_service_name="orders") == (3, [ids[4], ids[2], ids[0]])
    assert listed(endpoint_service_name=".apig.") == (2, [ids[3], ids[1]])


@pytest.mark.parametrize("query,code", [
    (dict(limit=1001), "EndPoint.0006"),
    (dict(limit=-1), "EndPoint.0006"),
    (dict(offset=-1), "EndPoint.0010"),
    (dict(sort_key="name"), "EndPoint.0017"),
    (dict(sort_dir="up"), "EndPoint.0018"),
], ids=["limit-big", "limit-negative", "offset-negative", "sort-key", "sort-dir"])
def test_list_endpoints_refuses_bad_queries(hw, query, code):
    vpcep_error(lambda: endpoints(hw.tenant(), **query), 400, code)


# --- CreateEndpoint's errors -----------------------------------------------------------------------

def _create(tenant, **fields):
    return tenant.vpcep.create_endpoint(CreateEndpointRequest(body=CreateEndpointRequestBody(
        **fields)))


def test_create_endpoint_errors_are_vpceps(owner, stranger, gateway):
    consumer = owner.sibling()
    sid = gateway.service_id
    vpcep_error(lambda: _create(consumer, vpc_id="v", subnet_id="s"), 400, "EndPoint.2029")
    vpcep_error(lambda: _create(consumer, endpoint_service_id=sid, subnet_id="s"), 400,
                "EndPoint.2011")
    vpcep_error(lambda: _create(consumer, endpoint_service_id=sid, vpc_id="v"), 400,
                "EndPoint.2010")
    vpcep_error(lambda: _create(consumer, endpoint_service_id="no-such-service", vpc_id="v",
                                subnet_id="s"), 400, "EndPoint.2003")
    vpcep_error(lambda: connect(stranger, sid), 400, "EndPoint.2012")
    assert all_connections(owner, gateway.id) == []
    assert endpoints(consumer).total_count == 0 and endpoints(stranger).total_count == 0


def test_a_gateway_still_creating_accepts_no_connection(owner):
    """Decision (README): the endpoint service is usable once the gateway is Running."""
    consumer = owner.sibling()
    r = create_gateway(owner, f"gw_{suffix()}")
    d = show(owner, r.instance_id)
    service_id = d.endpoint_services[0].service_name.rsplit(".", 1)[1]
    try:
        ep = connect(consumer, service_id)
    except ClientRequestException as e:
        assert (e.status_code, e.error_code) == (400, "EndPoint.2004"), e
        assert endpoints(consumer).total_count == 0
    else:  # the machine was slow enough for the gateway to be Running already
        assert show(owner, r.instance_id).status == INSTANCE_RUNNING
        delete_endpoint(consumer, ep.id)
    wait_running(owner, r.instance_id)
    ep = connect(consumer, service_id)
    assert ep.status == "pendingAcceptance"
    assert d.status in (INSTANCE_CREATING, INSTANCE_RUNNING)
