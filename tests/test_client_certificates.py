"""Client certificates: GenerateClientCertificate, GetClientCertificate(s), UpdateClientCertificate,
DeleteClientCertificate, their tags, and a stage naming one (UpdateStage `/clientCertificateId`).

The certificate is a real self-signed X.509 certificate, valid for a year; its private key is
kept by Portico (the data plane presents it to `https://` backends: test_dataplane_https.py)
and never answered.

AWS's answer for an unknown certificate id is in no public recording we found (LocalStack's
snapshots have none): "Invalid Client Certificate identifier specified" (404 NotFoundException)
is AWS's "Invalid … identifier specified" family, as independent emulators also answer.
"""
import shutil
import ssl
import subprocess
import time
from datetime import datetime, timezone

import pytest

from helpers import expect_error, replace
from test_deployments import add_method

REGION = "us-east-1"
UNKNOWN = "Invalid Client Certificate identifier specified"
YEAR = 365 * 24 * 3600


def cert_arn(cert_id):
    return f"arn:aws:apigateway:{REGION}::/clientcertificates/{cert_id}"


def epoch(value):
    """boto3 parses v1 timestamps into datetimes."""
    return int(value.timestamp())


def openssl_dates(pem):
    """(notBefore, notAfter, subject) as the openssl CLI reads the certificate."""
    out = subprocess.run(["openssl", "x509", "-noout", "-startdate", "-enddate", "-subject"],
                         input=pem.encode(), capture_output=True, check=True).stdout.decode()
    fields = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def parse(s):
        return int(datetime.strptime(s.strip(), "%b %d %H:%M:%S %Y %Z")
                   .replace(tzinfo=timezone.utc).timestamp())
    return parse(fields["notBefore"]), parse(fields["notAfter"]), fields["subject"]


def no_private_key(answer):
    text = str(answer)
    assert "PRIVATE KEY" not in text and "privateKey" not in text, text


def test_generate_makes_a_real_year_long_certificate(apigw):
    before = int(time.time())
    c = apigw.generate_client_certificate(description="for the backend", tags={"team": "a"})
    assert c["ResponseMetadata"]["HTTPStatusCode"] == 201
    no_private_key(c)
    cid = c["clientCertificateId"]
    assert len(cid) == 6 and cid.isalnum() and cid == cid.lower()
    assert c["description"] == "for the backend" and c["tags"] == {"team": "a"}
    pem = c["pemEncodedCertificate"]
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    der = ssl.PEM_cert_to_DER_cert(pem)
    assert der[0] == 0x30 and len(der) > 200  # an ASN.1 SEQUENCE: the certificate
    created, expires = epoch(c["createdDate"]), epoch(c["expirationDate"])
    assert before - 1 <= created <= int(time.time()) + 1
    assert expires - created == YEAR
    if shutil.which("openssl"):
        not_before, not_after, subject = openssl_dates(pem)
        assert (not_before, not_after) == (created, expires)
        assert "ApiGateway" in subject
    # Two certificates are two certificates.
    other = apigw.generate_client_certificate()
    assert other["clientCertificateId"] != cid and other["pemEncodedCertificate"] != pem
    assert "description" not in other and "tags" not in other


def test_get_update_delete(apigw):
    c = apigw.generate_client_certificate(description="one")
    cid = c["clientCertificateId"]
    got = apigw.get_client_certificate(clientCertificateId=cid)
    no_private_key(got)
    for member in ("clientCertificateId", "description", "pemEncodedCertificate", "createdDate",
                   "expirationDate"):
        assert got[member] == c[member], member
    u = apigw.update_client_certificate(clientCertificateId=cid,
                                        patchOperations=[replace("/description", "two")])
    no_private_key(u)
    assert u["description"] == "two" and u["pemEncodedCertificate"] == c["pemEncodedCertificate"]
    assert apigw.get_client_certificate(clientCertificateId=cid)["description"] == "two"
    expect_error(lambda: apigw.update_client_certificate(
        clientCertificateId=cid, patchOperations=[replace("/pemEncodedCertificate", "x")]),
        "BadRequestException", status=400)
    r = apigw.delete_client_certificate(clientCertificateId=cid)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect_error(lambda: apigw.get_client_certificate(clientCertificateId=cid),
                 "NotFoundException", UNKNOWN, 404)


def test_unknown_ids(apigw):
    expect_error(lambda: apigw.get_client_certificate(clientCertificateId="nope00"),
                 "NotFoundException", UNKNOWN, 404)
    expect_error(lambda: apigw.update_client_certificate(
        clientCertificateId="nope00", patchOperations=[replace("/description", "x")]),
        "NotFoundException", UNKNOWN, 404)
    expect_error(lambda: apigw.delete_client_certificate(clientCertificateId="nope00"),
                 "NotFoundException", UNKNOWN, 404)


def test_paging_by_position_and_limit(apigw):
    ids = [apigw.generate_client_certificate(description=f"c{i}")["clientCertificateId"]
           for i in range(5)]
    first = apigw.get_client_certificates(limit=2)
    no_private_key(first)
    assert [i["clientCertificateId"] for i in first["items"]] == ids[:2]
    second = apigw.get_client_certificates(limit=2, position=first["position"])
    assert [i["clientCertificateId"] for i in second["items"]] == ids[2:4]
    last = apigw.get_client_certificates(limit=2, position=second["position"])
    assert [i["clientCertificateId"] for i in last["items"]] == ids[4:]
    assert "position" not in last
    everything = apigw.get_paginator("get_client_certificates").paginate(
        PaginationConfig={"PageSize": 2})
    assert [i["clientCertificateId"] for page in everything for i in page["items"]] == ids
    assert all(i["pemEncodedCertificate"].startswith("-----BEGIN CERTIFICATE-----")
               for i in last["items"])
    expect_error(lambda: apigw.get_client_certificates(limit=0), "BadRequestException", status=400)


def test_certificates_are_the_tenants_own(apigw, apigw_b):
    cid = apigw.generate_client_certificate()["clientCertificateId"]
    expect_error(lambda: apigw_b.get_client_certificate(clientCertificateId=cid),
                 "NotFoundException", UNKNOWN, 404)
    assert apigw_b.get_client_certificates()["items"] == []


def test_tags(apigw):
    cid = apigw.generate_client_certificate(tags={"created": "yes"})["clientCertificateId"]
    arn = cert_arn(cid)
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"created": "yes"}
    apigw.tag_resource(resourceArn=arn, tags={"team": "payments"})
    assert apigw.get_client_certificate(clientCertificateId=cid)["tags"] == {
        "created": "yes", "team": "payments"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["created", "team"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {}
    assert "tags" not in apigw.get_client_certificate(clientCertificateId=cid)
    apigw.delete_client_certificate(clientCertificateId=cid)
    expect_error(lambda: apigw.get_tags(resourceArn=arn),
                 "NotFoundException", "Invalid Resource identifier specified", 404)


def test_a_stage_names_an_existing_certificate(apigw, api):
    api_id, root = api
    add_method(apigw, api_id, root)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    cid = apigw.generate_client_certificate()["clientCertificateId"]
    expect_error(lambda: apigw.update_stage(
        restApiId=api_id, stageName="prod",
        patchOperations=[replace("/clientCertificateId", "nope00")]),
        "NotFoundException", UNKNOWN, 404)
    assert "clientCertificateId" not in apigw.get_stage(restApiId=api_id, stageName="prod")
    s = apigw.update_stage(restApiId=api_id, stageName="prod",
                           patchOperations=[replace("/clientCertificateId", cid)])
    assert s["clientCertificateId"] == cid
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["clientCertificateId"] == cid
    s = apigw.update_stage(restApiId=api_id, stageName="prod",
                           patchOperations=[{"op": "remove", "path": "/clientCertificateId"}])
    assert "clientCertificateId" not in s


@pytest.mark.parametrize("call", ["get_client_certificates", "get_client_certificate"])
def test_the_private_key_is_never_answered(apigw, call):
    cid = apigw.generate_client_certificate(description="k")["clientCertificateId"]
    kw = {"clientCertificateId": cid} if call == "get_client_certificate" else {}
    no_private_key(getattr(apigw, call)(**kw))
