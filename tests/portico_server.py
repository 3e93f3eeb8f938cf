"""Start and stop the real `portico` binary for the conformance suite.

The binary is taken from $PORTICO_BIN, else target/release/portico, else target/debug/portico.
Each server gets a free loopback port and its own data directory, and two credentials:
`test`/`test` (account 000000000000) and a second key for tenant-isolation tests.
"""
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ACCOUNT_A = ("test", "test", "000000000000")
ACCOUNT_B = ("AKIDSECONDTENANT", "second-secret", "111111111111")

# More than one worker even on a one-CPU machine, so that the suite always crosses the
# acceptor's hand-off to worker threads.
WORKERS = 2

CONFIG = f"""
workers = {WORKERS}

[[credentials]]
access_key = "{ACCOUNT_A[0]}"
secret_key = "{ACCOUNT_A[1]}"
account_id = "{ACCOUNT_A[2]}"

[[credentials]]
access_key = "{ACCOUNT_B[0]}"
secret_key = "{ACCOUNT_B[1]}"
account_id = "{ACCOUNT_B[2]}"
"""


def binary():
    if os.environ.get("PORTICO_BIN"):
        return os.environ["PORTICO_BIN"]
    # The most recently built profile wins, so a stale release build never shadows a fresh
    # debug one during development.
    built = [os.path.join(ROOT, "target", p, "portico") for p in ("release", "debug")]
    built = [p for p in built if os.path.exists(p)]
    if built:
        return max(built, key=os.path.getmtime)
    raise RuntimeError("portico is not built: run `cargo build --release` first")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir=None, config=CONFIG, extra_args=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="portico-test-")
        self.data_dir = data_dir or os.path.join(self.tmp.name, "data")
        self.config_path = os.path.join(self.tmp.name, "portico.toml")
        with open(self.config_path, "w") as f:
            f.write(config)
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.tmp.name, "portico.log")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, port=None):
        self.port = port or free_port()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [binary(), "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
             "--config", self.config_path, *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PORTICO_LOG": os.environ.get("PORTICO_LOG", "info")},
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"portico exited with {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/_portico/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("portico did not become ready: " + self.log())

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        return self.proc.returncode if self.proc else None

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start(self.port)

    def reset(self):
        req = urllib.request.Request(self.url + "/_portico/reset", method="POST", data=b"")
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status == 200

    def close(self):
        self.stop()
        self.tmp.cleanup()
