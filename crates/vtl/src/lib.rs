//! Apache Velocity (VTL) mapping templates as Amazon API Gateway runs them.
//!
//! Parse once with [`Template::parse`], render many times (concurrently) with
//! [`Template::render`]. Semantics follow AWS where it departs from Apache
//! Velocity (see `README.md` and the recorded cases in `tests/`).

mod apigw;
mod ast;
mod error;
mod expr;
mod json;
mod jsonpath;
mod methods;
mod parser;
mod render;
mod util;
mod value;

use std::cell::OnceCell;
use std::sync::Arc;
use std::time::Duration;

pub use error::{Error, ErrorKind};

use ast::{Block, Slot};
use error::Pos;
use parser::{Names, Parser};
use render::Renderer;
use value::Special;

/// A parsed template: immutable, `Send + Sync`, and cheap to clone.
#[derive(Clone, Debug)]
pub struct Template {
    inner: Arc<TemplateInner>,
}

#[derive(Debug)]
pub(crate) struct TemplateInner {
    block: Block,
    names: Vec<Box<str>>,
    /// Built-in variables the template mentions (`None` = `$stageVariables`).
    builtins: Vec<(Slot, Option<Special>)>,
    /// Initial output capacity.
    size_hint: usize,
}

impl Template {
    pub fn parse(src: &str) -> Result<Template, Error> {
        let mut names = Names::default();
        let block = Parser::new(src, &mut names, Pos { line: 1, col: 1 }, 0).parse_template()?;
        let builtins = names
            .list
            .iter()
            .enumerate()
            .filter_map(|(slot, name)| {
                let special = match &**name {
                    "input" => Some(Special::Input),
                    "util" => Some(Special::Util),
                    "context" => Some(Special::Context),
                    "foreach" => Some(Special::Foreach),
                    "velocityCount" => Some(Special::VelocityCount),
                    "velocityHasNext" => Some(Special::VelocityHasNext),
                    "stageVariables" => None,
                    _ => return None,
                };
                Some((slot as Slot, special))
            })
            .collect();
        Ok(Template {
            inner: Arc::new(TemplateInner {
                block,
                names: names.list,
                builtins,
                size_hint: (src.len() * 2).min(64 * 1024),
            }),
        })
    }

    pub fn render(&self, ctx: &Context, limits: &Limits) -> Result<Rendered, Error> {
        let body = OnceCell::new();
        let mut r = Renderer::new(&self.inner, ctx, &body, limits);
        r.block(&self.inner.block).map_err(|e| *e)?;
        Ok(Rendered {
            output: std::mem::take(&mut r.out),
            request_override: std::mem::take(&mut r.req),
            response_override: std::mem::take(&mut r.resp),
        })
    }
}

/// Per-request inputs. Everything is borrowed during rendering; nothing is copied
/// or parsed unless the template uses it (the body is parsed as JSON at most once,
/// and only for `$input.path`/`$input.json`).
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Raw body for `$input.body` (AWS renders an empty body as `{}`).
    pub body: String,
    pub path_params: Vec<(String, String)>,
    pub query_params: Vec<(String, String)>,
    pub header_params: Vec<(String, String)>,
    /// `$context.*`: an object such as `{"requestId": "...", "identity": {...}}`.
    pub context: serde_json::Value,
    pub stage_variables: serde_json::Map<String, serde_json::Value>,
    /// The `$context.requestOverride` / `responseOverride` values a template starts from: an
    /// integration response template of a MOCK integration sees what its request template set.
    pub request_override: Overrides,
    pub response_override: ResponseOverrides,
}

/// Bounds for one render; exceeding any is an `Err`, never a panic or a hang.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Output size; also bounds every string and the total bytes of strings a
    /// template builds in memory (4x this).
    pub max_output_bytes: usize,
    /// `#foreach` iterations, summed over the whole render.
    pub max_loop_iterations: u64,
    /// Nesting of blocks and `#define` expansions (capped at 256 internally).
    pub max_depth: u32,
    pub max_duration: Duration,
}

impl Default for Limits {
    /// 10 MiB output (API Gateway's payload cap), 1000 iterations (AWS's `#foreach`
    /// cap), depth 32, one second.
    fn default() -> Self {
        Limits {
            max_output_bytes: 10 * 1024 * 1024,
            max_loop_iterations: 1000,
            max_depth: 32,
            max_duration: Duration::from_secs(1),
        }
    }
}

/// Result of a render, including the `$context.*Override` writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub output: String,
    pub request_override: Overrides,
    pub response_override: ResponseOverrides,
}

/// `$context.requestOverride.*` writes, in assignment order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub header: Vec<(String, String)>,
    pub querystring: Vec<(String, String)>,
    pub path: Vec<(String, String)>,
}

/// `$context.responseOverride.*` writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseOverrides {
    pub header: Vec<(String, String)>,
    pub status: Option<u16>,
    /// Any other member (`$context.responseOverride.custom`): AWS keeps it for later templates.
    pub other: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn template_is_send_and_sync() {
        assert_send_sync::<super::Template>();
    }
}
