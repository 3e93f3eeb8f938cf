"""Authorization on the data plane. `AWS_IAM` methods verify the caller's SigV4 signature
(service `execute-api`) against the configured credentials; methods guarded by a Lambda
authorizer or a Cognito user pool are refused until Portico can check them: never let through.
Test-invoke skips authorization, as AWS's does."""
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from dataplane import deploy, invoke, invoke_url
from portico_server import ACCOUNT_A, ACCOUNT_B
from test_authorizers import POOL, token

IDENTITY = ('{"account": "$context.identity.accountId", "caller": "$context.identity.caller",'
            ' "arn": "$context.identity.userArn", "key": "$context.identity.accessKey"}')


def signed_get(server, api_id, path="/", key=ACCOUNT_A, region="us-east-1",
               service="execute-api"):
    url = invoke_url(server, api_id, "prod", path)
    req = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(key[0], key[1]), service, region).add_auth(req)
    return requests.get(url, headers=dict(req.headers), timeout=10)


def guarded_mock(apigw, api_id, root, authorization, template='{"secret": 1}', **kw):
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType=authorization, **kw)
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                              statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200",
                                   responseTemplates={"application/json": template})


def authorizer_kw(apigw, api_id, authorization):
    if authorization == "CUSTOM":
        return {"authorizerId": token(apigw, api_id)["id"]}
    if authorization == "COGNITO_USER_POOLS":
        a = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS",
                                    providerARNs=[POOL],
                                    identitySource="method.request.header.Authorization")
        return {"authorizerId": a["id"]}
    return {}


@pytest.mark.parametrize("authorization", ["CUSTOM"])
def test_a_guarded_method_with_credentials_is_refused_as_an_authorizer_that_cannot_run(
        server, apigw, api, authorization):
    api_id, root = api
    guarded_mock(apigw, api_id, root, authorization,
                 **authorizer_kw(apigw, api_id, authorization))
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/",
               headers={"Authorization": "Bearer abc",
                        "X-Amz-Date": "20261207T000000Z"})
    assert r.status_code == 500
    assert r.json() == {"message": None}
    assert r.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_an_iam_method_without_a_signature_answers_missing_authentication_token(
        server, apigw, api):
    api_id, root = api
    guarded_mock(apigw, api_id, root, "AWS_IAM")
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/")
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})


def test_the_refusal_goes_through_the_apis_gateway_response(server, apigw, api):
    api_id, root = api
    guarded_mock(apigw, api_id, root, "CUSTOM", **authorizer_kw(apigw, api_id, "CUSTOM"))
    apigw.put_gateway_response(restApiId=api_id, responseType="AUTHORIZER_CONFIGURATION_ERROR",
                               statusCode="503",
                               responseTemplates={"application/json":
                                                  '{"why": $context.error.messageString}'})
    deploy(apigw, api_id)
    r = invoke(server, api_id, "prod", "/", headers={"Authorization": "x"})
    assert (r.status_code, r.json()) == (503, {"why": None})


def test_test_invoke_skips_authorization_as_aws_does(apigw, api):
    api_id, root = api
    guarded_mock(apigw, api_id, root, "AWS_IAM")
    r = apigw.test_invoke_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert (r["status"], r["body"]) == (200, '{"secret": 1}')


@pytest.fixture
def iam_api(server, apigw, api):
    api_id, root = api
    guarded_mock(apigw, api_id, root, "AWS_IAM", template=IDENTITY)
    deploy(apigw, api_id)
    return api_id


def test_an_iam_method_accepts_its_accounts_signed_caller(server, iam_api):
    r = signed_get(server, iam_api)
    assert r.status_code == 200, r.text
    assert r.json() == {"account": ACCOUNT_A[2], "caller": ACCOUNT_A[0],
                        "arn": f"arn:aws:iam::{ACCOUNT_A[2]}:root", "key": ACCOUNT_A[0]}


def test_an_iam_method_refuses_a_wrong_secret(server, iam_api):
    r = signed_get(server, iam_api, key=(ACCOUNT_A[0], "not-the-secret"))
    assert r.status_code == 403
    assert r.json()["message"].startswith(
        "The request signature we calculated does not match the signature you provided.")
    assert r.headers["x-amzn-ErrorType"] == "InvalidSignatureException"


def test_an_iam_method_refuses_an_unknown_key(server, iam_api):
    r = signed_get(server, iam_api, key=("AKIDNOBODY", "x"))
    assert (r.status_code, r.json()) == (
        403, {"message": "The security token included in the request is invalid."})


def test_an_iam_method_refuses_a_signature_for_another_region_or_service(server, iam_api):
    r = signed_get(server, iam_api, region="eu-west-1")
    assert (r.status_code, r.json()) == (
        403, {"message": "Credential should be scoped to a valid region, not 'eu-west-1'. "})
    r = signed_get(server, iam_api, service="apigateway")
    assert r.status_code == 403
    assert r.headers["x-amzn-ErrorType"] == "InvalidSignatureException"


def test_an_iam_method_denies_another_accounts_caller_as_aws_does(server, iam_api):
    r = signed_get(server, iam_api, key=ACCOUNT_B)
    assert r.status_code == 403
    assert r.json() == {"Message": f"User: arn:aws:iam::{ACCOUNT_B[2]}:root is not authorized to "
                        f"perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:"
                        f"********{ACCOUNT_A[2][-4:]}:{iam_api}/prod/GET/"}
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"
