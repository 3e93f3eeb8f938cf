//! Request-body JSON: a zero-copy parser (strings borrow from the body unless they
//! contain escapes, objects are small vectors) and `JRef`, a view that makes body
//! nodes and the caller's `serde_json` values (`$context`, `$stageVariables`) look
//! alike to the renderer. Parsing the body is the bulk of a typical render, and
//! this keeps it to one allocation per array/object.

use std::fmt::Write;

use serde_json::Value as J;

mod parse;
pub(crate) use parse::parse;

/// serde_json's default nesting limit; bounds every recursive walk of a document.
const MAX_DEPTH: usize = 128;

/// A parsed body: a flat, pre-order "tape" of tokens. Containers record their
/// element count and where their subtree ends, so lookups skip siblings without
/// recursion, and the whole document costs two allocations.
#[derive(Debug)]
pub(crate) struct Doc<'s> {
    src: &'s str,
    toks: Vec<Tok>,
    /// Strings that contained escapes, decoded.
    decoded: Vec<String>,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: TokKind,
    /// Byte range in `src` (numbers, plain strings), index into `decoded`
    /// (escaped strings), or element count in `a` (containers).
    a: u32,
    b: u32,
    /// Index of the first token after this token's subtree.
    next: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokKind {
    Null,
    True,
    False,
    Num,
    Str,
    EscStr,
    Array,
    Object,
}

impl<'s> Doc<'s> {
    #[inline]
    fn str_at(&self, i: u32) -> &str {
        let t = self.toks[i as usize];
        match t.kind {
            TokKind::Str | TokKind::Num => &self.src[t.a as usize..t.b as usize],
            TokKind::EscStr => &self.decoded[t.a as usize],
            _ => "",
        }
    }

    #[inline]
    fn tok(&self, i: u32) -> Tok {
        self.toks[i as usize]
    }
}

/// A JSON node from either the body or the caller's `serde_json` values.
#[derive(Clone, Copy, Debug)]
pub(crate) enum JRef<'a> {
    Serde(&'a J),
    Body(&'a Doc<'a>, u32),
}

pub(crate) enum Kind<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Array,
    Object,
}

impl<'a> JRef<'a> {
    #[inline]
    pub fn root(doc: &'a Doc<'a>) -> Self {
        JRef::Body(doc, 0)
    }

    #[inline(always)]
    pub fn kind(self) -> Kind<'a> {
        match self {
            JRef::Serde(j) => match j {
                J::Null => Kind::Null,
                J::Bool(b) => Kind::Bool(*b),
                J::Number(n) => match n.as_i64() {
                    Some(i) => Kind::Int(i),
                    None => Kind::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
                J::String(s) => Kind::Str(s),
                J::Array(_) => Kind::Array,
                J::Object(_) => Kind::Object,
            },
            JRef::Body(d, i) => {
                // One token read; strings and numbers slice the source directly.
                let t = d.tok(i);
                let raw = || &d.src[t.a as usize..t.b as usize];
                match t.kind {
                    TokKind::Null => Kind::Null,
                    TokKind::True => Kind::Bool(true),
                    TokKind::False => Kind::Bool(false),
                    TokKind::Num => match raw().parse::<i64>() {
                        Ok(n) => Kind::Int(n),
                        Err(_) => Kind::Float(raw().parse().unwrap_or(f64::NAN)),
                    },
                    TokKind::Str => Kind::Str(raw()),
                    TokKind::EscStr => Kind::Str(&d.decoded[t.a as usize]),
                    TokKind::Array => Kind::Array,
                    TokKind::Object => Kind::Object,
                }
            }
        }
    }

    #[inline]
    pub fn is_array(self) -> bool {
        match self {
            JRef::Serde(j) => j.is_array(),
            JRef::Body(d, i) => d.tok(i).kind == TokKind::Array,
        }
    }

    #[inline]
    pub fn is_object(self) -> bool {
        match self {
            JRef::Serde(j) => j.is_object(),
            JRef::Body(d, i) => d.tok(i).kind == TokKind::Object,
        }
    }

    #[inline(always)]
    pub fn get(self, key: &str) -> Option<JRef<'a>> {
        match self {
            JRef::Serde(J::Object(o)) => o.get(key).map(JRef::Serde),
            JRef::Body(d, i) => {
                let t = d.tok(i);
                if t.kind != TokKind::Object {
                    return None;
                }
                let (src, kb) = (d.src.as_bytes(), key.as_bytes());
                let mut at = i + 1;
                for _ in 0..t.a {
                    let k = d.tok(at);
                    let hit = match k.kind {
                        // Length first: most keys differ in length.
                        TokKind::Str => {
                            (k.b - k.a) as usize == kb.len()
                                && src
                                    .get(k.a as usize..k.b as usize)
                                    .is_some_and(|s| s.iter().zip(kb).all(|(x, y)| x == y))
                        }
                        _ => d.str_at(at) == key,
                    };
                    if hit {
                        return Some(JRef::Body(d, at + 1));
                    }
                    at = d.tok(at + 1).next;
                }
                None
            }
            _ => None,
        }
    }

    pub fn index(self, i: i64) -> Option<JRef<'a>> {
        if !self.is_array() {
            return None;
        }
        let len = self.len() as i64;
        let i = if i < 0 { len + i } else { i };
        let i = usize::try_from(i).ok()?;
        match self {
            JRef::Serde(J::Array(a)) => a.get(i).map(JRef::Serde),
            _ => self.items().nth(i),
        }
    }

    /// Element count of an array or object.
    #[inline]
    pub fn len(self) -> usize {
        match self {
            JRef::Serde(J::Array(a)) => a.len(),
            JRef::Serde(J::Object(o)) => o.len(),
            JRef::Serde(_) => 0,
            JRef::Body(d, i) => match d.tok(i).kind {
                TokKind::Array | TokKind::Object => d.tok(i).a as usize,
                _ => 0,
            },
        }
    }

    #[inline]
    pub fn items(self) -> Items<'a> {
        match self {
            JRef::Serde(J::Array(a)) => Items::Serde(a.iter()),
            JRef::Body(d, i) if self.is_array() => Items::Body(d, i + 1, self.len()),
            _ => Items::Serde([].iter()),
        }
    }

    #[inline]
    pub fn entries(self) -> Entries<'a> {
        match self {
            JRef::Serde(J::Object(o)) => Entries::Serde(o.iter()),
            JRef::Body(d, i) if self.is_object() => Entries::Body(d, i + 1, self.len()),
            _ => Entries::Serde(EMPTY.iter()),
        }
    }

    /// Array elements, or object values.
    pub fn children(self) -> impl Iterator<Item = JRef<'a>> {
        let obj = self.is_object();
        let (items, entries) = if obj {
            (None, Some(self.entries().map(|(_, v)| v)))
        } else {
            (Some(self.items()), None)
        };
        items
            .into_iter()
            .flatten()
            .chain(entries.into_iter().flatten())
    }

    /// Compact JSON, as `$input.json` returns it; numbers keep their source text.
    pub fn write_json(self, out: &mut String, cap: usize) {
        if out.len() > cap {
            return;
        }
        match self {
            JRef::Serde(j) => {
                let _ = write!(out, "{j}");
            }
            JRef::Body(d, i) => match d.tok(i).kind {
                TokKind::Null => out.push_str("null"),
                TokKind::True => out.push_str("true"),
                TokKind::False => out.push_str("false"),
                TokKind::Num => out.push_str(d.str_at(i)),
                TokKind::Str | TokKind::EscStr => write_json_str(out, d.str_at(i)),
                TokKind::Array => {
                    out.push('[');
                    for (n, v) in self.items().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        v.write_json(out, cap);
                    }
                    out.push(']');
                }
                TokKind::Object => {
                    out.push('{');
                    for (n, (k, v)) in self.entries().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        write_json_str(out, k);
                        out.push(':');
                        v.write_json(out, cap);
                    }
                    out.push('}');
                }
            },
        }
    }
}

static EMPTY: std::sync::LazyLock<serde_json::Map<String, J>> =
    std::sync::LazyLock::new(serde_json::Map::new);

pub(crate) enum Items<'a> {
    Serde(std::slice::Iter<'a, J>),
    /// Next element's token, elements left.
    Body(&'a Doc<'a>, u32, usize),
}

impl Items<'_> {
    /// Elements left.
    pub fn len(&self) -> usize {
        match self {
            Items::Serde(it) => it.len(),
            Items::Body(_, _, left) => *left,
        }
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = JRef<'a>;
    #[inline]
    fn next(&mut self) -> Option<JRef<'a>> {
        match self {
            Items::Serde(it) => it.next().map(JRef::Serde),
            Items::Body(d, at, left) => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                let v = JRef::Body(d, *at);
                *at = d.tok(*at).next;
                Some(v)
            }
        }
    }
}

pub(crate) enum Entries<'a> {
    Serde(serde_json::map::Iter<'a>),
    /// Next key's token, pairs left.
    Body(&'a Doc<'a>, u32, usize),
}

impl Entries<'_> {
    /// Pairs left.
    pub fn len(&self) -> usize {
        match self {
            Entries::Serde(it) => it.len(),
            Entries::Body(_, _, left) => *left,
        }
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a str, JRef<'a>);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Serde(it) => it.next().map(|(k, v)| (k.as_str(), JRef::Serde(v))),
            Entries::Body(d, at, left) => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                let k = d.str_at(*at);
                let v = *at + 1;
                *at = d.tok(v).next;
                Some((k, JRef::Body(d, v)))
            }
        }
    }
}

/// serde_json's string escaping: `"`, `\` and control characters.
fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut last = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(esc);
        }
        last = i + c.len_utf8();
    }
    out.push_str(&s[last..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(src: &str) -> String {
        let d = parse(src).unwrap();
        let mut out = String::new();
        JRef::root(&d).write_json(&mut out, usize::MAX);
        out
    }

    #[test]
    fn parses_and_reserialises_compactly() {
        assert_eq!(
            roundtrip(r#" { "a" : [1, -2.5e3, true, null], "b": {} } "#),
            r#"{"a":[1,-2.5e3,true,null],"b":{}}"#
        );
        assert_eq!(
            roundtrip(r#""q\"\\\/\n\u00e9\ud83d\ude00\u0001""#),
            "\"q\\\"\\\\/\\né😀\\u0001\""
        );
    }

    #[test]
    fn navigates_the_tape() {
        let d = parse(r#"{"a": [1, {"b": "x\ty"}, []], "c": {}, "d": null}"#).unwrap();
        let root = JRef::root(&d);
        assert_eq!(root.len(), 3);
        let a = root.get("a").unwrap();
        assert_eq!(a.len(), 3);
        assert!(matches!(
            a.index(1).and_then(|o| o.get("b")).map(|s| s.kind()),
            Some(Kind::Str("x\ty"))
        ));
        assert!(matches!(a.index(-3).map(|v| v.kind()), Some(Kind::Int(1))));
        assert!(a.index(3).is_none());
        assert!(root.get("c").is_some_and(|c| c.is_object() && c.len() == 0));
        assert!(matches!(root.get("d").map(|v| v.kind()), Some(Kind::Null)));
        let keys: Vec<&str> = root.entries().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "c", "d"]);
    }
}
