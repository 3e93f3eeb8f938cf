"""`MemorySize` limits the function's processes, as AWS's execution environment does: a function
whose resident memory grows past it is killed and answers AWS's out-of-memory error; the next
invocation gets a fresh environment; one that stays within it is untouched."""
import base64
import json

from lambda_helpers import create, lambda_client

HOG_PY = """
def handler(event, context):
    if event.get("mb"):
        hog = b"x" * (event["mb"] * 1024 * 1024)
        return len(hog)
    return "small"
"""

HOG_JS = """
exports.handler = async (event) => {
  const hog = Buffer.alloc(event.mb * 1024 * 1024, 1);
  return hog.length;
};
"""


def test_a_python_function_over_its_memory_size_is_killed(server):
    lam = lambda_client(server)
    create(lam, "hog", HOG_PY, MemorySize=128, Timeout=10)
    # Within the limit: answered, and the environment stays warm.
    r = lam.invoke(FunctionName="hog", Payload=json.dumps({"mb": 32}))
    assert "FunctionError" not in r and json.loads(r["Payload"].read()) == 32 * 1024 * 1024
    r = lam.invoke(FunctionName="hog", Payload=json.dumps({"mb": 400}), LogType="Tail")
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(r["Payload"].read())
    assert err["errorType"] == "Runtime.OutOfMemory"
    assert err["errorMessage"].startswith("RequestId: ")
    assert err["errorMessage"].endswith(" Error: Runtime exited with error: signal: killed")
    log = base64.b64decode(r["LogResult"]).decode()
    assert "Memory Size: 128 MB" in log
    used = int(log.split("Max Memory Used: ")[1].split(" MB")[0])
    assert used >= 128
    # A fresh environment answers the next call.
    r = lam.invoke(FunctionName="hog", Payload=b"{}")
    assert json.loads(r["Payload"].read()) == "small"


def test_a_larger_memory_size_lets_the_same_allocation_through(server):
    lam = lambda_client(server)
    create(lam, "roomy", HOG_PY, MemorySize=1024, Timeout=10)
    r = lam.invoke(FunctionName="roomy", Payload=json.dumps({"mb": 400}))
    assert "FunctionError" not in r, r["Payload"].read()


def test_a_node_function_over_its_memory_size_is_killed(server):
    lam = lambda_client(server)
    create(lam, "hog-js", {"index.js": HOG_JS}, handler="index.handler",
           runtime="nodejs20.x", MemorySize=128, Timeout=10)
    r = lam.invoke(FunctionName="hog-js", Payload=json.dumps({"mb": 400}))
    assert r["FunctionError"] == "Unhandled"
    assert json.loads(r["Payload"].read())["errorType"] == "Runtime.OutOfMemory"
