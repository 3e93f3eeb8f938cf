//! Lambda functions as both the `lambda` room and the runtime host read them: the stored
//! documents (`kind::LAMBDA_*`), how a function is named (name, ARN, partial ARN, with an
//! optional `:qualifier`), and how a qualifier resolves to the configuration that runs.
//!
//! The stored configuration is AWS's `FunctionConfiguration` JSON exactly, plus private members
//! whose names start with `_` (never answered): `_code` (the hex SHA-256 naming the zip in the
//! code folder, see [`code_path`]) and, on `$LATEST`, `_nextVersion`.

use std::path::{Path, PathBuf};

use portico_store::{kind, StoreError, Tenant, Txn};
use serde_json::{Map, Value};

/// The private member naming the code's zip file.
pub const CODE: &str = "_code";

/// A function reference as callers write it, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    pub name: String,
    /// `$LATEST`, a version number or an alias name, when the reference carried one.
    pub qualifier: Option<String>,
    /// The account a (partial) ARN named, if any.
    pub account: Option<String>,
    /// The region a full ARN named, if any.
    pub region: Option<String>,
}

/// Why a reference does not name a function of this tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// Not a name, ARN or partial ARN (AWS: ValidationException on the pattern).
    Malformed,
    /// The qualifier in the name differs from the one given beside it.
    QualifierMismatch,
}

/// Split `NAME`, `NAME:QUALIFIER`, `ACCOUNT:function:NAME[:QUALIFIER]` or
/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`; `qualifier` is the separate
/// `Qualifier` parameter, which must agree with one in the name.
pub fn parse_ref(reference: &str, qualifier: Option<&str>) -> Result<FunctionRef, RefError> {
    let parts: Vec<&str> = reference.split(':').collect();
    let (name, qual, account, region) = match parts.as_slice() {
        [name] => (*name, None, None, None),
        [name, q] => (*name, Some(*q), None, None),
        [acct, "function", name] => (*name, None, Some(*acct), None),
        [acct, "function", name, q] => (*name, Some(*q), Some(*acct), None),
        ["arn", _, "lambda", region, acct, "function", name] => {
            (*name, None, Some(*acct), Some(*region))
        }
        ["arn", _, "lambda", region, acct, "function", name, q] => {
            (*name, Some(*q), Some(*acct), Some(*region))
        }
        _ => return Err(RefError::Malformed),
    };
    if !valid_name(name) || qual.is_some_and(|q| !valid_qualifier(q)) {
        return Err(RefError::Malformed);
    }
    let qualifier = match (qual, qualifier.filter(|q| !q.is_empty())) {
        (Some(a), Some(b)) if a != b => return Err(RefError::QualifierMismatch),
        (a, b) => a.or(b).map(str::to_string),
    };
    Ok(FunctionRef {
        name: name.to_string(),
        qualifier,
        account: account.map(str::to_string),
        region: region.map(str::to_string),
    })
}

/// AWS's function name pattern: letters, digits, `-` and `_`, 1 to 64 characters.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `$LATEST`, a version number or an alias name.
pub fn valid_qualifier(q: &str) -> bool {
    q == "$LATEST"
        || (!q.is_empty()
            && q.len() <= 128
            && q.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// Is this qualifier a version number?
pub fn is_version(q: &str) -> bool {
    !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit())
}

/// `arn:aws:lambda:{region}:{account}:function:{name}`.
pub fn function_arn(tenant: &Tenant, name: &str) -> String {
    format!(
        "arn:aws:lambda:{}:{}:function:{name}",
        tenant.region(),
        tenant.account()
    )
}

/// The ARN with `:{qualifier}` when there is one.
pub fn qualified_arn(tenant: &Tenant, name: &str, qualifier: Option<&str>) -> String {
    match qualifier {
        Some(q) => format!("{}:{q}", function_arn(tenant, name)),
        None => function_arn(tenant, name),
    }
}

/// Where the zip whose hex SHA-256 is `code` lives under the Lambda folder `root`
/// (`{data_dir}/lambda`). Content-addressed: versions that share code share the file.
pub fn code_path(root: &Path, code: &str) -> PathBuf {
    root.join("code").join(format!("{code}.zip"))
}

/// The configuration that runs for a reference, and the version it is.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub config: Map<String, Value>,
    /// `$LATEST` or the version number (an alias resolves to its version).
    pub version: String,
}

/// The configuration `qualifier` names (`None`: `$LATEST`), following an alias to its version.
/// `Ok(None)`: no such function, version or alias.
pub fn resolve(
    tx: &mut dyn Txn,
    name: &str,
    qualifier: Option<&str>,
) -> Result<Option<Resolved>, StoreError> {
    let version = match qualifier {
        None | Some("$LATEST") => "$LATEST".to_string(),
        Some(q) if is_version(q) => q.to_string(),
        Some(alias) => match tx.get(kind::LAMBDA_ALIAS, name, alias)? {
            Some(a) => match a.get("FunctionVersion").and_then(Value::as_str) {
                Some(v) => v.to_string(),
                None => return Ok(None),
            },
            None => return Ok(None),
        },
    };
    let doc = if version == "$LATEST" {
        tx.get(kind::LAMBDA_FUNCTION, "", name)?
    } else {
        tx.get(kind::LAMBDA_VERSION, name, &version)?
    };
    Ok(match doc {
        Some(Value::Object(config)) => Some(Resolved { config, version }),
        _ => None,
    })
}

/// A stored configuration as AWS answers it: without the private `_` members.
pub fn public(config: &Map<String, Value>) -> Value {
    Value::Object(
        config
            .iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = parse_ref("f", None).unwrap();
        assert_eq!((r.name.as_str(), r.qualifier), ("f", None));
        let r = parse_ref("f:live", None).unwrap();
        assert_eq!(r.qualifier.as_deref(), Some("live"));
        let r = parse_ref("123456789012:function:f:1", Some("1")).unwrap();
        assert_eq!(r.account.as_deref(), Some("123456789012"));
        let r = parse_ref("arn:aws:lambda:us-east-1:123456789012:function:f", None).unwrap();
        assert_eq!(r.region.as_deref(), Some("us-east-1"));
        assert_eq!(
            parse_ref("f:1", Some("2")),
            Err(RefError::QualifierMismatch)
        );
        assert_eq!(parse_ref("a b", None), Err(RefError::Malformed));
        assert_eq!(parse_ref("a:b:c:d:e", None), Err(RefError::Malformed));
    }
}
