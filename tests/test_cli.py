"""The AWS CLI, unchanged, pointed at Portico with --endpoint-url."""
import json
import os
import shutil
import subprocess
import sys

from portico_server import ACCOUNT_A


def aws(server, *args):
    exe = shutil.which("aws") or os.path.join(os.path.dirname(sys.executable), "aws")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCOUNT_A[0], "AWS_SECRET_ACCESS_KEY": ACCOUNT_A[1],
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    p = subprocess.run([exe, "--endpoint-url", server.url, "--output", "json", *args],
                       capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


def test_cli_creates_and_lists_with_auto_pagination(server):
    server.reset()
    ids = []
    for i in range(3):
        rc, out, err = aws(server, "apigateway", "create-rest-api", "--name", f"cli-{i}")
        assert rc == 0, err
        ids.append(out["id"])
    rc, out, err = aws(server, "apigateway", "get-rest-apis", "--page-size", "1")
    assert rc == 0, err
    assert [i["id"] for i in out["items"]] == ids
    rc, out, err = aws(server, "apigateway", "get-resources", "--rest-api-id", ids[0])
    assert rc == 0 and out["items"][0]["path"] == "/"


def test_cli_reports_aws_errors(server):
    rc, _, err = aws(server, "apigateway", "get-rest-api", "--rest-api-id", "nope000000")
    assert rc != 0
    assert "NotFoundException" in err and "Invalid API identifier specified 000000000000:nope000000" in err


def ok(server, *args):
    rc, out, err = aws(server, *args)
    assert rc == 0, err
    return out


NLB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/cli/0123456789abcdef"


def test_cli_vpc_links_page_through_get_vpc_links(server):
    server.reset()
    made = [ok(server, "apigateway", "create-vpc-link", "--name", f"l{i}",
               "--target-arns", NLB)["id"] for i in range(3)]
    listed = ok(server, "apigateway", "get-vpc-links", "--page-size", "1")
    assert sorted(i["id"] for i in listed["items"]) == sorted(made)
    one = ok(server, "apigateway", "get-vpc-link", "--vpc-link-id", made[0])
    assert (one["name"], one["targetArns"]) == ("l0", [NLB])
    ok(server, "apigateway", "delete-vpc-link", "--vpc-link-id", made[0])
    rc, _, err = aws(server, "apigateway", "get-vpc-link", "--vpc-link-id", made[0])
    assert rc != 0 and "NotFoundException" in err


def test_cli_client_certificates(server):
    server.reset()
    cert = ok(server, "apigateway", "generate-client-certificate", "--description", "cli")
    assert cert["pemEncodedCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    listed = ok(server, "apigateway", "get-client-certificates")
    assert [c["clientCertificateId"] for c in listed["items"]] == [cert["clientCertificateId"]]
    ok(server, "apigateway", "delete-client-certificate", "--client-certificate-id",
       cert["clientCertificateId"])
    assert ok(server, "apigateway", "get-client-certificates")["items"] == []


def test_cli_documentation_parts_and_versions(server):
    server.reset()
    api_id = ok(server, "apigateway", "create-rest-api", "--name", "docs")["id"]
    part = ok(server, "apigateway", "create-documentation-part", "--rest-api-id", api_id,
              "--location", "type=API", "--properties", '{"description": "the API"}')
    parts = ok(server, "apigateway", "get-documentation-parts", "--rest-api-id", api_id)
    assert [p["id"] for p in parts["items"]] == [part["id"]]
    ok(server, "apigateway", "create-documentation-version", "--rest-api-id", api_id,
       "--documentation-version", "v1")
    versions = ok(server, "apigateway", "get-documentation-versions", "--rest-api-id", api_id)
    assert [v["version"] for v in versions["items"]] == ["v1"]
def test_cli_custom_domain_and_base_path_mapping(server, tmp_path):
    server.reset()
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=cli.example.com"],
                   check=True, capture_output=True)
    rc, out, err = aws(server, "apigateway", "create-domain-name", "--domain-name",
                       "cli.example.com", "--certificate-body", f"file://{cert}",
                       "--certificate-private-key", f"file://{key}")
    assert rc == 0, err
    assert out["domainName"] == "cli.example.com" and "BEGIN" not in json.dumps(out)
    rc, api, err = aws(server, "apigateway", "create-rest-api", "--name", "cli-domain")
    assert rc == 0, err
    rc, out, err = aws(server, "apigateway", "create-base-path-mapping", "--domain-name",
                       "cli.example.com", "--rest-api-id", api["id"], "--base-path", "v1")
    assert rc == 0, err
    rc, out, err = aws(server, "apigateway", "get-base-path-mappings", "--domain-name",
                       "cli.example.com")
    assert rc == 0 and out["items"] == [{"basePath": "v1", "restApiId": api["id"]}], err
    rc, out, err = aws(server, "apigateway", "get-domain-names")
    assert rc == 0 and [d["domainName"] for d in out["items"]] == ["cli.example.com"], err
    rc, _, err = aws(server, "apigateway", "create-base-path-mapping", "--domain-name",
                     "cli.example.com", "--rest-api-id", api["id"], "--base-path", "v1")
    assert rc != 0 and "ConflictException" in err
