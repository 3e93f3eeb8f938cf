"""Hostile and malformed input to every route: always an AWS-format client error, never a 5xx
(other than 501 for operations not built yet) and never a dead server."""
import subprocess

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import make_client
from portico_server import ACCOUNT_A, binary

ROUTES = [line.split() for line in subprocess.run([binary(), "routes", "--api", "apigateway"], capture_output=True, text=True,
                                                   check=True).stdout.splitlines()]

BODIES = [
    b"{",
    b"[]",
    b"null",
    b'"text"',
    b'{"name": 5, "patchOperations": "x", "pathPart": [], "type": {}}',
    b'{"patchOperations": [{"op": "replace", "path": "/name"}, 7, {"op": "jump"}]}',
    b'{"patchOperations": [{"op": "add", "path": "/~1~0/\\u0000/' + b"x" * 2000 + b'"}]}',
    "{\"name\": \"\U0001F600\\ud800\"}".encode(),
    b"\xff\xfe\x00garbage",
]


def signed(server, method, path, body):
    req = AWSRequest(method=method, url=server.url + path, data=body,
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(ACCOUNT_A[0], ACCOUNT_A[1]), "apigateway", "us-east-1").add_auth(req)
    return requests.request(method, req.url, data=body, headers=dict(req.headers), timeout=10)


def concrete(uri, api_id, root_id):
    path = uri.split("?")[0]
    query = uri.split("?")[1] if "?" in uri else ""
    path = (path.replace("{restapi_id}", api_id).replace("{parent_id}", root_id)
            .replace("{resource_id}", root_id).replace("{http_method}", "GET"))
    while "{" in path:  # every other label gets an id that cannot exist and needs decoding
        start = path.index("{")
        path = path[:start] + "x%2F%00y" + path[path.index("}", start) + 1:]
    return path + ("?" + query + "&format=csv" if query else "")


@pytest.mark.parametrize("name,method,uri", ROUTES, ids=[r[0] for r in ROUTES])
def test_malformed_bodies_get_client_errors(server, name, method, uri):
    api = make_client(server).create_rest_api(name="bad-input")
    api_id, root_id = api["id"], api["rootResourceId"]
    path = concrete(uri, api_id, root_id)
    for body in BODIES:
        r = signed(server, method, path, body)
        assert r.status_code < 500 or r.status_code == 501, (name, body[:40], r.status_code, r.text)
        if r.status_code >= 400:
            assert r.headers.get("x-amzn-ErrorType"), (name, r.headers)
            assert "message" in r.json(), (name, r.text)
            assert r.headers.get("x-amzn-RequestId")
    assert requests.get(server.url + "/_portico/health", timeout=5).status_code == 200

