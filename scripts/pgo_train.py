"""The training run of a profile-guided build (scripts/build-pgo.sh): Portico at work, as the
profile the optimiser lays the code out by.

Starts $PORTICO_BIN (an instrumented build) with a real local backend, deploys an API through
the management API with boto3, and drives keep-alive traffic at it: mostly the data plane
(HTTP_PROXY with path parameters, HTTP with a request template, MOCK with templates, request
bodies, unknown routes; an HTTP API's HTTP_PROXY route), and some management calls. The API is not the benchmarks' own, so
that what the benchmarks show is not a profile of themselves.
The server is stopped with SIGTERM, so it exits cleanly and writes its profile.

    PORTICO_BIN=target/pgo-train/release/portico .venv/bin/python scripts/pgo_train.py [REQUESTS]
"""
import http.client
import os
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import boto3  # noqa: E402
from dataplane import Backend, add_resource, deploy, http_method, mock_method  # noqa: E402
from portico_server import ACCOUNT_A, Server  # noqa: E402

# Per client thread; four threads. About 20 s on two CPUs.
REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
THREADS = 4


def client(url):
    return boto3.client("apigateway", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=ACCOUNT_A[0], aws_secret_access_key=ACCOUNT_A[1])


def deploy_pets(apigw, backend):
    """An API of its own, not the benchmarks' (bench/deploy_bench_api.py): path parameters, a
    mapped HTTP integration, a MOCK with templates, a greedy proxy for bodies."""
    api = apigw.create_rest_api(name="pgo-training")
    api_id, root = api["id"], api["rootResourceId"]
    pets = add_resource(apigw, api_id, root, "pets")
    pet = add_resource(apigw, api_id, pets, "{id}")
    http_method(apigw, api_id, pet, f"{backend}/pets/{{id}}",
                method_request_parameters={"method.request.path.id": True},
                requestParameters={"integration.request.path.id": "method.request.path.id"})
    http_method(apigw, api_id, pets, f"{backend}/pets", method="POST", type="HTTP",
                integration_method="POST",
                requestTemplates={"application/json":
                                  '{"name": $input.json(\'$.name\'), "by": "$context.requestId"}'})
    health = add_resource(apigw, api_id, root, "health")
    mock_method(apigw, api_id, health, response_templates={
        "application/json": '{"stage": "$context.stage", "q": "$input.params(\'q\')"}'})
    files = add_resource(apigw, api_id, root, "files")
    anything = add_resource(apigw, api_id, files, "{proxy+}")
    http_method(apigw, api_id, anything, f"{backend}/files/{{proxy}}", method="ANY",
                method_request_parameters={"method.request.path.proxy": True},
                requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
    deploy(apigw, api_id, "live")
    return api_id


def drive(port, api_id):
    """Keep-alive requests in the proportions of a busy gateway: mostly proxied GETs."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    base = f"/restapis/{api_id}/live/_user_request_"
    small = b'{"name": "rex", "kind": "dog"}'
    large = b'{"name": "rex", "kind": "dog"}' * 120
    json_type = {"Content-Type": "application/json"}
    for i in range(REQUESTS):
        k = i % 20
        if k < 10:
            conn.request("GET", f"{base}/pets/{i}?view=full&n={k}")
        elif k < 13:
            conn.request("GET", f"{base}/health?q={i}", headers={"Accept": "application/json"})
        elif k < 16:
            conn.request("POST", f"{base}/pets", body=small, headers=json_type)
        elif k < 18:
            conn.request("PUT", f"{base}/files/a/{i}.json", body=large, headers=json_type)
        else:
            conn.request("GET", f"{base}/nowhere/{i}")
        resp = conn.getresponse()
        resp.read()
        expected = 403 if k >= 18 else 200
        if resp.status != expected:
            raise AssertionError(f"request kind {k}: {resp.status}, expected {expected}")


def deploy_http_api(url, backend):
    """An HTTP API (quick create: a `$default` route proxying everything to the backend, an
    auto-deployed `$default` stage), so its pipeline is in the profile too."""
    v2 = boto3.client("apigatewayv2", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id=ACCOUNT_A[0], aws_secret_access_key=ACCOUNT_A[1])
    return v2.create_api(Name="pgo-training-http", ProtocolType="HTTP",
                         Target=f"{backend}/v2")["ApiId"]


def drive_http(port, api_id):
    """Keep-alive requests to the HTTP API at its execute-api host."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    host = {"Host": f"{api_id}.execute-api.localhost"}
    for i in range(REQUESTS):
        if i % 4 == 3:
            conn.request("POST", f"/orders/{i}", body=b'{"n": 1}',
                         headers={**host, "Content-Type": "application/json"})
        else:
            conn.request("GET", f"/pets/{i}?view=full", headers=host)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise AssertionError(f"HTTP API request {i}: {resp.status}, expected 200")


def manage(url, api_id):
    apigw = client(url)
    for i in range(100):
        apigw.get_rest_apis()
        apigw.get_resources(restApiId=api_id, embed=["methods"])
        apigw.update_stage(restApiId=api_id, stageName="live", patchOperations=[
            {"op": "replace", "path": "/variables/round", "value": str(i)}])


def checked(failures, work, *args):
    """Run `work` on a thread; what it raises fails the training run instead of shortening it."""
    try:
        work(*args)
    except Exception as e:  # noqa: BLE001 - reported by main, which exits non-zero
        failures.append(repr(e))


def main():
    backend = Backend()
    server = Server().start()
    try:
        api_id = deploy_pets(client(server.url), backend.url)
        http_api_id = deploy_http_api(server.url, backend.url)
        failures = []
        threads = [threading.Thread(target=checked, args=(failures, drive, server.port, api_id))
                   for _ in range(THREADS)]
        threads.append(threading.Thread(target=checked, args=(failures, drive_http, server.port,
                                                              http_api_id)))
        threads.append(threading.Thread(target=checked, args=(failures, manage, server.url,
                                                              api_id)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            sys.exit(f"training traffic failed on {len(failures)} threads: {failures}")
        code = server.stop()
        if code != 0:
            sys.exit(f"portico exited with {code}: its profile may be missing\n{server.log()}")
        print(f"trained on {(THREADS + 1) * REQUESTS} invocations ({REQUESTS} of an HTTP API) "
              "and 300 management calls")
    finally:
        server.close()
        backend.close()


if __name__ == "__main__":
    main()
