//! Model schemas: resolution of references to other models, and the sample mapping template
//! AWS generates from a schema (`GetModelTemplate` of both `apigateway` and `apigatewayv2`).
//!
//! Pure functions over `serde_json::Value`; the rooms supply the other models of the API
//! through a lookup closure.

use serde_json::{Map, Value};

use portico_core::ApiError;

/// Prefix of the only `$ref` form API Gateway accepts for another model of the same API.
pub const REF_PREFIX: &str = "https://apigateway.amazonaws.com/restapis/";

pub const EMPTY_SCHEMA: &str = "Model schema must have at least 1 property or array items defined";

/// The `(api id, model name)` a canonical model reference points at, if it is one.
pub fn parse_ref(r: &str) -> Option<(&str, &str)> {
    let rest = r.strip_prefix(REF_PREFIX)?;
    let (api, name) = rest.split_once("/models/")?;
    if api.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    Some((api, name))
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
}
