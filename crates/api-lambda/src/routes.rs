//! The `lambda` 2015-03-31 route table: every operation of AWS's model, with its method,
//! URI template and success status, as botocore's model gives them.

use portico_mgmt::routes::RouteTable;

/// `OperationName METHOD URI STATUS`, one per line, sorted by name.
pub const LAMBDA: &str = "\
AddLayerVersionPermission POST /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy 201
AddPermission POST /2015-03-31/functions/{FunctionName}/policy 201
CheckpointDurableExecution POST /2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint 200
CreateAlias POST /2015-03-31/functions/{FunctionName}/aliases 201
CreateCapacityProvider POST /2025-11-30/capacity-providers 202
CreateCodeSigningConfig POST /2020-04-22/code-signing-configs 201
CreateEventSourceMapping POST /2015-03-31/event-source-mappings 202
CreateFunction POST /2015-03-31/functions 201
CreateFunctionUrlConfig POST /2021-10-31/functions/{FunctionName}/url 201
DeleteAlias DELETE /2015-03-31/functions/{FunctionName}/aliases/{Name} 204
DeleteCapacityProvider DELETE /2025-11-30/capacity-providers/{CapacityProviderName} 202
DeleteCodeSigningConfig DELETE /2020-04-22/code-signing-configs/{CodeSigningConfigArn} 204
DeleteEventSourceMapping DELETE /2015-03-31/event-source-mappings/{UUID} 202
DeleteFunction DELETE /2015-03-31/functions/{FunctionName} 200
DeleteFunctionCodeSigningConfig DELETE /2020-06-30/functions/{FunctionName}/code-signing-config 204
DeleteFunctionConcurrency DELETE /2017-10-31/functions/{FunctionName}/concurrency 204
DeleteFunctionEventInvokeConfig DELETE /2019-09-25/functions/{FunctionName}/event-invoke-config 204
DeleteFunctionUrlConfig DELETE /2021-10-31/functions/{FunctionName}/url 204
DeleteLayerVersion DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber} 204
DeleteProvisionedConcurrencyConfig DELETE /2019-09-30/functions/{FunctionName}/provisioned-concurrency 204
GetAccountSettings GET /2016-08-19/account-settings 200
GetAlias GET /2015-03-31/functions/{FunctionName}/aliases/{Name} 200
GetCapacityProvider GET /2025-11-30/capacity-providers/{CapacityProviderName} 200
GetCodeSigningConfig GET /2020-04-22/code-signing-configs/{CodeSigningConfigArn} 200
GetDurableExecution GET /2025-12-01/durable-executions/{DurableExecutionArn} 200
GetDurableExecutionHistory GET /2025-12-01/durable-executions/{DurableExecutionArn}/history 200
GetDurableExecutionState GET /2025-12-01/durable-executions/{DurableExecutionArn}/state 200
GetEventSourceMapping GET /2015-03-31/event-source-mappings/{UUID} 200
GetFunction GET /2015-03-31/functions/{FunctionName} 200
GetFunctionCodeSigningConfig GET /2020-06-30/functions/{FunctionName}/code-signing-config 200
GetFunctionConcurrency GET /2019-09-30/functions/{FunctionName}/concurrency 200
GetFunctionConfiguration GET /2015-03-31/functions/{FunctionName}/configuration 200
GetFunctionEventInvokeConfig GET /2019-09-25/functions/{FunctionName}/event-invoke-config 200
GetFunctionRecursionConfig GET /2024-08-31/functions/{FunctionName}/recursion-config 200
GetFunctionScalingConfig GET /2025-11-30/functions/{FunctionName}/function-scaling-config 200
GetFunctionUrlConfig GET /2021-10-31/functions/{FunctionName}/url 200
GetLayerVersion GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber} 200
GetLayerVersionByArn GET /2018-10-31/layers?find=LayerVersion 200
GetLayerVersionPolicy GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy 200
GetPolicy GET /2015-03-31/functions/{FunctionName}/policy 200
GetProvisionedConcurrencyConfig GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency 200
GetRuntimeManagementConfig GET /2021-07-20/functions/{FunctionName}/runtime-management-config 200
Invoke POST /2015-03-31/functions/{FunctionName}/invocations 200
InvokeAsync POST /2014-11-13/functions/{FunctionName}/invoke-async 202
InvokeWithResponseStream POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations 200
ListAliases GET /2015-03-31/functions/{FunctionName}/aliases 200
ListCapacityProviders GET /2025-11-30/capacity-providers 200
ListCodeSigningConfigs GET /2020-04-22/code-signing-configs 200
ListDurableExecutionsByFunction GET /2025-12-01/functions/{FunctionName}/durable-executions 200
ListEventSourceMappings GET /2015-03-31/event-source-mappings 200
ListFunctionEventInvokeConfigs GET /2019-09-25/functions/{FunctionName}/event-invoke-config/list 200
ListFunctionUrlConfigs GET /2021-10-31/functions/{FunctionName}/urls 200
ListFunctionVersionsByCapacityProvider GET /2025-11-30/capacity-providers/{CapacityProviderName}/function-versions 200
ListFunctions GET /2015-03-31/functions 200
ListFunctionsByCodeSigningConfig GET /2020-04-22/code-signing-configs/{CodeSigningConfigArn}/functions 200
ListLayerVersions GET /2018-10-31/layers/{LayerName}/versions 200
ListLayers GET /2018-10-31/layers 200
ListProvisionedConcurrencyConfigs GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL 200
ListTags GET /2017-03-31/tags/{Resource} 200
ListVersionsByFunction GET /2015-03-31/functions/{FunctionName}/versions 200
PublishLayerVersion POST /2018-10-31/layers/{LayerName}/versions 201
PublishVersion POST /2015-03-31/functions/{FunctionName}/versions 201
PutFunctionCodeSigningConfig PUT /2020-06-30/functions/{FunctionName}/code-signing-config 200
PutFunctionConcurrency PUT /2017-10-31/functions/{FunctionName}/concurrency 200
PutFunctionEventInvokeConfig PUT /2019-09-25/functions/{FunctionName}/event-invoke-config 200
PutFunctionRecursionConfig PUT /2024-08-31/functions/{FunctionName}/recursion-config 200
PutFunctionScalingConfig PUT /2025-11-30/functions/{FunctionName}/function-scaling-config 202
PutProvisionedConcurrencyConfig PUT /2019-09-30/functions/{FunctionName}/provisioned-concurrency 202
PutRuntimeManagementConfig PUT /2021-07-20/functions/{FunctionName}/runtime-management-config 200
RemoveLayerVersionPermission DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId} 204
RemovePermission DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId} 204
SendDurableExecutionCallbackFailure POST /2025-12-01/durable-execution-callbacks/{CallbackId}/fail 200
SendDurableExecutionCallbackHeartbeat POST /2025-12-01/durable-execution-callbacks/{CallbackId}/heartbeat 200
SendDurableExecutionCallbackSuccess POST /2025-12-01/durable-execution-callbacks/{CallbackId}/succeed 200
StopDurableExecution POST /2025-12-01/durable-executions/{DurableExecutionArn}/stop 200
TagResource POST /2017-03-31/tags/{Resource} 204
UntagResource DELETE /2017-03-31/tags/{Resource} 204
UpdateAlias PUT /2015-03-31/functions/{FunctionName}/aliases/{Name} 200
UpdateCapacityProvider PUT /2025-11-30/capacity-providers/{CapacityProviderName} 202
UpdateCodeSigningConfig PUT /2020-04-22/code-signing-configs/{CodeSigningConfigArn} 200
UpdateEventSourceMapping PUT /2015-03-31/event-source-mappings/{UUID} 202
UpdateFunctionCode PUT /2015-03-31/functions/{FunctionName}/code 200
UpdateFunctionConfiguration PUT /2015-03-31/functions/{FunctionName}/configuration 200
UpdateFunctionEventInvokeConfig POST /2019-09-25/functions/{FunctionName}/event-invoke-config 200
UpdateFunctionUrlConfig PUT /2021-10-31/functions/{FunctionName}/url 200
";

pub fn table() -> RouteTable {
    RouteTable::parse(LAMBDA)
}
