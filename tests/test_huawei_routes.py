"""The Huawei route tables against the installed SDKs, and the README's marked listing of them
against the binary (so neither drifts)."""
import os
import re
import subprocess

import pytest
from huaweicloudsdkapig.v2 import ApigClient
from huaweicloudsdkvpcep.v1 import VpcepClient

from portico_server import binary

ROOT = os.path.dirname(os.path.abspath(__file__))


def routes(api, *flags):
    return subprocess.run([binary(), "routes", "--api", api, *flags], capture_output=True,
                          text=True, check=True).stdout


def sdk_operations(client):
    """`Operation METHOD URI` of every operation of an SDK client, from its `_*_http_info`."""
    class Request:
        attribute_map = {}

    rows = []
    for name in dir(client):
        if re.fullmatch(r"_\w+_http_info", name):
            info = getattr(client, name)(Request())
            op = info["response_type"].removesuffix("Response")
            rows.append(f"{op} {info['method']} {info['resource_path']}")
    return sorted(rows)


@pytest.mark.parametrize("api,client,count", [
    ("huawei-apig", ApigClient, 216), ("huawei-vpcep", VpcepClient, 33)])
def test_route_tables_match_the_sdk_clients(api, client, count):
    ours = routes(api).splitlines()
    assert ours == sdk_operations(client)
    assert len(ours) == count


def test_readme_lists_every_operation_as_the_binary_marks_it():
    with open(os.path.join(ROOT, "..", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    block = readme.split("<!-- huawei-ops:start -->")[1].split("<!-- huawei-ops:end -->")[0]
    expected = ("```\n# huawei-apig\n" + routes("huawei-apig", "--supported", "--status")
                + "# huawei-vpcep\n" + routes("huawei-vpcep", "--supported", "--status") + "```")
    assert block.strip() == expected.strip()
    served = [line.split()[0] for line in expected.splitlines() if line.endswith(" supported")]
    assert len(served) == 13, served
