"""`apigatewayv2` custom domain names and API mappings: the v2 shapes and errors, one domain
name shared with `apigateway` (created through either, seen through both), API mappings as
`apigateway`'s base path mappings, and serving: an HTTP API and a REST API on one domain,
reached by `Host`."""
import pytest

from conftest import ACCOUNT_B, make_client
from dataplane import backend, deploy, mock_method  # noqa: F401  (fixture)
from helpers import expect_error
from httpapi import call, default_stage, http_api, proxy_integration, route, v2  # noqa: F401

DOMAIN = "api.example.com"
NOT_FOUND = "Invalid domain name identifier specified"


@pytest.fixture
def apigw(server, v2):
    return make_client(server)


def test_domain_name_lifecycle_in_the_v2_shape(v2):
    d = v2.create_domain_name(
        DomainName=DOMAIN,
        DomainNameConfigurations=[{
            "CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/abc",
            "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}],
        Tags={"team": "a"})
    assert d["DomainName"] == DOMAIN
    assert d["ApiMappingSelectionExpression"] == "$request.basepath"
    assert d["Tags"] == {"team": "a"}
    (conf,) = d["DomainNameConfigurations"]
    assert conf["EndpointType"] == "REGIONAL"
    assert conf["DomainNameStatus"] == "AVAILABLE"
    assert conf["SecurityPolicy"] == "TLS_1_2"
    assert conf["CertificateArn"] == "arn:aws:acm:us-east-1:000000000000:certificate/abc"
    assert conf["HostedZoneId"] == "Z1UJRXOUMOOFQ8"
    assert conf["ApiGatewayDomainName"].startswith("d-")
    assert conf["ApiGatewayDomainName"].endswith(".execute-api.us-east-1.amazonaws.com")

    got = v2.get_domain_name(DomainName=DOMAIN)
    assert got["DomainNameConfigurations"] == d["DomainNameConfigurations"]
    assert [x["DomainName"] for x in v2.get_domain_names()["Items"]] == [DOMAIN]

    u = v2.update_domain_name(DomainName=DOMAIN, DomainNameConfigurations=[{
        "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_0"}])
    assert u["DomainNameConfigurations"][0]["SecurityPolicy"] == "TLS_1_0"
    # What the update did not name stays.
    assert u["DomainNameConfigurations"][0]["CertificateArn"] == conf["CertificateArn"]
    assert u["DomainNameConfigurations"][0]["ApiGatewayDomainName"] == conf["ApiGatewayDomainName"]

    u = v2.update_domain_name(DomainName=DOMAIN, MutualTlsAuthentication={
        "TruststoreUri": "s3://bucket/truststore.pem", "TruststoreVersion": "v1"})
    assert u["MutualTlsAuthentication"] == {"TruststoreUri": "s3://bucket/truststore.pem",
                                            "TruststoreVersion": "v1"}

    # Tags by the domain's ARN, the same document `apigateway` tags.
    arn = d["DomainNameArn"]
    assert arn == "arn:aws:apigateway:us-east-1::/domainnames/api.example.com"
    v2.tag_resource(ResourceArn=arn, Tags={"env": "dev"})
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"team": "a", "env": "dev"}
    v2.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert v2.get_domain_name(DomainName=DOMAIN)["Tags"] == {"env": "dev"}
    expect_error(lambda: v2.get_tags(
        ResourceArn="arn:aws:apigateway:us-east-1::/domainnames/none.example.com"),
        "NotFoundException", NOT_FOUND, 404)

    v2.delete_domain_name(DomainName=DOMAIN)
    expect_error(lambda: v2.get_domain_name(DomainName=DOMAIN), "NotFoundException", NOT_FOUND,
                 404)
    assert v2.get_domain_names()["Items"] == []


def test_domain_name_errors(server, v2):
    v2.create_domain_name(DomainName=DOMAIN)
    expect_error(lambda: v2.create_domain_name(DomainName=DOMAIN), "ConflictException",
                 "The domain name you provided already exists.", 409)
    # One name across every tenant: a Host header names no tenant.
    other = make_client(server, ACCOUNT_B, service="apigatewayv2")
    expect_error(lambda: other.create_domain_name(DomainName=DOMAIN), "ConflictException",
                 status=409)
    expect_error(lambda: v2.create_domain_name(DomainName="localhost"), "BadRequestException",
                 status=400)
    expect_error(lambda: v2.create_domain_name(
        DomainName="b.example.com",
        DomainNameConfigurations=[{"EndpointType": "PRIVATE"}]), "BadRequestException",
        status=400)
    expect_error(lambda: v2.create_domain_name(
        DomainName="b.example.com",
        DomainNameConfigurations=[{"SecurityPolicy": "TLS_9"}]), "BadRequestException",
        status=400)
    expect_error(lambda: v2.create_domain_name(
        DomainName="b.example.com",
        MutualTlsAuthentication={"TruststoreUri": "http://nowhere/t.pem"}),
        "BadRequestException", status=400)
    for op in (lambda: v2.get_domain_name(DomainName="none.example.com"),
               lambda: v2.update_domain_name(DomainName="none.example.com"),
               lambda: v2.delete_domain_name(DomainName="none.example.com"),
               lambda: v2.get_api_mappings(DomainName="none.example.com")):
        expect_error(op, "NotFoundException", NOT_FOUND, 404)
    assert [x["DomainName"] for x in v2.get_domain_names()["Items"]] == [DOMAIN]


def test_one_domain_name_for_both_apis(v2, apigw):
    v2.create_domain_name(DomainName=DOMAIN)
    rest = apigw.get_domain_name(domainName=DOMAIN)
    assert rest["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert rest["domainNameStatus"] == "AVAILABLE" and rest["securityPolicy"] == "TLS_1_2"
    assert rest["regionalDomainName"] == \
        v2.get_domain_name(DomainName=DOMAIN)["DomainNameConfigurations"][0][
            "ApiGatewayDomainName"]
    apigw.create_domain_name(domainName="edge.example.com",
                             certificateArn="arn:aws:acm:us-east-1:000000000000:certificate/e")
    conf = v2.get_domain_name(DomainName="edge.example.com")["DomainNameConfigurations"][0]
    assert conf["EndpointType"] == "EDGE"
    assert conf["HostedZoneId"] == "Z2FDTNDATAQYW2"
    assert conf["ApiGatewayDomainName"].endswith(".cloudfront.net")
    assert conf["CertificateArn"] == "arn:aws:acm:us-east-1:000000000000:certificate/e"
    # One name, whichever API claims it.
    expect_error(lambda: apigw.create_domain_name(domainName=DOMAIN), "ConflictException",
                 status=409)
    expect_error(lambda: v2.create_domain_name(DomainName="edge.example.com"),
                 "ConflictException", status=409)
    apigw.delete_domain_name(domainName=DOMAIN)
    expect_error(lambda: v2.get_domain_name(DomainName=DOMAIN), "NotFoundException",
                 NOT_FOUND)


def mock_rest_api(apigw, stage="prod"):
    api = apigw.create_rest_api(name="rest")
    mock_method(apigw, api["id"], api["rootResourceId"],
                response_templates={"application/json": '{"from": "rest"}'})
    deploy(apigw, api["id"], stage)
    return api["id"]


def test_api_mappings(v2, apigw):
    v2.create_domain_name(DomainName=DOMAIN)
    api_id = http_api(v2)
    v2.create_stage(ApiId=api_id, StageName="prod")
    rest_id = mock_rest_api(apigw)

    m = v2.create_api_mapping(DomainName=DOMAIN, ApiId=api_id, Stage="prod",
                              ApiMappingKey="v1/orders")
    assert (m["ApiId"], m["ApiMappingKey"], m["Stage"]) == (api_id, "v1/orders", "prod")
    mid = m["ApiMappingId"]
    root = v2.create_api_mapping(DomainName=DOMAIN, ApiId=api_id, Stage="prod")
    assert root["ApiMappingKey"] == ""
    r = v2.create_api_mapping(DomainName=DOMAIN, ApiId=rest_id, Stage="prod",
                              ApiMappingKey="legacy")

    got = v2.get_api_mapping(DomainName=DOMAIN, ApiMappingId=mid)
    assert {k: got[k] for k in ("ApiId", "ApiMappingId", "ApiMappingKey", "Stage")} == \
        {k: m[k] for k in ("ApiId", "ApiMappingId", "ApiMappingKey", "Stage")}
    items = v2.get_api_mappings(DomainName=DOMAIN)["Items"]
    assert {i["ApiMappingId"] for i in items} == {mid, root["ApiMappingId"], r["ApiMappingId"]}
    page = v2.get_api_mappings(DomainName=DOMAIN, MaxResults="2")
    assert len(page["Items"]) == 2 and page["NextToken"]

    # The REST API's mapping is a base path mapping; the HTTP API's are v2's only (as on AWS).
    bpms = apigw.get_base_path_mappings(domainName=DOMAIN)["items"]
    assert bpms == [{"basePath": "legacy", "restApiId": rest_id, "stage": "prod"}]
    expect_error(lambda: apigw.get_base_path_mapping(domainName=DOMAIN, basePath="(none)"),
                 "NotFoundException", status=404)
    # A base path mapping made through apigateway is an API mapping too.
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=rest_id, basePath="old",
                                   stage="prod")
    old = [i for i in v2.get_api_mappings(DomainName=DOMAIN)["Items"]
           if i["ApiMappingKey"] == "old"]
    assert old and old[0]["ApiId"] == rest_id
    assert v2.get_api_mapping(DomainName=DOMAIN, ApiMappingId=old[0]["ApiMappingId"])[
        "ApiMappingKey"] == "old"

    u = v2.update_api_mapping(DomainName=DOMAIN, ApiMappingId=mid, ApiId=api_id,
                              ApiMappingKey="v2/orders")
    assert (u["ApiMappingId"], u["ApiMappingKey"]) == (mid, "v2/orders")
    assert v2.get_api_mapping(DomainName=DOMAIN, ApiMappingId=mid)["ApiMappingKey"] == \
        "v2/orders"

    # Errors.
    expect_error(lambda: v2.create_api_mapping(DomainName=DOMAIN, ApiId=api_id, Stage="prod",
                                               ApiMappingKey="legacy"), "ConflictException",
                 status=409)
    expect_error(lambda: v2.update_api_mapping(DomainName=DOMAIN, ApiMappingId=mid,
                                               ApiId=api_id, ApiMappingKey="old"),
                 "ConflictException", status=409)
    expect_error(lambda: v2.create_api_mapping(DomainName=DOMAIN, ApiId=api_id, Stage="nope",
                                               ApiMappingKey="x"), "BadRequestException",
                 "Invalid stage identifier specified", 400)
    expect_error(lambda: v2.create_api_mapping(DomainName=DOMAIN, ApiId="nope123", Stage="prod",
                                               ApiMappingKey="x"), "NotFoundException",
                 status=404)
    expect_error(lambda: v2.create_api_mapping(DomainName=DOMAIN, ApiId=api_id, Stage="prod",
                                               ApiMappingKey="/x/"), "BadRequestException",
                 status=400)
    expect_error(lambda: v2.create_api_mapping(DomainName="none.example.com", ApiId=api_id,
                                               Stage="prod"), "NotFoundException", NOT_FOUND)
    for op in (lambda: v2.get_api_mapping(DomainName=DOMAIN, ApiMappingId="nope"),
               lambda: v2.update_api_mapping(DomainName=DOMAIN, ApiMappingId="nope",
                                             ApiId=api_id),
               lambda: v2.delete_api_mapping(DomainName=DOMAIN, ApiMappingId="nope")):
        expect_error(op, "NotFoundException", status=404)

    v2.delete_api_mapping(DomainName=DOMAIN, ApiMappingId=mid)
    expect_error(lambda: v2.get_api_mapping(DomainName=DOMAIN, ApiMappingId=mid),
                 "NotFoundException", status=404)
    # A mapped API cannot be deleted (AWS's answer).
    expect_error(lambda: v2.delete_api(ApiId=api_id), "BadRequestException",
                 f"Deleting API {api_id} failed. Please remove all API mappings for the API "
                 "from your custom domain names.", 400)
    assert len(v2.get_api_mappings(DomainName=DOMAIN)["Items"]) == 3
    # DeleteDomainName takes every mapping of either API with it.
    v2.delete_domain_name(DomainName=DOMAIN)
    apigw.create_domain_name(domainName=DOMAIN)
    assert v2.get_api_mappings(DomainName=DOMAIN)["Items"] == []
    v2.delete_api(ApiId=api_id)


def test_an_http_api_and_a_rest_api_served_on_one_domain(server, v2, apigw, backend):
    v2.create_domain_name(DomainName=DOMAIN)
    api_id = http_api(v2)
    i = proxy_integration(v2, api_id, f"{backend.url}/{{proxy}}")
    route(v2, api_id, "ANY /{proxy+}", i)
    default_stage(v2, api_id)
    rest_id = mock_rest_api(apigw)
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=api_id, Stage="$default")
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=api_id, Stage="$default",
                          ApiMappingKey="v1/orders")
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=rest_id, Stage="prod", ApiMappingKey="legacy")

    def on_domain(path):
        return call(server, api_id, path, headers={"Host": DOMAIN})

    # The empty key: the whole path goes to the HTTP API.
    r = on_domain("/items/7?x=1")
    assert r.status == 200, r.text
    assert (r.json()["path"], r.json()["query"]) == ("/items/7", "x=1")
    # The longest key on whole segments wins; the rest of the path goes on.
    r = on_domain("/v1/orders/42")
    assert r.status == 200, r.text
    assert r.json()["path"] == "/42"
    assert on_domain("/v1/ordersx/42").json()["path"] == "/v1/ordersx/42"
    # The REST API under its own key.
    r = on_domain("/legacy")
    assert r.status == 200, r.text
    assert r.json() == {"from": "rest"}
    # Host in any case and with a port.
    r = call(server, api_id, "/v1/orders/9",
             headers={"Host": f"API.EXAMPLE.com:{server.port}"})
    assert r.json()["path"] == "/9"
