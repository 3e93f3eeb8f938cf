"""Moto's apigatewayv2 tests against a real Portico server.

Every test starts on a reset server (`POST /moto-api/reset`, as moto's server mode), and
`boto3.client(...)` made inside a test talks to that server: the test's own region, moto's
`FOOBARKEY` credentials (accepted by `accept_any_key = true`, account 000000000000), no retries.
"""
import os
import sys
import urllib.request

import pytest

# This directory is a package (its conftest must not shadow tests/conftest.py as `conftest`);
# the tests import the shim as the top-level module `moto_shim`.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from portico_server import CONFIG, Server  # noqa: E402

NO_RETRY = Config(retries={"total_max_attempts": 1})


@pytest.fixture(scope="session")
def moto_server():
    s = Server(config="accept_any_key = true\n" + CONFIG).start()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def portico_backend(moto_server, monkeypatch):
    req = urllib.request.Request(moto_server.url + "/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200
    real_client = boto3.client

    def client(service, *args, **kwargs):
        kwargs.setdefault("endpoint_url", moto_server.url)
        kwargs.setdefault("aws_access_key_id", "FOOBARKEY")
        kwargs.setdefault("aws_secret_access_key", "FOOBARSECRET")
        kwargs.setdefault("config", NO_RETRY)
        return real_client(service, *args, **kwargs)

    monkeypatch.setattr(boto3, "client", client)
    yield moto_server
