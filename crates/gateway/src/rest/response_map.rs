//! Phases 7–8, integration response → method response: selection by `selectionPattern`,
//! `responseParameters`, `responseTemplates` chosen by the client's Accept, `contentHandling`;
//! and the header rules for proxied responses (AWS's `x-amzn-Remapped-*`).

use crate::integrations::pool::DrivenBody;
use crate::integrations::Selector;
use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::{Map, Value};

use super::compile::Integration;
use super::gateway_responses::GatewayError;
use super::mapping::View;
use super::pipeline::ExecLog;
use super::request_map::{convert, is_binary, truncate};
use super::template::{self, Carried, Inputs};
use crate::http::{full, ResponseBody};
use crate::integrations::Outcome;

/// The method response of a non-proxy integration.
#[allow(clippy::too_many_arguments)]
pub fn map(
    integ: &Integration,
    out: Outcome,
    view: &View,
    accept: Option<&str>,
    binary_media_types: &[String],
    path_params: &[(String, String)],
    query: &[(String, String)],
    stage_variables: &Map<String, Value>,
    status_override: Option<u16>,
    carried: Carried,
    log: &mut ExecLog,
) -> Result<Response<ResponseBody>, GatewayError> {
    let ir = match &out.selector {
        Selector::Status => integ.select_response(&out.status.to_string()),
        Selector::Text(t) => integ.select_response(t),
        Selector::Default => integ.default_response(),
    }
    .ok_or_else(|| {
        GatewayError::config(format!(
            "Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: {}",
            out.status
        ))
    })?;
    log.add(|| {
        format!(
            "Endpoint response status {} selected integration response {}",
            out.status, ir.status
        )
    });
    let mut status = ir.status;
    let int_ct = out
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let binary = is_binary(&int_ct, binary_media_types);
    let body = match ir.content_handling {
        Some(h) => convert(&out.body, h, binary)?,
        None => out.body.clone(),
    };
    // Room for Content-Type, mapped parameters and the three ids `pipeline::stamp` adds.
    let mut headers = HeaderMap::with_capacity(8);
    let mut values = Vec::new();
    {
        let iv = View {
            integration_headers: Some(&out.headers),
            integration_body: &out.body,
            parsed_body: std::sync::OnceLock::new(),
            parsed_integration_body: std::sync::OnceLock::new(),
            ..*view
        };
        for (name, src) in &ir.parameters {
            if let Some(v) = iv.eval(src) {
                values.push((name.clone(), v));
            }
        }
    }
    let chosen = choose(&ir.templates, accept);
    let (content_type, body) = match chosen {
        None => {
            values.extend(carried.response.header.iter().cloned());
            ("application/json".to_string(), body)
        }
        Some((ct, t)) => {
            let needs = t.needs();
            let inputs = || Inputs {
                body: if needs.input {
                    String::from_utf8_lossy(&body).into_owned()
                } else {
                    String::new()
                },
                path_params: if needs.input {
                    path_params.to_vec()
                } else {
                    Vec::new()
                },
                query_params: if needs.input {
                    query.to_vec()
                } else {
                    Vec::new()
                },
                header_params: if needs.input {
                    view.headers
                        .iter()
                        .filter_map(|(k, v)| {
                            Some((k.as_str().to_string(), v.to_str().ok()?.to_string()))
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                context: view.context.owned(needs.context.as_deref()),
                stage_variables: if needs.stage_variables {
                    stage_variables.clone()
                } else {
                    Map::new()
                },
                carried,
            };
            let r = t.render_with(inputs).map_err(|e| {
                GatewayError::config(format!(
                    "Execution failed due to configuration error: Unable to transform response: {e}"
                ))
            })?;
            if let Some(s) = r.response_status {
                status = s;
            }
            values.extend(r.response_headers);
            (ct.to_string(), Bytes::from(r.output))
        }
    };
    if let Some(s) = status_override {
        status = s;
    }
    log.add(|| {
        format!(
            "Method response body after transformations: {}",
            truncate(&String::from_utf8_lossy(&body))
        )
    });
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    for (name, v) in values {
        if let (Ok(n), Ok(v)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(&v),
        ) {
            headers.insert(n, v);
        }
    }
    let mut resp = Response::new(full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    *resp.headers_mut() = headers;
    Ok(resp)
}

/// The response template for the client's Accept: an exact media type from the Accept list,
/// else `application/json`, else the first defined.
fn choose<'t>(
    templates: &'t [(String, template::Template)],
    accept: Option<&str>,
) -> Option<(&'t str, &'t template::Template)> {
    if templates.is_empty() {
        return None;
    }
    if let Some(a) = accept {
        for want in a.split(',') {
            let want = template::media_type(want);
            if let Some((ct, t)) = templates
                .iter()
                .find(|(ct, _)| template::media_type(ct).eq_ignore_ascii_case(want))
            {
                return Some((ct.as_str(), t));
            }
        }
    }
    template::select(templates, "application/json")
        .map(|t| ("application/json", t))
        .or_else(|| templates.first().map(|(ct, t)| (ct.as_str(), t)))
}

/// What a proxied response keeps of a backend header (an `h1::HeaderRule`): AWS drops the
/// hop-by-hop ones and renames those it sets itself to `x-amzn-Remapped-*`. Applied as the head
/// is parsed, so each header is looked at once.
pub fn proxy_header(name: HeaderName) -> Option<HeaderName> {
    // Most names differ from all seven in length: a `match` on the text rejects them there.
    // The new names are constants, built at compile time.
    const CONNECTION: HeaderName = HeaderName::from_static("x-amzn-remapped-connection");
    const CONTENT_LENGTH: HeaderName = HeaderName::from_static("x-amzn-remapped-content-length");
    const DATE: HeaderName = HeaderName::from_static("x-amzn-remapped-date");
    const SERVER: HeaderName = HeaderName::from_static("x-amzn-remapped-server");
    match name.as_str() {
        "transfer-encoding" | "via" | "keep-alive" => None,
        "connection" => Some(CONNECTION),
        "content-length" => Some(CONTENT_LENGTH),
        "date" => Some(DATE),
        "server" => Some(SERVER),
        _ => Some(name),
    }
}

/// A proxied response (its headers already through [`proxy_header`]), body untouched.
pub fn proxy(resp: Response<DrivenBody>) -> Response<ResponseBody> {
    let (parts, mut body) = resp.into_parts();
    let body = match body.take_whole() {
        Some(whole) => crate::http::full(whole),
        None => ResponseBody::Streamed(Box::new(body)),
    };
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxied_responses_drop_hop_by_hop_headers_and_remap_the_ones_aws_sets() {
        for (sent, kept) in [
            ("transfer-encoding", None),
            ("via", None),
            ("keep-alive", None),
            ("connection", Some("x-amzn-remapped-connection")),
            ("content-length", Some("x-amzn-remapped-content-length")),
            ("date", Some("x-amzn-remapped-date")),
            ("server", Some("x-amzn-remapped-server")),
            ("content-type", Some("content-type")),
            ("x-custom", Some("x-custom")),
            ("x-via", Some("x-via")),
        ] {
            let name = HeaderName::from_bytes(sent.as_bytes()).unwrap();
            assert_eq!(
                proxy_header(name).as_ref().map(HeaderName::as_str),
                kept,
                "{sent}"
            );
        }
    }
}
