"""The stage cache over real sockets: `cacheClusterEnabled`, method settings `caching/*`, an
integration's `cacheKeyParameters`, `Cache-Control: max-age=0` under each
`unauthorizedCacheControlHeaderStrategy`, FlushStageCache, and the hit/miss counters in
`/_portico/metrics`. A local HTTP backend counts the requests that reach it."""
import re
import time

import requests

from dataplane import add_resource, backend, deploy, http_method, invoke
from helpers import expect_error, replace

__all__ = ["backend"]


def cached_api(apigw, api, backend, *settings, enabled=True, method="GET"):
    """GET /items?q=… → HTTP_PROXY backend /items, with `q` in the cache key; the stage `prod`
    with its cache (`enabled`) and `settings` (patch operations)."""
    api_id, root = api
    res = add_resource(apigw, api_id, root, "items")
    http_method(apigw, api_id, res, backend.url + "/items", method=method,
                method_request_parameters={"method.request.querystring.q": False},
                cacheKeyParameters=["method.request.querystring.q"])
    deploy(apigw, api_id)
    ops = [replace("/cacheClusterEnabled", "true" if enabled else "false")]
    if enabled:
        ops.append(replace("/cacheClusterSize", "0.5"))
    if settings:
        # A `*/*` entry patched into being holds AWS's defaults, `cachingEnabled: false` among
        # them (as GetStage shows): caching must then be switched on there explicitly.
        ops.append(replace("/*/*/caching/enabled", "true"))
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=ops + list(settings))
    return api_id


def counter(server, name, api_id):
    text = requests.get(f"{server.url}/_portico/metrics", timeout=5).text
    m = re.search(rf'^portico_cache_{name}_total{{api_id="{api_id}",stage="prod"}} (\d+)', text, re.M)
    return int(m.group(1)) if m else 0


def get(server, api_id, query="", **kw):
    r = invoke(server, api_id, "prod", "/items" + query, **kw)
    assert r.status_code == 200, r.text
    return r


def test_a_second_get_is_served_from_the_cache_by_its_key(server, apigw, api, backend):
    api_id = cached_api(apigw, api, backend)
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert (stage["cacheClusterEnabled"], stage["cacheClusterStatus"]) == (True, "AVAILABLE")
    first = get(server, api_id, "?q=1")
    again = get(server, api_id, "?q=1")
    assert len(backend.requests) == 1
    assert again.content == first.content
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    # Every answer has its own request id, cached or not.
    assert again.headers["x-amzn-RequestId"] != first.headers["x-amzn-RequestId"]
    # Another value of a key parameter is another entry; a parameter outside the key is not.
    get(server, api_id, "?q=2")
    assert len(backend.requests) == 2
    get(server, api_id, "?q=2&unkeyed=x")
    assert len(backend.requests) == 2
    assert (counter(server, "hits", api_id), counter(server, "misses", api_id)) == (2, 2)


def test_entries_expire_after_their_ttl(server, apigw, api, backend):
    api_id = cached_api(apigw, api, backend, replace("/*/*/caching/ttlInSeconds", "1"))
    get(server, api_id)
    deadline = time.monotonic() + 10
    while len(backend.requests) < 2 and time.monotonic() < deadline:
        get(server, api_id)
        time.sleep(0.05)
    assert len(backend.requests) == 2, "the entry never expired"


def test_max_age_zero_refreshes_the_entry_when_anyone_may_invalidate(server, apigw, api, backend):
    api_id = cached_api(apigw, api, backend,
                        replace("/*/*/caching/requireAuthorizationForCacheControl", "false"))
    get(server, api_id)
    fresh = get(server, api_id, headers={"Cache-Control": "max-age=0"})
    assert len(backend.requests) == 2
    assert "Warning" not in fresh.headers
    # The fresh response replaced the entry.
    assert get(server, api_id).content == fresh.content
    assert len(backend.requests) == 2


def test_max_age_zero_from_an_unauthorized_caller_follows_the_strategy(server, apigw, api, backend):
    # AWS's defaults: authorization required, SUCCEED_WITH_RESPONSE_HEADER. With IAM not built,
    # no caller is authorized to invalidate.
    api_id = cached_api(apigw, api, backend)
    get(server, api_id)
    r = get(server, api_id, headers={"Cache-Control": "max-age=0"})
    assert len(backend.requests) == 1
    assert r.headers["Warning"].startswith("199 ")

    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        replace("/*/*/caching/enabled", "true"),
        replace("/*/*/caching/unauthorizedCacheControlHeaderStrategy",
                "SUCCEED_WITHOUT_RESPONSE_HEADER")])
    r = get(server, api_id, headers={"Cache-Control": "max-age=0"})
    assert len(backend.requests) == 1
    assert "Warning" not in r.headers

    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        replace("/*/*/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403")])
    r = invoke(server, api_id, "prod", "/items", headers={"Cache-Control": "max-age=0"})
    assert r.status_code == 403, r.text
    assert r.json() == {"message": "Unauthorized"}
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert len(backend.requests) == 1
    # Without the header the cache still answers.
    get(server, api_id)
    assert len(backend.requests) == 1


def test_flush_stage_cache_empties_it(server, apigw, api, backend):
    api_id = cached_api(apigw, api, backend)
    get(server, api_id)
    get(server, api_id)
    assert len(backend.requests) == 1
    apigw.flush_stage_cache(restApiId=api_id, stageName="prod")
    get(server, api_id)
    assert len(backend.requests) == 2
    expect_error(lambda: apigw.flush_stage_cache(restApiId=api_id, stageName="nope"),
                 "NotFoundException", "Invalid Stage identifier specified")


def test_without_the_cache_every_request_reaches_the_backend(server, apigw, api, backend):
    api_id = cached_api(apigw, api, backend, enabled=False)
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["cacheClusterStatus"] == "NOT_AVAILABLE"
    for _ in range(3):
        get(server, api_id)
    assert len(backend.requests) == 3
    assert counter(server, "hits", api_id) == 0


def test_only_get_is_cached_unless_method_settings_say_so(server, apigw, api, backend):
    api_id = cached_api(apigw, api, backend, method="POST")
    for _ in range(2):
        assert invoke(server, api_id, "prod", "/items", method="POST").status_code == 200
    assert len(backend.requests) == 2
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        replace("/~1items/POST/caching/enabled", "true")])
    for _ in range(2):
        assert invoke(server, api_id, "prod", "/items", method="POST").status_code == 200
    assert len(backend.requests) == 3


def test_caching_enabled_false_or_ttl_zero_turns_it_off(server, apigw, api, backend):
    api_id = cached_api(apigw, api, backend, replace("/*/*/caching/ttlInSeconds", "0"))
    get(server, api_id)
    get(server, api_id)
    assert len(backend.requests) == 2
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        replace("/*/*/caching/ttlInSeconds", "300"),
        replace("/*/*/caching/enabled", "false")])
    get(server, api_id)
    get(server, api_id)
    assert len(backend.requests) == 4


def test_a_streamed_body_is_cached_up_to_a_mebibyte(server, apigw, api, backend):
    api_id, root = api
    for name, size in (("big", 300_000), ("huge", 1_100_000)):
        res = add_resource(apigw, api_id, root, name)
        http_method(apigw, api_id, res, f"{backend.url}/big/{size}")
    deploy(apigw, api_id)
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        replace("/cacheClusterEnabled", "true")])
    for _ in range(2):
        r = invoke(server, api_id, "prod", "/big")
        assert r.status_code == 200 and len(r.content) == 300_000
    assert len(backend.requests) == 1
    # Over AWS's 1 MiB limit: served, never cached.
    for _ in range(2):
        r = invoke(server, api_id, "prod", "/huge")
        assert r.status_code == 200 and len(r.content) == 1_100_000
    assert len(backend.requests) == 3
