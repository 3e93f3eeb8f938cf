"""Assertions shared by the conformance tests."""
import pytest
from botocore.exceptions import ClientError


def expect_error(call, code, message=None, status=None, contains=None):
    """Run `call` and assert it fails the AWS way: error code, exact message, HTTP status,
    and a request id."""
    with pytest.raises(ClientError) as info:
        call()
    err = info.value.response
    assert err["Error"]["Code"] == code, err
    if message is not None:
        assert err["Error"]["Message"] == message, err
    if contains is not None:
        assert contains in err["Error"]["Message"], err
    if status is not None:
        assert err["ResponseMetadata"]["HTTPStatusCode"] == status, err
    assert err["ResponseMetadata"].get("RequestId"), err
    return err


def replace(path, value):
    return {"op": "replace", "path": path, "value": value}
