"""Response streaming: a runtime that streams its answer through the Runtime API
(`Lambda-Runtime-Function-Response-Mode: streaming`, a chunked body, an error in the trailers),
read back with boto3's InvokeWithResponseStream (AWS's event stream: PayloadChunk events, then
InvokeComplete) and with plain Invoke."""
import base64
import json

from lambda_helpers import ROLE, create, lambda_client, zip_of

# A custom runtime (provided.al2023) in plain Python: the Runtime API client is written out,
# so the streamed POST is exactly what goes over the socket.
RUNTIME = r'''
import base64, http.client, json, os
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
while True:
    c = http.client.HTTPConnection(host, int(port))
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    event = json.loads(r.read())
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    c.close()
    c = http.client.HTTPConnection(host, int(port))
    c.putrequest("POST", f"/2018-06-01/runtime/invocation/{rid}/response")
    c.putheader("Lambda-Runtime-Function-Response-Mode", "streaming")
    c.putheader("Transfer-Encoding", "chunked")
    c.putheader("Content-Type", "text/plain")
    c.putheader("Trailer", "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body")
    c.endheaders()
    for i in range(event.get("n", 3)):
        chunk = f"chunk {i}\n".encode() * event.get("repeat", 1)
        c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    if event.get("fail"):
        c.send(b"0\r\nLambda-Runtime-Function-Error-Type: Runtime.StreamBroke\r\n"
               b"Lambda-Runtime-Function-Error-Body: " + base64.b64encode(b"broke mid-stream")
               + b"\r\n\r\n")
    else:
        c.send(b"0\r\n\r\n")
    c.getresponse().read()
    c.close()
'''

BOOTSTRAP = '#!/bin/sh\nexec python3 "$LAMBDA_TASK_ROOT/runtime.py"\n'


def streamer(lam, name):
    lam.create_function(
        FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler="x",
        Code={"ZipFile": zip_of({"bootstrap": BOOTSTRAP, "runtime.py": RUNTIME},
                                modes={"bootstrap": 0o755})})


def events(r):
    return [e for e in r["EventStream"]]


def test_a_streamed_answer_arrives_as_payload_chunks(server):
    lam = lambda_client(server)
    streamer(lam, "streamer")
    r = lam.invoke_with_response_stream(FunctionName="streamer", Payload=json.dumps({"n": 3}),
                                        LogType="Tail")
    assert r["StatusCode"] == 200 and r["ExecutedVersion"] == "$LATEST"
    assert r["ResponseStreamContentType"] == "text/plain"
    evs = events(r)
    body = b"".join(e["PayloadChunk"]["Payload"] for e in evs if "PayloadChunk" in e)
    assert body == b"chunk 0\nchunk 1\nchunk 2\n"
    complete = evs[-1]["InvokeComplete"]
    assert "ErrorCode" not in complete
    assert "START RequestId" in base64.b64decode(complete["LogResult"]).decode()


def test_a_large_stream_is_split_and_may_pass_the_6_mb_of_invoke(server):
    lam = lambda_client(server)
    streamer(lam, "big-streamer")
    # 8 chunks of 1 MB: over Invoke's 6 MB, within the 20 MB of a stream.
    line = "chunk 0\n"
    payload = {"n": 8, "repeat": 131072}
    evs = events(lam.invoke_with_response_stream(FunctionName="big-streamer",
                                                 Payload=json.dumps(payload)))
    chunks = [e["PayloadChunk"]["Payload"] for e in evs if "PayloadChunk" in e]
    assert len(chunks) > 1
    assert sum(len(c) for c in chunks) == 8 * 131072 * len(line)
    assert "ErrorCode" not in evs[-1]["InvokeComplete"]
    r = lam.invoke(FunctionName="big-streamer", Payload=json.dumps(payload))
    assert r["FunctionError"] == "Unhandled"
    assert json.loads(r["Payload"].read())["errorType"] == "Function.ResponseSizeTooLarge"


def test_a_mid_stream_error_is_reported_by_invoke_complete(server):
    lam = lambda_client(server)
    streamer(lam, "breaker")
    evs = events(lam.invoke_with_response_stream(FunctionName="breaker",
                                                 Payload=json.dumps({"n": 2, "fail": True})))
    body = b"".join(e["PayloadChunk"]["Payload"] for e in evs if "PayloadChunk" in e)
    assert body == b"chunk 0\nchunk 1\n"
    complete = evs[-1]["InvokeComplete"]
    assert (complete["ErrorCode"], complete["ErrorDetails"]) == (
        "Runtime.StreamBroke", "broke mid-stream")
    # Through plain Invoke, the same failure is the function's error.
    r = lam.invoke(FunctionName="breaker", Payload=json.dumps({"n": 2, "fail": True}))
    assert r["FunctionError"] == "Unhandled"
    assert json.loads(r["Payload"].read()) == {"errorType": "Runtime.StreamBroke",
                                               "errorMessage": "broke mid-stream"}


def test_plain_invoke_of_a_streaming_function_gets_the_whole_answer(server):
    lam = lambda_client(server)
    streamer(lam, "streamer-plain")
    r = lam.invoke(FunctionName="streamer-plain", Payload=json.dumps({"n": 2}))
    assert "FunctionError" not in r
    assert r["Payload"].read() == b"chunk 0\nchunk 1\n"


def test_a_buffered_function_through_the_stream_api(server):
    lam = lambda_client(server)
    create(lam, "buffered", "def handler(e, c):\n    if e.get('boom'):\n"
                            "        raise ValueError('no')\n    return {'ok': e}\n")
    evs = events(lam.invoke_with_response_stream(FunctionName="buffered", Payload=b'{"a": 1}'))
    assert [list(e) for e in evs] == [["PayloadChunk"], ["InvokeComplete"]]
    assert json.loads(evs[0]["PayloadChunk"]["Payload"]) == {"ok": {"a": 1}}
    evs = events(lam.invoke_with_response_stream(FunctionName="buffered",
                                                 Payload=b'{"boom": true}'))
    complete = evs[-1]["InvokeComplete"]
    assert complete["ErrorCode"] == "ValueError"
    assert json.loads(complete["ErrorDetails"])["errorMessage"] == "no"
    r = lam.invoke_with_response_stream(FunctionName="buffered", InvocationType="DryRun")
    assert r["StatusCode"] == 204
