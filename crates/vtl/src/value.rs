//! Runtime values, modelled on the Java objects behind AWS's engine.
//!
//! Values borrow (`'a`) from the template, the caller's `Context` and the body JSON
//! parsed once per render, so reading request data copies nothing. JSON containers
//! stay borrowed (`Json`) until a template builds its own list or map.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;

use serde_json::Value as J;

use crate::ast::Node;
use crate::json::{JRef, Kind};

#[derive(Clone, Debug)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Str<'a>),
    List(Shared<'a, Vec<Value<'a>>>),
    Map(Shared<'a, Map<'a>>),
    /// A borrowed JSON array or object (scalars are converted on access).
    Json(JRef<'a>),
    /// A `Map.Entry` from `entrySet()`.
    Entry(Shared<'a, Pair<'a>>),
    /// A `#define` block, rendered when referenced.
    Define(&'a [Node]),
    Special(Special),
}

/// Built-in objects whose members are computed by the renderer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Special {
    Input,
    Util,
    Context,
    RequestOverride,
    ResponseOverride,
    Override(OverrideKind),
    Foreach,
    VelocityCount,
    VelocityHasNext,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OverrideKind {
    RequestHeader,
    RequestQuery,
    RequestPath,
    ResponseHeader,
}

#[derive(Clone, Debug)]
pub(crate) enum Str<'a> {
    Borrowed(&'a str),
    Owned(Rc<str>),
}

impl Str<'_> {
    #[inline]
    pub fn as_str(&self) -> &str {
        match self {
            Str::Borrowed(s) => s,
            Str::Owned(s) => s,
        }
    }
}

/// A mutable container shared by reference, like a Java object.
///
/// Templates can nest containers millions deep (one `[$a]` per loop step), and
/// the default recursive drop would overflow the stack; the last handle to a
/// container therefore takes it apart iteratively.
#[derive(Debug)]
pub(crate) struct Shared<'a, T: Contents<'a>>(Rc<RefCell<T>>, PhantomData<Value<'a>>);

impl<'a, T: Contents<'a>> Shared<'a, T> {
    pub fn new(v: T) -> Self {
        Shared(Rc::new(RefCell::new(v)), PhantomData)
    }

    fn take_if_last(&self, out: &mut Vec<Value<'a>>) {
        if Rc::strong_count(&self.0) == 1 {
            if let Ok(mut inner) = self.0.try_borrow_mut() {
                inner.move_values(out);
            }
        }
    }
}

impl<'a, T: Contents<'a>> Clone for Shared<'a, T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0), PhantomData)
    }
}

impl<'a, T: Contents<'a>> std::ops::Deref for Shared<'a, T> {
    type Target = RefCell<T>;
    fn deref(&self) -> &RefCell<T> {
        &self.0
    }
}

impl<'a, T: Contents<'a>> Drop for Shared<'a, T> {
    fn drop(&mut self) {
        let mut stack = Vec::new();
        self.take_if_last(&mut stack);
        // Children that are last handles are emptied before they drop, so no
        // drop below recurses more than one level.
        while let Some(v) = stack.pop() {
            match v {
                Value::List(l) => l.take_if_last(&mut stack),
                Value::Map(m) => m.take_if_last(&mut stack),
                Value::Entry(e) => e.take_if_last(&mut stack),
                _ => {}
            }
        }
    }
}

/// What a `Shared` container holds; its drop moves the values out.
pub(crate) trait Contents<'a> {
    fn move_values(&mut self, out: &mut Vec<Value<'a>>);
}

impl<'a> Contents<'a> for Vec<Value<'a>> {
    fn move_values(&mut self, out: &mut Vec<Value<'a>>) {
        out.append(self);
    }
}

/// A `Map.Entry`'s key and value.
#[derive(Debug)]
pub(crate) struct Pair<'a>(pub Value<'a>, pub Value<'a>);

impl<'a> Contents<'a> for Pair<'a> {
    fn move_values(&mut self, out: &mut Vec<Value<'a>>) {
        out.push(std::mem::replace(&mut self.0, Value::Null));
        out.push(std::mem::replace(&mut self.1, Value::Null));
    }
}

impl<'a> Contents<'a> for Map<'a> {
    fn move_values(&mut self, out: &mut Vec<Value<'a>>) {
        for (k, v) in self.entries.drain(..) {
            out.push(k);
            out.push(v);
        }
    }
}

/// Insertion-ordered like Java's `LinkedHashMap` (AWS renders literals in source
/// order). Lookups are linear: template maps are small, and loops are capped.
#[derive(Clone, Debug, Default)]
pub(crate) struct Map<'a> {
    pub entries: Vec<(Value<'a>, Value<'a>)>,
}

impl<'a> Map<'a> {
    pub fn get(&self, key: &Value<'a>) -> Option<&Value<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| java_equals(k, key))
            .map(|(_, v)| v)
    }

    #[inline]
    pub fn get_str(&self, key: &str) -> Option<&Value<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| matches!(k, Value::Str(s) if s.as_str() == key))
            .map(|(_, v)| v)
    }

    /// Returns the previous value, like `Map.put`.
    pub fn put(&mut self, key: Value<'a>, value: Value<'a>) -> Value<'a> {
        for (k, v) in &mut self.entries {
            if java_equals(k, &key) {
                return std::mem::replace(v, value);
            }
        }
        self.entries.push((key, value));
        Value::Null
    }

    pub fn remove(&mut self, key: &Value<'a>) -> Value<'a> {
        match self.entries.iter().position(|(k, _)| java_equals(k, key)) {
            Some(i) => self.entries.remove(i).1,
            None => Value::Null,
        }
    }
}

impl<'a> Value<'a> {
    #[inline]
    pub fn str(s: &'a str) -> Self {
        Value::Str(Str::Borrowed(s))
    }

    pub fn string(s: String) -> Self {
        Value::Str(Str::Owned(s.into()))
    }

    pub fn list(v: Vec<Value<'a>>) -> Self {
        Value::List(Shared::new(v))
    }

    pub fn map(m: Map<'a>) -> Self {
        Value::Map(Shared::new(m))
    }

    /// JSON scalars become native values; containers stay borrowed.
    #[inline]
    pub fn from_json(j: JRef<'a>) -> Self {
        match j.kind() {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(b),
            Kind::Int(i) => Value::Int(i),
            Kind::Float(f) => Value::Float(f),
            Kind::Str(s) => Value::str(s),
            Kind::Array | Kind::Object => Value::Json(j),
        }
    }

    pub fn from_serde(j: &'a J) -> Self {
        Value::from_json(JRef::Serde(j))
    }

    /// Deep conversion for JSON the renderer owns (`$util.parseJson`).
    pub fn from_owned_json<'b>(j: J) -> Value<'b> {
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(b),
            J::Number(n) => number(&n),
            J::String(s) => Value::string(s),
            J::Array(a) => Value::list(a.into_iter().map(Value::from_owned_json).collect()),
            J::Object(o) => Value::map(Map {
                entries: o
                    .into_iter()
                    .map(|(k, v)| (Value::string(k), Value::from_owned_json(v)))
                    .collect(),
            }),
        }
    }

    /// Velocity 1.7 `#if`: only `false` is false. AWS resolves missing references to
    /// an empty string, so null is true too (airspeed-ext
    /// `test_if_statement_considers_None_to_be_truthy`, recorded against AWS).
    #[inline]
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Bool(false))
    }

    /// Lists, maps and entries: values that can hold other values.
    pub fn is_container(&self) -> bool {
        matches!(self, Value::List(_) | Value::Map(_) | Value::Entry(_))
    }

    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    #[inline]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }

    #[inline]
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Float(_))
    }

    /// Number of elements when list-like.
    pub fn list_items(&self) -> Option<Vec<Value<'a>>> {
        match self {
            Value::List(l) => Some(l.borrow().clone()),
            Value::Json(j) if j.is_array() => Some(j.items().map(Value::from_json).collect()),
            _ => None,
        }
    }
}

fn number<'a>(n: &serde_json::Number) -> Value<'a> {
    match n.as_i64() {
        Some(i) => Value::Int(i),
        None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// Containers nest at most this deep when stringified: template-built maps can
/// contain themselves, where Java would overflow its stack.
const MAX_DISPLAY_DEPTH: u32 = 32;

/// Rendering a value at top level or in a string: null renders as nothing (AWS).
/// `Define` and `Special` values are handled by the renderer before reaching here.
/// Stops early once `out` is longer than `cap`; the caller turns that into an error.
#[inline]
pub(crate) fn write_display(out: &mut String, v: &Value<'_>, cap: usize) {
    write_value(out, v, cap, 0, false);
}

fn write_value(out: &mut String, v: &Value<'_>, cap: usize, depth: u32, nested: bool) {
    if out.len() > cap {
        return;
    }
    if depth > MAX_DISPLAY_DEPTH {
        out.push_str("...");
        return;
    }
    let d = depth + 1;
    match v {
        Value::Null if nested => out.push_str("null"),
        Value::Null | Value::Define(_) | Value::Special(_) => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => write_int(out, *i),
        Value::Float(f) => write_double(out, *f),
        Value::Str(s) => out.push_str(s.as_str()),
        // A container being mutated right now is the one whose `put` is comparing
        // keys against itself; Java prints such self-references like this.
        Value::List(l) => {
            let Ok(l) = l.try_borrow() else {
                out.push_str("(this Collection)");
                return;
            };
            write_seq(out, l.iter().cloned(), cap, d);
        }
        Value::Map(m) => {
            let Ok(m) = m.try_borrow() else {
                out.push_str("(this Map)");
                return;
            };
            write_pairs(
                out,
                m.entries.iter().map(|(k, v)| (k.clone(), v.clone())),
                cap,
                d,
            );
        }
        // A JSON array (from `$input.path`, `$util.parseJson`) prints as compact JSON, as AWS
        // answers it (its JSON library's list); a JSON object prints like a Java map.
        Value::Json(j) if j.is_array() => j.write_json(out, cap),
        Value::Json(j) => write_pairs(
            out,
            j.entries()
                .map(|(k, v)| (Value::str(k), Value::from_json(v))),
            cap,
            d,
        ),
        Value::Entry(e) => {
            let Ok(e) = e.try_borrow() else { return };
            write_value(out, &e.0, cap, d, true);
            out.push('=');
            write_value(out, &e.1, cap, d, true);
        }
    }
}

fn write_seq<'a>(out: &mut String, items: impl Iterator<Item = Value<'a>>, cap: usize, d: u32) {
    out.push('[');
    for (i, v) in items.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, &v, cap, d, true);
        if out.len() > cap {
            return;
        }
    }
    out.push(']');
}

fn write_pairs<'a>(
    out: &mut String,
    items: impl Iterator<Item = (Value<'a>, Value<'a>)>,
    cap: usize,
    d: u32,
) {
    out.push('{');
    for (i, (k, v)) in items.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, &k, cap, d, true);
        out.push('=');
        write_value(out, &v, cap, d, true);
        if out.len() > cap {
            return;
        }
    }
    out.push('}');
}

/// `toString()` for comparisons and method arguments; bounded like rendering.
pub(crate) fn to_display(v: &Value<'_>) -> String {
    match v {
        Value::Str(s) => s.as_str().to_owned(),
        _ => {
            let mut s = String::new();
            write_display(&mut s, v, DISPLAY_CAP);
            s
        }
    }
}

/// Bound for `to_display`, which has no `Limits` at hand.
pub(crate) const DISPLAY_CAP: usize = 1 << 20;

/// Integers are the most rendered values; `fmt` machinery costs more than this.
#[inline(always)]
pub(crate) fn write_int(out: &mut String, i: i64) {
    if (0..100).contains(&i) {
        // Counters and small quantities: most integers a template prints.
        let i = i as u8;
        if i >= 10 {
            out.push(char::from(b'0' + i / 10));
        }
        out.push(char::from(b'0' + i % 10));
        return;
    }
    write_long(out, i);
}

fn write_long(out: &mut String, i: i64) {
    let mut buf = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push('-');
    }
    for &b in &buf[at..] {
        out.push(b as char);
    }
}

/// Java's `Double.toString`: plain notation in [1e-3, 1e7), else `d.dddE±n`.
pub(crate) fn write_double(out: &mut String, d: f64) {
    if d.is_nan() {
        out.push_str("NaN");
        return;
    }
    if d.is_infinite() {
        out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if d == 0.0 {
        out.push_str(if d.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    let a = d.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        out.push_str(&s);
        if !s.contains('.') {
            out.push_str(".0");
        }
        return;
    }
    // Rust's `{:e}` gives the shortest round-tripping digits: "1.234e-5".
    let s = format!("{d:e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    out.push_str(mant);
    if !mant.contains('.') {
        out.push_str(".0");
    }
    out.push('E');
    out.push_str(exp);
}

/// Velocity 1.7 `==`: numbers compare numerically, same-typed values with
/// `equals`, anything else by `toString()`. AWS treats null as "".
pub(crate) fn java_equals(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, Value::Str(s)) | (Value::Str(s), Value::Null) => s.as_str().is_empty(),
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Int(x), Value::Int(y)) => x == y,
        (x, y) if x.is_number() && y.is_number() => x.as_f64() == y.as_f64(),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x.as_str() == y.as_str(),
        _ => to_display(a) == to_display(b),
    }
}

/// Numeric ordering; Velocity refuses to order anything else.
pub(crate) fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn double(d: f64) -> String {
        let mut s = String::new();
        write_double(&mut s, d);
        s
    }

    #[test]
    fn doubles_print_like_java() {
        assert_eq!(double(1.0), "1.0");
        assert_eq!(double(-2.5), "-2.5");
        assert_eq!(double(1e7), "1.0E7");
        assert_eq!(double(1.5e-5), "1.5E-5");
        assert_eq!(double(0.001), "0.001");
        assert_eq!(double(f64::NAN), "NaN");
        assert_eq!(double(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(double(-0.0), "-0.0");
    }

    #[test]
    fn ints_print_in_full() {
        for i in [0, 7, -7, 10, 1234567890, i64::MAX, i64::MIN] {
            let mut s = String::new();
            write_int(&mut s, i);
            assert_eq!(s, i.to_string());
        }
    }
}
