//! Parameter mapping expressions (`requestParameters` / `responseParameters` values): parsed once
//! at compile time into a [`Source`], evaluated per request against a [`View`].
//!
//! Sources AWS allows: `method.request.{path|querystring|multivaluequerystring|header|
//! multivalueheader}.NAME`, `method.request.body[.JSONPath]`, `integration.response.{header|
//! multivalueheader}.NAME`, `integration.response.body[.JSONPath]`, `context.VAR`,
//! `stageVariables.NAME`, and a static `'value'`.

use std::sync::OnceLock;

use hyper::HeaderMap;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Static(String),
    Path(String),
    Query(String),
    MultiQuery(String),
    Header(String),
    MultiHeader(String),
    RequestBody(Option<JsonPath>),
    Context(Vec<String>),
    StageVariable(String),
    IntegrationHeader(String),
    IntegrationMultiHeader(String),
    IntegrationBody(Option<JsonPath>),
}

/// Where a request mapping writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestTarget {
    Header(String),
    Query(String),
    MultiQuery(String),
    Path(String),
}

pub fn parse_request_target(key: &str) -> Result<RequestTarget, String> {
    let rest = key
        .strip_prefix("integration.request.")
        .ok_or_else(|| format!("Invalid mapping expression specified: {key}"))?;
    let (loc, name) = rest
        .split_once('.')
        .ok_or_else(|| format!("Invalid mapping expression specified: {key}"))?;
    Ok(match loc {
        "header" => RequestTarget::Header(name.into()),
        "querystring" => RequestTarget::Query(name.into()),
        "multivaluequerystring" => RequestTarget::MultiQuery(name.into()),
        "path" => RequestTarget::Path(name.into()),
        // A multi-value header target is written as a comma-joined header.
        "multivalueheader" => RequestTarget::Header(name.into()),
        _ => return Err(format!("Invalid mapping expression specified: {key}")),
    })
}

pub fn parse_source(expr: &str) -> Result<Source, String> {
    let bad = || format!("Invalid mapping expression specified: {expr}");
    let e = expr.trim();
    if e.len() >= 2 && e.starts_with('\'') && e.ends_with('\'') {
        return Ok(Source::Static(e[1..e.len() - 1].to_string()));
    }
    if let Some(rest) = e.strip_prefix("method.request.") {
        if rest == "body" {
            return Ok(Source::RequestBody(None));
        }
        if let Some(p) = rest.strip_prefix("body.") {
            return Ok(Source::RequestBody(Some(
                JsonPath::parse(p).ok_or_else(bad)?,
            )));
        }
        let (loc, name) = rest.split_once('.').ok_or_else(bad)?;
        return Ok(match loc {
            "path" => Source::Path(name.into()),
            "querystring" => Source::Query(name.into()),
            "multivaluequerystring" => Source::MultiQuery(name.into()),
            "header" => Source::Header(name.into()),
            "multivalueheader" => Source::MultiHeader(name.into()),
            _ => return Err(bad()),
        });
    }
    if let Some(rest) = e.strip_prefix("integration.response.") {
        if rest == "body" {
            return Ok(Source::IntegrationBody(None));
        }
        if let Some(p) = rest.strip_prefix("body.") {
            return Ok(Source::IntegrationBody(Some(
                JsonPath::parse(p).ok_or_else(bad)?,
            )));
        }
        let (loc, name) = rest.split_once('.').ok_or_else(bad)?;
        return Ok(match loc {
            "header" => Source::IntegrationHeader(name.into()),
            "multivalueheader" => Source::IntegrationMultiHeader(name.into()),
            _ => return Err(bad()),
        });
    }
    if let Some(rest) = e.strip_prefix("context.") {
        return Ok(Source::Context(rest.split('.').map(String::from).collect()));
    }
    if let Some(rest) = e.strip_prefix("stageVariables.") {
        return Ok(Source::StageVariable(rest.into()));
    }
    Err(bad())
}

/// A small JSONPath: `$`, `.name`, `['name']`, `[n]` — what mapping expressions use.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath(Vec<Step>);

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

impl JsonPath {
    /// Parse the part after `body.` (`a.b[0]`) or a full `$.a.b`.
    pub fn parse(src: &str) -> Option<JsonPath> {
        let s = src.strip_prefix('$').unwrap_or(src);
        let mut steps = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'.' => i += 1,
                b'[' => {
                    let end = s[i..].find(']')? + i;
                    let inner = s[i + 1..end].trim();
                    if let Some(q) = inner
                        .strip_prefix('\'')
                        .and_then(|x| x.strip_suffix('\''))
                        .or_else(|| inner.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
                    {
                        steps.push(Step::Key(q.to_string()));
                    } else {
                        steps.push(Step::Index(inner.parse().ok()?));
                    }
                    i = end + 1;
                }
                _ => {
                    let end = s[i..].find(['.', '[']).map_or(s.len(), |k| k + i);
                    steps.push(Step::Key(s[i..end].to_string()));
                    i = end;
                }
            }
        }
        Some(JsonPath(steps))
    }

    pub fn get<'v>(&self, mut v: &'v Value) -> Option<&'v Value> {
        for step in &self.0 {
            v = match step {
                Step::Key(k) => v.get(k)?,
                Step::Index(n) => v.get(*n)?,
            };
        }
        Some(v)
    }
}

type MakeContext<'a> = dyn Fn(Option<&[Box<str>]>) -> Value + Send + Sync + 'a;

/// `$context`, built on first use (a plainly proxied request never needs it), and in part when
/// a template reads only a few of its keys.
pub struct LazyContext<'a> {
    cell: OnceLock<Value>,
    // Borrowed from the caller's frame: a boxed closure was an allocation per request.
    make: &'a MakeContext<'a>,
}

impl<'a> LazyContext<'a> {
    /// `make(None)` builds every key; `make(Some(keys))` only those.
    pub fn new(make: &'a MakeContext<'a>) -> LazyContext<'a> {
        LazyContext {
            cell: OnceLock::new(),
            make,
        }
    }

    pub fn ready(v: Value) -> LazyContext<'a> {
        let cell = OnceLock::new();
        let _ = cell.set(v);
        LazyContext {
            cell,
            make: &|_| Value::Null,
        }
    }

    pub fn get(&self) -> &Value {
        self.cell.get_or_init(|| (self.make)(None))
    }

    /// An owned `$context` with at least `keys` (`None` = all of it).
    pub fn owned(&self, keys: Option<&[Box<str>]>) -> Value {
        match (self.cell.get(), keys) {
            (Some(full), _) => full.clone(),
            (None, None) => self.get().clone(),
            (None, Some(keys)) => (self.make)(Some(keys)),
        }
    }

    pub fn take(self) -> Value {
        match self.cell.into_inner() {
            Some(v) => v,
            None => (self.make)(None),
        }
    }
}

/// What mapping expressions read. The JSON bodies are parsed at most once, on first use.
pub struct View<'a> {
    pub path_params: &'a [(String, String)],
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub context: &'a LazyContext<'a>,
    pub stage_variables: &'a Map<String, Value>,
    pub integration_headers: Option<&'a HeaderMap>,
    pub integration_body: &'a [u8],
    pub parsed_body: OnceLock<Option<Value>>,
    pub parsed_integration_body: OnceLock<Option<Value>>,
}

impl<'a> View<'a> {
    pub fn new(
        path_params: &'a [(String, String)],
        query: &'a [(String, String)],
        headers: &'a HeaderMap,
        body: &'a [u8],
        context: &'a LazyContext<'a>,
        stage_variables: &'a Map<String, Value>,
    ) -> View<'a> {
        View {
            path_params,
            query,
            headers,
            body,
            context,
            stage_variables,
            integration_headers: None,
            integration_body: b"",
            parsed_body: OnceLock::new(),
            parsed_integration_body: OnceLock::new(),
        }
    }

    /// The value of a source; `None` when absent (AWS then omits the target).
    pub fn eval(&self, src: &Source) -> Option<String> {
        match src {
            Source::Static(s) => Some(s.clone()),
            Source::Path(n) => lookup(self.path_params, n),
            Source::Query(n) => self
                .query
                .iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone()),
            Source::MultiQuery(n) => join(
                self.query
                    .iter()
                    .filter(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str()),
            ),
            Source::Header(n) => header(self.headers, n, false),
            Source::MultiHeader(n) => header(self.headers, n, true),
            Source::RequestBody(path) => body_value(self.body, &self.parsed_body, path.as_ref()),
            Source::Context(path) => {
                let mut v = self.context.get();
                for k in path {
                    v = v.get(k)?;
                }
                Some(scalar_text(v))
            }
            Source::StageVariable(n) => self.stage_variables.get(n).map(scalar_text),
            Source::IntegrationHeader(n) => header(self.integration_headers?, n, false),
            Source::IntegrationMultiHeader(n) => header(self.integration_headers?, n, true),
            Source::IntegrationBody(path) => body_value(
                self.integration_body,
                &self.parsed_integration_body,
                path.as_ref(),
            ),
        }
    }
}

fn lookup(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn join<'x>(mut it: impl Iterator<Item = &'x str>) -> Option<String> {
    let first = it.next()?;
    let mut out = first.to_string();
    for v in it {
        out.push(',');
        out.push_str(v);
    }
    Some(out)
}

fn header(h: &HeaderMap, name: &str, multi: bool) -> Option<String> {
    let mut values = h.get_all(name).iter().filter_map(|v| v.to_str().ok());
    if multi {
        join(values)
    } else {
        // Single-value lookups see the last value, as AWS's `headers` map does.
        values.next_back().map(String::from)
    }
}

fn body_value(
    body: &[u8],
    cell: &OnceLock<Option<Value>>,
    path: Option<&JsonPath>,
) -> Option<String> {
    match path {
        None => Some(String::from_utf8_lossy(body).into_owned()),
        Some(p) => {
            let parsed = cell.get_or_init(|| serde_json::from_slice(body).ok());
            p.get(parsed.as_ref()?).map(scalar_text)
        }
    }
}

/// Strings as themselves, anything else as JSON text.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(expr: &str, want: Option<&str>) {
        let mut headers = HeaderMap::new();
        headers.append("x-a", "1".parse().unwrap());
        headers.append("x-a", "2".parse().unwrap());
        let path = vec![("id".to_string(), "7".to_string())];
        let query = vec![
            ("q".to_string(), "a".to_string()),
            ("q".to_string(), "b".to_string()),
        ];
        let ctx = json!({"requestId": "r-1", "identity": {"sourceIp": "127.0.0.1"}});
        let mut sv = Map::new();
        sv.insert("env".into(), json!("prod"));
        let body = br#"{"pet": {"name": "rex", "tags": ["a", "b"]}, "n": 3}"#;
        let ctx = LazyContext::ready(ctx);
        let view = View::new(&path, &query, &headers, body, &ctx, &sv);
        let src = parse_source(expr).unwrap();
        assert_eq!(view.eval(&src).as_deref(), want, "{expr}");
    }

    #[test]
    fn sources() {
        check("'static'", Some("static"));
        check("method.request.path.id", Some("7"));
        check("method.request.path.nope", None);
        check("method.request.querystring.q", Some("b"));
        check("method.request.multivaluequerystring.q", Some("a,b"));
        check("method.request.header.X-A", Some("2"));
        check("method.request.multivalueheader.x-a", Some("1,2"));
        check("method.request.body.pet.name", Some("rex"));
        check("method.request.body.$.pet.tags[1]", Some("b"));
        check("method.request.body.n", Some("3"));
        check("context.requestId", Some("r-1"));
        check("context.identity.sourceIp", Some("127.0.0.1"));
        check("stageVariables.env", Some("prod"));
        check("stageVariables.missing", None);
    }

    #[test]
    fn bad_expressions_are_rejected() {
        assert!(parse_source("method.request.cookie.x").is_err());
        assert!(parse_source("nonsense").is_err());
        assert!(parse_request_target("integration.request.body.x").is_err());
        assert_eq!(
            parse_request_target("integration.request.path.id"),
            Ok(RequestTarget::Path("id".into()))
        );
    }
}
