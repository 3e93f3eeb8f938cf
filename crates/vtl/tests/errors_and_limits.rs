//! Parse errors carry line and column; every limit is an `Err`, never a panic,
//! a stack overflow or a hang.

mod common;
use common::{ctx, Ctx};
use std::time::Duration;
use vtl::{ErrorKind, Limits, Template};

#[track_caller]
fn parse_error(src: &str, message_part: &str, line: u32, column: u32) {
    let e = Template::parse(src).expect_err(src);
    assert_eq!(e.kind, ErrorKind::Parse, "{src:?}: {e}");
    assert!(e.message.contains(message_part), "{src:?}: {e}");
    assert_eq!((e.line, e.column), (line, column), "{src:?}: {e}");
    assert!(e
        .to_string()
        .ends_with(&format!(" at line {line}, column {column}")));
}

#[test]
fn parse_errors_have_positions() {
    // airspeed-ext test_syntax_error_contains_line_and_column_pos
    parse_error(
        "#if ( $hello )\n\n#elseif blah",
        "expected ( after #elseif",
        3,
        9,
    );
    parse_error("#else blah", "#else without", 1, 1);
    parse_error("foobar\n  #end\n", "#end without", 2, 3);
    // test_unmatched_braces_raises_exception, test_too_many_end_clauses_trigger_error
    parse_error("Hello ${name.", "missing }", 1, 7);
    parse_error("#if (1)true!#end #end ", "#end without", 1, 18);
    // test_illegal_to_have_elseif_after_else
    parse_error(
        "#if ($value1) one #else two #elseif($value3) three #end",
        "after #else",
        1,
        29,
    );
    parse_error("x\n#if(true)\nno end", "missing its #end", 2, 1);
    parse_error("#foreach($i [1])#end", "expected `in`", 1, 13);
    parse_error("#set($a 1)", "expected =", 1, 9);
    parse_error("#set($a = )", "unexpected `)`", 1, 11);
    parse_error("#set($a = 'open)", "unterminated string", 1, 11);
    parse_error("ok\n  $a.b(1,", "unexpected end", 2, 10);
    parse_error("#* never closed", "unterminated #*", 1, 1);
    parse_error("é #set($a = bogus)", "unexpected word `bogus`", 1, 13);
}

#[test]
fn parser_nesting_is_bounded() {
    let deep_if = "#if(true)".repeat(10_000) + &"#end".repeat(10_000);
    assert_eq!(
        Template::parse(&deep_if).unwrap_err().kind,
        ErrorKind::Parse
    );
    let deep_parens = format!("#set($a = {}1{})", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(
        Template::parse(&deep_parens).unwrap_err().kind,
        ErrorKind::Parse
    );
    let deep_not = format!("#if({}true)#end", "!".repeat(100_000));
    assert_eq!(
        Template::parse(&deep_not).unwrap_err().kind,
        ErrorKind::Parse
    );
    let deep_list = format!("#set($a = {}{})", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        Template::parse(&deep_list).unwrap_err().kind,
        ErrorKind::Parse
    );
    let deep_str = format!(
        "#set($a = {}x{})",
        "\"#set($b = ".repeat(10_000),
        ")\"".repeat(10_000)
    );
    assert!(Template::parse(&deep_str).is_err());
    let deep_index = format!("$a{}", "[$a".repeat(100_000));
    let _ = Template::parse(&deep_index);
}

#[track_caller]
fn render_error(src: &str, limits: &Limits, kind: ErrorKind) -> vtl::Error {
    let t = Template::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    let e = t.render(&ctx(), limits).expect_err(src);
    assert_eq!(e.kind, kind, "{src:?}: {e}");
    e
}

#[test]
fn runtime_errors() {
    let l = Limits::default();
    // Java throws StringIndexOutOfBoundsException; AWS answers 500.
    let e = render_error(
        "x\n#set($s = 'abc')$s.substring(2, 9)",
        &l,
        ErrorKind::Runtime,
    );
    assert_eq!((e.line, e.column), (2, 17));
    render_error("$util.parseJson('{oops')", &l, ErrorKind::Runtime);
    render_error("#set($l = [1])$l.get(3)", &l, ErrorKind::Runtime);
    render_error("#set($s = 'a')$s.matches('(')", &l, ErrorKind::Runtime);
    render_error("$util.urlDecode('%zz')", &l, ErrorKind::Runtime);
    render_error("$util.base64Decode('***')", &l, ErrorKind::Runtime);
    let t = Template::parse("$input.path('$.a')").unwrap();
    let e = t.render(&ctx().body("{not json"), &l).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Runtime);
}

#[test]
fn output_limit() {
    let l = Limits {
        max_output_bytes: 100,
        ..Limits::default()
    };
    render_error(&"x".repeat(101), &l, ErrorKind::OutputLimit);
    render_error("#foreach($i in [1..90])xx#end", &l, ErrorKind::OutputLimit);
    // strings built in memory are bounded too, even if never rendered
    render_error(
        "#set($s = 'xxxxxxxxxx')#foreach($i in [1..20])#set($s = \"$s$s\")#end",
        &l,
        ErrorKind::OutputLimit,
    );
    // replacements are sized before they are built
    render_error(
        "#set($s = 'abcdefghij')$s.replace('', $s)",
        &l,
        ErrorKind::OutputLimit,
    );
    render_error(
        "#set($s = 'aaaaaaaaaa')$s.replaceAll('a', '$0$0$0$0$0$0$0$0$0$0$0')",
        &l,
        ErrorKind::OutputLimit,
    );
    // a self-containing map renders boundedly
    render_error(
        "#set($m = {})#set($x = $m.put('a', $m))#set($x = $m.put('b', $m))$m",
        &l,
        ErrorKind::OutputLimit,
    );
    let ok = Template::parse(&"x".repeat(100))
        .unwrap()
        .render(&ctx(), &l);
    assert!(ok.is_ok());
}

#[test]
fn loop_limit_counts_all_loops() {
    let l = Limits {
        max_loop_iterations: 10,
        ..Limits::default()
    };
    render_error("#foreach($i in [1..11])#end", &l, ErrorKind::LoopLimit);
    render_error(
        "#foreach($i in [1..4])#foreach($j in [1..3])#end#end",
        &l,
        ErrorKind::LoopLimit,
    );
    assert!(Template::parse("#foreach($i in [1..10])#end")
        .unwrap()
        .render(&ctx(), &l)
        .is_ok());
    // default: AWS's 1000
    render_error(
        "#foreach($i in [0..1000])#end",
        &Limits::default(),
        ErrorKind::LoopLimit,
    );
    render_error(
        "#set($r = [1..100000000])",
        &Limits::default(),
        ErrorKind::LoopLimit,
    );
}

#[test]
fn depth_limit() {
    let l = Limits::default();
    // a #define that references itself
    let e = render_error("#define($d)x$d#end$d", &l, ErrorKind::DepthLimit);
    assert!(e.message.contains("32"));
    render_error(
        "#define($d)\"$d\"#end#set($s = \"$d\")",
        &l,
        ErrorKind::DepthLimit,
    );
    let nested = "#if(true)".repeat(40) + &"#end".repeat(40);
    render_error(&nested, &l, ErrorKind::DepthLimit);
    // an absurd limit is capped internally rather than overflowing the stack
    let huge = Limits {
        max_depth: u32::MAX,
        ..Limits::default()
    };
    render_error("#define($d)x$d#end$d", &huge, ErrorKind::DepthLimit);
}

#[test]
fn time_limit() {
    let l = Limits {
        max_duration: Duration::from_millis(50),
        max_loop_iterations: u64::MAX,
        ..Limits::default()
    };
    let src = "#foreach($i in [1..100000])#foreach($j in [1..100000])#set($x = $j)#end#end";
    let start = std::time::Instant::now();
    render_error(src, &l, ErrorKind::Timeout);
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn concurrent_renders_share_one_template() {
    let t = std::sync::Arc::new(
        Template::parse("#foreach($i in $input.path('$.l'))$i#end-$input.params('p')").unwrap(),
    );
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let t = t.clone();
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let c = ctx().body(r#"{"l": [1, 2, 3]}"#).path("p", &n.to_string());
                    let out = t.render(&c, &Limits::default()).unwrap().output;
                    assert_eq!(out, format!("123-{n}"));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn deeply_nested_values_drop_without_recursion() {
    // One level per iteration: 100k nested lists and maps would overflow the
    // stack with a recursive drop (at the end of the render, or on reassignment).
    let l = Limits {
        max_loop_iterations: 200_000,
        max_duration: Duration::from_secs(60),
        ..Limits::default()
    };
    let src = "#set($a = [])#set($m = {})#foreach($i in [1..100000])#set($a = [$a])#set($m = {'k': $m})#end\
               $a.size()#set($a = 0)#set($m = 0)$a";
    let out = Template::parse(src).unwrap().render(&ctx(), &l).unwrap();
    assert_eq!(out.output, "10");
    // Map.Entry objects can chain directly too.
    let src = "#set($e = 0)#foreach($i in [1..100000])#set($m = {'k': $e})#set($e = $m.entrySet().get(0))#end$e.key";
    let out = Template::parse(src).unwrap().render(&ctx(), &l).unwrap();
    assert_eq!(out.output, "k");
}
