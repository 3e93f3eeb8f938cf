//! Route tables of Huawei Cloud's APIs that Portico serves: APIG (`huaweicloudsdkapig` v2,
//! every operation of `ApigClient`) and VPC Endpoint (`huaweicloudsdkvpcep` v1, every operation
//! of `VpcepClient`). `OperationName METHOD URI STATUS`, sorted by name; a pytest test diffs
//! the first three columns against the installed SDKs' clients. Statuses are those of Huawei's
//! API reference for the operations built (CreateInstanceV2 answers 202, DeleteInstancesV2
//! 204); the SDK accepts any 2xx.

use portico_mgmt::RouteTable;

/// APIG v2, all 216 operations.
pub const APIG_V2: &str = "\
AcceptOrRejectEndpointConnections POST /v2/{project_id}/apigw/instances/{instance_id}/vpc-endpoint/connections/action 200
AddCustomIngressPort POST /v2/{project_id}/apigw/instances/{instance_id}/custom-ingress-ports 200
AddEipV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/eip 200
AddEndpointPermissions POST /v2/{project_id}/apigw/instances/{instance_id}/vpc-endpoint/permissions/batch-add 200
AddEngressEipV2 POST /v2/{project_id}/apigw/instances/{instance_id}/nat-eip 200
AddIngressEipV2 POST /v2/{project_id}/apigw/instances/{instance_id}/ingress-eip 200
AddingBackendInstancesV2 POST /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/members 200
AssociateAppsForAppQuota POST /v2/{project_id}/apigw/instances/{instance_id}/app-quotas/{app_quota_id}/binding-apps 200
AssociateCertificateV2 POST /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/domains/{domain_id}/certificate 200
AssociateDomainV2 POST /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/domains 200
AssociateRequestThrottlingPolicyV2 POST /v2/{project_id}/apigw/instances/{instance_id}/throttle-bindings 200
AssociateSignatureKeyV2 POST /v2/{project_id}/apigw/instances/{instance_id}/sign-bindings 200
AttachApiToPlugin POST /v2/{project_id}/apigw/instances/{instance_id}/plugins/{plugin_id}/attach 200
AttachPluginToApi POST /v2/{project_id}/apigw/instances/{instance_id}/apis/{api_id}/plugins/attach 200
BatchAssociateCertsV2 POST /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/domains/{domain_id}/certificates/attach 200
BatchAssociateDomainsV2 POST /v2/{project_id}/apigw/certificates/{certificate_id}/domains/attach 200
BatchCreateOrDeleteInstanceTags POST /v2/{project_id}/apigw/instances/{instance_id}/instance-tags/action 200
BatchDeleteAclV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/acls 200
BatchDeleteApiAclBindingV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/acl-bindings 200
BatchDisableMembers POST /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/members/batch-disable 200
BatchDisassociateCertsV2 POST /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/domains/{domain_id}/certificates/detach 200
BatchDisassociateDomainsV2 POST /v2/{project_id}/apigw/certificates/{certificate_id}/domains/detach 200
BatchDisassociateThrottlingPolicyV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/throttle-bindings 200
BatchEnableMembers POST /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/members/batch-enable 200
BatchPublishOrOfflineApiV2 POST /v2/{project_id}/apigw/instances/{instance_id}/apis/publish 200
CancelingAuthorizationV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/app-auths/{app_auth_id} 200
ChangeApiVersionV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/apis/publish/{api_id} 200
CheckApiGroupsV2 POST /v2/{project_id}/apigw/instances/{instance_id}/api-groups/check 200
CheckApisV2 POST /v2/{project_id}/apigw/instances/{instance_id}/apis/check 200
CheckAppV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apps/validation/{app_id} 200
CreateAclStrategyV2 POST /v2/{project_id}/apigw/instances/{instance_id}/acls 200
CreateAiApiKey POST /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/ai-api-keys 200
CreateAnAppV2 POST /v2/{project_id}/apigw/instances/{instance_id}/apps 200
CreateApiAclBindingV2 POST /v2/{project_id}/apigw/instances/{instance_id}/acl-bindings 200
CreateApiGroupV2 POST /v2/{project_id}/apigw/instances/{instance_id}/api-groups 200
CreateApiV2 POST /v2/{project_id}/apigw/instances/{instance_id}/apis 200
CreateAppCodeAutoV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/app-codes 200
CreateAppCodeV2 POST /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/app-codes 200
CreateAppQuota POST /v2/{project_id}/apigw/instances/{instance_id}/app-quotas 200
CreateAuthorizingAppsV2 POST /v2/{project_id}/apigw/instances/{instance_id}/app-auths 200
CreateCertificateV2 POST /v2/{project_id}/apigw/certificates 200
CreateCustomAuthorizerV2 POST /v2/{project_id}/apigw/instances/{instance_id}/authorizers 200
CreateEnvironmentV2 POST /v2/{project_id}/apigw/instances/{instance_id}/envs 200
CreateEnvironmentVariableV2 POST /v2/{project_id}/apigw/instances/{instance_id}/env-variables 200
CreateFeatureV2 POST /v2/{project_id}/apigw/instances/{instance_id}/features 200
CreateGatewayResponseV2 POST /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/gateway-responses 200
CreateInstanceV2 POST /v2/{project_id}/apigw/instances 202
CreateMemberGroup POST /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/member-groups 200
CreateOrDeletePublishRecordForApiV2 POST /v2/{project_id}/apigw/instances/{instance_id}/apis/action 200
CreateOrchestration POST /v2/{project_id}/apigw/instances/{instance_id}/orchestrations 200
CreateOrder POST /v2/{project_id}/apigw/prepay-instances 200
CreatePlugin POST /v2/{project_id}/apigw/instances/{instance_id}/plugins 200
CreatePostPayResizeOrder POST /v2/{project_id}/apigw/instances/{instance_id}/postpaid-resize 200
CreatePrepayResize POST /v2/{project_id}/apigw/instances/{instance_id}/prepay-resize 200
CreateRequestThrottlingPolicyV2 POST /v2/{project_id}/apigw/instances/{instance_id}/throttles 200
CreateSignatureKeyV2 POST /v2/{project_id}/apigw/instances/{instance_id}/signs 200
CreateSpecialThrottlingConfigurationV2 POST /v2/{project_id}/apigw/instances/{instance_id}/throttles/{throttle_id}/throttle-specials 200
CreateVpcChannelV2 POST /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels 200
DebugApiV2 POST /v2/{project_id}/apigw/instances/{instance_id}/apis/debug/{api_id} 200
DeleteAclV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/acls/{acl_id} 200
DeleteAiApiKey DELETE /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/ai-api-keys/{ai_api_key_id} 200
DeleteApiAclBindingV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/acl-bindings/{acl_bindings_id} 200
DeleteApiByVersionIdV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/apis/versions/{version_id} 200
DeleteApiGroupV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id} 200
DeleteApiV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/apis/{api_id} 200
DeleteAppAcl DELETE /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/app-acl 200
DeleteAppCodeV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/app-codes/{app_code_id} 200
DeleteAppQuota DELETE /v2/{project_id}/apigw/instances/{instance_id}/app-quotas/{app_quota_id} 200
DeleteAppV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id} 200
DeleteBackendInstanceV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/members/{member_id} 200
DeleteCertificateV2 DELETE /v2/{project_id}/apigw/certificates/{certificate_id} 200
DeleteCustomAuthorizerV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/authorizers/{authorizer_id} 200
DeleteCustomIngressPort DELETE /v2/{project_id}/apigw/instances/{instance_id}/custom-ingress-ports/{ingress_port_id} 200
DeleteEndpointPermissions POST /v2/{project_id}/apigw/instances/{instance_id}/vpc-endpoint/permissions/batch-delete 200
DeleteEnvironmentV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/envs/{env_id} 200
DeleteEnvironmentVariableV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/env-variables/{env_variable_id} 200
DeleteGatewayResponseTypeV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/gateway-responses/{response_id}/{response_type} 200
DeleteGatewayResponseV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/gateway-responses/{response_id} 200
DeleteInstancesV2 DELETE /v2/{project_id}/apigw/instances/{instance_id} 204
DeleteMemberGroup DELETE /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/member-groups/{member_group_id} 200
DeleteOrchestration DELETE /v2/{project_id}/apigw/instances/{instance_id}/orchestrations/{orchestration_id} 200
DeletePlugin DELETE /v2/{project_id}/apigw/instances/{instance_id}/plugins/{plugin_id} 200
DeleteRequestThrottlingPolicyV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/throttles/{throttle_id} 200
DeleteSignatureKeyV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/signs/{sign_id} 200
DeleteSpecialThrottlingConfigurationV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/throttles/{throttle_id}/throttle-specials/{strategy_id} 200
DeleteVpcChannelV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id} 200
DetachApiFromPlugin PUT /v2/{project_id}/apigw/instances/{instance_id}/plugins/{plugin_id}/detach 200
DetachPluginFromApi PUT /v2/{project_id}/apigw/instances/{instance_id}/apis/{api_id}/plugins/detach 200
DisassociateAppQuotaWithApp DELETE /v2/{project_id}/apigw/instances/{instance_id}/app-quotas/{app_quota_id}/bound-apps/{app_id} 200
DisassociateCertificateV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/domains/{domain_id}/certificate/{certificate_id} 200
DisassociateDomainV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/domains/{domain_id} 200
DisassociateRequestThrottlingPolicyV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/throttle-bindings/{throttle_binding_id} 200
DisassociateSignatureKeyV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/sign-bindings/{sign_bindings_id} 200
ExportApiDefinitionsAsync POST /v2/{project_id}/apigw/instances/{instance_id}/openapi/async-export 200
ExportApiDefinitionsV2 POST /v2/{project_id}/apigw/instances/{instance_id}/openapi/export 200
ImportApiDefinitionsAsync POST /v2/{project_id}/apigw/instances/{instance_id}/openapi/async-import 200
ImportApiDefinitionsV2 POST /v2/{project_id}/apigw/instances/{instance_id}/openapi/import 200
ImportMicroservice POST /v2/{project_id}/apigw/instances/{instance_id}/microservice/import 200
ListAclPolicyBindedToApiV2 GET /v2/{project_id}/apigw/instances/{instance_id}/acl-bindings/binded-acls 200
ListAclStrategiesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/acls 200
ListAiApiKeys GET /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/ai-api-keys 200
ListApiAttachablePlugins GET /v2/{project_id}/apigw/instances/{instance_id}/apis/{api_id}/attachable-plugins 200
ListApiAttachedPlugins GET /v2/{project_id}/apigw/instances/{instance_id}/apis/{api_id}/attached-plugins 200
ListApiGroupsQuantitiesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/resources/outline/groups 200
ListApiGroupsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/api-groups 200
ListApiQuantitiesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/resources/outline/apis 200
ListApiRuntimeDefinitionV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apis/runtime/{api_id} 200
ListApiVersionDetailV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apis/versions/{version_id} 200
ListApiVersionsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apis/publish/{api_id} 200
ListApisBindedToAclPolicyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/acl-bindings/binded-apis 200
ListApisBindedToAppV2 GET /v2/{project_id}/apigw/instances/{instance_id}/app-auths/binded-apis 200
ListApisBindedToRequestThrottlingPolicyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/throttle-bindings/binded-apis 200
ListApisBindedToSignatureKeyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/sign-bindings/binded-apis 200
ListApisNotBoundWithSignatureKeyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/sign-bindings/unbinded-apis 200
ListApisUnbindedToAclPolicyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/acl-bindings/unbinded-apis 200
ListApisUnbindedToAppV2 GET /v2/{project_id}/apigw/instances/{instance_id}/app-auths/unbinded-apis 200
ListApisUnbindedToRequestThrottlingPolicyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/throttle-bindings/unbinded-apis 200
ListApisV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apis 200
ListAppCodesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/app-codes 200
ListAppQuantitiesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/resources/outline/apps 200
ListAppQuotaBindableApps GET /v2/{project_id}/apigw/instances/{instance_id}/app-quotas/{app_quota_id}/bindable-apps 200
ListAppQuotaBoundApps GET /v2/{project_id}/apigw/instances/{instance_id}/app-quotas/{app_quota_id}/bound-apps 200
ListAppQuotas GET /v2/{project_id}/apigw/instances/{instance_id}/app-quotas 200
ListAppsBindedToApiV2 GET /v2/{project_id}/apigw/instances/{instance_id}/app-auths/binded-apps 200
ListAppsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apps 200
ListAttachedDomainsV2 GET /v2/{project_id}/apigw/certificates/{certificate_id}/attached-domains 200
ListAvailableZonesV2 GET /v2/{project_id}/apigw/available-zones 200
ListBackendInstancesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/members 200
ListCertificatesV2 GET /v2/{project_id}/apigw/certificates 200
ListCustomAuthorizersV2 GET /v2/{project_id}/apigw/instances/{instance_id}/authorizers 200
ListCustomIngressPortDomains GET /v2/{project_id}/apigw/instances/{instance_id}/custom-ingress-ports/{ingress_port_id}/domains 200
ListCustomIngressPorts GET /v2/{project_id}/apigw/instances/{instance_id}/custom-ingress-ports 200
ListEndpointConnections GET /v2/{project_id}/apigw/instances/{instance_id}/vpc-endpoint/connections 200
ListEndpointPermissions GET /v2/{project_id}/apigw/instances/{instance_id}/vpc-endpoint/permissions 200
ListEnvironmentVariablesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/env-variables 200
ListEnvironmentsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/envs 200
ListFeaturesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/features 200
ListGatewayResponsesV2 GET /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/gateway-responses 200
ListInstanceConfigsV2 GET /v2/{project_id}/apigw/instance/configs 200
ListInstanceFeatures GET /v2/{project_id}/apigw/instances/{instance_id}/instance-features 200
ListInstanceTags GET /v2/{project_id}/apigw/instances/{instance_id}/instance-tags 200
ListInstancesByTags POST /v2/{project_id}/apigw/resource-instances/filter 200
ListInstancesV2 GET /v2/{project_id}/apigw/instances 200
ListLatelyApiStatisticsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/statistics/api/latest 200
ListLatelyGroupStatisticsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/statistics/group/latest 200
ListMemberGroups GET /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/member-groups 200
ListMetricData GET /v2/{project_id}/apigw/instances/{instance_id}/metric-data 200
ListOrchestrationAttachedApis GET /v2/{project_id}/apigw/instances/{instance_id}/orchestrations/{orchestration_id}/attached-apis 200
ListOrchestrations GET /v2/{project_id}/apigw/instances/{instance_id}/orchestrations 200
ListPluginAttachableApis GET /v2/{project_id}/apigw/instances/{instance_id}/plugins/{plugin_id}/attachable-apis 200
ListPluginAttachedApis GET /v2/{project_id}/apigw/instances/{instance_id}/plugins/{plugin_id}/attached-apis 200
ListPlugins GET /v2/{project_id}/apigw/instances/{instance_id}/plugins 200
ListProjectCofigsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/project/configs 200
ListProjectInstanceTags GET /v2/{project_id}/apigw/instance-tags 200
ListRequestThrottlingPoliciesBindedToApiV2 GET /v2/{project_id}/apigw/instances/{instance_id}/throttle-bindings/binded-throttles 200
ListRequestThrottlingPolicyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/throttles 200
ListSignatureKeysBindedToApiV2 GET /v2/{project_id}/apigw/instances/{instance_id}/sign-bindings/binded-signs 200
ListSignatureKeysV2 GET /v2/{project_id}/apigw/instances/{instance_id}/signs 200
ListSpecialThrottlingConfigurationsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/throttles/{throttle_id}/throttle-specials 200
ListTagsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/tags 200
ListVpcChannelsV2 GET /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels 200
RemoveEipV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/eip 200
RemoveEngressEipV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/nat-eip 200
RemoveIngressEipV2 DELETE /v2/{project_id}/apigw/instances/{instance_id}/ingress-eip 200
ResettingAppSecretV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/apps/secret/{app_id} 200
ShowAppBoundAppQuota GET /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/bound-quota 200
ShowAppQuota GET /v2/{project_id}/apigw/instances/{instance_id}/app-quotas/{app_quota_id} 200
ShowAsyncTaskResult GET /v2/{project_id}/apigw/instances/{instance_id}/async-tasks/{task_id} 200
ShowDetailsOfAclPolicyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/acls/{acl_id} 200
ShowDetailsOfAiApiKey GET /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/ai-api-keys/{ai_api_key_id} 200
ShowDetailsOfApiGroupV2 GET /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id} 200
ShowDetailsOfApiV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apis/{api_id} 200
ShowDetailsOfAppAcl GET /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/app-acl 200
ShowDetailsOfAppCodeV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/app-codes/{app_code_id} 200
ShowDetailsOfAppV2 GET /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id} 200
ShowDetailsOfCertificateV2 GET /v2/{project_id}/apigw/certificates/{certificate_id} 200
ShowDetailsOfCustomAuthorizersV2 GET /v2/{project_id}/apigw/instances/{instance_id}/authorizers/{authorizer_id} 200
ShowDetailsOfDomainNameCertificateV2 GET /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/domains/{domain_id}/certificate/{certificate_id} 200
ShowDetailsOfEnvironmentVariableV2 GET /v2/{project_id}/apigw/instances/{instance_id}/env-variables/{env_variable_id} 200
ShowDetailsOfGatewayResponseTypeV2 GET /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/gateway-responses/{response_id}/{response_type} 200
ShowDetailsOfGatewayResponseV2 GET /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/gateway-responses/{response_id} 200
ShowDetailsOfInstanceProgressV2 GET /v2/{project_id}/apigw/instances/{instance_id}/progress 200
ShowDetailsOfInstanceV2 GET /v2/{project_id}/apigw/instances/{instance_id} 200
ShowDetailsOfMemberGroup GET /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/member-groups/{member_group_id} 200
ShowDetailsOfOrchestration GET /v2/{project_id}/apigw/instances/{instance_id}/orchestrations/{orchestration_id} 200
ShowDetailsOfRequestThrottlingPolicyV2 GET /v2/{project_id}/apigw/instances/{instance_id}/throttles/{throttle_id} 200
ShowDetailsOfVpcChannelV2 GET /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id} 200
ShowInstancesNumByTags POST /v2/{project_id}/apigw/resource-instances/count 200
ShowPlugin GET /v2/{project_id}/apigw/instances/{instance_id}/plugins/{plugin_id} 200
ShowRestrictionOfInstanceV2 GET /v2/{project_id}/apigw/instances/{instance_id}/restriction 200
UpdateAclStrategyV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/acls/{acl_id} 200
UpdateApiGroupV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id} 200
UpdateApiV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/apis/{api_id} 200
UpdateAppAcl PUT /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id}/app-acl 200
UpdateAppQuota PUT /v2/{project_id}/apigw/instances/{instance_id}/app-quotas/{app_quota_id} 200
UpdateAppV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/apps/{app_id} 200
UpdateBackendInstancesV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/members 200
UpdateCertificateV2 PUT /v2/{project_id}/apigw/certificates/{certificate_id} 200
UpdateCustomAuthorizerV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/authorizers/{authorizer_id} 200
UpdateDomainV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/domains/{domain_id} 200
UpdateEngressEipV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/nat-eip 200
UpdateEnvironmentV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/envs/{env_id} 200
UpdateEnvironmentVariableV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/env-variables/{env_variable_id} 200
UpdateGatewayResponseTypeV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/gateway-responses/{response_id}/{response_type} 200
UpdateGatewayResponseV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/gateway-responses/{response_id} 200
UpdateHealthCheck PUT /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/health-config 200
UpdateIngressEipV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/ingress-eip 200
UpdateInstanceV2 PUT /v2/{project_id}/apigw/instances/{instance_id} 200
UpdateMemberGroup PUT /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id}/member-groups/{member_group_id} 200
UpdateOrchestration PUT /v2/{project_id}/apigw/instances/{instance_id}/orchestrations/{orchestration_id} 200
UpdatePlugin PUT /v2/{project_id}/apigw/instances/{instance_id}/plugins/{plugin_id} 200
UpdateRequestThrottlingPolicyV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/throttles/{throttle_id} 200
UpdateSignatureKeyV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/signs/{sign_id} 200
UpdateSlDomainSettingV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}/sl-domain-access-settings 200
UpdateSpecialThrottlingConfigurationV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/throttles/{throttle_id}/throttle-specials/{strategy_id} 200
UpdateVpcChannelV2 PUT /v2/{project_id}/apigw/instances/{instance_id}/vpc-channels/{vpc_channel_id} 200
";

/// VPC Endpoint v1, all 33 operations.
pub const VPCEP_V1: &str = "\
AcceptOrRejectEndpoint POST /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections/action 200
AddEndpointServiceServerResource POST /v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/add-server-resources 200
AddOrRemoveServicePermissions POST /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/action 200
BatchAddEndpointServicePermissions POST /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/batch-create 200
BatchAddOrRemoveResourceInstance POST /v1/{project_id}/{resource_type}/{resource_id}/tags/action 200
BatchRemoveEndpointServicePermissions POST /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/batch-delete 200
CreateEndpoint POST /v1/{project_id}/vpc-endpoints 200
CreateEndpointService POST /v1/{project_id}/vpc-endpoint-services 200
DeleteEndpoint DELETE /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id} 204
DeleteEndpointPolicy DELETE /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/policy 204
DeleteEndpointService DELETE /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id} 204
ListEndpointInfoDetails GET /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id} 200
ListEndpointService GET /v1/{project_id}/vpc-endpoint-services 200
ListEndpoints GET /v1/{project_id}/vpc-endpoints 200
ListQueryProjectResourceTags GET /v1/{project_id}/{resource_type}/tags 200
ListQuotaDetails GET /v1/{project_id}/quotas 200
ListResourceInstances POST /v1/{project_id}/{resource_type}/resource_instances/action 200
ListServiceConnections GET /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections 200
ListServiceDescribeDetails GET /v1/{project_id}/vpc-endpoint-services/describe 200
ListServiceDetails GET /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id} 200
ListServicePermissionsDetails GET /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions 200
ListServicePublicDetails GET /v1/{project_id}/vpc-endpoint-services/public 200
ListSpecifiedVersionDetails GET /{version} 200
ListVersionDetails GET / 200
UpdateEndpointConnectionsDesc PUT /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections/description 200
UpdateEndpointPolicy PUT /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/policy 200
UpdateEndpointRoutetable PUT /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/routetables 200
UpdateEndpointService PUT /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id} 200
UpdateEndpointServiceName PUT /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/name 200
UpdateEndpointServicePermissionDesc PUT /v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/{permission_id} 200
UpdateEndpointWhite PUT /v1/{project_id}/vpc-endpoints/{vpc_endpoint_id} 200
UpgradeEndpoint POST /v2/{project_id}/vpc-endpoints/{vpc_endpoint_id}/upgrade 200
UpgradeEndpointService POST /v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/upgrade 200
";

pub fn apig() -> RouteTable {
    RouteTable::parse(APIG_V2)
}

pub fn vpcep() -> RouteTable {
    RouteTable::parse(VPCEP_V1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_both_sdks_is_routed() {
        assert_eq!(apig().routes().count(), 216);
        assert_eq!(vpcep().routes().count(), 33);
    }

    #[test]
    fn vpc_endpoint_operations_have_named_labels() {
        let apig = apig();
        let (r, labels) = apig
            .find(
                "GET",
                "/v2/p1/apigw/instances/i1/vpc-endpoint/connections",
                &[],
            )
            .unwrap();
        assert_eq!(r.operation, "ListEndpointConnections");
        assert_eq!(labels, [("project_id", "p1"), ("instance_id", "i1")]);
        let vpcep = vpcep();
        let (r, _) = vpcep.find("POST", "/v1/p1/vpc-endpoints", &[]).unwrap();
        assert_eq!(r.operation, "CreateEndpoint");
    }
}
