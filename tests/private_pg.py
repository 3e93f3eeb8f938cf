"""A PostgreSQL instance of a test's own (initdb and pg_ctl in a temp dir, on a free port), for
tests that restart it or configure it (TLS) without disturbing the shared server."""
import glob
import os
import shutil
import subprocess
import tempfile

from portico_server import free_port


class PrivatePostgres:
    """A PostgreSQL instance of this test's own, so restarting it disturbs no one else."""

    def __init__(self, setup=None):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise RuntimeError("PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) are missing")
        self.bin = bins[-1]
        self.dir = tempfile.mkdtemp(prefix="portico-pg-")
        self.port = free_port()
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "log")
        # initdb refuses to run as root: the cluster belongs to the postgres user then.
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres")
        # A test's own settings (certificates, pg_hba.conf) before the first start.
        if setup:
            setup(self)
        self.pg_ctl("start")

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def run(self, tool, *args):
        r = subprocess.run([*self.as_user, os.path.join(self.bin, tool), *args],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"{tool} failed: {r.stdout}{r.stderr}")

    def pg_ctl(self, action):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-m", "fast", action)

    def close(self):
        try:
            self.run("pg_ctl", "-D", self.data, "-w", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
