"""Developer portals and portal products (`apigatewayv2` CreatePortal…, CreatePortalProduct…,
their pages and sharing policies): AWS's shapes, ids and ARNs, statuses, validation, errors,
tenants. Portico serves no portal website: PublishPortal, DisablePortal and PreviewPortal move
the statuses as AWS's do once done (README, ARCHITECTURE.md)."""
import json
import re

import botocore.config
import pytest

from conftest import ACCOUNT_B, make_client
from dataplane import add_resource, deploy, mock_method
from helpers import expect_error
from httpapi import v2  # noqa: F401  (fixture)

ACCOUNT = "000000000000"
COLORS = {"AccentColor": "#ff0000", "BackgroundColor": "#ffffff",
          "ErrorValidationColor": "#aa0000", "HeaderColor": "#000000",
          "NavigationColor": "#111111", "TextColor": "#222222"}
CONTENT = {"DisplayName": "Pets portal", "Description": "APIs for pets",
           "Theme": {"CustomColors": COLORS}}
COGNITO = {"CognitoConfig": {
    "AppClientId": "client1",
    "UserPoolArn": "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc",
    "UserPoolDomain": "https://pets.auth.us-east-1.amazoncognito.com"}}


@pytest.fixture
def apigw(server, v2):
    return make_client(server)


@pytest.fixture
def v2_unchecked(server, v2):
    return make_client(server, service="apigatewayv2",
                       config=botocore.config.Config(parameter_validation=False,
                                                     retries={"max_attempts": 0}))


def raw_get(server, path):
    """A signed GET whose JSON answer is read as sent (no botocore parsing)."""
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from portico_server import ACCOUNT_A
    url = f"{server.url}{path}"
    req = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(ACCOUNT_A[0], ACCOUNT_A[1]), "apigateway", "us-east-1").add_auth(req)
    with urllib.request.urlopen(urllib.request.Request(url, headers=dict(req.headers))) as r:
        return json.loads(r.read())


def model_members(operation):
    from botocore.loaders import Loader
    model = Loader().load_service_model("apigatewayv2", "service-2")
    shape = model["shapes"][model["operations"][operation]["output"]["shape"]]
    return {m.get("locationName", k) for k, m in shape["members"].items()}


def strip(d):
    return {k: v for k, v in d.items() if k != "ResponseMetadata"}


def portal(v2, **kw):
    args = dict(Authorization={"None": {}}, EndpointConfiguration={"None": {}},
                PortalContent=CONTENT)
    args.update(kw)
    return v2.create_portal(**args)


def test_portal_lifecycle(server, v2):
    p = portal(v2, Authorization=COGNITO, Tags={"team": "pets"}, RumAppMonitorName="rum")
    pid = p["PortalId"]
    assert re.fullmatch(r"[a-z0-9]{10}", pid)
    assert p["PortalArn"] == f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/portals/{pid}"
    assert p["PublishStatus"] == "DISABLED"
    assert p["Authorization"] == COGNITO
    assert p["EndpointConfiguration"] == {
        "PortalDefaultDomainName": f"p-{pid}.apigw-portal.us-east-1.on.aws",
        "PortalDomainHostedZoneId": "Z2FDTNDATAQYW2"}
    assert p["PortalContent"] == CONTENT
    assert p["IncludedPortalProductArns"] == []
    assert p["Tags"] == {"team": "pets"} and p["RumAppMonitorName"] == "rum"
    assert p["LastModified"]
    assert "LastPublished" not in p and "Preview" not in p

    assert strip(v2.get_portal(PortalId=pid)) == strip(p)
    assert set(raw_get(server, f"/v2/portals/{pid}")) <= model_members("GetPortal")
    assert [x["PortalId"] for x in v2.list_portals()["Items"]] == [pid]

    u = v2.update_portal(PortalId=pid, EndpointConfiguration={"AcmManaged": {
        "DomainName": "portal.example.com",
        "CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/p"}},
        PortalContent={**CONTENT, "DisplayName": "Renamed"}, LogoUri="s3://b/logo.png")
    assert u["EndpointConfiguration"]["DomainName"] == "portal.example.com"
    assert u["EndpointConfiguration"]["CertificateArn"].endswith("certificate/p")
    assert u["PortalContent"]["DisplayName"] == "Renamed"
    assert u["PortalContent"]["Theme"]["LogoLastUploaded"]
    # What the update did not name stays.
    assert u["Authorization"] == COGNITO and u["Tags"] == {"team": "pets"}
    # The logo's URI is kept, but no answer of the model carries it.
    assert set(raw_get(server, f"/v2/portals/{pid}")) <= model_members("GetPortal")

    # Preview, publish, disable: the statuses as AWS's end up; no site is served.
    assert v2.preview_portal(PortalId=pid)["ResponseMetadata"]["HTTPStatusCode"] == 202
    pv = v2.get_portal(PortalId=pid)["Preview"]
    assert pv["PreviewStatus"] == "PREVIEW_READY" and pv["PreviewUrl"].startswith("https://")
    assert v2.publish_portal(PortalId=pid, Description="first")[
        "ResponseMetadata"]["HTTPStatusCode"] == 202
    got = v2.get_portal(PortalId=pid)
    assert got["PublishStatus"] == "PUBLISHED"
    assert got["LastPublishedDescription"] == "first" and got["LastPublished"]
    expect_error(lambda: v2.delete_portal(PortalId=pid), "BadRequestException", status=400,
                 contains="disable it")
    v2.disable_portal(PortalId=pid)
    assert v2.get_portal(PortalId=pid)["PublishStatus"] == "DISABLED"
    expect_error(lambda: v2.disable_portal(PortalId=pid), "ConflictException", status=409)

    v2.delete_portal(PortalId=pid)
    missing = f"Invalid Portal identifier specified {ACCOUNT}:{pid}"
    for op in (lambda: v2.get_portal(PortalId=pid),
               lambda: v2.update_portal(PortalId=pid),
               lambda: v2.delete_portal(PortalId=pid),
               lambda: v2.publish_portal(PortalId=pid),
               lambda: v2.preview_portal(PortalId=pid),
               lambda: v2.disable_portal(PortalId=pid)):
        expect_error(op, "NotFoundException", missing, 404)
    assert v2.list_portals()["Items"] == []


def test_portal_validation(v2, v2_unchecked):
    def bad(**kw):
        expect_error(lambda: portal(v2_unchecked, **kw), "BadRequestException", status=400)

    # Unions take exactly one member.
    bad(Authorization={})
    bad(Authorization={"None": {}, **COGNITO})
    bad(EndpointConfiguration={})
    bad(Authorization={"CognitoConfig": {"AppClientId": "c"}})
    bad(EndpointConfiguration={"AcmManaged": {"DomainName": "p.example.com"}})
    # Lengths and required members.
    bad(PortalContent={**CONTENT, "DisplayName": "ab"})
    bad(PortalContent={**CONTENT, "Description": "d" * 1025})
    bad(PortalContent={"DisplayName": "Pets", "Theme": {"CustomColors": {"AccentColor": "#f"}}})
    bad(PortalContent={**CONTENT, "Theme": {"CustomColors": {**COLORS,
                                                             "TextColor": "x" * 17}}})
    expect_error(lambda: v2_unchecked.create_portal(Authorization={"None": {}},
                                                    EndpointConfiguration={"None": {}}),
                 "BadRequestException", status=400, contains="portalContent")
    # Included products must be the caller's existing ones.
    bad(IncludedPortalProductArns=[f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/portalproducts/"
                                   "nope000000"])
    assert v2.list_portals()["Items"] == []


def test_portal_products_and_sharing_policies(server, v2, v2_unchecked):
    prod = v2.create_portal_product(DisplayName="Pets", Tags={"a": "b"})
    ppid = prod["PortalProductId"]
    assert re.fullmatch(r"[a-z0-9]{10}", ppid)
    arn = f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/portalproducts/{ppid}"
    assert prod["PortalProductArn"] == arn
    assert (prod["DisplayName"], prod["Description"], prod["Tags"]) == ("Pets", "", {"a": "b"})
    assert strip(v2.get_portal_product(PortalProductId=ppid)) == strip(prod)
    assert strip(v2.get_portal_product(PortalProductId=ppid,
                                       ResourceOwnerAccountId=ACCOUNT)) == strip(prod)
    expect_error(lambda: v2.get_portal_product(PortalProductId=ppid,
                                               ResourceOwnerAccountId="111111111111"),
                 "NotFoundException", status=404)
    (item,) = v2.list_portal_products()["Items"]
    assert set(item) == {"Description", "DisplayName", "LastModified", "PortalProductArn",
                         "PortalProductId", "Tags"}
    assert v2.list_portal_products(ResourceOwner="OTHER_ACCOUNTS")["Items"] == []
    u = v2.update_portal_product(PortalProductId=ppid, Description="All pets")
    assert (u["Description"], u["DisplayName"]) == ("All pets", "Pets")
    expect_error(lambda: v2_unchecked.create_portal_product(DisplayName=""), "BadRequestException",
                 status=400)

    # A portal includes the product; publishing fails once the product is gone.
    p = portal(v2, IncludedPortalProductArns=[arn])
    assert p["IncludedPortalProductArns"] == [arn]

    # The sharing policy: stored, returned, removed.
    missing_policy = f"No sharing policy exists for the portal product {ppid}"
    expect_error(lambda: v2.get_portal_product_sharing_policy(PortalProductId=ppid),
                 "NotFoundException", missing_policy, 404)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "111111111111"},
        "Action": "apigateway:GetPortalProduct", "Resource": arn}]})
    v2.put_portal_product_sharing_policy(PortalProductId=ppid, PolicyDocument=policy)
    got = v2.get_portal_product_sharing_policy(PortalProductId=ppid)
    assert (got["PolicyDocument"], got["PortalProductId"]) == (policy, ppid)
    expect_error(lambda: v2.put_portal_product_sharing_policy(PortalProductId=ppid,
                                                              PolicyDocument="not json"),
                 "BadRequestException", status=400)
    # The policy is never part of the product's own answers (read as sent).
    assert set(raw_get(server, f"/v2/portalproducts/{ppid}")) <= \
        model_members("GetPortalProduct")
    v2.delete_portal_product_sharing_policy(PortalProductId=ppid)
    expect_error(lambda: v2.delete_portal_product_sharing_policy(PortalProductId=ppid),
                 "NotFoundException", missing_policy, 404)

    v2.delete_portal_product(PortalProductId=ppid)
    missing = f"Invalid PortalProduct identifier specified {ACCOUNT}:{ppid}"
    for op in (lambda: v2.get_portal_product(PortalProductId=ppid),
               lambda: v2.update_portal_product(PortalProductId=ppid, DisplayName="x"),
               lambda: v2.delete_portal_product(PortalProductId=ppid),
               lambda: v2.list_product_pages(PortalProductId=ppid),
               lambda: v2.put_portal_product_sharing_policy(PortalProductId=ppid,
                                                            PolicyDocument="{}")):
        expect_error(op, "NotFoundException", missing, 404)
    v2.publish_portal(PortalId=p["PortalId"])
    failed = v2.get_portal(PortalId=p["PortalId"])
    assert failed["PublishStatus"] == "PUBLISH_FAILED"
    assert arn in failed["StatusException"]["Message"]


def rest_api(apigw):
    api = apigw.create_rest_api(name="pets")
    pets = add_resource(apigw, api["id"], api["rootResourceId"], "pets")
    mock_method(apigw, api["id"], pets, method="GET", operationName="ListPets")
    deploy(apigw, api["id"], "prod")
    return api["id"]


def test_product_pages_and_rest_endpoint_pages(server, v2, v2_unchecked, apigw):
    ppid = v2.create_portal_product(DisplayName="Pets")["PortalProductId"]
    page = v2.create_product_page(PortalProductId=ppid,
                                  DisplayContent={"Title": "Intro", "Body": "# Hello"})
    pgid = page["ProductPageId"]
    assert page["ProductPageArn"] == \
        f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/portalproducts/{ppid}/productpages/{pgid}"
    assert page["DisplayContent"] == {"Title": "Intro", "Body": "# Hello"}
    assert strip(v2.get_product_page(PortalProductId=ppid, ProductPageId=pgid)) == strip(page)
    (item,) = v2.list_product_pages(PortalProductId=ppid)["Items"]
    assert (item["PageTitle"], item["ProductPageId"]) == ("Intro", pgid)
    assert "DisplayContent" not in item
    u = v2.update_product_page(PortalProductId=ppid, ProductPageId=pgid,
                               DisplayContent={"Title": "Intro", "Body": "# Hi"})
    assert u["DisplayContent"]["Body"] == "# Hi"
    expect_error(lambda: v2_unchecked.create_product_page(
        PortalProductId=ppid, DisplayContent={"Title": "", "Body": "b"}),
                 "BadRequestException", status=400)

    api = rest_api(apigw)
    ident = {"IdentifierParts": {"RestApiId": api, "Stage": "prod", "Method": "GET",
                                 "Path": "/pets"}}
    ep = v2.create_product_rest_endpoint_page(PortalProductId=ppid,
                                              RestEndpointIdentifier=ident,
                                              TryItState="ENABLED")
    epid = ep["ProductRestEndpointPageId"]
    assert ep["ProductRestEndpointPageArn"] == (
        f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/portalproducts/{ppid}"
        f"/productrestendpointpages/{epid}")
    assert ep["RestEndpointIdentifier"] == ident
    assert ep["DisplayContent"] == {"Endpoint": "GET /pets", "OperationName": "ListPets"}
    assert (ep["Status"], ep["TryItState"]) == ("AVAILABLE", "ENABLED")
    (item,) = v2.list_product_rest_endpoint_pages(PortalProductId=ppid)["Items"]
    assert (item["Endpoint"], item["OperationName"], item["Status"]) == \
        ("GET /pets", "ListPets", "AVAILABLE")
    over = {"Overrides": {"Endpoint": "GET /animals", "Body": "Lists them"}}
    u = v2.update_product_rest_endpoint_page(PortalProductId=ppid,
                                             ProductRestEndpointPageId=epid,
                                             DisplayContent=over, TryItState="DISABLED")
    assert u["DisplayContent"] == {"Endpoint": "GET /animals", "OperationName": "ListPets",
                                   "Body": "Lists them"}
    assert u["TryItState"] == "DISABLED"
    raw = v2.get_product_rest_endpoint_page(PortalProductId=ppid,
                                            ProductRestEndpointPageId=epid,
                                            IncludeRawDisplayContent="TRUE")
    assert json.loads(raw["RawDisplayContent"]) == {"overrides": {"endpoint": "GET /animals",
                                                                  "body": "Lists them"}}
    assert "RawDisplayContent" not in v2.get_product_rest_endpoint_page(
        PortalProductId=ppid, ProductRestEndpointPageId=epid)
    # Answers carry the model's lower-camel members only (read as sent).
    for op, path in [
            ("GetProductRestEndpointPage",
             f"/v2/portalproducts/{ppid}/productrestendpointpages/{epid}"
             "?includeRawDisplayContent=TRUE"),
            ("GetProductPage", f"/v2/portalproducts/{ppid}/productpages/{pgid}"),
            ("GetPortalProduct", f"/v2/portalproducts/{ppid}")]:
        assert set(raw_get(server, path)) <= model_members(op), op
    # The endpoint must exist: API, stage, method on the path.
    for parts in ({"RestApiId": "nope", "Stage": "prod", "Method": "GET", "Path": "/pets"},
                  {"RestApiId": api, "Stage": "dev", "Method": "GET", "Path": "/pets"},
                  {"RestApiId": api, "Stage": "prod", "Method": "POST", "Path": "/pets"},
                  {"RestApiId": api, "Stage": "prod", "Method": "GET", "Path": "/cats"}):
        expect_error(lambda: v2.create_product_rest_endpoint_page(
            PortalProductId=ppid, RestEndpointIdentifier={"IdentifierParts": parts}),
            "BadRequestException", status=400)

    # The product's display order names its pages; a deleted page leaves it.
    page_arn = page["ProductPageArn"]
    ep_arn = ep["ProductRestEndpointPageArn"]
    order = {"OverviewPageArn": page_arn, "ProductPageArns": [page_arn],
             "Contents": [{"SectionName": "Pets", "ProductRestEndpointPageArns": [ep_arn]}]}
    got = v2.update_portal_product(PortalProductId=ppid, DisplayOrder=order)
    assert got["DisplayOrder"] == order
    expect_error(lambda: v2.update_portal_product(PortalProductId=ppid, DisplayOrder={
        "ProductPageArns": [page_arn + "x"]}), "BadRequestException", status=400)
    v2.delete_product_page(PortalProductId=ppid, ProductPageId=pgid)
    v2.delete_product_rest_endpoint_page(PortalProductId=ppid, ProductRestEndpointPageId=epid)
    assert v2.get_portal_product(PortalProductId=ppid)["DisplayOrder"] == {
        "ProductPageArns": [], "Contents": [{"SectionName": "Pets",
                                             "ProductRestEndpointPageArns": []}]}
    for op in (lambda: v2.get_product_page(PortalProductId=ppid, ProductPageId=pgid),
               lambda: v2.delete_product_page(PortalProductId=ppid, ProductPageId=pgid)):
        expect_error(op, "NotFoundException",
                     f"Invalid ProductPage identifier specified {ACCOUNT}:{ppid}:{pgid}", 404)
    expect_error(lambda: v2.get_product_rest_endpoint_page(PortalProductId=ppid,
                                                           ProductRestEndpointPageId=epid),
                 "NotFoundException", status=404)
    assert v2.list_product_pages(PortalProductId=ppid)["Items"] == []


def test_portals_and_products_are_tagged_by_arn(v2):
    p = portal(v2, Tags={"a": "1"})
    prod = v2.create_portal_product(DisplayName="Pets")
    for arn, get in ((p["PortalArn"], lambda: v2.get_portal(PortalId=p["PortalId"])),
                     (prod["PortalProductArn"],
                      lambda: v2.get_portal_product(PortalProductId=prod["PortalProductId"]))):
        v2.tag_resource(ResourceArn=arn, Tags={"env": "dev"})
        assert v2.get_tags(ResourceArn=arn)["Tags"] == {**get()["Tags"]} and \
            get()["Tags"]["env"] == "dev"
        v2.untag_resource(ResourceArn=arn, TagKeys=["env"])
        assert "env" not in get()["Tags"]
    assert v2.get_portal(PortalId=p["PortalId"])["Tags"] == {"a": "1"}
    # Another account's ARN is not the caller's.
    other = p["PortalArn"].replace(ACCOUNT, "111111111111")
    expect_error(lambda: v2.get_tags(ResourceArn=other), "NotFoundException", status=404)
    gone = p["PortalArn"].replace(p["PortalId"], "nope000000")
    expect_error(lambda: v2.tag_resource(ResourceArn=gone, Tags={"x": "y"}),
                 "NotFoundException", status=404)


def test_pages_go_with_their_product(v2):
    ppid = v2.create_portal_product(DisplayName="Pets")["PortalProductId"]
    v2.create_product_page(PortalProductId=ppid, DisplayContent={"Title": "t", "Body": "b"})
    v2.delete_portal_product(PortalProductId=ppid)
    again = v2.create_portal_product(DisplayName="Pets")["PortalProductId"]
    assert v2.list_product_pages(PortalProductId=again)["Items"] == []


def test_portals_and_products_page_and_stay_in_their_tenant(server, v2):
    ids = [portal(v2)["PortalId"] for _ in range(3)]
    first = v2.list_portals(MaxResults="2")
    assert len(first["Items"]) == 2 and first["NextToken"]
    rest = v2.list_portals(MaxResults="2", NextToken=first["NextToken"])
    assert [p["PortalId"] for p in first["Items"] + rest["Items"]] == ids
    prod = v2.create_portal_product(DisplayName="Mine")["PortalProductId"]

    other = make_client(server, ACCOUNT_B, service="apigatewayv2")
    assert other.list_portals()["Items"] == []
    assert other.list_portal_products()["Items"] == []
    expect_error(lambda: other.get_portal(PortalId=ids[0]), "NotFoundException", status=404)
    expect_error(lambda: other.get_portal_product(PortalProductId=prod), "NotFoundException",
                 status=404)
    # Another account's product cannot be included by ARN.
    mine = f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/portalproducts/{prod}"
    expect_error(lambda: portal(other, IncludedPortalProductArns=[mine]),
                 "BadRequestException", status=400)
