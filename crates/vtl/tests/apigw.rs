//! API Gateway variables: `$input`, `$util`, `$context` (and its overrides),
//! `$stageVariables`. Behaviour follows the AWS developer guide's "Mapping template
//! reference" unless a comment cites a recording.

mod common;
use common::{check, ctx, Ctx};
use vtl::{Context, Limits, Template};

const BODY: &str = r#"{"name": "Ann", "n": 3, "price": 9.5, "ok": true, "none": null,
  "items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": []}],
  "nested": {"x": {"y": "deep"}}, "we.ird": "dot", "uni": "é"}"#;

fn body() -> Context {
    ctx().body(BODY)
}

#[test]
fn input_body_and_json() {
    let c = body();
    check("$input.body", &ctx().body("raw text"), "raw text");
    // AWS substitutes `{}` for an empty body (LocalStack PR #12413, verified on AWS).
    check("$input.body", &ctx(), "{}");
    check("$input.json('$.name')", &c, "\"Ann\"");
    check("$input.json('$.n')", &c, "3");
    check(
        "$input.json('$.items[0]')",
        &c,
        r#"{"id":1,"tags":["a","b"]}"#,
    );
    check("$input.json('$.items[*].id')", &c, "[1,2]");
    check("$input.json('$.none')", &c, "null");
    check("$input.json('$')", &ctx().body(r#"{"a":1}"#), r#"{"a":1}"#);
    check("[$input.json('$.missing')]", &c, "[]");
}

#[test]
fn input_path_returns_navigable_objects() {
    let c = body();
    let cases = [
        ("$input.path('$.name')", "Ann"),
        ("$input.path('$').name", "Ann"),
        ("$input.path('$.n')", "3"),
        ("#set($n = $input.path('$.n') + 1)$n", "4"),
        ("$input.path('$.price')", "9.5"),
        ("$input.path('$.ok')", "true"),
        ("$input.path('$.items').size()", "2"),
        ("$input.path('$.items')[1].id", "2"),
        // Arrays print as compact JSON, objects as Java maps (AWS's recorded answers:
        // LocalStack's test_input_path_template_formatting, replayed in tests/aws_recorded).
        ("$input.path('$.items[0].tags')", "[\"a\",\"b\"]"),
        ("$input.path('$.items[0]')", "{id=1, tags=[\"a\",\"b\"]}"),
        ("$input.path('$.nested.x.y')", "deep"),
        ("$input.path(\"$['nested']['x']\").y", "deep"),
        ("$input.path('$.items[-1].id')", "2"),
        ("$input.path('$.items[*].id')", "[1, 2]"),
        ("$input.path('$..id')", "[1, 2]"),
        ("$input.path('$..y')", "[deep]"),
        ("$input.path(\"$['we.ird']\")", "dot"),
        ("[$input.path('$.missing')]", "[]"),
        ("$input.path('$.items').get(0).get('id')", "1"),
        (
            "#foreach($i in $input.path('$.items'))$i.id#if($foreach.hasNext),#end#end",
            "1,2",
        ),
        (
            "#foreach($k in $input.path('$.items[0]').keySet())$k;#end",
            "id;tags;",
        ),
        ("$input.path('$.uni').length()", "1"),
        (
            "#if($input.path('$.items').isEmpty())empty#{else}full#end",
            "full",
        ),
    ];
    for (t, want) in cases {
        check(t, &c, want);
    }
}

#[test]
fn input_params() {
    let c = ctx()
        .path("id", "p1")
        .query("id", "q1")
        .query("q", "x y")
        .header("id", "h1")
        .header("Content-Type", "application/json");
    let cases = [
        // search order: path, querystring, header
        ("$input.params('id')", "p1"),
        ("$input.params('q')", "x y"),
        ("$input.params('Content-Type')", "application/json"),
        ("$input.params('content-type')", "application/json"),
        ("[$input.params('nope')]", "[]"),
        ("$input.params().path.id", "p1"),
        ("$input.params().querystring.get('q')", "x y"),
        ("$input.params().header.get('Content-Type')", "application/json"),
        ("$input.params().querystring", "{id=q1, q=x y}"),
        ("$input.params().querystring.keySet()", "[id, q]"),
        ("$input.params().header.size()", "2"),
        (
            "#foreach($k in $input.params().header.keySet())$k=$input.params().header.get($k);#end",
            "id=h1;Content-Type=application/json;",
        ),
        (
            "#foreach($type in $input.params().keySet())$type:$input.params().get($type).size() #end",
            "path:1 querystring:2 header:2 ",
        ),
    ];
    for (t, want) in cases {
        check(t, &c, want);
    }
}

#[test]
fn util_functions() {
    let c = ctx();
    let cases = [
        // commons-lang escapeJavaScript: quotes (both), backslash, slash, controls
        (
            r#"$util.escapeJavaScript("It's a ""q"" /\")"#,
            r#"It\'s a \"q\" \/\\"#,
        ),
        ("$util.escapeJavaScript(\"tab\there\")", "tab\\there"),
        (
            "$util.escapeJavaScript('é€😀')",
            "\\u00E9\\u20AC\\uD83D\\uDE00",
        ),
        ("$util.escapeJavaScript(\"line\nbreak\")", "line\\nbreak"),
        ("$util.urlEncode('a b&c=d/é*~')", "a+b%26c%3Dd%2F%C3%A9*%7E"),
        ("$util.urlDecode('a+b%26c%3Dd%2F%C3%A9')", "a b&c=d/é"),
        ("$util.base64Encode('hello wörld')", "aGVsbG8gd8O2cmxk"),
        ("$util.base64Decode('aGVsbG8gd8O2cmxk')", "hello wörld"),
        (
            "#set($o = $util.parseJson('{\"a\": [1, {\"b\": \"c\"}]}'))$o.a[1].b $o.a.size() $o",
            "c 2 {a=[1, {b=c}]}",
        ),
        ("$util.parseJson('[1,2]').get(1)", "2"),
        ("$util.parseJson('\"s\"')", "s"),
    ];
    for (t, want) in cases {
        check(t, &c, want);
    }
    // The common JSON-embedding idiom, undoing escapeJavaScript's \' (AWS docs).
    check(
        r#"{"body": "$util.escapeJavaScript($input.body).replaceAll("\\'", "'")"}"#,
        &ctx().body(r#"{"it's": "a/b"}"#),
        r#"{"body": "{\"it's\": \"a\/b\"}"}"#,
    );
}

#[test]
fn context_and_stage_variables() {
    let c = ctx()
        .context(r#"{"requestId": "req-1", "stage": "prod", "identity": {"sourceIp": "10.0.0.1"}, "authorizer": {"claims": {"sub": "u1"}}}"#)
        .stage("env", "dev")
        .stage("table", "T1");
    let cases = [
        ("$context.requestId", "req-1"),
        ("$context.identity.sourceIp", "10.0.0.1"),
        ("$context.authorizer.claims.sub", "u1"),
        ("$context.get('stage')", "prod"),
        ("[$context.missing]", "[]"),
        ("$stageVariables.env", "dev"),
        ("$stageVariables.get('table')", "T1"),
        ("$stageVariables.keySet()", "[env, table]"),
        (
            "#foreach($k in $stageVariables.keySet())$k=$stageVariables.get($k) #end",
            "env=dev table=T1 ",
        ),
    ];
    for (t, want) in cases {
        check(t, &c, want);
    }
}

#[test]
fn overrides_are_returned_to_the_caller() {
    let t = Template::parse(concat!(
        "#set($context.requestOverride.header.X-Trace = \"t-$input.params('id')\")\n",
        "#set($context.requestOverride.querystring.q = 'v')\n",
        "#set($context.requestOverride.path.p = 7)\n",
        "#set($context.responseOverride.header.Cache-Control = 'no-store')\n",
        "#set($context.responseOverride.status = 418)\n",
        "#set($context.requestOverride.header.X-Trace = \"again\")\n",
        "$context.requestOverride.header.X-Trace $context.responseOverride.status ",
        "$context.requestOverride.querystring.get('q')",
    ))
    .unwrap();
    let r = t
        .render(&ctx().path("id", "9"), &Limits::default())
        .unwrap();
    assert_eq!(r.output, "again 418 v");
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(r.request_override.header, vec![pair("X-Trace", "again")]);
    assert_eq!(r.request_override.querystring, vec![pair("q", "v")]);
    assert_eq!(r.request_override.path, vec![pair("p", "7")]);
    assert_eq!(
        r.response_override.header,
        vec![pair("Cache-Control", "no-store")]
    );
    assert_eq!(r.response_override.status, Some(418));
    // a list sets a multi-value header (LocalStack's REQUEST_OVERRIDE fixture)
    let t = Template::parse(
        "#set($context.requestOverride.header.m = 'x')#set($context.requestOverride.header.m = [\"1h\", \"2h\"])",
    )
    .unwrap();
    let r = t.render(&ctx(), &Limits::default()).unwrap();
    assert_eq!(
        r.request_override.header,
        vec![pair("m", "1h"), pair("m", "2h")]
    );
    // status given as a string works too
    let t = Template::parse("#set($context.responseOverride.status = \"503\")").unwrap();
    let r = t.render(&ctx(), &Limits::default()).unwrap();
    assert_eq!(r.response_override.status, Some(503));
}

#[test]
fn aws_docs_example_templates() {
    // Adapted from the developer guide's "Mapping template examples" (PetStore).
    let c = ctx().body(
        r#"[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}]"#,
    );
    check(
        "#set($inputRoot = $input.path('$'))\n[\n#foreach($elem in $inputRoot)\n  {\n    \"number\": $elem.id,\n    \"class\": \"$elem.type\",\n    \"salesPrice\": $elem.price\n  }#if($foreach.hasNext),#end\n\n#end\n]",
        &c,
        "[\n  {\n    \"number\": 1,\n    \"class\": \"dog\",\n    \"salesPrice\": 249.99\n  },\n  {\n    \"number\": 2,\n    \"class\": \"cat\",\n    \"salesPrice\": 124.99\n  }\n]",
    );
    // Lambda-style passthrough
    let c = ctx()
        .body(r#"{"k": "v"}"#)
        .path("id", "7")
        .header("h", "x\"y");
    check(
        "{\n  \"body\" : $input.json('$'),\n  \"headers\": {\n    #foreach($header in $input.params().header.keySet())\n    \"$header\": \"$util.escapeJavaScript($input.params().header.get($header))\" #if($foreach.hasNext),#end\n\n    #end\n  },\n  \"id\": \"$input.params('id')\"\n}",
        &c,
        "{\n  \"body\" : {\"k\":\"v\"},\n  \"headers\": {\n        \"h\": \"x\\\"y\" \n      },\n  \"id\": \"7\"\n}",
    );
}
