"""Start and stop the real `portico` binary for the conformance suite.

The binary is taken from $PORTICO_BIN, else target/release/portico, else target/debug/portico.
Each server gets a free loopback port and its own data directory, and two credentials:
`test`/`test` (account 000000000000) and a second key for tenant-isolation tests.

The store switch: with PORTICO_TEST_STORE=postgres, every server keeps its state in a fresh
PostgreSQL database of its own (created on PORTICO_TEST_PG, default
postgres://postgres@127.0.0.1:5432, at its first start; dropped when it is closed, or at exit),
instead of SQLite in its data directory. `Server(database_url=...)` shares an existing
database (cluster tests); such a server never drops it.
"""
import atexit
import itertools
import os
import secrets
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


STORE = os.environ.get("PORTICO_TEST_STORE", "sqlite")
if STORE not in ("sqlite", "postgres"):
    raise RuntimeError(f"PORTICO_TEST_STORE must be sqlite or postgres, not {STORE!r}")
PG_SERVER = os.environ.get("PORTICO_TEST_PG", "postgres://postgres@127.0.0.1:5432")
_DATABASES = itertools.count()
_CREATED = set()


def psql(sql, database="postgres", server=None):
    """Run SQL on PostgreSQL through psql (the client ships with the server; no Python driver
    needed). Raises with psql's message on failure."""
    url = f"{server or PG_SERVER}/{database}"
    r = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"psql {url}: {r.stderr.strip()}")
    return r.stdout


def create_database(server=None):
    """A new, empty database; returns its URL."""
    name = f"portico_t_{os.getpid()}_{next(_DATABASES)}_{secrets.token_hex(3)}"
    psql(f"CREATE DATABASE {name}", server=server)
    _CREATED.add((server or PG_SERVER, name))
    return f"{server or PG_SERVER}/{name}"


def drop_database(url):
    base, name = url.rsplit("/", 1)
    try:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", server=base)
    finally:
        _CREATED.discard((base, name))


@atexit.register
def _drop_leftovers():
    for base, name in list(_CREATED):
        try:
            drop_database(f"{base}/{name}")
        except Exception:  # noqa: BLE001 - best effort at exit; the database may be gone
            pass


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
    def __init__(self, data_dir=None, config=CONFIG, extra_args=(), database_url=None,
                 store=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="portico-test-")
        # `database_url` given: a node of a cluster sharing it. Else, under the postgres switch,
        # a database of this server's own, made at its first start.
        self.database_url = database_url
        self.owns_database = False
        # `store="sqlite"` pins the embedded store whatever the switch says (a migration's
        # source).
        self.store = store or ("postgres" if (database_url or STORE == "postgres") else "sqlite")
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
        if self.store == "postgres" and self.database_url is None:
            self.database_url = create_database()
            self.owns_database = True
        store_args = ["--database-url", self.database_url] if self.database_url else []
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [binary(), "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
             "--config", self.config_path, *store_args, *self.extra_args],
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
        if self.owns_database:
            drop_database(self.database_url)
            self.owns_database = False
        self.tmp.cleanup()
