"""Fixtures that LocalStack's replayed tests expect (`aws_client`, `aws_client_factory`,
`snapshot`, `apigw_create_rest_api`...), backed by the session's Portico server.

Parts copied from LocalStack (https://github.com/localstack/localstack, commit 8b9a79f05,
Apache-2.0): `apigw_create_rest_api`, `apigw_create_vpc_link` and `create_rest_apigw` follow
tests/aws/services/apigateway/test_apigateway_api.py and localstack's testing fixtures.
"""
import json
import os
import sys
import threading
from itertools import count
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# This directory is a package (its conftest must not shadow tests/conftest.py as `conftest`);
# the copied tests import the shims as the top-level module `recorded`.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from portico_server import ACCOUNT_A, CONFIG, Server  # noqa: E402
import recorded  # noqa: E402
from recorded import (  # noqa: E402
    Snapshot,
    create_rest_api_deployment,
    create_rest_api_integration,
    create_rest_api_integration_response,
    create_rest_api_method_response,
    import_rest_api,
    create_rest_api_stage,
    create_rest_resource,
    create_rest_resource_method,
    recorded_content,
    short_uid,
)


NO_RETRY = Config(retries={"total_max_attempts": 1})


def make_client(server, config=None):
    """As tests/conftest.py's make_client: account A, us-east-1, no retries."""
    return boto3.client(
        "apigateway",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=ACCOUNT_A[0],
        aws_secret_access_key=ACCOUNT_A[1],
        config=NO_RETRY.merge(config) if config is not None else NO_RETRY,
    )


class _Logs:
    """CloudWatch Logs is no part of Portico: the log-group calls the stage tests make to get an
    ARN answer the ARN AWS would (the ARN is replaced by `<log-group-arn>` in the recording).
    Creating a log group also gives the account the CloudWatch role the recording account had
    (AWS refuses access logs to CloudWatch without one)."""

    def __init__(self, apigateway):
        self.apigateway = apigateway

    def create_log_group(self, logGroupName):
        self.apigateway.update_account(
            patchOperations=[
                {
                    "op": "replace",
                    "path": "/cloudwatchRoleArn",
                    "value": "arn:aws:iam::000000000000:role/apigateway-cloudwatch",
                }
            ]
        )
        return {}

    def describe_log_groups(self, logGroupNamePrefix):
        arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{logGroupNamePrefix}:*"
        return {"logGroups": [{"logGroupName": logGroupNamePrefix, "arn": arn}]}

    def delete_log_group(self, logGroupName):
        return {}


class AwsClients:
    def __init__(self, server, config=None):
        self.apigateway = make_client(server, config)
        self.logs = _Logs(self.apigateway)


# The NLB LocalStack's VPC link test targets outside AWS (its ARN with Portico's account and
# region), configured so that the link becomes AVAILABLE as it does on AWS.
NLB_ARN = (
    "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/my-load-balancer/"
    "50dc6c495c0c9188"
)
RECORDED_CONFIG = (
    CONFIG
    + f"""
[[load_balancers]]
arn = "{NLB_ARN}"
targets = ["127.0.0.1:9"]
"""
)


def pytest_configure(config):
    # LocalStack's import tests mark those that add their own snapshot transformers.
    config.addinivalue_line("markers", "no_apigw_snap_transformers: LocalStack's marker")


@pytest.fixture(scope="session")
def server():
    """The replay's own server (the suite's configuration and the NLB above)."""
    s = Server(config=RECORDED_CONFIG).start()
    recorded.SERVER_URL = s.url
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _fresh_portico(server):
    """A fresh server state for every replayed test, as the `apigw` fixture does."""
    server.reset()


@pytest.fixture(scope="session")
def aws_client(server):
    return AwsClients(server)


@pytest.fixture
def aws_client_factory(server):
    def factory(config=None):
        return AwsClients(server, config=config)

    return factory


@pytest.fixture(scope="session")
def region_name():
    return "us-east-1"


@pytest.fixture
def partition():
    return "aws"


@pytest.fixture
def account_id():
    return ACCOUNT_A[2]


@pytest.fixture
def default_vpc():
    """Only read when `is_aws_cloud()`."""
    return None


HONOURED_SKIPS = {
    # test_put_method_model: deleting a model two methods use names one of them; which one AWS
    # names is not defined.
    "$.delete-model-used-by-2-method.Error.Message",
    "$.delete-model-used-by-2-method.message",
}


@pytest.fixture
def snapshot(request, _fresh_portico):
    fn = request.function
    assert getattr(fn, "_aws_validated", False), "only @markers.aws.validated tests are replayed"
    module_file = os.path.basename(request.node.fspath)
    test_id = request.node.nodeid.split("::", 1)[1]
    # Only the skipped paths that concern a detail independent of Portico are honoured (see
    # README.md); any other path a LocalStack test skips is compared all the same.
    skips = [p for p in getattr(fn, "_skip_snapshot_paths", []) if p in HONOURED_SKIPS]
    snap = Snapshot(recorded_content(module_file, test_id), skips)
    yield snap
    if getattr(request.node, "rep_call_passed", False):
        missing = snap.unmatched()
        assert not missing, f"recorded snapshot keys never matched: {missing}"


def pytest_collection_modifyitems(config, items):
    """Only tests LocalStack recorded against AWS (`@markers.aws.validated`) are replayed."""
    for item in items:
        path = str(item.fspath)
        if os.path.dirname(path) != HERE or os.path.basename(path) == "test_replay_matcher.py":
            continue
        fn = getattr(item, "function", None)
        if not getattr(fn, "_aws_validated", False):
            raise pytest.UsageError(f"{item.nodeid} is not @markers.aws.validated: not replayable")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call_passed = rep.passed


@pytest.fixture
def apigw_create_rest_api(aws_client):
    apigateway_client = aws_client.apigateway
    rest_apis = []

    def _factory(*args, **kwargs):
        if "name" not in kwargs:
            kwargs["name"] = f"test-api-{short_uid()}"
        response = apigateway_client.create_rest_api(*args, **kwargs)
        rest_apis.append(response["id"])
        return response

    yield _factory

    for rest_api_id in rest_apis:
        try:
            apigateway_client.delete_rest_api(restApiId=rest_api_id)
        except Exception:  # noqa: BLE001 - the test may have deleted it
            pass


@pytest.fixture(scope="session")
def lambda_su_role():
    """LocalStack's `lambda_su_role` creates an IAM role; IAM is no part of Portico, and the
    import tests only write its ARN into documents."""
    return f"arn:aws:iam::000000000000:role/lambda-autogenerated-{short_uid()}"


@pytest.fixture
def import_apigw(aws_client):
    """LocalStack's `import_apigw` (its apigateway conftest.py): ImportRestApi through
    `import_rest_api`, the APIs deleted afterwards."""
    rest_api_ids = []

    def _import(*args, **kwargs):
        response, root_id = import_rest_api(aws_client.apigateway, **kwargs)
        rest_api_ids.append(response.get("id"))
        return response, root_id

    yield _import

    for rest_api_id in rest_api_ids:
        try:
            aws_client.apigateway.delete_rest_api(restApiId=rest_api_id)
        except Exception:  # noqa: BLE001 - the test may have deleted it
            pass


@pytest.fixture
def create_rest_apigw(aws_client):
    """LocalStack's `create_rest_apigw`: returns (id, name, root resource id)."""
    rest_api_ids = []
    client = aws_client.apigateway

    def _create(**kwargs):
        kwargs.setdefault("name", f"test-api-{short_uid()}")
        response = client.create_rest_api(**kwargs)
        rest_api_ids.append(response["id"])
        resources = client.get_resources(restApiId=response["id"])
        root_id = next(item for item in resources["items"] if item["path"] == "/")["id"]
        return response["id"], response["name"], root_id

    yield _create

    for rest_api_id in rest_api_ids:
        try:
            client.delete_rest_api(restApiId=rest_api_id)
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture
def cleanups():
    """LocalStack's `cleanups`: callables run after the test, last first."""
    funcs = []
    yield funcs
    for fn in reversed(funcs):
        try:
            fn()
        except Exception:  # noqa: BLE001
            pass


class _Echo(BaseHTTPRequestHandler):
    """httpbin's /post, which LocalStack's `echo_http_server_post` stands for against AWS: the
    request echoed as JSON, its parsed JSON body under `json`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        out = json.dumps(
            {
                "data": data.decode("utf-8", "replace") or "{}",
                "headers": dict(self.headers.items()),
                "url": f"http://{self.headers.get('Host')}{self.path}",
                "method": self.command,
                "json": parsed,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


@pytest.fixture
def echo_http_server_post():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/post"
    httpd.shutdown()
    httpd.server_close()


# LocalStack's tests/aws/services/apigateway/conftest.py (commit 8b9a79f05), verbatim:
@pytest.fixture
def apigw_redeploy_api(aws_client):
    def _factory(rest_api_id: str, stage_name: str):
        deployment_id = aws_client.apigateway.create_deployment(restApiId=rest_api_id)["id"]

        aws_client.apigateway.update_stage(
            restApiId=rest_api_id,
            stageName=stage_name,
            patchOperations=[{"op": "replace", "path": "/deploymentId", "value": deployment_id}],
        )

    return _factory


@pytest.fixture
def apigw_add_transformers(snapshot):
    snapshot.add_transformer(snapshot.transform.jsonpath("$..items..id", "id"))
    snapshot.add_transformer(snapshot.transform.key_value("deploymentId"))


# LocalStack's tests/aws/services/apigateway/conftest.py (commit 8b9a79f05), verbatim; it needs
# IAM and Kinesis helpers only for AWS-service URIs, which the replayed tests do not use.
DEFAULT_STAGE_NAME = "dev"
APPLICATION_JSON = "application/json"
APIGATEWAY_DYNAMODB_POLICY = APIGATEWAY_KINESIS_POLICY = APIGATEWAY_ASSUME_ROLE_POLICY = {}


@pytest.fixture
def wait_for_stream_ready():
    return None


@pytest.fixture
def create_iam_role_with_policy():
    def _refuse(**kwargs):
        raise AssertionError("IAM is no part of Portico")

    return _refuse


@pytest.fixture
def create_rest_api_with_integration(
    create_rest_apigw, wait_for_stream_ready, create_iam_role_with_policy, aws_client
):
    def _factory(
        integration_uri,
        path_part="test",
        req_parameters=None,
        req_templates=None,
        res_templates=None,
        integration_type=None,
        stage=DEFAULT_STAGE_NAME,
        resource_method: str = "POST",
        integration_method: str = "POST",
    ):
        name = f"test-apigw-{short_uid()}"
        api_id, name, root_id = create_rest_apigw(
            name=name, endpointConfiguration={"types": ["REGIONAL"]}
        )

        resource_id, _ = create_rest_resource(
            aws_client.apigateway, restApiId=api_id, parentId=root_id, pathPart=path_part
        )

        if req_parameters is None:
            req_parameters = {}

        method, _ = create_rest_resource_method(
            aws_client.apigateway,
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=resource_method,
            authorizationType="NONE",
            apiKeyRequired=False,
            requestParameters=dict.fromkeys(req_parameters.values(), True),
        )

        # set AWS policy to give API GW access to backend resources
        if ":dynamodb:" in integration_uri:
            policy = APIGATEWAY_DYNAMODB_POLICY
        elif ":kinesis:" in integration_uri:
            policy = APIGATEWAY_KINESIS_POLICY
        elif integration_type in ("HTTP", "HTTP_PROXY"):
            policy = None
        else:
            raise Exception(f"Unexpected integration URI: {integration_uri}")
        assume_role_arn = ""
        if policy:
            assume_role_arn = create_iam_role_with_policy(
                RoleName=f"role-apigw-{short_uid()}",
                PolicyName=f"policy-apigw-{short_uid()}",
                RoleDefinition=APIGATEWAY_ASSUME_ROLE_POLICY,
                PolicyDefinition=policy,
            )

        create_rest_api_integration(
            aws_client.apigateway,
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=method,
            integrationHttpMethod=integration_method,
            type=integration_type or "AWS",
            credentials=assume_role_arn,
            uri=integration_uri,
            requestTemplates=req_templates or {},
            requestParameters=req_parameters,
        )

        create_rest_api_method_response(
            aws_client.apigateway,
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=resource_method,
            statusCode="200",
        )

        res_templates = res_templates or {APPLICATION_JSON: "$input.json('$')"}
        create_rest_api_integration_response(
            aws_client.apigateway,
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=resource_method,
            statusCode="200",
            responseTemplates=res_templates,
        )

        deployment_id, _ = create_rest_api_deployment(aws_client.apigateway, restApiId=api_id)
        create_rest_api_stage(
            aws_client.apigateway, restApiId=api_id, stageName=stage, deploymentId=deployment_id
        )

        return api_id

    yield _factory


class _StatusEcho(BaseHTTPRequestHandler):
    """LocalStack's `create_status_code_echo_server` is a Lambda function URL running
    tests/aws/services/lambda_/functions/lambda_echo_status_code.py: it answers the status code
    the path ends with, and `{"status_code": N, "message": ""}`. The same, without Lambda."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?")[0]
        last = path.split("/")[-1]
        if last.isdigit() and 100 <= int(last) < 600:
            status, message = int(last), ""
        else:
            status, message = 400, f"No valid status found at end of path {path}"
        out = json.dumps({"status_code": status, "message": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


@pytest.fixture
def create_status_code_echo_server():
    servers = []

    def _create():
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _StatusEcho)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/"

    yield _create
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


# LocalStack's tests/aws/services/apigateway/conftest.py (commit 8b9a79f05), verbatim:
@pytest.fixture
def apigw_test_invoke_response_formatter(snapshot):
    snapshot.add_transformers_list(
        [
            snapshot.transform.key_value(
                "latency", value_replacement="<latency>", reference_replacement=False
            ),
            snapshot.transform.jsonpath(
                "$..headers.X-Amzn-Trace-Id", value_replacement="x-amz-trace-id"
            ),
            snapshot.transform.regex(
                r"URI: https:\/\/.*?\/2015-03-31", "URI: https://<endpoint_url>/2015-03-31"
            ),
            snapshot.transform.regex(
                r"Integration latency: \d*? ms", "Integration latency: <latency> ms"
            ),
            snapshot.transform.regex(
                r"Date=[a-zA-Z]{3},\s\d{2}\s[a-zA-Z]{3}\s\d{4}\s\d{2}:\d{2}:\d{2}\sGMT",
                "Date=Day, dd MMM yyyy hh:mm:ss GMT",
            ),
            snapshot.transform.regex(
                r"x-amzn-RequestId=[a-f0-9-]{36}", "x-amzn-RequestId=<request-id-lambda>"
            ),
            snapshot.transform.regex(
                r"[a-zA-Z]{3}\s[a-zA-Z]{3}\s\d{2}\s\d{2}:\d{2}:\d{2}\sUTC\s\d{4} :",
                "DDD MMM dd hh:mm:ss UTC yyyy :",
            ),
            snapshot.transform.regex(
                r"Authorization=.*?,", "Authorization=<authorization-header>,"
            ),
            snapshot.transform.regex(
                r"X-Amz-Security-Token=.*?\s\[", "X-Amz-Security-Token=<token> ["
            ),
            snapshot.transform.regex(r"\d{8}T\d{6}Z", "<date>"),
        ]
    )

    def _transform_log(_log: str) -> dict[str, str]:
        return {f"line{index:02d}": line for index, line in enumerate(_log.split("\n"))}

    counter = count(start=1)

    # we want to do very precise matching on the log, and splitting on new lines will help in case the snapshot
    # fails
    # the snapshot library does not allow to ignore an array index as the last node, so we need to put it in a dict

    def transform_response(response: dict) -> dict:
        response["log"] = _transform_log(response["log"])
        request_id = response["log"]["line00"].split(" ")[-1]
        snapshot.add_transformer(
            snapshot.transform.regex(request_id, f"<request-id-{next(counter)}>"), priority=-1
        )
        return response

    return transform_response


@pytest.fixture
def httpserver():
    """pytest-httpserver's fixture, as far as LocalStack's echo fixtures use it."""
    s = recorded.HTTPServer()
    yield s
    s.close()


@pytest.fixture
def create_echo_http_server(echo_http_server_post):
    """LocalStack's fixture deploys an echo Lambda behind a function URL; the tests replayed here
    only need an HTTP endpoint for an integration URI (its answer is not recorded)."""

    def _create(trim_x_headers=False):
        return echo_http_server_post

    return _create
