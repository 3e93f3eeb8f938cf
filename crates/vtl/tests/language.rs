//! Velocity language constructs beyond the AWS recordings, pinned to Velocity 1.7
//! behaviour (the engine AWS runs) with AWS's null handling.

mod common;
use common::{check, ctx};

fn run(cases: &[(&str, &str)]) {
    for (t, want) in cases {
        check(t, &ctx(), want);
    }
}

#[test]
fn references() {
    run(&[
        ("#set($a = 'x')$a ${a} $!a $!{a}", "x x x x"),
        ("#set($a = 'x')$a.", "x."),
        ("#set($a = 'x')${a}bc", "xbc"),
        (
            "#set($a = {'b': {'c': 'd'}})$a.b.c ${a.b.c} $a.get('b').get('c') $a['b']['c']",
            "d d d d",
        ),
        ("#set($a-b = 1)$a-b", "1"),
        ("$ $! $1 $.", "$ $! $1 $."),
        (
            "#set($m = {'k': 'v'})$m.missing|$m.k.missing|$undefined.foo()|",
            "|||",
        ),
        ("#set($a = [1, [2, 3]])$a[1][0]", "2"),
        ("#set($l = ['a'])$l[0]$l[ 0 ]", "aa"),
        // `[` that does not start a valid index stays text
        ("#set($a = 'x')$a[not an index", "x[not an index"),
    ]);
}

#[test]
fn set_semantics() {
    run(&[
        // Velocity 1.7: a null right-hand side leaves the variable unchanged
        ("#set($a = 1)#set($a = $nothing)$a", "1"),
        ("#set($a = 1)#set($a = $a + 1)$a", "2"),
        ("#set($m = {})#set($m.k = 'v')$m", "{k=v}"),
        (
            "#set($l = [1, 2])#set($l2 = $l)#set($ok = $l2.add(3))$l",
            "[1, 2, 3]",
        ),
    ]);
}

#[test]
fn string_literals() {
    run(&[
        (
            "#set($n = 'World')#set($s = \"Hello $n!\")$s",
            "Hello World!",
        ),
        ("#set($n = 'World')#set($s = 'Hello $n!')$s", "Hello $n!"),
        ("#set($s = 'it''s')$s", "it's"),
        ("#set($s = \"a \"\"b\"\"\")$s", "a \"b\""),
        (
            "#set($x = true)#set($s = \"#if($x)yes#{else}no#end\")$s",
            "yes",
        ),
        ("#set($s = \"${undefined}-$!undefined\")[$s]", "[-]"),
        ("#set($s = \"multi\nline\")$s", "multi\nline"),
        ("#set($s = \"$.a #x $\")$s", "$.a #x $"),
    ]);
}

#[test]
fn numbers_and_arithmetic() {
    run(&[
        ("#set($a = 7 / 2)$a", "3"),
        ("#set($a = -7 / 2)$a", "-3"),
        // (the blank between `$a` and `#set` is gobbled: it starts a token)
        ("#set($a = 7 % 3)$a #set($b = -7 % 3)$b", "1-1"),
        ("#set($a = 7.0 / 2)$a", "3.5"),
        ("#set($a = 1 / 3.0)$a", "0.3333333333333333"),
        ("#set($a = 0.1 + 0.2)$a", "0.30000000000000004"),
        ("#set($a = 10000000.0)$a", "1.0E7"),
        ("#set($a = 0.0001)$a", "1.0E-4"),
        ("#set($a = 123456.5)$a", "123456.5"),
        ("#set($a = 2147483647 + 1)$a", "2147483648"),
        (
            "#set($a = 9223372036854775807 + 1)$a",
            "9.223372036854776E18",
        ),
        ("#set($a = 5)#set($b = -$a)$b", "-5"),
        ("#set($a = 1 / 0)[$a]", "[]"),
        ("#set($a = 'n' + 1)$a", "n1"),
        ("#set($a = 1 + 'n')$a", "1n"),
        ("#set($a = 'a' + 'b')$a", "ab"),
        ("#if(1 == 1.0)eq#end #if('1' == 1)str#end", "eq str"),
        ("#if(2 > 1 && !(1 > 2) || false)ok#end", "ok"),
        ("#if(1 < 2 and 2 <= 2 and 3 ge 3 and 3 ne 4)ok#end", "ok"),
        ("#if('a' < 'b')lt#{else}no#end", "no"),
    ]);
}

#[test]
fn collections() {
    run(&[
        ("#set($l = [1, 2, 3])$l $l.size() $l.get(0) $l.contains(2) $l.indexOf(3) $l.isEmpty()", "[1, 2, 3] 3 1 true 2 false"),
        ("#set($l = [])$l.isEmpty() $l", "true []"),
        ("#set($l = ['a', 'b'])#set($x = $l.remove(0))$x $l", "a [b]"),
        ("#set($l = [1..3])$l", "[1, 2, 3]"),
        ("#set($n = 2)#foreach($i in [$n..0])$i#end", "210"),
        ("#set($m = {'a': 1, 'b': [true, null]})$m $m.size() $m.containsKey('a') $m.keySet() $m.values()", "{a=1, b=[true, null]} 2 true [a, b] [1, [true, null]]"),
        ("#set($m = {'a': 1})#foreach($e in $m.entrySet())$e.key=$e.value $e.getKey()#end", "a=1 a"),
        ("#set($m = {'a': 1})$m.entrySet()", "[a=1]"),
        ("#set($m = {'a': 1, 'b': 2})#set($x = $m.remove('a'))$x $m", "1 {b=2}"),
        ("#set($m = {'a': 1, 'b': 2})#foreach($v in $m)$v#end", "12"),
        ("#set($m = {1: 'one'})$m.get(1)", "one"),
        ("#set($m = {})$m.isEmpty() #set($m.x = 1)$m.isEmpty()", "truefalse"),
        // a map used as its own key must not trip the interpreter
        ("#set($m = {'a': 1})#set($x = $m.put($m, 2))$m.size()", "2"),
        ("#set($l = [1])#set($m = {'a': $l})#set($x = $m.put($l, 2))$m.size()", "2"),
    ]);
}

#[test]
fn string_methods() {
    run(&[
        ("#set($s = '  Hello World  ')[$s.trim()] $s.length()", "[Hello World] 15"),
        ("#set($s = 'Hello')$s.toUpperCase() $s.toLowerCase() $s.charAt(1)", "HELLO hello e"),
        ("#set($s = 'Hello')$s.substring(1) $s.substring(1, 3) [$s.substring(5)]", "ello el []"),
        ("#set($s = 'a,b,,c,,')$s.split(',') $s.split(',').size()", "[a, b, , c] 4"),
        ("#set($s = 'a1b22c')$s.split('[0-9]+')", "[a, b, c]"),
        ("#set($s = 'hello')$s.replace('l', 'L') $s.replaceFirst('l', 'L') $s.replaceAll('(l+)', '[$1]')", "heLLo heLlo he[ll]o"),
        ("#set($s = 'a.b')$s.replaceAll('\\.', '\\$')", "a$b"),
        ("#set($s = 'john smith')$s.replaceAll('(\\w+) (\\w+)', '$2, $1') $s.replaceAll('', '-')", "smith, john -j-o-h-n- -s-m-i-t-h-"),
        ("#set($s = 'aXbXc')$s.replace('X', '') $s.replace('', '.')", "abc .a.X.b.X.c."),
        ("#set($s = 'abc')$s.indexOf('c') $s.indexOf('z') $s.indexOf('b', 2) $s.lastIndexOf('c')", "2 -1 -1 2"),
        ("#set($s = 'abc')$s.equals('abc') $s.equals('x') $s.equalsIgnoreCase('ABC') $s.isEmpty() $s.startsWith('ab') $s.endsWith('bc')", "true false true false true true"),
        ("#set($s = 'abc')$s.matches('[a-c]+') $s.matches('b')", "true false"),
        ("#set($s = 'abc')$s.concat('d') $s.toString() $s.empty", "abcd abc false"),
        // Java indexes strings by UTF-16 unit
        ("#set($s = '😀x')$s.length() $s.indexOf('x') $s.substring(2)", "3 2 x"),
        ("#set($s = 'é')$s.length()", "1"),
    ]);
}

#[test]
fn directives() {
    run(&[
        ("#foreach($i in [1..5])#if($i == 3)#break#end$i#end", "12"),
        (
            "#foreach($i in [1, 2])#foreach($j in [1, 2])#if($j == 2)#break#end$i$j #end#end",
            "11 21 ",
        ),
        ("a#stop b", "a"),
        ("#foreach($i in [1, 2])$i#stop#end after", "1"),
        ("#define($d)in#stop#end$d after", "in"),
        ("#define($d)<$x>#end#set($x = 1)$d#set($x = 2)$d", "<1><2>"),
        ("#define($d)inner#end#set($s = \"[$d]\")$s", "[inner]"),
        ("#[[$not #parsed]]#", "$not #parsed"),
        ("#{if}(true)yes#{end}", "yes"),
        (
            "#set($x = 1)#if($x == 2)two#elseif($x == 1)one#{else}other#end",
            "one",
        ),
        ("#foreach($i in 'abc')x#end|#foreach($i in 5)x#end", "|"),
        ("#include('x') #parse('y')", "#include('x') #parse('y')"),
    ]);
}

#[test]
fn whitespace_gobbling() {
    run(&[
        // a #set line, leading blanks at the template start are eaten too
        ("  #set($a = 1)\nx", "x"),
        // blanks directly after another token are eaten by #set
        ("#set($a = 1)  #set($b = 2)\nx$a$b", "x12"),
        // blanks that end a text run stay
        ("t\n  #set($a = 1)\nx", "t\n  x"),
        ("#if(true)\n  a\n#else\n  b\n#end\nz", "  a\nz"),
        ("#foreach($i in [1, 2])\n$i\n#end\n", "1\n2\n"),
        ("#if(true)   \nx#end   \ny", "xy"),
        ("#if(true) x #end y", " x  y"),
        ("a ## comment\nb", "a b"),
        ("a #* c *# b", "a  b"),
        ("\r\n#set($a = 1)\r\nx", "\r\nx"),
    ]);
}

#[test]
fn escaping() {
    run(&[
        ("#set($a = 'v')\\$a \\\\$a \\\\\\$a", "$a \\v \\$a"),
        ("\\$undefined \\\\$undefined", "\\$undefined \\\\$undefined"),
        ("\\#if(true)x\\#end", "#if(true)x#end"),
        ("\\\\#if(true)x#end", "\\x"),
        ("a\\b \\n \\", "a\\b \\n \\"),
        ("#set($a = 'v')\\${a}", "${a}"),
    ]);
}
