//! A REST API's resource policy (`policy`), compiled once per deployment and evaluated in
//! phase 3 for `execute-api:Invoke` on the method ARN, as AWS's authorization workflow does
//! (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html):
//!
//! - no authorizer: the policy must allow the (anonymous) caller explicitly;
//! - `AWS_IAM`: an explicit deny refuses; a caller of the API's own account is otherwise let
//!   through (its identity policies are its account's: Portico's keys are per account), a caller
//!   of another account only when the policy allows it;
//! - Lambda and Cognito authorizers: an explicit deny refuses before the authorizer runs;
//!   otherwise the authorizer decides.
//!
//! The policy takes effect when deployed, as on AWS (it is read from the deployment snapshot).
//!
//! Conditions: `aws:SourceIp` (`IpAddress`, `NotIpAddress`, CIDRs or addresses), the string
//! operators (`StringEquals`, `StringNotEquals`, `…IgnoreCase`, `StringLike`, `StringNotLike`)
//! on `aws:SourceIp`, `aws:UserAgent`, `aws:Referer`, `aws:PrincipalAccount`, `aws:SourceVpc`,
//! `aws:SourceVpce` (never present: Portico has no VPC endpoints), each with `…IfExists`. A key
//! that is absent satisfies only the negated operators and `…IfExists`, as in IAM.
//! Decision: an operator Portico does not evaluate makes an `Allow` statement not apply and a
//! `Deny` statement apply (it fails closed); the deployment's execution log says so.

use std::net::IpAddr;

use serde_json::Value;

use crate::policy::{like, wildcard, Decision};

/// A compiled resource policy.
#[derive(Debug)]
pub struct ResourcePolicy {
    statements: Vec<Statement>,
}

#[derive(Debug)]
struct Statement {
    deny: bool,
    /// `None`: `Principal: "*"` (anyone, anonymous included).
    principals: Option<Vec<String>>,
    not_principal: bool,
    actions: Vec<String>,
    not_action: bool,
    resources: Vec<String>,
    not_resource: bool,
    conditions: Vec<Condition>,
}

#[derive(Debug)]
struct Condition {
    op: Op,
    if_exists: bool,
    /// Lower case (condition keys are case-blind).
    key: String,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    IpAddress,
    NotIpAddress,
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    Unknown,
}

impl Op {
    fn parse(name: &str) -> (Op, bool) {
        let (base, if_exists) = match name.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let op = match base {
            "IpAddress" => Op::IpAddress,
            "NotIpAddress" => Op::NotIpAddress,
            "StringEquals" => Op::StringEquals,
            "StringNotEquals" => Op::StringNotEquals,
            "StringEqualsIgnoreCase" => Op::StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => Op::StringNotEqualsIgnoreCase,
            "StringLike" => Op::StringLike,
            "StringNotLike" => Op::StringNotLike,
            _ => Op::Unknown,
        };
        (op, if_exists)
    }

    fn negated(self) -> bool {
        matches!(
            self,
            Op::NotIpAddress
                | Op::StringNotEquals
                | Op::StringNotEqualsIgnoreCase
                | Op::StringNotLike
        )
    }
}

/// Who is calling, and from where: what conditions read.
pub struct Caller<'a> {
    /// The account of a caller whose IAM signature verified; `None`: anonymous.
    pub account: Option<&'a str>,
    pub source_ip: &'a str,
    pub user_agent: Option<&'a str>,
    pub referer: Option<&'a str>,
}

impl ResourcePolicy {
    /// The policy of a `restapi` document: its `policy` member is the JSON text (AWS stores it
    /// escaped). `Err`: it is not a policy (the method refuses every call rather than serve
    /// unguarded).
    pub fn compile(text: &str) -> Result<ResourcePolicy, String> {
        let doc: Value =
            serde_json::from_str(text).map_err(|e| format!("the policy is not JSON: {e}"))?;
        let list: Vec<&Value> = match doc.get("Statement") {
            Some(Value::Array(l)) => l.iter().collect(),
            Some(s @ Value::Object(_)) => vec![s],
            _ => return Err("the policy has no Statement".into()),
        };
        let statements = list
            .into_iter()
            .map(Statement::compile)
            .collect::<Result<_, _>>()?;
        Ok(ResourcePolicy { statements })
    }

    /// Evaluate for `execute-api:Invoke` on `arn` (`arn:aws:execute-api:{region}:{account}:
    /// {api}/{stage}/{method}/{path}`); `api_id` locates the part `execute-api:/…` patterns name.
    pub fn evaluate(&self, arn: &str, api_id: &str, caller: &Caller<'_>) -> Decision {
        let tail = arn
            .find(&format!(":{api_id}/"))
            .map(|i| &arn[i + 1 + api_id.len()..])
            .unwrap_or("");
        let mut allowed = false;
        for s in &self.statements {
            if !s.applies(arn, tail, caller) {
                continue;
            }
            if s.deny {
                return Decision::ExplicitDeny;
            }
            allowed = true;
        }
        if allowed {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        }
    }
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(l) => l
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{what} is not a string or a list of strings"))
            })
            .collect(),
        _ => Err(format!("{what} is not a string or a list of strings")),
    }
}

impl Statement {
    fn compile(s: &Value) -> Result<Statement, String> {
        let deny = match s.get("Effect").and_then(Value::as_str) {
            Some("Allow") => false,
            Some("Deny") => true,
            other => return Err(format!("a statement's Effect is {other:?}")),
        };
        let pick = |a: &str, b: &str| -> Result<(Vec<String>, bool), String> {
            match (s.get(a), s.get(b)) {
                (Some(v), None) => Ok((strings(v, a)?, false)),
                (None, Some(v)) => Ok((strings(v, b)?, true)),
                _ => Err(format!("a statement needs exactly one of {a} and {b}")),
            }
        };
        let (actions, not_action) = pick("Action", "NotAction")?;
        let (resources, not_resource) = pick("Resource", "NotResource")?;
        let (principal, not_principal) = match (s.get("Principal"), s.get("NotPrincipal")) {
            (Some(p), None) => (p, false),
            (None, Some(p)) => (p, true),
            _ => return Err("a statement needs exactly one of Principal and NotPrincipal".into()),
        };
        let principals = match principal {
            Value::String(s) if s == "*" => None,
            Value::Object(m) => match m.get("AWS") {
                Some(v) => {
                    let list = strings(v, "Principal.AWS")?;
                    if list.iter().any(|p| p == "*") {
                        None
                    } else {
                        Some(list)
                    }
                }
                // Service or federated principals never call through execute-api here.
                None => Some(Vec::new()),
            },
            _ => return Err("a statement's Principal is not \"*\" or an object".into()),
        };
        let mut conditions = Vec::new();
        if let Some(c) = s.get("Condition") {
            let Value::Object(ops) = c else {
                return Err("a statement's Condition is not an object".into());
            };
            for (op, keys) in ops {
                let (op, if_exists) = Op::parse(op);
                let Value::Object(keys) = keys else {
                    return Err("a Condition operator's value is not an object".into());
                };
                for (key, values) in keys {
                    conditions.push(Condition {
                        op,
                        if_exists,
                        key: key.to_ascii_lowercase(),
                        values: strings(values, "a condition's value")?,
                    });
                }
            }
        }
        Ok(Statement {
            deny,
            principals,
            not_principal,
            actions,
            not_action,
            resources,
            not_resource,
            conditions,
        })
    }

    fn applies(&self, arn: &str, tail: &str, caller: &Caller<'_>) -> bool {
        let principal = match &self.principals {
            None => true,
            Some(list) => caller.account.is_some_and(|account| {
                list.iter().any(|p| {
                    p == account
                        || p.strip_prefix("arn:aws:iam::")
                            .and_then(|r| r.split_once(':'))
                            .is_some_and(|(a, _)| a == account)
                })
            }),
        };
        if principal == self.not_principal {
            return false;
        }
        let action = self
            .actions
            .iter()
            .any(|a| wildcard(a, "execute-api:Invoke"));
        if action == self.not_action {
            return false;
        }
        let resource = self
            .resources
            .iter()
            .any(|r| match r.strip_prefix("execute-api:") {
                // `execute-api:/{stage}/{method}/{path}`: this API, in the policy's shorthand.
                Some(short) if short.starts_with('/') => wildcard(short, tail),
                _ => wildcard(r, arn),
            });
        if resource == self.not_resource {
            return false;
        }
        self.conditions.iter().all(|c| c.holds(caller, self.deny))
    }
}

impl Condition {
    /// `deny`: the statement is a Deny (an operator Portico does not evaluate holds there).
    fn holds(&self, caller: &Caller<'_>, deny: bool) -> bool {
        if self.op == Op::Unknown {
            return deny;
        }
        let value = match self.key.as_str() {
            "aws:sourceip" => Some(caller.source_ip),
            "aws:useragent" => caller.user_agent,
            "aws:referer" => caller.referer,
            "aws:principalaccount" => caller.account,
            _ => None,
        };
        let Some(value) = value else {
            return self.if_exists || self.op.negated();
        };
        let any = |f: &dyn Fn(&str) -> bool| self.values.iter().any(|v| f(v));
        match self.op {
            Op::IpAddress => any(&|cidr| in_cidr(value, cidr)),
            Op::NotIpAddress => !any(&|cidr| in_cidr(value, cidr)),
            Op::StringEquals => any(&|v| v == value),
            Op::StringNotEquals => !any(&|v| v == value),
            Op::StringEqualsIgnoreCase => any(&|v| v.eq_ignore_ascii_case(value)),
            Op::StringNotEqualsIgnoreCase => !any(&|v| v.eq_ignore_ascii_case(value)),
            Op::StringLike => any(&|v| like(v, value)),
            Op::StringNotLike => !any(&|v| like(v, value)),
            Op::Unknown => deny,
        }
    }
}

/// Is `ip` inside `cidr` (`a.b.c.d/n`, an IPv6 prefix, or a lone address)?
fn in_cidr(ip: &str, cidr: &str) -> bool {
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    let ip = ip.to_canonical();
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => match b.parse::<u32>() {
            Ok(b) => (n, Some(b)),
            Err(_) => return false,
        },
        None => (cidr, None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    match (ip, net.to_canonical()) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:execute-api:us-east-1:111111111111:abc/prod/GET/pets/1";

    fn check(policy: Value, caller: &Caller<'_>) -> Decision {
        ResourcePolicy::compile(&policy.to_string())
            .unwrap()
            .evaluate(ARN, "abc", caller)
    }

    fn anonymous(ip: &str) -> Caller<'_> {
        Caller {
            account: None,
            source_ip: ip,
            user_agent: Some("curl/8"),
            referer: None,
        }
    }

    #[test]
    fn source_ip_conditions_allow_and_deny() {
        let allow_net = json!({"Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
            "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "10.1.2.3"]}}}]});
        assert_eq!(
            check(allow_net.clone(), &anonymous("192.0.2.77")),
            Decision::Allow
        );
        assert_eq!(
            check(allow_net.clone(), &anonymous("10.1.2.3")),
            Decision::Allow
        );
        assert_eq!(
            check(allow_net, &anonymous("127.0.0.1")),
            Decision::ImplicitDeny
        );
        let deny_others = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": ARN},
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-1:111111111111:abc/*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}]});
        assert_eq!(
            check(deny_others.clone(), &anonymous("127.0.0.1")),
            Decision::Allow
        );
        assert_eq!(
            check(deny_others, &anonymous("192.0.2.1")),
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn principals_name_accounts() {
        let p = json!({"Statement": {"Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
            "Action": "execute-api:*", "Resource": "execute-api:/prod/GET/*"}});
        assert_eq!(
            check(p.clone(), &anonymous("127.0.0.1")),
            Decision::ImplicitDeny
        );
        let iam = |a| Caller {
            account: Some(a),
            source_ip: "127.0.0.1",
            user_agent: None,
            referer: None,
        };
        assert_eq!(check(p.clone(), &iam("222222222222")), Decision::Allow);
        assert_eq!(check(p, &iam("333333333333")), Decision::ImplicitDeny);
    }

    #[test]
    fn shorthand_resources_name_this_api_only() {
        let p = |r: &str| {
            json!({"Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "execute-api:Invoke", "Resource": r}]})
        };
        let me = anonymous("127.0.0.1");
        assert_eq!(
            check(p("execute-api:/prod/GET/pets/*"), &me),
            Decision::Allow
        );
        assert_eq!(
            check(p("execute-api:/prod/POST/*"), &me),
            Decision::ImplicitDeny
        );
        assert_eq!(check(p("execute-api:/*/*/*"), &me), Decision::Allow);
    }

    #[test]
    fn absent_keys_and_unknown_operators() {
        let vpce = json!({"Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "execute-api:Invoke", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]});
        assert_eq!(check(vpce, &anonymous("127.0.0.1")), Decision::ImplicitDeny);
        let not_vpce = json!({"Statement": [{"Effect": "Deny", "Principal": "*",
            "Action": "execute-api:Invoke", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}]});
        assert_eq!(
            check(not_vpce, &anonymous("127.0.0.1")),
            Decision::ExplicitDeny
        );
        let unknown = |effect: &str| {
            json!({"Statement": [{"Effect": effect, "Principal": "*",
            "Action": "execute-api:Invoke", "Resource": "*",
            "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}]})
        };
        assert_eq!(
            check(unknown("Allow"), &anonymous("127.0.0.1")),
            Decision::ImplicitDeny
        );
        assert_eq!(
            check(unknown("Deny"), &anonymous("127.0.0.1")),
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn malformed_policies_are_refused() {
        for p in [
            "not json",
            r#"{"Version": "2012-10-17"}"#,
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Resource": "*"}]}"#,
            r#"{"Statement": [{"Effect": "Perhaps", "Principal": "*", "Action": "*", "Resource": "*"}]}"#,
        ] {
            assert!(ResourcePolicy::compile(p).is_err(), "{p}");
        }
    }
}
