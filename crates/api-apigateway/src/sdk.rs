//! GetSdk: a client for a stage's deployed API (its deployment snapshot, as GetExport reads
//! it). Only `javascript` is generated ([`javascript`]); the other types GetSdkTypes lists
//! answer a BadRequestException saying so.

mod javascript;

use std::io::Write;

use portico_model::DeploymentSnapshot;
use serde_json::Value;

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::stages;
use crate::store::{self, kind};
use crate::{Ctx, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "GetSdk" => get_sdk,
        _ => return None,
    })
}

fn get_sdk(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, stage) = (call.label("restapi_id"), call.label("stage_name"));
    let sdk_type = call.label("sdk_type");
    match sdk_type {
        "javascript" => {}
        // Decision: the other SDKs AWS generates are not built; a clear 400 rather than a
        // package that does not work.
        "java" | "android" | "objectivec" | "swift" | "ruby" => {
            return Err(ApiError::bad_request(format!(
                "Portico generates only javascript SDKs; the {sdk_type} SDK is not supported"
            )))
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid SDK type specified: {other}"
            )))
        }
    }
    let snapshot = store::read(&*cx.store, &call.tenant, |txn| {
        let s = stages::require(txn, call, api_id, stage)?;
        let dep = s
            .get("deploymentId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let doc = txn
            .get_shared(kind::DEPLOYMENT_SNAPSHOT, api_id, dep)?
            .ok_or_else(stages::not_found)?;
        Ok(DeploymentSnapshot::from_document(&doc)?)
    })?;
    // Decision: the default invoke URL is the stage on the server the request came to, in the
    // path form Portico serves for any Host (README "Invoking"); `invokeUrl` overrides it.
    let host = call
        .headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1:4566");
    let invoke_url = format!("http://{host}/restapis/{api_id}/{stage}/_user_request_");
    let client = javascript::client(&snapshot, api_id, stage, &invoke_url);
    let readme = javascript::readme(&snapshot, api_id, stage, &invoke_url);
    let body = zip(&[
        ("apiGateway-js-sdk/apigClient.js", client.as_bytes()),
        ("apiGateway-js-sdk/README.md", readme.as_bytes()),
    ])?;
    // Decision: AWS's Content-Disposition for GetSdk is not on record; this follows GetExport's
    // `{type}_{version}` form with the day the SDK was generated.
    let today = time::OffsetDateTime::now_utc().date();
    Ok(Reply::Raw {
        content_type: "application/octet-stream".into(),
        content_disposition: Some(format!("attachment; filename=\"javascript_{today}.zip\"")),
        body: body.into(),
    })
}

fn zip(files: &[(&str, &[u8])]) -> Result<Vec<u8>, ApiError> {
    let fail =
        |e: &dyn std::fmt::Display| ApiError::internal(format!("cannot write the SDK zip: {e}"));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(*name, options).map_err(|e| fail(&e))?;
        w.write_all(data).map_err(|e| fail(&e))?;
    }
    Ok(w.finish().map_err(|e| fail(&e))?.into_inner())
}
