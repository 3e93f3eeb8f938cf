"""WebSocket routes' integrations other than Lambda: MOCK request templates chosen by
`TemplateSelectionExpression` and integration responses chosen by status, and HTTP /
HTTP_PROXY backends (a real local server) whose answers return to two-way routes."""
import base64
import json

from dataplane import Backend, backend, closed_port  # noqa: F401
from websocket_helpers import connect, deploy, v2, ws_api  # noqa: F401


def two_way(v2, api_id, key, integration_id):
    r = v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration_id}",
                        RouteResponseSelectionExpression="$default")["RouteId"]
    v2.create_route_response(ApiId=api_id, RouteId=r, RouteResponseKey="$default")


def test_mock_templates_are_chosen_by_the_selection_expressions(server, v2):
    api_id = ws_api(v2)
    i = v2.create_integration(
        ApiId=api_id, IntegrationType="MOCK",
        TemplateSelectionExpression="$request.body.kind",
        RequestTemplates={"good": '{"statusCode": 200}', "bad": '{"statusCode": 500}',
                          "$default": '{"statusCode": 404}'})["IntegrationId"]
    for key, tmpl in [("/2\\d\\d/", "fine for $context.connectionId"),
                      ("/5\\d\\d/", "broken"), ("$default", "other")]:
        v2.create_integration_response(ApiId=api_id, IntegrationId=i,
                                       IntegrationResponseKey=key,
                                       TemplateSelectionExpression="\\$default",
                                       ResponseTemplates={"$default": tmpl})
    two_way(v2, api_id, "$default", i)
    deploy(v2, api_id)
    with connect(server, api_id) as ws:
        ws.send(json.dumps({"kind": "good"}))
        got = ws.recv(timeout=10)
        assert got.startswith("fine for ") and len(got) == len("fine for ") + 16
        ws.send(json.dumps({"kind": "bad"}))
        assert ws.recv(timeout=10) == "broken"
        ws.send(json.dumps({"kind": "unknown"}))
        assert ws.recv(timeout=10) == "other"
        ws.send("not json: the $default template")
        assert ws.recv(timeout=10) == "other"


def test_http_proxy_sends_the_message_and_returns_the_answer(server, v2, backend):
    api_id = ws_api(v2)
    i = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                              IntegrationMethod="POST",
                              IntegrationUri=f"{backend.url}/messages")["IntegrationId"]
    two_way(v2, api_id, "$default", i)
    deploy(v2, api_id)
    with connect(server, api_id) as ws:
        ws.send('{"action": "post", "n": 1}')
        echoed = json.loads(ws.recv(timeout=10))
    assert echoed["method"] == "POST" and echoed["path"] == "/messages"
    assert base64.b64decode(echoed["body"]) == b'{"action": "post", "n": 1}'


def test_http_with_a_request_template(server, v2, backend):
    api_id = ws_api(v2)
    i = v2.create_integration(
        ApiId=api_id, IntegrationType="HTTP", IntegrationMethod="PUT",
        IntegrationUri=f"{backend.url}/templated",
        TemplateSelectionExpression="\\$default",
        RequestTemplates={"$default": '{"who": "$context.connectionId", '
                                      '"said": $input.json(\'$.text\')}'})["IntegrationId"]
    v2.create_integration_response(ApiId=api_id, IntegrationId=i,
                                   IntegrationResponseKey="$default")
    two_way(v2, api_id, "$default", i)
    deploy(v2, api_id)
    with connect(server, api_id) as ws:
        ws.send('{"text": "hi"}')
        echoed = json.loads(ws.recv(timeout=10))
    sent = json.loads(base64.b64decode(echoed["body"]))
    assert echoed["method"] == "PUT"
    assert sent["said"] == "hi" and len(sent["who"]) == 16


def test_an_unreachable_backend_answers_internal_server_error(server, v2):
    api_id = ws_api(v2)
    i = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                              IntegrationMethod="POST",
                              IntegrationUri=f"http://127.0.0.1:{closed_port()}/x")["IntegrationId"]
    two_way(v2, api_id, "$default", i)
    deploy(v2, api_id)
    with connect(server, api_id) as ws:
        ws.send("hello")
        got = json.loads(ws.recv(timeout=10))
    assert got["message"] == "Internal server error"
