"""Regenerates the replayed test files from LocalStack's, so that they stay verbatim.

    python tests/aws_recorded/regenerate.py [LOCALSTACK_GIT_DIR]

LOCALSTACK_GIT_DIR is a clone (or bare mirror) of https://github.com/localstack/localstack; the
files are read at commit 8b9a79f05. For each file: the import block is replaced by Portico's
(HEADERS below, pointing LocalStack's imports at recorded.py), LocalStack-only skips are dropped,
and the classes and tests that are not replayed (README.md says why) are left out. Everything else
is copied as it is. The snapshot JSON files are copied whole.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMMIT = "8b9a79f05"
PREFIX = "tests/aws/services/apigateway/"

# file: (Portico's import block, classes left out, tests and helpers left out)
FILES = {
    'test_apigateway_api.py': (
        "# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:\n# tests/aws/services/apigateway/test_apigateway_api.py at commit 8b9a79f05. Test bodies are\n# verbatim; this import block points LocalStack's imports at recorded.py's shims, LocalStack-only\n# skips (`skipif(not is_aws_cloud())`, `skip`) are dropped since Portico replays AWS's recordings,\n# and the tests Portico cannot replay are left out (tests/aws_recorded/README.md says which).\n# The recorded answers are test_apigateway_api.snapshot.json beside this file.\nimport json  # noqa: F401\nimport logging\nimport os.path\nimport time\nfrom operator import itemgetter\nfrom typing import TYPE_CHECKING, Unpack\n\nimport pytest\nfrom botocore.config import Config\nfrom botocore.exceptions import ClientError\nfrom recorded import (  # noqa: F401\n    PutMode,\n    SortingTransformer,\n    create_rest_api_integration,\n    create_rest_api_integration_response,\n    create_rest_api_method_response,\n    create_rest_resource,\n    create_rest_resource_method,\n    is_aws_cloud,\n    is_next_gen_api,\n    load_file,\n    markers,\n    retry,\n    short_uid,\n)\n\nServiceLevelClientFactory = object\n\nif TYPE_CHECKING:\n    from mypy_boto3_apigateway.type_defs import CreateVpcLinkRequestTypeDef, VpcLinkResponseTypeDef\n\n\nLOG = logging.getLogger(__name__)\n\nTHIS_DIR = os.path.dirname(os.path.abspath(__file__))\n# LocalStack's files/oas30_documentation_parts.json, copied to tests/fixtures/openapi/localstack/.\nOAS_30_DOCUMENTATION_PARTS = os.path.join(THIS_DIR, \"../fixtures/openapi/localstack/oas30_documentation_parts.json\")\n\n",
        [],
        ['test_invoke_test_method', 'test_get_api_case_insensitive'],
    ),
    'test_apigateway_extended.py': (
        "# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:\n# tests/aws/services/apigateway/test_apigateway_extended.py at commit 8b9a79f05. Test bodies are\n# verbatim; this import block points LocalStack's imports at recorded.py's shims, and the tests\n# Portico cannot replay are left out (tests/aws_recorded/README.md says which). The recorded\n# answers are test_apigateway_extended.snapshot.json beside this file.\nimport logging\nimport os\n\nimport pytest\nfrom botocore.exceptions import ClientError\nfrom recorded import load_file, markers, short_uid  # noqa: F401\n\nLOG = logging.getLogger(__name__)\n\n\nTHIS_FOLDER = os.path.dirname(os.path.realpath(__file__))\n# LocalStack's files/petstore-swagger.json and files/pets.json, copied to tests/fixtures/openapi/localstack/.\nTEST_IMPORT_PETSTORE_SWAGGER = os.path.join(THIS_FOLDER, \"../fixtures/openapi/localstack/petstore-swagger.json\")\nTEST_IMPORT_PETS = os.path.join(THIS_FOLDER, \"../fixtures/openapi/localstack/pets.json\")\n\n",
        [],
        ['test_create_domain_names', 'test_get_domain_names', 'test_get_domain_name'],
    ),
    'test_apigateway_common.py': (
        "# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:\n# tests/aws/services/apigateway/test_apigateway_common.py at commit 8b9a79f05. Test bodies are\n# verbatim; this import block points LocalStack's imports at recorded.py's shims, and the tests\n# Portico cannot replay are left out (tests/aws_recorded/README.md says which). The recorded\n# answers are test_apigateway_common.snapshot.json beside this file.\nimport json\nimport textwrap  # noqa: F401\nimport time  # noqa: F401\nfrom operator import itemgetter  # noqa: F401\n\nimport pytest\nimport requests\nfrom botocore.exceptions import ClientError  # noqa: F401\nfrom recorded import (  # noqa: F401\n    TAG_KEY_CUSTOM_ID,\n    api_invoke_url,\n    create_rest_api_deployment,\n    create_rest_api_integration,\n    create_rest_api_stage,\n    create_rest_resource_method,\n    is_aws_cloud,\n    is_next_gen_api,\n    markers,\n    retry,\n    short_uid,\n)\n\n\n",
        [],
        ['test_api_not_existing', 'test_routing_with_custom_api_id', 'test_api_gateway_request_validator', 'test_api_gateway_request_validator_with_ref_models', 'test_api_gateway_request_validator_with_ref_one_ofmodels', 'test_integration_request_parameters_mapping', 'test_invocation_trace_id', 'test_input_body_formatting'],
    ),
    'test_apigateway_integrations.py': (
        '# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:\n# tests/aws/services/apigateway/test_apigateway_integrations.py at commit 8b9a79f05. Test\n# bodies are verbatim; this import block points LocalStack\'s imports at recorded.py\'s shims, and\n# the tests Portico cannot replay are left out (tests/aws_recorded/README.md says which). The\n# recorded answers are test_apigateway_integrations.snapshot.json beside this file.\nimport base64  # noqa: F401\nimport contextlib  # noqa: F401\nimport copy  # noqa: F401\nimport json\nimport textwrap  # noqa: F401\nfrom typing import TypedDict\nfrom urllib.parse import urlparse  # noqa: F401\n\nimport pytest\nimport requests\nfrom botocore.exceptions import ClientError\nfrom recorded import (  # noqa: F401\n    HTTPServer,\n    Request,\n    Response,\n    api_invoke_url,\n    create_rest_api_deployment,\n    is_aws_cloud,\n    is_next_gen_api,\n    markers,\n    retry,\n    short_uid,\n    to_bytes,\n    to_str,\n)\n\nDEFAULT_STAGE_NAME = "dev"\n\n',
        ['TestApiGatewayHeaderRemapping'],
        ['apigw_echo_http_server', 'apigw_echo_http_server_post', 'test_create_execute_api_vpc_endpoint'],
    ),
    'test_apigateway_basic.py': (
        '# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:\n# tests/aws/services/apigateway/test_apigateway_basic.py at commit 8b9a79f05. Test bodies are\n# verbatim; this import block points LocalStack\'s imports at recorded.py\'s shims, and the tests\n# Portico cannot replay are left out (tests/aws_recorded/README.md says which). The recorded\n# answers are test_apigateway_basic.snapshot.json beside this file.\nimport json  # noqa: F401\nimport os\nfrom collections.abc import Callable  # noqa: F401\n\nimport pytest\nimport requests\nfrom botocore.exceptions import ClientError\nfrom recorded import (  # noqa: F401\n    UrlType,\n    api_invoke_url,\n    create_rest_api_deployment,\n    create_rest_api_integration,\n    create_rest_api_integration_response,\n    create_rest_api_method_response,\n    create_rest_api_stage,\n    create_rest_resource,\n    create_rest_resource_method,\n    is_next_gen_api,\n    load_file,\n    markers,\n    retry,\n    short_uid,\n    update_rest_api_deployment,\n)\n\nTEST_STAGE_NAME = "testing"\nTHIS_FOLDER = os.path.dirname(os.path.realpath(__file__))\n# LocalStack\'s files/openapi-mock.json, copied to tests/fixtures/openapi/localstack/.\nTEST_IMPORT_MOCK_INTEGRATION = os.path.join(THIS_FOLDER, \"../fixtures/openapi/localstack/openapi-mock.json\")\n\n',
        ['TestTagging'],
        ['_test_api_gateway_lambda_proxy_integration_no_asserts', '_test_api_gateway_lambda_proxy_integration', '_test_api_gateway_lambda_proxy_integration_any_method', '_get_invoke_endpoint', 'create_api_gateway_and_deploy', 'integration_lambda', 'test_create_rest_api_with_custom_id', 'test_create_rest_api_with_invalid_custom_id', 'test_api_gateway_lambda_integration_aws_type', 'test_invoke_endpoint_cors_headers', 'test_api_gateway_lambda_proxy_integration', 'test_api_gateway_lambda_proxy_integration_with_is_base_64_encoded', 'test_api_gateway_lambda_proxy_integration_any_method', 'test_api_gateway_lambda_proxy_integration_any_method_with_path_param', 'test_api_gateway_lambda_asynchronous_invocation', 'test_api_gateway_authorizer_crud', 'test_api_gateway_handle_domain_name', 'test_apigateway_with_custom_authorization_method', 'test_base_path_mapping', 'test_base_path_mapping_root', 'test_api_account', 'test_put_integration_dynamodb_proxy_validation_without_request_template', 'test_put_integration_dynamodb_proxy_validation_with_request_template', 'test_multiple_api_keys_validate', 'test_api_gateway_http_integration_with_path_request_parameter', 'test_api_mock_integration_response_params', 'test_response_headers_invocation_with_apigw', 'test_apigw_test_invoke_method_api', 'test_apigw_stage_variables', 'test_tag_api', 'test_apigw_call_api_with_aws_endpoint_url', 'test_rest_api_multi_region', 'test_api_gateway_http_integrations'],
    ),
    'test_apigateway_http.py': (
        "# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:\n# tests/aws/services/apigateway/test_apigateway_http.py at commit 8b9a79f05. Test bodies are\n# verbatim; this import block points LocalStack's imports at recorded.py's shims, and the tests\n# Portico cannot replay are left out (tests/aws_recorded/README.md says which). The recorded\n# answers are test_apigateway_http.snapshot.json beside this file.\nimport json  # noqa: F401\nfrom http import HTTPMethod\n\nimport pytest\nimport requests\nfrom recorded import api_invoke_url, is_aws_cloud, is_next_gen_api, markers, retry  # noqa: F401\n\n",
        [],
        ['test_http_integration_with_lambda', 'test_http_integration_method', 'test_http_proxy_integration_request_data_mappings'],
    ),
    'test_apigateway_canary.py': (
        "# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:\n# tests/aws/services/apigateway/test_apigateway_canary.py at commit 8b9a79f05. Test bodies are\n# verbatim; this import block points LocalStack's imports at recorded.py's shims, and the tests\n# Portico cannot replay are left out (tests/aws_recorded/README.md says which). The recorded\n# answers are test_apigateway_canary.snapshot.json beside this file.\nimport json\n\nimport pytest\nimport requests\nfrom botocore.exceptions import ClientError\nfrom recorded import api_invoke_url, markers, retry\n\n",
        [],
        [],
    ),
    'test_apigateway_import.py': (
        '# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:\n# tests/aws/services/apigateway/test_apigateway_import.py at commit 8b9a79f05. Test bodies are\n# verbatim; this import block points LocalStack\'s imports at recorded.py\'s shims (its `config`\n# and `localstack_host` name AWS\'s own model URL host, which Portico writes), its files at\n# tests/fixtures/openapi/localstack/ (copied there), and the tests Portico cannot\n# replay are left out (tests/aws_recorded/README.md says which). The recorded answers are\n# test_apigateway_import.snapshot.json beside this file.\nimport logging\nimport os\nimport re  # noqa: F401\nimport time\nfrom operator import itemgetter\n\nimport pytest\nimport requests  # noqa: F401\nfrom botocore.exceptions import ClientError\nfrom recorded import (  # noqa: F401\n    Resources,\n    Runtime,\n    SortingTransformer,\n    api_invoke_url,\n    arns,\n    config,\n    create_lambda_archive,\n    is_aws_cloud,\n    is_next_gen_api,\n    load_file,\n    localstack_host,\n    markers,\n    retry,\n    short_uid,\n    wait_until,\n)\n\nLOG = logging.getLogger(__name__)\n\n# parent directory of this file\nPARENT_DIR = os.path.dirname(os.path.abspath(__file__))\nFILES = os.path.join(PARENT_DIR, "../fixtures/openapi/localstack")\nOPENAPI_SPEC_PULUMI_JSON = os.path.join(FILES, "openapi.spec.pulumi.json")\nOPENAPI_SPEC_TF_JSON = os.path.join(FILES, "openapi.spec.tf.json")\nSWAGGER_MOCK_CORS_JSON = os.path.join(FILES, "swagger-mock-cors.json")\nPETSTORE_SWAGGER_JSON = os.path.join(FILES, "petstore-authorizer.swagger.json")\nTEST_SWAGGER_FILE_JSON = os.path.join(FILES, "swagger.json")\nTEST_OPENAPI_COGNITO_AUTH = os.path.join(FILES, "openapi.cognito-auth.json")\nTEST_OAS30_BASE_PATH_SERVER_VAR_FILE_YAML = os.path.join(\n    FILES, "openapi-basepath-server-variable.yaml"\n)\nTEST_OAS30_BASE_PATH_SERVER_URL_FILE_YAML = os.path.join(FILES, "openapi-basepath-url.yaml")\nTEST_IMPORT_REST_API_FILE = os.path.join(FILES, "pets.json")\nTEST_IMPORT_OPEN_API_GLOBAL_API_KEY_AUTHORIZER = os.path.join(\n    FILES, "openapi.spec.global-auth.json"\n)\nOAS_30_CIRCULAR_REF = os.path.join(FILES, "openapi.spec.circular-ref.json")\nOAS_30_CIRCULAR_REF_WITH_REQUEST_BODY = os.path.join(\n    FILES, "openapi.spec.circular-ref-with-request-body.json"\n)\nOAS_30_STAGE_VARIABLES = os.path.join(FILES, "openapi.spec.stage-variables.json")\nOAS30_HTTP_METHOD_INT = os.path.join(FILES, "openapi-http-method-integration.json")\nOAS30_HTTP_STATUS_INT = os.path.join(FILES, "openapi-method-int.spec.yaml")\nTEST_LAMBDA_PYTHON_ECHO = None  # only read against AWS (is_aws_cloud())\n\n\n',
        [],
        ['test_import_with_stage_variables'],
    ),
}


def split_chunks(lines):
    """Top-level chunks: the head (imports), then each decorated class or function."""
    chunks, cur = [], []
    for ln in lines:
        pending = bool(cur) and cur[0].startswith("@") and not any(
            line.startswith(("def ", "class ")) for line in cur
        )
        starts = ln and not ln[0].isspace() and ln.startswith(("class ", "@", "def "))
        if starts and not pending:
            chunks.append(cur)
            cur = []
        cur.append(ln)
    chunks.append(cur)
    return chunks


def split_methods(ch):
    mchunks, c = [], []
    for ln in ch:
        starts = ln.startswith("    @") or ln.startswith("    def ")
        pending = bool(c) and c[0].startswith("    @") and not any(
            line.startswith("    def ") for line in c
        )
        if starts and not pending and c and not c[-1].startswith("        ") and not c[-1].startswith("    @"):
            mchunks.append(c)
            c = []
        elif starts and not pending and c and c[-1].strip() == "":
            mchunks.append(c)
            c = []
        c.append(ln)
    mchunks.append(c)
    return mchunks


def convert(text, header, drop_classes, drop_tests):
    chunks = split_chunks(text.split("\n"))
    res = []
    for ch in chunks[1:]:
        m = re.match(r"class (\w+)", next((line for line in ch if line.startswith("class ")), ""))
        if m and m.group(1) in drop_classes:
            continue
        fm = next((re.match(r"def (\w+)", line) for line in ch if re.match(r"def (\w+)", line)), None)
        if not m and fm and fm.group(1) in drop_tests:
            continue
        if m:
            new = []
            for mc in split_methods(ch):
                name = next(
                    (re.match(r"    def (\w+)", line).group(1) for line in mc if re.match(r"    def (\w+)", line)),
                    None,
                )
                if name not in drop_tests:
                    new.extend(mc)
            ch = new
        res.append(ch)
    out = header + "\n".join("\n".join(c) for c in res)
    # LocalStack-only skips: the recordings are AWS's, Portico replays them.
    out = re.sub(
        r'    @pytest\.mark\.skipif\(\n        condition=not is_aws_cloud\(\), reason="[^"]*"\n    \)\n', "", out
    )
    out = re.sub(
        r'    @pytest\.mark\.skipif\(\n        condition=not is_next_gen_api\(\), reason="[^"]*"\n    \)\n',
        "",
        out,
    )
    out = re.sub(r'    @pytest\.mark\.skip\(reason="[^"]*"\)\n', "", out)
    return out


def show(git_dir, path):
    return subprocess.run(
        ["git", "-C", git_dir, "show", f"{COMMIT}:{PREFIX}{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def main():
    git_dir = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/localstack+localstack/repo"
    for name, (header, drop_classes, drop_tests) in FILES.items():
        with open(os.path.join(HERE, name), "w") as f:
            f.write(convert(show(git_dir, name), header, drop_classes, drop_tests))
        snapshot = name.replace(".py", ".snapshot.json")
        with open(os.path.join(HERE, snapshot), "w") as f:
            f.write(show(git_dir, snapshot))


if __name__ == "__main__":
    main()
