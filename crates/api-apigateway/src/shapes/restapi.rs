//! Methods, method responses, integrations, integration responses and authorizers.

use super::*;

#[test]
fn methods_and_method_responses() {
    let h = Harness::new();
    let (api, root) = api(&h);
    let pets = h.call(
        "POST",
        &format!("/restapis/{api}/resources/{root}"),
        "",
        json!({"pathPart": "pets"}),
    );
    let pets = format!("/restapis/{api}/resources/{}", pets["id"].as_str().unwrap());
    let authorizer = h.call(
        "POST",
        &format!("/restapis/{api}/authorizers"),
        "",
        json!({"name": "a", "type": "TOKEN", "authorizerUri": LAMBDA,
            "identitySource": "method.request.header.Auth"}),
    );
    let validator = h.call(
        "POST",
        &format!("/restapis/{api}/requestvalidators"),
        "",
        json!({"name": "v", "validateRequestBody": true}),
    );
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::RESOURCE, &api),
        &[methods, method_responses],
        &[
            (
                "PUT",
                format!("{pets}/methods/GET"),
                "",
                json!({"authorizationType": "custom",
                "authorizerId": authorizer["id"], "apiKeyRequired": true,
                "operationName": "ListPets",
                "requestParameters": {"method.request.querystring.q": true,
                    "method.request.header.h": false},
                "requestModels": {"application/json": "Empty"},
                "requestValidatorId": validator["id"], "authorizationScopes": ["s1", "s2"]}),
            ),
            (
                "PUT",
                format!("{pets}/methods/POST"),
                "",
                json!({"authorizationType": "NONE"}),
            ),
            (
                "PATCH",
                format!("{pets}/methods/GET"),
                "",
                patch(json!([
                    op("replace", "/authorizationType", "NONE"),
                    op("replace", "/apiKeyRequired", "false"),
                    op("replace", "/operationName", "op2"),
                    op("replace", "/requestValidatorId", ""),
                    op(
                        "add",
                        "/requestParameters/method.request.querystring.r",
                        "true"
                    ),
                    op("remove", "/requestParameters/method.request.header.h", ""),
                    op("add", "/requestModels/text~1plain", "Error"),
                    op("remove", "/authorizationScopes", "s1"),
                ])),
            ),
            (
                "PUT",
                format!("{pets}/methods/GET/responses/200"),
                "",
                json!({
                "responseParameters": {"method.response.header.X-A": true},
                "responseModels": {"application/json": "Empty"}}),
            ),
            (
                "PUT",
                format!("{pets}/methods/POST/responses/404"),
                "",
                json!({}),
            ),
            (
                "PATCH",
                format!("{pets}/methods/GET/responses/200"),
                "",
                patch(json!([
                    op(
                        "add",
                        "/responseParameters/method.response.header.X-B",
                        "false"
                    ),
                    op("remove", "/responseModels/application~1json", ""),
                ])),
            ),
            (
                "PATCH",
                format!("{pets}/methods/POST"),
                "",
                patch(json!([
                    op("replace", "/authorizationType", "CUSTOM"),
                    op(
                        "replace",
                        "/authorizerId",
                        authorizer["id"].as_str().unwrap()
                    ),
                    op("add", "/authorizationScopes", "s3"),
                ])),
            ),
        ],
    );
}

const LAMBDA: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:f/invocations";

#[test]
fn integrations_and_integration_responses() {
    let h = Harness::new();
    let (api, root) = api(&h);
    let pets = h.call(
        "POST",
        &format!("/restapis/{api}/resources/{root}"),
        "",
        json!({"pathPart": "pets"}),
    );
    let pet = h.call(
        "POST",
        &format!("/restapis/{api}/resources/{}", pets["id"].as_str().unwrap()),
        "",
        json!({"pathPart": "{id}"}),
    );
    let pet = format!("/restapis/{api}/resources/{}", pet["id"].as_str().unwrap());
    for verb in ["GET", "POST"] {
        h.call(
            "PUT",
            &format!("{pet}/methods/{verb}"),
            "",
            json!({"authorizationType": "NONE", "requestParameters": {
                "method.request.path.id": true, "method.request.header.h": false}}),
        );
        h.call(
            "PUT",
            &format!("{pet}/methods/{verb}/responses/200"),
            "",
            json!({"responseParameters": {"method.response.header.X": false}}),
        );
    }
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::RESOURCE, &api),
        &[integration, integration_responses],
        &[
            (
                "PUT",
                format!("{pet}/methods/GET/integration"),
                "",
                json!({"type": "HTTP",
                "httpMethod": "GET", "uri": "http://example.com/pets/{id}",
                "requestParameters": {"integration.request.path.id": "method.request.path.id"},
                "requestTemplates": {"application/json": "{}"},
                "passthroughBehavior": "WHEN_NO_TEMPLATES", "contentHandling": "CONVERT_TO_TEXT",
                "timeoutInMillis": 1000, "cacheKeyParameters": ["method.request.path.id"],
                "tlsConfig": {"insecureSkipVerification": true}, "connectionType": "INTERNET",
                "credentials": "arn:aws:iam::111111111111:role/r", "cacheNamespace": "ns"}),
            ),
            (
                "PUT",
                format!("{pet}/methods/POST/integration"),
                "",
                json!({"type": "MOCK",
                "uri": "http://ignored", "httpMethod": "POST", "tlsConfig": {},
                "requestTemplates": {"application/json": "{\"statusCode\": 200}"}}),
            ),
            (
                "PATCH",
                format!("{pet}/methods/GET/integration"),
                "",
                patch(json!([
                    op("replace", "/uri", "http://example.org/{id}"),
                    op("replace", "/httpMethod", "POST"),
                    op("replace", "/timeoutInMillis", "2000"),
                    op("replace", "/passthroughBehavior", "NEVER"),
                    op("replace", "/contentHandling", ""),
                    op("replace", "/cacheNamespace", "n2"),
                    op("add", "/cacheKeyParameters/method.request.header.h", ""),
                    op("remove", "/cacheKeyParameters/method.request.path.id", ""),
                    op("add", "/requestTemplates/text~1plain", "x"),
                    op(
                        "remove",
                        "/requestParameters/integration.request.path.id",
                        ""
                    ),
                    op("replace", "/tlsConfig/insecureSkipVerification", "false"),
                    op("replace", "/connectionId", ""),
                ])),
            ),
            (
                "PUT",
                format!("{pet}/methods/GET/integration/responses/200"),
                "",
                json!({
                "selectionPattern": "2\\d{2}",
                "responseParameters": {"method.response.header.X": "'x'"},
                "responseTemplates": {"application/json": "$input.body"},
                "contentHandling": "CONVERT_TO_TEXT"}),
            ),
            (
                "PUT",
                format!("{pet}/methods/POST/integration/responses/200"),
                "",
                json!({}),
            ),
            (
                "PATCH",
                format!("{pet}/methods/GET/integration/responses/200"),
                "",
                patch(json!([
                    op("replace", "/selectionPattern", ""),
                    op("replace", "/contentHandling", ""),
                    op("remove", "/responseTemplates/application~1json", ""),
                    op(
                        "replace",
                        "/responseParameters/method.response.header.X",
                        "integration.response.header.Y"
                    ),
                ])),
            ),
        ],
    );
}

#[test]
fn authorizers() {
    let h = Harness::new();
    let (api, _) = api(&h);
    let authorizers = format!("/restapis/{api}/authorizers");
    let pool = "arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_abc";
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::AUTHORIZER, &api),
        &[whole::<Authorizer>],
        &[
            (
                "POST",
                authorizers.clone(),
                "",
                json!({"name": "tok", "type": "TOKEN",
                "authorizerUri": LAMBDA, "identitySource": "method.request.header.Auth",
                "identityValidationExpression": ".*", "authType": "custom",
                "authorizerCredentials": "arn:aws:iam::111111111111:role/r"}),
            ),
            (
                "POST",
                authorizers.clone(),
                "",
                json!({"name": "cog", "type": "COGNITO_USER_POOLS",
                "providerARNs": [pool], "identitySource": "method.request.header.Authorization",
                "authorizerResultTtlInSeconds": 0}),
            ),
            (
                "POST",
                authorizers.clone(),
                "",
                json!({"name": "req", "type": "REQUEST",
                "authorizerUri": LAMBDA,
                "identitySource": "method.request.header.a, method.request.querystring.b"}),
            ),
            (
                "PATCH",
                format!("{authorizers}/$id"),
                "",
                patch(json!([
                    op("replace", "/name", "renamed"),
                    op("replace", "/authorizerResultTtlInSeconds", "60"),
                    op("replace", "/type", "TOKEN"),
                    op("replace", "/identitySource", "method.request.header.X"),
                    op("replace", "/authType", ""),
                    op(
                        "add",
                        &format!("/providerARNs/{}", pool.replace('/', "~1")),
                        ""
                    ),
                ])),
            ),
        ],
    );
    // The deployment snapshot carries them as they are.
    deploy(&h, &api);
    let snapshots = h.documents(kind::DEPLOYMENT_SNAPSHOT, &api);
    let carried: Vec<&Value> = snapshots
        .iter()
        .flat_map(|s| s["authorizers"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(round_trip::<Authorizer>(carried, "CreateDeployment"), 3);
}
