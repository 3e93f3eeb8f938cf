"""`AWS` integrations to AWS services other than Lambda: the mapped request is SigV4-signed for
the service the integration URI names and sent to the endpoint `[aws_services]` configures.
Portico runs no AWS service, so the services here are real local servers: a SECOND Portico
acting as the `apigateway` service (it verifies the signature with its own credentials), and
a small recording HTTP server for a query-protocol action (`sqs:action/SendMessage`)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import make_client
from dataplane import deploy, invoke
from portico_server import CONFIG, Server


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with 200 and a JSON body; keeps what it was sent."""
    protocol_version = "HTTP/1.1"
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        Recorder.seen.append({"path": self.path, "headers": dict(self.headers),
                              "body": body.decode()})
        out = json.dumps({"SendMessageResponse": {"MessageId": "m-1"}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def aws():
    """The 'AWS' endpoint: another Portico, with an API of its own to list."""
    s = Server().start()
    make_client(s).create_rest_api(name="remote-one")
    yield s
    s.close()


@pytest.fixture(scope="module")
def recorder():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()


def gateway_with(aws_url, sqs_url, secret="test"):
    return Server(config=CONFIG + f"""
[aws_services]
endpoint = "{aws_url}"
secret_key = "{secret}"

[aws_services.endpoints]
sqs = "{sqs_url}"
""").start()


def aws_method(apigw, uri, method="GET", templates=None):
    api = apigw.create_rest_api(name="to-aws")
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                              statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="AWS",
                          integrationHttpMethod=method, uri=uri,
                          requestTemplates=templates or {})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200")
    deploy(apigw, api_id)
    return api_id


def test_a_path_call_is_signed_and_answered_by_the_service(aws, recorder):
    gw = gateway_with(aws.url, f"http://127.0.0.1:{recorder.server_address[1]}")
    try:
        apigw = make_client(gw)
        api_id = aws_method(apigw, "arn:aws:apigateway:us-east-1:apigateway:path/restapis")
        r = invoke(gw, api_id, "prod")
        assert r.status_code == 200, r.text
        assert [a["name"] for a in r.json()["item"]] == ["remote-one"], \
            "the other Portico verified the signature and listed its account's APIs"
    finally:
        gw.close()


def test_a_wrong_secret_is_refused_by_the_service(aws, recorder):
    gw = gateway_with(aws.url, f"http://127.0.0.1:{recorder.server_address[1]}",
                      secret="not-the-secret")
    try:
        api_id = aws_method(make_client(gw),
                            "arn:aws:apigateway:us-east-1:apigateway:path/restapis")
        r = invoke(gw, api_id, "prod")
        # The service's 403 goes through the default integration response, as on AWS.
        assert r.status_code == 200
        assert "signature we calculated does not match" in r.json()["message"]
    finally:
        gw.close()


def test_an_action_call_goes_to_the_services_own_endpoint(aws, recorder):
    gw = gateway_with(aws.url, f"http://127.0.0.1:{recorder.server_address[1]}")
    try:
        Recorder.seen.clear()
        api_id = aws_method(
            make_client(gw),
            "arn:aws:apigateway:eu-west-1:sqs:action/SendMessage&QueueUrl=q1", method="POST",
            templates={"application/json": "MessageBody=$input.params('m')"})
        r = invoke(gw, api_id, "prod", "/?m=hello")
        assert r.status_code == 200, r.text
        assert r.json() == {"SendMessageResponse": {"MessageId": "m-1"}}
        [seen] = Recorder.seen
        assert seen["path"] == "/?Action=SendMessage&QueueUrl=q1"
        assert seen["body"] == "MessageBody=hello"
        auth = seen["headers"]["authorization"]
        assert auth.startswith("AWS4-HMAC-SHA256 Credential=test/")
        assert "/eu-west-1/sqs/aws4_request" in auth
    finally:
        gw.close()


def test_without_an_endpoint_the_call_is_a_500(server, apigw):
    api_id = aws_method(apigw, "arn:aws:apigateway:us-east-1:sqs:path/000000000000/q")
    r = invoke(server, api_id, "prod")
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})


def test_an_invalid_endpoint_stops_startup():
    with pytest.raises(RuntimeError, match="not an http:// or https:// URL"):
        Server(config=CONFIG + '\n[aws_services]\nendpoint = "localhost:4566"\n').start()
