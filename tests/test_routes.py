"""`portico routes`: every management API's route table, and each table against its SDK's model."""
import importlib.util
import re
import subprocess

import pytest

from portico_server import binary


def routes(*args):
    return subprocess.run([binary(), "routes", *args], capture_output=True, text=True,
                          check=True).stdout


def sdk_operations(module, client_file):
    """`OperationName METHOD URI` of every operation a Huawei SDK client defines."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        pytest.fail(f"{module} is not installed (tests/requirements.txt installs it)")
    source = open(spec.submodule_search_locations[0] + "/" + client_file).read()
    ops = set()
    for m in re.finditer(r'def _(\w+)_http_info\(.*?"method": "(\w+)",\s*"resource_path": "([^"]+)"',
                         source, re.S):
        name = "".join(w.capitalize() for w in m.group(1).split("_"))
        ops.add(f"{name} {m.group(2)} {m.group(3)}")
    return ops


def test_routes_lists_every_api_each_under_its_name():
    sections = {}
    current = None
    for line in routes().splitlines():
        if line.startswith("# "):
            current = line[2:]
            sections[current] = []
        else:
            sections[current].append(line.split()[0])
    assert list(sections) == ["apigateway", "huawei-apig", "huawei-vpcep"]
    assert [len(v) for v in sections.values()] == [124, 216, 33]
    assert "ListEndpointConnections" in sections["huawei-apig"]
    assert "CreateEndpoint" in sections["huawei-vpcep"]


@pytest.mark.parametrize("api,module,client", [
    ("huawei-apig", "huaweicloudsdkapig.v2", "apig_client.py"),
    ("huawei-vpcep", "huaweicloudsdkvpcep.v1", "vpcep_client.py"),
])
def test_huawei_route_tables_match_the_sdk_clients(api, module, client):
    ours = set(routes("--api", api).splitlines())
    assert ours == sdk_operations(module, client)
