"""Portico's Python runtime for Lambda functions: the Runtime API loop.

Portico starts `python3 bootstrap.py` in the function's unpacked code folder with Lambda's
environment (AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT...). It imports the handler's
module once (module state survives between invocations of this environment, as on AWS), then
asks for events, calls handler(event, context) and posts the result, or the error in AWS's
Python runtime shape: errorMessage, errorType, requestId, stackTrace.
"""
import http.client
import importlib
import json
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"


# One kept-alive connection to the Runtime API: a new one per call cost Portico an accept and a
# connection setup twice per invocation.
_conn = None


def request(method, path, body=None, headers=None):
    global _conn
    for attempt in (0, 1):
        if _conn is None:
            _conn = http.client.HTTPConnection(API)
        try:
            _conn.request(method, PREFIX + path, body=body, headers=headers or {})
            resp = _conn.getresponse()
            data = resp.read()
        except (http.client.HTTPException, OSError):
            # The connection was closed under us (before any answer): once more on a new one.
            _conn.close()
            _conn = None
            if attempt:
                raise
            continue
        if resp.will_close:
            _conn.close()
            _conn = None
        return (resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data)


def error_body(e, request_id, error_type=None, tb=None):
    if tb is None:
        tb = e.__traceback__
    frames = traceback.extract_tb(tb) if tb is not None else []
    return {
        "errorMessage": str(e),
        "errorType": error_type or type(e).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def log_error(body):
    print("[ERROR] %s: %s" % (body["errorType"], body["errorMessage"]), file=sys.stderr)
    if body["stackTrace"]:
        print("Traceback (most recent call last):\n" + "".join(body["stackTrace"]), file=sys.stderr)
    sys.stderr.flush()


def post(path, body, error_type=None):
    sys.stdout.flush()
    sys.stderr.flush()
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    request("POST", path, json.dumps(body).encode(), headers)


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id", "")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn", "")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        cc = headers.get("lambda-runtime-client-context")
        if cc:
            try:
                self.client_context = json.loads(cc)
            except ValueError:
                pass
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def load_handler():
    spec = os.environ.get("_HANDLER", "")
    try:
        module_name, func_name = spec.rsplit(".", 1)
    except ValueError as e:
        return None, ("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (spec, e))
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        return None, ("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        return None, ("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e))
    except Exception as e:  # noqa: BLE001 - AWS reports any import-time failure
        return None, (type(e).__name__, str(e))
    fn = getattr(module, func_name, None)
    if fn is None:
        return None, ("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (func_name, module_name))
    return fn, None


def main():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    handler, init_error = load_handler()
    if init_error is not None:
        error_type, message = init_error
        body = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
        log_error(body)
        post("/init/error", body, error_type)
        sys.exit(1)
    while True:
        status, headers, data = request("GET", "/invocation/next")
        if status != 200:
            time.sleep(0.01)
            continue
        context = Context(headers)
        request_id = context.aws_request_id
        try:
            event = json.loads(data) if data else None
        except ValueError as e:
            body = error_body(e, request_id, "Runtime.UnmarshalError")
            log_error(body)
            post("/invocation/%s/error" % request_id, body, body["errorType"])
            continue
        try:
            result = handler(event, context)
        except Exception as e:  # noqa: BLE001 - every handler exception is reported
            body = error_body(e, request_id)
            log_error(body)
            post("/invocation/%s/error" % request_id, body, body["errorType"])
            continue
        try:
            payload = json.dumps(result).encode()
        except (TypeError, ValueError) as e:
            body = {
                "errorMessage": "Unable to marshal response: %s" % e,
                "errorType": "Runtime.MarshalError",
                "requestId": request_id,
                "stackTrace": [],
            }
            log_error(body)
            post("/invocation/%s/error" % request_id, body, body["errorType"])
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        request("POST", "/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
