"""Routing rules of custom domain names (`apigatewayv2` CreateRoutingRule…): AWS's shapes and
documented validation, and their effect on the data plane: requests to the domain (by `Host`)
choose between REST APIs by header and base path, in priority order, stripping the base path
when asked, as the domain's routing mode allows."""
import botocore.config
import pytest

from conftest import ACCOUNT_B, make_client
from dataplane import add_resource, deploy, mock_method
from helpers import expect_error, replace
from httpapi import call, http_api, v2  # noqa: F401  (fixture)

DOMAIN = "rules.example.com"
ACCOUNT = "000000000000"


@pytest.fixture
def apigw(server, v2):
    return make_client(server)


@pytest.fixture
def v2_unchecked(server, v2):
    """No client-side checks: the server's answers to out-of-range values are what's tested."""
    return make_client(server, service="apigatewayv2",
                       config=botocore.config.Config(parameter_validation=False,
                                                     retries={"max_attempts": 0}))


def rest_api(apigw, name, stage="prod"):
    """A REST API answering `{"api": name, "proxy": <the path it saw>}` on `/` and below."""
    api = apigw.create_rest_api(name=name)
    root = api["rootResourceId"]
    mock_method(apigw, api["id"], root, method="ANY",
                response_templates={"application/json": f'{{"api": "{name}", "proxy": "/"}}'})
    proxy = add_resource(apigw, api["id"], root, "{proxy+}")
    mock_method(apigw, api["id"], proxy, method="ANY",
                response_templates={"application/json":
                                    f'{{"api": "{name}", "proxy": "/$input.params(\'proxy\')"}}'})
    deploy(apigw, api["id"], stage)
    return api["id"]


def invoke_api(api_id, stage="prod", strip=None):
    a = {"ApiId": api_id, "Stage": stage}
    if strip is not None:
        a["StripBasePath"] = strip
    return [{"InvokeApi": a}]


def header(name, glob):
    return {"MatchHeaders": {"AnyOf": [{"Header": name, "ValueGlob": glob}]}}


def base_path(path):
    return {"MatchBasePaths": {"AnyOf": [path]}}


def on_domain(server, path, headers=None):
    return call(server, "", path, headers={"Host": DOMAIN, **(headers or {})})


def seen(server, path, headers=None):
    r = on_domain(server, path, headers)
    assert r.status == 200, (path, headers, r.status, r.text)
    j = r.json()
    return j["api"], j["proxy"]


def test_routing_rule_lifecycle(server, v2, apigw):
    v2.create_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_THEN_API_MAPPING")
    a = rest_api(apigw, "a")
    rule = v2.create_routing_rule(DomainName=DOMAIN, Priority=50,
                                  Conditions=[header("x-version", "beta*"), base_path("users")],
                                  Actions=invoke_api(a, strip=True))
    rid = rule["RoutingRuleId"]
    assert rule["RoutingRuleArn"] == \
        f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/domainnames/{DOMAIN}/routingrules/{rid}"
    assert rule["Priority"] == 50
    assert rule["Conditions"] == [
        {"MatchHeaders": {"AnyOf": [{"Header": "x-version", "ValueGlob": "beta*"}]}},
        {"MatchBasePaths": {"AnyOf": ["users"]}}]
    assert rule["Actions"] == [{"InvokeApi": {"ApiId": a, "Stage": "prod",
                                              "StripBasePath": True}}]
    got = v2.get_routing_rule(DomainName=DOMAIN, RoutingRuleId=rid)
    assert {k: got[k] for k in rule if k != "ResponseMetadata"} == \
        {k: rule[k] for k in rule if k != "ResponseMetadata"}

    # A catch-all (no conditions) at a lower priority number lists first; StripBasePath
    # defaults to false.
    catch = v2.create_routing_rule(DomainName=DOMAIN, Priority=10, Conditions=[],
                                   Actions=invoke_api(a))
    assert catch["Conditions"] == []
    assert catch["Actions"][0]["InvokeApi"]["StripBasePath"] is False
    listed = v2.list_routing_rules(DomainName=DOMAIN)["RoutingRules"]
    assert [r["RoutingRuleId"] for r in listed] == [catch["RoutingRuleId"], rid]
    page = v2.list_routing_rules(DomainName=DOMAIN, MaxResults=1)
    assert [r["Priority"] for r in page["RoutingRules"]] == [10]
    page = v2.list_routing_rules(DomainName=DOMAIN, MaxResults=1, NextToken=page["NextToken"])
    assert [r["Priority"] for r in page["RoutingRules"]] == [50]
    assert "NextToken" not in page

    put = v2.put_routing_rule(DomainName=DOMAIN, RoutingRuleId=rid, Priority=5,
                              Conditions=[base_path("orders/v1")], Actions=invoke_api(a))
    assert (put["RoutingRuleId"], put["Priority"]) == (rid, 5)
    assert put["Conditions"] == [{"MatchBasePaths": {"AnyOf": ["orders/v1"]}}]
    assert [r["Priority"] for r in v2.list_routing_rules(DomainName=DOMAIN)["RoutingRules"]] == \
        [5, 10]
    # Its own priority is no conflict; another rule's is.
    v2.put_routing_rule(DomainName=DOMAIN, RoutingRuleId=rid, Priority=5, Conditions=[],
                        Actions=invoke_api(a))
    expect_error(lambda: v2.put_routing_rule(DomainName=DOMAIN, RoutingRuleId=rid, Priority=10,
                                             Conditions=[], Actions=invoke_api(a)),
                 "ConflictException", status=409)

    v2.delete_routing_rule(DomainName=DOMAIN, RoutingRuleId=rid)
    missing = f"Invalid RoutingRule identifier specified {ACCOUNT}:{DOMAIN}:{rid}"
    for op in (lambda: v2.get_routing_rule(DomainName=DOMAIN, RoutingRuleId=rid),
               lambda: v2.delete_routing_rule(DomainName=DOMAIN, RoutingRuleId=rid),
               lambda: v2.put_routing_rule(DomainName=DOMAIN, RoutingRuleId=rid, Priority=1,
                                           Conditions=[], Actions=invoke_api(a))):
        expect_error(op, "NotFoundException", missing, 404)
    no_domain = "Invalid domain name identifier specified"
    for op in (lambda: v2.list_routing_rules(DomainName="none.example.com"),
               lambda: v2.create_routing_rule(DomainName="none.example.com", Priority=1,
                                              Conditions=[], Actions=invoke_api(a)),
               # A domainNameId that is not the domain's.
               lambda: v2.list_routing_rules(DomainName=DOMAIN, DomainNameId="abc123")):
        expect_error(op, "NotFoundException", no_domain, 404)

    # Another tenant sees none of it.
    other = make_client(server, ACCOUNT_B, service="apigatewayv2")
    expect_error(lambda: other.list_routing_rules(DomainName=DOMAIN), "NotFoundException",
                 status=404)

    # DeleteDomainName (through either API) takes the rules with it.
    apigw.delete_domain_name(domainName=DOMAIN)
    v2.create_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_ONLY")
    assert v2.list_routing_rules(DomainName=DOMAIN)["RoutingRules"] == []


def test_routing_rule_validation(v2, v2_unchecked, apigw):
    v2.create_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_ONLY")
    a = rest_api(apigw, "a")

    def create(priority=1, conditions=(), actions=None, client=v2):
        return client.create_routing_rule(DomainName=DOMAIN, Priority=priority,
                                          Conditions=list(conditions),
                                          Actions=actions if actions is not None
                                          else invoke_api(a))

    def bad(msg_part, **kw):
        expect_error(lambda: create(**kw), "BadRequestException", status=400,
                     contains=msg_part)

    bad("between 1 and 1000000", priority=0, client=v2_unchecked)
    bad("between 1 and 1000000", priority=1000001, client=v2_unchecked)
    create(priority=1000000)
    expect_error(lambda: create(priority=1000000), "ConflictException",
                 "A routing rule with priority 1000000 already exists for this domain name", 409)
    # Header conditions: AWS's restricted names, RFC 7230 characters, wildcard forms, lengths.
    for name in ("Authorization", "X-Amz-Date", "x-amzn-trace-id", "access-control-max-age",
                 "apigw-x", "Via", "X-Forwarded-For"):
        bad("not supported as a routing rule condition", conditions=[header(name, "a")])
    bad("wildcard header names", conditions=[header("x-*", "a")])
    bad("header name", conditions=[header("x" * 40, "a")])
    bad("allowed characters", conditions=[header("x-v", "a b")])
    for glob in ("a*b", "**", "*a*b*"):
        bad("wildcard", conditions=[header("x-v", glob)])
    bad("less than 40", conditions=[header("x-v", "*" + "x" * 38 + "*")])
    bad("1 to 127", conditions=[header("x-v", "x" * 128)])
    # Up to two header conditions and one base path, each anyOf of one entry.
    bad("up to two", conditions=[header("a", "1"), header("b", "2"), header("c", "3")])
    bad("up to two", conditions=[base_path("a"), base_path("b")])
    bad("exactly one header value",
        conditions=[{"MatchHeaders": {"AnyOf": [{"Header": "a", "ValueGlob": "1"},
                                                {"Header": "b", "ValueGlob": "2"}]}}])
    bad("exactly one base path", conditions=[{"MatchBasePaths": {"AnyOf": ["a", "b"]}}])
    bad("exactly one of", conditions=[{**header("a", "1"), **base_path("b")}])
    for path in ("/users", "users/", "a b", "x" * 128):
        bad("base path", conditions=[base_path(path)])
    # One action, to a stage of a REST API of the caller's (HTTP APIs are no targets on AWS).
    bad("exactly one action", actions=invoke_api(a) * 2)
    bad("exactly one action", actions=[])
    bad("Invalid stage identifier specified", actions=invoke_api(a, stage="nope"))
    expect_error(lambda: create(actions=invoke_api("nope123")), "NotFoundException",
                 status=404)
    h = http_api(v2)
    v2.create_stage(ApiId=h, StageName="prod")
    bad("only REST APIs", actions=invoke_api(h))
    # Two valid header conditions and a base path make one rule.
    ok = create(priority=2, conditions=[header("x-a", "*"), header("x-b", "*mid*"),
                                        base_path("v1/users")])
    assert len(ok["Conditions"]) == 3

    # AWS's quota: 50 rules per domain.
    for p in range(3, 51):
        create(priority=p)
    bad("50 routing rules", priority=51)


def test_the_routing_mode_decides_what_may_be_created(v2, apigw):
    a = rest_api(apigw, "a")
    v2.create_domain_name(DomainName=DOMAIN)
    assert v2.get_domain_name(DomainName=DOMAIN)["RoutingMode"] == "API_MAPPING_ONLY"
    # API_MAPPING_ONLY (the default): no rule may be created.
    expect_error(lambda: v2.create_routing_rule(DomainName=DOMAIN, Priority=1, Conditions=[],
                                                Actions=invoke_api(a)),
                 "BadRequestException", status=400, contains="API_MAPPING_ONLY")
    # The mode through apigateway's spelling, seen through both APIs.
    apigw.update_domain_name(domainName=DOMAIN, patchOperations=[
        replace("/routingMode", "ROUTING_RULE_THEN_BASE_PATH_MAPPING")])
    assert v2.get_domain_name(DomainName=DOMAIN)["RoutingMode"] == \
        "ROUTING_RULE_THEN_API_MAPPING"
    rule = v2.create_routing_rule(DomainName=DOMAIN, Priority=1, Conditions=[],
                                  Actions=invoke_api(a))
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=a, Stage="prod", ApiMappingKey="m")
    # ROUTING_RULE_ONLY: no mapping may be created, through either API; they can be read.
    v2.update_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_ONLY")
    assert apigw.get_domain_name(domainName=DOMAIN)["routingMode"] == "ROUTING_RULE_ONLY"
    expect_error(lambda: v2.create_api_mapping(DomainName=DOMAIN, ApiId=a, Stage="prod",
                                               ApiMappingKey="n"),
                 "BadRequestException", status=400, contains="ROUTING_RULE_ONLY")
    expect_error(lambda: apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=a,
                                                        basePath="n", stage="prod"),
                 "BadRequestException", status=400, contains="ROUTING_RULE_ONLY")
    assert [m["ApiMappingKey"] for m in v2.get_api_mappings(DomainName=DOMAIN)["Items"]] == ["m"]
    # Back to mappings only: the rules stay listed but no new one may be made.
    v2.update_domain_name(DomainName=DOMAIN, RoutingMode="API_MAPPING_ONLY")
    assert [r["RoutingRuleId"] for r in v2.list_routing_rules(DomainName=DOMAIN)[
        "RoutingRules"]] == [rule["RoutingRuleId"]]
    expect_error(lambda: v2.update_domain_name(DomainName=DOMAIN, RoutingMode="RULES"),
                 "BadRequestException", status=400)


def test_no_rules_on_a_domain_mapping_both_rest_and_http_apis(v2, apigw):
    a = rest_api(apigw, "a")
    h = http_api(v2)
    v2.create_stage(ApiId=h, StageName="prod")
    v2.create_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_THEN_API_MAPPING")
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=a, Stage="prod", ApiMappingKey="r")
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=h, Stage="prod", ApiMappingKey="h")
    expect_error(lambda: v2.create_routing_rule(DomainName=DOMAIN, Priority=1, Conditions=[],
                                                Actions=invoke_api(a)),
                 "BadRequestException", status=400, contains="both REST and HTTP APIs")


def test_rules_choose_the_api_by_header_and_base_path_in_priority_order(server, v2, apigw):
    a, b, c = rest_api(apigw, "a"), rest_api(apigw, "b"), rest_api(apigw, "c")
    v2.create_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_THEN_API_MAPPING")
    beta = v2.create_routing_rule(DomainName=DOMAIN, Priority=10,
                                  Conditions=[header("X-Version", "beta*"), base_path("users")],
                                  Actions=invoke_api(b, strip=True))["RoutingRuleId"]
    v2.create_routing_rule(DomainName=DOMAIN, Priority=20, Conditions=[base_path("users")],
                           Actions=invoke_api(a))
    json_rule = v2.create_routing_rule(DomainName=DOMAIN, Priority=30,
                                       Conditions=[header("accept", "*json*")],
                                       Actions=invoke_api(b))["RoutingRuleId"]
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=c, Stage="prod")

    # Header name in any case, value glob case-sensitive; the base path stripped.
    assert seen(server, "/users/7", {"x-version": "beta2"}) == ("b", "/7")
    assert seen(server, "/users", {"x-version": "beta"}) == ("b", "/")
    assert seen(server, "/users/7", {"x-version": "Beta"}) == ("a", "/users/7")
    # Whole segments, case-sensitive.
    assert seen(server, "/usersx/7", {"x-version": "beta"}) == ("c", "/usersx/7")
    assert seen(server, "/Users/7", {"x-version": "beta"}) == ("c", "/Users/7")
    # The query string goes along either way.
    r = on_domain(server, "/users/7?q=1", {"x-version": "beta"})
    assert r.status == 200 and r.json()["proxy"] == "/7"
    # Any value of a header sent twice.
    assert seen(server, "/other", {"Accept": "text/xml"}) == ("c", "/other")
    assert seen(server, "/other", {"accept": "application/json"}) == ("b", "/other")
    # Then the mappings.
    assert seen(server, "/other") == ("c", "/other")

    # Priority decides between two matching rules.
    both = {"x-version": "beta", "accept": "application/json"}
    assert seen(server, "/users/7", both) == ("b", "/7")
    v2.put_routing_rule(DomainName=DOMAIN, RoutingRuleId=json_rule, Priority=5,
                        Conditions=[header("accept", "*json*")], Actions=invoke_api(b))
    assert seen(server, "/users/7", both) == ("b", "/users/7")
    v2.delete_routing_rule(DomainName=DOMAIN, RoutingRuleId=json_rule)
    assert seen(server, "/other", {"accept": "application/json"}) == ("c", "/other")

    # ROUTING_RULE_ONLY: what no rule claims is Forbidden, mappings aside.
    v2.update_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_ONLY")
    r = on_domain(server, "/other")
    assert (r.status, r.json()) == (403, {"message": "Forbidden"})
    assert seen(server, "/users/1") == ("a", "/users/1")
    # API_MAPPING_ONLY: the rules are kept but not evaluated.
    apigw.update_domain_name(domainName=DOMAIN, patchOperations=[
        replace("/routingMode", "BASE_PATH_MAPPING_ONLY")])
    assert seen(server, "/users/7", {"x-version": "beta"}) == ("c", "/users/7")
    v2.update_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_THEN_API_MAPPING")
    assert seen(server, "/users/7", {"x-version": "beta"}) == ("b", "/7")
    v2.delete_routing_rule(DomainName=DOMAIN, RoutingRuleId=beta)
    assert seen(server, "/users/7", {"x-version": "beta"}) == ("a", "/users/7")


def test_a_catch_all_rule_recreates_an_api_mapping(server, v2, apigw):
    """AWS's "Recreate an API mapping using routing rules": a base path stripped, and a
    catch-all after it."""
    a, b = rest_api(apigw, "a"), rest_api(apigw, "b", stage="live")
    v2.create_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_ONLY")
    v2.create_routing_rule(DomainName=DOMAIN, Priority=100,
                           Conditions=[base_path("PetStoreShopper/dogs")],
                           Actions=invoke_api(b, stage="live", strip=True))
    v2.create_routing_rule(DomainName=DOMAIN, Priority=1000, Conditions=[],
                           Actions=invoke_api(a))
    assert seen(server, "/PetStoreShopper/dogs") == ("b", "/")
    assert seen(server, "/PetStoreShopper/dogs/7") == ("b", "/7")
    assert seen(server, "/PetStoreShopper/cats") == ("a", "/PetStoreShopper/cats")
    assert seen(server, "/") == ("a", "/")


def test_context_names_the_rule_or_mapping_that_chose_the_api(server, v2, apigw):
    """`$context.customDomain.routingRuleIdMatched` / `basePathMatched`: AWS fills the one of
    the mechanism that routed the request; the other is `-` in access logs."""
    import time
    api = apigw.create_rest_api(name="ctx")
    mock_method(apigw, api["id"], api["rootResourceId"], method="ANY", response_templates={
        "application/json": '{"rule": "$context.customDomain.routingRuleIdMatched", '
                            '"bp": "$context.customDomain.basePathMatched"}'})
    deploy(apigw, api["id"], "prod")
    apigw.update_account(patchOperations=[replace(
        "/cloudwatchRoleArn", "arn:aws:iam::000000000000:role/apigateway-logs")])
    apigw.update_stage(restApiId=api["id"], stageName="prod", patchOperations=[
        replace("/accessLogSettings/destinationArn",
                "arn:aws:logs:us-east-1:000000000000:log-group:access"),
        replace("/accessLogSettings/format",
                "rules-ctx $context.requestId rule=$context.customDomain.routingRuleIdMatched "
                "bp=$context.customDomain.basePathMatched")])
    v2.create_domain_name(DomainName=DOMAIN, RoutingMode="ROUTING_RULE_THEN_API_MAPPING")
    rule = v2.create_routing_rule(DomainName=DOMAIN, Priority=1,
                                  Conditions=[header("x-rule", "yes")],
                                  Actions=invoke_api(api["id"]))["RoutingRuleId"]
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=api["id"], Stage="prod", ApiMappingKey="m")
    v2.create_api_mapping(DomainName=DOMAIN, ApiId=api["id"], Stage="prod")

    by_rule = on_domain(server, "/", {"x-rule": "yes"})
    assert (by_rule.status, by_rule.json()) == (200, {"rule": rule, "bp": ""})
    by_key = on_domain(server, "/m")
    assert by_key.json() == {"rule": "", "bp": "m"}
    assert on_domain(server, "/").json() == {"rule": "", "bp": "(none)"}

    lines = [f"rules-ctx {by_rule.headers['x-amzn-requestid']} rule={rule} bp=-",
             f"rules-ctx {by_key.headers['x-amzn-requestid']} rule=- bp=m"]
    deadline = time.monotonic() + 5
    while not all(line in server.log() for line in lines) and time.monotonic() < deadline:
        time.sleep(0.02)
    for line in lines:
        assert line in server.log()
