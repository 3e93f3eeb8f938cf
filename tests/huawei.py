"""Support for the Huawei Cloud tests: the real Huawei SDK (huaweicloudsdkapig v2 and
huaweicloudsdkvpcep v1) pointed at the suite's server, bounded waits for the asynchronous
states (a gateway becoming Running, a connection reaching a status), a raw SDK-HMAC-SHA256
request whose date, secret or body a test can tamper with, and the assertions on Huawei's error
shape (`{"error_code","error_msg"}` plus `X-Request-Id`).

Portico serves the Huawei APIs on the same port as the AWS ones. A Huawei tenant is
(account, project_id); the account comes from the access key (`[[credentials]]`), its Huawei
domain ID is the account ID left-padded with zeros to 32 characters.

Values the contract leaves open and these tests pin are named here, once, so that a change of
mind is a one-line edit (see also test_huawei_apig.py::test_chosen_wire_details).
"""
import datetime as dt
import json
import re
import time
import types
import uuid
from urllib.parse import urlsplit

import pytest
import requests
from huaweicloudsdkapig.v2 import (
    AcceptOrRejectEndpointConnectionsRequest,
    AddEndpointPermissionsRequest,
    ApigClient,
    ConnectionActionReq,
    CreateInstanceV2Request,
    DeleteEndpointPermissionsRequest,
    DeleteInstancesV2Request,
    EndpointPermissionList,
    InstanceCreateReq,
    ListEndpointConnectionsRequest,
    ListEndpointPermissionsRequest,
    ListInstancesV2Request,
    ShowDetailsOfInstanceV2Request,
)
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkvpcep.v1 import CreateEndpointRequest, CreateEndpointRequestBody, VpcepClient

from portico_server import ACCOUNT_A, ACCOUNT_B

# --- Bounds from the contract --------------------------------------------------------------------
RUNNING_WITHIN = 10.0       # a new gateway is "Running" within 10 s ("Creating" before)
DELETED_WITHIN = 10.0       # a deleted gateway answers 404 within 10 s
CONNECTION_WITHIN = 5.0     # a connection shows / changes status within 5 s
# What the test itself adds to a bound: the polling round trips on a loaded 2-CPU machine.
SLACK = 1.0
POLL_INTERVAL = 0.05

SKEW_LIMIT = dt.timedelta(minutes=15)   # X-Sdk-Date further off than this → 401

# --- Error codes ---------------------------------------------------------------------------------
# 404 for a gateway the caller's tenant does not know: any of Huawei's three documented codes.
NOT_FOUND_CODES = {"APIC.7302", "APIG.3030", "APIC.7314"}
# 400 for a request that fails validation.
VALIDATION_PREFIXES = ("APIG.", "APIC.")
# Decision (the contract only says 401 + error_code): the code real Huawei Cloud answers for a
# failed AK/SK signature, unknown AK or expired X-Sdk-Date ("Incorrect IAM authentication
# information: ..."), see Huawei's "Common Errors Related to IAM Authentication Information".
AUTH_ERROR_CODE = "APIGW.0301"

# --- Status strings ------------------------------------------------------------------------------
INSTANCE_CREATING = "Creating"
INSTANCE_RUNNING = "Running"
CONNECTION_STATUSES = {
    "pendingAcceptance", "creating", "accepted", "rejected", "failed", "deleting"}

# The wire format of EndpointConnection.created_at / updated_at (Huawei's model docstring).
UTC_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def domain_of(account_id):
    """The Huawei domain ID of a Portico account: its ID left-padded with zeros to 32 chars."""
    return account_id.rjust(32, "0")


def permission_of(domain):
    return f"iam:domain::{domain}"


def new_project():
    """A fresh project ID (Huawei's are 32 hex characters; Portico accepts any)."""
    return uuid.uuid4().hex


def suffix():
    return uuid.uuid4().hex[:8]


# --- Clients -------------------------------------------------------------------------------------

def _http_config():
    cfg = HttpConfig.get_default_config()
    cfg.timeout = (5, 30)
    cfg.retry_times = 0
    return cfg


def apig_client(server, ak, sk, project):
    return (ApigClient.new_builder()
            .with_http_config(_http_config())
            .with_credentials(BasicCredentials(ak, sk, project))
            .with_endpoints([server.url])
            .build())


def vpcep_client(server, ak, sk, project):
    return (VpcepClient.new_builder()
            .with_http_config(_http_config())
            .with_credentials(BasicCredentials(ak, sk, project))
            .with_endpoints([server.url])
            .build())


class Tenant:
    """One Huawei tenant (account, project) with its two SDK clients."""

    def __init__(self, server, account=ACCOUNT_A, project=None):
        self.server = server
        self.ak, self.sk, self.account_id = account
        self.account = account
        self.project = project or new_project()
        self.apig = apig_client(server, self.ak, self.sk, self.project)
        self.vpcep = vpcep_client(server, self.ak, self.sk, self.project)

    @property
    def domain(self):
        return domain_of(self.account_id)

    @property
    def permission(self):
        return permission_of(self.domain)

    def sibling(self, project=None):
        """The same account in another project: another tenant."""
        return Tenant(self.server, self.account, project)

    def __repr__(self):
        return f"Tenant(account={self.account_id}, project={self.project})"


class Huawei:
    def __init__(self, server):
        self.server = server

    def tenant(self, account=ACCOUNT_A, project=None):
        return Tenant(self.server, account, project)


@pytest.fixture
def hw(server):
    """A freshly reset server, and a factory of Huawei tenants on it."""
    server.reset()
    return Huawei(server)


@pytest.fixture
def owner(hw):
    """Account A in a project of its own: the owner of the gateways."""
    return hw.tenant(ACCOUNT_A)


@pytest.fixture
def stranger(hw):
    """Account B (another domain) in a project of its own."""
    return hw.tenant(ACCOUNT_B)


@pytest.fixture
def gateway(owner):
    """A Running gateway of `owner`."""
    return create_running_gateway(owner)


# --- Waiting -------------------------------------------------------------------------------------

def wait_for(probe, timeout, what):
    """Poll `probe()` (→ (done, value)) until done or the deadline; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        done, value = probe()
        if done:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not reached within {timeout:.1f} s; last seen {value!r}")
        time.sleep(POLL_INTERVAL)


def show(tenant, instance_id):
    return tenant.apig.show_details_of_instance_v2(
        ShowDetailsOfInstanceV2Request(instance_id=instance_id))


def wait_running(tenant, instance_id, timeout=RUNNING_WITHIN + SLACK):
    """Wait for Running; every status seen on the way must be Creating or Running.
    Returns (details, statuses seen in order, deduplicated)."""
    seen = []

    def probe():
        d = show(tenant, instance_id)
        if not seen or seen[-1] != d.status:
            seen.append(d.status)
        assert d.status in (INSTANCE_CREATING, INSTANCE_RUNNING), (
            f"instance {instance_id} went through {seen}")
        return d.status == INSTANCE_RUNNING, d

    details = wait_for(probe, timeout, f"instance {instance_id} Running (seen {seen})")
    return details, seen


def wait_gone(tenant, instance_id, timeout=DELETED_WITHIN + SLACK):
    """Wait until ShowDetails answers 404; return that exception."""
    def probe():
        try:
            d = show(tenant, instance_id)
        except ClientRequestException as e:
            if e.status_code == 404:
                return True, e
            raise
        return False, d.status

    return wait_for(probe, timeout, f"instance {instance_id} answering 404 after delete")


def all_connections(tenant, instance_id):
    r = tenant.apig.list_endpoint_connections(
        ListEndpointConnectionsRequest(instance_id=instance_id, limit=500))
    return r.connections or []


def wait_connection(tenant, instance_id, connection_id, status,
                    timeout=CONNECTION_WITHIN + SLACK, between=("creating",)):
    """Wait until the gateway's connection `connection_id` has `status`. Until then the
    connection may be missing or in one of `between`; any other status fails at once."""
    history = []

    def probe():
        found = [c for c in all_connections(tenant, instance_id) if c.id == connection_id]
        assert len(found) <= 1, f"connection {connection_id} listed {len(found)} times"
        now = found[0].status if found else None
        if not history or history[-1] != now:
            history.append(now)
        assert now in (None, status, *between), (
            f"connection {connection_id} went through {history}, waiting for {status}")
        return now == status, found[0] if found else None

    return wait_for(probe, timeout,
                    f"connection {connection_id} {status} (history {history})")


# --- Gateways and connections --------------------------------------------------------------------

MISSING = object()


def instance_req(name=None, **fields):
    """An InstanceCreateReq with every required field set; `field=MISSING` leaves one out."""
    body = dict(
        instance_name=name or f"gw_{suffix()}",
        spec_id="BASIC",
        vpc_id=f"vpc-{suffix()}",
        subnet_id=f"subnet-{suffix()}",
        security_group_id=f"sg-{suffix()}",
        available_zone_ids=["az-1a"],
    )
    body.update(fields)
    return InstanceCreateReq(**{k: v for k, v in body.items() if v is not MISSING})


def create_gateway(tenant, name=None, **fields):
    return tenant.apig.create_instance_v2(
        CreateInstanceV2Request(body=instance_req(name, **fields)))


class Gateway:
    def __init__(self, tenant, details):
        self.tenant = tenant
        self.details = details
        self.id = details.id
        self.service_name = details.endpoint_services[0].service_name
        self.region, self.service_label, self.service_id = split_service_name(self.service_name)

    def __repr__(self):
        return f"Gateway({self.id}, {self.service_name})"


def split_service_name(service_name):
    """`{region}.{vpcep_service_name or "apig"}.{service_id}` → its three parts."""
    assert isinstance(service_name, str), service_name
    region, _, rest = service_name.partition(".")
    label, _, service_id = rest.partition(".")
    assert region and label and service_id and "." not in service_id, (
        f"service_name {service_name!r} is not {{region}}.{{name}}.{{service_id}}")
    return region, label, service_id


def create_running_gateway(tenant, name=None, **fields):
    r = create_gateway(tenant, name, **fields)
    details, _ = wait_running(tenant, r.instance_id)
    assert details.endpoint_services, f"Running gateway has no endpoint_services: {details}"
    return Gateway(tenant, details)


def connect(consumer, service_id, vpc_id=None, subnet_id=None):
    """The consumer's VPCEP CreateEndpoint towards a gateway's endpoint service."""
    return consumer.vpcep.create_endpoint(CreateEndpointRequest(body=CreateEndpointRequestBody(
        endpoint_service_id=service_id,
        vpc_id=vpc_id or f"vpc-{suffix()}",
        subnet_id=subnet_id or f"subnet-{suffix()}",
    )))


def connect_pending(consumer, gw, **kw):
    """Connect and wait until the gateway lists the connection as pendingAcceptance."""
    ep = connect(consumer, gw.service_id, **kw)
    conn = wait_connection(gw.tenant, gw.id, ep.id, "pendingAcceptance")
    return ep, conn


def act(tenant, instance_id, action, endpoints):
    return tenant.apig.accept_or_reject_endpoint_connections(
        AcceptOrRejectEndpointConnectionsRequest(
            instance_id=instance_id, body=ConnectionActionReq(action=action, endpoints=endpoints)))


def list_connections(tenant, instance_id, **query):
    return tenant.apig.list_endpoint_connections(
        ListEndpointConnectionsRequest(instance_id=instance_id, **query))


def list_permissions(tenant, instance_id, **query):
    return tenant.apig.list_endpoint_permissions(
        ListEndpointPermissionsRequest(instance_id=instance_id, **query))


def add_permissions(tenant, instance_id, permissions):
    return tenant.apig.add_endpoint_permissions(AddEndpointPermissionsRequest(
        instance_id=instance_id, body=EndpointPermissionList(permissions=permissions)))


def delete_permissions(tenant, instance_id, permissions):
    return tenant.apig.delete_endpoint_permissions(DeleteEndpointPermissionsRequest(
        instance_id=instance_id, body=EndpointPermissionList(permissions=permissions)))


def list_instances(tenant, **query):
    return tenant.apig.list_instances_v2(ListInstancesV2Request(**query))


def delete_instance(tenant, instance_id):
    return tenant.apig.delete_instances_v2(DeleteInstancesV2Request(instance_id=instance_id))


def fake_domain(i):
    """A distinct, well-formed 32-hex domain ID that no configured account has."""
    return f"{0xabc000000000000000000000000000 + i:032x}"


# --- Errors --------------------------------------------------------------------------------------

def _describe(e):
    return (f"{type(e).__name__}(status={e.status_code}, error_code={e.error_code!r}, "
            f"error_msg={e.error_msg!r}, request_id={e.request_id!r})")


def expect_hw_error(call, status=None, *, codes=None, prefixes=None, client_error=True):
    """Run `call` and assert it fails the Huawei way: an HTTP error status (`status`, or any
    4xx when None), a JSON body with `error_code` and `error_msg` (the SDK falls back to the
    status as error_code when the body has none), and an `X-Request-Id` header."""
    with pytest.raises(ClientRequestException) as info:
        call()
    e = info.value
    if status is None:
        assert 400 <= e.status_code < 500, _describe(e)
    else:
        assert e.status_code == status, _describe(e)
    assert isinstance(e.error_code, str) and e.error_code, _describe(e)
    assert e.error_code != str(e.status_code), "no error_code in the body: " + _describe(e)
    assert isinstance(e.error_msg, str) and e.error_msg.strip(), _describe(e)
    assert e.request_id, "no X-Request-Id header: " + _describe(e)
    if codes is not None:
        assert e.error_code in codes, _describe(e)
    if prefixes is not None:
        assert e.error_code.startswith(tuple(prefixes)), _describe(e)
    return e


def expect_not_found(call):
    return expect_hw_error(call, 404, codes=NOT_FOUND_CODES)


def expect_invalid(call):
    return expect_hw_error(call, 400, prefixes=VALIDATION_PREFIXES)


def wire_json(response):
    """The JSON body the SDK parsed a response from (to check what was on the wire)."""
    return json.loads(response.raw_content)


# --- Raw signed requests -------------------------------------------------------------------------

def sdk_date(when=None):
    """An X-Sdk-Date value (UTC, YYYYMMDDTHHMMSSZ); `when` defaults to now."""
    when = when or dt.datetime.now(dt.timezone.utc)
    return when.strftime("%Y%m%dT%H%M%SZ")


def sign(method, url, *, ak, sk, project=None, query=(), body=b"", date=None, headers=None):
    """Sign a request with the SDK's own signer (huaweicloudsdkcore.signer.Signer) and return
    the SdkRequest: `.url` (query sorted, as the SDK sends it), `.header_params` (with
    Authorization, X-Sdk-Date, Host) and `.body`. `date` overrides X-Sdk-Date."""
    parts = urlsplit(url)
    header_params = {"Content-Type": "application/json"}
    if project is not None:
        header_params["X-Project-Id"] = project
    header_params["X-Sdk-Date"] = date or sdk_date()
    header_params.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    req = SdkRequest(method=method, schema=parts.scheme, host=parts.netloc,
                     resource_path=parts.path, query_params=list(query),
                     header_params=header_params, body=body)
    return Signer(types.SimpleNamespace(ak=ak, sk=sk)).sign(req)


def raw_call(server, method, path, *, account=ACCOUNT_A, project=None, sign_sk=None, query=(),
             body=None, date=None, send_body=None, drop_headers=(), replace_headers=None):
    """Send one SDK-HMAC-SHA256-signed request with `requests`, tampered as asked:
    `sign_sk` signs with another secret, `date` sets X-Sdk-Date (a datetime or the string),
    `send_body` sends another body than the signed one, `drop_headers` removes headers after
    signing, `replace_headers` overwrites some after signing. Returns the requests.Response."""
    ak, sk, _ = account
    if isinstance(date, dt.datetime):
        date = sdk_date(date)
    req = sign(method, server.url + path, ak=ak, sk=sign_sk or sk, project=project, query=query,
               body=body if body is not None else b"", date=date)
    headers = {k: v for k, v in req.header_params.items() if k not in drop_headers}
    headers.update(replace_headers or {})
    data = req.body
    if send_body is not None:
        data = json.dumps(send_body) if isinstance(send_body, (dict, list)) else send_body
    return requests.request(method, req.url, headers=headers, data=data or None, timeout=10)


def request_id_of(resp):
    return resp.headers.get("X-Request-Id")


def assert_huawei_error(resp, status, code=None):
    """A raw response is a Huawei error: status, JSON {"error_code","error_msg"}, X-Request-Id."""
    assert resp.status_code == status, (resp.status_code, resp.headers, resp.text)
    try:
        body = resp.json()
    except ValueError:
        raise AssertionError(f"error body is not JSON: {resp.text!r}")
    assert isinstance(body, dict), body
    assert isinstance(body.get("error_code"), str) and body["error_code"], body
    assert isinstance(body.get("error_msg"), str) and body["error_msg"].strip(), body
    if code is not None:
        assert body["error_code"] == code, body
    assert request_id_of(resp), f"no X-Request-Id header: {dict(resp.headers)}"
    return body
