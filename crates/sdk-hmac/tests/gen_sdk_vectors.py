#!/usr/bin/env python3
"""Regenerates vectors/sdk.json: requests signed by the real huaweicloudsdkcore Signer.

The Rust tests read the JSON, so they need no Python. Needs huaweicloudsdkcore
(pinned: the vectors record its version), e.g.:
    python3 -m venv .venv-sign
    .venv-sign/bin/pip install huaweicloudsdkcore==3.1.219
    .venv-sign/bin/python crates/sdk-hmac/tests/gen_sdk_vectors.py

Every case is an SdkRequest as the SDK's own client builds one (resource_path,
a list of (key, value) query tuples, a header dict, a body) handed to
Signer.sign(). X-Sdk-Date is set in the headers, so the output is
deterministic. What is recorded is what goes on the wire: the path as sent,
the query string the signer itself wrote into request.uri, the headers after
signing (the signer strips their values and adds Host and
X-Sdk-Content-Sha256 where it does) and the body bytes.
"""
import json
import os
from importlib.metadata import version
from urllib.parse import urlsplit

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

AK, SK = "HPUAEXAMPLEAK0123456", "exampleSecretKey0123456789abcdefghijklmn/+="
HOST = "127.0.0.1:8080"
DATE = "20240102T030405Z"
PROJECT = "0123456789abcdef0123456789abcdef"
V2 = "/v2/" + PROJECT + "/apigw/instances/inst-1"


class Creds:
    ak, sk = AK, SK


def base_headers(**extra):
    h = {"X-Sdk-Date": DATE, "X-Project-Id": PROJECT}
    h.update(extra)
    return h


# (name, method, resource_path, query tuples, headers, body)
CASES = [
    ("get-sorted-query", "GET", V2 + "/apis", [("limit", 20), ("offset", 0)],
     base_headers(**{"Content-Type": "application/json"}), ""),
    ("get-unsorted-query", "GET", V2 + "/apis", [("offset", 40), ("name", "pets"), ("limit", 5)],
     base_headers(), ""),
    ("get-repeated-keys", "GET", V2 + "/apis", [("id", "b"), ("id", "a"), ("tag", "z")],
     base_headers(), ""),
    # A list value is one key sent once per element; the SDK sorts the list
    # itself, as Python objects: integers numerically, so 2 before 10.
    ("get-list-ints", "GET", V2 + "/apis", [("ids", [10, 2, 33]), ("env", ["prod", "dev"])],
     base_headers(), ""),
    ("get-repeated-int-tuples", "GET", V2 + "/apis", [("n", 10), ("n", 9)],
     base_headers(), ""),
    ("get-empty-and-bool-values", "GET", V2 + "/apis", [("name", ""), ("precise", True), ("x", False)],
     base_headers(), ""),
    ("get-query-needs-encoding", "GET", V2 + "/apis",
     [("q", "a b*c~d+e/f"), ("k y", "caf\u00e9 \u2603"), ("star*", "=&?#%")],
     base_headers(), ""),
    # Path params are quote()d with safe='' by the SDK client, so an encoded
    # slash reaches the signer, which decodes the whole path before splitting.
    ("get-encoded-path", "GET", V2 + "/apis/a%20b%2Fc/%7Etilde/%28x%29", [],
     base_headers(), ""),
    ("get-unicode-path", "GET", V2 + "/apis/caf%C3%A9/%E2%98%83", [("n\u00e4me", "\u00fc")],
     base_headers(), ""),
    ("get-unicode-header", "GET", V2 + "/apis", [],
     base_headers(**{"X-Note": "  caf\u00e9 \u2014 ok  ", "Accept": "application/json"}), ""),
    ("get-no-trailing-slash", "GET", "/v1.0/apigw/instances", [],
     {"X-Sdk-Date": DATE}, ""),
    ("get-trailing-slash", "GET", "/v1.0/apigw/instances/", [],
     {"X-Sdk-Date": DATE}, ""),
    ("get-root", "GET", "/", [], {"X-Sdk-Date": DATE}, ""),
    ("post-json-body", "POST", V2 + "/api-groups", [],
     base_headers(**{"Content-Type": "application/json;charset=utf-8"}),
     '{"name": "group_\u00e9", "remark": "caf\u00e9"}'),
    ("put-empty-body", "PUT", V2 + "/apis/api-1", [],
     base_headers(**{"Content-Type": "application/json;charset=utf-8"}), ""),
    ("delete-with-query", "DELETE", V2 + "/apis/api-1", [("force", "true")],
     base_headers(), ""),
    # Non-JSON content types get X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD from
    # the signer itself: the body is not signed.
    ("post-octet-stream-unsigned", "POST", V2 + "/uploads", [],
     base_headers(**{"Content-Type": "application/octet-stream"}), "binary\x00data"),
    # ...but an empty body signs the empty hash even then.
    ("post-form-empty-unsigned", "POST", V2 + "/forms", [],
     base_headers(**{"Content-Type": "application/x-www-form-urlencoded"}), ""),
    # Temporary credentials: X-Security-Token is one more signed header;
    # headers with '_' in their name are sent but never signed.
    ("get-security-token", "GET", V2 + "/apis", [],
     base_headers(**{"X-Security-Token": "gQpjbi1ub3J0aC00jEXAMPLETOKEN+/=",
                     "User-Agent": "huaweicloud-usdk-python/3.0",
                     "X_Custom_Underscore": "not signed"}), ""),
    ("patch-lowercase-method", "patch", V2 + "/apis/api-1", [("a", "1")],
     base_headers(**{"Content-Type": "application/json"}), '{"op": "replace"}'),
]


def make(method, path, query, headers, body):
    # Lists inside the query are sorted in place by the signer: copy them.
    query = [(k, list(v) if isinstance(v, list) else v) for k, v in query]
    return SdkRequest(method=method, schema="http", host=HOST, resource_path=path,
                      query_params=query, header_params=dict(headers), body=body)


def canonical_request(method, path, query, headers, body):
    """The signer's own canonical request, through the steps sign() takes."""
    req = make(method, path, query, headers, body)
    s = Signer(Creds())
    if isinstance(req.body, str):
        req.body = req.body.encode("utf-8")
    s._process_content_header(req)
    s._process_header_time(req)
    s._process_header_host(req)
    return s._process_canonical_request(req, s._process_signed_headers(req))


def main():
    out = []
    for name, method, path, query, headers, body in CASES:
        req = make(method, path, query, headers, body)
        Signer(Creds()).sign(req)
        parts = urlsplit(req.url)
        raw_body = req.body if isinstance(req.body, bytes) else (req.body or "").encode()
        # requests sends the method upper-cased, the header values as the
        # signer left them (UTF-8 bytes, here decoded back to text).
        sent = [[k, v.encode("iso-8859-1").decode("utf-8")] for k, v in req.header_params.items()]
        out.append({
            "name": name,
            "method": method.upper(),
            "path": parts.path,
            "query": parts.query,
            "headers": sent,
            "body_hex": raw_body.hex(),
            "now": DATE,
            "authorization": req.header_params["Authorization"],
            "canonical_request": canonical_request(method, path, query, headers, body),
        })
    dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors", "sdk.json")
    with open(dest, "w", encoding="utf-8") as f:
        json.dump({"huaweicloudsdkcore_version": version("huaweicloudsdkcore"),
                   "access_key": AK, "secret_key": SK, "cases": out}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", len(out), "cases to", dest)


if __name__ == "__main__":
    main()
