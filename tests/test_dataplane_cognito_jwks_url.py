"""`[[user_pools]] jwks_url`: a user pool's keys fetched over HTTP from a small JWKS server the
test runs, when a token names a key the pool does not hold (the first token, a key rotation),
at most once per `jwks_refresh_secs`; a JWKS that cannot be had makes the authorizer unable to
run (AWS's 500 `{"message": null}`)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import make_client
from portico_server import CONFIG, Server
from test_dataplane_cognito import POOL, call, guarded, token


def jwk(key, kid):
    k = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    k.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return k


class JwksServer:
    """Serves `self.doc` at /jwks.json (status `self.status`), counting the fetches."""

    def __init__(self):
        self.doc = {"keys": []}
        self.status = 200
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                body = json.dumps(outer.doc).encode()
                self.send_response(outer.status if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def keys():
    return [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)]


def start(jwks, refresh=None):
    extra = f"jwks_refresh_secs = {refresh}\n" if refresh else ""
    return Server(config=CONFIG + f'\n[[user_pools]]\narn = "{POOL}"\n'
                  f'jwks_url = "{jwks.url}"\n{extra}').start()


@pytest.fixture
def jwks():
    j = JwksServer()
    yield j
    j.close()


def guarded_api(server):
    apigw = make_client(server)
    api_id = apigw.create_rest_api(name="cognito-url")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    guarded(apigw, api_id, root)
    return api_id


def test_keys_are_fetched_when_first_needed_and_kept(jwks, keys):
    jwks.doc = {"keys": [jwk(keys[0], "key-1")]}
    s = start(jwks)
    try:
        assert jwks.fetches == 0, "nothing is fetched before a token needs it"
        api_id = guarded_api(s)
        r = call(s, api_id, token(keys[0]))
        assert r.status_code == 200, r.text
        assert r.json()["sub"] == "user-1"
        assert call(s, api_id, token(keys[0])).status_code == 200
        assert jwks.fetches == 1
        # A key rotated in is not fetched again within jwks_refresh_secs (default 60 s): a
        # flood of unknown kids cannot flood the JWKS server.
        jwks.doc = {"keys": [jwk(keys[0], "key-1"), jwk(keys[1], "key-2")]}
        for _ in range(3):
            r = call(s, api_id, token(keys[1], kid="key-2"))
            assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
        assert jwks.fetches == 1
    finally:
        s.close()


def test_a_rotated_key_is_fetched_after_the_refresh_interval(jwks, keys):
    jwks.doc = {"keys": [jwk(keys[0], "key-1")]}
    s = start(jwks, refresh=1)
    try:
        api_id = guarded_api(s)
        assert call(s, api_id, token(keys[0])).status_code == 200
        fetched_at = time.monotonic()
        jwks.doc = {"keys": [jwk(keys[1], "key-2")]}
        # The first unknown kid within the interval is refused without a fetch; once the
        # interval has passed, the next one fetches the rotated JWKS and passes.
        statuses = []
        deadline = fetched_at + 5
        while time.monotonic() < deadline:
            r = call(s, api_id, token(keys[1], kid="key-2"))
            statuses.append(r.status_code)
            if r.status_code == 200:
                break
            assert time.monotonic() - fetched_at < 1.5, "refused after the interval passed"
            time.sleep(0.2)
        assert statuses[-1] == 200, statuses
        assert jwks.fetches == 2
        # The old key is gone with the rotation.
        r = call(s, api_id, token(keys[0]))
        assert r.status_code == 401
    finally:
        s.close()


def test_a_jwks_that_cannot_be_fetched_is_a_configuration_error(jwks, keys):
    jwks.status = 500
    s = start(jwks)
    try:
        api_id = guarded_api(s)
        r = call(s, api_id, token(keys[0]))
        assert (r.status_code, r.json()) == (500, {"message": None})
        assert r.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"
    finally:
        s.close()


@pytest.mark.parametrize("entry, why", [
    ('jwks_url = "ftp://example/jwks.json"', "not an http(s) URL"),
    ('jwks_url = "http://127.0.0.1:9/j"\njwks_refresh_secs = 0', "jwks_refresh_secs"),
    ('jwks_url = "http://127.0.0.1:9/j"\njwks_file = "/x.json"', "exactly one"),
])
def test_a_bad_jwks_url_entry_stops_the_start(entry, why):
    s = Server(config=CONFIG + f'\n[[user_pools]]\narn = "{POOL}"\n{entry}\n')
    with pytest.raises(RuntimeError) as e:
        s.start()
    assert why in str(e.value)
    s.tmp.cleanup()
