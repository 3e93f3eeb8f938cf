//! API keys, usage plans and the keys bound to them.

use super::*;

#[test]
fn api_keys() {
    let h = Harness::new();
    let api = api_with_stages(&h);
    let key = "0123456789abcdefghijKLMN";
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::API_KEY, ""),
        &[whole::<ApiKey>],
        &[
            ("POST", "/apikeys".into(), "", json!({"name": "full", "description": "d",
                "enabled": true, "customerId": "c", "value": key, "generateDistinctId": true,
                "stageKeys": [{"restApiId": api, "stageName": "prod"}], "tags": {"t": "1"}})),
            ("POST", "/apikeys".into(), "", json!({})),
            ("PATCH", "/apikeys/$id".into(), "", patch(json!([
                op("replace", "/name", "renamed"),
                op("replace", "/description", "d2"),
                op("replace", "/enabled", "true"),
                op("replace", "/customerId", "c2"),
                op("add", "/stageKeys", &format!("{api}/prod")),
                op("add", "/stageKeys", &format!("{api}/dev")),
            ]))),
            ("PATCH", "/apikeys/$id".into(), "", patch(json!([
                op("remove", "/stageKeys", &format!("{api}/prod")),
                op("replace", "/description", ""),
                op("replace", "/customerId", ""),
            ]))),
            ("POST", "/apikeys".into(), "mode=import&format=csv",
                json!(format!("name,key,description,enabled\nimported,abcdefghijklmnopqrstuvwxyz,,false\nagain,{key},d3,true"))),
            ("PUT", format!("/tags/{}", arn("/apikeys/$id")), "", json!({"tags": {"x": "y"}})),
        ],
    );
}

#[test]
fn usage_plans() {
    let h = Harness::new();
    let api = api_with_stages(&h);
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::USAGE_PLAN, ""),
        &[whole::<UsagePlan>],
        &[
            (
                "POST",
                "/usageplans".into(),
                "",
                json!({"name": "gold", "description": "d",
                "throttle": {"burstLimit": 10, "rateLimit": 5},
                "quota": {"limit": 100, "period": "WEEK", "offset": 1},
                "apiStages": [{"apiId": api, "stage": "prod", "throttle": {
                    "/pets/GET": {"burstLimit": 1, "rateLimit": 2}, "//GET": {"rateLimit": 1}}}],
                "tags": {"t": "1"}}),
            ),
            (
                "POST",
                "/usageplans".into(),
                "",
                json!({"name": "bare",
                "quota": {"limit": 5, "period": "DAY"}, "throttle": {}}),
            ),
            (
                "PATCH",
                "/usageplans/$id".into(),
                "",
                patch(json!([
                    op("replace", "/name", "renamed"),
                    op("replace", "/description", "d2"),
                    op("replace", "/productCode", "pc"),
                    op("replace", "/throttle/rateLimit", "3"),
                    op("replace", "/throttle/burstLimit", "4"),
                    op("replace", "/quota/limit", "10"),
                    op("replace", "/quota/period", "MONTH"),
                    op("replace", "/quota/offset", "2"),
                    op("add", "/apiStages", &format!("{api}:prod")),
                    op("add", "/apiStages", &format!("{api}:dev")),
                ])),
            ),
            (
                "PATCH",
                "/usageplans/$id".into(),
                "",
                patch(json!([
                    op(
                        "replace",
                        &format!("/apiStages/{api}:prod/throttle/~1pets/GET/rateLimit"),
                        "7"
                    ),
                    op(
                        "replace",
                        &format!("/apiStages/{api}:prod/throttle/~1pets/GET/burstLimit"),
                        "8"
                    ),
                    op(
                        "add",
                        &format!("/apiStages/{api}:dev/throttle//cats/GET/rateLimit"),
                        "1.5"
                    ),
                ])),
            ),
            (
                "PATCH",
                "/usageplans/$id".into(),
                "",
                patch(json!([
                    op("replace", &format!("/apiStages/{api}:prod/throttle"),
                        r#"{"/*/*": {"rateLimit": 1, "burstLimit": 2}}"#),
                    {"op": "remove", "path": format!("/apiStages/{api}:dev/throttle/~1cats/GET")},
                    op("remove", "/apiStages", &format!("{api}:dev")),
                    {"op": "remove", "path": "/quota"},
                    {"op": "remove", "path": "/throttle"},
                    op("replace", "/productCode", ""),
                    op("replace", "/description", ""),
                ])),
            ),
            (
                "PUT",
                format!("/tags/{}", arn("/usageplans/$id")),
                "",
                json!({"tags": {"x": "y"}}),
            ),
        ],
    );
}

#[test]
fn usage_plan_keys() {
    let h = Harness::new();
    let api = api_with_stages(&h);
    let plan = h.call(
        "POST",
        "/usageplans",
        "",
        json!({"name": "p", "apiStages": [{"apiId": api, "stage": "prod"}]}),
    );
    let plan = plan["id"].as_str().unwrap().to_string();
    let key = h.call("POST", "/apikeys", "", json!({"name": "k"}));
    check(
        &h,
        (kind::USAGE_PLAN_KEY, &plan),
        &[whole::<UsagePlanKey>],
        &[
            (
                "POST",
                format!("/usageplans/{plan}/keys"),
                "",
                json!({"keyId": key["id"], "keyType": "API_KEY"}),
            ),
            (
                "POST",
                "/apikeys".into(),
                "mode=import&format=csv",
                json!(format!(
                    "Name,Key,UsagePlanIds\nimported,abcdefghijklmnopqrstuvwxyz,{plan}"
                )),
            ),
        ],
    );
}
