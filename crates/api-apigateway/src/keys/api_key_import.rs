//! ImportApiKeys: `POST /apikeys?mode=import&format=csv[&failonwarnings=true]` with a raw CSV
//! body in AWS's "API key file format".
//!
//! AWS's documented format: a header row naming the columns, case-insensitively and in any
//! order; `Name` and `Key` are required, `Description`, `Enabled` and `UsagePlanIds` optional,
//! anything else ignored. Fields may be quoted with double or single quotes (UsagePlanIds holds
//! a comma-separated list in quotes). `Enabled` defaults to true. A key value must be 20-128
//! characters. Importing a value that already exists overwrites that key (same id).
//!
//! Portico's decisions where AWS documents nothing: a row that cannot be imported (bad value,
//! bad Enabled, wrong column count) is skipped with a warning `Line N: ...`; an unknown usage
//! plan id is a warning and the key is imported without that plan. With `failonwarnings=true`
//! any warning fails the whole call (400, nothing imported).

use portico_model::{ApiKey, Entity, UsagePlanKey};
use serde_json::json;

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::ids::{new_id, now_epoch};
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{api_keys, usage_plans};

/// Split CSV text into rows of fields. Quotes (`"` or `'`) may enclose a field; inside one, the
/// quote doubled stands for itself. Blank lines are skipped.
pub fn parse_csv(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut chars = line.chars().peekable();
        loop {
            let mut field = String::new();
            // Skip spaces before a quote so ` "a,b"` still reads as quoted.
            while chars.peek() == Some(&' ') {
                chars.next();
            }
            let quote = match chars.peek() {
                Some('"') | Some('\'') => chars.next(),
                _ => None,
            };
            match quote {
                Some(q) => {
                    while let Some(c) = chars.next() {
                        if c == q {
                            if chars.peek() == Some(&q) {
                                chars.next();
                                field.push(q);
                            } else {
                                break;
                            }
                        } else {
                            field.push(c);
                        }
                    }
                    // Anything between the closing quote and the comma is kept verbatim.
                    while let Some(&c) = chars.peek() {
                        if c == ',' {
                            break;
                        }
                        field.push(c);
                        chars.next();
                    }
                }
                None => {
                    while let Some(&c) = chars.peek() {
                        if c == ',' {
                            break;
                        }
                        field.push(c);
                        chars.next();
                    }
                }
            }
            fields.push(field.trim().to_string());
            if chars.next().is_none() {
                break;
            }
        }
        rows.push((i + 1, fields));
    }
    rows
}

struct Columns {
    name: usize,
    key: usize,
    description: Option<usize>,
    enabled: Option<usize>,
    plans: Option<usize>,
}

fn columns(header: &[String]) -> Result<Columns, ApiError> {
    let find = |want: &str| header.iter().position(|h| h.eq_ignore_ascii_case(want));
    match (find("name"), find("key")) {
        (Some(name), Some(key)) => Ok(Columns {
            name,
            key,
            description: find("description"),
            enabled: find("enabled"),
            plans: find("usageplanids"),
        }),
        _ => Err(ApiError::bad_request(
            "Invalid API key file: the header row must contain the Name and Key columns",
        )),
    }
}

struct Outcome {
    ids: Vec<String>,
    warnings: Vec<String>,
}

fn import_rows(txn: &mut dyn Txn, text: &str) -> Result<Outcome, ApiError> {
    let rows = parse_csv(text);
    let Some((_, header)) = rows.first() else {
        return Err(ApiError::bad_request(
            "Invalid API key file: the file is empty",
        ));
    };
    let cols = columns(header)?;
    let width = header.len();
    let mut out = Outcome {
        ids: Vec::new(),
        warnings: Vec::new(),
    };
    for (line, fields) in rows.iter().skip(1) {
        if fields.len() != width {
            out.warnings.push(format!(
                "Line {line}: expected {width} columns, found {}",
                fields.len()
            ));
            continue;
        }
        let value = &fields[cols.key];
        if let Err(e) = api_keys::check_value(value) {
            out.warnings.push(format!("Line {line}: {}", e.message));
            continue;
        }
        let enabled = match cols.enabled.map(|i| fields[i].to_ascii_lowercase()) {
            None => true,
            Some(e) if e.is_empty() || e == "true" => true,
            Some(e) if e == "false" => false,
            Some(e) => {
                out.warnings.push(format!(
                    "Line {line}: invalid Enabled value '{e}', expected true or false"
                ));
                continue;
            }
        };
        let now = now_epoch();
        let mut key = match api_keys::id_of_value(txn, value)? {
            Some(id) => api_keys::require(txn, &id)?,
            None => ApiKey {
                id: new_id(10),
                value: value.clone(),
                created_date: Some(now),
                ..ApiKey::default()
            }
            .to_map(),
        };
        key.insert("name".into(), json!(fields[cols.name]));
        match cols
            .description
            .map(|i| &fields[i])
            .filter(|d| !d.is_empty())
        {
            Some(d) => key.insert("description".into(), json!(d)),
            None => key.remove("description"),
        };
        key.insert("enabled".into(), json!(enabled));
        key.insert("lastUpdatedDate".into(), json!(now));
        api_keys::save(txn, &key)?;
        let id = key["id"].as_str().unwrap_or("").to_string();
        let plans = cols.plans.map(|i| fields[i].as_str()).unwrap_or("");
        for plan_id in plans.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let plan = match usage_plans::require(txn, plan_id) {
                Ok(p) => p,
                Err(_) => {
                    out.warnings.push(format!(
                        "Line {line}: Invalid Usage Plan ID specified: {plan_id}"
                    ));
                    continue;
                }
            };
            if txn.exists(kind::USAGE_PLAN_KEY, plan_id, &id)? {
                continue;
            }
            let stages = usage_plans::stages_of(&plan);
            if let Err(e) =
                usage_plans::check_key_conflicts(txn, plan_id, std::slice::from_ref(&id), &stages)
            {
                out.warnings.push(format!("Line {line}: {}", e.message));
                continue;
            }
            let member = UsagePlanKey {
                id: id.clone(),
                key_type: "API_KEY".to_string(),
            };
            txn.put(kind::USAGE_PLAN_KEY, plan_id, &id, &member.to_value())?;
        }
        if !out.ids.contains(&id) {
            out.ids.push(id);
        }
    }
    Ok(out)
}

pub(crate) fn import(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    match call.query("format") {
        Some("csv") => {}
        Some(other) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'format' failed to satisfy constraint: Member must satisfy enum value set: [csv]"
            )))
        }
        None => {
            return Err(ApiError::validation(
                "1 validation error detected: Value null at 'format' failed to satisfy constraint: Member must not be null",
            ))
        }
    }
    let fail_on_warnings = call.query_bool("failonwarnings")?.unwrap_or(false);
    let text = std::str::from_utf8(&call.body)
        .map_err(|_| ApiError::bad_request("Invalid API key file: the file must be UTF-8 text"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let out = store::write(&*cx.store, &call.tenant, |txn| {
        let out = import_rows(txn, text)?;
        if fail_on_warnings && !out.warnings.is_empty() {
            // Returning an error rolls the whole import back.
            return Err(ApiError::bad_request(out.warnings.join("; ")));
        }
        Ok(out)
    })?;
    let mut body = json!({ "ids": out.ids });
    if !out.warnings.is_empty() {
        body["warnings"] = json!(out.warnings);
    }
    Ok(Reply::Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        parse_csv(text).into_iter().map(|(_, f)| f).collect()
    }

    #[test]
    fn csv_rows_honour_both_quote_styles() {
        assert_eq!(
            fields("Name,key,UsagePlanIds\r\nA,abc,\"p1,p2\"\n\nB, def , 'p3,p4'\nC,x'y,'it''s'"),
            vec![
                vec!["Name", "key", "UsagePlanIds"],
                vec!["A", "abc", "p1,p2"],
                vec!["B", "def", "p3,p4"],
                vec!["C", "x'y", "it's"],
            ]
        );
        assert_eq!(fields("a,,b"), vec![vec!["a", "", "b"]]);
        assert_eq!(
            parse_csv("h\n\nrow")[1].0,
            3,
            "line numbers count blank lines"
        );
    }

    #[test]
    fn header_is_case_insensitive_and_needs_name_and_key() {
        let h = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        let c = columns(&h("KEY,extra,nAmE,Enabled")).unwrap();
        assert_eq!((c.name, c.key, c.enabled, c.plans), (2, 0, Some(3), None));
        assert!(columns(&h("Name,Description")).is_err());
    }
}
