//! Phase 6 for `AWS` integrations to services other than Lambda: the mapped request, signed
//! with SigV4 for the service the URI names, sent to its configured endpoint
//! (`integrations::aws`); the answer goes through the integration responses by status, as an
//! HTTP integration's does.

use std::borrow::Cow;
use std::time::Instant;

use bytes::Bytes;
use hyper::HeaderMap;
use percent_encoding::utf8_percent_encode;

use super::compile::{Integration, UriPart};
use super::gateway_responses::GatewayError;
use super::pipeline::{Exec, ExecLog};
use super::request_map::{BackendRequest, Mapped, PATH_VALUE};
use crate::integrations::aws::{service_call, AwsServices};
use crate::integrations::http::Endpoint;
use crate::integrations::Outcome;

pub(super) async fn call(
    exec: &Exec<'_>,
    services: Option<&AwsServices>,
    integ: &Integration,
    mapped: Mapped,
    path_params: &[(String, String)],
    content_type: &str,
    log: &mut ExecLog,
) -> Result<Outcome, GatewayError> {
    let uri = uri_text(exec, integ, &mapped, path_params);
    let Some(call) = service_call(&uri) else {
        return Err(GatewayError::config(format!(
            "Execution failed due to configuration error: Invalid integration URI {uri}"
        )));
    };
    let Some((services, base)) = services.and_then(|s| Some((s, s.endpoint(&call.service)?)))
    else {
        return Err(GatewayError::config(format!(
            "Execution failed due to configuration error: no endpoint for AWS service {:?} \
             (Portico runs no AWS service: set [aws_services] endpoint, e.g. a LocalStack)",
            call.service
        )));
    };
    let mut query = call.query.clone();
    for (k, v) in &mapped.query {
        if !query.is_empty() {
            query.push('&');
        }
        query.extend(utf8_percent_encode(k, PATH_VALUE));
        query.push('=');
        query.extend(utf8_percent_encode(v, PATH_VALUE));
    }
    let base_path = base
        .split_once("://")
        .map_or("", |(_, r)| r.find('/').map_or("", |i| &r[i..]));
    let raw_path = format!("{base_path}{}", call.path);
    let mut url = format!("{}{}", base.trim_end_matches(base_path), raw_path);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    let endpoint = Endpoint::parse(url)?;
    let method = integ.http_method.clone().unwrap_or(hyper::Method::POST);
    let amz_date = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    let body: Bytes = mapped.body;
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), endpoint.host().to_string()),
        ("x-amz-date".into(), amz_date.clone()),
    ];
    if !body.is_empty() {
        headers.push(("content-type".into(), content_type.to_string()));
    }
    for (k, v) in &mapped.headers {
        let k = k.to_ascii_lowercase();
        if !matches!(
            k.as_str(),
            "host" | "x-amz-date" | "authorization" | "content-length"
        ) {
            headers.retain(|(n, _)| *n != k);
            headers.push((k, v.clone()));
        }
    }
    let signed: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let authorization = sigv4::sign(
        &sigv4::Request {
            method: method.as_str(),
            raw_path: &raw_path,
            raw_query: &query,
            headers: &signed,
            body: &body,
        },
        &services.access_key,
        &services.secret_key,
        &call.region,
        &call.service,
        &amz_date,
    );
    let mut added = Vec::with_capacity(512);
    // `Host` is written by the client from the endpoint.
    for (k, v) in headers.iter().skip(1) {
        added.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    added.extend_from_slice(format!("authorization: {authorization}\r\n").as_bytes());
    log.add(|| {
        format!(
            "Endpoint request URI: {} (AWS service {}, signed for {})",
            endpoint.url(),
            call.service,
            call.region
        )
    });
    let req = BackendRequest {
        method,
        endpoint: Cow::Owned(endpoint),
        headers: Cow::Owned(HeaderMap::new()),
        skip: |_| false,
        added,
        body,
        via: None,
        tls: Default::default(),
    };
    exec.client
        .send_buffered(req, Instant::now(), integ.timeout)
        .await
}

/// The integration URI with stage variables and path parameters filled in.
fn uri_text(
    exec: &Exec<'_>,
    integ: &Integration,
    mapped: &Mapped,
    path_params: &[(String, String)],
) -> String {
    let mut text = String::with_capacity(96);
    for p in &integ.uri {
        match p {
            UriPart::Lit(s) => text.push_str(s),
            UriPart::StageVariable(n) => {
                if let Some(v) = exec.variables.get(n) {
                    text.push_str(&super::mapping::scalar_text(v));
                }
            }
            UriPart::Path(n) => {
                let v = mapped
                    .path
                    .iter()
                    .rev()
                    .find(|(k, _)| k == n)
                    .or_else(|| path_params.iter().find(|(k, _)| k == n))
                    .map_or("", |(_, v)| v.as_str());
                text.extend(utf8_percent_encode(v, PATH_VALUE));
            }
        }
    }
    text
}
