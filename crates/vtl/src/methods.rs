//! Java methods templates call on strings, lists, maps and entries.
//!
//! Java indexes strings in UTF-16 code units; ASCII strings take a byte fast path.
//! Failures Java would throw for (`substring` out of range, `get` past the end, bad
//! regex) are `Err`, which AWS reports as an internal server error.

use crate::error::Fail;
use crate::json::JRef;
use crate::render::Renderer;
use crate::value::{java_equals, to_display, Map, Pair, Shared, Value};

type R<'a> = Result<Value<'a>, Fail>;

impl<'a> Renderer<'a> {
    /// Dispatches `target.name(args)`; unknown methods yield null like Velocity.
    pub(crate) fn call_method(
        &mut self,
        target: Value<'a>,
        name: &str,
        args: &mut Vec<Value<'a>>,
    ) -> R<'a> {
        if let Some(v) = self.common_method(&target, name, args)? {
            return Ok(v);
        }
        match target {
            Value::Str(s) => self.string_method(s.as_str(), name, args),
            Value::List(l) => self.list_method(&l, name, args),
            Value::Map(m) => self.map_method(&m, name, args),
            Value::Json(j) if is_json_read(name, args.len()) => self.json_read(j, name, args),
            Value::Json(j) if j.is_array() => {
                // Borrowed JSON is read-only: mutate a copy so the call still returns
                // what Java would, without touching the request body.
                let l = Shared::new(j.items().map(Value::from_json).collect());
                self.list_method(&l, name, args)
            }
            Value::Json(j) => {
                let m = Shared::new(Map {
                    entries: j
                        .entries()
                        .map(|(k, v)| (Value::str(k), Value::from_json(v)))
                        .collect(),
                });
                self.map_method(&m, name, args)
            }
            Value::Entry(e) => Ok(match name {
                "getKey" => e.borrow().0.clone(),
                "getValue" => e.borrow().1.clone(),
                _ => Value::Null,
            }),
            Value::Special(s) => self.special_method(s, name, args),
            Value::Int(_) | Value::Float(_) => Ok(number_method(&target, name)),
            _ => Ok(Value::Null),
        }
    }

    fn common_method(
        &mut self,
        target: &Value<'a>,
        name: &str,
        args: &[Value<'a>],
    ) -> Result<Option<Value<'a>>, Fail> {
        Ok(match (name, args) {
            ("toString", []) if !matches!(target, Value::Special(_)) => {
                let s = self.display(target)?;
                Some(self.owned(s)?)
            }
            ("equals", [other]) if !matches!(target, Value::Str(_)) => {
                Some(Value::Bool(java_equals(target, other)))
            }
            _ => None,
        })
    }

    fn string_method(&mut self, s: &str, name: &str, args: &[Value<'a>]) -> R<'a> {
        let arg_str = |i: usize| args.get(i).map(to_display).unwrap_or_default();
        let int = |i: usize| args.get(i).and_then(Value::as_i64);
        Ok(match (name, args.len()) {
            ("length", 0) => Value::Int(utf16_len(s) as i64),
            ("isEmpty", 0) => Value::Bool(s.is_empty()),
            ("trim", 0) => self.owned(s.trim_matches(|c| c <= ' ').to_owned())?,
            ("toLowerCase", 0) => self.owned(s.to_lowercase())?,
            ("toUpperCase", 0) => self.owned(s.to_uppercase())?,
            ("contains", 1) => Value::Bool(s.contains(arg_str(0).as_str())),
            ("startsWith", 1) => Value::Bool(s.starts_with(arg_str(0).as_str())),
            ("endsWith", 1) => Value::Bool(s.ends_with(arg_str(0).as_str())),
            ("equals", 1) => Value::Bool(matches!(&args[0], Value::Str(o) if o.as_str() == s)),
            ("equalsIgnoreCase", 1) => Value::Bool(matches!(&args[0],
                Value::Str(o) if o.as_str().to_lowercase() == s.to_lowercase())),
            ("concat", 1) => self.owned(format!("{s}{}", arg_str(0)))?,
            ("indexOf", 1 | 2) => {
                let needle = arg_str(0);
                let from = int(1).unwrap_or(0).max(0) as usize;
                let from_b = byte_offset(s, from).unwrap_or(s.len());
                Value::Int(match s[from_b..].find(needle.as_str()) {
                    Some(k) => utf16_len(&s[..from_b + k]) as i64,
                    None => -1,
                })
            }
            ("lastIndexOf", 1) => Value::Int(match s.rfind(arg_str(0).as_str()) {
                Some(k) => utf16_len(&s[..k]) as i64,
                None => -1,
            }),
            ("substring", 1 | 2) => {
                let len = utf16_len(s) as i64;
                let begin = int(0).ok_or_else(|| self.runtime("substring needs an integer"))?;
                let end = if args.len() == 2 {
                    int(1).ok_or_else(|| self.runtime("substring needs an integer"))?
                } else {
                    len
                };
                if begin < 0 || end > len || begin > end {
                    return Err(self.runtime(format!(
                        "StringIndexOutOfBoundsException: begin {begin}, end {end}, length {len}"
                    )));
                }
                self.owned(utf16_slice(s, begin as usize, end as usize))?
            }
            ("charAt", 1) => {
                let i = int(0).unwrap_or(-1);
                if i < 0 || i >= utf16_len(s) as i64 {
                    return Err(self.runtime(format!("StringIndexOutOfBoundsException: index {i}")));
                }
                self.owned(utf16_slice(s, i as usize, i as usize + 1))?
            }
            ("replace", 2) => {
                let (from, to) = (arg_str(0), arg_str(1));
                // Size the result before building it: a hostile replacement could
                // otherwise allocate far past the limits.
                let hits = if from.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(from.as_str()).count()
                };
                self.charge(hits.saturating_mul(to.len()).saturating_add(s.len()))?;
                let r = if from.is_empty() {
                    // Java inserts the replacement around every char.
                    let mut r = to.clone();
                    for c in s.chars() {
                        r.push(c);
                        r.push_str(&to);
                    }
                    r
                } else {
                    s.replace(from.as_str(), &to)
                };
                Value::string(r)
            }
            ("replaceAll" | "replaceFirst", 2) => {
                let re = self.regex(&arg_str(0), false)?;
                let rep = java_replacement(&arg_str(1)).map_err(|m| self.runtime(m))?;
                let cap = self.max_output();
                let mut out = String::new();
                let mut last = 0;
                for caps in re.captures_iter(s) {
                    let Some(m) = caps.get(0) else { continue };
                    out.push_str(&s[last..m.start()]);
                    // Group references can multiply a match; bound each expansion.
                    let refs = rep.matches('$').count();
                    if out.len() + rep.len() + refs.saturating_mul(s.len()) > cap.saturating_mul(2)
                    {
                        return Err(self.output_error());
                    }
                    caps.expand(&rep, &mut out);
                    last = m.end();
                    if out.len() > cap {
                        return Err(self.output_error());
                    }
                    if name == "replaceFirst" {
                        break;
                    }
                }
                out.push_str(&s[last..]);
                self.owned(out)?
            }
            ("matches", 1) => {
                let re = self.regex(&arg_str(0), true)?;
                Value::Bool(re.is_match(s))
            }
            ("split", 1 | 2) => {
                let re = self.regex(&arg_str(0), false)?;
                let limit = int(1).unwrap_or(0);
                let parts = java_split(&re, s, limit);
                let mut items = Vec::with_capacity(parts.len());
                for p in parts {
                    items.push(self.owned(p.to_owned())?);
                }
                Value::list(items)
            }
            ("toString", 0) => Value::string(s.to_owned()),
            _ => Value::Null,
        })
    }

    fn list_method(
        &mut self,
        l: &Shared<'a, Vec<Value<'a>>>,
        name: &str,
        args: &mut Vec<Value<'a>>,
    ) -> R<'a> {
        if matches!(name, "add" | "set" | "addAll") && args.iter().any(Value::is_container) {
            self.note_cycle_risk(Value::List(l.clone()));
        }
        let len = l.borrow().len();
        let index = |v: &Value<'_>, max: usize| -> Option<usize> {
            v.as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .filter(|i| *i < max)
        };
        Ok(match (name, args.len()) {
            ("size", 0) => Value::Int(len as i64),
            ("isEmpty", 0) => Value::Bool(len == 0),
            ("get", 1) => match index(&args[0], len) {
                Some(i) => l.borrow()[i].clone(),
                None => return Err(self.out_of_bounds(&args[0], len)),
            },
            ("contains", 1) => Value::Bool(l.borrow().iter().any(|v| java_equals(v, &args[0]))),
            ("indexOf", 1) => Value::Int(
                l.borrow()
                    .iter()
                    .position(|v| java_equals(v, &args[0]))
                    .map_or(-1, |i| i as i64),
            ),
            ("add", 1) => {
                self.charge_item()?;
                l.borrow_mut().push(args.pop().unwrap_or(Value::Null));
                Value::Bool(true)
            }
            ("add", 2) => {
                let Some(i) = index(&args[0], len + 1) else {
                    return Err(self.out_of_bounds(&args[0], len));
                };
                self.charge_item()?;
                l.borrow_mut().insert(i, args.pop().unwrap_or(Value::Null));
                Value::Null
            }
            ("set", 2) => {
                let Some(i) = index(&args[0], len) else {
                    return Err(self.out_of_bounds(&args[0], len));
                };
                let v = args.pop().unwrap_or(Value::Null);
                std::mem::replace(&mut l.borrow_mut()[i], v)
            }
            ("remove", 1) => {
                if let Value::Int(_) = args[0] {
                    let Some(i) = index(&args[0], len) else {
                        return Err(self.out_of_bounds(&args[0], len));
                    };
                    l.borrow_mut().remove(i)
                } else {
                    let pos = l.borrow().iter().position(|v| java_equals(v, &args[0]));
                    match pos {
                        Some(i) => {
                            l.borrow_mut().remove(i);
                            Value::Bool(true)
                        }
                        None => Value::Bool(false),
                    }
                }
            }
            ("addAll", 1) => {
                let items = args[0].list_items().unwrap_or_default();
                for _ in &items {
                    self.charge_item()?;
                }
                l.borrow_mut().extend(items);
                Value::Bool(true)
            }
            ("clear", 0) => {
                l.borrow_mut().clear();
                Value::Null
            }
            _ => Value::Null,
        })
    }

    fn map_method(
        &mut self,
        m: &Shared<'a, Map<'a>>,
        name: &str,
        args: &mut Vec<Value<'a>>,
    ) -> R<'a> {
        if matches!(name, "put" | "putAll") && args.iter().any(Value::is_container) {
            self.note_cycle_risk(Value::Map(m.clone()));
        }
        Ok(match (name, args.len()) {
            ("get", 1) => m.borrow().get(&args[0]).cloned().unwrap_or(Value::Null),
            ("getOrDefault", 2) => m
                .borrow()
                .get(&args[0])
                .cloned()
                .unwrap_or_else(|| args[1].clone()),
            ("containsKey", 1) => Value::Bool(m.borrow().get(&args[0]).is_some()),
            ("containsValue", 1) => Value::Bool(
                m.borrow()
                    .entries
                    .iter()
                    .any(|(_, v)| java_equals(v, &args[0])),
            ),
            ("size", 0) => Value::Int(m.borrow().entries.len() as i64),
            ("isEmpty", 0) => Value::Bool(m.borrow().entries.is_empty()),
            ("put", 2) => {
                self.charge_item()?;
                let v = args.pop().unwrap_or(Value::Null);
                let k = args.pop().unwrap_or(Value::Null);
                m.borrow_mut().put(k, v)
            }
            ("putAll", 1) => {
                let pairs = self.pairs(&args[0]);
                for (k, v) in pairs {
                    self.charge_item()?;
                    m.borrow_mut().put(k, v);
                }
                Value::Null
            }
            ("remove", 1) => m.borrow_mut().remove(&args[0]),
            ("keySet", 0) => {
                Value::list(m.borrow().entries.iter().map(|(k, _)| k.clone()).collect())
            }
            ("values", 0) => {
                Value::list(m.borrow().entries.iter().map(|(_, v)| v.clone()).collect())
            }
            ("entrySet", 0) => Value::list(
                m.borrow()
                    .entries
                    .iter()
                    .map(|(k, v)| Value::Entry(Shared::new(Pair(k.clone(), v.clone()))))
                    .collect(),
            ),
            _ => Value::Null,
        })
    }

    /// Key/value pairs of any map-like value.
    pub(crate) fn pairs(&self, v: &Value<'a>) -> Vec<(Value<'a>, Value<'a>)> {
        match v {
            Value::Map(m) => m.borrow().entries.clone(),
            Value::Json(j) if j.is_object() => j
                .entries()
                .map(|(k, v)| (Value::str(k), Value::from_json(v)))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn out_of_bounds(&self, index: &Value<'_>, len: usize) -> Fail {
        self.runtime(format!(
            "IndexOutOfBoundsException: Index: {}, Size: {len}",
            to_display(index)
        ))
    }
}

/// Read-only calls on request JSON that need no copy of the container.
fn is_json_read(name: &str, arity: usize) -> bool {
    matches!(
        (name, arity),
        ("size" | "isEmpty", 0) | ("get" | "containsKey", 1)
    )
}

impl<'a> Renderer<'a> {
    fn json_read(&mut self, j: JRef<'a>, name: &str, args: &[Value<'a>]) -> R<'a> {
        let key = |v: &Value<'_>| match v {
            Value::Str(s) => s.as_str().to_owned(),
            v => to_display(v),
        };
        Ok(match name {
            "size" => Value::Int(j.len() as i64),
            "isEmpty" => Value::Bool(j.len() == 0),
            "get" if j.is_array() => match args[0].as_i64().filter(|i| *i >= 0) {
                Some(i) if (i as usize) < j.len() => {
                    j.index(i).map_or(Value::Null, Value::from_json)
                }
                _ => return Err(self.out_of_bounds(&args[0], j.len())),
            },
            "get" => j.get(&key(&args[0])).map_or(Value::Null, Value::from_json),
            _ => Value::Bool(j.is_object() && j.get(&key(&args[0])).is_some()),
        })
    }
}

fn number_method<'a>(v: &Value<'a>, name: &str) -> Value<'a> {
    match name {
        "intValue" | "longValue" => v.as_f64().map_or(Value::Null, |f| match v {
            Value::Int(i) => Value::Int(if name == "intValue" {
                *i as i32 as i64
            } else {
                *i
            }),
            _ => Value::Int(f as i64),
        }),
        "doubleValue" | "floatValue" => v.as_f64().map_or(Value::Null, Value::Float),
        _ => Value::Null,
    }
}

pub(crate) fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// Byte offset of UTF-16 index `i` (None past the end).
fn byte_offset(s: &str, i: usize) -> Option<usize> {
    if s.is_ascii() {
        return (i <= s.len()).then_some(i);
    }
    let mut units = 0;
    for (b, c) in s.char_indices() {
        if units >= i {
            return Some(b);
        }
        units += c.len_utf16();
    }
    (units >= i).then_some(s.len())
}

/// Java `substring` on UTF-16 units; a split surrogate pair becomes U+FFFD.
fn utf16_slice(s: &str, begin: usize, end: usize) -> String {
    if s.is_ascii() {
        return s[begin..end].to_owned();
    }
    let units: Vec<u16> = s.encode_utf16().collect();
    String::from_utf16_lossy(&units[begin..end])
}

/// Java `String.split(regex, limit)`: no leading empty piece for a zero-width match
/// at 0, and with limit 0 trailing empty pieces are dropped.
fn java_split<'s>(re: &regex::Regex, s: &'s str, limit: i64) -> Vec<&'s str> {
    if s.is_empty() {
        return vec![""];
    }
    let mut parts = Vec::new();
    let mut last = 0;
    for m in re.find_iter(s) {
        if limit > 0 && parts.len() as i64 == limit - 1 {
            break;
        }
        if m.end() == 0 {
            continue;
        }
        if m.start() == m.end() && m.start() >= s.len() {
            break;
        }
        parts.push(&s[last..m.start()]);
        last = m.end();
    }
    parts.push(&s[last..]);
    if limit == 0 {
        while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        if parts.len() == 1 && parts[0].is_empty() {
            parts.clear();
        }
    }
    parts
}

/// Converts a Java `Matcher.replaceAll` replacement (`$1`, `${name}`, `\$`) into
/// the `regex` crate's syntax.
fn java_replacement(rep: &str) -> Result<String, String> {
    let mut out = String::with_capacity(rep.len());
    let mut chars = rep.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(c) => out.push(c),
                None => return Err("character to be escaped is missing".into()),
            },
            '$' => match chars.peek() {
                Some('{') => {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    out.push_str(&format!("${{{name}}}"));
                }
                Some(d) if d.is_ascii_digit() => {
                    let mut n = String::new();
                    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                        n.push(*d);
                        chars.next();
                    }
                    out.push_str(&format!("${{{n}}}"));
                }
                _ => return Err("Illegal group reference in replacement".into()),
            },
            c => out.push(c),
        }
    }
    Ok(out)
}
