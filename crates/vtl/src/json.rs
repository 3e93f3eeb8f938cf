//! Request-body JSON: a zero-copy parser (strings borrow from the body unless they
//! contain escapes, objects are small vectors) and `JRef`, a view that makes body
//! nodes and the caller's `serde_json` values (`$context`, `$stageVariables`) look
//! alike to the renderer. Parsing the body is the bulk of a typical render, and
//! this keeps it to one allocation per array/object.

use std::fmt::Write;

use serde_json::Value as J;

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

pub(crate) fn parse(src: &str) -> Result<Doc<'_>, String> {
    if src.len() >= u32::MAX as usize {
        return Err("invalid JSON in body: too large".into());
    }
    let mut p = P {
        s: src,
        b: src.as_bytes(),
        i: 0,
        // Dense JSON averages a token per 4-8 bytes; over-reserving beats regrowing.
        toks: Vec::with_capacity(src.len() / 4 + 4),
        decoded: Vec::new(),
    };
    p.document()?;
    Ok(Doc {
        src,
        toks: p.toks,
        decoded: p.decoded,
    })
}

struct P<'s> {
    s: &'s str,
    b: &'s [u8],
    i: usize,
    toks: Vec<Tok>,
    decoded: Vec<String>,
}

impl P<'_> {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON in body: {what} at byte {}", self.i)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        let n = self.b[self.i..]
            .iter()
            .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .unwrap_or(self.b.len() - self.i);
        self.i += n;
    }

    fn push(&mut self, kind: TokKind, a: u32, b: u32) {
        let next = self.toks.len() as u32 + 1;
        self.toks.push(Tok { kind, a, b, next });
    }

    /// Iterative so that nesting costs no stack; `open` holds the open containers.
    fn document(&mut self) -> Result<(), String> {
        let mut open = [0u32; MAX_DEPTH];
        let mut depth = 0usize;
        let mut expect_value = true;
        loop {
            if expect_value {
                self.ws();
                match self.peek() {
                    Some(c @ (b'{' | b'[')) => {
                        if depth == MAX_DEPTH {
                            return Err(self.error("nesting too deep"));
                        }
                        let kind = if c == b'{' {
                            TokKind::Object
                        } else {
                            TokKind::Array
                        };
                        open[depth] = self.toks.len() as u32;
                        depth += 1;
                        self.push(kind, 0, 0);
                        self.i += 1;
                        self.ws();
                        if self.peek() == Some(if c == b'{' { b'}' } else { b']' }) {
                            self.i += 1;
                            depth -= 1;
                            self.close(open[depth], &open[..depth]);
                            expect_value = false;
                        } else if c == b'{' {
                            self.key()?;
                        }
                        continue;
                    }
                    Some(b'"') => self.string()?,
                    Some(b't') => self.literal("true", TokKind::True)?,
                    Some(b'f') => self.literal("false", TokKind::False)?,
                    Some(b'n') => self.literal("null", TokKind::Null)?,
                    Some(b'-' | b'0'..=b'9') => self.number()?,
                    _ => return Err(self.error("unexpected token")),
                }
                if depth > 0 {
                    self.toks[open[depth - 1] as usize].a += 1;
                }
                expect_value = false;
            } else {
                self.ws();
                if depth == 0 {
                    return if self.i == self.b.len() {
                        Ok(())
                    } else {
                        Err(self.error("trailing characters"))
                    };
                }
                let top = open[depth - 1];
                let is_obj = self.toks[top as usize].kind == TokKind::Object;
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        if is_obj {
                            self.ws();
                            self.key()?;
                        }
                        expect_value = true;
                    }
                    Some(b'}') if is_obj => {
                        self.i += 1;
                        depth -= 1;
                        self.close(top, &open[..depth]);
                    }
                    Some(b']') if !is_obj => {
                        self.i += 1;
                        depth -= 1;
                        self.close(top, &open[..depth]);
                    }
                    _ => return Err(self.error("expected , or a closing bracket")),
                }
            }
        }
    }

    /// Ends a container: records its subtree end and counts it in its parent.
    fn close(&mut self, idx: u32, parents: &[u32]) {
        let end = self.toks.len() as u32;
        self.toks[idx as usize].next = end;
        if let Some(&p) = parents.last() {
            self.toks[p as usize].a += 1;
        }
    }

    fn key(&mut self) -> Result<(), String> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a key"));
        }
        self.string()?;
        self.ws();
        if self.peek() != Some(b':') {
            return Err(self.error("expected :"));
        }
        self.i += 1;
        Ok(())
    }

    fn literal(&mut self, word: &str, kind: TokKind) -> Result<(), String> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            self.push(kind, 0, 0);
            Ok(())
        } else {
            Err(self.error("unexpected token"))
        }
    }

    fn digits(&mut self) -> bool {
        let from = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i > from
    }

    fn number(&mut self) -> Result<(), String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        if !self.digits() {
            return Err(self.error("bad number"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.digits() {
                return Err(self.error("bad number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.digits() {
                return Err(self.error("bad number"));
            }
        }
        self.push(TokKind::Num, start as u32, self.i as u32);
        Ok(())
    }

    fn string(&mut self) -> Result<(), String> {
        self.i += 1;
        let start = self.i;
        // Fast path: no escapes, keep a byte range. A tight scan over the slice
        // (no per-byte cursor updates) is most of the parser's speed.
        let stop = self.b[self.i..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        match stop.map(|k| (k, self.b[self.i + k])) {
            Some((k, b'"')) => {
                self.i += k;
                self.push(TokKind::Str, start as u32, self.i as u32);
                self.i += 1;
                return Ok(());
            }
            Some((k, b'\\')) => self.i += k,
            Some((k, _)) => {
                self.i += k;
                return Err(self.error("control character in string"));
            }
            None => {
                self.i = self.b.len();
                return Err(self.error("unterminated string"));
            }
        }
        let mut out = String::from(&self.s[start..self.i]);
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    let idx = self.decoded.len() as u32;
                    self.decoded.push(out);
                    self.push(TokKind::EscStr, idx, 0);
                    return Ok(());
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek().ok_or_else(|| self.error("bad escape"))?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.s[self.i..].starts_with("\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.i = save;
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.error("bad escape")),
                    }
                }
                c if c < 0x20 => return Err(self.error("control character in string")),
                _ => {
                    // Copy one whole UTF-8 char.
                    let ch = self.s[self.i..].chars().next().unwrap_or('\u{FFFD}');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.error("bad \\u escape"))?;
        self.i += 4;
        Ok(h)
    }
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

    #[inline]
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
            JRef::Body(d, i) => match d.tok(i).kind {
                TokKind::Null => Kind::Null,
                TokKind::True => Kind::Bool(true),
                TokKind::False => Kind::Bool(false),
                TokKind::Num => {
                    let raw = d.str_at(i);
                    match raw.parse::<i64>() {
                        Ok(n) => Kind::Int(n),
                        Err(_) => Kind::Float(raw.parse().unwrap_or(f64::NAN)),
                    }
                }
                TokKind::Str | TokKind::EscStr => Kind::Str(d.str_at(i)),
                TokKind::Array => Kind::Array,
                TokKind::Object => Kind::Object,
            },
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

    #[inline]
    pub fn get(self, key: &str) -> Option<JRef<'a>> {
        match self {
            JRef::Serde(J::Object(o)) => o.get(key).map(JRef::Serde),
            JRef::Body(d, i) => {
                let t = d.tok(i);
                if t.kind != TokKind::Object {
                    return None;
                }
                let mut at = i + 1;
                for _ in 0..t.a {
                    if d.str_at(at) == key {
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
    fn rejects_malformed_input() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01x",
            "\"\\x\"",
            "tru",
            "1 2",
            "\"\u{1}\"",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
        let ok = "[".repeat(128) + &"]".repeat(128);
        assert!(parse(&ok).is_ok());
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
