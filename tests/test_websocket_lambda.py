"""WebSocket APIs with Lambda AWS_PROXY integrations, run by Portico's Lambda host: the
CONNECT/MESSAGE/DISCONNECT events compared key by key with AWS's (aws-lambda-go's
`apigw-websocket-request-send-message.json` and `-disconnect.json`), `$connect` refusing the
handshake, a REQUEST authorizer on `$connect`, and a chat function that broadcasts to every
connection through `@connections`."""
import json
import time

import pytest
from websockets.exceptions import InvalidStatus

from conftest import make_client
from lambda_helpers import create
from websocket_helpers import (connect, deploy, lambda_route, management, my_id, v2,  # noqa: F401
                               whoami_route, ws_api)

# requestContext's members in AWS's recorded events.
MESSAGE_CONTEXT = {"routeKey", "messageId", "eventType", "extendedRequestId", "requestTime",
                   "messageDirection", "stage", "connectedAt", "requestTimeEpoch", "identity",
                   "requestId", "domainName", "connectionId", "apiId"}
DISCONNECT_CONTEXT = (MESSAGE_CONTEXT - {"messageId"}) | {"disconnectStatusCode",
                                                          "disconnectReason"}
CONNECT_CONTEXT = MESSAGE_CONTEXT - {"messageId"}

RECORDER = """
import json, os
def handler(event, context):
    with open(os.environ["LOG"], "a") as f:
        f.write(json.dumps(event) + "\\n")
    q = event.get("queryStringParameters") or {}
    if q.get("token") == "deny":
        return {"statusCode": 401, "body": "go away"}
    if event["requestContext"]["eventType"] == "MESSAGE":
        if event["body"] == "fail":
            raise RuntimeError("boom")
        return {"statusCode": 200, "body": json.dumps({"echo": event["body"]})}
    return {"statusCode": 200}
"""

CHAT = """
import json, os
import boto3
IDS = os.environ["IDS"]
def handler(event, context):
    rc = event["requestContext"]
    me = rc["connectionId"]
    if rc["eventType"] == "CONNECT":
        with open(IDS, "a") as f:
            f.write(me + "\\n")
        return {"statusCode": 200}
    if rc["eventType"] == "DISCONNECT":
        ids = [i for i in open(IDS).read().split() if i != me]
        with open(IDS, "w") as f:
            f.write("".join(i + "\\n" for i in ids))
        return {"statusCode": 200}
    api = boto3.client("apigatewaymanagementapi", region_name="us-east-1",
                       endpoint_url=os.environ["ENDPOINT"] + "/_aws/execute-api/"
                       + rc["apiId"] + "/" + rc["stage"],
                       aws_access_key_id="test", aws_secret_access_key="test")
    data = json.loads(event["body"])["data"]
    for i in open(IDS).read().split():
        try:
            api.post_to_connection(ConnectionId=i,
                                   Data=json.dumps({"from": me, "data": data}).encode())
        except api.exceptions.GoneException:
            pass
    return {"statusCode": 200}
"""


@pytest.fixture
def lam(server, v2):
    return make_client(server, service="lambda")


def read_events(path, count):
    """The first `count` events the function recorded, waiting (with a deadline) for them."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            lines = open(path).read().splitlines()
        except FileNotFoundError:
            lines = []
        if len(lines) >= count:
            return [json.loads(x) for x in lines]
        time.sleep(0.05)
    raise AssertionError(f"{count} events were not recorded in time")


def recorder_api(v2, lam, tmp_path, authorizer=False):
    log = str(tmp_path / "events.jsonl")
    arn = create(lam, "recorder", RECORDER, Timeout=10,
                 Environment={"Variables": {"LOG": log}})["FunctionArn"]
    api_id = ws_api(v2)
    lambda_route(v2, api_id, "$connect", arn)
    lambda_route(v2, api_id, "$disconnect", arn)
    lambda_route(v2, api_id, "$default", arn, two_way=True)
    lambda_route(v2, api_id, "oneway", arn)
    deploy(v2, api_id)
    return api_id, log


def test_connect_message_disconnect_events_have_aws_shape(server, v2, lam, tmp_path):
    api_id, log = recorder_api(v2, lam, tmp_path)
    with connect(server, api_id, query="?room=blue&room=red&x=1",
                 user_agent_header="ua/1") as ws:
        ws.send('{"hello": "world"}')
        reply = json.loads(ws.recv(timeout=30))
        assert reply == {"echo": '{"hello": "world"}'}
        ws.close(code=4000, reason="bye")
    connect_ev, message_ev, disconnect_ev = read_events(log, 3)

    c = connect_ev["requestContext"]
    assert set(connect_ev) == {"headers", "multiValueHeaders", "queryStringParameters",
                               "multiValueQueryStringParameters", "requestContext",
                               "isBase64Encoded"}
    assert set(c) == CONNECT_CONTEXT
    assert (c["routeKey"], c["eventType"], c["messageDirection"]) == ("$connect", "CONNECT", "IN")
    assert (c["apiId"], c["stage"]) == (api_id, "prod")
    assert c["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "ua/1"}
    assert connect_ev["headers"]["Sec-WebSocket-Version"] == "13"
    assert connect_ev["multiValueQueryStringParameters"]["room"] == ["blue", "red"]
    assert connect_ev["queryStringParameters"]["x"] == "1"
    assert c["requestTime"].endswith(" +0000")

    m = message_ev["requestContext"]
    assert set(message_ev) == {"requestContext", "body", "isBase64Encoded"}
    assert set(m) == MESSAGE_CONTEXT
    assert (m["routeKey"], m["eventType"]) == ("$default", "MESSAGE")
    assert message_ev["body"] == '{"hello": "world"}'
    assert message_ev["isBase64Encoded"] is False
    assert m["connectionId"] == c["connectionId"] and m["connectedAt"] == c["connectedAt"]
    assert m["messageId"] != m["requestId"]
    assert m["requestTimeEpoch"] >= c["connectedAt"]

    d = disconnect_ev["requestContext"]
    assert set(d) == DISCONNECT_CONTEXT
    assert (d["routeKey"], d["eventType"]) == ("$disconnect", "DISCONNECT")
    assert (d["disconnectStatusCode"], d["disconnectReason"]) == (4000, "bye")
    assert d["connectionId"] == c["connectionId"]
    # The handshake's headers, kept for $disconnect's event (copied out of hyper's buffer).
    assert disconnect_ev["headers"] == connect_ev["headers"]
    assert disconnect_ev["multiValueHeaders"] == connect_ev["multiValueHeaders"]
    assert disconnect_ev["headers"]["User-Agent"] == "ua/1"


def test_a_connect_function_answering_non_2xx_refuses_the_handshake(server, v2, lam, tmp_path):
    api_id, log = recorder_api(v2, lam, tmp_path)
    with pytest.raises(InvalidStatus) as e:
        connect(server, api_id, query="?token=deny")
    assert e.value.response.status_code == 401
    assert e.value.response.body == b"go away"
    events = read_events(log, 1)
    # No connection was made, so no $disconnect either: a later connection's events follow.
    with connect(server, api_id) as ws:
        ws.send("x")
        ws.recv(timeout=30)
    events = read_events(log, 4)
    assert [e["requestContext"]["eventType"] for e in events[:3]] == ["CONNECT", "CONNECT",
                                                                      "MESSAGE"]


def test_a_failing_function_answers_internal_server_error(server, v2, lam, tmp_path):
    api_id, _ = recorder_api(v2, lam, tmp_path)
    with connect(server, api_id) as ws:
        ws.send("fail")
        got = json.loads(ws.recv(timeout=30))
        assert got["message"] == "Internal server error"
        assert set(got) == {"message", "connectionId", "requestId"}
        # A one-way route's answer is not sent back; the connection still works.
        ws.send(json.dumps({"action": "oneway"}))
        ws.send("after")
        assert json.loads(ws.recv(timeout=30)) == {"echo": "after"}


def test_a_request_authorizer_guards_connect(server, v2, lam, tmp_path):
    code = """
def handler(event, context):
    token = (event.get("queryStringParameters") or {}).get("token")
    effect = "Allow" if token == "good" else "Deny"
    return {"principalId": "user-" + str(token),
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect,
                 "Resource": event["methodArn"]}]},
            "context": {"room": "blue"}}
"""
    auth_arn = create(lam, "auth", code, Timeout=10)["FunctionArn"]
    echo_arn = create(lam, "echo", RECORDER, Timeout=10,
                      Environment={"Variables": {"LOG": str(tmp_path / "e.jsonl")}})["FunctionArn"]
    api_id = ws_api(v2)
    auth_id = v2.create_authorizer(
        ApiId=api_id, AuthorizerType="REQUEST", Name="a",
        AuthorizerUri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{auth_arn}/invocations",
        IdentitySource=["route.request.querystring.token"])["AuthorizerId"]
    lambda_route(v2, api_id, "$connect", echo_arn, AuthorizationType="CUSTOM",
                 AuthorizerId=auth_id)
    lambda_route(v2, api_id, "$default", echo_arn, two_way=True)
    deploy(v2, api_id)
    with pytest.raises(InvalidStatus) as e:
        connect(server, api_id)
    assert e.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as e:
        connect(server, api_id, query="?token=bad")
    assert e.value.response.status_code == 403
    with connect(server, api_id, query="?token=good") as ws:
        ws.send("hi")
        assert json.loads(ws.recv(timeout=30)) == {"echo": "hi"}
    ev = read_events(str(tmp_path / "e.jsonl"), 2)
    auth = ev[1]["requestContext"]["authorizer"]
    assert auth["principalId"] == "user-good" and auth["room"] == "blue"


def test_a_chat_function_broadcasts_through_connections(server, v2, lam, tmp_path):
    ids = tmp_path / "ids"
    ids.write_text("")
    arn = create(lam, "chat", CHAT, Timeout=20, Environment={"Variables": {
        "IDS": str(ids), "ENDPOINT": server.url}})["FunctionArn"]
    api_id = ws_api(v2)
    for key in ("$connect", "$disconnect", "sendmessage"):
        lambda_route(v2, api_id, key, arn)
    whoami_route_id = whoami_route(v2, api_id)
    assert whoami_route_id
    deploy(v2, api_id)
    clients = [connect(server, api_id) for _ in range(3)]
    try:
        names = [my_id(c) for c in clients]
        clients[0].send(json.dumps({"action": "sendmessage", "data": "hello all"}))
        for c in clients:
            assert json.loads(c.recv(timeout=30)) == {"from": names[0], "data": "hello all"}
        # One leaves: its $disconnect removes it; the others still hear each other.
        clients[2].close()
        deadline = time.monotonic() + 30
        while names[2] in ids.read_text().split() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert names[2] not in ids.read_text().split()
        clients[1].send(json.dumps({"action": "sendmessage", "data": "still here"}))
        for c in clients[:2]:
            assert json.loads(c.recv(timeout=30)) == {"from": names[1], "data": "still here"}
        mgmt = management(server, api_id)
        with pytest.raises(mgmt.exceptions.GoneException):
            mgmt.post_to_connection(ConnectionId=names[2], Data=b"x")
    finally:
        for c in clients:
            c.close()


def test_an_aws_lambda_integration_gets_the_template_and_answers_two_way(server, v2, lam):
    code = "def handler(event, context):\n    return {'got': event}\n"
    arn = create(lam, "plain", code, Timeout=10)["FunctionArn"]
    api_id = ws_api(v2)
    i = v2.create_integration(
        ApiId=api_id, IntegrationType="AWS",
        IntegrationUri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations",
        TemplateSelectionExpression="\\$default",
        RequestTemplates={"$default": '{"msg": $input.json(\'$.text\'), '
                                      '"route": "$context.routeKey", '
                                      '"type": "$context.eventType"}'})["IntegrationId"]
    v2.create_integration_response(ApiId=api_id, IntegrationId=i,
                                   IntegrationResponseKey="$default")
    r = v2.create_route(ApiId=api_id, RouteKey="say", Target=f"integrations/{i}",
                        RouteResponseSelectionExpression="$default")["RouteId"]
    v2.create_route_response(ApiId=api_id, RouteId=r, RouteResponseKey="$default")
    deploy(v2, api_id)
    with connect(server, api_id) as ws:
        ws.send(json.dumps({"action": "say", "text": "hello"}))
        assert json.loads(ws.recv(timeout=30)) == {
            "got": {"msg": "hello", "route": "say", "type": "MESSAGE"}}
