"""Huawei SDK-HMAC-SHA256 signatures: the signer helper against the spec's vector (no server),
and the server's 401s for a wrong secret, an unknown key, a stale X-Sdk-Date (either direction),
a body changed after signing, and an unsigned request, each beside a control that passes."""
import datetime as dt
import hashlib
import hmac
from urllib.parse import quote, unquote

import pytest
from huaweicloudsdkapig.v2 import ListInstancesV2Request
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkvpcep.v1 import CreateEndpointRequest, CreateEndpointRequestBody

from huawei import (  # noqa: F401  (hw, owner are fixtures)
    AUTH_ERROR_CODE, SKEW_LIMIT, Tenant, apig_client, assert_huawei_error, create_gateway,
    expect_hw_error, hw, instance_req, list_instances, new_project, owner, raw_call, request_id_of,
    sign, vpcep_client,
)
from portico_server import ACCOUNT_A, ACCOUNT_B

SPEC_PROJECT = "0123456789abcdef0123456789abcdef"


# --- The signer, without a server ----------------------------------------------------------------

def test_signer_matches_the_spec_vector():
    """wire-spec §5.4: the helper (the SDK's own Signer) reproduces the deterministic vector."""
    req = sign("GET", f"http://127.0.0.1:8080/v2/{SPEC_PROJECT}/apigw/instances/inst-1"
                      "/vpc-endpoint/connections",
               ak="MYAK", sk="MYSK", project=SPEC_PROJECT,
               query=[("offset", 0), ("limit", 20)], date="20240102T030405Z")
    assert req.header_params["Authorization"] == (
        "SDK-HMAC-SHA256 Access=MYAK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
        "Signature=e7990fc60b5b4d82d3a87672fee21737b005e17ded6b1f0c4e155aac4b828661")
    assert req.header_params["Host"] == "127.0.0.1:8080"
    # The query is sent sorted, as the SDK sends it.
    assert req.url.endswith("/vpc-endpoint/connections?limit=20&offset=0")


def _independent_signature(method, path, query, headers, body, sk):
    """SDK-HMAC-SHA256 re-derived from wire-spec §5.4 alone (what the Rust verifier computes)."""
    uri = "/".join(quote(unquote(seg), safe="~") for seg in path.split("/"))
    if not uri.endswith("/"):
        uri += "/"
    q = "&".join(f"{quote(k, safe='~')}={quote(str(v), safe='~')}" for k, v in sorted(query))
    lower = {k.lower(): str(v).strip() for k, v in headers.items()}
    signed = sorted(k for k in lower if "_" not in k)
    canonical = "\n".join([
        method, uri, q,
        "".join(f"{k}:{lower[k]}\n" for k in signed),
        ";".join(signed),
        hashlib.sha256(body).hexdigest(),
    ])
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    sts = f"SDK-HMAC-SHA256\n{headers['X-Sdk-Date']}\n{digest}"
    return ";".join(signed), hmac.new(sk.encode(), sts.encode(), hashlib.sha256).hexdigest()


def test_signer_agrees_with_an_independent_derivation_for_a_post_with_body_and_odd_path():
    """A POST with a JSON body, a percent-encoded path segment and a query value that needs
    encoding: the SDK's signer and §5.4 re-derived by hand agree (body hash, trailing slash,
    `~`-only safe encoding, sorted query, lower-cased signed headers)."""
    body = b'{"action": "receive", "endpoints": ["ep-1"]}'
    path = f"/v2/{SPEC_PROJECT}/apigw/instances/inst%201/vpc-endpoint/connections/action"
    query = [("z", "a b"), ("a", "x~y/z")]
    req = sign("POST", "http://127.0.0.1:8080" + path, ak="MYAK", sk="MYSK",
               project=SPEC_PROJECT, query=query, body=body, date="20240102T030405Z")
    auth = req.header_params["Authorization"]
    headers = {k: v for k, v in req.header_params.items() if k != "Authorization"}
    signed, signature = _independent_signature("POST", path, query, headers, body, "MYSK")
    assert auth == f"SDK-HMAC-SHA256 Access=MYAK, SignedHeaders={signed}, Signature={signature}"
    assert signed == "content-type;host;x-project-id;x-sdk-date"


# --- The server's answers ------------------------------------------------------------------------

def _list_path(project):
    return f"/v2/{project}/apigw/instances"


def test_the_raw_helper_is_accepted_when_nothing_is_tampered(hw):
    """The control for every raw 401 below: the same helper, untampered, gets a 200 list with a
    request id (so a 401 below is the tampering's doing, not the helper's)."""
    project = new_project()
    r = raw_call(hw.server, "GET", _list_path(project), project=project,
                 query=[("limit", 5), ("offset", 0)])
    assert r.status_code == 200, (r.status_code, r.text)
    body = r.json()
    assert body["total"] == 0 and body["size"] == 0 and body["instances"] == [], body
    assert request_id_of(r)


def test_wrong_secret_is_401_through_the_sdk(hw):
    ak, _, _ = ACCOUNT_A
    client = apig_client(hw.server, ak, "not-the-secret", new_project())
    expect_hw_error(lambda: client.list_instances_v2(ListInstancesV2Request()), 401,
                    codes={AUTH_ERROR_CODE})


def test_unknown_access_key_is_401_through_the_sdk(hw):
    client = apig_client(hw.server, "AKIDNOSUCHKEY0000000", "whatever", new_project())
    expect_hw_error(lambda: client.list_instances_v2(ListInstancesV2Request()), 401,
                    codes={AUTH_ERROR_CODE})


def test_second_credential_signs_huawei_calls_too(hw):
    """Every [[credentials]] key signs Huawei calls, not only the seeded `test` one."""
    ak, sk, _ = ACCOUNT_B
    r = apig_client(hw.server, ak, sk, new_project()).list_instances_v2(ListInstancesV2Request())
    assert r.status_code == 200 and r.total == 0 and r.instances == []


def test_wrong_secret_is_401_for_vpcep_too(hw):
    ak, _, _ = ACCOUNT_A
    client = vpcep_client(hw.server, ak, "not-the-secret", new_project())
    req = CreateEndpointRequest(body=CreateEndpointRequestBody(
        endpoint_service_id="any-service", vpc_id="vpc-1", subnet_id="subnet-1"))
    expect_hw_error(lambda: client.create_endpoint(req), 401, codes={AUTH_ERROR_CODE})


@pytest.mark.parametrize("tamper", [
    dict(sign_sk="not-the-secret"),
    dict(account=("AKIDNOSUCHKEY0000000", "whatever", "000000000000")),
    dict(replace_headers={"Authorization": "SDK-HMAC-SHA256 garbage"}),
    dict(drop_headers=("X-Sdk-Date",)),
], ids=["wrong-secret", "unknown-ak", "malformed-authorization", "no-date"])
def test_bad_signatures_are_401_with_huawei_error_body(hw, tamper):
    project = new_project()
    r = raw_call(hw.server, "GET", _list_path(project), project=project, **tamper)
    assert_huawei_error(r, 401, AUTH_ERROR_CODE)


def test_an_unsigned_call_gets_awss_answer(hw):
    """Without a signature nothing says the call is Huawei's: like any unsigned call, it gets
    AWS's 403 (the dispatch contract of "One house for four APIs"), and creates nothing."""
    project = new_project()
    r = raw_call(hw.server, "POST", _list_path(project), project=project,
                 body=sanitize_for_serialization(instance_req("gw_unsigned")),
                 drop_headers=("Authorization",))
    assert r.status_code == 403, (r.status_code, r.text)
    assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    ak, sk, _ = ACCOUNT_A
    listed = apig_client(hw.server, ak, sk, project).list_instances_v2(ListInstancesV2Request())
    assert listed.total == 0


@pytest.mark.parametrize("minutes", [-16, 16], ids=["16-min-past", "16-min-future"])
def test_stale_sdk_date_is_401(hw, minutes):
    project = new_project()
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    assert abs(when - dt.datetime.now(dt.timezone.utc)) > SKEW_LIMIT
    r = raw_call(hw.server, "GET", _list_path(project), project=project, date=when)
    assert_huawei_error(r, 401, AUTH_ERROR_CODE)


@pytest.mark.parametrize("minutes", [-14, 14], ids=["14-min-past", "14-min-future"])
def test_sdk_date_within_15_minutes_is_accepted(hw, minutes):
    project = new_project()
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    r = raw_call(hw.server, "GET", _list_path(project), project=project, date=when)
    assert r.status_code == 200, (r.status_code, r.text)


def test_body_changed_after_signing_is_401_and_creates_nothing(hw):
    """The body hash is part of the signature: a signed CreateInstanceV2 whose body is swapped
    in flight is refused, and no gateway appears."""
    project = new_project()
    signed = sanitize_for_serialization(instance_req("gw_signed"))
    sent = sanitize_for_serialization(instance_req("gw_swapped"))
    r = raw_call(hw.server, "POST", _list_path(project), project=project,
                 body=signed, send_body=sent)
    assert_huawei_error(r, 401, AUTH_ERROR_CODE)
    # The same request untampered is accepted (the control).
    ok = raw_call(hw.server, "POST", _list_path(project), project=project, body=signed)
    assert ok.status_code == 202, (ok.status_code, ok.text)
    names = [i.instance_name for i in list_instances(hw.tenant(ACCOUNT_A, project)).instances]
    assert names == ["gw_signed"]


def test_401_does_not_create_anything_through_the_sdk(owner):
    """A create signed with a wrong secret leaves the tenant empty."""
    bad = Tenant(owner.server, (owner.ak, "not-the-secret", owner.account_id), owner.project)
    with pytest.raises(ClientRequestException) as info:
        create_gateway(bad)
    assert info.value.status_code == 401
    assert list_instances(owner).total == 0
