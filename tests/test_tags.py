"""TagResource / UntagResource / GetTags by ARN on every taggable kind Portico builds, with the
tags visible in the entity's own Get, validation, tenant/region scoping and persistence."""
import pytest

from conftest import make_client
from helpers import expect_error
from test_deployments import add_method

REGION = "us-east-1"


def api_arn(api_id, region=REGION):
    return f"arn:aws:apigateway:{region}::/restapis/{api_id}"


def tags_of(apigw, arn):
    r = apigw.get_tags(resourceArn=arn)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    return r["tags"]


def test_rest_api_tags(apigw):
    api = apigw.create_rest_api(name="tagged", tags={"created": "yes"})
    arn = api_arn(api["id"])
    assert tags_of(apigw, arn) == {"created": "yes"}
    r = apigw.tag_resource(resourceArn=arn, tags={"team": "payments", "created": "overwritten"})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert tags_of(apigw, arn) == {"created": "overwritten", "team": "payments"}
    assert apigw.get_rest_api(restApiId=api["id"])["tags"] == {"created": "overwritten", "team": "payments"}
    r = apigw.untag_resource(resourceArn=arn, tagKeys=["created", "not-there"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert tags_of(apigw, arn) == {"team": "payments"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert tags_of(apigw, arn) == {}
    # GetRestApi answers `tags: {}` once none is left (AWS's recording in LocalStack's
    # test_put_rest_api_mode_binary_media_types).
    assert apigw.get_rest_api(restApiId=api["id"])["tags"] == {}


@pytest.fixture
def stage_arn(apigw, api):
    api_id, root = api
    add_method(apigw, api_id, root)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id, f"{api_arn(api_id)}/stages/prod"


def test_stage_tags(apigw, stage_arn):
    api_id, arn = stage_arn
    assert tags_of(apigw, arn) == {}
    apigw.tag_resource(resourceArn=arn, tags={"env": "prod"})
    assert tags_of(apigw, arn) == {"env": "prod"}
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["tags"] == {"env": "prod"}
    # the API's own tags are separate
    assert tags_of(apigw, api_arn(api_id)) == {}
    apigw.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert "tags" not in apigw.get_stage(restApiId=api_id, stageName="prod")


def test_api_key_tags(apigw):
    key = apigw.create_api_key(name="k", tags={"owner": "alice"})
    arn = f"arn:aws:apigateway:{REGION}::/apikeys/{key['id']}"
    assert tags_of(apigw, arn) == {"owner": "alice"}
    apigw.tag_resource(resourceArn=arn, tags={"tier": "gold"})
    assert apigw.get_api_key(apiKey=key["id"])["tags"] == {"owner": "alice", "tier": "gold"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["owner", "tier"])
    assert tags_of(apigw, arn) == {}
    # the key itself is untouched
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == key["value"]


def test_usage_plan_tags(apigw):
    plan = apigw.create_usage_plan(name="gold")
    arn = f"arn:aws:apigateway:{REGION}::/usageplans/{plan['id']}"
    assert tags_of(apigw, arn) == {}
    apigw.tag_resource(resourceArn=arn, tags={"cost-center": "42"})
    assert apigw.get_usage_plan(usagePlanId=plan["id"])["tags"] == {"cost-center": "42"}
    assert apigw.get_usage_plan(usagePlanId=plan["id"])["name"] == "gold"
    apigw.untag_resource(resourceArn=arn, tagKeys=["cost-center"])
    assert tags_of(apigw, arn) == {}


def test_missing_targets(apigw, api):
    api_id, _ = api
    for arn in (api_arn("nope000000"), f"{api_arn(api_id)}/stages/nope", f"{api_arn('nope000000')}/stages/prod",
                f"arn:aws:apigateway:{REGION}::/apikeys/nope000000",
                f"arn:aws:apigateway:{REGION}::/usageplans/nope00",
                f"arn:aws:apigateway:{REGION}::/clientcertificates/nope00",
                f"arn:aws:apigateway:{REGION}::/domainnames/api.example.com",
                f"arn:aws:apigateway:{REGION}::/vpclinks/nope00"):
        expect_error(lambda: apigw.get_tags(resourceArn=arn),
                     "NotFoundException", "Invalid Resource identifier specified", 404)
        expect_error(lambda: apigw.tag_resource(resourceArn=arn, tags={"k": "v"}),
                     "NotFoundException", "Invalid Resource identifier specified", 404)
        expect_error(lambda: apigw.untag_resource(resourceArn=arn, tagKeys=["k"]),
                     "NotFoundException", "Invalid Resource identifier specified", 404)


def test_another_region_is_another_world(apigw, api):
    api_id, _ = api
    expect_error(lambda: apigw.get_tags(resourceArn=api_arn(api_id, "eu-west-1")),
                 "NotFoundException", status=404)


def test_malformed_arns(apigw, api):
    api_id, _ = api
    for arn in ("not-an-arn", f"arn:aws:s3:{REGION}::/restapis/{api_id}",
                f"arn:aws:apigateway:{REGION}:000000000000:/restapis/{api_id}",
                f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/resources/abc",
                f"arn:aws:apigateway:{REGION}::restapis/{api_id}"):
        expect_error(lambda: apigw.get_tags(resourceArn=arn),
                     "BadRequestException", "Invalid ARN specified in the request", 400)


def test_tag_validation(apigw, api):
    api_id, _ = api
    arn = api_arn(api_id)
    for key in ("aws:cloudformation:stack", "AWS:x"):
        expect_error(lambda: apigw.tag_resource(resourceArn=arn, tags={key: "x"}), "BadRequestException",
                     "Invalid tag key. Tag keys cannot start with 'aws:' (case insensitive)", 400)
    expect_error(lambda: apigw.tag_resource(resourceArn=arn, tags={"k" * 129: "v"}),
                 "BadRequestException", status=400, contains="128")
    expect_error(lambda: apigw.tag_resource(resourceArn=arn, tags={"k": "v" * 257}),
                 "BadRequestException", status=400, contains="256")
    apigw.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    # the limit counts what the resource would end up with
    expect_error(lambda: apigw.tag_resource(resourceArn=arn, tags={"one-more": "v"}),
                 "BadRequestException", status=400, contains="50")
    apigw.tag_resource(resourceArn=arn, tags={"k0": "replaced"})
    assert len(tags_of(apigw, arn)) == 50
    expect_error(lambda: apigw.tag_resource(resourceArn=arn, tags={"": "v"}),
                 "BadRequestException", status=400)


def test_tenants_cannot_tag_each_other(apigw, apigw_b, api):
    api_id, _ = api
    expect_error(lambda: apigw_b.tag_resource(resourceArn=api_arn(api_id), tags={"k": "v"}),
                 "NotFoundException", status=404)
    assert tags_of(apigw, api_arn(api_id)) == {}


def test_tags_survive_restart(own_server):
    c = make_client(own_server)
    api = c.create_rest_api(name="persisted")
    c.tag_resource(resourceArn=api_arn(api["id"]), tags={"k": "v"})
    own_server.restart()
    c = make_client(own_server)
    assert tags_of(c, api_arn(api["id"])) == {"k": "v"}
