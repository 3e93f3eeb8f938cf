"""Huawei APIG's five VPC-endpoint operations (ListEndpointConnections,
AcceptOrRejectEndpointConnections, ListEndpointPermissions, AddEndpointPermissions,
DeleteEndpointPermissions) and the consumer's VPCEP CreateEndpoint, through the real SDKs:
the owner's default whitelist record, whitelisting (a domain, `*`), connections becoming
pendingAcceptance and then accepted or rejected, filters, paging and its clamping, validation."""
import datetime as dt
import time

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkvpcep.v1 import CreateEndpointRequest, CreateEndpointRequestBody

from huawei import (  # noqa: F401  (hw, owner, stranger, gateway are fixtures)
    CONNECTION_STATUSES, CONNECTION_WITHIN, POLL_INTERVAL, SLACK, UTC_SECONDS, act, add_permissions,
    all_connections, connect, connect_pending, create_running_gateway, delete_permissions,
    domain_of, expect_hw_error, expect_invalid, fake_domain, gateway, hw, list_connections,
    list_permissions, owner, permission_of, stranger, wait_connection, wait_for, wire_json,
)
from portico_server import ACCOUNT_A, ACCOUNT_B

WILDCARD = "iam:domain::*"
DOMAIN_A = "0" * 32
DOMAIN_B = "00000000000000000000111111111111"


def _permissions(gw):
    r = list_permissions(gw.tenant, gw.id, limit=500)
    return sorted(p.permission for p in r.permissions)


def _near_now(t, slack=dt.timedelta(minutes=5)):
    assert isinstance(t, dt.datetime), f"not parsed as a datetime: {t!r}"
    assert t.tzinfo is not None and t.utcoffset() == dt.timedelta(0), t
    assert abs(dt.datetime.now(dt.timezone.utc) - t) < slack, t


def _stays_without_connections(gw, duration=1.0):
    """No connection shows up on the gateway now, nor while polling for `duration` seconds."""
    deadline = time.monotonic() + duration
    while True:
        r = list_connections(gw.tenant, gw.id)
        assert r.total == 0 and r.connections == [], r
        if time.monotonic() >= deadline:
            return
        time.sleep(POLL_INTERVAL)


# --- The whitelist -------------------------------------------------------------------------------

def test_domain_ids_are_the_account_ids_zero_padded():
    assert domain_of(ACCOUNT_A[2]) == DOMAIN_A
    assert domain_of(ACCOUNT_B[2]) == DOMAIN_B


def test_new_gateway_whitelist_holds_only_the_owners_domain(owner, gateway):
    r = list_permissions(owner, gateway.id)
    assert r.status_code == 200
    assert r.size == 1 and r.total == 1
    p = r.permissions[0]
    assert p.permission == f"iam:domain::{DOMAIN_A}"
    assert isinstance(p.id, str) and p.id
    _near_now(p.created_at)


def test_second_accounts_gateway_whitelists_its_own_domain(stranger):
    gw = create_running_gateway(stranger)
    assert _permissions(gw) == [f"iam:domain::{DOMAIN_B}"]


def test_add_then_delete_permissions(owner, gateway):
    added = add_permissions(owner, gateway.id, [permission_of(DOMAIN_B), WILDCARD])
    assert added.status_code == 200
    assert sorted(added.permissions) == sorted([permission_of(DOMAIN_B), WILDCARD])
    assert _permissions(gateway) == sorted([owner.permission, permission_of(DOMAIN_B), WILDCARD])
    r = list_permissions(owner, gateway.id)
    assert r.total == 3 and r.size == 3
    assert len({p.id for p in r.permissions}) == 3

    deleted = delete_permissions(owner, gateway.id, [permission_of(DOMAIN_B)])
    assert deleted.status_code == 200
    assert deleted.permissions == [permission_of(DOMAIN_B)]
    assert _permissions(gateway) == sorted([owner.permission, WILDCARD])


def test_adding_an_existing_permission_keeps_one_record(owner, gateway):
    add_permissions(owner, gateway.id, [permission_of(DOMAIN_B)])
    try:
        add_permissions(owner, gateway.id, [permission_of(DOMAIN_B)])
    except ClientRequestException as e:  # refusing the duplicate is fine too, as a 4xx
        assert 400 <= e.status_code < 500, e
    assert _permissions(gateway) == sorted([owner.permission, permission_of(DOMAIN_B)])


def test_permission_filter_is_a_fuzzy_match(owner, gateway):
    ab, cd = "ab" * 16, "cd" * 16
    add_permissions(owner, gateway.id, [permission_of(ab), permission_of(cd), WILDCARD])

    def matching(fragment):
        r = list_permissions(owner, gateway.id, permission=fragment)
        assert r.size == len(r.permissions) and r.total == r.size, r
        return sorted(p.permission for p in r.permissions)

    assert matching(permission_of(ab)) == [permission_of(ab)]
    assert matching("abab") == [permission_of(ab)]
    assert matching("dcdc") == [permission_of(cd)]
    assert matching("iam:domain::") == sorted(
        [owner.permission, permission_of(ab), permission_of(cd), WILDCARD])
    assert matching("0000") == [owner.permission]
    assert matching("ffff") == []


def test_permissions_paging_and_clamping(owner, gateway):
    """550 added records + the owner's: limit<=0 → 20, limit>500 → 500, offset<0 → 0;
    size is the page length and total all matching records."""
    for batch in range(11):
        add_permissions(owner, gateway.id,
                        [permission_of(fake_domain(batch * 50 + i)) for i in range(50)])

    def page(**q):
        r = list_permissions(owner, gateway.id, **q)
        assert r.total == 551, (q, r.total)
        assert r.size == len(r.permissions), (q, r.size, len(r.permissions))
        return [p.id for p in r.permissions]

    default = page()
    assert len(default) == 20
    assert page(limit=0) == default
    assert page(limit=-1) == default
    assert page(offset=-5) == default
    assert len(page(limit=1000)) == 500
    assert len(page(limit=500)) == 500
    assert len(page(offset=500, limit=500)) == 51
    assert page(offset=551) == []
    everything = page(limit=500) + page(offset=500, limit=500)
    assert len(set(everything)) == 551
    # Filtered paging: total counts the matches only.
    r = list_permissions(owner, gateway.id, permission="abc", limit=7)
    assert r.total == 550 and r.size == 7


BAD_PERMISSION_BODIES = {
    "empty": [],
    "51-items": [permission_of(fake_domain(i)) for i in range(51)],
    "short-domain": ["iam:domain::1234"],
    "long-domain": ["iam:domain::" + "0" * 33],
    "non-hex-domain": ["iam:domain::" + "g" * 32],
    "wrong-prefix": ["iam:user::" + "0" * 32],
    "no-prefix": ["0" * 32],
    "one-bad-among-good": [permission_of(DOMAIN_B), "iam:domain::nope"],
}


@pytest.mark.parametrize("op", [add_permissions, delete_permissions], ids=["add", "delete"])
@pytest.mark.parametrize("body", BAD_PERMISSION_BODIES, ids=list(BAD_PERMISSION_BODIES))
def test_invalid_permission_lists_are_400_and_change_nothing(owner, gateway, op, body):
    expect_invalid(lambda: op(owner, gateway.id, BAD_PERMISSION_BODIES[body]))
    assert _permissions(gateway) == [owner.permission]


# --- Connecting ----------------------------------------------------------------------------------

def test_owners_other_project_connects_and_is_pending(owner, gateway):
    consumer = owner.sibling()
    ep = connect(consumer, gateway.service_id)
    assert ep.status_code == 200
    assert isinstance(ep.id, str) and ep.id
    assert isinstance(ep.marker_id, int) and not isinstance(ep.marker_id, bool)
    assert ep.status in ("creating", "pendingAcceptance")

    conn = wait_connection(owner, gateway.id, ep.id, "pendingAcceptance")
    assert conn.marker_id == ep.marker_id
    assert conn.domain_id == owner.domain == DOMAIN_A
    _near_now(conn.created_at)
    _near_now(conn.updated_at)
    assert conn.updated_at >= conn.created_at


def test_connection_timestamps_are_utc_seconds_on_the_wire(owner, gateway):
    connect_pending(owner.sibling(), gateway)
    wire = wire_json(list_connections(owner, gateway.id))
    for c in wire["connections"]:
        assert UTC_SECONDS.match(c["created_at"]), c
        assert UTC_SECONDS.match(c["updated_at"]), c
        assert isinstance(c["marker_id"], int), c
    for p in wire_json(list_permissions(owner, gateway.id))["permissions"]:
        assert UTC_SECONDS.match(p["created_at"]), p


def test_consumer_not_whitelisted_is_refused(stranger, owner, gateway):
    expect_hw_error(lambda: connect(stranger, gateway.service_id))
    _stays_without_connections(gateway)


def test_wildcard_admits_any_domain(stranger, owner, gateway):
    add_permissions(owner, gateway.id, [WILDCARD])
    ep, conn = connect_pending(stranger, gateway)
    assert conn.domain_id == stranger.domain == DOMAIN_B
    assert conn.marker_id == ep.marker_id


def test_whitelisting_a_domain_admits_it_until_deleted(stranger, owner, gateway):
    add_permissions(owner, gateway.id, [stranger.permission])
    _, conn = connect_pending(stranger, gateway)
    assert conn.domain_id == DOMAIN_B
    delete_permissions(owner, gateway.id, [stranger.permission])
    expect_hw_error(lambda: connect(stranger, gateway.service_id))
    assert [c.id for c in all_connections(owner, gateway.id)] == [conn.id]


def test_a_whitelist_opens_only_its_own_gateway(stranger, owner, gateway):
    other = create_running_gateway(owner)
    add_permissions(owner, gateway.id, [stranger.permission])
    expect_hw_error(lambda: connect(stranger, other.service_id))
    _stays_without_connections(other, duration=0.3)
    connect_pending(stranger, gateway)


def test_connecting_to_an_unknown_service_is_4xx(owner, gateway):
    expect_hw_error(lambda: connect(owner.sibling(), "00000000-0000-4000-8000-000000000000"))
    assert all_connections(owner, gateway.id) == []


def test_create_endpoint_without_vpc_id_is_400(owner, gateway):
    consumer = owner.sibling()
    req = CreateEndpointRequest(body=CreateEndpointRequestBody(
        endpoint_service_id=gateway.service_id, subnet_id="subnet-1"))
    expect_hw_error(lambda: consumer.vpcep.create_endpoint(req), 400)
    assert all_connections(owner, gateway.id) == []


def test_chosen_create_endpoint_echo(owner, gateway):
    """Decision: CreateEndpoint echoes what a VPCEP client reads back (not in the contract)."""
    consumer = owner.sibling()
    ep = connect(consumer, gateway.service_id, vpc_id="vpc-echo", subnet_id="subnet-echo")
    assert ep.endpoint_service_id == gateway.service_id
    assert ep.endpoint_service_name == gateway.service_name
    assert (ep.vpc_id, ep.subnet_id) == ("vpc-echo", "subnet-echo")
    assert ep.project_id == consumer.project
    assert ep.service_type == "interface"
    _near_now(ep.created_at)


# --- Accepting and rejecting ---------------------------------------------------------------------

def _act_and_check(owner, gw, action, ids, final):
    r = act(owner, gw.id, action, ids)
    assert r.status_code == 200
    changed = {c.id: c for c in r.connections}
    assert set(changed) == set(ids), r
    for c in changed.values():
        assert c.status in (final, "creating"), c
        assert c.status in CONNECTION_STATUSES
    return r


def test_receive_accepts_a_pending_connection(owner, gateway):
    ep, pending = connect_pending(owner.sibling(), gateway)
    _act_and_check(owner, gateway, "receive", [ep.id], "accepted")
    conn = wait_connection(owner, gateway.id, ep.id, "accepted")
    assert conn.marker_id == ep.marker_id and conn.domain_id == owner.domain
    assert conn.created_at == pending.created_at
    assert conn.updated_at >= pending.updated_at


def test_reject_rejects_a_pending_connection(stranger, owner, gateway):
    add_permissions(owner, gateway.id, [WILDCARD])
    ep, _ = connect_pending(stranger, gateway)
    _act_and_check(owner, gateway, "reject", [ep.id], "rejected")
    conn = wait_connection(owner, gateway.id, ep.id, "rejected")
    assert conn.domain_id == DOMAIN_B


def test_an_accepted_connection_can_be_rejected(owner, gateway):
    ep, _ = connect_pending(owner.sibling(), gateway)
    act(owner, gateway.id, "receive", [ep.id])
    wait_connection(owner, gateway.id, ep.id, "accepted")
    _act_and_check(owner, gateway, "reject", [ep.id], "rejected")
    wait_connection(owner, gateway.id, ep.id, "rejected", between=("creating", "accepted"))


def test_actions_apply_to_exactly_the_listed_endpoints(owner, gateway):
    consumer = owner.sibling()
    eps = [connect_pending(consumer, gateway)[0] for _ in range(4)]
    _act_and_check(owner, gateway, "receive", [eps[0].id, eps[1].id], "accepted")
    _act_and_check(owner, gateway, "reject", [eps[2].id], "rejected")
    wait_connection(owner, gateway.id, eps[0].id, "accepted")
    wait_connection(owner, gateway.id, eps[1].id, "accepted")
    wait_connection(owner, gateway.id, eps[2].id, "rejected")
    statuses = {c.id: c.status for c in all_connections(owner, gateway.id)}
    assert statuses == {eps[0].id: "accepted", eps[1].id: "accepted",
                        eps[2].id: "rejected", eps[3].id: "pendingAcceptance"}


BAD_ACTIONS = {
    "unknown-action": dict(action="approve"),
    "accept-spelled-out": dict(action="accept"),
    "empty-action": dict(action=""),
    "no-action": dict(action=None),
    "no-endpoints": dict(endpoints=None),
    "empty-endpoints": dict(endpoints=[]),
    "51-endpoints": dict(endpoints=[f"ep-{i}" for i in range(51)]),
}


@pytest.mark.parametrize("case", BAD_ACTIONS, ids=list(BAD_ACTIONS))
def test_invalid_connection_actions_are_400_and_change_nothing(owner, gateway, case):
    ep, _ = connect_pending(owner.sibling(), gateway)
    body = dict(action="receive", endpoints=[ep.id])
    body.update(BAD_ACTIONS[case])
    expect_invalid(lambda: act(owner, gateway.id, body["action"], body["endpoints"]))
    [conn] = all_connections(owner, gateway.id)
    assert conn.status == "pendingAcceptance"


# --- Listing connections -------------------------------------------------------------------------

def test_a_gateway_without_connections_lists_none(owner, gateway):
    r = list_connections(owner, gateway.id)
    assert r.status_code == 200
    assert (r.size, r.total, r.connections) == (0, 0, [])
    assert wire_json(r)["connections"] == []


def test_list_connections_filters(owner, gateway):
    consumer = owner.sibling()
    (a, _), (b, _), (c, _) = (connect_pending(consumer, gateway) for _ in range(3))
    act(owner, gateway.id, "receive", [a.id])
    act(owner, gateway.id, "reject", [b.id])
    wait_connection(owner, gateway.id, a.id, "accepted")
    wait_connection(owner, gateway.id, b.id, "rejected")

    def ids(**q):
        r = list_connections(owner, gateway.id, **q)
        assert r.size == len(r.connections) and r.total == r.size, (q, r)
        return {x.id for x in r.connections}

    assert ids() == {a.id, b.id, c.id}
    assert ids(id=b.id) == {b.id}
    assert ids(id="no-such-endpoint") == set()
    assert ids(marker_id=c.marker_id) == {c.id}
    assert ids(status="accepted") == {a.id}
    assert ids(status="rejected") == {b.id}
    assert ids(status="pendingAcceptance") == {c.id}
    assert ids(status="failed") == set()
    assert ids(status="accepted", id=b.id) == set()


def test_list_connections_paging_and_clamping(owner, gateway):
    consumer = owner.sibling()
    eps = [connect(consumer, gateway.service_id, vpc_id=f"vpc-{i}") for i in range(21)]
    markers = [ep.marker_id for ep in eps]
    assert len(set(markers)) == 21, markers
    wanted = {ep.id for ep in eps}

    def all_pending():
        cs = all_connections(owner, gateway.id)
        done = {c.id for c in cs if c.status == "pendingAcceptance"} == wanted
        return done, [(c.id, c.status) for c in cs]
    wait_for(all_pending, CONNECTION_WITHIN + SLACK, "21 connections pendingAcceptance")

    def page(**q):
        r = list_connections(owner, gateway.id, **q)
        assert r.total == 21, (q, r.total)
        assert r.size == len(r.connections), (q, r.size, len(r.connections))
        return [c.id for c in r.connections]

    default = page()
    assert len(default) == 20
    assert page(limit=0) == default
    assert page(limit=-7) == default
    assert page(offset=-1) == default
    assert page(offset=-1, limit=1000) == page(limit=500)
    assert set(page(limit=1000)) == wanted
    walked = page(limit=10) + page(offset=10, limit=10) + page(offset=20, limit=10)
    assert len(walked) == 21 and set(walked) == wanted
    assert page(offset=21) == []


# --- Request ids ---------------------------------------------------------------------------------

def test_every_endpoint_operation_answers_a_request_id(owner, gateway):
    ep, _ = connect_pending(owner.sibling(), gateway)
    responses = [
        list_connections(owner, gateway.id),
        act(owner, gateway.id, "receive", [ep.id]),
        list_permissions(owner, gateway.id),
        add_permissions(owner, gateway.id, [WILDCARD]),
        delete_permissions(owner, gateway.id, [WILDCARD]),
    ]
    for r in responses:
        assert r.status_code == 200, r
        assert r.x_request_id, type(r).__name__
    assert len({r.x_request_id for r in responses}) == len(responses)
