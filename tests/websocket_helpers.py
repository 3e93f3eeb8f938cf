"""Support for the WebSocket API tests: an `apigatewayv2` client on a fresh server, WebSocket
APIs with MOCK and Lambda routes, real connections (the `websockets` client) in both
addressing forms, and boto3's `apigatewaymanagementapi` for `@connections`."""
import json
import socket

import pytest
from websockets.sync.client import connect as ws_connect

from conftest import make_client
from portico_server import ACCOUNT_A


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


def ws_api(v2, selection="$request.body.action", **kw):
    return v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                         RouteSelectionExpression=selection, **kw)["ApiId"]


def mock_route(v2, api_id, key, request='{"statusCode": 200}', reply=None, **route_kw):
    """A MOCK route; with `reply` (a response template) it is two-way."""
    i = v2.create_integration(ApiId=api_id, IntegrationType="MOCK",
                              TemplateSelectionExpression="\\$default",
                              RequestTemplates={"$default": request})["IntegrationId"]
    extra = {"RouteResponseSelectionExpression": "$default"} if reply is not None else {}
    r = v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{i}",
                        **extra, **route_kw)["RouteId"]
    if reply is not None:
        v2.create_integration_response(ApiId=api_id, IntegrationId=i,
                                       IntegrationResponseKey="$default",
                                       TemplateSelectionExpression="\\$default",
                                       ResponseTemplates={"$default": reply})
        v2.create_route_response(ApiId=api_id, RouteId=r, RouteResponseKey="$default")
    return r


def lambda_route(v2, api_id, key, arn, two_way=False, **route_kw):
    i = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                              IntegrationUri=arn)["IntegrationId"]
    extra = {"RouteResponseSelectionExpression": "$default"} if two_way else {}
    r = v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{i}",
                        **extra, **route_kw)["RouteId"]
    if two_way:
        v2.create_route_response(ApiId=api_id, RouteId=r, RouteResponseKey="$default")
    return r


def deploy(v2, api_id, stage="prod"):
    d = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    v2.create_stage(ApiId=api_id, StageName=stage, DeploymentId=d)


def url(server, api_id, stage="prod", query=""):
    return f"ws://127.0.0.1:{server.port}/_aws/execute-api/{api_id}/{stage}{query}"


def connect(server, api_id, stage="prod", query="", host_form=False, **kw):
    """A connection to the API: `/_aws/execute-api/{id}/{stage}`, or with `host_form` the
    `{id}.execute-api.localhost` host (the socket is opened to the server's port)."""
    kw.setdefault("open_timeout", 10)
    kw.setdefault("close_timeout", 10)
    if host_form:
        sock = socket.create_connection(("127.0.0.1", server.port))
        return ws_connect(f"ws://{api_id}.execute-api.localhost:{server.port}/{stage}{query}",
                          sock=sock, **kw)
    return ws_connect(url(server, api_id, stage, query), **kw)


def management(server, api_id, stage="prod", account=ACCOUNT_A, **kw):
    """boto3's `apigatewaymanagementapi`, as users point it at a stage."""
    import boto3
    from conftest import NO_RETRY
    return boto3.client("apigatewaymanagementapi",
                        endpoint_url=f"{server.url}/_aws/execute-api/{api_id}/{stage}",
                        region_name="us-east-1", aws_access_key_id=account[0],
                        aws_secret_access_key=account[1], config=kw.pop("config", NO_RETRY),
                        **kw)


def whoami_route(v2, api_id):
    """A two-way route `whoami` that answers the connection's id."""
    return mock_route(v2, api_id, "whoami", reply='{"id": "$context.connectionId"}')


def my_id(ws):
    ws.send(json.dumps({"action": "whoami"}))
    return json.loads(ws.recv(timeout=10))["id"]
