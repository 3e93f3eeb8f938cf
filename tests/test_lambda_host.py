"""The runtime host's limits, from the config file's [lambda] section: the concurrency cap
(over it, AWS's 429 TooManyRequestsException) and idle environments reaped."""
import json
import threading
import time

import pytest
from botocore.exceptions import ClientError

from lambda_helpers import create, lambda_client
from portico_server import CONFIG, Server


@pytest.fixture(scope="module")
def capped():
    s = Server(config=CONFIG + "\n[lambda]\nmax_concurrency = 1\nidle_timeout_secs = 1\n").start()
    yield s
    s.close()


def test_concurrency_cap_throttles(capped):
    lam = lambda_client(capped)
    create(lam, "sleepy", "import time\ndef handler(e, c):\n    time.sleep(1)\n    return 'done'\n")
    results = []
    t = threading.Thread(target=lambda: results.append(
        lam.invoke(FunctionName="sleepy")["Payload"].read()))
    t.start()
    time.sleep(0.4)
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="sleepy")
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert err["Error"]["Code"] == "TooManyRequestsException"
    t.join()
    assert results == [b'"done"']


def test_idle_environments_are_reaped(capped):
    lam = lambda_client(capped)
    code = "n = 0\ndef handler(e, c):\n    global n\n    n += 1\n    return n\n"
    create(lam, "counter", code)
    one = lambda: json.loads(lam.invoke(FunctionName="counter")["Payload"].read())
    assert one() == 1
    assert one() == 2
    time.sleep(2.5)
    assert one() == 1


def test_a_bad_lambda_config_stops_the_start():
    s = Server(config=CONFIG + "\n[lambda]\nmax_concurency = 3\n")
    with pytest.raises(RuntimeError):
        s.start()
    s.tmp.cleanup()


def test_children_do_not_outlive_portico():
    import subprocess
    s = Server().start()
    lam = lambda_client(s)
    create(lam, "orphan", "def handler(e, c):\n    return 1\n")
    lam.invoke(FunctionName="orphan")
    marker = s.data_dir
    def children():
        out = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout
        return [p for p in out.split() if p]
    assert children(), "the function's runtime should be running"
    s.stop()
    deadline = time.monotonic() + 3
    while children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children() == []
    s.tmp.cleanup()
