//! Mapping templates as the data plane uses them: parsed once at compile time, rendered per
//! request. A template with no `$` and no `#` renders as itself in Velocity, so it skips the
//! engine entirely (the common `{"statusCode": 200}` MOCK template costs a copy).

use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub struct Template {
    src: Box<str>,
    kind: Kind,
    needs: Needs,
}

/// What a template reads, found once at parse time so each render builds only that (a template
/// that prints `$context.requestId` doesn't pay for the whole `$context`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Needs {
    /// `$input` (body, params).
    pub input: bool,
    pub stage_variables: bool,
    /// `None`: the whole `$context` (it is used as a value); `Some(keys)`: only these.
    pub context: Option<Vec<Box<str>>>,
}

impl Needs {
    fn of(src: &str) -> Needs {
        let mut keys: Vec<Box<str>> = Vec::new();
        let mut all = false;
        let mut from = 0;
        while let Some(i) = src[from..].find("context") {
            let at = from + i;
            from = at + "context".len();
            let before = src[..at].trim_end_matches(['{', '!']);
            if !before.ends_with('$') {
                continue;
            }
            let rest = &src[from..];
            let Some(after_dot) = rest.strip_prefix('.') else {
                all = true;
                continue;
            };
            let end = after_dot
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after_dot.len());
            let key = &after_dot[..end];
            if key.is_empty() {
                all = true;
            } else if !matches!(key, "requestOverride" | "responseOverride")
                && !keys.iter().any(|k| &**k == key)
            {
                keys.push(key.into());
            }
        }
        Needs {
            input: src.contains("input"),
            stage_variables: src.contains("stageVariables"),
            context: if all { None } else { Some(keys) },
        }
    }
}

#[derive(Debug, Clone)]
enum Kind {
    Literal,
    Vtl(vtl::Template),
}

/// Per-render inputs (owned: the engine's context owns them).
#[derive(Debug, Default)]
pub struct Inputs {
    pub body: String,
    pub path_params: Vec<(String, String)>,
    pub query_params: Vec<(String, String)>,
    pub header_params: Vec<(String, String)>,
    pub context: Value,
    pub stage_variables: Map<String, Value>,
    /// The overrides an earlier template of the same invocation set.
    pub carried: Carried,
}

/// `$context.requestOverride` / `responseOverride` as a template left them: a MOCK
/// integration's response template starts from what its request template set, and the
/// request template's `responseOverride` shapes the response (AWS's recorded answers:
/// LocalStack's test_integration_mock_with_*override*, replayed in tests/aws_recorded).
#[derive(Debug, Default, Clone)]
pub struct Carried {
    pub request: vtl::Overrides,
    pub response: vtl::ResponseOverrides,
}

/// Output plus the `$context.requestOverride` / `responseOverride` writes.
#[derive(Debug, Default)]
pub struct Rendered {
    pub output: String,
    /// Every override after this render (the carried ones included).
    pub carried: Carried,
    pub request_headers: Vec<(String, String)>,
    pub request_query: Vec<(String, String)>,
    pub request_path: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub response_status: Option<u16>,
}

impl Template {
    pub fn parse(src: &str) -> Result<Template, String> {
        let (kind, needs) = if src.contains('$') || src.contains('#') {
            (
                Kind::Vtl(vtl::Template::parse(src).map_err(|e| e.to_string())?),
                Needs::of(src),
            )
        } else {
            (
                Kind::Literal,
                Needs {
                    context: Some(Vec::new()),
                    ..Needs::default()
                },
            )
        };
        Ok(Template {
            src: src.into(),
            kind,
            needs,
        })
    }

    /// The template's text when it renders as itself.
    pub fn literal(&self) -> Option<&str> {
        matches!(self.kind, Kind::Literal).then_some(&*self.src)
    }

    pub fn needs(&self) -> &Needs {
        &self.needs
    }

    /// Render; the error text is what AWS logs as the execution failure.
    pub fn render(&self, inputs: Inputs) -> Result<Rendered, String> {
        self.render_with(|| inputs)
    }

    /// Render, building the inputs only if the template reads them (a literal doesn't).
    pub fn render_with(&self, inputs: impl FnOnce() -> Inputs) -> Result<Rendered, String> {
        match &self.kind {
            Kind::Literal => Ok(Rendered {
                output: self.src.to_string(),
                ..Rendered::default()
            }),
            Kind::Vtl(t) => {
                let inputs = inputs();
                let ctx = vtl::Context {
                    body: inputs.body,
                    path_params: inputs.path_params,
                    query_params: inputs.query_params,
                    header_params: inputs.header_params,
                    context: inputs.context,
                    stage_variables: inputs.stage_variables,
                    request_override: inputs.carried.request,
                    response_override: inputs.carried.response,
                };
                let r = t
                    .render(&ctx, &vtl::Limits::default())
                    .map_err(|e| e.to_string())?;
                let carried = if r.request_override == vtl::Overrides::default()
                    && r.response_override == vtl::ResponseOverrides::default()
                {
                    Carried::default()
                } else {
                    Carried {
                        request: r.request_override.clone(),
                        response: r.response_override.clone(),
                    }
                };
                Ok(Rendered {
                    output: r.output,
                    carried,
                    request_headers: r.request_override.header,
                    request_query: r.request_override.querystring,
                    request_path: r.request_override.path,
                    response_headers: r.response_override.header,
                    response_status: r.response_override.status,
                })
            }
        }
    }
}

/// Pick the template for `content_type` from `(content type, template)` pairs: exact match on the
/// media type (parameters and case ignored).
pub fn select<'t>(templates: &'t [(String, Template)], content_type: &str) -> Option<&'t Template> {
    let want = media_type(content_type);
    templates
        .iter()
        .find(|(ct, _)| media_type(ct).eq_ignore_ascii_case(want))
        .map(|(_, t)| t)
}

/// `"application/json; charset=utf-8"` → `"application/json"`.
pub fn media_type(ct: &str) -> &str {
    // A byte scan: these strings are short and `split` sets up a searcher per call.
    let end = ct.bytes().position(|b| b == b';').unwrap_or(ct.len());
    ct[..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, input: bool, stage_variables: bool, context: Option<&[&str]>) {
        let t = Template::parse(src).unwrap();
        let want = Needs {
            input,
            stage_variables,
            context: context.map(|k| k.iter().map(|s| (*s).into()).collect()),
        };
        assert_eq!(t.needs(), &want, "{src}");
    }

    #[test]
    fn needs_are_found() {
        check(r#"{"statusCode": 200}"#, false, false, Some(&[]));
        check(
            r#"{"id": "$context.requestId", "s": "${context.stage}", "x": "$!context.requestId"}"#,
            false,
            false,
            Some(&["requestId", "stage"]),
        );
        check("#set($c = $context)$c.stage", false, false, None);
        check("$context['stage']", false, false, None);
        check(
            "$input.json('$') $stageVariables.x $context.responseOverride.status",
            true,
            true,
            Some(&[]),
        );
        check("context is a word here $x", false, false, Some(&[]));
    }
}
