"""`accept_any_key = true`: moto/LocalStack-style access with arbitrary keys, loopback only.

An access key that is not configured is accepted without verifying its signature; its account
is the key id when that is 12 digits, else 000000000000. Configured keys are still verified."""
import datetime
import subprocess

import botocore.auth
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config

from conftest import make_client
from helpers import expect_error
from portico_server import ACCOUNT_A, ACCOUNT_B, CONFIG, Server, binary

FOOBAR = ("FOOBARKEY", "FOOBARSECRET", "")  # what moto's own suite signs with
TWELVE = ("123456789012", "whatever", "")


@pytest.fixture(scope="module")
def any_key_server():
    s = Server(config="accept_any_key = true\n" + CONFIG).start()
    yield s
    s.close()


@pytest.fixture
def any_key(any_key_server):
    any_key_server.reset()
    return any_key_server


def test_any_key_works_in_the_seeded_account(any_key):
    foobar = make_client(any_key, FOOBAR)
    api = foobar.create_rest_api(name="moto-style")
    assert [a["id"] for a in foobar.get_rest_apis()["items"]] == [api["id"]]
    # Account 000000000000 is the `test` key's: it sees the API, and the other way round.
    test = make_client(any_key, ACCOUNT_A)
    assert test.get_rest_api(restApiId=api["id"])["name"] == "moto-style"
    other = make_client(any_key, ("AKIAANYTHINGELSE", "x", ""))
    assert [a["id"] for a in other.get_rest_apis()["items"]] == [api["id"]]
    # The region still comes from the signature's scope.
    assert make_client(any_key, FOOBAR, region="eu-west-1").get_rest_apis()["items"] == []


def test_a_twelve_digit_key_is_its_own_account(any_key):
    mine = make_client(any_key, TWELVE)
    seeded = make_client(any_key, FOOBAR)
    own = mine.create_rest_api(name="own")
    theirs = seeded.create_rest_api(name="seeded")
    assert [a["name"] for a in mine.get_rest_apis()["items"]] == ["own"]
    assert [a["name"] for a in seeded.get_rest_apis()["items"]] == ["seeded"]
    expect_error(lambda: mine.get_rest_api(restApiId=theirs["id"]), "NotFoundException",
                 f"Invalid API identifier specified 123456789012:{theirs['id']}", 404)
    # Any secret will do for an unconfigured key.
    again = make_client(any_key, ("123456789012", "another secret", ""))
    assert again.get_rest_api(restApiId=own["id"])["name"] == "own"


def test_configured_keys_are_still_verified(any_key):
    expect_error(lambda: make_client(any_key, (ACCOUNT_A[0], "not-the-secret", "")).get_rest_apis(),
                 "InvalidSignatureException", status=403,
                 contains="The request signature we calculated does not match")
    b = make_client(any_key, ACCOUNT_B)
    b.create_rest_api(name="b")
    assert [a["name"] for a in b.get_rest_apis()["items"]] == ["b"]
    assert make_client(any_key, FOOBAR).get_rest_apis()["items"] == []


def test_a_signature_is_still_required(any_key):
    unsigned = make_client(any_key, config=Config(signature_version=UNSIGNED,
                                                  retries={"total_max_attempts": 1}))
    expect_error(lambda: unsigned.get_rest_apis(), "MissingAuthenticationTokenException", status=403)


def test_an_unknown_keys_date_is_not_checked_either(any_key, monkeypatch):
    """Nothing of an unknown key's signature is verified, its date neither: moto's suites freeze
    the clock (freezegun) and still expect their calls to work."""
    frozen = datetime.datetime(2015, 1, 1, tzinfo=datetime.timezone.utc)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: frozen)
    api = make_client(any_key, FOOBAR).create_rest_api(name="in 2015")
    assert make_client(any_key, TWELVE).get_rest_apis()["items"] == []
    # A configured key is verified, date included.
    expect_error(lambda: make_client(any_key, ACCOUNT_A).get_rest_api(restApiId=api["id"]),
                 "InvalidSignatureException", status=403, contains="Signature expired: 20150101T000000Z")


def test_a_call_for_another_service_is_refused(any_key):
    """A moto suite also calls Cognito, Lambda...: scoped to another service, such a call is
    not taken for an API Gateway one."""
    cognito = make_client(any_key, FOOBAR, service="cognito-idp")
    expect_error(lambda: cognito.create_user_pool(PoolName="p"), "403", status=403,
                 message="Credential should be scoped to correct service: 'apigateway'. ")


def test_a_presigned_url_with_any_key_works(any_key):
    foobar = make_client(any_key, FOOBAR)
    foobar.create_rest_api(name="presigned")
    url = foobar.generate_presigned_url("get_rest_apis", ExpiresIn=60)
    assert "X-Amz-Credential=FOOBARKEY" in url
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text
    assert [a["name"] for a in r.json()["item"]] == ["presigned"]


def test_without_the_option_an_unknown_key_is_refused(server):
    expect_error(lambda: make_client(server, FOOBAR).get_rest_apis(), "UnrecognizedClientException",
                 "The security token included in the request is invalid.", 403)


@pytest.mark.parametrize("listen", ["0.0.0.0:0", "[::]:0"])
def test_accept_any_key_refuses_to_listen_beyond_loopback(tmp_path, listen):
    cfg = tmp_path / "portico.toml"
    # Configured keys would allow a network address; accept_any_key does not.
    cfg.write_text("accept_any_key = true\n" + CONFIG)
    p = subprocess.run([binary(), "serve", "--listen", listen, "--data-dir", str(tmp_path),
                        "--config", str(cfg)], capture_output=True, text=True, timeout=10)
    assert p.returncode == 2, p.stderr
    assert "refusing to listen on non-loopback address" in p.stderr, p.stderr
    assert "accept_any_key" in p.stderr, p.stderr
