"""Custom domain names: CreateDomainName, GetDomainName(s), UpdateDomainName, DeleteDomainName,
their tags, and domain name access associations — with AWS's shapes per endpoint type and the
checks of uploaded certificates and truststores (certificates made in the test with the
`openssl` CLI). Bad input leaves nothing behind: a Get afterwards says NotFound.

AWS's texts used as they are: "No Domain Name specified" (LocalStack's and moto's),
"Invalid domain name identifier specified" (AWS's answers quoted in
amplify-education/serverless-domain-manager issue #210), "The domain name you provided
already exists." The certificate and truststore texts are Portico's (ACM checks them on AWS).
"""
import subprocess

import pytest

from conftest import make_client
from helpers import expect_error, replace
from portico_server import ACCOUNT_A, ACCOUNT_B

REGION = "us-east-1"
NOT_FOUND = "Invalid domain name identifier specified"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def self_signed(tmp, name, cn, key="ec"):
    """A self-signed certificate and its key, PEM: (cert text, key text)."""
    newkey = ["-newkey", "rsa:2048"] if key == "rsa" else [
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    openssl("req", "-x509", *newkey, "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.crt",
            "-days", "2", "-subj", f"/CN={cn}", cwd=tmp)
    return (tmp / f"{name}.crt").read_text(), (tmp / f"{name}.key").read_text()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("certs")
    return {
        "ec": self_signed(tmp, "ec", "api.example.com"),
        "other": self_signed(tmp, "other", "api.example.com"),
        "rsa": self_signed(tmp, "rsa", "api.example.com", key="rsa"),
        "ca": self_signed(tmp, "ca", "Example CA"),
        "dir": tmp,
    }


def body_of(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def no_secrets(answer, *pems):
    text = repr(answer)
    assert "BEGIN" not in text and "certificateBody" not in text, text
    assert "certificatePrivateKey" not in text and "certificateChain" not in text, text
    for pem in pems:
        assert pem.strip().splitlines()[1] not in text


# ---------------------------------------------------------------- shapes


def test_edge_is_the_default_and_shows_a_cloudfront_distribution(apigw):
    created = apigw.create_domain_name(domainName="API.Example.com",
                                       certificateArn="arn:aws:acm:us-east-1:000000000000:certificate/abc")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    d = body_of(created)
    assert d["domainName"] == "api.example.com"
    assert d["endpointConfiguration"]["types"] == ["EDGE"]
    assert d["distributionDomainName"].endswith(".cloudfront.net")
    assert d["distributionDomainName"].startswith("d")
    assert d["distributionHostedZoneId"] == "Z2FDTNDATAQYW2"
    assert d["domainNameStatus"] == "AVAILABLE"
    assert d["securityPolicy"] == "TLS_1_2"
    assert d["certificateArn"] == "arn:aws:acm:us-east-1:000000000000:certificate/abc"
    assert d["domainNameArn"] == f"arn:aws:apigateway:{REGION}::/domainnames/api.example.com"
    assert "regionalDomainName" not in d and "regionalHostedZoneId" not in d
    assert "certificateUploadDate" not in d
    # Any case finds it.
    assert body_of(apigw.get_domain_name(domainName="api.EXAMPLE.com")) == d


def test_regional_shows_a_regional_domain_name(apigw):
    d = apigw.create_domain_name(
        domainName="r.example.com", endpointConfiguration={"types": ["REGIONAL"]},
        regionalCertificateArn="arn:aws:acm:us-east-1:000000000000:certificate/r",
        securityPolicy="TLS_1_0")
    assert d["regionalDomainName"].startswith("d-")
    assert d["regionalDomainName"].endswith(f".execute-api.{REGION}.amazonaws.com")
    assert d["regionalHostedZoneId"] == "Z1UJRXOUMOOFQ8"
    assert d["regionalCertificateArn"].endswith("/r")
    assert d["securityPolicy"] == "TLS_1_0"
    assert "distributionDomainName" not in d


def test_private_has_an_id_and_an_arn_naming_it(apigw):
    d = apigw.create_domain_name(domainName="p.example.com",
                                 endpointConfiguration={"types": ["PRIVATE"]},
                                 policy='{"Version": "2012-10-17", "Statement": []}')
    assert d["domainNameId"]
    assert d["domainNameArn"] == (
        f"arn:aws:apigateway:{REGION}:{ACCOUNT_A[2]}:/domainnames/p.example.com+{d['domainNameId']}")
    assert "regionalDomainName" not in d and "distributionDomainName" not in d
    got = apigw.get_domain_name(domainName="p.example.com", domainNameId=d["domainNameId"])
    assert got["domainNameId"] == d["domainNameId"]
    expect_error(lambda: apigw.get_domain_name(domainName="p.example.com", domainNameId="nope"),
                 "NotFoundException", NOT_FOUND, 404)
    # Its ARN (which names the account) is taggable.
    apigw.tag_resource(resourceArn=d["domainNameArn"], tags={"k": "v"})
    assert apigw.get_tags(resourceArn=d["domainNameArn"])["tags"] == {"k": "v"}


# ---------------------------------------------------------------- certificates


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_uploaded_certificate_is_kept_and_never_shown(apigw, certs, kind):
    cert, key = certs[kind]
    ca, _ = certs["ca"]
    created = apigw.create_domain_name(domainName="api.example.com", certificateBody=cert,
                                       certificatePrivateKey=key, certificateChain=ca)
    no_secrets(created, cert, key, ca)
    assert created["certificateName"] == "api.example.com"
    assert isinstance(created["certificateUploadDate"].year, int)
    got = apigw.get_domain_name(domainName="api.example.com")
    no_secrets(got, cert, key, ca)
    no_secrets(apigw.get_domain_names(), cert, key, ca)
    updated = apigw.update_domain_name(domainName="api.example.com",
                                       patchOperations=[replace("/certificateName", "mine")])
    no_secrets(updated, cert, key, ca)
    assert updated["certificateName"] == "mine"


def test_certificate_name_as_given(apigw, certs):
    cert, key = certs["ec"]
    d = apigw.create_domain_name(domainName="api.example.com", certificateName="my-cert",
                                 certificateBody=cert, certificatePrivateKey=key)
    assert d["certificateName"] == "my-cert"


def assert_not_created(apigw, name="api.example.com"):
    expect_error(lambda: apigw.get_domain_name(domainName=name), "NotFoundException", NOT_FOUND, 404)
    assert apigw.get_domain_names()["items"] == []


def test_malformed_pem_is_refused_and_nothing_is_created(apigw, certs):
    cert, key = certs["ec"]
    broken = cert.replace(cert.strip().splitlines()[2], "@@@not base64@@@")
    for body, k in [("not a certificate", key), (broken, key), (cert, "not a key"),
                    (cert, cert)]:
        expect_error(lambda: apigw.create_domain_name(
            domainName="api.example.com", certificateBody=body, certificatePrivateKey=k),
            "BadRequestException", status=400, contains="Invalid certificate")
        assert_not_created(apigw)
    expect_error(lambda: apigw.create_domain_name(
        domainName="api.example.com", certificateBody=cert, certificatePrivateKey=key,
        certificateChain="garbage"), "BadRequestException", status=400,
        contains="Invalid certificate chain")
    assert_not_created(apigw)


def test_a_key_that_is_not_the_certificates_is_refused(apigw, certs):
    cert, _ = certs["ec"]
    _, other_key = certs["other"]
    _, rsa_key = certs["rsa"]
    for key in (other_key, rsa_key):
        expect_error(lambda: apigw.create_domain_name(
            domainName="api.example.com", certificateBody=cert, certificatePrivateKey=key),
            "BadRequestException",
            "The certificate private key does not match the certificate body", 400)
        assert_not_created(apigw)


def test_body_and_key_come_together(apigw, certs):
    cert, key = certs["ec"]
    expect_error(lambda: apigw.create_domain_name(domainName="api.example.com",
                                                  certificateBody=cert),
                 "BadRequestException", status=400, contains="private key must be provided")
    expect_error(lambda: apigw.create_domain_name(domainName="api.example.com",
                                                  certificatePrivateKey=key),
                 "BadRequestException", status=400, contains="certificate body must be provided")
    assert_not_created(apigw)


# ---------------------------------------------------------------- mutual TLS truststores


def test_truststore_uris(apigw, certs):
    tmp = certs["dir"]
    ca, _ = certs["ca"]
    good = tmp / "truststore.pem"
    good.write_text(ca)
    empty = tmp / "empty.pem"
    empty.write_text("no certificates here\n")

    for uri, text in [(f"file://{tmp}/missing.pem", "Cannot read the truststore"),
                      (f"file://{empty}", "no PEM-encoded certificate"),
                      ("https://example.com/t.pem", "Invalid truststore URI"),
                      ("s3://bucket-only", "Invalid truststore URI")]:
        expect_error(lambda: apigw.create_domain_name(
            domainName="m.example.com", endpointConfiguration={"types": ["REGIONAL"]},
            mutualTlsAuthentication={"truststoreUri": uri}),
            "BadRequestException", status=400, contains=text)
        assert_not_created(apigw, "m.example.com")

    d = apigw.create_domain_name(domainName="m.example.com",
                                 endpointConfiguration={"types": ["REGIONAL"]},
                                 mutualTlsAuthentication={"truststoreUri": f"file://{good}",
                                                          "truststoreVersion": "1"})
    assert d["mutualTlsAuthentication"] == {"truststoreUri": f"file://{good}",
                                            "truststoreVersion": "1"}
    s3 = apigw.create_domain_name(domainName="s3.example.com",
                                  endpointConfiguration={"types": ["REGIONAL"]},
                                  mutualTlsAuthentication={"truststoreUri": "s3://b/t.pem"})
    assert s3["mutualTlsAuthentication"]["truststoreUri"] == "s3://b/t.pem"

    # Through UpdateDomainName: the same checks, nothing changed on failure.
    expect_error(lambda: apigw.update_domain_name(domainName="m.example.com", patchOperations=[
        replace("/mutualTlsAuthentication/truststoreUri", f"file://{tmp}/missing.pem")]),
        "BadRequestException", status=400, contains="Cannot read the truststore")
    assert apigw.get_domain_name(domainName="m.example.com")["mutualTlsAuthentication"][
        "truststoreUri"] == f"file://{good}"
    updated = apigw.update_domain_name(domainName="m.example.com", patchOperations=[
        replace("/mutualTlsAuthentication/truststoreUri", "s3://b/other.pem")])
    assert updated["mutualTlsAuthentication"]["truststoreUri"] == "s3://b/other.pem"


# ---------------------------------------------------------------- names


def test_names_are_checked(apigw):
    expect_error(lambda: apigw.create_domain_name(domainName=""),
                 "BadRequestException", "No Domain Name specified", 400)
    for bad in ("localhost", "127.0.0.1", "a_b.example.com", "-a.example.com", "a..b.com",
                "abc.execute-api.localhost"):
        expect_error(lambda: apigw.create_domain_name(domainName=bad),
                     "BadRequestException", status=400, contains="Invalid domain name")
    assert apigw.get_domain_names()["items"] == []
    # Wildcards are names too.
    assert apigw.create_domain_name(domainName="*.example.com")["domainName"] == "*.example.com"


def test_a_name_is_unique_across_tenants(server, apigw):
    apigw.create_domain_name(domainName="api.example.com")
    expect_error(lambda: apigw.create_domain_name(domainName="API.example.com"),
                 "ConflictException", "The domain name you provided already exists.", 409)
    for other in (make_client(server, ACCOUNT_B), make_client(server, region="eu-west-1")):
        expect_error(lambda: other.create_domain_name(domainName="api.example.com"),
                     "ConflictException", status=409, contains="another account or region")
        # ...and it sees nothing of the first tenant's domain.
        expect_error(lambda: other.get_domain_name(domainName="api.example.com"),
                     "NotFoundException", NOT_FOUND, 404)
        assert other.get_domain_names()["items"] == []
    apigw.delete_domain_name(domainName="api.example.com")
    b = make_client(server, ACCOUNT_B)
    assert b.create_domain_name(domainName="api.example.com")["domainName"] == "api.example.com"


def test_endpoint_configuration_and_security_policy_are_checked(apigw):
    expect_error(lambda: apigw.create_domain_name(
        domainName="a.example.com", endpointConfiguration={"types": ["EDGE", "REGIONAL"]}),
        "BadRequestException", status=400)
    expect_error(lambda: apigw.create_domain_name(
        domainName="a.example.com", securityPolicy="TLS_0_9"),
        "BadRequestException", status=400, contains="Invalid security policy")
    assert_not_created(apigw, "a.example.com")


# ---------------------------------------------------------------- list, update, delete


def test_get_domain_names_pages(apigw):
    names = [f"d{i}.example.com" for i in range(5)]
    for n in names:
        apigw.create_domain_name(domainName=n)
    first = apigw.get_domain_names(limit=2)
    assert [d["domainName"] for d in first["items"]] == names[:2]
    second = apigw.get_domain_names(limit=2, position=first["position"])
    assert [d["domainName"] for d in second["items"]] == names[2:4]
    everything = apigw.get_paginator("get_domain_names").paginate(PaginationConfig={"PageSize": 2})
    assert [d["domainName"] for page in everything for d in page["items"]] == names
    assert apigw.get_domain_names(resourceOwner="OTHER_ACCOUNTS")["items"] == []


def test_update_domain_name(apigw):
    apigw.create_domain_name(domainName="u.example.com")
    d = apigw.update_domain_name(domainName="u.example.com", patchOperations=[
        replace("/certificateArn", "arn:aws:acm:us-east-1:000000000000:certificate/new"),
        replace("/securityPolicy", "TLS_1_0"),
        replace("/endpointConfiguration/types/EDGE", "REGIONAL"),
        replace("/regionalCertificateArn", "arn:aws:acm:us-east-1:000000000000:certificate/r"),
    ])
    assert d["certificateArn"].endswith("/new")
    assert d["securityPolicy"] == "TLS_1_0"
    assert d["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert d["regionalDomainName"].endswith(".amazonaws.com")
    assert "distributionDomainName" not in d
    assert body_of(apigw.get_domain_name(domainName="u.example.com")) == body_of(d)

    expect_error(lambda: apigw.update_domain_name(domainName="u.example.com", patchOperations=[
        replace("/securityPolicy", "TLS_9")]), "BadRequestException", status=400)
    expect_error(lambda: apigw.update_domain_name(domainName="u.example.com", patchOperations=[
        replace("/domainName", "v.example.com")]), "BadRequestException", status=400,
        contains="Invalid patch path  '/domainName'")
    expect_error(lambda: apigw.update_domain_name(domainName="nope.example.com", patchOperations=[
        replace("/certificateName", "x")]), "NotFoundException", NOT_FOUND, 404)
    assert apigw.get_domain_name(domainName="u.example.com")["securityPolicy"] == "TLS_1_0"


def test_delete_domain_name_and_its_mappings(apigw, api):
    api_id, _ = api
    apigw.create_domain_name(domainName="x.example.com")
    apigw.create_base_path_mapping(domainName="x.example.com", restApiId=api_id, basePath="v1")
    deleted = apigw.delete_domain_name(domainName="x.example.com")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_domain_name(domainName="x.example.com"),
                 "NotFoundException", NOT_FOUND, 404)
    expect_error(lambda: apigw.delete_domain_name(domainName="x.example.com"),
                 "NotFoundException", NOT_FOUND, 404)
    apigw.create_domain_name(domainName="x.example.com")
    assert apigw.get_base_path_mappings(domainName="x.example.com")["items"] == []
    # The API is no longer mapped, so it may go.
    apigw.delete_rest_api(restApiId=api_id)


# ---------------------------------------------------------------- tags


def test_tags_on_create_and_by_arn(apigw):
    d = apigw.create_domain_name(domainName="t.example.com", tags={"team": "edge"})
    assert d["tags"] == {"team": "edge"}
    arn = f"arn:aws:apigateway:{REGION}::/domainnames/t.example.com"
    apigw.tag_resource(resourceArn=arn, tags={"cost": "42"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "edge", "cost": "42"}
    assert apigw.get_domain_name(domainName="t.example.com")["tags"] == {"team": "edge",
                                                                         "cost": "42"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"cost": "42"}


# ---------------------------------------------------------------- access associations


def test_access_associations(server, apigw):
    owner = apigw
    d = owner.create_domain_name(domainName="private.example.com",
                                 endpointConfiguration={"types": ["PRIVATE"]})
    domain_arn = d["domainNameArn"]
    mine = owner.create_domain_name_access_association(
        domainNameArn=domain_arn, accessAssociationSourceType="VPCE",
        accessAssociationSource="vpce-0123456789abcdef0", tags={"k": "v"})
    assert mine["ResponseMetadata"]["HTTPStatusCode"] == 201
    arn = mine["domainNameAccessAssociationArn"]
    assert arn == (f"arn:aws:apigateway:{REGION}:{ACCOUNT_A[2]}:/domainnameaccessassociations/"
                   f"domainname/private.example.com+{d['domainNameId']}"
                   "/vpcesource/vpce-0123456789abcdef0")
    assert body_of(mine) == {"domainNameAccessAssociationArn": arn, "domainNameArn": domain_arn,
                             "accessAssociationSourceType": "VPCE",
                             "accessAssociationSource": "vpce-0123456789abcdef0",
                             "tags": {"k": "v"}}
    assert owner.get_domain_name_access_associations()["items"] == [body_of(mine)]
    expect_error(lambda: owner.create_domain_name_access_association(
        domainNameArn=domain_arn, accessAssociationSourceType="VPCE",
        accessAssociationSource="vpce-0123456789abcdef0"), "ConflictException", status=409)

    # Another account associates its endpoint; the owner sees it and rejects it.
    other = make_client(server, ACCOUNT_B)
    theirs = other.create_domain_name_access_association(
        domainNameArn=domain_arn, accessAssociationSourceType="VPCE",
        accessAssociationSource="vpce-0fedcba9876543210")
    assert [a["domainNameAccessAssociationArn"] for a in
            owner.get_domain_name_access_associations(resourceOwner="OTHER_ACCOUNTS")["items"]] == [
        theirs["domainNameAccessAssociationArn"]]
    owner.reject_domain_name_access_association(
        domainNameAccessAssociationArn=theirs["domainNameAccessAssociationArn"],
        domainNameArn=domain_arn)
    assert other.get_domain_name_access_associations()["items"] == []
    expect_error(lambda: owner.reject_domain_name_access_association(
        domainNameAccessAssociationArn=theirs["domainNameAccessAssociationArn"],
        domainNameArn=domain_arn), "NotFoundException", status=404)

    owner.delete_domain_name_access_association(domainNameAccessAssociationArn=arn)
    assert owner.get_domain_name_access_associations()["items"] == []
    expect_error(lambda: owner.delete_domain_name_access_association(
        domainNameAccessAssociationArn=arn), "NotFoundException", status=404)

    # Only private domain names, named by their ARN; only VPC endpoints.
    edge = owner.create_domain_name(domainName="edge.example.com")
    for kw in ({"domainNameArn": edge["domainNameArn"], "accessAssociationSource": "vpce-1"},
               {"domainNameArn": domain_arn + "x", "accessAssociationSource": "vpce-1"},
               {"domainNameArn": domain_arn, "accessAssociationSource": "not-a-vpce"}):
        expect_error(lambda: owner.create_domain_name_access_association(
            accessAssociationSourceType="VPCE", **kw), "BadRequestException", status=400)
    assert owner.get_domain_name_access_associations()["items"] == []
