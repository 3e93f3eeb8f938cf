//! Access logging: a stage's `accessLogSettings.format` (`$context.*` variables in any text —
//! CLF, JSON, XML, CSV), compiled once per stage and rendered after each invocation. Missing
//! values print as `-`, as in AWS. Lines go to the `portico::access` log target, tagged with the
//! stage's `destinationArn` role (a CloudWatch group in AWS; the process log here).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Format {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Var(Vec<String>),
}

impl Format {
    pub fn parse(src: &str) -> Format {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = src;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("$context.") {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                    .unwrap_or(after.len());
                // A trailing `.` is punctuation, not part of the name.
                let name = after[..end].trim_end_matches('.');
                if !name.is_empty() {
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Var(name.split('.').map(String::from).collect()));
                    rest = &after[name.len()..];
                    continue;
                }
            }
            let c = rest.chars().next().unwrap_or(' ');
            lit.push(c);
            rest = &rest[c.len_utf8()..];
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Format { parts }
    }

    pub fn render(&self, ctx: &Value) -> String {
        let mut out = String::with_capacity(128);
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Var(path) => {
                    let mut v = Some(ctx);
                    for k in path {
                        v = v.and_then(|x| x.get(k));
                    }
                    match v {
                        None | Some(Value::Null) => out.push('-'),
                        Some(Value::String(s)) if s.is_empty() => out.push('-'),
                        Some(Value::String(s)) => out.push_str(s),
                        Some(other) => out.push_str(&other.to_string()),
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(format: &str, want: &str) {
        let ctx = json!({"requestId": "r1", "status": 200, "identity": {"sourceIp": "1.2.3.4"},
                         "error": {"message": ""}});
        assert_eq!(Format::parse(format).render(&ctx), want, "{format}");
    }

    #[test]
    fn formats() {
        check(
            "$context.identity.sourceIp $context.requestId $context.status.",
            "1.2.3.4 r1 200.",
        );
        check(
            r#"{"id":"$context.requestId","s":"$context.status"}"#,
            r#"{"id":"r1","s":"200"}"#,
        );
        check("$context.nope|$context.error.message|$x", "-|-|$x");
    }
}
