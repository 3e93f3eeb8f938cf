//! Request-body JSON: a zero-copy parser (strings borrow from the body unless they
//! contain escapes, objects are small vectors) and `JRef`, a view that makes body
//! nodes and the caller's `serde_json` values (`$context`, `$stageVariables`) look
//! alike to the renderer. Parsing the body is the bulk of a typical render, and
//! this keeps it to one allocation per array/object.

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::Value as J;

/// serde_json's default nesting limit; keeps the recursive parser off the guard page.
const MAX_DEPTH: u32 = 128;

#[derive(Debug)]
pub(crate) enum JNode<'s> {
    Null,
    Bool(bool),
    /// Raw source text, re-emitted verbatim by `$input.json`.
    Num(&'s str),
    Str(Cow<'s, str>),
    Array(Vec<JNode<'s>>),
    Object(Vec<(Cow<'s, str>, JNode<'s>)>),
}

pub(crate) fn parse(src: &str) -> Result<JNode<'_>, String> {
    let mut p = P { s: src, i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != src.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(v)
}

struct P<'s> {
    s: &'s str,
    i: usize,
}

impl<'s> P<'s> {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON in body: {what} at byte {}", self.i)
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &str, v: JNode<'s>) -> Result<JNode<'s>, String> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.error("unexpected token"))
        }
    }

    fn value(&mut self, depth: u32) -> Result<JNode<'s>, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut entries = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(JNode::Object(entries));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a key"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(self.error("expected :"));
                    }
                    self.i += 1;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    entries.push((k, v));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(JNode::Object(entries));
                        }
                        _ => return Err(self.error("expected , or }")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(JNode::Array(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(JNode::Array(items));
                        }
                        _ => return Err(self.error("expected , or ]")),
                    }
                }
            }
            Some(b'"') => Ok(JNode::Str(self.string()?)),
            Some(b't') => self.lit("true", JNode::Bool(true)),
            Some(b'f') => self.lit("false", JNode::Bool(false)),
            Some(b'n') => self.lit("null", JNode::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("unexpected token")),
        }
    }

    fn number(&mut self) -> Result<JNode<'s>, String> {
        let start = self.i;
        let b = self.s.as_bytes();
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            return Err(self.error("bad number"));
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                return Err(self.error("bad number"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                return Err(self.error("bad number"));
            }
        }
        self.i = i;
        Ok(JNode::Num(&self.s[start..i]))
    }

    fn string(&mut self) -> Result<Cow<'s, str>, String> {
        self.i += 1;
        let start = self.i;
        let b = self.s.as_bytes();
        // Fast path: no escapes, borrow.
        while let Some(&c) = b.get(self.i) {
            match c {
                b'"' => {
                    let s = &self.s[start..self.i];
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => break,
                c if c < 0x20 => return Err(self.error("control character in string")),
                _ => self.i += 1,
            }
        }
        let mut out = String::from(&self.s[start..self.i]);
        loop {
            let Some(&c) = b.get(self.i) else {
                return Err(self.error("unterminated string"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
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

/// A JSON node from either the body or the caller's `serde_json` values.
#[derive(Clone, Copy, Debug)]
pub(crate) enum JRef<'a> {
    Serde(&'a J),
    Body(&'a JNode<'a>),
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
            JRef::Body(n) => match n {
                JNode::Null => Kind::Null,
                JNode::Bool(b) => Kind::Bool(*b),
                JNode::Num(raw) => match raw.parse::<i64>() {
                    Ok(i) => Kind::Int(i),
                    Err(_) => Kind::Float(raw.parse().unwrap_or(f64::NAN)),
                },
                JNode::Str(s) => Kind::Str(s),
                JNode::Array(_) => Kind::Array,
                JNode::Object(_) => Kind::Object,
            },
        }
    }

    pub fn is_array(self) -> bool {
        matches!(self, JRef::Serde(J::Array(_)) | JRef::Body(JNode::Array(_)))
    }

    pub fn is_object(self) -> bool {
        matches!(self, JRef::Serde(J::Object(_)) | JRef::Body(JNode::Object(_)))
    }

    pub fn get(self, key: &str) -> Option<JRef<'a>> {
        match self {
            JRef::Serde(J::Object(o)) => o.get(key).map(JRef::Serde),
            JRef::Body(JNode::Object(o)) => o
                .iter()
                .find(|(k, _)| k.as_ref() == key)
                .map(|(_, v)| JRef::Body(v)),
            _ => None,
        }
    }

    pub fn index(self, i: i64) -> Option<JRef<'a>> {
        let len = self.len() as i64;
        let i = if i < 0 { len + i } else { i };
        let i = usize::try_from(i).ok()?;
        match self {
            JRef::Serde(J::Array(a)) => a.get(i).map(JRef::Serde),
            JRef::Body(JNode::Array(a)) => a.get(i).map(JRef::Body),
            _ => None,
        }
    }

    /// Element count of an array or object.
    pub fn len(self) -> usize {
        match self {
            JRef::Serde(J::Array(a)) => a.len(),
            JRef::Serde(J::Object(o)) => o.len(),
            JRef::Body(JNode::Array(a)) => a.len(),
            JRef::Body(JNode::Object(o)) => o.len(),
            _ => 0,
        }
    }

    pub fn items(self) -> Items<'a> {
        match self {
            JRef::Serde(J::Array(a)) => Items::Serde(a.iter()),
            JRef::Body(JNode::Array(a)) => Items::Body(a.iter()),
            _ => Items::Serde([].iter()),
        }
    }

    pub fn entries(self) -> Entries<'a> {
        match self {
            JRef::Serde(J::Object(o)) => Entries::Serde(o.iter()),
            JRef::Body(JNode::Object(o)) => Entries::Body(o.iter()),
            _ => Entries::Body([].iter()),
        }
    }

    /// Array elements, or object values.
    pub fn children(self) -> Box<dyn Iterator<Item = JRef<'a>> + 'a> {
        if self.is_object() {
            Box::new(self.entries().map(|(_, v)| v))
        } else {
            Box::new(self.items())
        }
    }

    /// Compact JSON, as `$input.json` returns it.
    pub fn write_json(self, out: &mut String, cap: usize) {
        if out.len() > cap {
            return;
        }
        match self {
            JRef::Serde(j) => {
                let _ = write!(out, "{j}");
            }
            JRef::Body(n) => match n {
                JNode::Null => out.push_str("null"),
                JNode::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                JNode::Num(raw) => out.push_str(raw),
                JNode::Str(s) => write_json_str(out, s),
                JNode::Array(a) => {
                    out.push('[');
                    for (i, v) in a.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        JRef::Body(v).write_json(out, cap);
                    }
                    out.push(']');
                }
                JNode::Object(o) => {
                    out.push('{');
                    for (i, (k, v)) in o.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        write_json_str(out, k);
                        out.push(':');
                        JRef::Body(v).write_json(out, cap);
                    }
                    out.push('}');
                }
            },
        }
    }
}

pub(crate) enum Items<'a> {
    Serde(std::slice::Iter<'a, J>),
    Body(std::slice::Iter<'a, JNode<'a>>),
}

impl<'a> Iterator for Items<'a> {
    type Item = JRef<'a>;
    fn next(&mut self) -> Option<JRef<'a>> {
        match self {
            Items::Serde(it) => it.next().map(JRef::Serde),
            Items::Body(it) => it.next().map(JRef::Body),
        }
    }
}

pub(crate) enum Entries<'a> {
    Serde(serde_json::map::Iter<'a>),
    Body(std::slice::Iter<'a, (Cow<'a, str>, JNode<'a>)>),
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a str, JRef<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Serde(it) => it.next().map(|(k, v)| (k.as_str(), JRef::Serde(v))),
            Entries::Body(it) => it.next().map(|(k, v)| (k.as_ref(), JRef::Body(v))),
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
        let n = parse(src).unwrap();
        let mut out = String::new();
        JRef::Body(&n).write_json(&mut out, usize::MAX);
        out
    }

    #[test]
    fn parses_and_reserialises_compactly() {
        assert_eq!(roundtrip(r#" { "a" : [1, -2.5e3, true, null], "b": {} } "#), r#"{"a":[1,-2.5e3,true,null],"b":{}}"#);
        assert_eq!(roundtrip(r#""q\"\\\/\n\u00e9\ud83d\ude00\u0001""#), "\"q\\\"\\\\/\\né😀\\u0001\"");
    }

    #[test]
    fn rejects_malformed_input() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01x", "\"\\x\"", "tru", "1 2", "\"\u{1}\""] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
    }
}
