# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:
# tests/aws/services/apigateway/test_apigateway_integrations.py at commit 8b9a79f05. Test
# bodies are verbatim; this import block points LocalStack's imports at recorded.py's shims, and
# the tests Portico cannot replay are left out (tests/aws_recorded/README.md says which). The
# recorded answers are test_apigateway_integrations.snapshot.json beside this file.
import base64  # noqa: F401
import contextlib  # noqa: F401
import copy  # noqa: F401
import json
import textwrap  # noqa: F401
from typing import TypedDict
from urllib.parse import urlparse  # noqa: F401

import pytest
import requests
from botocore.exceptions import ClientError
from recorded import (  # noqa: F401
    HTTPServer,
    Request,
    Response,
    api_invoke_url,
    create_rest_api_deployment,
    is_aws_cloud,
    is_next_gen_api,
    markers,
    retry,
    short_uid,
    to_bytes,
    to_str,
)

DEFAULT_STAGE_NAME = "dev"

class RequestParameterRoute(TypedDict, total=False):
    path: str
    request_parameter: str
    parameter_mapping: str
    resource_id: str


@pytest.fixture
def status_code_http_server(httpserver: HTTPServer):
    """Spins up a local HTTP echo server and returns the endpoint URL"""
    if is_aws_cloud():
        return f"{PUBLIC_HTTP_ECHO_SERVER_URL}/"

    def _echo(request: Request) -> Response:
        result = {
            "data": request.data or "{}",
            "headers": dict(request.headers),
            "url": request.url,
            "method": request.method,
        }
        status_code = request.url.rpartition("/")[2]
        response_body = json.dumps(result)
        return Response(response_body, status=int(status_code))

    httpserver.expect_request("").respond_with_handler(_echo)
    http_endpoint = httpserver.url_for("/")
    return http_endpoint


@markers.aws.validated
@markers.requires_in_process  # uses pytest httpserver
def test_http_integration_status_code_selection(
    create_rest_apigw, aws_client, status_code_http_server
):
    api_id, _, root_id = create_rest_apigw(name="my_api", description="this is my api")

    resource_id = aws_client.apigateway.create_resource(
        restApiId=api_id, parentId=root_id, pathPart="{status}"
    )["id"]

    aws_client.apigateway.put_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        authorizationType="none",
        requestParameters={"method.request.path.status": True},
    )

    aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        type="HTTP",
        uri=f"{status_code_http_server}status/{{status}}",
        requestParameters={"integration.request.path.status": "method.request.path.status"},
        integrationHttpMethod="GET",
    )

    aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=resource_id, statusCode="200", httpMethod="GET"
    )
    aws_client.apigateway.put_integration_response(
        restApiId=api_id, resourceId=resource_id, statusCode="200", httpMethod="GET"
    )
    # forward 4xx errors to 400, so the assertions of the test fixtures hold
    aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=resource_id, statusCode="400", httpMethod="GET"
    )
    aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        statusCode="400",
        httpMethod="GET",
        selectionPattern=r"4\d{2}",
    )

    stage_name = "test"
    aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

    invocation_url = api_invoke_url(
        api_id=api_id,
        stage=stage_name,
        path="/",
    )

    def invoke_api(url, requested_response_code: int, expected_response_code: int):
        apigw_response = requests.get(
            f"{url}{requested_response_code}",
            headers={"User-Agent": "python-requests/testing"},
            verify=False,
        )
        assert expected_response_code == apigw_response.status_code
        return apigw_response

    # retry is necessary against AWS
    retry(
        invoke_api,
        sleep=2,
        retries=10,
        url=invocation_url,
        expected_response_code=400,
        requested_response_code=404,
    )
    retry(
        invoke_api,
        sleep=2,
        retries=10,
        url=invocation_url,
        expected_response_code=200,
        requested_response_code=201,
    )


@markers.aws.validated
@markers.requires_in_process  # uses pytest httpserver
def test_put_integration_responses(create_rest_apigw, aws_client, echo_http_server_post, snapshot):
    snapshot.add_transformers_list(
        [
            snapshot.transform.key_value("cacheNamespace"),
            snapshot.transform.key_value("uri"),
            snapshot.transform.key_value("id"),
        ]
    )
    api_id, _, root_id = create_rest_apigw(name="my_api", description="this is my api")

    response = aws_client.apigateway.put_method(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE"
    )
    snapshot.match("put-method-get", response)

    response = aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200"
    )
    snapshot.match("put-method-response-get", response)

    response = aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        type="HTTP",
        uri=echo_http_server_post,
        integrationHttpMethod="POST",
    )
    snapshot.match("put-integration-get", response)

    response = aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        statusCode="200",
        selectionPattern="2\\d{2}",
        responseTemplates={},
    )
    snapshot.match("put-integration-response-get", response)

    response = aws_client.apigateway.get_integration_response(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200"
    )
    snapshot.match("get-integration-response-get", response)

    response = aws_client.apigateway.get_method(
        restApiId=api_id, resourceId=root_id, httpMethod="GET"
    )
    snapshot.match("get-method-get", response)

    stage_name = "local"
    response = aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)
    snapshot.match("deploy", response)

    url = api_invoke_url(api_id, stage=stage_name, path="/")
    response = requests.get(url)
    assert response.ok

    response = aws_client.apigateway.delete_integration_response(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200"
    )
    snapshot.match("delete-integration-response-get", response)

    response = aws_client.apigateway.get_method(
        restApiId=api_id, resourceId=root_id, httpMethod="GET"
    )
    snapshot.match("get-method-get-after-int-resp-delete", response)

    # adding a new method and performing put integration with contentHandling as CONVERT_TO_BINARY
    response = aws_client.apigateway.put_method(
        restApiId=api_id, resourceId=root_id, httpMethod="PUT", authorizationType="none"
    )
    snapshot.match("put-method-put", response)

    response = aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=root_id, httpMethod="PUT", statusCode="200"
    )
    snapshot.match("put-method-response-put", response)

    response = aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="PUT",
        type="HTTP",
        uri=echo_http_server_post,
        integrationHttpMethod="POST",
    )
    snapshot.match("put-integration-put", response)

    response = aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="PUT",
        statusCode="200",
        selectionPattern="2\\d{2}",
        contentHandling="CONVERT_TO_BINARY",
    )
    snapshot.match("put-integration-response-put", response)

    response = aws_client.apigateway.get_integration_response(
        restApiId=api_id, resourceId=root_id, httpMethod="PUT", statusCode="200"
    )
    snapshot.match("get-integration-response-put", response)


@markers.aws.validated
def test_put_integration_response_with_response_template(
    aws_client, create_rest_apigw, create_echo_http_server, snapshot
):
    echo_server_url = create_echo_http_server(trim_x_headers=True)
    api_id, _, root_id = create_rest_apigw(name="test-apigw")

    aws_client.apigateway.put_method(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE"
    )
    aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200"
    )
    aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        type="HTTP",
        uri=echo_server_url,
        integrationHttpMethod="POST",
    )

    aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        statusCode="200",
        selectionPattern="foobar",
        responseTemplates={"application/json": json.dumps({"data": "test"})},
    )

    response = aws_client.apigateway.get_integration_response(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200"
    )

    snapshot.match("get-integration-response", response)


@markers.aws.validated
def test_put_integration_validation(
    aws_client, account_id, region_name, create_rest_apigw, snapshot, partition
):
    snapshot.add_transformers_list(
        [
            snapshot.transform.key_value("cacheNamespace"),
        ]
    )

    api_id, _, root_id = create_rest_apigw(name="test-apigw")

    aws_client.apigateway.put_method(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE"
    )
    aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200"
    )

    http_types = ["HTTP", "HTTP_PROXY"]
    aws_types = ["AWS", "AWS_PROXY"]
    types_requiring_integration_method = http_types + ["AWS"]
    types_not_requiring_integration_method = ["MOCK"]

    for _type in types_requiring_integration_method:
        # Ensure that integrations of these types fail if no integrationHttpMethod is provided
        with pytest.raises(ClientError) as ex:
            aws_client.apigateway.put_integration(
                restApiId=api_id,
                resourceId=root_id,
                httpMethod="GET",
                type=_type,
                uri="http://example.com",
            )
        snapshot.match(f"required-integration-method-{_type}", ex.value.response)

    for _type in types_not_requiring_integration_method:
        # Ensure that integrations of these types do not need the integrationHttpMethod
        response = aws_client.apigateway.put_integration(
            restApiId=api_id,
            resourceId=root_id,
            httpMethod="GET",
            type=_type,
            uri="http://example.com",
        )
        snapshot.match(f"not-required-integration-method-{_type}", response)

    for _type in http_types:
        # Ensure that it works fine when providing the integrationHttpMethod-argument
        response = aws_client.apigateway.put_integration(
            restApiId=api_id,
            resourceId=root_id,
            httpMethod="GET",
            type=_type,
            uri="http://example.com",
            integrationHttpMethod="POST",
        )
        snapshot.match(f"http-method-{_type}", response)

    for _type in ["AWS"]:
        # Ensure that it works fine when providing the integrationHttpMethod + credentials
        response = aws_client.apigateway.put_integration(
            restApiId=api_id,
            resourceId=root_id,
            credentials=f"arn:{partition}:iam::{account_id}:role/service-role/testfunction-role-oe783psq",
            httpMethod="GET",
            type=_type,
            uri=f"arn:{partition}:apigateway:{region_name}:s3:path/b/k",
            integrationHttpMethod="POST",
        )
        snapshot.match(f"aws-integration-{_type}", response)

    for _type in aws_types:
        # Ensure that credentials are not required when URI points to a Lambda stream
        response = aws_client.apigateway.put_integration(
            restApiId=api_id,
            resourceId=root_id,
            httpMethod="GET",
            type=_type,
            uri=f"arn:{partition}:apigateway:{region_name}:lambda:path/2015-03-31/functions/arn:{partition}:lambda:{region_name}:{account_id}:function:MyLambda/invocations",
            integrationHttpMethod="POST",
        )
        snapshot.match(f"aws-integration-type-{_type}", response)

    for _type in ["AWS_PROXY"]:
        # Ensure that aws_proxy does not support S3
        with pytest.raises(ClientError) as ex:
            aws_client.apigateway.put_integration(
                restApiId=api_id,
                resourceId=root_id,
                credentials=f"arn:{partition}:iam::{account_id}:role/service-role/testfunction-role-oe783psq",
                httpMethod="GET",
                type=_type,
                uri=f"arn:{partition}:apigateway:{region_name}:s3:path/b/k",
                integrationHttpMethod="POST",
            )
        snapshot.match(f"no-s3-support-{_type}", ex.value.response)

    for _type in http_types:
        # Ensure that the URI is valid HTTP
        with pytest.raises(ClientError) as ex:
            aws_client.apigateway.put_integration(
                restApiId=api_id,
                resourceId=root_id,
                httpMethod="GET",
                type=_type,
                uri="non-valid-http",
                integrationHttpMethod="POST",
            )
        snapshot.match(f"invalid-uri-{_type}", ex.value.response)

    # Ensure that the URI is an ARN
    with pytest.raises(ClientError) as ex:
        aws_client.apigateway.put_integration(
            restApiId=api_id,
            resourceId=root_id,
            httpMethod="GET",
            type="AWS",
            uri="non-valid-arn",
            integrationHttpMethod="POST",
        )
    snapshot.match("invalid-uri-not-an-arn", ex.value.response)

    # Ensure that the URI is a valid ARN
    with pytest.raises(ClientError) as ex:
        aws_client.apigateway.put_integration(
            restApiId=api_id,
            resourceId=root_id,
            httpMethod="GET",
            type="AWS",
            uri=f"arn:{partition}:iam::0000000000:role/service-role/asdf",
            integrationHttpMethod="POST",
        )
    snapshot.match("invalid-uri-invalid-arn", ex.value.response)


@markers.aws.validated
@pytest.mark.skipif(
    condition=not is_next_gen_api() and not is_aws_cloud(),
    reason="Behavior is properly implemented in Legacy, it returns the MOCK response",
)
def test_integration_mock_with_path_param(create_rest_apigw, aws_client, snapshot):
    snapshot.add_transformer(snapshot.transform.key_value("cacheNamespace"))
    api_id, _, root = create_rest_apigw(
        name=f"test-api-{short_uid()}",
        description="this is my api",
    )

    rest_resource = aws_client.apigateway.create_resource(
        restApiId=api_id,
        parentId=root,
        pathPart="{testPath}",
    )
    resource_id = rest_resource["id"]

    aws_client.apigateway.put_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        authorizationType="none",
        requestParameters={
            "method.request.path.testPath": True,
        },
    )

    aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200"
    )

    # you don't have to pass URI for Mock integration as it's not used anyway
    # when exporting an API in AWS, apparently you can get integration path parameters even if not used
    integration = aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        integrationHttpMethod="POST",
        type="MOCK",
        requestParameters={
            "integration.request.path.integrationPath": "method.request.path.testPath",
        },
        # This template was modified to validate a cdk issue where it creates this template part
        # of some L2 construct for CORS handling. This isn't valid JSON but accepted by aws.
        requestTemplates={"application/json": "{statusCode: 200}"},
    )
    snapshot.match("integration", integration)

    aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        statusCode="200",
        selectionPattern="2\\d{2}",
        responseTemplates={},
    )
    stage_name = "dev"
    aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

    invocation_url = api_invoke_url(api_id=api_id, stage=stage_name, path="/test-path")

    def invoke_api(url) -> requests.Response:
        _response = requests.get(url, verify=False)
        assert _response.ok
        return _response

    response_data = retry(invoke_api, sleep=2, retries=10, url=invocation_url)
    assert response_data.content == b""
    assert response_data.status_code == 200


@markers.aws.validated
@pytest.mark.skipif(
    condition=not is_next_gen_api() and not is_aws_cloud(),
    reason="Behavior is properly implemented in Legacy, it returns the MOCK response",
)
def test_integration_mock_with_request_overrides_in_response_template(
    create_rest_apigw, aws_client, snapshot
):
    api_id, _, root = create_rest_apigw(
        name=f"test-api-{short_uid()}",
        description="this is my api",
    )

    rest_resource = aws_client.apigateway.create_resource(
        restApiId=api_id,
        parentId=root,
        pathPart="{testPath}",
    )
    resource_id = rest_resource["id"]

    aws_client.apigateway.put_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        authorizationType="NONE",
        requestParameters={
            "method.request.path.testPath": True,
        },
    )

    aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200"
    )

    # this should only work for MOCK integration, as they don't use the .path at all. This seems to be a derivative
    # way to pass data from the integration request to integration response with MOCK integration
    request_template = textwrap.dedent("""#set($body = $util.base64Decode($input.params('testPath')))
    #set($context.requestOverride.path.body = $body)
    {
      "statusCode": 200
    }
    """)

    aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        integrationHttpMethod="POST",
        type="MOCK",
        requestParameters={},
        requestTemplates={"application/json": request_template},
    )
    response_template = textwrap.dedent("""
    #set($body = $util.parseJson($context.requestOverride.path.body))
    #set($inputBody = $body.message)
    #if($inputBody == "path1")
    {
       "response": "path was path one"
    }
    #elseif($inputBody == "path2")
    {
       "response": "path was path two"
    }
    #else
    {
      "response": "this is the else clause"
    }
    #end
    """)

    aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        statusCode="200",
        selectionPattern="2\\d{2}",
        responseTemplates={"application/json": response_template},
    )
    stage_name = "dev"
    aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

    path_data = to_str(base64.b64encode(to_bytes(json.dumps({"message": "path1"}))))
    invocation_url = api_invoke_url(api_id=api_id, stage=stage_name, path="/" + path_data)

    def invoke_api(url) -> requests.Response:
        _response = requests.get(url, verify=False)
        assert _response.ok
        return _response

    response_data = retry(invoke_api, sleep=2, retries=10, url=invocation_url)
    snapshot.match("invoke-path1", response_data.json())

    path_data_2 = to_str(base64.b64encode(to_bytes(json.dumps({"message": "path2"}))))
    invocation_url_2 = api_invoke_url(api_id=api_id, stage=stage_name, path="/" + path_data_2)

    response_data_2 = invoke_api(url=invocation_url_2)
    snapshot.match("invoke-path2", response_data_2.json())

    path_data_3 = to_str(base64.b64encode(to_bytes(json.dumps({"message": "whatever"}))))
    invocation_url_3 = api_invoke_url(api_id=api_id, stage=stage_name, path="/" + path_data_3)

    response_data_3 = invoke_api(url=invocation_url_3)
    snapshot.match("invoke-path-else", response_data_3.json())


@markers.aws.validated
@pytest.mark.parametrize("create_response_template", [True, False])
def test_integration_mock_with_response_override_in_request_template(
    create_rest_apigw, aws_client, snapshot, create_response_template
):
    expected_status = 444
    api_id, _, root_id = create_rest_apigw(
        name=f"test-api-{short_uid()}",
        description="this is my api",
    )

    aws_client.apigateway.put_method(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        authorizationType="NONE",
    )

    aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200"
    )

    request_template = textwrap.dedent(f"""
    #set($context.responseOverride.status = {expected_status})
    #set($context.responseOverride.header.foo = "bar")
    #set($context.responseOverride.custom = "is also passed around")
    {{
      "statusCode": 200
    }}
    """)

    aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        integrationHttpMethod="POST",
        type="MOCK",
        requestParameters={},
        requestTemplates={"application/json": request_template},
    )
    response_template = textwrap.dedent("""
    #set($statusOverride = $context.responseOverride.status)
    #set($fooHeader = $context.responseOverride.header.foo)
    #set($custom = $context.responseOverride.custom)
    {
        "statusOverride": "$statusOverride",
        "fooHeader": "$fooHeader",
        "custom": "$custom"
    }
    """)

    aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        statusCode="200",
        selectionPattern="2\\d{2}",
        responseTemplates={"application/json": response_template}
        if create_response_template
        else {},
    )
    stage_name = "dev"
    aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

    invocation_url = api_invoke_url(api_id=api_id, stage=stage_name)

    def invoke_api(url) -> requests.Response:
        _response = requests.get(url, verify=False)
        assert _response.status_code == expected_status
        return _response

    response_data = retry(invoke_api, sleep=2, retries=10, url=invocation_url)
    assert response_data.headers["foo"] == "bar"
    snapshot.match(
        "response",
        {
            "body": response_data.json() if create_response_template else response_data.content,
            "status_code": response_data.status_code,
        },
    )


@markers.aws.validated
def test_integration_mock_with_vtl_map_assignation(create_rest_apigw, aws_client, snapshot):
    api_id, _, root_id = create_rest_apigw(
        name=f"test-api-{short_uid()}",
        description="this is my api",
    )

    aws_client.apigateway.put_method(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        authorizationType="NONE",
    )

    aws_client.apigateway.put_method_response(
        restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200"
    )

    request_template = textwrap.dedent("""
    #set($paramName = "foo")
    #set($context.requestOverride.querystring[$paramName] = "bar")
    #set($paramPutName = "putfoo")
    $context.requestOverride.querystring.put($paramPutName, "putBar")
    #set($context["requestOverride"].querystring["nestedfoo"] = "nestedFoo")
    {
      "statusCode": 200
    }
    """)

    aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        integrationHttpMethod="POST",
        type="MOCK",
        requestParameters={},
        requestTemplates={"application/json": request_template},
    )
    response_template = textwrap.dedent("""
    #set($value = $context.requestOverride.querystring["foo"])
    #set($value2 = $context.requestOverride.querystring["putfoo"])
    #set($value3 = $context.requestOverride.querystring["nestedfoo"])
    {
        "value": "$value",
        "value2": "$value2",
        "value3": "$value3"
    }
    """)

    aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=root_id,
        httpMethod="GET",
        statusCode="200",
        selectionPattern="2\\d{2}",
        responseTemplates={"application/json": response_template},
    )
    stage_name = "dev"
    aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

    invocation_url = api_invoke_url(api_id=api_id, stage=stage_name)

    def invoke_api(url) -> requests.Response:
        _response = requests.get(url, verify=False)
        assert _response.status_code == 200
        return _response

    response_data = retry(invoke_api, sleep=2, retries=10, url=invocation_url)
    snapshot.match(
        "response",
        {
            "body": response_data.json(),
            "status_code": response_data.status_code,
        },
    )


@pytest.fixture
def create_vpc_endpoint(default_vpc, aws_client):
    endpoints = []

    def _create(**kwargs):
        kwargs.setdefault("VpcId", default_vpc["VpcId"])
        result = aws_client.ec2.create_vpc_endpoint(**kwargs)
        endpoints.append(result["VpcEndpoint"]["VpcEndpointId"])
        return result["VpcEndpoint"]

    yield _create

    for endpoint in endpoints:
        with contextlib.suppress(Exception):
            aws_client.ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])

