"""The training run of a profile-guided build (scripts/build-pgo.sh): Portico at work, as the
profile the optimiser lays the code out by.

Starts $PORTICO_BIN (an instrumented build) with a real local backend, deploys APIs through the
management API with boto3, and drives keep-alive traffic at them: mostly the data plane
(HTTP_PROXY, MOCK with a template, request bodies, unknown routes), and some management calls.
The server is stopped with SIGTERM, so it exits cleanly and writes its profile.

    PORTICO_BIN=target/pgo-train/release/portico .venv/bin/python scripts/pgo_train.py [REQUESTS]
"""
import http.client
import os
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import boto3  # noqa: E402
from dataplane import Backend  # noqa: E402
from portico_server import ACCOUNT_A, Server  # noqa: E402

# Per client thread; four threads. About 10 s on two CPUs.
REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
THREADS = 4


def deploy(url, backend, *mode):
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "deploy_bench_api.py"), url, backend, *mode],
        check=True, capture_output=True, text=True)
    return out.stdout.strip()


def drive(port, bench, bodies, failures):
    """Keep-alive requests in the proportions of a busy gateway: mostly proxied GETs."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    body = b'{"pet": "dog", "n": 1}' * 40
    for i in range(REQUESTS):
        if i % 10 < 6:
            conn.request("GET", f"/restapis/{bench}/bench/_user_request_/proxy?n={i}")
        elif i % 10 < 8:
            conn.request("GET", f"/restapis/{bench}/bench/_user_request_/mock",
                         headers={"Accept": "application/json"})
        elif i % 10 < 9:
            conn.request("POST", f"/restapis/{bodies}/bench/_user_request_/pets/{i}", body=body,
                         headers={"Content-Type": "application/json"})
        else:
            conn.request("GET", f"/restapis/{bench}/bench/_user_request_/nowhere")
        resp = conn.getresponse()
        resp.read()
        if resp.status not in (200, 403):
            failures.append(resp.status)


def manage(url, api_id):
    c = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id=ACCOUNT_A[0], aws_secret_access_key=ACCOUNT_A[1])
    for i in range(100):
        c.get_rest_apis()
        c.get_resources(restApiId=api_id, embed=["methods"])
        c.update_stage(restApiId=api_id, stageName="bench", patchOperations=[
            {"op": "replace", "path": "/variables/round", "value": str(i)}])


def main():
    backend = Backend()
    server = Server().start()
    try:
        bench = deploy(server.url, backend.url + "/")
        bodies = deploy(server.url, backend.url, "bodies")
        failures = []
        threads = [threading.Thread(target=drive, args=(server.port, bench, bodies, failures))
                   for _ in range(THREADS)]
        threads.append(threading.Thread(target=manage, args=(server.url, bench)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            sys.exit(f"training traffic failed: {len(failures)} responses, e.g. {failures[:5]}")
        code = server.stop()
        if code != 0:
            sys.exit(f"portico exited with {code}: its profile may be missing\n{server.log()}")
        print(f"trained on {THREADS * REQUESTS} invocations and 300 management calls")
    finally:
        server.close()
        backend.close()


if __name__ == "__main__":
    main()
