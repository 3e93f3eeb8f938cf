//! Stages: created, deployed to, canaried, updated, tagged.

use super::*;

#[test]
fn stages() {
    let h = Harness::new();
    let (api, _) = api(&h);
    let (d1, d2) = (deploy(&h, &api), deploy(&h, &api));
    let stages = format!("/restapis/{api}/stages");
    let deployments = format!("/restapis/{api}/deployments");
    let prod = format!("{stages}/prod");
    let role = "arn:aws:iam::111111111111:role/logs";
    let cert = h.call("POST", "/clientcertificates", "", json!({}))["clientCertificateId"]
        .as_str()
        .unwrap()
        .to_string();
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    // A stage names only documentation versions that exist.
    for v in ["1", "2"] {
        h.call(
            "POST",
            &format!("/restapis/{api}/documentation/versions"),
            "",
            json!({"documentationVersion": v}),
        );
    }
    check(
        &h,
        (kind::STAGE, &api),
        &[whole::<Stage>],
        &[
            (
                "PATCH",
                "/account".into(),
                "",
                patch(json!([op("replace", "/cloudwatchRoleArn", role)])),
            ),
            (
                "POST",
                stages.clone(),
                "",
                json!({"stageName": "prod", "deploymentId": d1,
                "description": "p", "cacheClusterEnabled": true, "cacheClusterSize": "1.6",
                "variables": {"a": "1"}, "tracingEnabled": true, "documentationVersion": "1",
                "tags": {"team": "x"},
                "canarySettings": {"percentTraffic": 10, "stageVariableOverrides": {"a": "2"},
                    "useStageCache": true}}),
            ),
            (
                "POST",
                stages.clone(),
                "",
                json!({"stageName": "plain", "deploymentId": d1}),
            ),
            (
                "POST",
                deployments.clone(),
                "",
                json!({"stageName": "prod",
                "stageDescription": "again", "variables": {"b": "2"}, "cacheClusterEnabled": false}),
            ),
            (
                "POST",
                deployments.clone(),
                "",
                json!({"stageName": "fresh",
                "stageDescription": "new", "cacheClusterSize": "0.5", "tracingEnabled": true}),
            ),
            (
                "POST",
                deployments.clone(),
                "",
                json!({"stageName": "prod",
                "canarySettings": {"percentTraffic": 5.5, "useStageCache": false,
                    "stageVariableOverrides": {"b": "3"}}}),
            ),
            (
                "PATCH",
                prod.clone(),
                "",
                patch(json!([
                    op("replace", "/description", "d"),
                    op("add", "/variables/c", "3"),
                    op("replace", "/cacheClusterEnabled", "true"),
                    op("replace", "/cacheClusterSize", "6.1"),
                    op("replace", "/tracingEnabled", "false"),
                    op("replace", "/clientCertificateId", &cert),
                    op("replace", "/documentationVersion", "2"),
                    op("replace", "/accessLogSettings/format", "$context.requestId"),
                    op(
                        "replace",
                        "/accessLogSettings/destinationArn",
                        "arn:aws:logs:us-east-1:111111111111:log-group:g"
                    ),
                    op("replace", "/canarySettings/percentTraffic", "20"),
                    op("replace", "/canarySettings/stageVariableOverrides/c", "4"),
                    op("replace", "/canarySettings/useStageCache", "true"),
                    op("replace", "/*/*/throttling/rateLimit", "100"),
                    op("replace", "/*/*/throttling/burstLimit", "50"),
                    op("replace", "/~1/GET/metrics/enabled", "true"),
                    op("replace", "/~1/GET/logging/loglevel", "INFO"),
                    op("replace", "/~1/GET/logging/dataTrace", "true"),
                    op("replace", "/~1/GET/caching/enabled", "true"),
                    op("replace", "/~1/GET/caching/ttlInSeconds", "60"),
                    op("replace", "/~1/GET/caching/dataEncrypted", "true"),
                    op(
                        "replace",
                        "/~1/GET/caching/requireAuthorizationForCacheControl",
                        "false"
                    ),
                    op(
                        "replace",
                        "/~1/GET/caching/unauthorizedCacheControlHeaderStrategy",
                        "FAIL_WITH_403"
                    ),
                ])),
            ),
            (
                "PATCH",
                prod.clone(),
                "",
                patch(json!([
                    {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
                    {"op": "copy", "from": "/canarySettings/stageVariableOverrides",
                        "path": "/variables"},
                ])),
            ),
            (
                "PATCH",
                prod.clone(),
                "",
                patch(json!([
                    {"op": "remove", "path": "/~1/GET"},
                    {"op": "remove", "path": "/canarySettings"},
                    {"op": "remove", "path": "/accessLogSettings"},
                    {"op": "remove", "path": "/variables/a"},
                    {"op": "remove", "path": "/clientCertificateId"},
                    {"op": "remove", "path": "/documentationVersion"},
                    op("replace", "/deploymentId", &d2),
                ])),
            ),
            (
                "PATCH",
                format!("{stages}/plain"),
                "",
                patch(json!([
                    op("replace", "/canarySettings/percentTraffic", "5"),
                    op("replace", "/accessLogSettings/format", "$context.requestId"),
                ])),
            ),
            (
                "PUT",
                format!("/tags/{}", arn(&format!("/restapis/{api}/stages/plain"))),
                "",
                json!({"tags": {"b": "c"}}),
            ),
            (
                "DELETE",
                format!("/tags/{}", arn(&format!("/restapis/{api}/stages/prod"))),
                "tagKeys=team",
                Value::Null,
            ),
        ],
    );
}
