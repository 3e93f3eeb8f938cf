//! API Gateway's built-in variables: `$input`, `$util`, `$context` (with the
//! writable `requestOverride`/`responseOverride`), and the loop object `$foreach`.

use crate::ast::Prop;
use crate::error::Fail;
use crate::json::{self, JRef};
use crate::jsonpath::{self, Matches};
use crate::render::Renderer;
use crate::util;
use crate::value::{to_display, Map, OverrideKind, Special, Str, Value};

type R<'a> = Result<Value<'a>, Fail>;

impl<'a> Renderer<'a> {
    pub(crate) fn special_property(&mut self, s: Special, name: &str) -> R<'a> {
        Ok(match (s, name) {
            (Special::Input, "body") => Value::str(self.body_text()),
            (Special::Input, "params") => self.params(),
            (Special::Context, "requestOverride") => Value::Special(Special::RequestOverride),
            (Special::Context, "responseOverride") => Value::Special(Special::ResponseOverride),
            (Special::Context, _) => self
                .ctx
                .context
                .get(name)
                .map_or(Value::Null, Value::from_serde),
            (Special::RequestOverride, "header") => {
                Value::Special(Special::Override(OverrideKind::RequestHeader))
            }
            (Special::RequestOverride, "querystring") => {
                Value::Special(Special::Override(OverrideKind::RequestQuery))
            }
            (Special::RequestOverride, "path") => {
                Value::Special(Special::Override(OverrideKind::RequestPath))
            }
            (Special::ResponseOverride, "header") => {
                Value::Special(Special::Override(OverrideKind::ResponseHeader))
            }
            (Special::ResponseOverride, "status") => self
                .resp
                .status
                .map_or(Value::Null, |s| Value::Int(s.into())),
            (Special::ResponseOverride, key) => self
                .resp
                .other
                .iter()
                .find(|(k, _)| k == key)
                .map_or(Value::Null, |(_, v)| Value::string(v.clone())),
            (Special::Override(kind), key) => self.override_get(kind, key),
            (Special::Foreach, _) => self.foreach_property(Prop::of(name)),
            _ => Value::Null,
        })
    }

    pub(crate) fn special_method(
        &mut self,
        s: Special,
        name: &str,
        args: &mut Vec<Value<'a>>,
    ) -> R<'a> {
        let arg = |i: usize| args.get(i).map(to_display).unwrap_or_default();
        // The hot calls take their argument without copying it.
        let arg0: Str<'a> = match args.first() {
            Some(Value::Str(s)) => s.clone(),
            Some(v) => Str::Owned(to_display(v).into()),
            None => Str::Borrowed(""),
        };
        match (s, name, args.len()) {
            (Special::Input, "path", 1) => self.input_path(arg0.as_str()),
            (Special::Input, "json", 1) => self.input_json(arg0.as_str()),
            (Special::Input, "params", 0) => Ok(self.params()),
            (Special::Input, "params", 1) => Ok(self.param(arg0.as_str())),
            (Special::Input, "getBody", 0) => Ok(Value::str(self.body_text())),
            (Special::Util, "escapeJavaScript", 1) => {
                let src = match &args[0] {
                    Value::Str(s) => s.clone(),
                    v => Str::Owned(self.display(v)?.into()),
                };
                let mut out = String::with_capacity(src.as_str().len() + 8);
                util::escape_javascript(src.as_str(), &mut out);
                self.owned(out)
            }
            (Special::Util, "parseJson", 1) => {
                let src = arg(0);
                match serde_json::from_str::<serde_json::Value>(&src) {
                    Ok(j) => {
                        self.charge_json(src.len())?;
                        Ok(Value::from_owned_json(j))
                    }
                    Err(e) => Err(self.runtime(format!("$util.parseJson: invalid JSON: {e}"))),
                }
            }
            (Special::Util, "urlEncode", 1) => {
                let s = util::url_encode(&arg(0));
                self.owned(s)
            }
            (Special::Util, "urlDecode", 1) => {
                let s = util::url_decode(&arg(0)).map_err(|m| self.runtime(m))?;
                self.owned(s)
            }
            (Special::Util, "base64Encode", 1) => {
                let s = util::base64_encode(&arg(0));
                self.owned(s)
            }
            (Special::Util, "base64Decode", 1) => {
                let s = util::base64_decode(&arg(0)).map_err(|m| self.runtime(m))?;
                self.owned(s)
            }
            (Special::Context, _, _) => {
                let ctx = Value::from_serde(&self.ctx.context);
                if matches!(ctx, Value::Json(_)) {
                    self.call_method(ctx, name, args)
                } else {
                    Ok(Value::Null)
                }
            }
            (Special::Override(kind), "get", 1) => Ok(self.override_get(kind, &arg(0))),
            (Special::Override(kind), "put", 2) => {
                let old = self.override_get(kind, &arg(0));
                let key = arg(0);
                self.set_special(Special::Override(kind), &key, args[1].clone())?;
                Ok(old)
            }
            (Special::Override(kind), _, _) => {
                let snapshot = self.override_map(kind);
                self.call_method(snapshot, name, args)
            }
            (Special::Foreach, _, 0) => {
                let prop = name
                    .strip_prefix("get")
                    .or_else(|| name.strip_prefix("is"))
                    .map(|p| {
                        let mut c = p.chars();
                        c.next()
                            .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    })
                    .unwrap_or_else(|| name.to_owned());
                Ok(self.foreach_property(Prop::of(&prop)))
            }
            _ => Ok(Value::Null),
        }
    }

    /// `#set($context.requestOverride.header.X = v)` and friends.
    pub(crate) fn set_special(&mut self, s: Special, key: &str, v: Value<'a>) -> Result<(), Fail> {
        match s {
            Special::Override(kind) => {
                // A list assigns a multi-value header or query parameter: one pair
                // per element, replacing earlier values of the key.
                let values = match v.list_items() {
                    Some(items) => items,
                    None => vec![v],
                };
                let mut texts = Vec::with_capacity(values.len());
                for v in &values {
                    texts.push(self.display(v)?);
                }
                let map = match kind {
                    OverrideKind::RequestHeader => &mut self.req.header,
                    OverrideKind::RequestQuery => &mut self.req.querystring,
                    OverrideKind::RequestPath => &mut self.req.path,
                    OverrideKind::ResponseHeader => &mut self.resp.header,
                };
                match map.iter().position(|(k, _)| k == key) {
                    Some(first) if texts.len() == 1 => {
                        map.retain(|(k, _)| k != key);
                        let v = texts.pop().unwrap_or_default();
                        map.insert(first.min(map.len()), (key.to_owned(), v));
                    }
                    _ => {
                        map.retain(|(k, _)| k != key);
                        map.extend(texts.into_iter().map(|t| (key.to_owned(), t)));
                    }
                }
            }
            Special::ResponseOverride if key == "status" => {
                let code = match &v {
                    Value::Int(i) => u16::try_from(*i).ok(),
                    v => to_display(v).trim().parse::<u16>().ok(),
                };
                if code.is_some() {
                    self.resp.status = code;
                }
            }
            Special::ResponseOverride if key != "header" => {
                let text = self.display(&v)?;
                self.resp.other.retain(|(k, _)| k != key);
                self.resp.other.push((key.to_owned(), text));
            }
            _ => {}
        }
        Ok(())
    }

    fn override_get(&self, kind: OverrideKind, key: &str) -> Value<'a> {
        self.override_entries(kind)
            .iter()
            .find(|(k, _)| k == key)
            .map_or(Value::Null, |(_, v)| Value::string(v.clone()))
    }

    fn override_entries(&self, kind: OverrideKind) -> &[(String, String)] {
        match kind {
            OverrideKind::RequestHeader => &self.req.header,
            OverrideKind::RequestQuery => &self.req.querystring,
            OverrideKind::RequestPath => &self.req.path,
            OverrideKind::ResponseHeader => &self.resp.header,
        }
    }

    fn override_map(&self, kind: OverrideKind) -> Value<'a> {
        Value::map(Map {
            entries: self
                .override_entries(kind)
                .iter()
                .map(|(k, v)| (Value::string(k.clone()), Value::string(v.clone())))
                .collect(),
        })
    }

    #[inline]
    pub(crate) fn foreach_property(&self, prop: Prop) -> Value<'a> {
        let Some(l) = self.loops.last() else {
            return Value::Null;
        };
        match prop {
            Prop::Index => Value::Int(l.index as i64),
            Prop::Count => Value::Int(l.index as i64 + 1),
            Prop::HasNext => Value::Bool(l.index + 1 < l.len),
            Prop::First => Value::Bool(l.index == 0),
            Prop::Last => Value::Bool(l.index + 1 == l.len),
            Prop::Other => Value::Null,
        }
    }

    /// AWS substitutes `{}` for an empty body (LocalStack PR #12413, verified on AWS).
    fn body_text(&self) -> &'a str {
        if self.ctx.body.is_empty() {
            "{}"
        } else {
            &self.ctx.body
        }
    }

    /// The body parsed as JSON, at most once per render.
    fn body_json(&self) -> Result<JRef<'a>, Fail> {
        let ctx = self.ctx;
        let parsed = self.body.get_or_init(|| {
            let text = ctx.body.trim();
            json::parse(if text.is_empty() { "{}" } else { text })
        });
        match parsed {
            Ok(d) => Ok(JRef::root(d)),
            Err(m) => Err(self.runtime(m.clone())),
        }
    }

    fn input_path(&mut self, path: &str) -> R<'a> {
        let root = self.body_json()?;
        let m = jsonpath::select(root, path).map_err(|m| self.runtime(m))?;
        Ok(path_value(m))
    }

    fn input_json(&mut self, path: &str) -> R<'a> {
        let root = self.body_json()?;
        let m = jsonpath::select(root, path).map_err(|m| self.runtime(m))?;
        self.json_text(m)
    }

    /// `$input.path/json` with a JSONPath parsed with the template.
    pub(crate) fn input_path_compiled(&mut self, path: &jsonpath::Path, json: bool) -> R<'a> {
        let m = jsonpath::select_compiled(self.body_json()?, path);
        if json {
            self.json_text(m)
        } else {
            Ok(path_value(m))
        }
    }

    fn json_text(&mut self, m: Matches<'a>) -> R<'a> {
        let cap = self.max_output();
        let mut text = String::new();
        match m {
            Matches::One(Some(j)) => j.write_json(&mut text, cap),
            Matches::One(None) => return Ok(Value::str("")),
            Matches::Many(v) => {
                text.push('[');
                for (i, j) in v.into_iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    j.write_json(&mut text, cap);
                }
                text.push(']');
            }
        }
        self.owned(text)
    }

    /// `$input.params()`: `{path={..}, querystring={..}, header={..}}`, built once.
    fn params(&mut self) -> Value<'a> {
        if let Some(p) = &self.params {
            return p.clone();
        }
        let ctx = self.ctx;
        let group = |pairs: &'a [(String, String)]| {
            let mut m = Map::default();
            for (k, v) in pairs {
                m.put(Value::str(k), Value::str(v));
            }
            Value::map(m)
        };
        let all = Value::map(Map {
            entries: vec![
                (Value::str("path"), group(&ctx.path_params)),
                (Value::str("querystring"), group(&ctx.query_params)),
                (Value::str("header"), group(&ctx.header_params)),
            ],
        });
        self.params = Some(all.clone());
        all
    }

    /// `$input.params(name)`: path, then query string, then header (header names
    /// are case-insensitive in HTTP); missing is the empty string.
    fn param(&self, name: &str) -> Value<'a> {
        let ctx = self.ctx;
        let exact = |pairs: &'a [(String, String)]| pairs.iter().find(|(k, _)| k == name);
        exact(&ctx.path_params)
            .or_else(|| exact(&ctx.query_params))
            .or_else(|| exact(&ctx.header_params))
            .or_else(|| {
                ctx.header_params
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
            })
            .map_or(Value::str(""), |(_, v)| Value::str(v))
    }

    fn charge_json(&mut self, len: usize) -> Result<(), Fail> {
        // Parsed JSON costs more than its text; a rough factor keeps loops of
        // parseJson inside the memory budget.
        self.charge(len.saturating_mul(2))
    }
}

fn path_value(m: Matches<'_>) -> Value<'_> {
    match m {
        Matches::One(Some(j)) => Value::from_json(j),
        Matches::One(None) => Value::Null,
        Matches::Many(v) => Value::list(v.into_iter().map(Value::from_json).collect()),
    }
}
