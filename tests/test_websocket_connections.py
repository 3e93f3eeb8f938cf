"""WebSocket APIs served: connections through real sockets (the `websockets` client), route
selection with `$default` fallback, two-way MOCK routes, handshake refusal, limits, and
`@connections` through boto3's `apigatewaymanagementapi`."""
import http.client
import json
import socket
import re
import time
from urllib.parse import quote

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from portico_server import ACCOUNT_B
from websocket_helpers import (connect, deploy, management, mock_route, my_id, v2,  # noqa: F401
                               whoami_route, ws_api)

AWS_ERROR = re.compile(
    r'^\{"message": "(Forbidden|Internal server error)", '
    r'"connectionId":"([A-Za-z0-9_-]{15}=)", "requestId":"([A-Za-z0-9_-]{15}=)"\}$')


def chat_api(v2, default=True):
    api_id = ws_api(v2)
    mock_route(v2, api_id, "echo",
               reply='{"route": "$context.routeKey", "type": "$context.eventType"}')
    mock_route(v2, api_id, "quiet")  # one-way: nothing goes back
    whoami_route(v2, api_id)
    if default:
        mock_route(v2, api_id, "$default", reply='default:$context.routeKey')
    deploy(v2, api_id)
    return api_id


def closed_code(ws):
    """Read until the server closes; its close code."""
    with pytest.raises(ConnectionClosed) as e:
        while True:
            ws.recv(timeout=10)
    return e.value.rcvd.code if e.value.rcvd else None


def refused_code(ws, msg):
    """Send `msg`, which the server refuses: its close code, whether the close arrives while
    the client is still sending (the limit is seen at a frame's header) or after."""
    try:
        ws.send(msg)
    except ConnectionClosed as e:
        return e.rcvd.code if e.rcvd else None
    return closed_code(ws)


def test_route_selection_two_way_routes_and_default_fallback(server, v2):
    api_id = chat_api(v2)
    with connect(server, api_id) as ws:
        ws.send(json.dumps({"action": "echo"}))
        assert json.loads(ws.recv(timeout=10)) == {"route": "echo", "type": "MESSAGE"}
        # A one-way route answers nothing: the next answer is the next two-way route's.
        ws.send(json.dumps({"action": "quiet"}))
        ws.send(json.dumps({"action": "nothing-matches"}))
        assert ws.recv(timeout=10) == "default:$default"
        # Not JSON: `$request.body.action` has no value, so `$default`.
        ws.send("plain text, not JSON")
        assert ws.recv(timeout=10) == "default:$default"
        ws.send(json.dumps({"action": 42}))
        assert ws.recv(timeout=10) == "default:$default"


def test_the_host_addressing_form_serves_the_same_api(server, v2):
    api_id = chat_api(v2)
    with connect(server, api_id, host_form=True) as ws:
        ws.send(json.dumps({"action": "echo"}))
        assert json.loads(ws.recv(timeout=10))["route"] == "echo"


def test_no_route_and_no_default_answers_aws_forbidden_message(server, v2):
    api_id = chat_api(v2, default=False)
    with connect(server, api_id) as ws:
        cid = my_id(ws)
        for msg in [json.dumps({"action": "missing"}), "not json at all", "{}"]:
            ws.send(msg)
            m = AWS_ERROR.match(ws.recv(timeout=10))
            assert m, msg
            assert m.group(1) == "Forbidden" and m.group(2) == cid
        # The connection is still served.
        ws.send(json.dumps({"action": "echo"}))
        assert json.loads(ws.recv(timeout=10))["route"] == "echo"


def test_a_connect_route_refusing_refuses_the_handshake(server, v2):
    api_id = ws_api(v2)
    mock_route(v2, api_id, "$connect", request='{"statusCode": 403}')
    mock_route(v2, api_id, "$default", reply="x")
    deploy(v2, api_id)
    with pytest.raises(InvalidStatus) as e:
        connect(server, api_id)
    assert e.value.response.status_code == 403
    # A stage that does not exist: AWS's 403 Forbidden.
    with pytest.raises(InvalidStatus) as e:
        connect(server, api_id, stage="nope")
    assert e.value.response.status_code == 403
    assert json.loads(e.value.response.body) == {"message": "Forbidden"}


def test_a_connect_route_that_lets_through(server, v2):
    api_id = ws_api(v2)
    mock_route(v2, api_id, "$connect", request='{"statusCode": 200}')
    whoami_route(v2, api_id)
    deploy(v2, api_id)
    with connect(server, api_id) as ws:
        assert my_id(ws)


def test_connections_post_get_delete_and_gone(server, v2):
    api_id = chat_api(v2)
    mgmt = management(server, api_id)
    with connect(server, api_id, user_agent_header="chat-client/1.0") as ws:
        cid = my_id(ws)
        mgmt.post_to_connection(ConnectionId=cid, Data=b"hello there")
        assert ws.recv(timeout=10) == "hello there"
        # Not UTF-8: a binary frame.
        mgmt.post_to_connection(ConnectionId=cid, Data=b"\xff\x00\xfe")
        assert ws.recv(timeout=10) == b"\xff\x00\xfe"
        got = mgmt.get_connection(ConnectionId=cid)
        assert got["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "chat-client/1.0"}
        assert got["LastActiveAt"] >= got["ConnectedAt"]
        # Another tenant does not see it.
        with pytest.raises(ClientError) as e:
            management(server, api_id, account=ACCOUNT_B).get_connection(ConnectionId=cid)
        assert e.value.response["Error"]["Code"] == "GoneException"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
        # Too large.
        with pytest.raises(ClientError) as e:
            mgmt.post_to_connection(ConnectionId=cid, Data=b"x" * (128 * 1024 + 1))
        assert e.value.response["Error"]["Code"] == "PayloadTooLargeException"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
        mgmt.post_to_connection(ConnectionId=cid, Data=b"y" * (128 * 1024))
        assert len(ws.recv(timeout=10)) == 128 * 1024
        mgmt.delete_connection(ConnectionId=cid)
        closed_code(ws)
    for call in (lambda: mgmt.post_to_connection(ConnectionId=cid, Data=b"late"),
                 lambda: mgmt.get_connection(ConnectionId=cid),
                 lambda: mgmt.delete_connection(ConnectionId=cid)):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == "GoneException"
    with pytest.raises(ClientError) as e:
        mgmt.get_connection(ConnectionId="bm90QUNvbm5lY3Q=")
    assert e.value.response["Error"]["Code"] == "GoneException"


def test_a_bad_signature_is_forbidden(server, v2):
    api_id = chat_api(v2)
    with connect(server, api_id) as ws:
        cid = my_id(ws)
        bad = management(server, api_id, account=("test", "wrong-secret", "000000000000"))
        with pytest.raises(ClientError) as e:
            bad.post_to_connection(ConnectionId=cid, Data=b"x")
        assert e.value.response["Error"]["Code"] == "ForbiddenException"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_connections_at_the_execute_api_host(server, v2):
    """`{id}.execute-api.…/{stage}/@connections/{id}`, signed as boto3 signs it."""
    api_id = chat_api(v2)
    with connect(server, api_id) as ws:
        cid = my_id(ws)
        host = f"{api_id}.execute-api.localhost:{server.port}"
        path = f"/prod/@connections/{quote(cid, safe='')}"
        req = AWSRequest(method="POST", url=f"http://{host}{path}", data=b"via host")
        SigV4Auth(Credentials("test", "test"), "execute-api", "us-east-1").add_auth(req)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("POST", path, body=b"via host",
                     headers={**dict(req.headers.items()), "Host": host})
        r = conn.getresponse()
        assert r.status == 200, r.read()
        assert ws.recv(timeout=10) == "via host"


def test_oversized_messages_close_the_connection_and_spare_the_others(server, v2):
    api_id = chat_api(v2)
    with connect(server, api_id) as other:
        # Within the limits: 100 KB in 32 KB frames.
        with connect(server, api_id, max_size=None) as ws:
            ws.send(["a" * (25 * 1024)] * 4)
            assert ws.recv(timeout=10) == "default:$default"
        # Over 128 KB (each frame within 32 KB): 1009.
        with connect(server, api_id) as ws:
            assert refused_code(ws, ["a" * (32 * 1024)] * 5) == 1009
        # One frame over 32 KB: 1009 too.
        with connect(server, api_id) as ws:
            assert refused_code(ws, "b" * (40 * 1024)) == 1009
        # Binary frames are not accepted (AWS closes with 1003).
        with connect(server, api_id) as ws:
            assert refused_code(ws, b"\x00\x01") == 1003
        other.send(json.dumps({"action": "echo"}))
        assert json.loads(other.recv(timeout=10))["route"] == "echo"


def test_ping_is_answered(server, v2):
    api_id = chat_api(v2)
    with connect(server, api_id) as ws:
        assert ws.ping(b"are you there").wait(timeout=10)


def test_reset_closes_connections(server, v2):
    api_id = chat_api(v2)
    with connect(server, api_id) as ws:
        my_id(ws)
        server.reset()
        closed_code(ws)


def test_metrics_count_connections_and_messages(server, v2):
    import urllib.request
    api_id = chat_api(v2)

    def metric(name, **labels):
        text = urllib.request.urlopen(f"{server.url}/_portico/metrics").read().decode()
        want = ",".join(f'{k}="{v}"' for k, v in labels.items())
        for line in text.splitlines():
            if line.startswith(name + "{") and all(p in line for p in want.split(",")):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    with connect(server, api_id) as ws:
        assert metric("portico_websocket_connections", api_id=api_id, stage="prod") == 1
        my_id(ws)
        assert metric("portico_websocket_messages_total", api_id=api_id, direction="in") == 1
        assert metric("portico_websocket_messages_total", api_id=api_id, direction="out") == 1
        assert metric("portico_websocket_connects_total", api_id=api_id) == 1


def test_idle_and_lifetime_limits_close_connections(v2):
    """`[websocket]` sets the limits: a connection with no client frame for
    `idle_timeout_secs` is closed with 1001 `Going away`, as is one older than
    `max_connection_secs` however busy."""
    from conftest import make_client
    from portico_server import CONFIG, Server
    s = Server(config=CONFIG + "\n[websocket]\nidle_timeout_secs = 1\nmax_connection_secs = 3\n")
    s.start()
    try:
        v2 = make_client(s, service="apigatewayv2")
        api_id = chat_api(v2)
        with connect(s, api_id) as ws:
            with pytest.raises(ConnectionClosed) as e:
                ws.recv(timeout=20)
            assert (e.value.rcvd.code, e.value.rcvd.reason) == (1001, "Going away")
        with connect(s, api_id) as ws:
            # Busy (round trips back to back, never idle) until the lifetime cap closes it.
            deadline = time.monotonic() + 30
            with pytest.raises(ConnectionClosed) as e:
                while time.monotonic() < deadline:
                    ws.send(json.dumps({"action": "echo"}))
                    ws.recv(timeout=10)
            assert (e.value.rcvd.code, e.value.rcvd.reason) == (1001, "Going away")
    finally:
        s.close()


def test_a_custom_domain_mapping_serves_the_api(server, v2):
    import socket
    from websockets.sync.client import connect as ws_connect
    api_id = chat_api(v2)
    v2.create_domain_name(DomainName="ws.example.com")
    v2.create_api_mapping(DomainName="ws.example.com", ApiId=api_id, Stage="prod",
                          ApiMappingKey="chat")
    sock = socket.create_connection(("127.0.0.1", server.port))
    with ws_connect(f"ws://ws.example.com:{server.port}/chat", sock=sock,
                    open_timeout=10) as ws:
        ws.send(json.dumps({"action": "echo"}))
        assert json.loads(ws.recv(timeout=10))["route"] == "echo"
        cid = my_id(ws)
        # `@connections` on a host that names no API: the connection id finds it.
        import boto3
        from conftest import NO_RETRY
        bare = boto3.client("apigatewaymanagementapi", endpoint_url=server.url,
                            region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test", config=NO_RETRY)
        assert bare.get_connection(ConnectionId=cid)["Identity"]["SourceIp"] == "127.0.0.1"
        bare.post_to_connection(ConnectionId=cid, Data=b"bare endpoint")
        assert ws.recv(timeout=10) == "bare endpoint"


def test_a_client_that_never_reads_is_bounded_and_spares_the_others(server, v2):
    """Posts to a client that stops reading fill its socket, then its bounded queue:
    PostToConnection answers 429 `LimitExceededException` instead of buffering; the other
    connections are served meanwhile, and the stuck one is let go."""
    api_id = chat_api(v2)
    mgmt = management(server, api_id)
    # `max_queue=1`: the client's reader stops after one unread message, so the socket fills.
    with connect(server, api_id, max_queue=1) as stuck, connect(server, api_id) as other:
        cid = my_id(stuck)
        chunk = b"z" * (64 * 1024)
        refused = None
        for n in range(5000):
            try:
                mgmt.post_to_connection(ConnectionId=cid, Data=chunk)
            except ClientError as e:
                refused = (n, e.response["Error"]["Code"],
                           e.response["ResponseMetadata"]["HTTPStatusCode"])
                break
        assert refused is not None and refused[1:] in {("LimitExceededException", 429),
                                                       ("GoneException", 410)}, refused
        other.send(json.dumps({"action": "echo"}))
        assert json.loads(other.recv(timeout=10))["route"] == "echo"
        # The blocked write times out and the connection is gone.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                mgmt.get_connection(ConnectionId=cid)
            except ClientError as e:
                assert e.response["Error"]["Code"] == "GoneException"
                break
            time.sleep(0.1)  # polling, with the deadline above
        else:
            raise AssertionError("the stuck connection was never let go")


def test_access_log_lines_carry_the_websocket_context(server, v2):
    fmt = ('{"cid":"$context.connectionId","type":"$context.eventType",'
           '"route":"$context.routeKey","status":"$context.status",'
           '"err":"$context.error.message"}')
    api_id = ws_api(v2)
    mock_route(v2, api_id, "$connect")
    whoami_route(v2, api_id)
    d = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    v2.create_stage(ApiId=api_id, StageName="prod", DeploymentId=d, AccessLogSettings={
        "DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:ws", "Format": fmt})
    with connect(server, api_id) as ws:
        cid = my_id(ws)
        ws.send("no route for this")
        ws.recv(timeout=10)
    lines = [
        '{"cid":"%s","type":"CONNECT","route":"$connect","status":"200","err":"-"}' % cid,
        '{"cid":"%s","type":"MESSAGE","route":"whoami","status":"200","err":"-"}' % cid,
        '{"cid":"%s","type":"MESSAGE","route":"$default","status":"403","err":"Forbidden"}' % cid,
    ]
    deadline = time.monotonic() + 10
    while not all(line in server.log() for line in lines) and time.monotonic() < deadline:
        time.sleep(0.02)
    for line in lines:
        assert line in server.log()


def test_aws_iam_on_connect_wants_a_signed_handshake(server, v2):
    api_id = ws_api(v2)
    mock_route(v2, api_id, "$connect", AuthorizationType="AWS_IAM")
    whoami_route(v2, api_id)
    deploy(v2, api_id)
    with pytest.raises(InvalidStatus) as e:
        connect(server, api_id)
    assert e.value.response.status_code == 403

    def signed(secret):
        host = f"127.0.0.1:{server.port}"
        req = AWSRequest(method="GET", url=f"http://{host}/_aws/execute-api/{api_id}/prod")
        SigV4Auth(Credentials("test", secret), "execute-api", "us-east-1").add_auth(req)
        return {k: v for k, v in req.headers.items() if k.lower() != "host"}

    with pytest.raises(InvalidStatus) as e:
        connect(server, api_id, additional_headers=signed("wrong"))
    assert e.value.response.status_code == 403
    with connect(server, api_id, additional_headers=signed("test")) as ws:
        assert my_id(ws)


def test_shutdown_closes_connections_going_away(own_server):
    import signal
    v2 = make_v2(own_server)
    api_id = chat_api(v2)
    with connect(own_server, api_id) as ws:
        my_id(ws)
        own_server.proc.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as e:
            ws.recv(timeout=20)
        assert (e.value.rcvd.code, e.value.rcvd.reason) == (1001, "Going away")
    assert own_server.proc.wait(timeout=20) == 0


def make_v2(server):
    from conftest import make_client
    return make_client(server, service="apigatewayv2")


REFUSED = (InvalidHandshake, ConnectionClosed, OSError)


def over_the_cap_answer(server, api_id):
    """The status a WebSocket handshake gets, or None when the connection is closed first."""
    import base64, os
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        try:
            sock.sendall((f"GET /_aws/execute-api/{api_id}/prod HTTP/1.1\r\n"
                          f"Host: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                          f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n").encode())
            head = sock.recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            return None
        if not head:
            return None
        return int(head.split(b" ", 2)[1])
    finally:
        sock.close()


def test_websocket_connections_hold_their_max_connections_slot():
    from portico_server import CONFIG, Server
    s = Server(config="max_connections = 2\n" + CONFIG).start()
    try:
        v2 = make_v2(s)
        api_id = chat_api(v2)
        v2.close()  # its kept-alive connection would hold a slot
        deadline = time.monotonic() + 10
        first = None
        while first is None and time.monotonic() < deadline:
            try:
                first = connect(s, api_id)
            except REFUSED:
                time.sleep(0.05)  # the management client's connection is still closing
        second = connect(s, api_id)
        # Over the cap: the acceptor's 503 and close, read from a raw socket (the websockets
        # client trips over its own assertion when the close races its handshake). Whether
        # the answer or the close comes first depends on when the handshake was sent.
        assert over_the_cap_answer(s, api_id) in (503, None)
        first.close()
        third = None
        while third is None and time.monotonic() < deadline + 10:
            try:
                third = connect(s, api_id)
            except REFUSED:
                time.sleep(0.05)  # polling until the closed connection's slot is back
        assert third is not None
        third.send(json.dumps({"action": "echo"}))
        assert json.loads(third.recv(timeout=10))["route"] == "echo"
        second.close()
        third.close()
    finally:
        s.close()


def test_the_readme_lists_every_connections_operation_of_the_model():
    import os
    import botocore.session
    model = botocore.session.get_session().get_service_model("apigatewaymanagementapi")
    want = {(op, f"`{model.operation_model(op).http['method']} "
                 f"{model.operation_model(op).http['requestUri']}`")
            for op in model.operation_names}
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md")).read()
    block = readme.split("<!-- connections-ops-table:start -->")[1].split(
        "<!-- connections-ops-table:end -->")[0]
    rows = {tuple(c.strip() for c in line.strip("|").split("|")[:2])
            for line in block.splitlines() if line.startswith("| ") and "`" in line}
    assert rows == want
    assert all(line.rstrip().endswith("| supported |")
               for line in block.splitlines() if line.startswith("| ") and "`" in line)
