//! HTTP APIs' parameter mapping (http-api-parameter-mapping.html): an integration's
//! `requestParameters` change the request before it reaches the backend
//! (`append|overwrite|remove:header.{name}`, `append|overwrite|remove:querystring.{name}`,
//! `overwrite:path`), its `responseParameters` change the response by the integration's status
//! code (`append|overwrite|remove:header.{name}`, `overwrite:statuscode`).
//!
//! A value is static text with variables in it, `$request.header.x` or `${request.header.x}`
//! (braces let text follow a variable): `$request.header.{name}` (case-insensitive, several
//! values joined with commas), `$request.querystring.{name}` (likewise), `$request.body.{path}`
//! (a JSON path into the body; recursive descent and filters are not supported, as in AWS),
//! `$request.body`, `$request.path` (the path without the stage), `$request.path.{name}`,
//! `$context.{name}`, `$stageVariables.{name}`; on the response side `$response.header.{name}`,
//! `$response.body.{path}` and `$response.body`. Values are parsed when the deployment is
//! compiled; a mapping whose value comes out empty changes nothing.

use serde_json::Value;

/// One piece of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    RequestHeader(String),
    RequestQuery(String),
    RequestBody(Vec<Step>),
    RequestPath,
    RequestPathParam(String),
    Context(String),
    StageVariable(String),
    ResponseHeader(String),
    ResponseBody(Vec<Step>),
}

/// A step of a JSON path: a member or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Member(String),
    Index(usize),
}

/// A parsed value: its parts in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expr(pub Vec<Part>);

/// What a mapping does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Append,
    Overwrite,
    Remove,
}

/// Where a mapping writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Lower-case header name.
    Header(String),
    QueryString(String),
    Path,
    StatusCode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub op: Op,
    pub target: Target,
    pub value: Expr,
}

/// Parse `overwrite:header.x` → `$request.header.y`. `None` for a key AWS does not accept
/// (the management API checked them; a stored oddity is skipped, not served wrongly).
pub fn mapping(key: &str, value: &str) -> Option<Mapping> {
    let (op, rest) = key.split_once(':')?;
    let op = match op.to_ascii_lowercase().as_str() {
        "append" => Op::Append,
        "overwrite" => Op::Overwrite,
        "remove" => Op::Remove,
        _ => return None,
    };
    let target = if rest.eq_ignore_ascii_case("path") {
        Target::Path
    } else if rest.eq_ignore_ascii_case("statuscode") {
        Target::StatusCode
    } else if let Some(h) = strip_prefix_ci(rest, "header.") {
        Target::Header(h.to_ascii_lowercase())
    } else if let Some(q) = strip_prefix_ci(rest, "querystring.") {
        Target::QueryString(q.to_string())
    } else {
        return None;
    };
    Some(Mapping {
        op,
        target,
        value: parse(value),
    })
}

/// Headers a mapping may not write (http-api-parameter-mapping.html, "Reserved headers"): the
/// management API refuses them; one stored anyway is skipped rather than sent.
pub fn is_reserved_header(name: &str) -> bool {
    matches!(
        name,
        "access-control-allow-credentials"
            | "access-control-allow-headers"
            | "access-control-allow-methods"
            | "access-control-allow-origin"
            | "access-control-expose-headers"
            | "access-control-max-age"
            | "connection"
            | "content-encoding"
            | "content-length"
            | "cookie"
            | "date"
            | "expect"
            | "host"
            | "max-forwards"
            | "proxy-authenticate"
            | "server"
            | "te"
            | "transfer-encoding"
            | "trailer"
            | "upgrade"
            | "via"
            | "x-forwarded-for"
            | "x-forwarded-host"
            | "x-forwarded-proto"
    ) || name.starts_with("x-amzn-")
        || name.starts_with("apigw-")
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
        .filter(|rest| !rest.is_empty())
}

/// Parse a value: text with `$name.path` and `${name.path}` variables.
pub fn parse(value: &str) -> Expr {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        text.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (var, next) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], &braced[end + 1..]),
                None => ("", after),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || "._-[]".contains(c)))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match variable(var) {
            Some(p) => {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(p);
                rest = next;
            }
            None => {
                text.push('$');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Expr(parts)
}

fn variable(var: &str) -> Option<Part> {
    let (root, rest) = match var.split_once('.') {
        Some((r, p)) => (r, Some(p)),
        None => (var, None),
    };
    Some(match (root, rest) {
        ("request", Some(p)) => {
            if p == "path" {
                Part::RequestPath
            } else if p == "body" {
                Part::RequestBody(Vec::new())
            } else if let Some(n) = p.strip_prefix("header.") {
                Part::RequestHeader(n.to_ascii_lowercase())
            } else if let Some(n) = p.strip_prefix("querystring.") {
                Part::RequestQuery(n.to_string())
            } else if let Some(n) = p.strip_prefix("path.") {
                Part::RequestPathParam(n.to_string())
            } else if let Some(n) = p.strip_prefix("body.") {
                Part::RequestBody(json_path(n)?)
            } else {
                return None;
            }
        }
        ("response", Some(p)) => {
            if p == "body" {
                Part::ResponseBody(Vec::new())
            } else if let Some(n) = p.strip_prefix("header.") {
                Part::ResponseHeader(n.to_ascii_lowercase())
            } else if let Some(n) = p.strip_prefix("body.") {
                Part::ResponseBody(json_path(n)?)
            } else {
                return None;
            }
        }
        ("context", Some(p)) if !p.is_empty() => Part::Context(p.to_string()),
        ("stageVariables", Some(p)) if !p.is_empty() => Part::StageVariable(p.to_string()),
        _ => return None,
    })
}

/// `a.b[0].c` → steps.
fn json_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for member in path.split('.') {
        let (name, mut indexes) = match member.find('[') {
            Some(i) => (&member[..i], &member[i..]),
            None => (member, ""),
        };
        if !name.is_empty() {
            steps.push(Step::Member(name.to_string()));
        } else if indexes.is_empty() {
            return None;
        }
        while let Some(inner) = indexes.strip_prefix('[') {
            let end = inner.find(']')?;
            steps.push(Step::Index(inner[..end].parse().ok()?));
            indexes = &inner[end + 1..];
        }
        if !indexes.is_empty() {
            return None;
        }
    }
    Some(steps)
}

/// Follow `steps` into `doc`: a string as it is, anything else as JSON text.
pub fn select(doc: &Value, steps: &[Step]) -> Option<String> {
    let mut at = doc;
    for s in steps {
        at = match s {
            Step::Member(m) => at.get(m)?,
            Step::Index(i) => at.get(*i)?,
        };
    }
    match at {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Where the variables' values come from.
pub trait Sources {
    /// Lookup of one variable (never a `Text`); `None` when it has no value.
    fn value(&self, part: &Part) -> Option<String>;
}

impl Expr {
    /// The value with its variables filled in (a variable without a value adds nothing);
    /// `escape` transforms each variable's value (path mappings percent-encode them).
    pub fn eval(&self, src: &dyn Sources, escape: Option<fn(&str) -> String>) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Part::Text(t) => out.push_str(t),
                var => {
                    if let Some(v) = src.value(var) {
                        match escape {
                            Some(f) => out.push_str(&f(&v)),
                            None => out.push_str(&v),
                        }
                    }
                }
            }
        }
        out
    }

    /// Does the value read the request body (which is then parsed once)?
    pub fn reads_request_body(&self) -> bool {
        self.0
            .iter()
            .any(|p| matches!(p, Part::RequestBody(s) if !s.is_empty()))
    }

    pub fn reads_response_body(&self) -> bool {
        self.0
            .iter()
            .any(|p| matches!(p, Part::ResponseBody(s) if !s.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fixed;
    impl Sources for Fixed {
        fn value(&self, p: &Part) -> Option<String> {
            match p {
                Part::RequestHeader(h) if h == "x-a" => Some("A".into()),
                Part::RequestPathParam(n) if n == "id" => Some("7 8".into()),
                Part::StageVariable(n) if n == "env" => Some("dev".into()),
                Part::Context(c) if c == "requestId" => Some("rid".into()),
                _ => None,
            }
        }
    }

    #[test]
    fn values_mix_text_and_variables() {
        let e = parse("v=${request.header.X-A}-$stageVariables.env!");
        assert_eq!(e.eval(&Fixed, None), "v=A-dev!");
        assert_eq!(parse("static").eval(&Fixed, None), "static");
        assert_eq!(parse("$request.header.missing").eval(&Fixed, None), "");
        assert_eq!(parse("$context.requestId").eval(&Fixed, None), "rid");
        assert_eq!(parse("$5.00").eval(&Fixed, None), "$5.00");
        let esc = |s: &str| s.replace(' ', "%20");
        assert_eq!(
            parse("/items/${request.path.id}").eval(&Fixed, Some(esc)),
            "/items/7%208"
        );
    }

    #[test]
    fn keys_and_json_paths() {
        let m = mapping("overwrite:header.X-Up", "$request.body.a.b[1]").unwrap();
        assert_eq!(m.op, Op::Overwrite);
        assert_eq!(m.target, Target::Header("x-up".into()));
        assert!(m.value.reads_request_body());
        let Part::RequestBody(steps) = &m.value.0[0] else {
            panic!()
        };
        assert_eq!(
            select(&json!({"a": {"b": [1, "two"]}}), steps).as_deref(),
            Some("two")
        );
        assert_eq!(
            select(&json!({"a": {"b": {"c": 1}}}), &json_path("a.b").unwrap()).as_deref(),
            Some("{\"c\":1}")
        );
        assert_eq!(
            mapping("overwrite:path", "/x").unwrap().target,
            Target::Path
        );
        assert_eq!(
            mapping("overwrite:statuscode", "204").unwrap().target,
            Target::StatusCode
        );
        assert_eq!(
            mapping("remove:querystring.q", "''").unwrap().target,
            Target::QueryString("q".into())
        );
        assert!(mapping("replace:header.x", "v").is_none());
        assert!(mapping("overwrite:cookie.x", "v").is_none());
    }
}
