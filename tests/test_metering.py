"""Metering on the data plane: API keys demanded by `apiKeyRequired` methods, usage plan / stage /
account throttling, quotas, and usage counts that reach GetUsage and survive restarts."""
import datetime
import time

import pytest
import requests

from conftest import make_client
from dataplane import add_resource, deploy, invoke_url, mock_method
from helpers import replace

IDENTITY_TEMPLATE = ('{"apiKey": "$context.identity.apiKey", "apiKeyId": "$context.identity.apiKeyId",'
                     ' "usagePlanId": "$context.usagePlanId"}')
FORBIDDEN = (403, {"message": "Forbidden"})
TOO_MANY = (429, {"message": "Too Many Requests"})
LIMIT_EXCEEDED = (429, {"message": "Limit Exceeded"})


def today():
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


class Metered:
    """An API whose root GET needs a key (MOCK echoing the caller's identity) and whose /open GET
    does not, deployed to `prod`; a usage plan bound to prod and an enabled key in it."""

    def __init__(self, server, apigw, api_id, root, throttle=None, quota=None, method_throttle=None):
        self.server, self.apigw, self.api_id = server, apigw, api_id
        mock_method(apigw, api_id, root, apiKeyRequired=True,
                    response_templates={"application/json": IDENTITY_TEMPLATE})
        mock_method(apigw, api_id, add_resource(apigw, api_id, root, "open"),
                    response_templates={"application/json": '{"open": true}'})
        deploy(apigw, api_id, "prod")
        stage = {"apiId": api_id, "stage": "prod"}
        if method_throttle:
            stage["throttle"] = method_throttle
        plan = {"name": "plan", "apiStages": [stage]}
        if throttle:
            plan["throttle"] = throttle
        if quota:
            plan["quota"] = quota
        self.plan_id = apigw.create_usage_plan(**plan)["id"]
        self.key_id, self.key = self.new_key("k1")
        self.session = requests.Session()

    def new_key(self, name, plan=True, enabled=True):
        k = self.apigw.create_api_key(name=name, enabled=enabled)
        if plan:
            self.apigw.create_usage_plan_key(usagePlanId=self.plan_id, keyId=k["id"], keyType="API_KEY")
        return k["id"], k["value"]

    def call(self, key="default", path="/", stage="prod"):
        headers = {} if key is None else {"x-api-key": self.key if key == "default" else key}
        r = self.session.get(invoke_url(self.server, self.api_id, stage, path), headers=headers,
                             timeout=10)
        return r.status_code, r.json()

    def usage(self, key_id=None):
        r = self.apigw.get_usage(usagePlanId=self.plan_id, keyId=key_id or self.key_id,
                                 startDate=today(), endDate=today())
        return r["items"].get(key_id or self.key_id, [[0, 0]])[0]


@pytest.fixture
def metered(server, apigw, api):
    return lambda **kw: Metered(server, apigw, *api, **kw)


def test_a_valid_key_is_accepted_and_named_in_context(metered):
    m = metered()
    assert m.call() == (200, {"apiKey": m.key, "apiKeyId": m.key_id, "usagePlanId": m.plan_id})


def test_missing_unknown_disabled_and_unbound_keys_are_forbidden(metered):
    m = metered()
    r = m.session.get(invoke_url(m.server, m.api_id, "prod", "/"), timeout=10)
    assert (r.status_code, r.json()) == FORBIDDEN
    assert r.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert m.call(key="x" * 40) == FORBIDDEN
    _, disabled = m.new_key("off", enabled=False)
    assert m.call(key=disabled) == FORBIDDEN
    _, planless = m.new_key("loose", plan=False)
    assert m.call(key=planless) == FORBIDDEN
    # A key in a plan bound to another stage of the API.
    deploy(m.apigw, m.api_id, "dev")
    other = m.apigw.create_usage_plan(name="dev-only", apiStages=[{"apiId": m.api_id, "stage": "dev"}])
    dev_key = m.apigw.create_api_key(name="dev", enabled=True)
    m.apigw.create_usage_plan_key(usagePlanId=other["id"], keyId=dev_key["id"], keyType="API_KEY")
    assert m.call(key=dev_key["value"]) == FORBIDDEN
    assert m.call(key=dev_key["value"], stage="dev")[0] == 200
    assert m.call()[0] == 200


def test_key_changes_take_effect_on_the_next_request(metered):
    m = metered()
    assert m.call()[0] == 200
    m.apigw.update_api_key(apiKey=m.key_id, patchOperations=[replace("/enabled", "false")])
    assert m.call() == FORBIDDEN
    m.apigw.update_api_key(apiKey=m.key_id, patchOperations=[replace("/enabled", "true")])
    assert m.call()[0] == 200
    m.apigw.delete_usage_plan_key(usagePlanId=m.plan_id, keyId=m.key_id)
    assert m.call() == FORBIDDEN


def test_methods_without_a_key_requirement_ignore_keys_and_are_not_metered(metered):
    m = metered(quota={"limit": 1, "period": "DAY"})
    for _ in range(3):
        assert m.call(key=None, path="/open") == (200, {"open": True})
        assert m.call(path="/open") == (200, {"open": True})
    assert m.usage() == [0, 1]


def test_the_gateway_response_for_an_invalid_key_is_customisable(metered):
    m = metered()
    m.apigw.put_gateway_response(restApiId=m.api_id, responseType="INVALID_API_KEY", statusCode="401",
                                 responseTemplates={"application/json": '{"why": "no key"}'})
    deploy(m.apigw, m.api_id, "prod")
    assert m.call(key=None) == (401, {"why": "no key"})


def burst(m, n, **kw):
    """Results of `n` back-to-back calls."""
    return [m.call(**kw) for _ in range(n)]


def test_a_burst_is_allowed_then_throttled(metered):
    # One token a minute: nothing refills during the test.
    m = metered(throttle={"rateLimit": 1 / 60, "burstLimit": 5})
    results = burst(m, 8)
    assert [s for s, _ in results] == [200] * 5 + [429] * 3
    assert results[-1] == TOO_MANY
    r = m.session.get(invoke_url(m.server, m.api_id, "prod", "/"), headers={"x-api-key": m.key}, timeout=10)
    assert r.headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    # The plan's throttle is per key: a second key has its own bucket.
    _, second = m.new_key("k2")
    assert [s for s, _ in burst(m, 6, key=second)] == [200] * 5 + [429]


def test_a_method_throttle_in_the_plan_overrides_the_plan_throttle(metered):
    m = metered(throttle={"rateLimit": 1 / 60, "burstLimit": 5},
                method_throttle={"//GET": {"rateLimit": 1 / 60, "burstLimit": 2}})
    assert [s for s, _ in burst(m, 4)] == [200, 200, 429, 429]


def test_stage_method_settings_throttle_all_clients_together(metered):
    m = metered()
    m.apigw.update_stage(restApiId=m.api_id, stageName="prod", patchOperations=[
        replace("/*/*/throttling/rateLimit", "0.01"), replace("/*/*/throttling/burstLimit", "3")])
    _, second = m.new_key("k2")
    assert [s for s, _ in burst(m, 2)] == [200, 200]
    assert m.call(key=second)[0] == 200
    assert m.call(key=second) == TOO_MANY, "the stage's bucket is shared by every key"
    assert m.call(key=None, path="/open") == TOO_MANY, "and by methods without keys"


def test_a_per_method_stage_setting_wins_over_the_stage_default(metered):
    m = metered()
    m.apigw.update_stage(restApiId=m.api_id, stageName="prod", patchOperations=[
        replace("/*/*/throttling/rateLimit", "0.01"), replace("/*/*/throttling/burstLimit", "2"),
        replace("/~1open/GET/throttling/rateLimit", "0.01"),
        replace("/~1open/GET/throttling/burstLimit", "4")])
    assert [s for s, _ in burst(m, 5, key=None, path="/open")] == [200] * 4 + [429]
    assert [s for s, _ in burst(m, 3)] == [200, 200, 429]


def test_the_account_throttle_covers_every_method_of_the_account(metered):
    m = metered()
    m.apigw.update_account(patchOperations=[replace("/throttleSettings/rateLimit", "0.01"),
                                            replace("/throttleSettings/burstLimit", "3")])
    assert [s for s, _ in burst(m, 2, key=None, path="/open")] == [200, 200]
    assert m.call()[0] == 200
    assert m.call() == TOO_MANY


def test_a_steady_rate_converges_to_the_configured_rate(metered):
    rate, burst_limit, seconds, attempts_per_s = 50.0, 20, 3.0, 200.0
    m = metered(throttle={"rateLimit": rate, "burstLimit": burst_limit})
    ok = 0
    start = time.monotonic()
    next_at = start
    attempts = 0
    while time.monotonic() - start < seconds:
        status, _ = m.call()
        assert status in (200, 429)
        ok += status == 200
        attempts += 1
        next_at += 1 / attempts_per_s
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)  # pacing: offer about 4x the configured rate
    elapsed = time.monotonic() - start
    assert attempts > rate * seconds * 1.5, "the client offered well above the rate"
    measured = (ok - burst_limit) / elapsed
    print(f"offered {attempts / elapsed:.0f}/s, served {measured:.2f}/s (configured {rate}/s)")
    assert abs(measured - rate) <= rate * 0.05, (ok, elapsed, measured)


def test_a_quota_gives_exactly_q_then_limit_exceeded_until_update_usage(metered):
    m = metered(quota={"limit": 5, "period": "DAY"})
    results = burst(m, 7)
    assert [s for s, _ in results] == [200] * 5 + [429] * 2
    assert results[-1] == LIMIT_EXCEEDED
    r = m.session.get(invoke_url(m.server, m.api_id, "prod", "/"), headers={"x-api-key": m.key}, timeout=10)
    assert r.headers["x-amzn-ErrorType"] == "LimitExceededException"
    assert m.usage() == [5, 0]
    m.apigw.update_usage(usagePlanId=m.plan_id, keyId=m.key_id,
                         patchOperations=[replace("/remaining", "3")])
    assert [s for s, _ in burst(m, 5)] == [200] * 3 + [429] * 2
    assert m.usage() == [8, 0]
    # Another key of the plan has its own quota.
    second_id, second = m.new_key("k2")
    assert [s for s, _ in burst(m, 6, key=second)] == [200] * 5 + [429]
    assert m.usage(second_id) == [5, 0]


def test_get_usage_matches_what_was_served(metered):
    m = metered(quota={"limit": 100, "period": "WEEK", "offset": 0})
    second_id, second = m.new_key("k2")
    for _ in range(4):
        assert m.call()[0] == 200
    for _ in range(3):
        assert m.call(key=second)[0] == 200
    assert m.call(key="y" * 30) == FORBIDDEN  # refused requests are not counted
    r = m.apigw.get_usage(usagePlanId=m.plan_id, startDate=today(), endDate=today())
    assert r["items"] == {m.key_id: [[4, 96]], second_id: [[3, 97]]}


def own(server):
    """A metered API on `server`, a plan with a quota of 1000 a day, and its key."""
    apigw = make_client(server)
    api = apigw.create_rest_api(name="metered")
    return Metered(server, apigw, api["id"], api["rootResourceId"],
                   quota={"limit": 1000, "period": "DAY"})


def test_counts_survive_a_graceful_restart(own_server):
    m = own(own_server)
    for _ in range(7):
        assert m.call()[0] == 200
    own_server.restart()  # SIGTERM: the last counts are flushed on the way out
    m.session = requests.Session()
    assert m.usage() == [7, 993]
    m.apigw.update_usage(usagePlanId=m.plan_id, keyId=m.key_id,
                         patchOperations=[replace("/remaining", "2")])
    own_server.restart()
    m.session = requests.Session()
    assert [s for s, _ in burst(m, 3)] == [200, 200, 429], "the remaining quota is not reset"


def test_a_kill_loses_at_most_the_last_second_of_counts(own_server):
    m = own(own_server)
    served = []
    start = time.monotonic()
    while time.monotonic() - start < 2.0:
        assert m.call()[0] == 200
        served.append(time.monotonic())
        time.sleep(0.005)  # pacing: a few hundred requests in all
    own_server.kill9()
    killed = time.monotonic()
    own_server.start(own_server.port)
    used, remaining = m.usage()
    older = sum(1 for t in served if t < killed - 1.0)
    assert older <= used <= len(served), (older, used, len(served))
    assert remaining == 1000 - used


def test_counts_older_than_a_second_survive_a_kill(own_server):
    m = own(own_server)
    for _ in range(5):
        assert m.call()[0] == 200
    time.sleep(1.0)  # the bound under test: everything older than a second is in the store
    own_server.kill9()
    own_server.start(own_server.port)
    assert m.usage() == [5, 995]


def test_the_access_log_names_the_key_and_plan(metered, server):
    m = metered()
    m.apigw.update_account(patchOperations=[
        replace("/cloudwatchRoleArn", "arn:aws:iam::000000000000:role/apigw-logs")])
    m.apigw.update_stage(restApiId=m.api_id, stageName="prod", patchOperations=[
        replace("/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:000000000000:log-group:metering"),
        replace("/accessLogSettings/format",
                '{"rid":"$context.requestId","keyId":"$context.identity.apiKeyId",'
                '"plan":"$context.usagePlanId","status":"$context.status"}')])
    r = m.session.get(invoke_url(server, m.api_id, "prod", "/"), headers={"x-api-key": m.key}, timeout=10)
    refused = m.session.get(invoke_url(server, m.api_id, "prod", "/"), timeout=10)
    served = '{"rid":"%s","keyId":"%s","plan":"%s","status":"200"}' % (
        r.headers["x-amzn-RequestId"], m.key_id, m.plan_id)
    forbidden = '{"rid":"%s","keyId":"-","plan":"-","status":"403"}' % refused.headers["x-amzn-RequestId"]
    deadline = time.monotonic() + 5
    while forbidden not in server.log() and time.monotonic() < deadline:
        time.sleep(0.02)  # the log line is written after the response
    assert served in server.log()
    assert forbidden in server.log()
