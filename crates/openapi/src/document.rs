//! An OpenAPI document as the importer reads it: parsed once from JSON or YAML, with the
//! accessors that hide where Swagger 2.0 and OpenAPI 3.0 keep the same thing.

use portico_core::Tenant;
use serde_json::{Map, Value};

use portico_core::ApiError;

/// AWS's answer to a body that is neither a JSON nor a YAML OpenAPI document (LocalStack's
/// `test_import_api_bad_file` snapshot, recorded against AWS).
pub fn invalid_input() -> ApiError {
    ApiError::bad_request("Invalid OpenAPI input.")
}

/// The error of an import that cannot go on, in AWS's "Errors found during import" form.
pub fn import_error(message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("Errors found during import:\n\t{message}"))
}

pub struct Document {
    pub root: Map<String, Value>,
    /// OpenAPI 3 (`components`, `requestBody`, `content`) rather than Swagger 2.0.
    pub v3: bool,
}

impl Document {
    /// Parse a body (see [`read_object`]) and check it is an OpenAPI document we import.
    pub fn parse(body: &[u8]) -> Result<Document, ApiError> {
        let root = read_object(body).ok_or_else(invalid_input)?;
        let v3 = match (root.get("openapi"), root.get("swagger")) {
            (Some(Value::String(v)), _) if v.starts_with("3.") => true,
            (_, Some(Value::String(v))) if v == "2.0" => false,
            // YAML reads `swagger: 2.0` as a number.
            (_, Some(Value::Number(n))) if n.as_f64() == Some(2.0) => false,
            // moto's text (its tests pin it), for an `openapi` that is not 3.x.
            (Some(_), _) => {
                return Err(ApiError::bad_request(
                    "Only OpenAPI 3.x.x are currently supported",
                ))
            }
            (_, Some(_)) => {
                return Err(ApiError::bad_request(
                    "Only Swagger 2.0 is currently supported",
                ))
            }
            _ => return Err(invalid_input()),
        };
        let doc = Document { root, v3 };
        if !doc.root.get("paths").is_some_and(Value::is_object) {
            // moto's text for a document without paths (its tests pin it).
            return Err(ApiError::bad_request(
                "Failed to parse the uploaded OpenAPI document due to: 'paths' is a required property",
            ));
        }
        Ok(doc)
    }

    /// Resolve the AWS variables AWS resolves on import — `${AWS::AccountId}`,
    /// `${AWS::Partition}`, `${AWS::Region}` of the importing account — in every string value
    /// ("AWS variables for OpenAPI import"). Anything else in `${...}` (stage variables, a
    /// template's `${uri}`) is left as written.
    pub fn resolve_aws_variables(&mut self, tenant: &Tenant) {
        let region = tenant.region();
        let vars = [
            ("${AWS::AccountId}", tenant.account()),
            ("${AWS::Partition}", arn_partition(region)),
            ("${AWS::Region}", region),
        ];
        for v in self.root.values_mut() {
            substitute(v, &vars);
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.root.get(key)
    }

    pub fn info(&self, key: &str) -> Option<&str> {
        self.root.get("info")?.get(key)?.as_str()
    }

    pub fn paths(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.root
            .get("paths")
            .and_then(Value::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    /// The schemas that become models: `definitions` (2.0) or `components.schemas` (3.0).
    pub fn schemas(&self) -> Option<&Map<String, Value>> {
        if self.v3 {
            self.root.get("components")?.get("schemas")?.as_object()
        } else {
            self.root.get("definitions")?.as_object()
        }
    }

    /// `securityDefinitions` (2.0) or `components.securitySchemes` (3.0).
    pub fn security_schemes(&self) -> Option<&Map<String, Value>> {
        if self.v3 {
            self.root
                .get("components")?
                .get("securitySchemes")?
                .as_object()
        } else {
            self.root.get("securityDefinitions")?.as_object()
        }
    }

    /// The prefix of a local `$ref` naming a model.
    pub fn schema_prefix(&self) -> &'static str {
        if self.v3 {
            "#/components/schemas/"
        } else {
            "#/definitions/"
        }
    }

    /// The base path: Swagger's `basePath`; for OpenAPI 3, the first server's `basePath`
    /// variable (AWS: "If the API contains only one basePath variable, the Import API feature
    /// uses it as the base path, even if it's not referenced in the server.url"), else the
    /// path of its URL with its variables at their defaults. Empty when there is none.
    pub fn base_path(&self) -> String {
        if !self.v3 {
            return self
                .root
                .get("basePath")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
        }
        let Some(server) = self
            .root
            .get("servers")
            .and_then(Value::as_array)
            .and_then(|s| s.first())
        else {
            return String::new();
        };
        if let Some(b) = server
            .get("variables")
            .and_then(|v| v.get("basePath"))
            .and_then(|b| b.get("default"))
            .and_then(Value::as_str)
        {
            return b.to_string();
        }
        let mut url = server
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(Value::Object(vars)) = server.get("variables") {
            for (name, v) in vars {
                let default = v.get("default").and_then(Value::as_str).unwrap_or("");
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
        // The path of an absolute URL, or the URL itself when it is a path.
        let path = match url.find("://") {
            Some(i) => {
                let rest = &url[i + 3..];
                rest.find('/').map_or("", |j| &rest[j..])
            }
            None => url.as_str(),
        };
        path.to_string()
    }

    /// Resolve a local reference (`#/a/b/c`, with `~1` and `~0` escapes).
    pub fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        let mut cur: Option<&Value> = None;
        for (i, raw) in pointer.split('/').enumerate() {
            if i == 0 {
                if !raw.is_empty() {
                    return None;
                }
                continue;
            }
            let seg = raw.replace("~1", "/").replace("~0", "~");
            cur = Some(match cur {
                None => self.root.get(&seg)?,
                Some(v) => v.get(&seg)?,
            });
        }
        cur
    }

    /// An object that may be a `$ref` (parameters, responses, request bodies): what it
    /// stands for, following at most a few references.
    pub fn deref<'a>(&'a self, mut v: &'a Value, what: &str) -> Result<&'a Value, ApiError> {
        for _ in 0..8 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                return Ok(v);
            };
            v = self.resolve(r).ok_or_else(|| {
                import_error(format!("Unable to resolve reference {r} of {what}"))
            })?;
        }
        Err(import_error(format!(
            "Too many nested references in {what}"
        )))
    }

    /// The model a schema names (`{"$ref": "#/definitions/Pet"}` → `Pet`); `Err` for a
    /// reference to a schema the document does not define.
    pub fn model_of(&self, schema: &Value, what: &str) -> Result<Option<String>, ApiError> {
        let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
            return Ok(None);
        };
        let name = r
            .strip_prefix(self.schema_prefix())
            .ok_or_else(|| import_error(format!("Unsupported reference {r} in {what}")))?;
        if !self.schemas().is_some_and(|s| s.contains_key(name)) {
            return Err(import_error(format!(
                "Invalid model reference {r} in {what}: the document defines no such schema"
            )));
        }
        Ok(Some(name.to_string()))
    }
}

/// A JSON or YAML object (an OpenAPI document, before any check of its members): JSON when
/// it starts like JSON, YAML otherwise (YAML is a superset of JSON, but the JSON parser is
/// faster and stricter). `None` for anything else.
pub fn read_object(body: &[u8]) -> Option<Map<String, Value>> {
    let text = std::str::from_utf8(body).ok()?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let value: Value = if trimmed.starts_with('{') {
        serde_json::from_str(trimmed).ok()?
    } else {
        // YAML aliases are expanded into the value; an OpenAPI document has no need for a
        // million replayed events (the default), and a bomb of them costs seconds.
        let options = serde_saphyr::options! {
            alias_limits: serde_saphyr::alias_limits! {
                max_total_replayed_events: 100_000,
            },
        };
        serde_saphyr::from_str_with_options(trimmed, options).ok()?
    };
    match value {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Rewrite the document's local model references in a schema into AWS's model URLs
/// (`#/definitions/X` → `https://apigateway.amazonaws.com/restapis/{id}/models/X`), as AWS
/// stores imported models. `unknown` collects references to schemas the document lacks.
pub fn rewrite_refs(schema: &mut Value, prefix: &str, api_id: &str, unknown: &mut Vec<String>) {
    rewrite_refs_with(
        schema,
        prefix,
        &|name| crate::model_url(api_id, name),
        unknown,
    )
}

/// [`rewrite_refs`] with the caller's model URLs (`url(name)`).
pub fn rewrite_refs_with(
    schema: &mut Value,
    prefix: &str,
    url: &dyn Fn(&str) -> String,
    unknown: &mut Vec<String>,
) {
    match schema {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                if k == "$ref" {
                    if let Some(name) = v.as_str().and_then(|r| r.strip_prefix(prefix)) {
                        *v = Value::String(url(name));
                    } else if let Some(r) = v.as_str().filter(|r| r.starts_with('#')) {
                        unknown.push(r.to_string());
                    }
                } else {
                    rewrite_refs_with(v, prefix, url, unknown);
                }
            }
        }
        Value::Array(a) => {
            for v in a {
                rewrite_refs_with(v, prefix, url, unknown);
            }
        }
        _ => {}
    }
}

/// The ARN partition of a region.
fn arn_partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

fn substitute(v: &mut Value, vars: &[(&str, &str)]) {
    match v {
        Value::String(text) if text.contains("${AWS::") => {
            for (name, value) in vars {
                if text.contains(name) {
                    *text = text.replace(name, value);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| substitute(v, vars)),
        Value::Object(m) => m.values_mut().for_each(|v| substitute(v, vars)),
        _ => {}
    }
}

/// A member that may be written in any case in documents (`http_proxy`, `when_no_match`),
/// as AWS's API spells it.
pub fn upper(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_ascii_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_read_alike() {
        let y = Document::parse(b"swagger: '2.0'\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n").unwrap();
        assert!(!y.v3);
        assert!(y.paths()["/a"]["get"]["responses"]["200"].is_object());
        let j = Document::parse(br#"{"openapi":"3.0.1","paths":{},"servers":[{"url":"https://x/{b}","variables":{"b":{"default":"v1"}}}]}"#).unwrap();
        assert!(j.v3);
        assert_eq!(j.base_path(), "/v1");
    }

    #[test]
    fn alias_bombs_are_refused_not_expanded() {
        let mut doc =
            String::from("openapi: 3.0.1\npaths: {}\nl0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            doc.push_str(&format!(
                "l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"
            ));
        }
        let started = std::time::Instant::now();
        assert!(Document::parse(doc.as_bytes()).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn aws_variables_are_resolved_and_others_left_alone() {
        let body = br#"{"swagger": "2.0", "paths": {"/": {"get": {"x-amazon-apigateway-integration": {
            "uri": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:f/invocations",
            "credentials": "arn:aws:iam::${AWS::AccountId}:${stageVariables.role}",
            "requestTemplates": {"application/json": "${AWS::Unknown} ${uri}"}}}}}}"#;
        let mut doc = Document::parse(body).unwrap();
        doc.resolve_aws_variables(&Tenant::aws("123456789012", "cn-north-1"));
        let i = &doc.paths()["/"]["get"]["x-amazon-apigateway-integration"];
        assert_eq!(
            i["uri"],
            "arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:123456789012:function:f/invocations"
        );
        assert_eq!(
            i["credentials"],
            "arn:aws:iam::123456789012:${stageVariables.role}"
        );
        assert_eq!(
            i["requestTemplates"]["application/json"],
            "${AWS::Unknown} ${uri}"
        );
    }

    #[test]
    fn bad_bodies_are_invalid_input() {
        for bad in [
            &b"{'key:value}"[..],
            b"test:\n  - \"x\" y\"",
            b"[1]",
            b"a: b",
            b"\xff",
        ] {
            let e = Document::parse(bad).err().expect("refused");
            assert_eq!(e.message, "Invalid OpenAPI input.", "{bad:?}");
        }
        let e = Document::parse(br#"{"swagger":"2.0"}"#).err().unwrap();
        assert!(e.message.contains("paths"));
    }
}
