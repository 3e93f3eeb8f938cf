"""Support for the HTTP API data-plane tests: an `apigatewayv2` client on a fresh server, and
requests to an HTTP API over real sockets in both addressing forms."""
import http.client
import json

import pytest

from conftest import make_client


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())

    def all(self, name):
        return [v for k, v in self.raw_headers if k.lower() == name.lower()]


def call(server, api_id, path="/", method="GET", headers=None, body=None, stage=None,
         form="host"):
    """Invoke the HTTP API `api_id`: `form="host"` sends `Host: {id}.execute-api.localhost`
    and `/{stage}{path}` (no stage segment when `stage` is None: the `$default` stage);
    `form="aws"` uses `/_aws/execute-api/{id}/{stage}{path}`."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    hdrs = dict(headers or {})
    prefix = f"/{stage}" if stage else ""
    if form == "host":
        hdrs.setdefault("Host", f"{api_id}.execute-api.localhost")
        target = f"{prefix}{path}"
    else:
        target = f"/_aws/execute-api/{api_id}{prefix or '/$default'}{path}"
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        hdrs.setdefault("Content-Type", "application/json")
    conn.request(method, target, body=body, headers=hdrs)
    r = conn.getresponse()
    data = r.read()
    raw = r.getheaders()
    conn.close()
    a = Answer(r.status, {k.lower(): v for k, v in raw}, data)
    a.raw_headers = raw
    return a


def http_api(v2, **kw):
    return v2.create_api(Name="http-api", ProtocolType="HTTP", **kw)["ApiId"]


def proxy_integration(v2, api_id, uri, **kw):
    return v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                 IntegrationMethod=kw.pop("method", "ANY"), IntegrationUri=uri,
                                 PayloadFormatVersion="1.0", **kw)["IntegrationId"]


def route(v2, api_id, key, integration_id=None, **kw):
    if integration_id:
        kw["Target"] = f"integrations/{integration_id}"
    return v2.create_route(ApiId=api_id, RouteKey=key, **kw)["RouteId"]


def default_stage(v2, api_id, **kw):
    return v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, **kw)
