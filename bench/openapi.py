"""OpenAPI import and export timings (issue 22's budgets: import of a 500-path document < 1 s,
export < 100 ms), against a Portico started as the tests start it.

    PORTICO_BIN=target/release/portico python bench/openapi.py [PATHS]

Each path has GET and POST with parameters, a model reference, method responses and a MOCK
integration with a response. Prints the median of 5 imports and of 20 exports (oas30 with
`extensions=apigateway`).
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from conftest import make_client  # noqa: E402
from portico_server import Server  # noqa: E402


def document(n):
    paths = {}
    for i in range(n):
        op = {
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
            "x-amazon-apigateway-integration": {
                "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                "responses": {"default": {"statusCode": "200"}}},
        }
        paths[f"/group{i % 25}/item{i}/{{id}}"] = {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "get": op, "post": op}
    return {"openapi": "3.0.1", "info": {"title": f"bench-{n}", "version": "1"},
            "paths": paths, "components": {"schemas": {"Thing": {"type": "object"}}}}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    body = json.dumps(document(n))
    server = Server().start()
    try:
        client = make_client(server)
        imports = []
        for _ in range(5):
            t = time.perf_counter()
            api = client.import_rest_api(body=body, failOnWarnings=True)
            imports.append(time.perf_counter() - t)
        client.create_deployment(restApiId=api["id"], stageName="b")
        exports = []
        for _ in range(20):
            t = time.perf_counter()
            r = client.get_export(restApiId=api["id"], stageName="b", exportType="oas30",
                                  parameters={"extensions": "apigateway"})
            size = len(r["body"].read())
            exports.append(time.perf_counter() - t)
        print(f"import of {n} paths ({len(body)} bytes): median {statistics.median(imports):.3f} s")
        print(f"export ({size} bytes): median {statistics.median(exports) * 1000:.1f} ms")
    finally:
        server.close()


if __name__ == "__main__":
    main()
