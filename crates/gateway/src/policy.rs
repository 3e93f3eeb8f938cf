//! IAM policy documents as API Gateway evaluates them for `execute-api:Invoke`: the policy a
//! Lambda authorizer returns (and, later, a REST API's resource policy). An explicit `Deny`
//! that matches wins; else a matching `Allow` allows; else the request is denied.

use serde_json::Value;

/// The outcome of evaluating a policy for one method ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// No statement allows it.
    ImplicitDeny,
    ExplicitDeny,
}

/// A policy document that does not have IAM's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// Evaluate `policy` (`{"Version", "Statement": [...] | {...}}`) for `execute-api:Invoke` on
/// `method_arn`. Allocates nothing: it runs on every request an authorizer's cached policy
/// guards.
pub fn evaluate(policy: &Value, method_arn: &str) -> Result<Decision, Malformed> {
    let statements: &[Value] = match policy.get("Statement") {
        Some(Value::Array(list)) => list,
        Some(s @ Value::Object(_)) => std::slice::from_ref(s),
        _ => return Err(Malformed("the policy has no Statement".into())),
    };
    let mut allowed = false;
    for s in statements {
        let effect = s
            .get("Effect")
            .and_then(Value::as_str)
            .ok_or_else(|| Malformed("a statement has no Effect".into()))?;
        let action = any_matches(s.get("Action"), "execute-api:Invoke")
            .ok_or_else(|| Malformed("a statement has no Action".into()))?;
        let resource = any_matches(s.get("Resource"), method_arn)
            .ok_or_else(|| Malformed("a statement has no Resource".into()))?;
        if !(action && resource) {
            continue;
        }
        match effect {
            "Deny" => return Ok(Decision::ExplicitDeny),
            "Allow" => allowed = true,
            other => return Err(Malformed(format!("unknown Effect {other:?}"))),
        }
    }
    Ok(if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    })
}

/// Does one of `v`'s patterns (a string or a list of strings) match `text`? `None`: `v` is
/// neither.
fn any_matches(v: Option<&Value>, text: &str) -> Option<bool> {
    match v? {
        Value::String(s) => Some(wildcard(s, text)),
        Value::Array(list) => {
            let mut any = false;
            for p in list {
                any |= wildcard(p.as_str()?, text);
            }
            Some(any)
        }
        _ => None,
    }
}

/// IAM's wildcard match: `*` any run of characters, `?` any one; actions match without regard
/// to case.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let case_blind = pattern
        .get(..12)
        .is_some_and(|p| p.eq_ignore_ascii_case("execute-api:"));
    if pattern.is_ascii() && text.is_ascii() {
        // Bytes are characters here: no copies.
        glob(pattern.as_bytes(), text.as_bytes(), |a, b| {
            if case_blind {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        })
    } else {
        let (p, t): (Vec<char>, Vec<char>) = if case_blind {
            (
                pattern.to_lowercase().chars().collect(),
                text.to_lowercase().chars().collect(),
            )
        } else {
            (pattern.chars().collect(), text.chars().collect())
        };
        glob(&p, &t, |a, b| a == b)
    }
}

/// IAM's `StringLike`: `*` and `?`, case-sensitive.
pub fn like(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        glob(pattern.as_bytes(), text.as_bytes(), |a, b| a == b)
    } else {
        let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
        glob(&p, &t, |a, b| a == b)
    }
}

/// Iterative glob with one backtrack point: linear in practice, no recursion.
fn glob<T: Copy + PartialEq + From<u8>>(p: &[T], t: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    let (star, any) = (T::from(b'*'), T::from(b'?'));
    let (mut i, mut j) = (0, 0);
    let (mut back, mut mark) = (None, 0);
    while j < t.len() {
        if i < p.len() && p[i] != star && (p[i] == any || eq(&p[i], &t[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == star {
            back = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = back {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == star {
        i += 1;
    }
    i == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets/1";

    fn decide(statements: Value) -> Decision {
        evaluate(
            &json!({"Version": "2012-10-17", "Statement": statements}),
            ARN,
        )
        .unwrap()
    }

    #[test]
    fn allow_deny_and_nothing() {
        let allow = json!({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ARN});
        assert_eq!(decide(json!([allow])), Decision::Allow);
        assert_eq!(
            decide(allow.clone()),
            Decision::Allow,
            "a lone statement object"
        );
        let deny = json!({"Effect": "Deny", "Action": "execute-api:*",
            "Resource": "arn:aws:execute-api:us-east-1:000000000000:abc123/*/GET/pets/*"});
        assert_eq!(decide(json!([allow, deny])), Decision::ExplicitDeny);
        let elsewhere = json!({"Effect": "Allow", "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:us-east-1:000000000000:abc123/prod/POST/*"});
        assert_eq!(decide(json!([elsewhere])), Decision::ImplicitDeny);
        let other_action = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"});
        assert_eq!(decide(json!([other_action])), Decision::ImplicitDeny);
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("arn:aws:execute-api:*:*:abc123/*", ARN));
        assert!(wildcard(
            "arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets/?",
            ARN
        ));
        assert!(!wildcard(
            "arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets",
            ARN
        ));
        assert!(wildcard("*", ARN));
        assert!(wildcard("EXECUTE-API:invoke", "execute-api:Invoke"));
        assert!(!wildcard("a*b*c", "aXbY"));
        // Beyond ASCII, `?` is one character, not one byte.
        assert!(wildcard("arn:x/prod/GET/caf?", "arn:x/prod/GET/café"));
        assert!(!wildcard("arn:x/prod/GET/caf??", "arn:x/prod/GET/café"));
        assert!(wildcard("execute-api:*", "EXECUTE-API:Invoke"));
    }

    #[test]
    fn malformed_policies_are_refused() {
        assert!(evaluate(&json!({"Version": "2012-10-17"}), ARN).is_err());
        assert!(evaluate(
            &json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
            ARN
        )
        .is_err());
        assert!(evaluate(
            &json!({"Statement": [{"Effect": "Maybe", "Action": "*",
            "Resource": "*"}]}),
            ARN
        )
        .is_err());
    }
}
