#!/usr/bin/env python3
"""Regenerates vectors/botocore.json: requests signed by the installed botocore.

The Rust tests read the JSON, so they need no Python. Run from anywhere:
    python3 crates/sigv4/tests/gen_botocore_vectors.py
The clock is pinned by patching botocore.auth.get_current_datetime, so the
output is deterministic for a given botocore version.
"""
import datetime
import json
import os
from unittest import mock
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AK, SK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
WHEN = datetime.datetime(2024, 1, 2, 3, 4, 5)
HOST = "127.0.0.1:8080"
ARN = "arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fa"

# (name, method, path+query as sent on the wire, body, extra headers, presign, token)
CASES = [
    ("get-restapis", "GET", "/restapis", b"", {}, False, None),
    ("get-restapis-limit", "GET", "/restapis?limit=25&position=abc", b"", {}, False, None),
    ("get-space-in-id", "GET", "/restapis/a%20b", b"", {}, False, None),
    ("get-encoded-slash", "GET", "/restapis/a%2Fb/resources", b"", {}, False, None),
    ("get-none-parens", "GET", "/restapis/abc/stages/%28none%29", b"", {}, False, None),
    ("get-tags-arn", "GET", "/tags/" + ARN, b"", {}, False, None),
    ("delete-tags-repeated", "DELETE", "/tags/" + ARN + "?tagKeys=k1&tagKeys=k2", b"", {}, False, None),
    ("get-comma-query", "GET", "/restapis/abc/documentation/parts?type=API%2CMETHOD&path=%2Fpets", b"", {}, False, None),
    ("post-json", "POST", "/restapis", b'{"name": "pets", "description": "caf\xc3\xa9"}',
     {"Content-Type": "application/json"}, False, None),
    ("patch-json", "PATCH", "/restapis/abc123",
     b'{"patchOperations": [{"op": "replace", "path": "/name", "value": "new"}]}',
     {"Content-Type": "application/json", "Accept": "application/json"}, False, None),
    ("put-empty-body", "PUT", "/restapis/abc/resources/r1/methods/GET", b"", {}, False, None),
    ("post-session-token", "POST", "/apikeys", b'{"enabled": true}',
     {"Content-Type": "application/json"}, False, "FQoGZXIvYXdzEXAMPLETOKEN+/="),
    ("get-unsigned-payload", "GET", "/account", b"", {"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}, False, None),
    ("presign-get", "GET", "/restapis/abc123", b"", {}, True, None),
    ("presign-query-token", "GET", "/restapis/a%20b?limit=5", b"", {}, True, "FQoGZXIvYXdzEXAMPLETOKEN+/="),
]


def main():
    out = []
    for name, method, target, body, extra, presign, token in CASES:
        creds = Credentials(AK, SK, token)
        url = "http://" + HOST + target
        headers = dict(extra)
        req = AWSRequest(method=method, url=url, data=body, headers=headers)
        if presign:
            auth = botocore.auth.SigV4QueryAuth(creds, "apigateway", "us-east-1", expires=300)
        else:
            auth = botocore.auth.SigV4Auth(creds, "apigateway", "us-east-1")
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=WHEN):
            auth.add_auth(req)
        parts = urlsplit(req.url)
        sent = {k: v for k, v in req.headers.items()}
        sent.setdefault("Host", HOST)  # the HTTP client adds it; botocore signs it
        out.append({
            "name": name,
            "method": method,
            "path": parts.path,
            "query": parts.query,
            "headers": [[k, v] for k, v in sent.items()],
            "body": body.decode("utf-8"),
            "presigned": presign,
            "now": "20240102T030405Z",
        })
    dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors", "botocore.json")
    with open(dest, "w") as f:
        json.dump({"botocore_version": botocore.__version__, "access_key": AK,
                   "region": "us-east-1", "service": "apigateway", "cases": out}, f, indent=1)
        f.write("\n")
    print("wrote", len(out), "cases to", dest)


if __name__ == "__main__":
    main()
