"""apigatewayv2 VPC links (v2 shape)."""
import time

import pytest

from conftest import make_client
from helpers import expect_error
from portico_server import ACCOUNT_B


@pytest.fixture
def v2(server):
    server.reset()
    return make_client(server, service="apigatewayv2")


def test_vpc_link_lifecycle(server, v2):
    link = v2.create_vpc_link(Name="link", SubnetIds=["subnet-1", "subnet-2"],
                              SecurityGroupIds=["sg-1"], Tags={"a": "b"})
    assert link["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert link["VpcLinkStatus"] == "PENDING" and link["VpcLinkVersion"] == "V2"
    assert link["SubnetIds"] == ["subnet-1", "subnet-2"] and link["Tags"] == {"a": "b"}
    assert "_createdAt" not in str(link)
    time.sleep(1.1)
    got = v2.get_vpc_link(VpcLinkId=link["VpcLinkId"])
    assert got["VpcLinkStatus"] == "AVAILABLE"
    assert got["VpcLinkStatusMessage"] == "VPC link is ready to route traffic"
    assert [l["VpcLinkId"] for l in v2.get_vpc_links()["Items"]] == [link["VpcLinkId"]]
    assert v2.get_vpc_links()["Items"][0]["VpcLinkStatus"] == "AVAILABLE"
    assert v2.update_vpc_link(VpcLinkId=link["VpcLinkId"], Name="renamed")["Name"] == "renamed"
    arn = f"arn:aws:apigateway:us-east-1::/vpclinks/{link['VpcLinkId']}"
    v2.tag_resource(ResourceArn=arn, Tags={"c": "d"})
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"a": "b", "c": "d"}
    b = make_client(server, ACCOUNT_B, service="apigatewayv2")
    expect_error(lambda: b.get_vpc_link(VpcLinkId=link["VpcLinkId"]), "NotFoundException",
                 status=404)
    r = v2.delete_vpc_link(VpcLinkId=link["VpcLinkId"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    err = expect_error(lambda: v2.get_vpc_link(VpcLinkId=link["VpcLinkId"]), "NotFoundException",
                       status=404)
    assert "Invalid VpcLink identifier specified" in err["Error"]["Message"]
    expect_error(lambda: v2.create_vpc_link(Name="x", SubnetIds=[]), "BadRequestException",
                 status=400)


def test_get_vpc_links_pages(v2):
    ids = [v2.create_vpc_link(Name=f"l{i}", SubnetIds=["s"])["VpcLinkId"] for i in range(3)]
    page = v2.get_vpc_links(MaxResults="2")
    rest = v2.get_vpc_links(NextToken=page["NextToken"])
    assert [l["VpcLinkId"] for l in page["Items"] + rest["Items"]] == ids
