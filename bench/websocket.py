"""WebSocket API figures (issue 25's budgets), against a Portico started as the tests start it:

1. idle connections held: RSS of the server before and after N connections (budget: 10,000
   in < 100 MB);
2. a MOCK two-way route's round trip at a paced rate (budget: p99 < 1 ms at 5,000 msg/s);
3. PostToConnection fan-out to M connections (budget: >= 20,000 messages/s), posted by
   threads over keep-alive connections, each request SigV4-signed by botocore.

    PORTICO_BIN=target/release/portico python bench/websocket.py [--only idle|rtt|fanout] [IDLE=10000] [RATE=5000] [FANOUT=1000]

Parts 2 and 3 measure the Python client more than Portico: bench/websocket.sh runs them with the
Rust client bench/wsload.

Needs `ulimit -n` above IDLE + a few hundred (both ends are on this machine). Numbers from a
debug build mean nothing; use the release or PGO build.
"""
import asyncio
import http.client
import json
import os
import resource
import statistics
import sys
import threading
import time
from urllib.parse import quote

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from conftest import make_client  # noqa: E402
from portico_server import Server  # noqa: E402


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def setup(server):
    v2 = make_client(server, service="apigatewayv2")
    api_id = v2.create_api(Name="bench", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    i = v2.create_integration(ApiId=api_id, IntegrationType="MOCK",
                              TemplateSelectionExpression="\\$default",
                              RequestTemplates={"$default": '{"statusCode": 200}'})["IntegrationId"]
    v2.create_integration_response(ApiId=api_id, IntegrationId=i,
                                   IntegrationResponseKey="$default",
                                   TemplateSelectionExpression="\\$default",
                                   ResponseTemplates={"$default": '{"id": "$context.connectionId"}'})
    r = v2.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{i}",
                        RouteResponseSelectionExpression="$default")["RouteId"]
    v2.create_route_response(ApiId=api_id, RouteId=r, RouteResponseKey="$default")
    d = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    v2.create_stage(ApiId=api_id, StageName="prod", DeploymentId=d)
    return api_id


async def idle(url, n, pid, large=0):
    before = rss_mb(pid)
    conns = []
    for start in range(0, n, 200):
        conns += await asyncio.gather(*(connect(url, ping_interval=None)
                                        for _ in range(start, min(n, start + 200))))
    held = rss_mb(pid)
    print(f"idle: {n} connections, RSS {before:.1f} MB -> {held:.1f} MB "
          f"(+{held - before:.1f} MB, {(held - before) * 1024 / n:.2f} KB each)")
    if large:
        # Each connection sends one large message (in 32 KB fragments, the frame limit), reads
        # the answer, then idles again: what the server keeps of it is the difference.
        async def one(c):
            await c.send([(chr(97 + k % 26) * min(32 * 1024, large - k))
                          for k in range(0, large, 32 * 1024)])
            await c.recv()

        for start in range(0, n, 200):
            await asyncio.gather(*(one(c) for c in conns[start:start + 200]))
        await asyncio.sleep(1)  # let the messages' tasks end; RSS is read once, not polled
        after = rss_mb(pid)
        print(f"idle after one {large}-byte message each: RSS {after:.1f} MB "
              f"(+{after - before:.1f} MB over none, {(after - held) * 1024 / n:.2f} KB each "
              f"more than before the message)")
    await asyncio.gather(*(c.close() for c in conns))


async def round_trips(url, rate, seconds=5, conns=50):
    clients = [await connect(url, ping_interval=None) for _ in range(conns)]
    lat = []
    interval = conns / rate

    async def one(ws):
        end = time.perf_counter() + seconds
        nxt = time.perf_counter()
        while time.perf_counter() < end:
            t = time.perf_counter()
            await ws.send('{"action": "x"}')
            await ws.recv()
            lat.append(time.perf_counter() - t)
            nxt += interval
            await asyncio.sleep(max(0, nxt - time.perf_counter()))  # pacing, not a wait on the server
    await asyncio.gather(*(one(c) for c in clients))
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    print(f"round trip: {len(lat) / seconds:.0f} msg/s achieved (target {rate}), "
          f"p50 {p(0.5):.3f} ms, p99 {p(0.99):.3f} ms, max {lat[-1] * 1000:.3f} ms")
    await asyncio.gather(*(c.close() for c in clients))


async def fanout(server, url, api_id, m, threads=8):
    clients = [await connect(url, ping_interval=None, max_queue=None) for _ in range(m)]
    ids = []
    for c in clients:
        await c.send('{"action": "x"}')
        ids.append(json.loads(await c.recv())["id"])
    signer = SigV4Auth(Credentials("test", "test"), "execute-api", "us-east-1")
    base = f"/_aws/execute-api/{api_id}/prod/@connections/"

    def post(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", server.port)
        for cid in chunk:
            path = base + quote(cid, safe="")
            req = AWSRequest(method="POST", url=f"http://127.0.0.1:{server.port}{path}", data=b"m")
            signer.add_auth(req)
            conn.request("POST", path, body=b"m", headers=dict(req.headers.items()))
            r = conn.getresponse()
            r.read()
            assert r.status == 200, r.status

    async def drain(c):
        await c.recv()

    started = time.perf_counter()
    workers = [threading.Thread(target=post, args=(ids[k::threads],)) for k in range(threads)]
    for w in workers:
        w.start()
    await asyncio.gather(*(drain(c) for c in clients))
    for w in workers:
        w.join()
    took = time.perf_counter() - started
    print(f"fan-out: {m} connections, {m / took:.0f} messages/s delivered "
          f"({threads} posting threads; botocore's signing is most of the client's time)")
    await asyncio.gather(*(c.close() for c in clients))


def main():
    # `--only idle|round-trip|fan-out` runs one part; `--large BYTES` has every idle connection
    # send one message of BYTES afterwards (what a connection keeps after a large message).
    flags = {"--only": None, "--large": "0"}
    args = []
    argv = iter(sys.argv[1:])
    for a in argv:
        if a in flags:
            flags[a] = next(argv)
        else:
            args.append(a)
    only = flags["--only"]
    if only not in (None, "idle", "round-trip", "fan-out"):
        sys.exit(f"--only: idle, round-trip or fan-out, not {only!r}")
    n_idle = int(args[0]) if len(args) > 0 else 10000
    rate = int(args[1]) if len(args) > 1 else 5000
    m = int(args[2]) if len(args) > 2 else 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n_idle * 2 + 1024)), hard))
    from portico_server import CONFIG
    server = Server(config=f"max_connections = {n_idle * 2 + 1024}\n" + CONFIG).start()
    try:
        api_id = setup(server)
        url = f"ws://127.0.0.1:{server.port}/_aws/execute-api/{api_id}/prod"
        if only in (None, "idle"):
            asyncio.run(idle(url, n_idle, server.proc.pid, int(flags["--large"])))
        if only in (None, "round-trip"):
            asyncio.run(round_trips(url, rate))
        if only in (None, "fan-out"):
            asyncio.run(fanout(server, url, api_id, m))
    finally:
        server.close()


if __name__ == "__main__":
    main()
