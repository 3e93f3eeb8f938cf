//! The one assertion helper every table-driven test uses.
#![allow(dead_code)]

use vtl::{Context, Limits, Template};

/// Renders `template` against `ctx` with default limits and compares the output.
#[track_caller]
pub fn check(template: &str, ctx: &Context, expected: &str) {
    let t =
        Template::parse(template).unwrap_or_else(|e| panic!("parse failed for {template:?}: {e}"));
    let out = t
        .render(ctx, &Limits::default())
        .unwrap_or_else(|e| panic!("render failed for {template:?}: {e}"));
    assert_eq!(out.output, expected, "template: {template:?}");
}

pub fn ctx() -> Context {
    Context::default()
}

/// Builder-style helpers so tests read as data.
pub trait Ctx {
    fn body(self, body: &str) -> Self;
    fn path(self, k: &str, v: &str) -> Self;
    fn query(self, k: &str, v: &str) -> Self;
    fn header(self, k: &str, v: &str) -> Self;
    fn context(self, json: &str) -> Self;
    fn stage(self, k: &str, v: &str) -> Self;
}

impl Ctx for Context {
    fn body(mut self, body: &str) -> Self {
        self.body = body.to_owned();
        self
    }
    fn path(mut self, k: &str, v: &str) -> Self {
        self.path_params.push((k.into(), v.into()));
        self
    }
    fn query(mut self, k: &str, v: &str) -> Self {
        self.query_params.push((k.into(), v.into()));
        self
    }
    fn header(mut self, k: &str, v: &str) -> Self {
        self.header_params.push((k.into(), v.into()));
        self
    }
    fn context(mut self, json: &str) -> Self {
        self.context = serde_json::from_str(json).expect("test context JSON");
        self
    }
    fn stage(mut self, k: &str, v: &str) -> Self {
        self.stage_variables.insert(k.into(), v.into());
        self
    }
}

/// The response template airspeed-ext's `test_render_on_aws` fixture deploys: the
/// variables of `vars` (a JSON object) are POSTed as the body and bound with
/// `#set`, on header lines AWS renders as nothing. Returns (template, context).
pub fn aws_harness(template: &str, vars: &str) -> (String, Context) {
    let v: serde_json::Value = serde_json::from_str(vars).expect("vars JSON");
    let defs: Vec<String> = v
        .as_object()
        .expect("vars must be an object")
        .keys()
        .map(|k| format!("#set(${k} = $bodyJSON.{k})"))
        .collect();
    let tpl = format!(
        "#set($body = $input.body)\n#set($bodyJSON = $util.parseJson($body)) {}\n{}",
        defs.join(" "),
        template
    );
    (tpl, ctx().body(vars))
}

/// `check` through the AWS harness.
#[track_caller]
pub fn check_aws(template: &str, vars: &str, expected: &str) {
    let (t, c) = aws_harness(template, vars);
    check(&t, &c, expected);
}
