//! The `javascript` SDK: `apigClient.js`, a dependency-free client (global `fetch`) with one
//! method per deployed method, named as AWS's generator names them: the path's parts
//! camel-cased (`{petId}` counts as `petId`), then the HTTP method capitalised —
//! `/pets/{petId}` GET is `petsPetIdGet`, `/` GET is `rootGet`. Each takes
//! `(params, body, additionalParams)`: `params` holds the path, query string and header
//! parameters by name (the method's `requestParameters`), `additionalParams` extra
//! `headers` and `queryParams`.
//!
//! Requests to AWS_IAM methods are SigV4-signed (service `execute-api`, Web Crypto) when the
//! client has `accessKey` and `secretKey` (`sessionToken`, `region` optional).
//!
//! Decision: ANY methods get no client method, as AWS's generator does (the developer guide:
//! "If your API only has ANY methods defined, the generated SDK package will not contain an
//! apigClient.js").

use portico_model::DeploymentSnapshot;
use serde_json::Value;

const TEMPLATE: &str = include_str!("apigClient.js");

/// A JavaScript string literal (JSON's escaping is valid JavaScript).
fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The client method name AWS's generator gives `method` on `path`.
pub(super) fn method_name(path: &str, method: &str) -> String {
    let mut name = String::new();
    for word in path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if name.is_empty() {
                name.push(first.to_ascii_lowercase());
            } else {
                name.push(first.to_ascii_uppercase());
            }
            name.extend(chars);
        }
    }
    if name.is_empty() {
        name.push_str("root");
    }
    let m = method.to_ascii_lowercase();
    let mut chars = m.chars();
    if let Some(first) = chars.next() {
        name.push(first.to_ascii_uppercase());
        name.extend(chars);
    }
    name
}

struct Op {
    name: String,
    http: String,
    path: String,
    path_names: Vec<String>,
    query: Vec<String>,
    headers: Vec<String>,
    iam: bool,
}

fn operations(snap: &DeploymentSnapshot) -> Vec<Op> {
    let mut ops = Vec::new();
    for r in &snap.resources {
        let path = r.get("path").and_then(Value::as_str).unwrap_or("/");
        let Some(Value::Object(methods)) = r.get("resourceMethods") else {
            continue;
        };
        let path_names: Vec<String> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_string)
            .collect();
        for (http, m) in methods {
            if http == "ANY" {
                continue;
            }
            let (mut query, mut headers) = (Vec::new(), Vec::new());
            if let Some(Value::Object(params)) = m.get("requestParameters") {
                for key in params.keys() {
                    if let Some(q) = key.strip_prefix("method.request.querystring.") {
                        query.push(q.to_string());
                    } else if let Some(h) = key.strip_prefix("method.request.header.") {
                        headers.push(h.to_string());
                    }
                }
            }
            ops.push(Op {
                name: method_name(path, http),
                http: http.clone(),
                path: path.to_string(),
                path_names: path_names.clone(),
                query,
                headers,
                iam: m.get("authorizationType").and_then(Value::as_str) == Some("AWS_IAM"),
            });
        }
    }
    ops
}

fn list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| lit(s)).collect();
    format!("[{}]", parts.join(", "))
}

fn api_name(snap: &DeploymentSnapshot) -> &str {
    snap.api.get("name").and_then(Value::as_str).unwrap_or("")
}

pub(super) fn client(snap: &DeploymentSnapshot, api_id: &str, stage: &str, url: &str) -> String {
    let mut methods = String::new();
    // Bracket notation: a name may start with a digit (`/2fa` GET is `2faGet`), which is no
    // JavaScript identifier.
    for op in operations(snap) {
        methods.push_str(&format!(
            "    apigClient[{}] = function (params, body, additionalParams) {{\n      return request({}, {}, {}, {}, {}, {}, params, body, additionalParams);\n    }};\n\n",
            lit(&op.name),
            lit(&op.http),
            lit(&op.path),
            op.iam,
            list(&op.path_names),
            list(&op.query),
            list(&op.headers),
        ));
    }
    // Names go into a comment: keep them from closing it.
    let comment = |s: &str| s.replace("*/", "* /");
    TEMPLATE
        .replace("__API_NAME__", &comment(api_name(snap)))
        .replace("__API_ID__", &comment(api_id))
        .replace("__STAGE__", &comment(stage))
        .replace("__INVOKE_URL__", &lit(url))
        .replace("__METHODS__\n", &methods)
}

pub(super) fn readme(snap: &DeploymentSnapshot, api_id: &str, stage: &str, url: &str) -> String {
    let mut table = String::new();
    for op in operations(snap) {
        let mut params: Vec<String> = op
            .path_names
            .iter()
            .map(|n| n.trim_end_matches('+').to_string())
            .collect();
        params.extend(op.query.iter().cloned());
        params.extend(op.headers.iter().cloned());
        table.push_str(&format!(
            "| `{}` | `{} {}` | {} |\n",
            op.name,
            op.http,
            op.path,
            params.join(", ")
        ));
    }
    format!(
        "# JavaScript SDK for {name} ({api_id}), stage {stage}\n\n\
Generated by Portico's GetSdk. `apigClient.js` has no dependencies: it needs a global `fetch`\n\
(Node 18 or later, or a browser).\n\n\
```js\n\
const {{ apigClientFactory }} = require('./apigClient.js'); // or <script src=\"apigClient.js\">\n\
const apigClient = apigClientFactory.newClient({{\n\
\x20 invokeUrl: '{url}', // the default\n\
\x20 apiKey: 'optional: sent as x-api-key',\n\
}});\n\
const res = await apigClient.someMethod(params, body, additionalParams);\n\
// res: {{ status, statusText, headers, data }}; a non-2xx status rejects with err.response\n\
```\n\n\
`params` holds the path, query string and header parameters by name; `additionalParams`\n\
may hold extra `headers` and `queryParams`. `defaultContentType` and `defaultAcceptType`\n\
(both `application/json` by default) set `Content-Type` and `Accept`.\n\n\
AWS_IAM methods are SigV4-signed when `accessKey` and `secretKey` are given (`sessionToken`\n\
and `region`, default `us-east-1`, optional). ANY methods get no client method (as with AWS),\n\
and Portico generates only JavaScript SDKs.\n\n\
| Method | Request | Parameters |\n|---|---|---|\n{table}",
        name = api_name(snap)
    )
}

#[cfg(test)]
mod tests {
    use super::method_name;

    #[test]
    fn names_follow_aws_generator() {
        assert_eq!(method_name("/pets/{petId}", "GET"), "petsPetIdGet");
        assert_eq!(method_name("/", "GET"), "rootGet");
        assert_eq!(method_name("/pets", "POST"), "petsPost");
        assert_eq!(
            method_name("/my-items/{proxy+}", "DELETE"),
            "myItemsProxyDelete"
        );
    }
}
