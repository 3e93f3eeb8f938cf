"""GetSdkTypes and GetSdkType: the SDKs API Gateway generates and the configuration properties
GetSdk takes for each (required ones as GetSdk's reference names them)."""
from helpers import expect_error


def test_sdk_types_list_and_get(apigw):
    types = {t["id"]: t for t in apigw.get_sdk_types()["items"]}
    assert sorted(types) == ["android", "java", "javascript", "objectivec", "ruby", "swift"]
    required = {i: sorted(p["name"] for p in t["configurationProperties"] if p["required"])
                for i, t in types.items()}
    assert required == {
        "android": ["artifactId", "artifactVersion", "groupId", "invokerPackage"],
        "java": ["javaPackageName", "serviceName"],
        "javascript": [],
        "objectivec": ["classPrefix"],
        "swift": ["classPrefix"],
        "ruby": ["service.name"],
    }
    for i, t in types.items():
        one = apigw.get_sdk_type(id=i)
        one.pop("ResponseMetadata")
        assert one == t
        assert t["friendlyName"] and t["description"]


def test_unknown_sdk_type(apigw):
    expect_error(lambda: apigw.get_sdk_type(id="cobol"), "NotFoundException",
                 "Invalid SDK type specified: cobol", 404)
