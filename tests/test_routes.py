"""`portico routes`: every management API's route table, each under its name (each table is checked
against its SDK's model in test_server.py and test_huawei_routes.py)."""
import subprocess

from portico_server import binary


def routes(*args):
    return subprocess.run([binary(), "routes", *args], capture_output=True, text=True,
                          check=True).stdout


def test_routes_lists_every_api_each_under_its_name():
    sections = {}
    current = None
    for line in routes().splitlines():
        if line.startswith("# "):
            current = line[2:]
            sections[current] = []
        else:
            sections[current].append(line.split()[0])
    assert list(sections) == ["apigateway", "apigatewayv2", "huawei-apig", "huawei-vpcep", "lambda"]
    assert [len(v) for v in sections.values()] == [124, 103, 216, 33, 85]
    assert "ListEndpointConnections" in sections["huawei-apig"]
    assert "CreateEndpoint" in sections["huawei-vpcep"]
