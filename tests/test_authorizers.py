from conftest import make_client
from helpers import expect_error, replace
from portico_server import ACCOUNT_B

URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
       "arn:aws:lambda:us-east-1:000000000000:function:auth/invocations")
POOL = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abcdef"
POOL2 = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_second"
NOT_FOUND = "Invalid Authorizer identifier specified"


def strip(r):
    return {k: v for k, v in r.items() if k != "ResponseMetadata"}


def token(apigw, api_id, **kw):
    args = dict(restApiId=api_id, name="tok", type="TOKEN", authorizerUri=URI,
                identitySource="method.request.header.Authorization")
    args.update(kw)
    return apigw.create_authorizer(**args)


def test_token_authorizer_lifecycle(apigw, api):
    api_id = api[0]
    a = token(apigw, api_id, identityValidationExpression="^Bearer .+$",
              authorizerCredentials="arn:aws:iam::000000000000:role/invoker")
    assert a["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(a["id"]) == 6 and a["id"].isalnum()
    assert strip(a) == {"id": a["id"], "name": "tok", "type": "TOKEN", "authorizerUri": URI,
                        "identitySource": "method.request.header.Authorization",
                        "identityValidationExpression": "^Bearer .+$",
                        "authorizerCredentials": "arn:aws:iam::000000000000:role/invoker",
                        "authorizerResultTtlInSeconds": 300}
    assert strip(apigw.get_authorizer(restApiId=api_id, authorizerId=a["id"])) == strip(a)
    assert [strip(x) for x in apigw.get_authorizers(restApiId=api_id)["items"]] == [strip(a)]
    d = apigw.delete_authorizer(restApiId=api_id, authorizerId=a["id"])
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_authorizer(restApiId=api_id, authorizerId=a["id"]),
                 "NotFoundException", NOT_FOUND, 404)
    assert apigw.get_authorizers(restApiId=api_id)["items"] == []


def test_request_and_cognito_authorizers(apigw, api):
    api_id = api[0]
    r = apigw.create_authorizer(restApiId=api_id, name="req", type="REQUEST", authorizerUri=URI,
                                identitySource="method.request.header.X-Key, method.request.querystring.key",
                                authorizerResultTtlInSeconds=60)
    assert r["type"] == "REQUEST" and r["authorizerResultTtlInSeconds"] == 60
    # Without caching a REQUEST authorizer needs no identity source.
    r = apigw.create_authorizer(restApiId=api_id, name="req0", type="REQUEST", authorizerUri=URI,
                                authorizerResultTtlInSeconds=0)
    assert "identitySource" not in r and r["authorizerResultTtlInSeconds"] == 0
    c = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS", providerARNs=[POOL],
                                identitySource="method.request.header.Authorization", authType="cognito_user_pools")
    assert strip(c) == {"id": c["id"], "name": "pool", "type": "COGNITO_USER_POOLS", "providerARNs": [POOL],
                        "identitySource": "method.request.header.Authorization", "authType": "cognito_user_pools",
                        "authorizerResultTtlInSeconds": 300}


def test_create_validation(apigw, api):
    api_id = api[0]
    expect_error(lambda: token(apigw, "fake-api-id"), "ConflictException", status=409,
                 message="Unable to complete operation due to concurrent modification. Please try again later.")
    expect_error(lambda: token(apigw, api_id, type="JWT"), "ValidationException", status=400,
                 message="1 validation error detected: Value 'JWT' at 'createAuthorizerInput.type' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [TOKEN, REQUEST, COGNITO_USER_POOLS]")
    # A REQUEST authorizer caching its results needs an identity source (AWS's generic wording).
    expect_error(lambda: apigw.create_authorizer(restApiId=api_id, name="r", type="REQUEST", authorizerUri=URI),
                 "BadRequestException", "Invalid request input", 400)
    expect_error(lambda: apigw.create_authorizer(restApiId=api_id, name="t", type="TOKEN", authorizerUri=URI),
                 "BadRequestException", "Invalid request input", 400)
    expect_error(lambda: apigw.create_authorizer(restApiId=api_id, name="t", type="TOKEN",
                                                 identitySource="method.request.header.Authorization"),
                 "BadRequestException", status=400, contains="Authorizer URI must be specified")
    expect_error(lambda: apigw.create_authorizer(restApiId=api_id, name="c", type="COGNITO_USER_POOLS",
                                                 identitySource="method.request.header.Authorization"),
                 "BadRequestException", status=400, contains="Provider ARNs must be specified")
    expect_error(lambda: apigw.create_authorizer(restApiId=api_id, name="c", type="COGNITO_USER_POOLS",
                                                 providerARNs=["arn:aws:s3:::bucket"],
                                                 identitySource="method.request.header.Authorization"),
                 "BadRequestException", status=400, contains="Invalid provider ARN")
    for ttl in (-1, 3601):
        expect_error(lambda: token(apigw, api_id, authorizerResultTtlInSeconds=ttl),
                     "BadRequestException", status=400, contains="between 0 and 3600")
    expect_error(lambda: token(apigw, api_id, identitySource="method.request.querystring.token"),
                 "BadRequestException", status=400, contains="Invalid identity source")
    expect_error(lambda: token(apigw, api_id, name=""), "BadRequestException", status=400, contains="name")
    assert apigw.get_authorizers(restApiId=api_id)["items"] == []


def test_unknown_authorizer_or_api(apigw, api):
    a = token(apigw, api[0])
    for call in (lambda: apigw.get_authorizer(restApiId="fake-api-id", authorizerId=a["id"]),
                 lambda: apigw.get_authorizer(restApiId=api[0], authorizerId="nope00"),
                 lambda: apigw.update_authorizer(restApiId=api[0], authorizerId="nope00",
                                                 patchOperations=[replace("/name", "x")]),
                 lambda: apigw.delete_authorizer(restApiId=api[0], authorizerId="nope00")):
        expect_error(call, "NotFoundException", NOT_FOUND, 404)
    expect_error(lambda: apigw.get_authorizers(restApiId="fake-api-id"), "NotFoundException",
                 "Invalid API identifier specified 000000000000:fake-api-id", 404)


def test_update_authorizer(apigw, api):
    api_id = api[0]
    a = token(apigw, api_id)
    r = apigw.update_authorizer(restApiId=api_id, authorizerId=a["id"], patchOperations=[
        replace("/name", "renamed"), replace("/authorizerResultTtlInSeconds", "0"),
        replace("/identitySource", "method.request.header.X-Token"),
        replace("/identityValidationExpression", "^x"), replace("/authType", "custom"),
        replace("/authorizerCredentials", "arn:aws:iam::000000000000:role/r")])
    assert (r["name"], r["authorizerResultTtlInSeconds"], r["identitySource"]) == \
        ("renamed", 0, "method.request.header.X-Token")
    assert r["identityValidationExpression"] == "^x" and r["authType"] == "custom"
    # An empty value clears an optional field.
    r = apigw.update_authorizer(restApiId=api_id, authorizerId=a["id"], patchOperations=[
        replace("/identityValidationExpression", "")])
    assert "identityValidationExpression" not in r
    # Switching type: a REQUEST authorizer with caching off needs no identity source.
    r = apigw.update_authorizer(restApiId=api_id, authorizerId=a["id"], patchOperations=[
        replace("/type", "REQUEST"), replace("/identitySource", "")])
    assert r["type"] == "REQUEST" and "identitySource" not in r
    got = apigw.get_authorizer(restApiId=api_id, authorizerId=a["id"])
    assert got["type"] == "REQUEST" and got["name"] == "renamed"


def test_update_provider_arns(apigw, api):
    api_id = api[0]
    c = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS", providerARNs=[POOL],
                                identitySource="method.request.header.Authorization")
    esc = lambda arn: arn.replace("/", "~1")
    r = apigw.update_authorizer(restApiId=api_id, authorizerId=c["id"], patchOperations=[
        {"op": "add", "path": f"/providerARNs/{esc(POOL2)}"}])
    assert r["providerARNs"] == [POOL, POOL2]
    r = apigw.update_authorizer(restApiId=api_id, authorizerId=c["id"], patchOperations=[
        {"op": "remove", "path": f"/providerARNs/{esc(POOL)}"}])
    assert r["providerARNs"] == [POOL2]
    # The last pool cannot go: a Cognito authorizer needs one.
    expect_error(lambda: apigw.update_authorizer(restApiId=api_id, authorizerId=c["id"], patchOperations=[
        {"op": "remove", "path": f"/providerARNs/{esc(POOL2)}"}]),
        "BadRequestException", status=400, contains="Provider ARNs must be specified")


def test_update_rejects_bad_patches_and_changes_nothing(apigw, api):
    api_id = api[0]
    a = token(apigw, api_id)
    upd = lambda *ops: apigw.update_authorizer(restApiId=api_id, authorizerId=a["id"], patchOperations=list(ops))
    expect_error(lambda: upd(replace("/id", "x")), "BadRequestException", status=400,
                 contains="Invalid patch path  '/id' specified for op 'replace'")
    expect_error(lambda: upd({"op": "add", "path": "/name", "value": "x"}), "BadRequestException", status=400,
                 contains="Invalid patch path  '/name' specified for op 'add'")
    expect_error(lambda: upd(replace("/name", "changed"), replace("/authorizerResultTtlInSeconds", "7200")),
                 "BadRequestException", status=400, contains="between 0 and 3600")
    expect_error(lambda: upd(replace("/authorizerResultTtlInSeconds", "soon")), "BadRequestException", status=400,
                 contains="Invalid integer value")
    expect_error(lambda: upd(replace("/type", "JWT")), "BadRequestException", status=400,
                 contains="Invalid authorizer type")
    expect_error(lambda: upd(replace("/authorizerUri", "")), "BadRequestException", status=400,
                 contains="Authorizer URI must be specified")
    expect_error(lambda: upd({"op": "nope", "path": "/name"}), "ValidationException", status=400,
                 contains="'updateAuthorizerInput.patchOperations.1.member.op'")
    assert strip(apigw.get_authorizer(restApiId=api_id, authorizerId=a["id"])) == strip(a)


def test_get_authorizers_pages(apigw, api):
    ids = [token(apigw, api[0], name=f"a{i}")["id"] for i in range(5)]
    seen, page = [], apigw.get_authorizers(restApiId=api[0], limit=2)
    while True:
        seen += [a["id"] for a in page["items"]]
        if "position" not in page:
            break
        page = apigw.get_authorizers(restApiId=api[0], limit=2, position=page["position"])
    assert seen == ids


def test_authorizers_are_per_tenant_and_survive_a_restart(own_server):
    c = make_client(own_server)
    api_id = c.create_rest_api(name="persisted")["id"]
    a = token(c, api_id)
    own_server.restart()
    c = make_client(own_server)
    assert strip(c.get_authorizer(restApiId=api_id, authorizerId=a["id"])) == strip(a)
    other = make_client(own_server, account=ACCOUNT_B)
    expect_error(lambda: other.get_authorizer(restApiId=api_id, authorizerId=a["id"]),
                 "NotFoundException", NOT_FOUND, 404)
