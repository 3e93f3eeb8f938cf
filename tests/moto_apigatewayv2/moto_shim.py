"""What the vendored moto tests import from `moto`, backed by a real Portico server.

`mock_aws` leaves the test unchanged: this directory's conftest.py gives every test a freshly
reset Portico server and points `boto3.client(...)` at it, which is what moto's decorator does
for its in-process backend.
"""


def mock_aws(func=None, **_kwargs):
    if func is None:
        return lambda f: f
    return func


class _Response:
    def __init__(self, status_code, data):
        self.status_code = status_code
        self.data = data


class _TestClient:
    """moto.server's Flask test client, as raw SigV4-signed HTTP to the Portico server."""

    def __init__(self, service, server):
        self.service = service
        self.server = server

    def get(self, path):
        import urllib.error
        import urllib.request

        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        req = AWSRequest(method="GET", url=self.server.url + path)
        # apigatewayv2's signing name is `apigateway` (botocore's model says so).
        SigV4Auth(Credentials("FOOBARKEY", "FOOBARSECRET"), "apigateway", "us-east-1").add_auth(req)
        raw = urllib.request.Request(req.url, headers=dict(req.headers.items()), method="GET")
        try:
            with urllib.request.urlopen(raw, timeout=5) as r:
                return _Response(r.status, r.read())
        except urllib.error.HTTPError as e:
            return _Response(e.code, e.read())


class _Backend:
    def __init__(self, service, server):
        self.service, self.server = service, server

    def test_client(self):
        return _TestClient(self.service, self.server)


def create_backend_app(service, server):
    return _Backend(service, server)
