"""Huawei APIG dedicated gateways (CreateInstanceV2, ShowDetailsOfInstanceV2, ListInstancesV2,
DeleteInstancesV2) through the real huaweicloudsdkapig v2 client: lifecycle, endpoint service
name, list filters and paging, validation, 404s, tenant isolation (projects and accounts), and
the AWS API still served beside it on the same port."""
import datetime as dt
import re
import time

import pytest
from botocore.exceptions import ClientError

from conftest import make_client
from huawei import (  # noqa: F401  (hw, owner, stranger, gateway are fixtures)
    INSTANCE_CREATING, INSTANCE_RUNNING, MISSING, NOT_FOUND_CODES, RUNNING_WITHIN, SLACK,
    VALIDATION_PREFIXES, act, add_permissions, assert_huawei_error, connect, create_gateway,
    create_running_gateway, delete_instance, delete_permissions, expect_hw_error, expect_invalid,
    expect_not_found, gateway, hw, list_connections, list_instances, list_permissions, owner,
    raw_call, show, split_service_name, stranger, wait_gone, wait_running, wire_json,
)
from portico_server import ACCOUNT_A, ACCOUNT_B


# --- Lifecycle -----------------------------------------------------------------------------------

def test_create_answers_202_with_instance_and_job_ids(owner):
    r = create_gateway(owner, "gw_first")
    assert r.status_code == 202
    assert isinstance(r.instance_id, str) and r.instance_id
    assert isinstance(r.job_id, str) and r.job_id
    assert isinstance(r.message, str) and r.message.strip()
    assert r.job_id != r.instance_id


def test_new_gateway_is_creating_then_running_within_10_seconds(owner):
    started = time.monotonic()
    r = create_gateway(owner, "gw_lifecycle", spec_id="BASIC")
    first = show(owner, r.instance_id)
    assert first.status in (INSTANCE_CREATING, INSTANCE_RUNNING)
    details, seen = wait_running(owner, r.instance_id)
    assert time.monotonic() - started <= RUNNING_WITHIN + SLACK
    # Only Creating may precede Running, and Running is the end of it.
    assert seen[-1] == INSTANCE_RUNNING and set(seen) <= {INSTANCE_CREATING, INSTANCE_RUNNING}
    assert seen.count(INSTANCE_RUNNING) == 1
    assert details.status_code == 200
    assert details.id == r.instance_id
    assert details.instance_name == "gw_lifecycle"
    assert details.spec == "BASIC"
    # Still Running a moment later (no flapping back to Creating).
    assert show(owner, r.instance_id).status == INSTANCE_RUNNING


def test_endpoint_service_name_defaults_to_apig(owner):
    gw = create_running_gateway(owner)
    assert len(gw.details.endpoint_services) == 1
    region, label, service_id = split_service_name(gw.service_name)
    assert label == "apig"
    assert re.fullmatch(r"[a-z0-9-]+", region), region


def test_endpoint_service_name_uses_vpcep_service_name(owner):
    named = create_running_gateway(owner, vpcep_service_name="orders-svc_1")
    plain = create_running_gateway(owner)
    assert named.service_label == "orders-svc_1"
    # One region for the whole server; each gateway its own service id.
    assert named.region == plain.region
    assert named.service_id != plain.service_id
    assert named.service_name == f"{named.region}.orders-svc_1.{named.service_id}"


def test_delete_answers_204_then_404_within_10_seconds(owner):
    keep = create_running_gateway(owner, "gw_keep")
    gone = create_running_gateway(owner, "gw_gone")
    r = delete_instance(owner, gone.id)
    assert r.status_code == 204
    e = wait_gone(owner, gone.id)
    assert e.error_code in NOT_FOUND_CODES and e.request_id
    listed = list_instances(owner)
    assert [i.id for i in listed.instances] == [keep.id] and listed.total == 1
    # Deleting it again, and its VPC-endpoint operations, are 404 too.
    expect_not_found(lambda: delete_instance(owner, gone.id))
    expect_not_found(lambda: list_permissions(owner, gone.id))
    # The other gateway is untouched.
    assert show(owner, keep.id).status == INSTANCE_RUNNING


def test_deleted_gateways_service_accepts_no_new_connection(owner):
    gw = create_running_gateway(owner)
    delete_instance(owner, gw.id)
    wait_gone(owner, gw.id)
    expect_hw_error(lambda: connect(owner.sibling(), gw.service_id))


# --- ListInstancesV2 -----------------------------------------------------------------------------

def test_list_instances_shows_each_gateway_once(owner):
    a = create_gateway(owner, "gw_a").instance_id
    b = create_gateway(owner, "gw_b").instance_id
    r = list_instances(owner)
    assert r.status_code == 200
    assert r.total == 2 and r.size == 2
    by_id = {i.id: i for i in r.instances}
    assert set(by_id) == {a, b}
    assert by_id[a].instance_name == "gw_a" and by_id[b].instance_name == "gw_b"
    for i in r.instances:
        assert i.spec == "BASIC"
        assert i.status in (INSTANCE_CREATING, INSTANCE_RUNNING)


def test_list_instances_filters(owner):
    one = create_running_gateway(owner, "alpha-one")
    two = create_running_gateway(owner, "alpha-two")
    beta = create_running_gateway(owner, "beta_three")

    def ids(**q):
        r = list_instances(owner, **q)
        assert r.size == len(r.instances) and r.total == r.size, r
        return {i.id for i in r.instances}

    assert ids(instance_id=two.id) == {two.id}
    assert ids(instance_id="0" * 32) == set()
    # instance_name is a fuzzy (substring) match.
    assert ids(instance_name="alpha") == {one.id, two.id}
    assert ids(instance_name="pha-t") == {two.id}
    assert ids(instance_name="three") == {beta.id}
    assert ids(instance_name="gamma") == set()
    assert ids(status=INSTANCE_RUNNING) == {one.id, two.id, beta.id}
    assert ids(status=INSTANCE_CREATING) == set()
    # Filters combine.
    assert ids(instance_name="alpha", instance_id=one.id) == {one.id}
    assert ids(instance_name="beta", instance_id=one.id) == set()


def test_list_instances_paging_and_clamping(owner):
    created = {create_gateway(owner, f"gw_page_{i:02d}").instance_id for i in range(21)}

    def page(**q):
        r = list_instances(owner, **q)
        assert r.total == 21, (q, r.total)
        assert r.size == len(r.instances), (q, r.size, len(r.instances))
        return [i.id for i in r.instances]

    default = page()
    assert len(default) == 20                      # default limit 20
    assert page(limit=0) == default                # limit <= 0 → 20
    assert page(limit=-3) == default
    assert page(offset=-5) == default              # offset < 0 → 0
    assert sorted(page(limit=1000)) == sorted(created)   # limit > 500 → 500 (all 21 here)
    assert page(offset=20, limit=20) == [i for i in page(limit=21) if i not in default]
    assert page(offset=21) == []
    # Walking pages of 8 visits every gateway exactly once, in a stable order.
    walked = page(offset=0, limit=8) + page(offset=8, limit=8) + page(offset=16, limit=8)
    assert len(walked) == 21 and set(walked) == created
    assert walked == page(limit=500)


# --- Validation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("field", [
    "instance_name", "spec_id", "vpc_id", "subnet_id", "security_group_id", "available_zone_ids",
])
def test_create_without_a_required_field_is_400(owner, field):
    expect_invalid(lambda: create_gateway(owner, **{field: MISSING}))
    assert list_instances(owner).total == 0


@pytest.mark.parametrize("fields", [
    dict(spec_id="HUGE"),
    dict(spec_id="basic"),
    dict(available_zone_ids=[]),
    dict(name="ab"),                        # 3..64 characters
    dict(name="g" * 65),
    dict(name="9lives"),                    # starts with a letter
    dict(name="has space"),                 # letters, digits, - and _ only
    dict(vpcep_service_name="a" * 17),      # 0..16 characters
    dict(vpcep_service_name="has.dot"),     # would break {region}.{name}.{service_id}
], ids=["spec-unknown", "spec-lowercase", "no-azs", "name-short", "name-long", "name-digit-first",
        "name-space", "vpcep-name-long", "vpcep-name-dot"])
def test_create_with_an_invalid_field_is_400(owner, fields):
    fields = dict(fields)
    name = fields.pop("name", None)
    expect_invalid(lambda: create_gateway(owner, name, **fields))
    assert list_instances(owner).total == 0


@pytest.mark.parametrize("query", [
    [("limit", "ten")], [("offset", "1.5")],
], ids=["limit-word", "offset-fraction"])
def test_non_integer_paging_parameters_are_400(owner, gateway, query):
    """The SDK always sends integers; a raw client may not. Each APIG list refuses it."""
    base = f"/v2/{owner.project}/apigw/instances"
    for path in (base, f"{base}/{gateway.id}/vpc-endpoint/connections",
                 f"{base}/{gateway.id}/vpc-endpoint/permissions"):
        r = raw_call(owner.server, "GET", path, account=owner.account, project=owner.project,
                     query=query)
        body = assert_huawei_error(r, 400)
        assert body["error_code"].startswith(VALIDATION_PREFIXES), (path, body)


# --- 404 -----------------------------------------------------------------------------------------

UNKNOWN = "0123456789abcdef0123456789abcdef"

OPS_ON_AN_INSTANCE = {
    "ShowDetailsOfInstanceV2": lambda t, i: show(t, i),
    "DeleteInstancesV2": lambda t, i: delete_instance(t, i),
    "ListEndpointConnections": lambda t, i: list_connections(t, i),
    "AcceptOrRejectEndpointConnections": lambda t, i: act(t, i, "receive", ["ep-unknown"]),
    "ListEndpointPermissions": lambda t, i: list_permissions(t, i),
    "AddEndpointPermissions": lambda t, i: add_permissions(t, i, ["iam:domain::*"]),
    "DeleteEndpointPermissions": lambda t, i: delete_permissions(t, i, ["iam:domain::*"]),
}


@pytest.mark.parametrize("op", OPS_ON_AN_INSTANCE, ids=list(OPS_ON_AN_INSTANCE))
def test_unknown_instance_is_404(owner, op):
    expect_not_found(lambda: OPS_ON_AN_INSTANCE[op](owner, UNKNOWN))


# --- Tenants -------------------------------------------------------------------------------------

def _assert_invisible(gw, other):
    """`other` (another tenant) neither lists nor reaches `gw`, and cannot change it."""
    r = list_instances(other)
    assert r.total == 0 and r.size == 0 and r.instances == [], r
    assert list_instances(other, instance_id=gw.id).instances == []
    for op in OPS_ON_AN_INSTANCE.values():
        expect_not_found(lambda: op(other, gw.id))
    # The owner still has it, unchanged: the other tenant's Add/Delete/Delete did nothing.
    assert show(gw.tenant, gw.id).status == INSTANCE_RUNNING
    perms = list_permissions(gw.tenant, gw.id)
    assert [p.permission for p in perms.permissions] == [gw.tenant.permission]


def test_projects_of_one_account_are_isolated(owner):
    gw = create_running_gateway(owner)
    _assert_invisible(gw, owner.sibling())


def test_accounts_are_isolated_even_with_the_same_project_id(hw):
    a = hw.tenant(ACCOUNT_A)
    gw = create_running_gateway(a)
    _assert_invisible(gw, hw.tenant(ACCOUNT_B, a.project))


def test_each_tenant_lists_only_its_own(hw):
    a1 = hw.tenant(ACCOUNT_A)
    a2 = a1.sibling()
    b1 = hw.tenant(ACCOUNT_B, a1.project)
    ids = {t: {create_gateway(t, f"gw_{n}").instance_id} for n, t in
           enumerate((a1, a2, b1))}
    for t, mine in ids.items():
        listed = list_instances(t)
        assert {i.id for i in listed.instances} == mine and listed.total == 1
    assert len(set.union(*ids.values())) == 3


def test_reset_wipes_huawei_state(hw, owner):
    create_gateway(owner)
    assert list_instances(owner).total == 1
    hw.server.reset()
    assert list_instances(owner).total == 0


# --- Beside the AWS API --------------------------------------------------------------------------

def test_aws_api_is_served_beside_on_the_same_port(hw, owner):
    gw = create_running_gateway(owner)
    apigw = make_client(hw.server, ACCOUNT_A)
    api = apigw.create_rest_api(name="beside-huawei")
    assert [a["id"] for a in apigw.get_rest_apis()["items"]] == [api["id"]]
    # Neither family sees the other's state.
    assert [i.id for i in list_instances(owner).instances] == [gw.id]
    # The AWS /v2/ prefix (apigatewayv2) still answers the AWS way, not Huawei's.
    v2 = make_client(hw.server, ACCOUNT_A, service="apigatewayv2")
    try:
        v2.get_apis()
    except ClientError as e:
        code = e.response["Error"]["Code"]
        assert not code.startswith(("APIG", "APIC")), e.response
        assert e.response["ResponseMetadata"].get("RequestId"), e.response
    apigw.delete_rest_api(restApiId=api["id"])
    assert show(owner, gw.id).status == INSTANCE_RUNNING


# --- What the contract left open (the Rust side matches these) ----------------------------------

def test_chosen_wire_details(owner):
    """Values the contract does not fix, pinned so that both sides agree:
    - instance ids are 32 lowercase hex characters (as Huawei's are);
    - the endpoint service id is a lowercase hyphenated UUID (as VPCEP's are);
    - ShowDetails echoes project_id and the network IDs, `type` is "apig",
      `instance_status` is Huawei's number for the status (Running = 6),
      `create_time` is Unix epoch milliseconds;
    - ShowDetails sends `endpoint_services` and, for older clients, `endpoint_service` with the
      same service_name;
    - CreateInstanceV2's message is "Create instance success".
    """
    before_ms = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    r = create_gateway(owner, "gw_chosen", vpc_id="vpc-chosen", subnet_id="subnet-chosen",
                       security_group_id="sg-chosen")
    assert r.message == "Create instance success"
    assert re.fullmatch(r"[0-9a-f]{32}", r.instance_id), r.instance_id
    d, _ = wait_running(owner, r.instance_id)
    after_ms = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    _, _, service_id = split_service_name(d.endpoint_services[0].service_name)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                        service_id), service_id
    assert d.project_id == owner.project
    assert (d.vpc_id, d.subnet_id, d.security_group_id) == (
        "vpc-chosen", "subnet-chosen", "sg-chosen")
    assert d.type == "apig"
    assert d.instance_status == 6
    assert isinstance(d.create_time, int) and before_ms - 2000 <= d.create_time <= after_ms + 2000
    assert d.endpoint_service is not None
    assert d.endpoint_service.service_name == d.endpoint_services[0].service_name
    # The list carries the same summary.
    listed = list_instances(owner).instances[0]
    assert (listed.id, listed.project_id, listed.type, listed.instance_status) == (
        r.instance_id, owner.project, "apig", 6)
    # The wire has plain JSON numbers for the integers, not strings.
    wire = wire_json(show(owner, r.instance_id))
    assert isinstance(wire["create_time"], int) and isinstance(wire["instance_status"], int)
