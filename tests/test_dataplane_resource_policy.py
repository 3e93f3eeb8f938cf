"""A REST API's resource policy, evaluated on every call as AWS's authorization workflow does
(apigateway-authorization-flow.html): without an authorizer it must allow the caller
explicitly; an explicit deny always refuses; another account's IAM caller needs its allow. It
takes effect when deployed. Clients connect from distinct loopback addresses (127.0.0.1 and
127.0.0.2) so that `aws:SourceIp` conditions see different callers."""
import http.client
import json

import requests

from dataplane import deploy, invoke_url, mock_method
from portico_server import ACCOUNT_A, ACCOUNT_B
from test_dataplane_authorization import authorizer_kw, guarded_mock, signed_get


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(resource="execute-api:/*", principal="*", **extra):
    return {"Effect": "Allow", "Principal": principal, "Action": "execute-api:Invoke",
            "Resource": resource, **extra}


def deny(resource="execute-api:/*", principal="*", **extra):
    return {"Effect": "Deny", "Principal": principal, "Action": "execute-api:Invoke",
            "Resource": resource, **extra}


def get_from(server, api_id, source_ip, path="/"):
    """GET the deployed `path` over a connection from `source_ip`: (status, JSON body)."""
    host, port = server.url.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source_ip, 0))
    c.request("GET", invoke_url(server, api_id, "prod", path).split(server.url)[1])
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, json.loads(body)


def api_with_policy(apigw, text, authorization="NONE"):
    api = apigw.create_rest_api(name="guarded", policy=text)
    api_id, root = api["id"], api["rootResourceId"]
    if authorization == "NONE":
        mock_method(apigw, api_id, root, response_templates={"application/json": '{"ok": true}'})
    else:
        guarded_mock(apigw, api_id, root, authorization, template='{"ok": true}')
    deploy(apigw, api_id)
    return api_id


def refusal(api_id, why, user="anonymous", path=""):
    return {"Message": f"User: {user} is not authorized to perform: execute-api:Invoke on "
                       f"resource: arn:aws:execute-api:us-east-1:********{ACCOUNT_A[2][-4:]}:"
                       f"{api_id}/prod/GET/{path} {why}"}


IMPLICIT = "because no resource-based policy allows the execute-api:Invoke action"
EXPLICIT = "with an explicit deny in a resource-based policy"


def test_a_source_ip_allow_list_lets_in_only_its_addresses(server, apigw):
    api_id = api_with_policy(apigw, policy(
        allow(Condition={"IpAddress": {"aws:SourceIp": ["127.0.0.1/32"]}})))
    assert get_from(server, api_id, "127.0.0.1") == (200, {"ok": True})
    assert get_from(server, api_id, "127.0.0.2") == (403, refusal(api_id, IMPLICIT))


def test_an_explicit_deny_wins_over_an_allow(server, apigw):
    api_id = api_with_policy(apigw, policy(
        allow(),
        deny(Condition={"NotIpAddress": {"aws:SourceIp": "127.0.0.1"}})))
    assert get_from(server, api_id, "127.0.0.1")[0] == 200
    status, body = get_from(server, api_id, "127.0.0.2")
    assert (status, body) == (403, refusal(api_id, EXPLICIT))


def test_a_policy_for_other_methods_does_not_allow_this_one(server, apigw):
    api_id = api_with_policy(apigw, policy(allow("execute-api:/prod/POST/*")))
    assert get_from(server, api_id, "127.0.0.1") == (403, refusal(api_id, IMPLICIT))


def test_the_policy_takes_effect_when_deployed(server, apigw):
    api_id = api_with_policy(apigw, policy(allow()))
    assert get_from(server, api_id, "127.0.0.1")[0] == 200
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": policy(deny())}])
    assert get_from(server, api_id, "127.0.0.1")[0] == 200, "not deployed yet"
    deploy(apigw, api_id)
    assert get_from(server, api_id, "127.0.0.1") == (403, refusal(api_id, EXPLICIT))


def test_an_authorizer_method_needs_no_allow_but_honours_a_deny(server, apigw):
    # A Cognito-guarded method: the policy's explicit deny refuses before any token is read;
    # without a deny, the missing token is what refuses (the authorizer decides).
    api = apigw.create_rest_api(name="guarded", policy=policy(
        deny(Condition={"IpAddress": {"aws:SourceIp": "127.0.0.2"}})))
    api_id, root = api["id"], api["rootResourceId"]
    guarded_mock(apigw, api_id, root, "COGNITO_USER_POOLS", template='{"ok": true}',
                 **authorizer_kw(apigw, api_id, "COGNITO_USER_POOLS"))
    deploy(apigw, api_id)
    assert get_from(server, api_id, "127.0.0.2") == (403, refusal(api_id, EXPLICIT))
    assert get_from(server, api_id, "127.0.0.1") == (401, {"message": "Unauthorized"})


def test_iam_callers_of_another_account_need_the_policys_allow(server, apigw):
    api = apigw.create_rest_api(name="shared", policy=policy(
        allow(principal={"AWS": f"arn:aws:iam::{ACCOUNT_B[2]}:root"})))
    api_id, root = api["id"], api["rootResourceId"]
    guarded_mock(apigw, api_id, root, "AWS_IAM", template='{"ok": true}')
    deploy(apigw, api_id)
    assert signed_get(server, api_id, key=ACCOUNT_B).json() == {"ok": True}
    assert signed_get(server, api_id, key=ACCOUNT_A).json() == {"ok": True}, \
        "the API's own account needs no allow"
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": policy(
            allow(), deny(principal={"AWS": ACCOUNT_A[2]}))}])
    deploy(apigw, api_id)
    r = signed_get(server, api_id, key=ACCOUNT_A)
    assert (r.status_code, r.json()) == (
        403, refusal(api_id, EXPLICIT, user=f"arn:aws:iam::{ACCOUNT_A[2]}:root"))


def test_a_policy_that_cannot_be_read_refuses_every_call(server, apigw):
    api_id = api_with_policy(apigw, '{"Statement": "nope"}')
    r = requests.get(invoke_url(server, api_id, "prod"), timeout=10)
    assert (r.status_code, r.json()) == (500, {"message": None})
    assert r.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"
