"""Data plane toward real HTTP backends (a threaded server started by each test): HTTP_PROXY
passthrough, HTTP with mappings and templates, timeouts, unreachable backends, binary bodies,
and the AWS integrations Portico doesn't invoke yet."""
import base64
import json
import socket
import threading

import pytest
import requests

from dataplane import (PNG, add_resource, backend, closed_port, deploy, http_method, invoke,
                       invoke_url, mock_method)
from portico_server import WORKERS

__all__ = ["backend"]


def proxy_api(apigw, api, backend, **kw):
    """ANY /{proxy+} → HTTP_PROXY http://backend/{proxy}."""
    api_id, root = api
    res = add_resource(apigw, api_id, root, "{proxy+}")
    http_method(apigw, api_id, res, backend.url + "/{proxy}", method="ANY",
                method_request_parameters={"method.request.path.proxy": True},
                requestParameters={"integration.request.path.proxy": "method.request.path.proxy"},
                **kw)
    deploy(apigw, api_id)
    return api_id


def test_http_proxy_passes_method_path_query_headers_and_body(server, apigw, api, backend):
    api_id = proxy_api(apigw, api, backend)
    r = invoke(server, api_id, "prod", "/a/b c/d?x=1&y=two&x=3", method="PUT",
               data=b'{"hello": "world"}',
               headers={"Content-Type": "application/json", "X-Custom": "v1",
                        "User-Agent": "my-client/1.0"})
    assert r.status_code == 200, r.text
    seen = r.json()
    assert seen["method"] == "PUT"
    assert seen["path"] == "/a/b%20c/d"
    assert seen["query"] == "x=1&y=two&x=3"
    assert seen["headers"]["x-custom"] == "v1"
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["user-agent"] == "my-client/1.0"
    assert seen["headers"]["x-amzn-trace-id"].startswith("Root=1-")
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert base64.b64decode(seen["body"]) == b'{"hello": "world"}'
    # The backend's own headers come back; the ones AWS remaps are renamed.
    assert r.headers["X-Backend"] == "yes"
    assert "test-backend/1.0" in r.headers["x-amzn-Remapped-Server"]
    assert "test-backend/1.0" not in r.headers.get("Server", "")
    assert r.headers["WWW-Authenticate"] == "Basic realm=x"
    assert r.headers["x-amzn-RequestId"]


def test_a_literal_integration_uri_gets_the_query_and_the_headers_aws_adds(server, apigw, api,
                                                                           backend):
    # A URI without variables is parsed once per deployment; the client's query string and
    # the per-API headers still reach the backend.
    api_id, root = api
    proxied = add_resource(apigw, api_id, root, "proxied")
    http_method(apigw, api_id, proxied, backend.url + "/fixed?a=1")
    mapped = add_resource(apigw, api_id, root, "mapped")
    http_method(apigw, api_id, mapped, backend.url + "/plain", type="HTTP", integration_method="GET")
    deploy(apigw, api_id)

    assert invoke(server, api_id, "prod", "/proxied?b=2").status_code == 200
    assert invoke(server, api_id, "prod", "/proxied", headers={"User-Agent": "mine"}).status_code == 200
    assert invoke(server, api_id, "prod", "/mapped?ignored=1").status_code == 200
    with_query, without_query, non_proxy = backend.requests[-3:]
    assert (with_query["path"], with_query["query"]) == ("/fixed", "a=1&b=2")
    assert (without_query["path"], without_query["query"]) == ("/fixed", "a=1")
    assert without_query["headers"]["user-agent"] == "mine"
    assert (non_proxy["path"], non_proxy["query"]) == ("/plain", "")
    assert non_proxy["headers"]["user-agent"] == f"AmazonAPIGateway_{api_id}"
    for seen in (with_query, without_query, non_proxy):
        assert seen["headers"]["x-amzn-apigateway-api-id"] == api_id


def test_http_proxy_keeps_backend_status(server, apigw, api, backend):
    api_id = proxy_api(apigw, api, backend)
    r = invoke(server, api_id, "prod", "/status/418")
    assert (r.status_code, r.json()) == (418, {"status": 418})


def test_http_proxy_binary_roundtrip(server, apigw, api, backend):
    api_id = proxy_api(apigw, api, backend)
    r = invoke(server, api_id, "prod", "/png")
    assert r.content == PNG
    assert r.headers["Content-Type"] == "image/png"
    blob = bytes(range(256)) * 64
    r = invoke(server, api_id, "prod", "/echo", method="POST", data=blob,
               headers={"Content-Type": "application/octet-stream"})
    assert base64.b64decode(r.json()["body"]) == blob


def test_integration_timeout_answers_504(server, apigw, api, backend):
    api_id = proxy_api(apigw, api, backend, timeoutInMillis=200)
    r = invoke(server, api_id, "prod", "/sleep/1500")
    assert r.status_code == 504
    assert r.json() == {"message": "Endpoint request timed out"}
    # A fast request on the same method is unaffected.
    assert invoke(server, api_id, "prod", "/sleep/0").status_code == 200


def test_unreachable_backend_answers_500(server, apigw, api):
    api_id, root = api
    http_method(apigw, api_id, root, f"http://127.0.0.1:{closed_port()}/")
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/")
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})


def test_http_integration_maps_request_and_response(server, apigw, api, backend):
    api_id, root = api
    res = add_resource(apigw, api_id, root, "{id}")
    apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="POST", authorizationType="NONE",
                     requestParameters={"method.request.path.id": True,
                                        "method.request.querystring.q": False,
                                        "method.request.header.x-in": False})
    apigw.put_integration(
        restApiId=api_id, resourceId=res, httpMethod="POST", type="HTTP",
        integrationHttpMethod="PUT", uri=backend.url + "/items/{itemId}?fixed=1",
        requestParameters={"integration.request.path.itemId": "method.request.path.id",
                           "integration.request.querystring.search": "method.request.querystring.q",
                           "integration.request.header.x-out": "method.request.header.x-in",
                           "integration.request.header.x-stage": "stageVariables.color",
                           "integration.request.querystring.rid": "context.requestId"},
        requestTemplates={"application/json":
                          '{"wrapped": $input.json(\'$\'), "name": "$input.path(\'$.name\')"}'})
    apigw.put_method_response(restApiId=api_id, resourceId=res, httpMethod="POST",
                              statusCode="200",
                              responseParameters={"method.response.header.X-Backend-Seen": False})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=res, httpMethod="POST", statusCode="200",
        responseParameters={"method.response.header.X-Backend-Seen": "integration.response.header.X-Backend"},
        responseTemplates={"application/json":
                           '#set($b = $input.path(\'$\'))'
                           '{"backendMethod": "$b.method", "backendPath": "$b.path", '
                           '"backendQuery": "$b.query", "out": "$b.headers[\'x-out\']", '
                           '"stage": "$b.headers[\'x-stage\']", "ua": "$b.headers[\'user-agent\']", '
                           '"body": "$b.body"}'})
    deploy(apigw, api_id, variables={"color": "blue"})
    r = invoke(server, api_id, "prod", "/42?q=cats", method="POST", json={"name": "rex"},
               headers={"x-in": "hello", "x-not-forwarded": "1"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["backendMethod"] == "PUT"
    assert out["backendPath"] == "/items/42"
    assert out["backendQuery"].startswith("fixed=1&")
    assert "search=cats" in out["backendQuery"]
    assert f"rid={r.headers['x-amzn-RequestId']}" in out["backendQuery"]
    assert out["out"] == "hello"
    assert out["stage"] == "blue"
    assert out["ua"] == f"AmazonAPIGateway_{api_id}"
    assert json.loads(base64.b64decode(out["body"])) == {"wrapped": {"name": "rex"}, "name": "rex"}
    assert r.headers["X-Backend-Seen"] == "yes"
    # Non-proxy: the client's other headers never reach the backend.
    assert "x-not-forwarded" not in backend.requests[-1]["headers"]


def test_http_error_status_selects_integration_response(server, apigw, api, backend):
    api_id, root = api
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="HTTP",
                          integrationHttpMethod="GET", uri=backend.url + "/status/503")
    for code, pattern in (("200", None), ("502", "5\\d\\d")):
        apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                  statusCode=code)
        kw = {"selectionPattern": pattern} if pattern else {}
        apigw.put_integration_response(
            restApiId=api_id, resourceId=root, httpMethod="GET", statusCode=code,
            responseTemplates={"application/json": '{"mapped": "%s"}' % code}, **kw)
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/")
    assert (r.status_code, r.json()) == (502, {"mapped": "502"})


def test_stage_variables_in_the_integration_uri(server, apigw, api, backend):
    api_id, root = api
    http_method(apigw, api_id, root, "http://${stageVariables.host}/from-stage")
    deploy(apigw, api_id, "a", variables={"host": f"127.0.0.1:{backend.port}"})
    r = invoke(server, api_id, "a", "/")
    assert r.status_code == 200
    assert r.json()["path"] == "/from-stage"


def test_content_handling_convert_to_text_and_binary(server, apigw, api, backend):
    api_id, root = api
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/image~1png"}])
    # Binary backend response → base64 text for the client.
    png = add_resource(apigw, api_id, root, "png")
    http_method(apigw, api_id, png, backend.url + "/png", type="HTTP", integration_method="GET")
    apigw.update_integration_response(restApiId=api_id, resourceId=png, httpMethod="GET",
                                      statusCode="200", patchOperations=[
                                          {"op": "replace", "path": "/contentHandling",
                                           "value": "CONVERT_TO_TEXT"}])
    # Base64 text from the client → binary toward the backend.
    up = add_resource(apigw, api_id, root, "upload")
    http_method(apigw, api_id, up, backend.url + "/upload", method="POST", type="HTTP",
                integration_method="POST", contentHandling="CONVERT_TO_BINARY")
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/png")
    assert base64.b64decode(r.text) == PNG
    r = invoke(server, api_id, "prod", "/upload", method="POST",
               data=base64.b64encode(PNG), headers={"Content-Type": "text/plain"})
    assert r.status_code == 200, r.text
    assert base64.b64decode(backend.requests[-1]["body"]) == PNG


def test_binary_request_passes_through_a_mock_free_http_proxy_untouched(server, apigw, api, backend):
    api_id, root = api
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"}])
    http_method(apigw, api_id, root, backend.url + "/bin", method="POST", type="HTTP",
                integration_method="POST")
    deploy(apigw, api_id)
    blob = bytes([0, 255, 1, 254, 128])
    invoke(server, api_id, "prod", "/", method="POST", data=blob,
           headers={"Content-Type": "application/octet-stream"})
    assert base64.b64decode(backend.requests[-1]["body"]) == blob


def test_aws_integrations_to_a_missing_function_or_another_service(server, apigw, api):
    """A Lambda integration whose function does not exist answers AWS's 500; so does an AWS
    integration to another service without an `[aws_services]` endpoint (the configured case:
    test_dataplane_aws_service.py)."""
    api_id, root = api
    uris = [("AWS", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                    "arn:aws:lambda:us-east-1:000000000000:function:f/invocations"),
            ("AWS_PROXY", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                          "arn:aws:lambda:us-east-1:000000000000:function:f/invocations"),
            ("AWS", "arn:aws:apigateway:us-east-1:sqs:path/000000000000/queue")]
    for i, (t, uri) in enumerate(uris):
        res = add_resource(apigw, api_id, root, f"r{i}")
        apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET",
                         authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod="GET", type=t,
                              integrationHttpMethod="POST", uri=uri)
    deploy(apigw, api_id)
    for i in (0, 1, 2):
        r = invoke(server, api_id, "prod", f"/r{i}")
        assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})


def test_mock_and_http_side_by_side_after_partial_redeploy(server, apigw, api, backend):
    api_id, root = api
    mock_method(apigw, api_id, root, response_templates={"application/json": '{"v": 1}'})
    deploy(apigw, api_id)
    res = add_resource(apigw, api_id, root, "up")
    http_method(apigw, api_id, res, backend.url + "/x")
    assert invoke(server, api_id, "prod", "/up").status_code == 403
    deploy(apigw, api_id)
    assert invoke(server, api_id, "prod", "/up").json()["path"] == "/x"


def test_a_pooled_connection_the_backend_hung_up_is_not_reused(server, apigw, api, backend):
    api_id = proxy_api(apigw, api, backend)
    url = invoke_url(server, api_id, "prod", "/x")
    # One client connection stays on one worker, so every request shares its backend pool.
    with requests.Session() as s:
        for _ in range(3):
            assert s.get(url, timeout=10).status_code == 200
            backend.hang_up_idle()
            # The pooled connection is dead: the next request must open a new one rather than
            # wait on it until the integration timeout (29 s; this client gives up after 10).
            r = s.get(url, timeout=10)
            assert r.status_code == 200, r.text
    assert len({r["client_port"] for r in backend.requests}) == 4


def test_backend_connections_are_kept_alive_and_recovered(server, apigw, api, backend):
    api_id = proxy_api(apigw, api, backend)
    # One client connection lives on one worker, and that worker reuses one backend connection.
    with requests.Session() as s:
        for _ in range(20):
            assert s.get(invoke_url(server, api_id, "prod", "/x"), timeout=10).status_code == 200
    ports = {r["client_port"] for r in backend.requests}
    assert len(ports) == 1, ports
    # A new client connection per request is dealt round-robin over the workers, each of which
    # keeps its own idle backend connections.
    backend.requests.clear()
    for _ in range(20):
        assert invoke(server, api_id, "prod", "/x").status_code == 200
    assert len({r["client_port"] for r in backend.requests}) <= WORKERS
    # The backend closing its side, and empty (204) responses, never fail a request.
    for path in ("/close", "/x", "/empty", "/x", "/close", "/empty", "/x"):
        r = invoke(server, api_id, "prod", path)
        assert r.status_code in (200, 204), (path, r.status_code, r.text)
    assert len({r["client_port"] for r in backend.requests}) >= 3


def test_response_header_from_integration_body_jsonpath(server, apigw, api, backend):
    api_id, root = api
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE",
                     requestParameters={"method.request.multivaluequerystring.tag": False})
    apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET", type="HTTP",
        integrationHttpMethod="POST", uri=backend.url + "/jp",
        requestParameters={"integration.request.querystring.tags": "method.request.multivaluequerystring.tag"})
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
                              responseParameters={"method.response.header.X-Method": False,
                                                  "method.response.header.X-Query": False})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
        responseParameters={"method.response.header.X-Method": "integration.response.body.method",
                            "method.response.header.X-Query": "integration.response.body.$.query"})
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/?tag=a&tag=b")
    assert r.status_code == 200
    assert r.headers["X-Method"] == "POST"
    assert r.headers["X-Query"] == "tags=a,b"
    # No template: the backend body passes through untouched.
    assert r.json()["path"] == "/jp"


def recv_until(sock, marker):
    """Bytes read from `sock` until they hold `marker` or the peer ends the stream."""
    got = b""
    while marker not in got:
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


class RawBackend:
    """A backend that answers every request with fixed bytes, then closes the connection: for
    framings the threaded test server does not produce (HTTP/1.0, chunked, read-until-close)."""

    def __init__(self, raw):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.raw = raw
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                recv_until(conn, b"\r\n\r\n")
                conn.sendall(self.raw)

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("raw", [
    b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfrom an HTTP/1.0 server",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
    b"5\r\nfrom \r\n4;ext=1\r\nan H\r\nE\r\nTTP/1.0 server\r\n0\r\nX-Trailer: t\r\n\r\n",
], ids=["http1.0-until-close", "chunked"])
def test_http_proxy_answers_http_1_1_whatever_the_backend_framing(server, apigw, api, raw):
    backend = RawBackend(raw)
    try:
        api_id = proxy_api(apigw, api, backend)
        for _ in range(2):  # the second request must not reuse a connection the backend closed
            r = invoke(server, api_id, "prod", "/x")
            assert r.status_code == 200, r.text
            assert r.text == "from an HTTP/1.0 server"
            assert r.raw.version == 11
            assert r.headers["Content-Type"] == "text/plain"
    finally:
        backend.close()


def test_a_client_that_stops_sending_after_its_request_still_gets_the_response(server, apigw,
                                                                              api, backend):
    # Decision (ARCHITECTURE, "Decisions where AWS is silent"): a client's end of input does
    # not cancel an invocation in flight. The integration runs to its end, as AWS's does, and
    # the response goes to whoever still reads it.
    api_id = proxy_api(apigw, api, backend)
    path = invoke_url(server, api_id, "prod", "/gate").removeprefix(server.url)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        s.shutdown(socket.SHUT_WR)
        assert backend.arrived.wait(10), "the request never reached the backend"
        backend.gate.set()
        answer = recv_until(s, b'{"gated": true}')
    assert answer.startswith(b"HTTP/1.1 200 "), answer
    assert answer.endswith(b'{"gated": true}'), answer
