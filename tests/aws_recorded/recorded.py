"""Shims that let LocalStack's API Gateway tests run unchanged against Portico, and the replay
of their snapshots (recorded by LocalStack against real AWS).

What LocalStack's tests import (`markers`, `short_uid`, `retry`, `is_aws_cloud`,
`SortingTransformer`, the `apigateway_fixtures` helpers) is defined here, and `Snapshot` replays
a test's recorded content: `snapshot.match(key, value)` compares `value` with what AWS answered.

Matching rules (see README.md):
- indexed placeholders (`<id:1>`, `<parent-id:2>`, `<uuid:1>`...) match any text, consistently:
  one placeholder always stands for the same actual text, and two placeholders never for the
  same text;
- `datetime` stands for a timestamp (boto3 answers a datetime; LocalStack's TimestampTransformer);
- strings holding a JSON object are compared parsed, as LocalStack's snapshot does;
- the account id, region and partition are LocalStack's (`111111111111`, `<region>`,
  `arn:<partition>:`), Portico's are rewritten to them before comparing, as LocalStack's own
  snapshot fixture does;
- everything else must be equal: member names, values, types, list lengths, error codes,
  messages and HTTP status codes;
- `SortingTransformer(key, fn)`: the list under `key` is compared as an unordered collection;
- `snapshot.transform.regex(...)` and `key_value(..., reference_replacement=False)` are applied
  to the actual answer before comparing, as LocalStack does; the other key/jsonpath transformers
  only name placeholders, which the rules above already match;
- `@markers.snapshot.skip_snapshot_verify(paths=[...])` leaves those paths uncompared.
"""
import copy
import datetime
import enum
import json
import os
import re
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDED_PREFIX = "tests/aws/services/apigateway/"
PORTICO_ACCOUNT = "000000000000"
PORTICO_REGION = "us-east-1"


# ---------------------------------------------------------------- what the tests import


def is_aws_cloud():
    return False


def is_next_gen_api():
    # LocalStack's own provider switch; the recordings are AWS's answers.
    return True


def short_uid():
    return str(uuid.uuid4())[0:8]


def retry(function, retries=3, sleep=1.0, sleep_before=0, **kwargs):
    if sleep_before:
        time.sleep(sleep_before)
    raise_error = None
    for _ in range(retries + 1):
        try:
            return function(**kwargs)
        except Exception as error:  # noqa: BLE001 - LocalStack's retry retries on anything
            raise_error = error
            time.sleep(sleep)
    raise raise_error


def to_str(value, encoding="utf-8"):
    return value.decode(encoding) if isinstance(value, bytes) else value


def to_bytes(value, encoding="utf-8"):
    return value.encode(encoding) if isinstance(value, str) else value


class config:  # noqa: N801 - LocalStack's `localstack.config`, as far as the replayed tests read it
    @staticmethod
    def get_protocol():
        return "https"


class _Host:
    @staticmethod
    def host_and_port():
        return "amazonaws.com"


def localstack_host():
    """LocalStack's host. Portico's imported models name AWS's own model URLs
    (https://apigateway.amazonaws.com/restapis/...), so that is the host the import tests'
    `<model-base-url>` transformer replaces."""
    return _Host()


# Names the replayed tests import for their AWS-only branches (is_aws_cloud() is False here).
Resources = dict
Runtime = None
arns = None
create_lambda_archive = None


def wait_until(fn, *a, **kw):
    return fn()


def load_file(path):
    with open(path) as f:
        return f.read()


class _Aws:
    @staticmethod
    def validated(fn):
        fn._aws_validated = True
        return fn

    @staticmethod
    def only_localstack(fn):
        return fn


class _SnapshotMarkers:
    @staticmethod
    def skip_snapshot_verify(paths=None, condition=None):
        def deco(fn):
            if condition is None or condition():
                fn._skip_snapshot_paths = list(getattr(fn, "_skip_snapshot_paths", [])) + list(
                    paths or ["$.."]
                )
            return fn

        return deco


class markers:  # noqa: N801 - LocalStack's name
    aws = _Aws
    snapshot = _SnapshotMarkers

    @staticmethod
    def requires_in_process(fn):
        return fn


TAG_KEY_CUSTOM_ID = "_custom_id_"

# The URL of the Portico server the replay runs against (set by conftest.py's `server`).
SERVER_URL = None


def api_invoke_url(api_id: str, stage: str = "", path: str = "/", **_):
    """LocalStack's helper: the invoke URL of a deployed API, here Portico's path-style one."""
    return f"{SERVER_URL}/restapis/{api_id}/{stage}/_user_request_{path}"


class PutMode:
    merge = "merge"
    overwrite = "overwrite"


# LocalStack's tests/aws/services/apigateway/apigateway_fixtures.py (the helpers replayed tests use)
def assert_response_status(response: dict, status: int):
    assert response.get("ResponseMetadata").get("HTTPStatusCode") == status


def assert_response_is_200(response: dict) -> bool:
    assert_response_status(response, 200)
    return True


def assert_response_is_201(response: dict) -> bool:
    assert_response_status(response, 201)
    return True


def import_rest_api(apigateway_client, **kwargs):
    response = apigateway_client.import_rest_api(**kwargs)
    assert_response_is_201(response)
    resources = apigateway_client.get_resources(restApiId=response.get("id"))
    root_id = next(item for item in resources["items"] if item["path"] == "/")["id"]

    return response, root_id


def create_rest_resource(apigateway_client, **kwargs):
    response = apigateway_client.create_resource(**kwargs)
    assert_response_is_201(response)
    return response.get("id"), response.get("parentId")


def create_rest_resource_method(apigateway_client, **kwargs):
    response = apigateway_client.put_method(**kwargs)
    assert_response_is_201(response)
    return response.get("httpMethod"), response.get("authorizerId")


def create_rest_api_integration(apigateway_client, **kwargs):
    response = apigateway_client.put_integration(**kwargs)
    assert_response_is_201(response)
    return response.get("uri"), response.get("type")


def create_rest_api_method_response(apigateway_client, **kwargs):
    response = apigateway_client.put_method_response(**kwargs)
    assert_response_is_201(response)
    return response.get("statusCode")


def create_rest_api_integration_response(apigateway_client, **kwargs):
    response = apigateway_client.put_integration_response(**kwargs)
    assert_response_is_201(response)
    return response.get("statusCode")


def create_rest_api_deployment(apigateway_client, **kwargs):
    response = apigateway_client.create_deployment(**kwargs)
    assert_response_is_201(response)
    return response.get("id"), response.get("createdDate")


def update_rest_api_deployment(apigateway_client, **kwargs):
    response = apigateway_client.update_deployment(**kwargs)
    assert_response_is_200(response)
    return response


class UrlType(enum.Enum):
    HOST_BASED = 0
    PATH_BASED = 1
    LS_PATH_BASED = 2


def create_rest_api_stage(apigateway_client, **kwargs):
    response = apigateway_client.create_stage(**kwargs)
    assert_response_is_201(response)
    return response.get("stageName")


# ---------------------------------------------------------------- pytest-httpserver, werkzeug


class Request:
    """The part of werkzeug's Request LocalStack's echo handlers read."""

    def __init__(self, method, url, headers, data):
        self.method = method
        self.url = url
        self.headers = headers
        self.data = data


class Response:
    """The part of werkzeug's Response LocalStack's echo handlers build."""

    def __init__(self, response=b"", status=200, headers=None):
        self.body = response.encode() if isinstance(response, str) else response
        self.status = status
        self.headers = dict(headers or {})


class HTTPServer:
    """pytest-httpserver's HTTPServer as LocalStack's fixtures use it: one handler for every
    request (`expect_request("").respond_with_handler(fn)`), `url_for(path)`."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server = self
        self.handler = None

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                url = f"http://{self.headers.get('Host')}{self.path}"
                resp = server.handler(Request(self.command, url, dict(self.headers.items()), data))
                self.send_response(resp.status)
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.body)))
                self.end_headers()
                self.wfile.write(resp.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def expect_request(self, uri):
        return self

    def respond_with_handler(self, handler):
        self.handler = handler

    def url_for(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------- transformers


class SortingTransformer:
    def __init__(self, key, sorting_fn=None):
        self.key = key
        self.sorting_fn = sorting_fn


class RegexTransformer:
    def __init__(self, regex, replacement):
        # LocalStack's RegexTransformer compiles a string as a pattern.
        self.regex = regex if isinstance(regex, re.Pattern) else re.compile(regex)
        self.replacement = replacement


class KeyValueTransformer:
    def __init__(self, key, replacement, reference):
        self.key = key
        self.replacement = replacement
        self.reference = reference


class NamingTransformer:
    """A transformer that only names placeholders (key_value / jsonpath with references)."""


class _Transform:
    @staticmethod
    def apigateway_api():
        return [NamingTransformer()]

    @staticmethod
    def key_value(key, value_replacement=None, reference_replacement=True):
        if reference_replacement:
            return NamingTransformer()
        return KeyValueTransformer(key, value_replacement, reference_replacement)

    @staticmethod
    def jsonpath(jsonpath, value_replacement=None, reference_replacement=True):
        return NamingTransformer()

    @staticmethod
    def regex(regex, replacement):
        return RegexTransformer(regex, replacement)


# ---------------------------------------------------------------- the replay


PLACEHOLDER = re.compile(r"<[a-z][a-z0-9-]*:\d+>")


def _load_recorded(module_file):
    path = os.path.join(HERE, module_file.replace(".py", ".snapshot.json"))
    with open(path) as f:
        return json.load(f)


_RECORDED = {}


def recorded_content(module_file, test_id):
    if module_file not in _RECORDED:
        _RECORDED[module_file] = _load_recorded(module_file)
    key = f"{RECORDED_PREFIX}{module_file}::{test_id}"
    if key not in _RECORDED[module_file]:
        raise AssertionError(f"no recording for {key}")
    return _RECORDED[module_file][key]["recorded-content"]


# LocalStack's TimestampTransformer also writes `date` for ISO-8601 timestamps inside strings
# (an export's `info.version`, its file name).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})")


def _plain(value):
    if isinstance(value, str):
        value = ISO_DATE.sub("date", value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return "datetime"  # LocalStack's TimestampTransformer
    if isinstance(value, str) and value.startswith("{"):
        # LocalStack's snapshot parses JSON object strings before comparing
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, bytes):
        return str(value)  # LocalStack's snapshot serialises bytes as their repr (`b''`)
    if hasattr(value, "read"):  # a StreamingBody (a JSON export is compared parsed, as recorded)
        return _plain(value.read().decode("utf-8", "replace"))
    return value


def _skip_matcher(paths):
    """jsonpath subset: `$.a.b`, `$..b`, `$.a[1].b`, `$.a..b`."""
    out = []
    for p in paths:
        tokens = re.findall(r"\.\.|\.[^.\[\]]+|\[\d+\]|\[\*\]", p[1:])
        out.append(tokens)
    return out


def _path_matches(pattern, path):
    # pattern tokens: '..', '.key', '[n]', '[*]'; path: list of str keys / int indices
    def tok_ok(tok, seg):
        if tok == "[*]":
            return isinstance(seg, int)
        if tok.startswith("["):
            return seg == int(tok[1:-1])
        return seg == tok[1:]

    def rec(i, j):
        if i == len(pattern):
            return True  # a prefix of the path: everything below is skipped
        tok = pattern[i]
        if tok == "..":
            return any(rec(i + 1, k) for k in range(j, len(path) + 1))
        if j == len(path):
            return False
        return tok_ok(tok, path[j]) and rec(i + 1, j + 1)

    return rec(0, 0)


class Snapshot:
    def __init__(self, recorded, skip_paths=()):
        self.recorded = recorded
        self.skip = _skip_matcher(skip_paths)
        self.transform = _Transform()
        self.regexes = [
            RegexTransformer(PORTICO_ACCOUNT, "111111111111"),
            RegexTransformer(PORTICO_REGION, "<region>"),
            RegexTransformer("arn:aws:", "arn:<partition>:"),
        ]
        self.key_values = []
        self.unordered_keys = set()
        self.bound = {}  # placeholder -> actual text
        self.bound_rev = {}  # actual text -> placeholder
        self.matched = set()

    # transformers
    def add_transformer(self, transformer, priority=0):
        if isinstance(transformer, (list, tuple)):
            for t in transformer:
                self.add_transformer(t, priority)
            return
        if isinstance(transformer, SortingTransformer):
            self.unordered_keys.add(transformer.key)
        elif isinstance(transformer, RegexTransformer):
            self.regexes.insert(0, transformer)
        elif isinstance(transformer, KeyValueTransformer):
            self.key_values.append(transformer)

    def add_transformers_list(self, transformers):
        self.add_transformer(transformers)

    # matching
    def _transform_actual(self, value):
        # _plain builds a new structure (and reads a StreamingBody, which cannot be copied).
        value = copy.deepcopy(_plain(value))
        if isinstance(value, dict) and "ResponseMetadata" in value:
            md = value["ResponseMetadata"]
            value["ResponseMetadata"] = {"HTTPHeaders": {}, "HTTPStatusCode": md["HTTPStatusCode"]}

        def kv(v):
            if isinstance(v, dict):
                for k in list(v):
                    for t in self.key_values:
                        if k == t.key:
                            v[k] = t.replacement
                    kv(v[k])
            elif isinstance(v, list):
                for x in v:
                    kv(x)

        kv(value)
        text = json.dumps(value)
        for t in self.regexes:
            text = t.regex.sub(t.replacement.replace("\\", "\\\\"), text)
        return json.loads(text)

    def match(self, key, value):
        assert key in self.recorded, f"snapshot key {key!r} was not recorded against AWS"
        assert key not in self.matched, f"snapshot key {key!r} matched twice"
        self.matched.add(key)
        actual = self._transform_actual(value)
        errors = []
        state = (dict(self.bound), dict(self.bound_rev))
        self._cmp(self.recorded[key], actual, [key], errors, state)
        if errors:
            raise AssertionError(
                f"snapshot {key!r} differs from AWS's recorded answer:\n  "
                + "\n  ".join(errors)
                + f"\nrecorded: {json.dumps(self.recorded[key], indent=1)[:3000]}"
                + f"\nactual:   {json.dumps(actual, indent=1)[:3000]}"
            )
        self.bound, self.bound_rev = state

    def _skipped(self, path):
        return any(_path_matches(p, path) for p in self.skip)

    def _cmp(self, rec, act, path, errors, state):
        if self._skipped(path):
            return
        where = "$." + ".".join(str(p) for p in path)
        if isinstance(rec, dict):
            if not isinstance(act, dict):
                errors.append(f"{where}: recorded an object, got {act!r}")
                return
            for k in rec:
                if k not in act and not self._skipped(path + [k]):
                    errors.append(f"{where}: member {k!r} missing (recorded {rec[k]!r})")
            for k in act:
                if k not in rec and not self._skipped(path + [k]):
                    errors.append(f"{where}: unexpected member {k!r} = {act[k]!r}")
            for k in rec:
                if k in act:
                    self._cmp(rec[k], act[k], path + [k], errors, state)
            return
        if isinstance(rec, list):
            if not isinstance(act, list):
                errors.append(f"{where}: recorded a list, got {act!r}")
                return
            if len(rec) != len(act):
                errors.append(f"{where}: recorded {len(rec)} items, got {len(act)}")
                return
            if path and path[-1] in self.unordered_keys:
                used = set()
                for i, r in enumerate(rec):
                    for j, a in enumerate(act):
                        if j in used:
                            continue
                        trial = (dict(state[0]), dict(state[1]))
                        errs = []
                        self._cmp(r, a, path + [i], errs, trial)
                        if not errs:
                            used.add(j)
                            state[0].clear()
                            state[0].update(trial[0])
                            state[1].clear()
                            state[1].update(trial[1])
                            break
                    else:
                        errors.append(f"{where}[{i}]: no actual item matches {r!r}")
                return
            for i, (r, a) in enumerate(zip(rec, act)):
                self._cmp(r, a, path + [i], errors, state)
            return
        if isinstance(rec, str) and PLACEHOLDER.search(rec):
            if not isinstance(act, str):
                if isinstance(act, (int, float)) and not isinstance(act, bool):
                    act = str(act)
                else:
                    errors.append(f"{where}: recorded {rec!r}, got {act!r}")
                    return
            names = []
            pattern = ""
            pos = 0
            for m in PLACEHOLDER.finditer(rec):
                pattern += re.escape(rec[pos : m.start()])
                name = m.group(0)
                if ":" in name:
                    pattern += "(.+?)"
                    names.append(name)
                pos = m.end()
            pattern += re.escape(rec[pos:])
            m = re.fullmatch(pattern, act, re.S)
            if not m:
                errors.append(f"{where}: recorded {rec!r}, got {act!r}")
                return
            bound, bound_rev = state
            for name, text in zip(names, m.groups()):
                if name in bound and bound[name] != text:
                    errors.append(
                        f"{where}: {name} stood for {bound[name]!r} before, here {text!r}"
                    )
                elif text in bound_rev and bound_rev[text] != name:
                    errors.append(
                        f"{where}: {text!r} is {name} here but was {bound_rev[text]} before"
                    )
                else:
                    bound[name] = text
                    bound_rev[text] = name
            return
        if (
            isinstance(rec, str)
            and isinstance(act, str)
            and PORTICO_ACCOUNT in rec
            and act.replace("111111111111", PORTICO_ACCOUNT) == rec
        ):
            # The test's own document wrote `000000000000`, which AWS kept as it was; it is
            # Portico's account too, so the account rule turned it into LocalStack's.
            return
        if type(rec) is not type(act) or rec != act:
            if isinstance(rec, (int, float)) and isinstance(act, (int, float)) and rec == act:
                if type(rec) is bool or type(act) is bool:
                    errors.append(f"{where}: recorded {rec!r}, got {act!r}")
                return
            errors.append(f"{where}: recorded {rec!r}, got {act!r}")

    def unmatched(self):
        return [k for k in self.recorded if k not in self.matched]
