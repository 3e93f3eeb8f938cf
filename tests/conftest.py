import boto3
import pytest
from botocore.config import Config

from portico_server import ACCOUNT_A, ACCOUNT_B, Server

NO_RETRY = Config(retries={"total_max_attempts": 1})


def make_client(server, account=ACCOUNT_A, region="us-east-1", service="apigateway", **kw):
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=account[0],
        aws_secret_access_key=account[1],
        config=kw.pop("config", NO_RETRY),
        **kw,
    )


@pytest.fixture(scope="session")
def server():
    s = Server().start()
    yield s
    s.close()


@pytest.fixture
def apigw(server):
    """A client of account A on a freshly reset server."""
    server.reset()
    return make_client(server)


@pytest.fixture
def apigw_b(server):
    return make_client(server, ACCOUNT_B)


@pytest.fixture
def api(apigw):
    """A fresh REST API; returns (id, root resource id)."""
    r = apigw.create_rest_api(name="fixture-api")
    return r["id"], r["rootResourceId"]


@pytest.fixture
def own_server():
    """A server of the test's own, for restarts and kills."""
    s = Server().start()
    yield s
    s.close()
