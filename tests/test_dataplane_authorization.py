"""Methods guarded by IAM, a Lambda authorizer or a Cognito user pool are refused on the data
plane until Portico can check them: never let through. Test-invoke skips authorization, as
AWS's does."""
import pytest

from dataplane import deploy, invoke
from test_authorizers import POOL, token


def guarded_mock(apigw, api_id, root, authorization, **kw):
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType=authorization, **kw)
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                              statusCode="200")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200",
                                   responseTemplates={"application/json": '{"secret": 1}'})


def authorizer_kw(apigw, api_id, authorization):
    if authorization == "CUSTOM":
        return {"authorizerId": token(apigw, api_id)["id"]}
    if authorization == "COGNITO_USER_POOLS":
        a = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS",
                                    providerARNs=[POOL],
                                    identitySource="method.request.header.Authorization")
        return {"authorizerId": a["id"]}
    return {}


@pytest.mark.parametrize("authorization", ["CUSTOM", "COGNITO_USER_POOLS", "AWS_IAM"])
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
