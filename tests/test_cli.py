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
