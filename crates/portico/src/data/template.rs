//! Mapping templates as the data plane uses them: parsed once at compile time, rendered per
//! request. A template with no `$` and no `#` renders as itself in Velocity, so it skips the
//! engine entirely (the common `{"statusCode": 200}` MOCK template costs a copy).

use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub struct Template {
    src: Box<str>,
    kind: Kind,
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
}

/// Output plus the `$context.requestOverride` / `responseOverride` writes.
#[derive(Debug, Default)]
pub struct Rendered {
    pub output: String,
    pub request_headers: Vec<(String, String)>,
    pub request_query: Vec<(String, String)>,
    pub request_path: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub response_status: Option<u16>,
}

impl Template {
    pub fn parse(src: &str) -> Result<Template, String> {
        let kind = if src.contains('$') || src.contains('#') {
            Kind::Vtl(vtl::Template::parse(src).map_err(|e| e.to_string())?)
        } else {
            Kind::Literal
        };
        Ok(Template {
            src: src.into(),
            kind,
        })
    }

    pub fn is_literal(&self) -> bool {
        matches!(self.kind, Kind::Literal)
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
                };
                let r = t
                    .render(&ctx, &vtl::Limits::default())
                    .map_err(|e| e.to_string())?;
                Ok(Rendered {
                    output: r.output,
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
    ct.split(';').next().unwrap_or("").trim()
}
