# Replayed from LocalStack (https://github.com/localstack/localstack), Apache-2.0:
# tests/aws/services/apigateway/test_apigateway_common.py at commit 8b9a79f05. Test bodies are
# verbatim; this import block points LocalStack's imports at recorded.py's shims, and the tests
# Portico cannot replay are left out (tests/aws_recorded/README.md says which). The recorded
# answers are test_apigateway_common.snapshot.json beside this file.
import json
import textwrap  # noqa: F401
import time  # noqa: F401
from operator import itemgetter  # noqa: F401

import pytest
import requests
from botocore.exceptions import ClientError  # noqa: F401
from recorded import (  # noqa: F401
    TAG_KEY_CUSTOM_ID,
    api_invoke_url,
    create_rest_api_deployment,
    create_rest_api_integration,
    create_rest_api_stage,
    create_rest_resource_method,
    is_aws_cloud,
    is_next_gen_api,
    markers,
    retry,
    short_uid,
)


def _create_mock_integration_with_200_response_template(
    aws_client, api_id: str, resource_id: str, http_method: str, response_template: dict
):
    aws_client.apigateway.put_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=http_method,
        authorizationType="NONE",
    )

    aws_client.apigateway.put_method_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=http_method,
        statusCode="200",
    )

    aws_client.apigateway.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=http_method,
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )

    aws_client.apigateway.put_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=http_method,
        statusCode="200",
        selectionPattern="",
        responseTemplates={"application/json": json.dumps(response_template)},
    )


class TestApiGatewayCommon:
    """
    In this class we won't test individual CRUD API calls but how those will affect the integrations and
    requests/responses from the API.
    """

    @markers.aws.validated
    @markers.requires_in_process  # uses pytest httpserver
    def test_input_path_template_formatting(
        self, aws_client, create_rest_apigw, echo_http_server_post, snapshot
    ):
        api_id, _, root_id = create_rest_apigw()

        def _create_route(path: str, response_templates):
            resource_id = aws_client.apigateway.create_resource(
                restApiId=api_id, parentId=root_id, pathPart=path
            )["id"]
            aws_client.apigateway.put_method(
                restApiId=api_id,
                resourceId=resource_id,
                httpMethod="POST",
                authorizationType="NONE",
                apiKeyRequired=False,
            )

            aws_client.apigateway.put_method_response(
                restApiId=api_id,
                resourceId=resource_id,
                httpMethod="POST",
                statusCode="200",
            )

            aws_client.apigateway.put_integration(
                restApiId=api_id,
                resourceId=resource_id,
                httpMethod="POST",
                integrationHttpMethod="POST",
                type="HTTP",
                uri=echo_http_server_post,
            )

            aws_client.apigateway.put_integration_response(
                restApiId=api_id,
                resourceId=resource_id,
                httpMethod="POST",
                statusCode="200",
                selectionPattern="",
                responseTemplates={"application/json": response_templates},
            )

        _create_route("path", '#set($result = $input.path("$.json"))$result')
        _create_route("nested", '#set($result = $input.path("$.json"))$result.nested')
        _create_route("list", '#set($result = $input.path("$.json"))$result[0]')
        _create_route("to-string", '#set($result = $input.path("$.json"))$result.toString()')
        _create_route(
            "invalid-path",
            '#set($result = $input.path("$.nonExisting")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}',
        )
        _create_route(
            "nested-list",
            '#set($result = $input.path("$.json.listValue")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}',
        )

        stage_name = "dev"
        aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

        url = api_invoke_url(api_id=api_id, stage=stage_name, path="/")
        path_url = url + "path"
        nested_url = url + "nested"
        list_url = url + "list"
        to_string = url + "to-string"
        invalid_path = url + "invalid-path"
        nested_list = url + "nested-list"

        response = requests.post(path_url, json={"foo": "bar"})
        snapshot.match("dict-response", response.text)

        response = requests.post(path_url, json=[{"foo": "bar"}])
        snapshot.match("json-list", response.text)

        response = requests.post(nested_url, json={"nested": {"foo": "bar"}})
        snapshot.match("nested-dict", response.text)

        response = requests.post(nested_url, json={"nested": [{"foo": "bar"}]})
        snapshot.match("nested-list", response.text)

        response = requests.post(list_url, json=[{"foo": "bar"}])
        snapshot.match("dict-in-list", response.text)

        response = requests.post(list_url, json=[[{"foo": "bar"}]])
        snapshot.match("list-with-nested-list", response.text)

        response = requests.post(path_url, json={"foo": [{"nested": "bar"}]})
        snapshot.match("dict-with-nested-list", response.text)

        response = requests.post(
            path_url, json={"bigger": "dict", "to": "test", "with": "separators"}
        )
        snapshot.match("bigger-dict", response.text)

        response = requests.post(to_string, json={"foo": "bar"})
        snapshot.match("to-string", response.text)

        response = requests.post(to_string, json={"list": [{"foo": "bar"}]})
        snapshot.match("list-to-string", response.text)

        response = requests.post(invalid_path)
        snapshot.match("empty-body", response.text)

        response = requests.post(nested_list, json={"listValue": []})
        snapshot.match("nested-empty-list", response.text)

        response = requests.post(nested_list, json={"listValue": None})
        snapshot.match("nested-null-list", response.text)

class TestUsagePlans:
    @markers.aws.validated
    def test_api_key_required_for_methods(
        self,
        aws_client,
        snapshot,
        create_rest_apigw,
        apigw_redeploy_api,
        cleanups,
    ):
        snapshot.add_transformer(snapshot.transform.apigateway_api())
        snapshot.add_transformers_list(
            [
                snapshot.transform.key_value("apiId"),
                snapshot.transform.key_value("value"),
            ]
        )

        # Create a REST API with the apiKeySource set to "HEADER"
        api_id, _, root_id = create_rest_apigw(name="test API key", apiKeySource="HEADER")

        resource = aws_client.apigateway.create_resource(
            restApiId=api_id, parentId=root_id, pathPart="test"
        )

        resource_id = resource["id"]

        aws_client.apigateway.put_method(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod="GET",
            authorizationType="NONE",
            apiKeyRequired=True,
        )

        aws_client.apigateway.put_method_response(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod="GET",
            statusCode="200",
        )

        aws_client.apigateway.put_integration(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod="GET",
            integrationHttpMethod="GET",
            type="MOCK",
            requestTemplates={"application/json": '{"statusCode": 200}'},
        )

        aws_client.apigateway.put_integration_response(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod="GET",
            statusCode="200",
            selectionPattern="",
        )

        stage_name = "dev"
        aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

        usage_plan_response = aws_client.apigateway.create_usage_plan(
            name=f"test-plan-{short_uid()}",
            description="Test Usage Plan for API key",
            quota={"limit": 10, "period": "DAY", "offset": 0},
            throttle={"rateLimit": 2, "burstLimit": 1},
            apiStages=[{"apiId": api_id, "stage": stage_name}],
            tags={"tag_key": "tag_value"},
        )
        snapshot.match("create-usage-plan", usage_plan_response)

        usage_plan_id = usage_plan_response["id"]

        key_name = f"testApiKey-{short_uid()}"
        api_key_response = aws_client.apigateway.create_api_key(
            name=key_name,
            enabled=True,
        )
        snapshot.match("create-api-key", api_key_response)
        api_key_id = api_key_response["id"]
        cleanups.append(lambda: aws_client.apigateway.delete_api_key(apiKey=api_key_id))

        create_usage_plan_key_resp = aws_client.apigateway.create_usage_plan_key(
            usagePlanId=usage_plan_id,
            keyId=api_key_id,
            keyType="API_KEY",
        )
        snapshot.match("create-usage-plan-key", create_usage_plan_key_resp)

        url = api_invoke_url(api_id=api_id, stage=stage_name, path="/test")
        response = requests.get(url)
        # when the api key is not passed as part of the header
        assert response.status_code == 403

        def _assert_with_key(expected_status_code: int):
            _response = requests.get(url, headers={"x-api-key": api_key_response["value"]})
            assert _response.status_code == expected_status_code

        # AWS takes a very, very long time to make the key enabled
        retries = 10 if is_aws_cloud() else 3
        sleep = 12 if is_aws_cloud() else 1
        retry(_assert_with_key, retries=retries, sleep=sleep, expected_status_code=200)

        # now disable the key to verify that we should not be able to access the api
        patch_operations = [
            {"op": "replace", "path": "/enabled", "value": "false"},
        ]
        response = aws_client.apigateway.update_api_key(
            apiKey=api_key_id, patchOperations=patch_operations
        )
        snapshot.match("update-api-key-disabled", response)

        retry(_assert_with_key, retries=retries, sleep=sleep, expected_status_code=403)

    @markers.aws.validated
    def test_usage_plan_crud(self, create_rest_apigw, snapshot, aws_client, echo_http_server_post):
        snapshot.add_transformer(snapshot.transform.key_value("id", reference_replacement=True))
        snapshot.add_transformer(snapshot.transform.key_value("name"))
        snapshot.add_transformer(snapshot.transform.key_value("description"))
        snapshot.add_transformer(snapshot.transform.key_value("apiId", reference_replacement=True))

        # clean up any existing usage plans
        old_usage_plans = aws_client.apigateway.get_usage_plans().get("items", [])
        for usage_plan in old_usage_plans:
            aws_client.apigateway.delete_usage_plan(usagePlanId=usage_plan["id"])

        api_id, _, root = create_rest_apigw(
            name=f"test-api-{short_uid()}",
            description="this is my api",
        )

        create_rest_resource_method(
            aws_client.apigateway,
            restApiId=api_id,
            resourceId=root,
            httpMethod="GET",
            authorizationType="none",
        )

        create_rest_api_integration(
            aws_client.apigateway,
            restApiId=api_id,
            resourceId=root,
            httpMethod="GET",
            integrationHttpMethod="POST",
            type="HTTP",
            uri=echo_http_server_post,
        )

        deployment_id, _ = create_rest_api_deployment(aws_client.apigateway, restApiId=api_id)
        stage = create_rest_api_stage(
            aws_client.apigateway, restApiId=api_id, stageName="dev", deploymentId=deployment_id
        )

        # create usage plan
        response = aws_client.apigateway.create_usage_plan(
            name=f"test-usage-plan-{short_uid()}",
            description="this is my usage plan",
            apiStages=[
                {"apiId": api_id, "stage": stage},
            ],
        )
        snapshot.match("create-usage-plan", response)
        usage_plan_id = response["id"]

        # get usage plan
        response = aws_client.apigateway.get_usage_plan(usagePlanId=usage_plan_id)
        snapshot.match("get-usage-plan", response)

        # get usage plans
        response = aws_client.apigateway.get_usage_plans()
        snapshot.match("get-usage-plans", response)

        # update usage plan
        response = aws_client.apigateway.update_usage_plan(
            usagePlanId=usage_plan_id,
            patchOperations=[
                {"op": "replace", "path": "/throttle/burstLimit", "value": "100"},
                {"op": "replace", "path": "/throttle/rateLimit", "value": "200"},
                {"op": "replace", "path": "/quota/period", "value": "MONTH"},
                {"op": "replace", "path": "/quota/limit", "value": "5000"},
            ],
        )
        snapshot.match("update-usage-plan", response)

        if is_aws_cloud():
            # avoid TooManyRequests
            time.sleep(10)

        with pytest.raises(ClientError) as e:
            aws_client.apigateway.update_usage_plan(
                usagePlanId=usage_plan_id + "1",  # wrong ID
                patchOperations=[
                    {"op": "replace", "path": "/throttle/burstLimit", "value": "100"},
                    {"op": "replace", "path": "/throttle/rateLimit", "value": "200"},
                ],
            )
        snapshot.match("update-wrong-id", e.value.response)

        if is_aws_cloud():
            # avoid TooManyRequests
            time.sleep(10)

        with pytest.raises(ClientError) as e:
            aws_client.apigateway.update_usage_plan(
                usagePlanId=usage_plan_id,
                patchOperations=[
                    {"op": "remove", "path": "/apiStages"},
                ],
            )
        snapshot.match("update-wrong-api-stages-no-value", e.value.response)

        if is_aws_cloud():
            # avoid TooManyRequests
            time.sleep(10)

        with pytest.raises(ClientError) as e:
            wrong_api_id = api_id + "b"
            aws_client.apigateway.update_usage_plan(
                usagePlanId=usage_plan_id,
                patchOperations=[
                    {"op": "remove", "path": "/apiStages", "value": f"{wrong_api_id}:{stage}"},
                ],
            )
        snapshot.match("update-wrong-api-stages-wrong-api", e.value.response)

        if is_aws_cloud():
            # avoid TooManyRequests
            time.sleep(10)

        with pytest.raises(ClientError) as e:
            aws_client.apigateway.update_usage_plan(
                usagePlanId=usage_plan_id,
                patchOperations=[
                    {"op": "remove", "path": "/apiStages", "value": f"{api_id}:fakestagename"},
                ],
            )
        snapshot.match("update-wrong-api-stages-wrong-stage", e.value.response)

        if is_aws_cloud():
            # avoid TooManyRequests
            time.sleep(10)

        with pytest.raises(ClientError) as e:
            aws_client.apigateway.update_usage_plan(
                usagePlanId=usage_plan_id,
                patchOperations=[
                    {"op": "remove", "path": "/apiStages", "value": "fakevalue"},
                ],
            )
        snapshot.match("update-wrong-api-stages-wrong-value", e.value.response)

        # get usage plan after update
        response = aws_client.apigateway.get_usage_plan(usagePlanId=usage_plan_id)
        snapshot.match("get-usage-plan-after-update", response)

        # get usage plans after update
        response = aws_client.apigateway.get_usage_plans()
        snapshot.match("get-usage-plans-after-update", response)


class TestDocumentations:
    @markers.aws.validated
    def test_documentation_parts_and_versions(
        self, aws_client, create_rest_apigw, apigw_add_transformers, snapshot
    ):
        client = aws_client.apigateway

        # create API
        api_id, api_name, root_id = create_rest_apigw()

        # create documentation part
        response = client.create_documentation_part(
            restApiId=api_id,
            location={"type": "API"},
            properties=json.dumps({"foo": "bar"}),
        )
        snapshot.match("create-part-response", response)

        response = client.get_documentation_parts(restApiId=api_id)
        snapshot.match("get-parts-response", response)

        # create/update/get documentation version

        response = client.create_documentation_version(
            restApiId=api_id, documentationVersion="v123"
        )
        snapshot.match("create-version-response", response)

        response = client.update_documentation_version(
            restApiId=api_id,
            documentationVersion="v123",
            patchOperations=[{"op": "replace", "path": "/description", "value": "doc version new"}],
        )
        snapshot.match("update-version-response", response)

        response = client.get_documentation_version(restApiId=api_id, documentationVersion="v123")
        snapshot.match("get-version-response", response)


class TestStages:
    @pytest.fixture
    def _create_api_with_stage(
        self, aws_client, create_rest_apigw, apigw_add_transformers, snapshot
    ):
        client = aws_client.apigateway

        def _create():
            # create API, method, integration, deployment
            api_id, api_name, root_id = create_rest_apigw()
            client.put_method(
                restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE"
            )
            client.put_integration(
                restApiId=api_id, resourceId=root_id, httpMethod="GET", type="MOCK"
            )
            response = client.create_deployment(restApiId=api_id)
            deployment_id = response["id"]

            # create documentation
            client.create_documentation_part(
                restApiId=api_id,
                location={"type": "API"},
                properties=json.dumps({"foo": "bar"}),
            )
            client.create_documentation_version(restApiId=api_id, documentationVersion="v123")

            # create stage
            response = client.create_stage(
                restApiId=api_id,
                stageName="s1",
                deploymentId=deployment_id,
                description="my stage",
                documentationVersion="v123",
            )
            snapshot.match("create-stage", response)

            return api_id

        return _create

    @markers.aws.validated
    @markers.snapshot.skip_snapshot_verify(paths=["$..createdDate", "$..lastUpdatedDate"])
    def test_create_update_stages(
        self, _create_api_with_stage, aws_client, create_rest_apigw, snapshot
    ):
        client = aws_client.apigateway
        api_id = _create_api_with_stage()

        # negative tests for immutable/non-updateable attributes

        with pytest.raises(ClientError) as ctx:
            client.update_stage(
                restApiId=api_id,
                stageName="s1",
                patchOperations=[
                    {"op": "replace", "path": "/documentation_version", "value": "123"}
                ],
            )
        snapshot.match("error-update-doc-version", ctx.value.response)

        with pytest.raises(ClientError) as ctx:
            client.update_stage(
                restApiId=api_id,
                stageName="s1",
                patchOperations=[
                    {"op": "replace", "path": "/tags/tag1", "value": "value1"},
                ],
            )
        snapshot.match("error-update-tags", ctx.value.response)

        # update & get stage
        response = client.update_stage(
            restApiId=api_id,
            stageName="s1",
            patchOperations=[
                {"op": "replace", "path": "/description", "value": "stage new"},
                {"op": "replace", "path": "/variables/var1", "value": "test"},
                {"op": "replace", "path": "/variables/var2", "value": "test2"},
                {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "123"},
                {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
                {"op": "replace", "path": "/tracingEnabled", "value": "true"},
                {"op": "replace", "path": "/test/GET/throttling/burstLimit", "value": "124"},
            ],
        )
        snapshot.match("update-stage", response)

        response = client.get_stage(restApiId=api_id, stageName="s1")
        snapshot.match("get-stage", response)

        # show that updating */* does not override previously set values, only
        # provides default values then like shown above
        response = client.update_stage(
            restApiId=api_id,
            stageName="s1",
            patchOperations=[
                {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"},
            ],
        )
        snapshot.match("update-stage-override", response)

    @markers.aws.validated
    @markers.snapshot.skip_snapshot_verify(paths=["$..createdDate", "$..lastUpdatedDate"])
    def test_update_stage_remove_wildcard(self, aws_client, _create_api_with_stage, snapshot):
        client = aws_client.apigateway
        api_id = _create_api_with_stage()

        response = client.get_stage(restApiId=api_id, stageName="s1")
        snapshot.match("get-stage", response)

        def _delete_wildcard():
            # remove all attributes at path */* (this is an operation Terraform executes when deleting APIs)
            response = client.update_stage(
                restApiId=api_id,
                stageName="s1",
                patchOperations=[
                    {"op": "remove", "path": "/*/*"},
                ],
            )
            snapshot.match("update-stage-reset", response)

        # attempt to delete wildcard method settings (should initially fail)
        with pytest.raises(ClientError) as exc:
            _delete_wildcard()
        snapshot.match("delete-error", exc.value.response)

        # run a patch operation that creates a method mapping for */*
        response = client.update_stage(
            restApiId=api_id,
            stageName="s1",
            patchOperations=[
                {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
            ],
        )
        snapshot.match("update-stage", response)

        # delete wildcard method settings (should now succeed)
        _delete_wildcard()

        # assert the content of the stage after the update
        response = client.get_stage(restApiId=api_id, stageName="s1")
        snapshot.match("get-stage-after-reset", response)


class TestDeployments:
    @markers.aws.validated
    @markers.snapshot.skip_snapshot_verify(paths=["$..createdDate", "$..lastUpdatedDate"])
    @pytest.mark.parametrize("create_stage_manually", [True, False])
    def test_create_delete_deployments(
        self, create_stage_manually, aws_client, create_rest_apigw, apigw_add_transformers, snapshot
    ):
        snapshot.add_transformer(snapshot.transform.apigateway_api())
        client = aws_client.apigateway

        # create API, method, integration, deployment
        api_id, _, root_id = create_rest_apigw()
        client.put_method(
            restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE"
        )
        client.put_integration(restApiId=api_id, resourceId=root_id, httpMethod="GET", type="MOCK")

        # create deployment - stage can be passed as parameter, or created separately below
        kwargs = {} if create_stage_manually else {"stageName": "s1"}
        response = client.create_deployment(restApiId=api_id, **kwargs)
        deployment_id = response["id"]

        # create stage
        if create_stage_manually:
            client.create_stage(restApiId=api_id, stageName="s1", deploymentId=deployment_id)

        # get deployment and stages
        response = client.get_deployment(restApiId=api_id, deploymentId=deployment_id)
        snapshot.match("get-deployment", response)
        response = client.get_stages(restApiId=api_id)
        snapshot.match("get-stages", response)

        for i in range(3):
            # asset that deleting the deployment fails if stage exists
            with pytest.raises(ClientError) as ctx:
                client.delete_deployment(restApiId=api_id, deploymentId=deployment_id)
            snapshot.match(f"delete-deployment-error-{i}", ctx.value.response)

            # delete stage and deployment
            client.delete_stage(restApiId=api_id, stageName="s1")
            client.delete_deployment(restApiId=api_id, deploymentId=deployment_id)

            # re-create stage and deployment
            response = client.create_deployment(restApiId=api_id, **kwargs)
            deployment_id = response["id"]
            if create_stage_manually:
                client.create_stage(restApiId=api_id, stageName="s1", deploymentId=deployment_id)

            # list deployments and stages again
            response = client.get_deployments(restApiId=api_id)
            snapshot.match(f"get-deployments-{i}", response)
            response = client.get_stages(restApiId=api_id)
            snapshot.match(f"get-stages-{i}", response)

    @markers.aws.validated
    @markers.snapshot.skip_snapshot_verify(paths=["$..createdDate", "$..lastUpdatedDate"])
    def test_create_update_deployments(
        self, aws_client, create_rest_apigw, apigw_add_transformers, snapshot
    ):
        snapshot.add_transformer(snapshot.transform.apigateway_api())
        client = aws_client.apigateway

        # create API, method, integration, deployment
        api_id, _, root_id = create_rest_apigw()
        client.put_method(
            restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE"
        )
        client.put_integration(restApiId=api_id, resourceId=root_id, httpMethod="GET", type="MOCK")

        # create deployment - stage can be passed as parameter, or created separately below
        response = client.create_deployment(restApiId=api_id)
        deployment_id_1 = response["id"]

        # create stage
        client.create_stage(restApiId=api_id, stageName="s1", deploymentId=deployment_id_1)

        # get deployment and stages
        response = client.get_deployment(restApiId=api_id, deploymentId=deployment_id_1)
        snapshot.match("get-deployment-1", response)
        response = client.get_stages(restApiId=api_id)
        snapshot.match("get-stages", response)

        # asset that deleting the deployment fails if stage exists
        with pytest.raises(ClientError) as ctx:
            client.delete_deployment(restApiId=api_id, deploymentId=deployment_id_1)
        snapshot.match("delete-deployment-error", ctx.value.response)

        # create another deployment with the previous stage, which should update the stage
        response = client.create_deployment(restApiId=api_id, stageName="s1")
        deployment_id_2 = response["id"]

        # get deployments and stages
        response = client.get_deployment(restApiId=api_id, deploymentId=deployment_id_1)
        snapshot.match("get-deployment-1-after-update", response)
        response = client.get_deployment(restApiId=api_id, deploymentId=deployment_id_2)
        snapshot.match("get-deployment-2", response)
        response = client.get_stages(restApiId=api_id)
        snapshot.match("get-stages-after-update", response)

        response = client.delete_deployment(restApiId=api_id, deploymentId=deployment_id_1)
        snapshot.match("delete-deployment-1", response)

        # asset that deleting the deployment fails if stage exists
        with pytest.raises(ClientError) as ctx:
            client.delete_deployment(restApiId=api_id, deploymentId=deployment_id_2)
        snapshot.match("delete-deployment-2-error", ctx.value.response)


class TestApigatewayRouting:
    @markers.aws.validated
    def test_proxy_routing_with_hardcoded_resource_sibling(self, aws_client, create_rest_apigw):
        api_id, _, root_id = create_rest_apigw(name="test proxy routing")

        resource = aws_client.apigateway.create_resource(
            restApiId=api_id, parentId=root_id, pathPart="test"
        )
        hardcoded_resource_id = resource["id"]

        response_template_post = {"statusCode": 200, "message": "POST request"}
        _create_mock_integration_with_200_response_template(
            aws_client, api_id, hardcoded_resource_id, "POST", response_template_post
        )

        resource = aws_client.apigateway.create_resource(
            restApiId=api_id, parentId=hardcoded_resource_id, pathPart="any"
        )
        any_resource_id = resource["id"]

        response_template_any = {"statusCode": 200, "message": "ANY request"}
        _create_mock_integration_with_200_response_template(
            aws_client, api_id, any_resource_id, "ANY", response_template_any
        )

        resource = aws_client.apigateway.create_resource(
            restApiId=api_id, parentId=root_id, pathPart="{proxy+}"
        )
        proxy_resource_id = resource["id"]
        response_template_options = {"statusCode": 200, "message": "OPTIONS request"}
        _create_mock_integration_with_200_response_template(
            aws_client, api_id, proxy_resource_id, "OPTIONS", response_template_options
        )

        stage_name = "dev"
        aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

        url = api_invoke_url(api_id=api_id, stage=stage_name, path="/test")

        def _invoke_api(req_url: str, http_method: str, expected_type: str):
            _response = requests.request(http_method.upper(), req_url)
            assert _response.ok
            assert _response.json()["message"] == f"{expected_type} request"

        retries = 10 if is_aws_cloud() else 3
        sleep = 3 if is_aws_cloud() else 1
        retry(
            _invoke_api,
            retries=retries,
            sleep=sleep,
            req_url=url,
            http_method="OPTIONS",
            expected_type="OPTIONS",
        )
        retry(
            _invoke_api,
            retries=retries,
            sleep=sleep,
            req_url=url,
            http_method="POST",
            expected_type="POST",
        )
        any_url = api_invoke_url(api_id=api_id, stage=stage_name, path="/test/any")
        retry(
            _invoke_api,
            retries=retries,
            sleep=sleep,
            req_url=any_url,
            http_method="OPTIONS",
            expected_type="ANY",
        )
        retry(
            _invoke_api,
            retries=retries,
            sleep=sleep,
            req_url=any_url,
            http_method="GET",
            expected_type="ANY",
        )

    @markers.aws.validated
    def test_routing_with_hardcoded_resource_sibling_order(self, aws_client, create_rest_apigw):
        api_id, _, root_id = create_rest_apigw(name="test parameter routing")

        resource = aws_client.apigateway.create_resource(
            restApiId=api_id, parentId=root_id, pathPart="part1"
        )
        hardcoded_resource_id = resource["id"]

        response_template_get = {"statusCode": 200, "message": "part1"}
        _create_mock_integration_with_200_response_template(
            aws_client, api_id, hardcoded_resource_id, "GET", response_template_get
        )

        # define the proxy before so that it would come up as the first resource iterated over
        resource = aws_client.apigateway.create_resource(
            restApiId=api_id, parentId=root_id, pathPart="{param+}"
        )
        proxy_resource_id = resource["id"]
        response_template_get = {"statusCode": 200, "message": "proxy"}
        _create_mock_integration_with_200_response_template(
            aws_client, api_id, proxy_resource_id, "GET", response_template_get
        )

        resource = aws_client.apigateway.create_resource(
            restApiId=api_id, parentId=hardcoded_resource_id, pathPart="hardcoded-value"
        )
        any_resource_id = resource["id"]

        response_template_get = {"statusCode": 200, "message": "hardcoded-value"}
        _create_mock_integration_with_200_response_template(
            aws_client, api_id, any_resource_id, "GET", response_template_get
        )

        stage_name = "dev"
        aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

        def _invoke_api(path: str, expected_response: str):
            url = api_invoke_url(api_id=api_id, stage=stage_name, path=path)
            _response = requests.get(url)
            assert _response.ok
            assert _response.json()["message"] == expected_response

        retries = 10 if is_aws_cloud() else 3
        sleep = 3 if is_aws_cloud() else 1
        retry(
            _invoke_api,
            retries=retries,
            sleep=sleep,
            path="/part1",
            expected_response="part1",
        )
        retry(
            _invoke_api,
            retries=retries,
            sleep=sleep,
            path="/part1/hardcoded-value",
            expected_response="hardcoded-value",
        )

        retry(
            _invoke_api,
            retries=retries,
            sleep=sleep,
            path="/part1/random-value",
            expected_response="proxy",
        )

    @markers.aws.validated
    @pytest.mark.skipif(
        condition=not is_next_gen_api() and not is_aws_cloud(),
        reason="Wrong behavior in legacy implementation",
    )
    def test_routing_not_found(self, aws_client, create_rest_apigw, snapshot):
        api_id, _, root_id = create_rest_apigw(name=f"test-notfound-{short_uid()}")

        resource = aws_client.apigateway.create_resource(
            restApiId=api_id, parentId=root_id, pathPart="existing"
        )
        hardcoded_resource_id = resource["id"]

        response_template_get = {"statusCode": 200, "message": "exists"}
        _create_mock_integration_with_200_response_template(
            aws_client, api_id, hardcoded_resource_id, "GET", response_template_get
        )

        stage_name = "dev"
        aws_client.apigateway.create_deployment(restApiId=api_id, stageName=stage_name)

        def _invoke_api(path: str, method: str, works: bool):
            url = api_invoke_url(api_id=api_id, stage=stage_name, path=path)
            _response = requests.request(method, url)
            assert _response.ok == works
            return _response

        retry_args = {"retries": 10 if is_aws_cloud() else 3, "sleep": 3 if is_aws_cloud() else 1}
        response = retry(_invoke_api, method="GET", path="/existing", works=True, **retry_args)
        snapshot.match("working-route", response.json())

        response = retry(
            _invoke_api, method="GET", path="/random-non-existing", works=False, **retry_args
        )
        resp = {
            "content": response.json(),
            "errorType": response.headers.get("x-amzn-ErrorType"),
        }
        snapshot.match("not-found", resp)

        response = retry(_invoke_api, method="POST", path="/existing", works=False, **retry_args)
        resp = {
            "content": response.json(),
            "errorType": response.headers.get("x-amzn-ErrorType"),
        }
        snapshot.match("wrong-method", resp)
