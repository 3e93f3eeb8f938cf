"""AWS_IAM routes of HTTP APIs: the caller's SigV4 signature (service `execute-api`) is
checked against the configured credentials; unsigned or badly signed requests get 403
Forbidden; the caller reaches the integration as `$context.authorizer.iam.*`."""
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from dataplane import backend  # noqa: F401  (fixture)
from httpapi import http_api, proxy_integration, route, v2  # noqa: F401
from portico_server import ACCOUNT_A


def iam_api(v2, backend):
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, backend.url, RequestParameters={
        "overwrite:header.x-caller": "$context.authorizer.iam.accountId"})
    route(v2, api_id, "GET /private", i, AuthorizationType="AWS_IAM")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return api_id


def get(server, api_id, secret=None):
    url = f"{server.url}/_aws/execute-api/{api_id}/$default/private"
    req = AWSRequest(method="GET", url=url)
    if secret:
        SigV4Auth(Credentials(ACCOUNT_A[0], secret), "execute-api", "us-east-1").add_auth(req)
    return requests.get(url, headers=dict(req.headers), timeout=10)


def test_signed_requests_pass_and_others_are_forbidden(server, v2, backend):
    api_id = iam_api(v2, backend)
    r = get(server, api_id, ACCOUNT_A[1])
    assert r.status_code == 200, r.text
    assert r.json()["headers"]["x-caller"] == ACCOUNT_A[2]
    for secret in [None, "wrong-secret"]:
        r = get(server, api_id, secret)
        assert (r.status_code, r.json()) == (403, {"message": "Forbidden"})
