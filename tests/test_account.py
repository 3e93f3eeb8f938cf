"""GetAccount / UpdateAccount: AWS's defaults, the CloudWatch role, features, and Portico's
account-level throttle extension; stored per tenant and persistent."""
from conftest import make_client
from helpers import expect_error, replace

DEFAULTS = {"throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
            "features": ["UsagePlans"], "apiKeyVersion": "4"}


def account_of(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_new_account_shows_aws_defaults(apigw):
    got = apigw.get_account()
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert account_of(got) == DEFAULTS


def test_cloudwatch_role_is_set_and_cleared(apigw):
    arn = "arn:aws:iam::000000000000:role/apigw-logs"
    r = apigw.update_account(patchOperations=[replace("/cloudwatchRoleArn", arn)])
    assert r["cloudwatchRoleArn"] == arn
    assert apigw.get_account()["cloudwatchRoleArn"] == arn
    r = apigw.update_account(patchOperations=[replace("/cloudwatchRoleArn", "")])
    assert "cloudwatchRoleArn" not in r
    assert account_of(apigw.get_account()) == DEFAULTS


def test_malformed_role_arn_is_refused(apigw):
    expect_error(lambda: apigw.update_account(patchOperations=[replace("/cloudwatchRoleArn", "not-an-arn")]),
                 "BadRequestException", status=400, contains="role ARN")
    assert "cloudwatchRoleArn" not in apigw.get_account()


def test_usage_plans_feature_add_is_idempotent(apigw):
    r = apigw.update_account(patchOperations=[{"op": "add", "path": "/features", "value": "UsagePlans"}])
    assert r["features"] == ["UsagePlans"]
    expect_error(lambda: apigw.update_account(patchOperations=[{"op": "add", "path": "/features", "value": "Other"}]),
                 "BadRequestException", status=400, contains="Invalid feature")


def test_throttle_extension_sets_account_limits(apigw):
    r = apigw.update_account(patchOperations=[replace("/throttleSettings/rateLimit", "25.5"),
                                              replace("/throttleSettings/burstLimit", "50")])
    assert r["throttleSettings"] == {"rateLimit": 25.5, "burstLimit": 50}
    assert apigw.get_account()["throttleSettings"] == {"rateLimit": 25.5, "burstLimit": 50}
    expect_error(lambda: apigw.update_account(patchOperations=[replace("/throttleSettings/burstLimit", "-1")]),
                 "BadRequestException", status=400)


def test_unknown_paths_are_refused(apigw):
    expect_error(lambda: apigw.update_account(patchOperations=[replace("/apiKeyVersion", "5")]),
                 "BadRequestException", status=400, contains="Invalid patch path  '/apiKeyVersion'")


def test_accounts_are_per_tenant(apigw, apigw_b):
    apigw.update_account(patchOperations=[replace("/throttleSettings/rateLimit", "7")])
    assert apigw_b.get_account()["throttleSettings"]["rateLimit"] == 10000.0


def test_account_survives_restart(own_server):
    c = make_client(own_server)
    c.update_account(patchOperations=[replace("/cloudwatchRoleArn", "arn:aws:iam::000000000000:role/r"),
                                      replace("/throttleSettings/burstLimit", "9")])
    own_server.restart()
    c = make_client(own_server)
    got = c.get_account()
    assert got["cloudwatchRoleArn"] == "arn:aws:iam::000000000000:role/r"
    assert got["throttleSettings"]["burstLimit"] == 9
