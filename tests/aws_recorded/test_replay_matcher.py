"""The replay's own rules (recorded.Snapshot), pinned: a matcher that let everything through
would make every replayed test pass."""
import datetime

import pytest
from recorded import Snapshot, SortingTransformer


def snap(recorded, skip=()):
    return Snapshot({"k": recorded}, skip)


def test_placeholders_are_consistent_both_ways():
    snap({"a": "<id:1>", "b": "<id:1>/x"}).match("k", {"a": "abc", "b": "abc/x"})
    with pytest.raises(AssertionError, match="stood for"):
        snap({"a": "<id:1>", "b": "<id:1>"}).match("k", {"a": "abc", "b": "abd"})
    with pytest.raises(AssertionError, match="was <id:1> before"):
        snap({"a": "<id:1>", "b": "<parent-id:1>"}).match("k", {"a": "abc", "b": "abc"})


def test_everything_else_is_exact():
    s = {"Error": {"Code": "BadRequestException", "Message": "m"}, "ResponseMetadata":
         {"HTTPHeaders": {}, "HTTPStatusCode": 400}}
    ok = {"Error": {"Code": "BadRequestException", "Message": "m"}, "ResponseMetadata":
          {"HTTPStatusCode": 400, "RequestId": "r", "HTTPHeaders": {"a": "b"}}}
    snap(s).match("k", ok)
    for bad in (
        {**ok, "Error": {"Code": "NotFoundException", "Message": "m"}},
        {**ok, "Error": {"Code": "BadRequestException", "Message": "m "}},
        {**ok, "ResponseMetadata": {"HTTPStatusCode": 404}},
        {**ok, "extra": 1},
        {"Error": ok["Error"]},
    ):
        with pytest.raises(AssertionError):
            snap(s).match("k", bad)
    with pytest.raises(AssertionError):
        snap({"l": [1, 2]}).match("k", {"l": [1, 2, 3]})
    with pytest.raises(AssertionError):
        snap({"v": True}).match("k", {"v": 1})
    with pytest.raises(AssertionError):
        snap({"v": "10"}).match("k", {"v": 10})


def test_datetimes_json_strings_account_and_region():
    snap({"d": "datetime", "s": {"a": 1}, "arn": "arn:<partition>:x:<region>:111111111111:y"}).match(
        "k", {"d": datetime.datetime.now(), "s": '{"a": 1}', "arn": "arn:aws:x:us-east-1:000000000000:y"}
    )
    with pytest.raises(AssertionError):
        snap({"d": "datetime"}).match("k", {"d": "2024-01-01"})


def test_sorting_skip_and_unrecorded_keys():
    s = snap({"items": [{"p": "/"}, {"p": "/a"}]})
    s.add_transformer(SortingTransformer("items", lambda x: x["p"]))
    s.match("k", {"items": [{"p": "/a"}, {"p": "/"}]})
    snap({"a": 1, "b": 2}, ["$.k.b"]).match("k", {"a": 1, "b": 3})
    snap({"a": {"b": 2}}, ["$..b"]).match("k", {"a": {}})
    with pytest.raises(AssertionError, match="not recorded"):
        snap({}).match("other", {})


def test_dates_in_strings_and_documents_own_account():
    # LocalStack's TimestampTransformer: ISO-8601 timestamps inside strings are `date`.
    snap({"f": "swagger_date.json"}).match("k", {"f": "swagger_2026-12-07T19:54:55Z.json"})
    with pytest.raises(AssertionError):
        snap({"f": "swagger_date.json"}).match("k", {"f": "swagger_1.0.json"})
    # A recorded literal 000000000000 (a document's own text) matches Portico's account, which
    # is the same text; LocalStack's transformed account still matches Portico's too.
    snap({"u": "arn:<partition>:lambda:us-west-2:000000000000:function:f"}).match(
        "k", {"u": "arn:aws:lambda:us-west-2:000000000000:function:f"})
    snap({"u": "arn:<partition>:lambda:<region>:111111111111:function:f"}).match(
        "k", {"u": "arn:aws:lambda:us-east-1:000000000000:function:f"})
    with pytest.raises(AssertionError):
        snap({"u": "arn:<partition>:lambda:us-west-2:000000000000:function:f"}).match(
            "k", {"u": "arn:aws:lambda:us-west-2:000000000000:function:g"})


def test_streaming_bodies_are_read_and_parsed():
    import io

    class Body(io.BytesIO):
        pass

    snap({"body": {"openapi": "3.0.1"}}).match("k", {"body": Body(b'{"openapi": "3.0.1"}')})
