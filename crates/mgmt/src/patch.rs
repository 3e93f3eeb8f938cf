//! `patchOperations` (JSON-Patch as API Gateway speaks it) applied through per-entity rules.
//!
//! API Gateway does not accept arbitrary JSON-Patch: every entity allows a fixed set of paths,
//! each with a fixed set of ops, and every value arrives as a string whatever the field's type.
//! An entity declares its [`Rule`]s; [`apply`] validates each op against them in order and
//! mutates the stored document. Either all ops apply or the call fails and nothing is saved
//! (the caller only writes the document back on `Ok`).

use serde_json::{Map, Value};

use super::call::Members;
use portico_core::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Remove,
    Replace,
    Move,
    Copy,
    Test,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Remove => "remove",
            Op::Replace => "replace",
            Op::Move => "move",
            Op::Copy => "copy",
            Op::Test => "test",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PatchOp {
    pub op: Op,
    pub path: String,
    pub value: Option<String>,
    pub from: Option<String>,
}

impl PatchOp {
    pub fn value(&self) -> Result<&str, ApiError> {
        self.value.as_deref().ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid null value specified for op '{}' on path '{}'",
                self.op.as_str(),
                self.path
            ))
        })
    }

    pub fn bool_value(&self) -> Result<bool, ApiError> {
        match self.value()? {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(ApiError::bad_request(format!(
                "Invalid boolean value specified for path {}: {other}",
                self.path
            ))),
        }
    }

    pub fn i64_value(&self) -> Result<i64, ApiError> {
        let v = self.value()?;
        v.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "Invalid integer value specified for path {}: {v}",
                self.path
            ))
        })
    }

    pub fn f64_value(&self) -> Result<f64, ApiError> {
        let v = self.value()?;
        v.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Invalid number value specified for path {}: {v}",
                    self.path
                ))
            })
    }
}

/// Decode one JSON-Pointer segment (`~1` is `/`, `~0` is `~`).
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Read `patchOperations` from an Update* body, as UpdateRestApi's (see [`parse_input`]).
pub fn parse(body: &Map<String, Value>) -> Result<Vec<PatchOp>, ApiError> {
    parse_input(body, "updateRestApiInput")
}

/// Read `patchOperations` from the body of `call`, whose operation names the input shape in
/// AWS's validation errors (`UpdateMethodResponse` → `updateMethodResponseInput`).
pub fn parse_call(call: &super::Call) -> Result<Vec<PatchOp>, ApiError> {
    parse_call_with(call, Vec::new())
}

/// [`parse_call`], with the call's other validation failures (`Value 'x' at 'statusCode' …`),
/// which AWS reports after the ops' in the same ValidationException.
pub fn parse_call_with(call: &super::Call, others: Vec<String>) -> Result<Vec<PatchOp>, ApiError> {
    let mut input = String::with_capacity(call.operation.len() + 5);
    let mut chars = call.operation.chars();
    if let Some(first) = chars.next() {
        input.extend(first.to_lowercase());
        input.extend(chars);
    }
    input.push_str("Input");
    parse_input_with(&call.json()?, &input, others)
}

/// Read `patchOperations` with AWS's enum check on every `op`: each bad one is reported, all
/// of them in one ValidationException (`2 validation errors detected: …; …`) naming the
/// operation's input shape. A missing path is kept as the literal `null`, which is how AWS
/// prints it.
pub fn parse_input(body: &Map<String, Value>, input: &str) -> Result<Vec<PatchOp>, ApiError> {
    parse_input_with(body, input, Vec::new())
}

fn parse_input_with(
    body: &Map<String, Value>,
    input: &str,
    others: Vec<String>,
) -> Result<Vec<PatchOp>, ApiError> {
    let empty = Vec::new();
    let list = match body.get("patchOperations") {
        None | Some(Value::Null) => &empty,
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ApiError::bad_request("patchOperations must be a list")),
    };
    let mut bad = Vec::new();
    let mut ops = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let m = item
            .as_object()
            .ok_or_else(|| ApiError::bad_request("Each patch operation must be an object"))?;
        let name = m.get("op").and_then(Value::as_str);
        let op = match name {
            Some("add") => Op::Add,
            Some("remove") => Op::Remove,
            Some("replace") => Op::Replace,
            Some("move") => Op::Move,
            Some("copy") => Op::Copy,
            Some("test") => Op::Test,
            other => {
                bad.push(format!(
                    "Value '{}' at '{input}.patchOperations.{}.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
                    other.unwrap_or("null"),
                    i + 1
                ));
                continue;
            }
        };
        ops.push(PatchOp {
            op,
            path: m.str_of("path")?.unwrap_or_else(|| "null".into()),
            value: m.str_of("value")?,
            from: m.str_of("from")?,
        });
    }
    bad.extend(others);
    match bad.len() {
        0 => Ok(ops),
        1 => Err(ApiError::new(
            400,
            "ValidationException",
            format!("1 validation error detected: {}", bad[0]),
        )),
        n => Err(ApiError::new(
            400,
            "ValidationException",
            format!("{n} validation errors detected: {}", bad.join("; ")),
        )),
    }
}

/// An entity's own patch logic: the document, the op, and the path's wildcard captures.
pub type CustomApply = fn(&mut Map<String, Value>, &PatchOp, &[String]) -> Result<(), ApiError>;

/// How a matched op changes the document. Keys are top-level members of the document.
#[derive(Clone, Copy)]
pub enum Apply {
    /// A string member; `remove` deletes it.
    Str(&'static str),
    Bool(&'static str),
    Int(&'static str),
    Float(&'static str),
    /// A string member that is removed when the value is empty or null.
    OptStr(&'static str),
    /// Add or remove the element named by the path's last segment in a string list.
    ListItem(&'static str),
    /// Add, replace or remove the entry named by the path's last segment in a string map.
    MapEntry(&'static str),
    /// Anything else: the entity's own code, given the wildcard captures.
    Custom(CustomApply),
}

pub struct Rule {
    /// `/name`, `/binaryMediaTypes/*`, `/*/*/throttling/rateLimit`: `*` captures one segment.
    pub path: &'static str,
    pub ops: &'static [Op],
    pub apply: Apply,
}

pub const REPLACE: &[Op] = &[Op::Replace];
pub const ADD_REMOVE: &[Op] = &[Op::Add, Op::Remove];
pub const ADD_REPLACE_REMOVE: &[Op] = &[Op::Add, Op::Replace, Op::Remove];
pub const REPLACE_REMOVE: &[Op] = &[Op::Replace, Op::Remove];
/// Every op: for a path whose entity answers a wrong op with its own message.
pub const ANY: &[Op] = &[
    Op::Add,
    Op::Remove,
    Op::Replace,
    Op::Move,
    Op::Copy,
    Op::Test,
];

fn capture(pattern: &str, path: &str) -> Option<Vec<String>> {
    let pat: Vec<&str> = pattern.split('/').collect();
    let got: Vec<&str> = path.split('/').collect();
    if pat.len() != got.len() {
        return None;
    }
    let mut caps = Vec::new();
    for (p, g) in pat.iter().zip(&got) {
        if *p == "*" {
            if g.is_empty() {
                return None;
            }
            caps.push(unescape(g));
        } else if p != g {
            return None;
        }
    }
    Some(caps)
}

/// Resolve a JSON pointer (`from` of `copy`) to the string form of the value it names.
fn pointer_string(doc: &Map<String, Value>, pointer: &str) -> Option<String> {
    let mut cur: Option<&Value> = None;
    for (i, seg) in pointer.split('/').skip(1).enumerate() {
        let key = unescape(seg);
        cur = if i == 0 {
            doc.get(&key)
        } else {
            cur?.get(&key)
        };
    }
    match cur? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Apply `ops` to `doc` under `rules`, in order.
pub fn apply(
    doc: &mut Map<String, Value>,
    ops: &[PatchOp],
    rules: &[Rule],
) -> Result<(), ApiError> {
    for original in ops {
        let mut op = original.clone();
        if op.op == Op::Copy {
            let from = op.from.clone().unwrap_or_default();
            let value = pointer_string(doc, &from).ok_or_else(|| {
                ApiError::bad_request(format!("Invalid 'from' path '{from}' for op 'copy'"))
            })?;
            op = PatchOp {
                op: Op::Replace,
                path: op.path.clone(),
                value: Some(value),
                from: None,
            };
            // A copy is allowed wherever a replace of the target is.
        }
        let matched = rules
            .iter()
            .filter(|r| r.ops.contains(&op.op))
            .find_map(|r| capture(r.path, &op.path).map(|c| (r, c)));
        let Some((rule, caps)) = matched else {
            let allowed: Vec<&str> = rules
                .iter()
                .filter(|r| r.ops.contains(&op.op))
                .map(|r| r.path)
                .collect();
            return Err(invalid_path(&original.path, original.op, &allowed));
        };
        apply_one(doc, &op, rule.apply, &caps)?;
    }
    Ok(())
}

/// AWS's error for a path an op does not take (note its double space): the paths that op
/// takes, or, when it takes none, a request to choose a supported op.
pub fn invalid_path(path: &str, op: Op, allowed: &[&str]) -> ApiError {
    if allowed.is_empty() {
        return ApiError::bad_request(format!(
            "Invalid patch path  '{path}' specified for op '{}'. Please choose supported operations",
            op.as_str()
        ));
    }
    ApiError::bad_request(format!(
        "Invalid patch path  '{path}' specified for op '{}'. Must be one of: [{}]",
        op.as_str(),
        allowed.join(", ")
    ))
}

fn apply_one(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    how: Apply,
    caps: &[String],
) -> Result<(), ApiError> {
    let removing = op.op == Op::Remove;
    match how {
        Apply::Str(key) => {
            if removing {
                doc.remove(key);
            } else {
                doc.insert(key.into(), Value::String(op.value()?.to_string()));
            }
        }
        Apply::OptStr(key) => match op.value.as_deref() {
            Some(v) if !removing && !v.is_empty() => {
                doc.insert(key.into(), Value::String(v.to_string()));
            }
            _ => {
                doc.remove(key);
            }
        },
        Apply::Bool(key) => {
            if removing {
                doc.remove(key);
            } else {
                doc.insert(key.into(), Value::Bool(op.bool_value()?));
            }
        }
        Apply::Int(key) => {
            if removing {
                doc.remove(key);
            } else {
                doc.insert(key.into(), Value::from(op.i64_value()?));
            }
        }
        Apply::Float(key) => {
            if removing {
                doc.remove(key);
            } else {
                doc.insert(key.into(), Value::from(op.f64_value()?));
            }
        }
        Apply::ListItem(key) => {
            let item = caps.last().cloned().unwrap_or_default();
            let list = doc.entry(key).or_insert_with(|| Value::Array(Vec::new()));
            if !list.is_array() {
                *list = Value::Array(Vec::new());
            }
            let arr = list.as_array_mut().expect("made an array above");
            let pos = arr.iter().position(|v| v.as_str() == Some(item.as_str()));
            match (removing, pos) {
                (true, Some(i)) => {
                    arr.remove(i);
                }
                (true, None) => {}
                (false, Some(_)) => {}
                (false, None) => arr.push(Value::String(item)),
            }
            if arr.is_empty() {
                doc.remove(key);
            }
        }
        Apply::MapEntry(key) => {
            let entry = caps.last().cloned().unwrap_or_default();
            let map = doc.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if !map.is_object() {
                *map = Value::Object(Map::new());
            }
            let obj = map.as_object_mut().expect("made an object above");
            if removing {
                obj.remove(&entry);
            } else {
                obj.insert(entry, Value::String(op.value()?.to_string()));
            }
            if obj.is_empty() {
                doc.remove(key);
            }
        }
        Apply::Custom(f) => f(doc, op, caps)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RULES: &[Rule] = &[
        Rule {
            path: "/name",
            ops: REPLACE,
            apply: Apply::Str("name"),
        },
        Rule {
            path: "/enabled",
            ops: REPLACE,
            apply: Apply::Bool("enabled"),
        },
        Rule {
            path: "/binaryMediaTypes/*",
            ops: ADD_REMOVE,
            apply: Apply::ListItem("binaryMediaTypes"),
        },
        Rule {
            path: "/variables/*",
            ops: ADD_REPLACE_REMOVE,
            apply: Apply::MapEntry("variables"),
        },
    ];

    fn check(doc: Value, ops: Value, expected: Result<Value, &str>) {
        let mut doc = doc.as_object().unwrap().clone();
        let ops = parse(json!({ "patchOperations": ops }).as_object().unwrap()).unwrap();
        match (apply(&mut doc, &ops, RULES), expected) {
            (Ok(()), Ok(want)) => assert_eq!(Value::Object(doc), want),
            (Err(e), Err(want)) => assert!(e.message.contains(want), "{}", e.message),
            (got, want) => panic!("got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn replace_sets_typed_members() {
        check(
            json!({"name": "a"}),
            json!([{"op": "replace", "path": "/name", "value": "b"}, {"op": "replace", "path": "/enabled", "value": "false"}]),
            Ok(json!({"name": "b", "enabled": false})),
        );
    }

    #[test]
    fn list_items_use_escaped_segments() {
        check(
            json!({}),
            json!([{"op": "add", "path": "/binaryMediaTypes/image~1png"}, {"op": "add", "path": "/binaryMediaTypes/*~1*"}]),
            Ok(json!({"binaryMediaTypes": ["image/png", "*/*"]})),
        );
        check(
            json!({"binaryMediaTypes": ["image/png"]}),
            json!([{"op": "remove", "path": "/binaryMediaTypes/image~1png"}]),
            Ok(json!({})),
        );
    }

    #[test]
    fn map_entries_and_copy() {
        check(
            json!({"name": "n"}),
            json!([{"op": "add", "path": "/variables/a", "value": "1"}, {"op": "copy", "from": "/variables/a", "path": "/name"}]),
            Ok(json!({"name": "1", "variables": {"a": "1"}})),
        );
    }

    #[test]
    fn every_bad_op_is_reported_in_one_validation_error() {
        let body = json!({"patchOperations": [
            {"op": "wrong", "path": "/a"}, {"op": "replace", "path": "/b"}, {"op": "bad", "path": "/c"}
        ]});
        let e = parse_input(body.as_object().unwrap(), "updateModelInput").unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert_eq!(
            e.message,
            "2 validation errors detected: Value 'wrong' at 'updateModelInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]; Value 'bad' at 'updateModelInput.patchOperations.3.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"
        );
    }

    #[test]
    fn unknown_paths_and_wrong_ops_are_rejected_with_the_allowed_list() {
        check(json!({}), json!([{"op": "replace", "path": "/id", "value": "x"}]), Err("Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/name, /enabled, /variables/*]"));
        check(
            json!({}),
            json!([{"op": "move", "path": "/name", "value": "x"}]),
            Err("Invalid patch path  '/name' specified for op 'move'. Please choose supported operations"),
        );
        check(
            json!({}),
            json!([{"op": "add", "path": "/name", "value": "x"}]),
            Err("specified for op 'add'"),
        );
        check(
            json!({}),
            json!([{"op": "replace", "path": "/enabled", "value": "yes"}]),
            Err("Invalid boolean value"),
        );
    }
}
