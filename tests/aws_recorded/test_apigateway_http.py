# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:
# tests/aws/services/apigateway/test_apigateway_http.py at commit 8b9a79f05. Test bodies are
# verbatim; this import block points LocalStack's imports at recorded.py's shims, and the tests
# Portico cannot replay are left out (tests/aws_recorded/README.md says which). The recorded
# answers are test_apigateway_http.snapshot.json beside this file.
import json  # noqa: F401
from http import HTTPMethod

import pytest
import requests
from recorded import api_invoke_url, is_aws_cloud, is_next_gen_api, markers, retry  # noqa: F401

@pytest.fixture
def add_http_integration_transformers(snapshot):
    key_value_transform = [
        "date",
        "domain",
        "host",
        "origin",
        "rest_api_id",
        "x-amz-apigw-id",
        "x-amzn-tls-cipher-suite",
        "x-amzn-tls-version",
        "x-amzn-requestid",
        "x-amzn-trace-id",
        "x-forwarded-for",
        "x-forwarded-port",
        "x-forwarded-proto",
    ]
    for key in key_value_transform:
        snapshot.add_transformer(snapshot.transform.key_value(key))

    snapshot.add_transformer(
        snapshot.transform.jsonpath(
            "$.*.headers.content-length",
            reference_replacement=True,
            value_replacement="content_length",
        ),
        priority=2,
    )
    # remove the reference replacement, as sometimes we can have a difference with `date`
    snapshot.add_transformer(
        snapshot.transform.key_value(
            "x-amzn-remapped-date",
            value_replacement="<date>",
            reference_replacement=False,
        ),
        priority=-1,
    )


@markers.aws.validated
@pytest.mark.parametrize("integration_type", ["HTTP", "HTTP_PROXY"])
def test_http_integration_invoke_status_code_passthrough(
    aws_client,
    create_status_code_echo_server,
    create_rest_api_with_integration,
    snapshot,
    integration_type,
):
    # Create echo serve
    echo_server_url = create_status_code_echo_server()
    # Create apigw
    stage_name = "test"
    apigw_id = create_rest_api_with_integration(
        integration_uri=f"{echo_server_url}{{map}}",
        integration_type=integration_type,
        path_part="{map+}",
        req_parameters={
            "integration.request.path.map": "method.request.path.map",
        },
        stage=stage_name,
    )

    def invoke_api(url: str, method: HTTPMethod = HTTPMethod.POST):
        response = requests.request(url=url, method=method)
        status_code = response.status_code
        assert status_code != 403
        return {"body": response.json(), "status_code": status_code}

    invocation_url = api_invoke_url(
        api_id=apigw_id,
        stage=stage_name,
        path="/status",
    )

    # Invoke with matching response code
    invoke_response = retry(invoke_api, sleep=2, retries=10, url=f"{invocation_url}/200")
    snapshot.match("matching-response", invoke_response)

    # invoke non matching response code
    invoke_response = retry(invoke_api, sleep=2, retries=10, url=f"{invocation_url}/400")
    snapshot.match("non-matching-response", invoke_response)

