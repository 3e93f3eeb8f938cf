"""HTTP APIs' AWS service integrations (`AWS_PROXY` + `IntegrationSubtype`): the request
parameters become the service's request (SQS and Step Functions JSON 1.0, EventBridge and
Kinesis JSON 1.1, AppConfig REST), SigV4-signed with `[aws_services]`' credentials and sent to
the configured endpoint; the service's answer is the client's. Portico runs no AWS service, so
the service here is a real local HTTP server that records what it received; the tests check its
signature with botocore's own SigV4 signer and the secret the gateway was configured with."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import make_client
from helpers import expect_error
from httpapi import call, default_stage, http_api, route
from portico_server import CONFIG, Server

KEY, SECRET = "AKIDSERVICES", "service-secret"
ROLE = "arn:aws:iam::000000000000:role/apigw-services"


class Service(BaseHTTPRequestHandler):
    """Records each request; answers what `answers` holds for its X-Amz-Target (or path)."""
    protocol_version = "HTTP/1.1"
    seen = []
    answers = {}

    def handle_one(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        Service.seen.append({"method": self.command, "path": self.path,
                             "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": body})
        key = self.headers.get("x-amz-target") or self.path.split("?")[0]
        status, ctype, out = Service.answers.get(key, (200, "application/json", b"{}"))
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_POST = do_GET = handle_one

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def service():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Service)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()


@pytest.fixture(scope="module")
def gateway_server(service):
    s = Server(config=CONFIG + f"""
[aws_services]
endpoint = "http://127.0.0.1:{service.server_address[1]}"
access_key = "{KEY}"
secret_key = "{SECRET}"
""").start()
    yield s
    s.close()


@pytest.fixture
def gw(gateway_server):
    gateway_server.reset()
    Service.seen.clear()
    Service.answers.clear()
    return gateway_server


@pytest.fixture
def v2(gw):
    return make_client(gw, service="apigatewayv2")


def verify_signature(seen, service, region):
    """Recompute the request's SigV4 signature with botocore and the configured secret."""
    h = seen["headers"]
    auth = h["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 ")
    fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    cred = fields["Credential"].split("/")
    assert cred[0] == KEY and cred[2] == region and cred[3] == service, cred
    signed = fields["SignedHeaders"].split(";")
    req = AWSRequest(method=seen["method"], url=f"http://{h['host']}{seen['path']}",
                     data=seen["body"], headers={k: h[k] for k in signed})
    req.context["timestamp"] = h["x-amz-date"]
    signer = SigV4Auth(Credentials(KEY, SECRET), service, region)
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    assert fields["Signature"] == expected


def service_api(v2, subtype, params, key="POST /go", **kw):
    api_id = http_api(v2)
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                  IntegrationSubtype=subtype, PayloadFormatVersion="1.0",
                                  CredentialsArn=ROLE, RequestParameters=params, **kw)
    assert integ["IntegrationSubtype"] == subtype
    route(v2, api_id, key, integ["IntegrationId"])
    default_stage(v2, api_id)
    return api_id


def test_sqs_send_message_is_signed_json_and_the_answer_is_relayed(gw, v2):
    Service.answers["AmazonSQS.SendMessage"] = (
        200, "application/x-amz-json-1.0", b'{"MessageId":"m-1","MD5OfMessageBody":"x"}')
    api_id = service_api(v2, "SQS-SendMessage", {
        "QueueUrl": "$request.header.x-queue",
        "MessageBody": "$request.body.message",
        "DelaySeconds": "3",
        "MessageAttributes": "$request.body.attrs",
    })
    attrs = {"who": {"DataType": "String", "StringValue": "me"}}
    r = call(gw, api_id, "/go", "POST", headers={"x-queue": "http://sqs.local/000000000000/q1"},
             body={"message": "hello", "attrs": attrs})
    assert r.status == 200, r.text
    assert r.json() == {"MessageId": "m-1", "MD5OfMessageBody": "x"}
    assert r.header("content-type") == "application/x-amz-json-1.0"
    [seen] = Service.seen
    assert seen["method"] == "POST" and seen["path"] == "/"
    assert seen["headers"]["x-amz-target"] == "AmazonSQS.SendMessage"
    assert seen["headers"]["content-type"] == "application/x-amz-json-1.0"
    assert json.loads(seen["body"]) == {
        "QueueUrl": "http://sqs.local/000000000000/q1", "MessageBody": "hello",
        "DelaySeconds": 3,
        "MessageAttributes": attrs,
    }
    verify_signature(seen, "sqs", "us-east-1")


def test_the_region_parameter_scopes_the_signature_and_service_errors_are_relayed(gw, v2):
    Service.answers["AmazonSQS.ReceiveMessage"] = (
        400, "application/x-amz-json-1.0",
        b'{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"no queue"}')
    api_id = service_api(v2, "SQS-ReceiveMessage", {
        "QueueUrl": "$request.querystring.q", "MaxNumberOfMessages": "$request.querystring.n",
        "AttributeNames": "All, SentTimestamp", "Region": "eu-west-3",
    }, key="GET /recv")
    r = call(gw, api_id, "/recv?q=http%3A%2F%2Fq%2F1&n=7")
    assert r.status == 400
    assert r.json()["__type"] == "com.amazonaws.sqs#QueueDoesNotExist"
    [seen] = Service.seen
    assert json.loads(seen["body"]) == {"QueueUrl": "http://q/1", "MaxNumberOfMessages": 7,
                                        "AttributeNames": ["All", "SentTimestamp"]}
    verify_signature(seen, "sqs", "eu-west-3")


def test_eventbridge_kinesis_and_step_functions_speak_json_with_their_targets(gw, v2):
    Service.answers["AWSEvents.PutEvents"] = (
        200, "application/x-amz-json-1.1", b'{"Entries":[{"EventId":"e-1"}],"FailedEntryCount":0}')
    events = service_api(v2, "EventBridge-PutEvents", {
        "Detail": "$request.body", "DetailType": "order", "Source": "shop.$context.stage",
        "EventBusName": "orders", "Resources": '["arn:aws:x:1"]'})
    r = call(gw, events, "/go", "POST", body={"id": 7})
    assert r.status == 200 and r.json()["Entries"] == [{"EventId": "e-1"}]
    seen = Service.seen[-1]
    assert seen["headers"]["x-amz-target"] == "AWSEvents.PutEvents"
    assert seen["headers"]["content-type"] == "application/x-amz-json-1.1"
    assert json.loads(seen["body"]) == {"Entries": [{
        "Detail": '{"id": 7}', "DetailType": "order", "Source": "shop.$default",
        "EventBusName": "orders", "Resources": ["arn:aws:x:1"]}]}
    verify_signature(seen, "events", "us-east-1")

    kinesis = service_api(v2, "Kinesis-PutRecord", {
        "StreamName": "s1", "Data": "$request.body.payload", "PartitionKey": "$context.requestId"})
    r = call(gw, kinesis, "/go", "POST", body={"payload": "raw bytes"})
    assert r.status == 200
    seen = Service.seen[-1]
    assert seen["headers"]["x-amz-target"] == "Kinesis_20131202.PutRecord"
    sent = json.loads(seen["body"])
    assert sent["StreamName"] == "s1" and sent["Data"] == "cmF3IGJ5dGVz"  # base64("raw bytes")
    assert sent["PartitionKey"] == r.header("apigw-requestid")
    verify_signature(seen, "kinesis", "us-east-1")

    Service.answers["AWSStepFunctions.StartSyncExecution"] = (
        200, "application/x-amz-json-1.0", b'{"status":"SUCCEEDED","output":"{\\"ok\\":1}"}')
    sfn = service_api(v2, "StepFunctions-StartSyncExecution", {
        "StateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:m",
        "Input": "$request.body", "Name": "$request.path.run"}, key="POST /run/{run}")
    r = call(gw, sfn, "/run/r-1", "POST", body={"a": 1})
    assert r.status == 200 and r.json()["status"] == "SUCCEEDED"
    seen = Service.seen[-1]
    assert seen["headers"]["x-amz-target"] == "AWSStepFunctions.StartSyncExecution"
    assert json.loads(seen["body"]) == {
        "stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:m",
        "input": '{"a": 1}', "name": "r-1"}
    verify_signature(seen, "states", "us-east-1")


def test_appconfig_get_configuration_is_a_signed_rest_get(gw, v2):
    path = "/applications/app%201/environments/prod/configurations/flags"
    Service.answers[path] = (200, "application/json", b'{"feature":true}')
    api_id = service_api(v2, "AppConfig-GetConfiguration", {
        "Application": "app 1", "Environment": "prod", "Configuration": "flags",
        "ClientId": "$request.header.x-client", "ClientConfigurationVersion": "4"},
        key="GET /config")
    r = call(gw, api_id, "/config", headers={"x-client": "c-9"})
    assert r.status == 200 and r.json() == {"feature": True}
    [seen] = Service.seen
    assert seen["method"] == "GET"
    assert seen["path"] == path + "?client_id=c-9&client_configuration_version=4"
    assert seen["body"] == b""
    verify_signature(seen, "appconfig", "us-east-1")


def test_without_an_endpoint_the_client_gets_aws_500(server):
    server.reset()
    v2 = make_client(server, service="apigatewayv2")
    api_id = service_api(v2, "SQS-PurgeQueue", {"QueueUrl": "http://q/1"})
    r = call(server, api_id, "/go", "POST")
    assert r.status == 500
    assert r.json() == {"message": "Internal Server Error"}


def test_management_checks_subtype_integrations(v2):
    api_id = http_api(v2)
    base = dict(ApiId=api_id, IntegrationType="AWS_PROXY", PayloadFormatVersion="1.0")
    ok = {"QueueUrl": "$request.header.q", "MessageBody": "$request.body"}
    expect_error(lambda: v2.create_integration(**base, IntegrationSubtype="SQS-Send",
                                               CredentialsArn=ROLE, RequestParameters=ok),
                 "BadRequestException", None, 400)
    # CredentialsArn is optional ("if any": null uses resource-based permissions).
    no_role = v2.create_integration(**base, IntegrationSubtype="SQS-SendMessage",
                                    RequestParameters=ok)
    assert "CredentialsArn" not in no_role and no_role["PayloadFormatVersion"] == "1.0"
    expect_error(lambda: v2.create_integration(
        **{**base, "PayloadFormatVersion": "2.0"}, IntegrationSubtype="SQS-SendMessage",
        CredentialsArn=ROLE, RequestParameters=ok), "BadRequestException", None, 400)
    expect_error(lambda: v2.create_integration(
        **base, IntegrationSubtype="SQS-SendMessage", CredentialsArn=ROLE,
        RequestParameters={"QueueUrl": "q", "Detail": "x"}),
        "BadRequestException",
        "Invalid request parameters specified: Validation Result: warnings : [], errors : "
        "[Parameter Detail is not supported for integration subtype SQS-SendMessage, "
        "Parameter MessageBody is required for integration subtype SQS-SendMessage]", 400)
    i = v2.create_integration(**base, IntegrationSubtype="SQS-SendMessage",
                              CredentialsArn=ROLE, RequestParameters=ok)
    # An update is checked as a whole: dropping a required parameter is refused.
    expect_error(lambda: v2.update_integration(ApiId=api_id, IntegrationId=i["IntegrationId"],
                                               RequestParameters={"MessageBody": ""}),
                 "BadRequestException", None, 400)
    ws = v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                       RouteSelectionExpression="$request.body.action")["ApiId"]
    expect_error(lambda: v2.create_integration(
        ApiId=ws, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-SendMessage",
        CredentialsArn=ROLE, RequestParameters=ok, IntegrationUri="arn:x"),
        "BadRequestException",
        "IntegrationSubtype is supported only for AWS_PROXY integrations of HTTP APIs", 400)
