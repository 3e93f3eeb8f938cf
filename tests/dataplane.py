"""Support for the data-plane tests: a real local HTTP backend, invoke URLs, and short ways to
build methods and deploy them through the management API (boto3)."""
import base64
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

PNG = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF, 0x10, 0x80])


class Backend:
    """A threaded HTTP server on a free loopback port. Every request is recorded.

    Paths:
      /sleep/{ms}    answers 200 after sleeping ms milliseconds
      /gate          sets `arrived`, then answers 200 once the test sets `gate`
      /status/{code} answers that status with a JSON body
      /png           answers binary image/png bytes
      /close         answers 200 and closes the connection (`Connection: close`)
      /empty         answers 204 with no body
      /big/{n}       answers n bytes of text (a body that does not arrive with the head)
      anything else  echoes the request as JSON: method, path, query, headers, body (base64)
    """

    def __init__(self):
        self.requests = []
        self.connections = set()
        self.arrived = threading.Event()
        self.gate = threading.Event()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The head and the body leave in two writes: with Nagle's algorithm the body would
            # wait for the ACK of the head, which the gateway delays by up to 40 ms.
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                backend.connections.add(self.connection)

            def finish(self):
                backend.connections.discard(self.connection)
                super().finish()

            def log_message(self, *a):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urllib.parse.urlsplit(self.path)
                rec = {
                    "method": self.command,
                    "path": url.path,
                    "query": url.query,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": base64.b64encode(body).decode(),
                    "client_port": self.client_address[1],
                }
                backend.requests.append(rec)
                parts = url.path.strip("/").split("/")
                status, ctype, out, extra = 200, "application/json", None, {}
                if parts[0] == "sleep":
                    time.sleep(int(parts[1]) / 1000)
                    out = b'{"slept": true}'
                elif parts[0] == "gate":
                    backend.arrived.set()
                    backend.gate.wait(10)
                    out = b'{"gated": true}'
                elif parts[0] == "status":
                    status = int(parts[1])
                    out = json.dumps({"status": status}).encode()
                elif parts[0] == "png":
                    ctype, out = "image/png", PNG
                elif parts[0] == "close":
                    out, extra = b'{"closing": true}', {"Connection": "close"}
                    self.close_connection = True
                elif parts[0] == "big":
                    ctype, out = "text/plain", (b"0123456789abcdef" * (int(parts[1]) // 16 + 1))[:int(parts[1])]
                elif parts[0] == "empty":
                    self.send_response(204)
                    self.end_headers()
                    return
                else:
                    out = json.dumps(rec).encode()
                    extra = {"X-Backend": "yes", "Server": "test-backend/1.0",
                             "WWW-Authenticate": "Basic realm=x"}
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(out)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def hang_up_idle(self):
        """Close every open connection from the server side, as a server does when its idle
        keep-alive timeout fires. On loopback the peer has the FIN when this returns."""
        for conn in list(self.connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def backend():
    b = Backend()
    yield b
    b.close()


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def invoke_url(server, api_id, stage, path="/"):
    return f"{server.url}/restapis/{api_id}/{stage}/_user_request_{path}"


def invoke(server, api_id, stage, path="/", method="GET", **kw):
    kw.setdefault("timeout", 10)
    return requests.request(method, invoke_url(server, api_id, stage, path), **kw)


def add_resource(apigw, api_id, parent_id, path_part):
    return apigw.create_resource(restApiId=api_id, parentId=parent_id, pathPart=path_part)["id"]


def mock_method(apigw, api_id, resource_id, method="GET", status="200",
                request_template='{"statusCode": 200}', response_templates=None,
                response_parameters=None, method_response_parameters=None, **method_kw):
    """A MOCK method answering `status` with `response_templates`."""
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                     authorizationType="NONE", **method_kw)
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                              statusCode=status,
                              responseParameters=method_response_parameters or {})
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                          type="MOCK",
                          requestTemplates={"application/json": request_template})
    apigw.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                                   statusCode=status,
                                   responseTemplates=response_templates or {},
                                   responseParameters=response_parameters or {})


def http_method(apigw, api_id, resource_id, uri, method="GET", type="HTTP_PROXY",
                integration_method="ANY", **integration_kw):
    """An HTTP or HTTP_PROXY method toward `uri`; non-proxy gets a default 200 response."""
    method_kw = {}
    if "method_request_parameters" in integration_kw:
        method_kw["requestParameters"] = integration_kw.pop("method_request_parameters")
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                     authorizationType="NONE", **method_kw)
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                          type=type, integrationHttpMethod=integration_method, uri=uri,
                          **integration_kw)
    if type == "HTTP":
        apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                                  statusCode="200")
        apigw.put_integration_response(restApiId=api_id, resourceId=resource_id,
                                       httpMethod=method, statusCode="200")


def deploy(apigw, api_id, stage="prod", **kw):
    return apigw.create_deployment(restApiId=api_id, stageName=stage, **kw)["id"]
