//! TestInvokeMethod and TestInvokeAuthorizer: the API's CURRENT definition, frozen exactly as a
//! deployment would freeze it, run once through the data plane (the binary's
//! [`crate::DataPlane`]), without deploying. A test invocation is rare; compiling it on the
//! spot beats a cache that could go stale.

use portico_model::DeploymentSnapshot;

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::{
    authorizers, resources, restapis, store, AsyncHandler, BoxFuture, Ctx, TestAuthorizer,
    TestInvoke,
};

pub(crate) fn handler(operation: &str) -> Option<AsyncHandler> {
    match operation {
        "TestInvokeMethod" => Some(test_invoke_method),
        "TestInvokeAuthorizer" => Some(test_invoke_authorizer),
        _ => None,
    }
}

fn test_invoke_method<'a>(cx: &'a Ctx, call: &'a Call) -> BoxFuture<'a, Result<Reply, ApiError>> {
    Box::pin(run(cx, call))
}

fn test_invoke_authorizer<'a>(
    cx: &'a Ctx,
    call: &'a Call,
) -> BoxFuture<'a, Result<Reply, ApiError>> {
    Box::pin(async move {
        let api_id = call.label("restapi_id").to_string();
        let authorizer_id = call.label("authorizer_id").to_string();
        let input = call.json()?;
        let snapshot = freeze(cx, call, &api_id, Some(&authorizer_id)).await?;
        let answer = cx
            .data_plane
            .test_authorizer(TestAuthorizer {
                tenant: call.tenant.clone(),
                api_id,
                authorizer_id,
                snapshot,
                input,
            })
            .await?;
        Ok(Reply::Json(answer))
    })
}

/// The API's current definition; with `authorizer`, that authorizer must exist (AWS's
/// not-found error otherwise). Off the worker like every other handler's store work.
async fn freeze(
    cx: &Ctx,
    call: &Call,
    api_id: &str,
    authorizer: Option<&str>,
) -> Result<DeploymentSnapshot, ApiError> {
    let (db, tenant, id) = (cx.store.clone(), call.tenant.clone(), api_id.to_string());
    let authorizer = authorizer.map(str::to_string);
    portico_store::offload(&*cx.store, move || {
        store::read(&*db, &tenant, |txn| {
            if let Some(a) = &authorizer {
                authorizers::require(txn, &id, a)?;
            }
            let api = restapis::load(txn, &tenant, &id)?;
            let all = resources::all(txn, &id)?;
            Ok(DeploymentSnapshot::freeze(txn, &id, api, all)?)
        })
    })
    .await
}

async fn run(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id").to_string();
    let input = call.json()?;
    let snapshot = freeze(cx, call, &api_id, None).await?;
    let answer = cx
        .data_plane
        .test_invoke(TestInvoke {
            tenant: call.tenant.clone(),
            api_id,
            resource_id: call.label("resource_id").to_string(),
            http_method: call.label("http_method").to_string(),
            snapshot,
            input,
        })
        .await?;
    Ok(Reply::Json(answer))
}
