"""Functions really run: Python handlers zipped here, run by Portico's runtime host as child
processes behind its Runtime API; a Node.js handler; a provided.al2023 bootstrap running the
real awslambdaric client."""
import base64
import json
import os
import re
import shutil
import sys
import time

import pytest
from botocore.exceptions import ClientError

from lambda_helpers import ROLE, create, lambda_client, zip_of


@pytest.fixture
def lam(server):
    server.reset()
    return lambda_client(server)


def invoke(lam, name, event=None, **kw):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kw)
    body = r["Payload"].read()
    return r, (json.loads(body) if body else None)


def test_echo_and_headers(lam):
    create(lam, "echo")
    r, out = invoke(lam, "echo", {"hello": "world"})
    assert r["StatusCode"] == 200
    assert out == {"hello": "world"}
    assert r["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in r


def test_context_and_environment(lam):
    code = (
        "import os\n"
        "def handler(event, context):\n"
        "    return {\n"
        "        'name': context.function_name, 'arn': context.invoked_function_arn,\n"
        "        'id': context.aws_request_id, 'mem': context.memory_limit_in_mb,\n"
        "        'left': context.get_remaining_time_in_millis(),\n"
        "        'env': {k: os.environ.get(k) for k in ['MY_VAR', 'AWS_REGION', 'AWS_DEFAULT_REGION',\n"
        "                 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',\n"
        "                 '_HANDLER', 'LAMBDA_TASK_ROOT']},\n"
        "        'cwd': os.getcwd(),\n"
        "    }\n"
    )
    create(lam, "ctx", code, Environment={"Variables": {"MY_VAR": "hi"}}, MemorySize=256, Timeout=7)
    _, out = invoke(lam, "ctx")
    assert out["name"] == "ctx"
    assert out["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:ctx"
    assert len(out["id"]) == 36
    assert str(out["mem"]) == "256"
    assert 5000 < out["left"] <= 7000
    env = out["env"]
    assert env["MY_VAR"] == "hi"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "ctx"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] == out["cwd"]


def test_handler_exception_is_unhandled(lam):
    code = "def handler(event, context):\n    raise ValueError('boom')\n"
    create(lam, "raise", code)
    r, out = invoke(lam, "raise")
    assert r["StatusCode"] == 200
    assert r["FunctionError"] == "Unhandled"
    assert out["errorMessage"] == "boom"
    assert out["errorType"] == "ValueError"
    assert isinstance(out["stackTrace"], list) and "raise ValueError('boom')" in "".join(out["stackTrace"])
    assert len(out["requestId"]) == 36
    # The environment survives a handled exception.
    r, out = invoke(lam, "raise")
    assert out["errorType"] == "ValueError"


def test_import_error(lam):
    create(lam, "badmod", handler="nothere.handler")
    r, out = invoke(lam, "badmod")
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.ImportModuleError"
    assert out["errorMessage"].startswith("Unable to import module 'nothere'")


def test_timeout_kills_and_answers_awss_text(lam):
    code = "import time\ndef handler(event, context):\n    time.sleep(30)\n"
    create(lam, "slow", code, Timeout=1)
    started = time.monotonic()
    r, out = invoke(lam, "slow")
    assert time.monotonic() - started < 5
    assert r["FunctionError"] == "Unhandled"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} Task timed out after 1\.\d\d seconds",
        out["errorMessage"],
    ), out
    # A new environment answers the next call.
    lam.update_function_configuration(FunctionName="slow", Timeout=3)


def test_crash_is_runtime_exit_error(lam):
    code = "import os\ndef handler(event, context):\n    os._exit(3)\n"
    create(lam, "crash", code)
    r, out = invoke(lam, "crash")
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.ExitError"
    assert out["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")


def test_log_tail(lam):
    code = "def handler(event, context):\n    print('hello from the function')\n    return 1\n"
    create(lam, "logs", code)
    r, out = invoke(lam, "logs", LogType="Tail")
    assert out == 1
    log = base64.b64decode(r["LogResult"]).decode()
    assert "hello from the function" in log
    assert log.startswith("START RequestId: ")
    assert "END RequestId: " in log and "REPORT RequestId: " in log
    assert "Init Duration" in log
    r, _ = invoke(lam, "logs", LogType="Tail")
    log = base64.b64decode(r["LogResult"]).decode()
    assert log.count("hello from the function") == 1 and "Init Duration" not in log


def test_warm_environment_keeps_module_state(lam):
    code = "count = 0\ndef handler(event, context):\n    global count\n    count += 1\n    return count\n"
    create(lam, "warm", code)
    assert invoke(lam, "warm")[1] == 1
    assert invoke(lam, "warm")[1] == 2
    # New code: a new environment.
    lam.update_function_code(FunctionName="warm", ZipFile=zip_of({"app.py": code + "\n"}))
    assert invoke(lam, "warm")[1] == 1


def test_response_over_6mb(lam):
    code = "def handler(event, context):\n    return 'x' * (7 * 1024 * 1024)\n"
    create(lam, "big", code)
    r, out = invoke(lam, "big")
    assert r["FunctionError"] == "Unhandled"
    assert out == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    # Portico and the environment live on.
    assert invoke(lam, "big")[0]["FunctionError"] == "Unhandled"


def test_request_over_6mb(lam):
    create(lam, "echo")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="echo", Payload=json.dumps("x" * (6 * 1024 * 1024 + 10)))
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert err["Error"]["Code"] == "RequestTooLargeException"


def test_invocation_types(lam, server):
    code = (
        "import os\n"
        "def handler(event, context):\n"
        "    open(os.environ['MARK'], 'w').write('ran')\n"
    )
    mark = os.path.join(server.tmp.name, "event-mark")
    create(lam, "ev", code, Environment={"Variables": {"MARK": mark}})
    r = lam.invoke(FunctionName="ev", InvocationType="DryRun")
    assert r["StatusCode"] == 204
    assert not os.path.exists(mark)
    r = lam.invoke(FunctionName="ev", InvocationType="Event", Payload=b"{}")
    assert r["StatusCode"] == 202
    deadline = time.monotonic() + 5
    while not os.path.exists(mark) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert open(mark).read() == "ran"


def test_versions_and_aliases_run_their_code(lam):
    create(lam, "v", "def handler(e, c):\n    return 'one'\n", Publish=True)
    lam.update_function_code(FunctionName="v", ZipFile=zip_of({"app.py": "def handler(e, c):\n    return 'two'\n"}))
    lam.create_alias(FunctionName="v", Name="live", FunctionVersion="1")
    assert invoke(lam, "v")[1] == "two"
    r, out = invoke(lam, "v", Qualifier="1")
    assert (out, r["ExecutedVersion"]) == ("one", "1")
    r, out = invoke(lam, "v:live")
    assert (out, r["ExecutedVersion"]) == ("one", "1")
    r, out = invoke(lam, "arn:aws:lambda:us-east-1:000000000000:function:v:live")
    assert out == "one"


def test_invoke_errors(lam):
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="missing")
    err = e.value.response
    assert err["Error"]["Code"] == "ResourceNotFoundException"
    assert err["Error"]["Message"] == "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing"
    create(lam, "echo")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="echo", Payload=b"{not json")
    assert e.value.response["Error"]["Code"] == "InvalidRequestContentException"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_nodejs_handler(lam):
    code = {
        "index.js": "exports.handler = async (event, context) => ({ got: event, name: context.functionName });\n",
        "fail.js": "exports.handler = async () => { throw new TypeError('nope'); };\n",
    }
    create(lam, "node", code, handler="index.handler", runtime="nodejs20.x")
    r, out = invoke(lam, "node", {"a": 1})
    assert out == {"got": {"a": 1}, "name": "node"}
    create(lam, "nodefail", code, handler="fail.handler", runtime="nodejs20.x")
    r, out = invoke(lam, "nodefail")
    assert r["FunctionError"] == "Unhandled"
    assert (out["errorType"], out["errorMessage"]) == ("TypeError", "nope")
    esm = {"index.mjs": "export const handler = async (event) => ({ esm: event });\n"}
    create(lam, "nodeesm", esm, handler="index.handler", runtime="nodejs20.x")
    assert invoke(lam, "nodeesm", {"b": 2})[1] == {"esm": {"b": 2}}


def test_provided_runtime_with_awslambdaric(lam):
    """The real Runtime Interface Client (awslambdaric, PyPI) against Portico's Runtime API."""
    pytest.importorskip("awslambdaric")
    bootstrap = f"#!/bin/sh\nexec {sys.executable} -m awslambdaric fn.handler\n"
    files = {
        "bootstrap": bootstrap,
        "fn.py": "def handler(event, context):\n    if event.get('fail'):\n        raise KeyError('k')\n"
                 "    return {'ric': event, 'id': context.aws_request_id}\n",
    }
    lam.create_function(
        FunctionName="ric", Runtime="provided.al2023", Role=ROLE, Handler="fn.handler",
        Code={"ZipFile": zip_of(files, modes={"bootstrap": 0o755})},
    )
    r, out = invoke(lam, "ric", {"x": 1})
    assert r["StatusCode"] == 200 and "FunctionError" not in r, out
    assert out["ric"] == {"x": 1} and len(out["id"]) == 36
    r, out = invoke(lam, "ric", {"fail": True})
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "KeyError"


def test_provided_runtime_without_bootstrap(lam):
    lam.create_function(
        FunctionName="nob", Runtime="provided.al2", Role=ROLE, Handler="x",
        Code={"ZipFile": zip_of({"readme.txt": "no bootstrap"})},
    )
    r, out = invoke(lam, "nob")
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.InvalidEntrypoint"


def test_a_runtime_that_exits_while_idle_is_replaced(lam):
    """The handler answers, then its process exits: the next call runs in a new environment
    instead of answering the old one's death."""
    code = (
        "import os, threading\n"
        "def handler(event, context):\n"
        "    threading.Timer(0.2, lambda: os._exit(0)).start()\n"
        "    return os.getpid()\n"
    )
    create(lam, "quitter", code)
    first = invoke(lam, "quitter")[1]
    time.sleep(0.6)
    r, second = invoke(lam, "quitter")
    assert "FunctionError" not in r, second
    assert second != first


def test_concurrent_calls_get_their_own_environments(lam, tmp_path):
    """Calls that arrive together each get an environment (up to the cap): they run in
    parallel, in distinct processes. Each handler checks in at a barrier (a folder) and waits
    for all four: calls run one after another would never all get through it."""
    import threading
    code = ("import os, time\ndef handler(e, c):\n"
            "    open(os.path.join(e['dir'], str(os.getpid())), 'w').close()\n"
            "    deadline = time.time() + 10\n"
            "    while len(os.listdir(e['dir'])) < 4 and time.time() < deadline:\n"
            "        time.sleep(0.01)\n"
            "    return {'pid': os.getpid(), 'all_in': len(os.listdir(e['dir'])) == 4}\n")
    create(lam, "par", code, Timeout=15)
    runs = []
    clients = [lambda_client_for(lam) for _ in range(4)]
    payload = json.dumps({"dir": str(tmp_path)})
    def call(client):
        runs.append(json.loads(client.invoke(FunctionName="par", Payload=payload)["Payload"].read()))
    threads = [threading.Thread(target=call, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(runs) == 4 and len({r["pid"] for r in runs}) == 4
    assert all(r["all_in"] for r in runs)


def lambda_client_for(lam):
    """A client of its own (boto3 clients are not shared across threads here)."""
    import boto3
    return boto3.client("lambda", endpoint_url=lam.meta.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=lam.meta.config)


def test_client_context_reaches_the_handler(lam):
    code = "def handler(e, context):\n    return context.client_context\n"
    create(lam, "cc", code)
    cc = {"custom": {"k": "v"}, "env": {"platform": "test"}}
    r, out = invoke(lam, "cc", ClientContext=base64.b64encode(json.dumps(cc).encode()).decode())
    assert out == cc
    with pytest.raises(ClientError) as e:
        invoke(lam, "cc", ClientContext="%%%")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_a_runtime_portico_cannot_run_answers_501(lam):
    create(lam, "java", {"Hello.class": "x"}, handler="Hello::handleRequest", runtime="java21")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="java")
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert err["Error"]["Code"] == "NotImplementedException"
    assert "java21" in err["Error"]["Message"]
