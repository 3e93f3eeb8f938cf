//! Model schemas: AWS's validation of a JSON-schema (draft 4) model, resolution of references to
//! other models, and the sample mapping template AWS generates from a schema
//! (`GetModelTemplate`).
//!
//! Pure functions over `serde_json::Value`; the handlers in `models.rs` supply the other models of
//! the API through a lookup closure.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// Prefix of the only `$ref` form API Gateway accepts for another model of the same API.
pub const REF_PREFIX: &str = "https://apigateway.amazonaws.com/restapis/";

pub const EMPTY_SCHEMA: &str = "Model schema must have at least 1 property or array items defined";

/// AWS wraps every schema problem in this envelope.
fn invalid(error: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid model specified: Validation Result: warnings : [], errors : [{error}]"
    ))
}

fn invalid_schema() -> ApiError {
    invalid("Invalid model schema specified")
}

const DRAFT4_TYPES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// The `(api id, model name)` a canonical model reference points at, if it is one.
pub fn parse_ref(r: &str) -> Option<(&str, &str)> {
    let rest = r.strip_prefix(REF_PREFIX)?;
    let (api, name) = rest.split_once("/models/")?;
    if api.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    Some((api, name))
}

/// Canonical model names referenced anywhere in `schema` (for delete protection).
pub fn referenced_models(schema: &Value, api_id: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(m) => {
            if let Some((api, name)) = m.get("$ref").and_then(Value::as_str).and_then(parse_ref) {
                if api == api_id && !out.iter().any(|n| n == name) {
                    out.push(name.to_string());
                }
            }
            m.values().for_each(|v| referenced_models(v, api_id, out));
        }
        Value::Array(a) => a.iter().for_each(|v| referenced_models(v, api_id, out)),
        _ => {}
    }
}

/// Validate a model schema the way CreateModel/UpdateModel do and return it parsed.
/// `model_exists` answers whether a model of this API has the given name.
pub fn validate(
    text: Option<&str>,
    json: bool,
    api_id: &str,
    model_exists: &dyn Fn(&str) -> bool,
) -> Result<Option<Value>, ApiError> {
    let text = text.unwrap_or("");
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(EMPTY_SCHEMA));
    }
    // Decision: only JSON models are JSON-schema documents (AWS: "For application/json models,
    // this should be JSON schema draft 4"); other content types are stored as given.
    if !json {
        return Ok(None);
    }
    let doc: Value = serde_json::from_str(text).map_err(|_| invalid_schema())?;
    if !doc.is_object() {
        return Err(invalid_schema());
    }
    check_schema(&doc, &doc, api_id, model_exists)?;
    Ok(Some(doc))
}

fn schema_list(v: &Value) -> Result<&Vec<Value>, ApiError> {
    match v {
        Value::Array(a) if !a.is_empty() => Ok(a),
        _ => Err(invalid_schema()),
    }
}

/// Walk one (sub)schema: keyword types per draft 4, and every `$ref` resolvable.
fn check_schema(
    s: &Value,
    root: &Value,
    api_id: &str,
    model_exists: &dyn Fn(&str) -> bool,
) -> Result<(), ApiError> {
    let Value::Object(m) = s else {
        return Err(invalid_schema());
    };
    let recurse = |v: &Value| check_schema(v, root, api_id, model_exists);
    for (key, v) in m {
        match key.as_str() {
            "$ref" => {
                let r = v.as_str().ok_or_else(invalid_schema)?;
                if let Some(pointer) = r.strip_prefix('#') {
                    if root.pointer(pointer).is_none() {
                        return Err(invalid_schema());
                    }
                } else {
                    let (api, name) = parse_ref(r)
                        .ok_or_else(|| invalid("Model reference must be in canonical form"))?;
                    // Decision: a reference to another API's model, or to a model that does not
                    // exist, is reported like AWS reports unknown model names.
                    if api != api_id || !model_exists(name) {
                        return Err(invalid(&format!("Invalid model name specified: {name}")));
                    }
                }
            }
            "type" => {
                let ok = match v {
                    Value::String(t) => DRAFT4_TYPES.contains(&t.as_str()),
                    Value::Array(ts) => {
                        !ts.is_empty()
                            && ts
                                .iter()
                                .all(|t| t.as_str().is_some_and(|t| DRAFT4_TYPES.contains(&t)))
                    }
                    _ => false,
                };
                if !ok {
                    return Err(invalid_schema());
                }
            }
            // Draft 4 requires a non-empty array of unique names (AWS rejects `"required": []`).
            "required" => {
                let names = schema_list(v)?;
                let mut seen = Vec::new();
                for n in names {
                    let n = n.as_str().ok_or_else(invalid_schema)?;
                    if seen.contains(&n) {
                        return Err(invalid_schema());
                    }
                    seen.push(n);
                }
            }
            "enum" => {
                schema_list(v)?;
            }
            "properties" | "patternProperties" | "definitions" => {
                let Value::Object(props) = v else {
                    return Err(invalid_schema());
                };
                props.values().try_for_each(recurse)?;
            }
            "items" => match v {
                Value::Array(a) => a.iter().try_for_each(recurse)?,
                other => recurse(other)?,
            },
            "additionalProperties" | "additionalItems" if !v.is_boolean() => recurse(v)?,
            "allOf" | "anyOf" | "oneOf" => schema_list(v)?.iter().try_for_each(recurse)?,
            "not" => recurse(v)?,
            "minimum" | "maximum" | "multipleOf" if !v.is_number() => return Err(invalid_schema()),
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties"
                if v.as_u64().is_none() =>
            {
                return Err(invalid_schema())
            }
            "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" if !v.is_boolean() => {
                return Err(invalid_schema())
            }
            "pattern" | "title" | "description" | "format" | "$schema" | "id" if !v.is_string() => {
                return Err(invalid_schema())
            }
            _ => {}
        }
    }
    Ok(())
}

/// Inline every reference (to other models of the API through `lookup`, and `#/...` pointers
/// inside the document). A reference already being expanded (a cycle) is left as it is.
pub fn flatten(schema: &Value, lookup: &dyn Fn(&str) -> Option<Value>) -> Value {
    fn go(
        s: &Value,
        root: &Value,
        lookup: &dyn Fn(&str) -> Option<Value>,
        stack: &mut Vec<String>,
    ) -> Value {
        match s {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    if !stack.iter().any(|x| x == r) {
                        let target = match r.strip_prefix('#') {
                            Some(p) => root.pointer(p).cloned().map(|t| (t, root.clone())),
                            None => parse_ref(r)
                                .and_then(|(_, name)| lookup(name))
                                .map(|t| (t.clone(), t)),
                        };
                        if let Some((target, new_root)) = target {
                            stack.push(r.to_string());
                            let out = go(&target, &new_root, lookup, stack);
                            stack.pop();
                            return out;
                        }
                    }
                }
                Value::Object(
                    m.iter()
                        .map(|(k, v)| (k.clone(), go(v, root, lookup, stack)))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(|v| go(v, root, lookup, stack)).collect()),
            other => other.clone(),
        }
    }
    go(schema, schema, lookup, &mut Vec::new())
}

/// Does the schema contain any `$ref`?
pub fn has_refs(schema: &Value) -> bool {
    match schema {
        Value::Object(m) => m.contains_key("$ref") || m.values().any(has_refs),
        Value::Array(a) => a.iter().any(has_refs),
        _ => false,
    }
}

#[derive(PartialEq)]
enum Shape<'a> {
    Object(Option<&'a Map<String, Value>>),
    Array(Option<&'a Value>),
    /// Rendered unquoted: numbers, integers, booleans, null.
    Bare,
    /// Rendered inside quotes (also the fallback for untyped values).
    Quoted,
}

fn shape(s: &Value) -> Shape<'_> {
    let declared = match s.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        // `["string", "null"]`: the first non-null type decides.
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    let props = s.get("properties").and_then(Value::as_object);
    match declared {
        Some("object") => Shape::Object(props),
        Some("array") => Shape::Array(s.get("items")),
        Some("number" | "integer" | "boolean" | "null") => Shape::Bare,
        Some(_) => Shape::Quoted,
        None if props.is_some() => Shape::Object(props),
        None if s.get("items").is_some() => Shape::Array(s.get("items")),
        None => Shape::Quoted,
    }
}

const HEADER: &str = "#set($inputRoot = $input.path('$'))\n";
const TODO: &str = "##TODO: Update this foreach loop to reference array from input json\n";

/// The sample template AWS generates for a (flattened) schema. The layout follows the
/// templates the console and GetModelTemplate produce: two-space indentation, `"k" : "$x.k"`
/// for strings, `"k" : $x.k` for numbers and booleans, and a `#foreach` over `$elem` for arrays.
pub fn template(schema: &Value) -> Result<String, ApiError> {
    match shape(schema) {
        Shape::Object(Some(props)) if !props.is_empty() => Ok(format!(
            "{HEADER}{{\n{}\n}}",
            fields(props, "$inputRoot", 1, 0)
        )),
        Shape::Array(Some(items)) => Ok(format!(
            "{HEADER}[\n{}\n]",
            foreach("$inputRoot", first_item(items), 0)
        )),
        _ => Err(ApiError::bad_request(EMPTY_SCHEMA)),
    }
}

fn first_item(items: &Value) -> &Value {
    match items {
        // Tuple validation: the first position stands for the element shape.
        Value::Array(a) => a.first().unwrap_or(&Value::Null),
        other => other,
    }
}

/// `"k" : ...` lines for each property, joined with `,\n`. `loops` counts the enclosing
/// `#foreach`es, so nested loops get their own variable.
fn fields(props: &Map<String, Value>, base: &str, depth: usize, loops: usize) -> String {
    let ind = "  ".repeat(depth);
    props
        .iter()
        .map(|(k, s)| {
            let path = format!("{base}.{k}");
            match shape(s) {
                Shape::Object(p) => {
                    let inner = p
                        .filter(|p| !p.is_empty())
                        .map(|p| format!("{}\n", fields(p, &path, depth + 1, loops)))
                        .unwrap_or_default();
                    format!("{ind}\"{k}\" : {{\n{inner}{ind}}}")
                }
                Shape::Array(items) => format!(
                    "{ind}\"{k}\" : [\n{}\n{ind}]",
                    foreach(&path, items.map(first_item).unwrap_or(&Value::Null), loops)
                ),
                Shape::Bare => format!("{ind}\"{k}\" : ${}", &path[1..]),
                Shape::Quoted => format!("{ind}\"{k}\" : \"${}\"", &path[1..]),
            }
        })
        .collect::<Vec<_>>()
        .join(",\n")
}

/// A `#foreach` over the array at `path`, rendering each element like AWS does (` {` ... `} `).
fn foreach(path: &str, item: &Value, loops: usize) -> String {
    let var = if loops == 0 {
        "$elem".to_string()
    } else {
        format!("$elem{loops}")
    };
    let body = match shape(item) {
        Shape::Object(Some(p)) if !p.is_empty() => {
            format!(" {{\n{}\n}} ", fields(p, &var, 1, loops + 1))
        }
        Shape::Object(_) => " {\n} ".to_string(),
        Shape::Array(items) => format!(
            " [\n{}\n] ",
            foreach(
                &var,
                items.map(first_item).unwrap_or(&Value::Null),
                loops + 1
            )
        ),
        Shape::Bare => format!(" {var}"),
        Shape::Quoted => format!(" \"{var}\""),
    };
    format!("{TODO}#foreach({var} in {path})\n{body}\n#if($foreach.hasNext),#end\n#end")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn none(_: &str) -> bool {
        false
    }

    #[test]
    fn object_template_quotes_strings_only() {
        let s = json!({"type": "object", "properties": {
            "a": {"type": "number"}, "op": {"type": "string"}, "ok": {"type": "boolean"}}});
        assert_eq!(
            template(&s).unwrap(),
            "#set($inputRoot = $input.path('$'))\n{\n  \"a\" : $inputRoot.a,\n  \"op\" : \"$inputRoot.op\",\n  \"ok\" : $inputRoot.ok\n}"
        );
    }

    #[test]
    fn root_array_template_matches_aws_layout() {
        let s = json!({"type": "array", "items": {"type": "object", "properties": {
            "age": {"type": "integer"}, "height": {"type": "integer"}}}});
        assert_eq!(
            template(&s).unwrap(),
            "#set($inputRoot = $input.path('$'))\n[\n##TODO: Update this foreach loop to reference array from input json\n#foreach($elem in $inputRoot)\n {\n  \"age\" : $elem.age,\n  \"height\" : $elem.height\n} \n#if($foreach.hasNext),#end\n#end\n]"
        );
    }

    #[test]
    fn nested_objects_and_array_properties() {
        let s = json!({"properties": {
            "input": {"type": "object", "properties": {"a": {"type": "number"}}},
            "tags": {"type": "array", "items": {"type": "string"}}}});
        assert_eq!(
            template(&s).unwrap(),
            "#set($inputRoot = $input.path('$'))\n{\n  \"input\" : {\n    \"a\" : $inputRoot.input.a\n  },\n  \"tags\" : [\n##TODO: Update this foreach loop to reference array from input json\n#foreach($elem in $inputRoot.tags)\n \"$elem\"\n#if($foreach.hasNext),#end\n#end\n  ]\n}"
        );
    }

    #[test]
    fn schemas_without_properties_have_no_template() {
        assert_eq!(
            template(&json!({"type": "object"})).unwrap_err().message,
            EMPTY_SCHEMA
        );
    }

    #[test]
    fn flatten_inlines_model_and_local_refs() {
        let pet = json!({"type": "object", "properties": {"name": {"type": "string"}}});
        let lookup = |n: &str| (n == "Pet").then(|| pet.clone());
        let s = json!({"type": "array", "items": {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Pet"},
            "definitions": {"x": {"type": "string"}}, "extra": {"$ref": "#/definitions/x"}});
        let flat = flatten(&s, &lookup);
        assert_eq!(flat["items"], pet);
        assert_eq!(flat["extra"], json!({"type": "string"}));
        // A self-reference stays a reference instead of recursing forever.
        let cyc = json!({"properties": {"me": {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Me"}}});
        let me = cyc.clone();
        let flat = flatten(&cyc, &|n: &str| (n == "Me").then(|| me.clone()));
        assert!(has_refs(&flat));
    }

    #[test]
    fn validation_follows_draft4_and_canonical_refs() {
        let ok = |t: &str| validate(Some(t), true, "abc", &none).map(|_| ());
        assert!(ok(r#"{"type":"object","properties":{"a":{"type":"string"}}}"#).is_ok());
        for bad in [
            "not json",
            "[1]",
            r#"{"type":"String"}"#,
            r#"{"required":[]}"#,
            r#"{"properties":{"a":5}}"#,
            r##"{"$ref":"#/definitions/missing"}"##,
        ] {
            assert_eq!(
                ok(bad).unwrap_err().message,
                "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]",
                "{bad}"
            );
        }
        assert!(ok(r#"{"$ref":"http://example.com/x"}"#)
            .unwrap_err()
            .message
            .contains("[Model reference must be in canonical form]"));
        assert!(
            ok(r#"{"$ref":"https://apigateway.amazonaws.com/restapis/abc/models/Nope"}"#)
                .unwrap_err()
                .message
                .contains("[Invalid model name specified: Nope]")
        );
        assert_eq!(ok("  ").unwrap_err().message, EMPTY_SCHEMA);
        let exists = |n: &str| n == "Pet";
        assert!(validate(
            Some(
                r#"{"items":{"$ref":"https://apigateway.amazonaws.com/restapis/abc/models/Pet"}}"#
            ),
            true,
            "abc",
            &exists
        )
        .is_ok());
    }
}
