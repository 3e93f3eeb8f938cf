//! The `apigateway` 2015-07-09 route table: every operation of AWS's model, with its method,
//! URI template and success status, exactly as `oplist.py --status` prints them.

use portico_mgmt::routes::RouteTable;

/// `OperationName METHOD URI STATUS`, one per line, sorted by name.
pub const APIGATEWAY_V1: &str = "\
CreateApiKey POST /apikeys 201
CreateAuthorizer POST /restapis/{restapi_id}/authorizers 201
CreateBasePathMapping POST /domainnames/{domain_name}/basepathmappings 201
CreateDeployment POST /restapis/{restapi_id}/deployments 201
CreateDocumentationPart POST /restapis/{restapi_id}/documentation/parts 201
CreateDocumentationVersion POST /restapis/{restapi_id}/documentation/versions 201
CreateDomainName POST /domainnames 201
CreateDomainNameAccessAssociation POST /domainnameaccessassociations 201
CreateModel POST /restapis/{restapi_id}/models 201
CreateRequestValidator POST /restapis/{restapi_id}/requestvalidators 201
CreateResource POST /restapis/{restapi_id}/resources/{parent_id} 201
CreateRestApi POST /restapis 201
CreateStage POST /restapis/{restapi_id}/stages 201
CreateUsagePlan POST /usageplans 201
CreateUsagePlanKey POST /usageplans/{usageplanId}/keys 201
CreateVpcLink POST /vpclinks 202
DeleteApiKey DELETE /apikeys/{api_Key} 202
DeleteAuthorizer DELETE /restapis/{restapi_id}/authorizers/{authorizer_id} 202
DeleteBasePathMapping DELETE /domainnames/{domain_name}/basepathmappings/{base_path} 202
DeleteClientCertificate DELETE /clientcertificates/{clientcertificate_id} 202
DeleteDeployment DELETE /restapis/{restapi_id}/deployments/{deployment_id} 202
DeleteDocumentationPart DELETE /restapis/{restapi_id}/documentation/parts/{part_id} 202
DeleteDocumentationVersion DELETE /restapis/{restapi_id}/documentation/versions/{doc_version} 202
DeleteDomainName DELETE /domainnames/{domain_name} 202
DeleteDomainNameAccessAssociation DELETE /domainnameaccessassociations/{domain_name_access_association_arn} 202
DeleteGatewayResponse DELETE /restapis/{restapi_id}/gatewayresponses/{response_type} 202
DeleteIntegration DELETE /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration 204
DeleteIntegrationResponse DELETE /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code} 204
DeleteMethod DELETE /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method} 204
DeleteMethodResponse DELETE /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code} 204
DeleteModel DELETE /restapis/{restapi_id}/models/{model_name} 202
DeleteRequestValidator DELETE /restapis/{restapi_id}/requestvalidators/{requestvalidator_id} 202
DeleteResource DELETE /restapis/{restapi_id}/resources/{resource_id} 202
DeleteRestApi DELETE /restapis/{restapi_id} 202
DeleteStage DELETE /restapis/{restapi_id}/stages/{stage_name} 202
DeleteUsagePlan DELETE /usageplans/{usageplanId} 202
DeleteUsagePlanKey DELETE /usageplans/{usageplanId}/keys/{keyId} 202
DeleteVpcLink DELETE /vpclinks/{vpclink_id} 202
FlushStageAuthorizersCache DELETE /restapis/{restapi_id}/stages/{stage_name}/cache/authorizers 202
FlushStageCache DELETE /restapis/{restapi_id}/stages/{stage_name}/cache/data 202
GenerateClientCertificate POST /clientcertificates 201
GetAccount GET /account 200
GetApiKey GET /apikeys/{api_Key} 200
GetApiKeys GET /apikeys 200
GetAuthorizer GET /restapis/{restapi_id}/authorizers/{authorizer_id} 200
GetAuthorizers GET /restapis/{restapi_id}/authorizers 200
GetBasePathMapping GET /domainnames/{domain_name}/basepathmappings/{base_path} 200
GetBasePathMappings GET /domainnames/{domain_name}/basepathmappings 200
GetClientCertificate GET /clientcertificates/{clientcertificate_id} 200
GetClientCertificates GET /clientcertificates 200
GetDeployment GET /restapis/{restapi_id}/deployments/{deployment_id} 200
GetDeployments GET /restapis/{restapi_id}/deployments 200
GetDocumentationPart GET /restapis/{restapi_id}/documentation/parts/{part_id} 200
GetDocumentationParts GET /restapis/{restapi_id}/documentation/parts 200
GetDocumentationVersion GET /restapis/{restapi_id}/documentation/versions/{doc_version} 200
GetDocumentationVersions GET /restapis/{restapi_id}/documentation/versions 200
GetDomainName GET /domainnames/{domain_name} 200
GetDomainNameAccessAssociations GET /domainnameaccessassociations 200
GetDomainNames GET /domainnames 200
GetExport GET /restapis/{restapi_id}/stages/{stage_name}/exports/{export_type} 200
GetGatewayResponse GET /restapis/{restapi_id}/gatewayresponses/{response_type} 200
GetGatewayResponses GET /restapis/{restapi_id}/gatewayresponses 200
GetIntegration GET /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration 200
GetIntegrationResponse GET /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code} 200
GetMethod GET /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method} 200
GetMethodResponse GET /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code} 200
GetModel GET /restapis/{restapi_id}/models/{model_name} 200
GetModelTemplate GET /restapis/{restapi_id}/models/{model_name}/default_template 200
GetModels GET /restapis/{restapi_id}/models 200
GetRequestValidator GET /restapis/{restapi_id}/requestvalidators/{requestvalidator_id} 200
GetRequestValidators GET /restapis/{restapi_id}/requestvalidators 200
GetResource GET /restapis/{restapi_id}/resources/{resource_id} 200
GetResources GET /restapis/{restapi_id}/resources 200
GetRestApi GET /restapis/{restapi_id} 200
GetRestApis GET /restapis 200
GetSdk GET /restapis/{restapi_id}/stages/{stage_name}/sdks/{sdk_type} 200
GetSdkType GET /sdktypes/{sdktype_id} 200
GetSdkTypes GET /sdktypes 200
GetStage GET /restapis/{restapi_id}/stages/{stage_name} 200
GetStages GET /restapis/{restapi_id}/stages 200
GetTags GET /tags/{resource_arn} 200
GetUsage GET /usageplans/{usageplanId}/usage 200
GetUsagePlan GET /usageplans/{usageplanId} 200
GetUsagePlanKey GET /usageplans/{usageplanId}/keys/{keyId} 200
GetUsagePlanKeys GET /usageplans/{usageplanId}/keys 200
GetUsagePlans GET /usageplans 200
GetVpcLink GET /vpclinks/{vpclink_id} 200
GetVpcLinks GET /vpclinks 200
ImportApiKeys POST /apikeys?mode=import 201
ImportDocumentationParts PUT /restapis/{restapi_id}/documentation/parts 200
ImportRestApi POST /restapis?mode=import 201
PutGatewayResponse PUT /restapis/{restapi_id}/gatewayresponses/{response_type} 201
PutIntegration PUT /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration 201
PutIntegrationResponse PUT /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code} 201
PutMethod PUT /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method} 201
PutMethodResponse PUT /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code} 201
PutRestApi PUT /restapis/{restapi_id} 200
RejectDomainNameAccessAssociation POST /rejectdomainnameaccessassociations 202
TagResource PUT /tags/{resource_arn} 204
TestInvokeAuthorizer POST /restapis/{restapi_id}/authorizers/{authorizer_id} 200
TestInvokeMethod POST /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method} 200
UntagResource DELETE /tags/{resource_arn} 204
UpdateAccount PATCH /account 200
UpdateApiKey PATCH /apikeys/{api_Key} 200
UpdateAuthorizer PATCH /restapis/{restapi_id}/authorizers/{authorizer_id} 200
UpdateBasePathMapping PATCH /domainnames/{domain_name}/basepathmappings/{base_path} 200
UpdateClientCertificate PATCH /clientcertificates/{clientcertificate_id} 200
UpdateDeployment PATCH /restapis/{restapi_id}/deployments/{deployment_id} 200
UpdateDocumentationPart PATCH /restapis/{restapi_id}/documentation/parts/{part_id} 200
UpdateDocumentationVersion PATCH /restapis/{restapi_id}/documentation/versions/{doc_version} 200
UpdateDomainName PATCH /domainnames/{domain_name} 200
UpdateGatewayResponse PATCH /restapis/{restapi_id}/gatewayresponses/{response_type} 200
UpdateIntegration PATCH /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration 200
UpdateIntegrationResponse PATCH /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code} 200
UpdateMethod PATCH /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method} 200
UpdateMethodResponse PATCH /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code} 201
UpdateModel PATCH /restapis/{restapi_id}/models/{model_name} 200
UpdateRequestValidator PATCH /restapis/{restapi_id}/requestvalidators/{requestvalidator_id} 200
UpdateResource PATCH /restapis/{restapi_id}/resources/{resource_id} 200
UpdateRestApi PATCH /restapis/{restapi_id} 200
UpdateStage PATCH /restapis/{restapi_id}/stages/{stage_name} 200
UpdateUsage PATCH /usageplans/{usageplanId}/keys/{keyId}/usage 200
UpdateUsagePlan PATCH /usageplans/{usageplanId} 200
UpdateVpcLink PATCH /vpclinks/{vpclink_id} 200
";

pub fn table() -> RouteTable {
    RouteTable::parse(APIGATEWAY_V1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(
        method: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        let table = table();
        let q: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        table.find(method, path, &q).map(|(r, l)| {
            (
                r.operation,
                l.into_iter().map(|(n, v)| (n, v.to_string())).collect(),
            )
        })
    }

    #[test]
    fn all_124_operations_are_routed() {
        assert_eq!(table().routes().count(), 124);
    }

    #[test]
    fn import_is_dispatched_on_mode() {
        assert_eq!(op("POST", "/restapis", &[]).unwrap().0, "CreateRestApi");
        assert_eq!(
            op("POST", "/restapis", &[("mode", "import")]).unwrap().0,
            "ImportRestApi"
        );
        assert_eq!(
            op("POST", "/apikeys", &[("mode", "import")]).unwrap().0,
            "ImportApiKeys"
        );
    }

    #[test]
    fn labels_are_split_before_decoding() {
        let (name, labels) = op(
            "GET",
            "/tags/arn%3Aaws%3Aapigateway%3A%3A%2Frestapis%2Fa",
            &[],
        )
        .unwrap();
        assert_eq!(name, "GetTags");
        assert_eq!(
            labels,
            [(
                "resource_arn",
                "arn%3Aaws%3Aapigateway%3A%3A%2Frestapis%2Fa".to_string()
            )]
        );
    }

    #[test]
    fn usage_and_update_usage_differ() {
        assert_eq!(op("GET", "/usageplans/u/usage", &[]).unwrap().0, "GetUsage");
        assert_eq!(
            op("PATCH", "/usageplans/u/keys/k/usage", &[]).unwrap().0,
            "UpdateUsage"
        );
        assert_eq!(
            op("POST", "/restapis/a/resources/r/methods/ANY", &[])
                .unwrap()
                .0,
            "TestInvokeMethod"
        );
    }
}
