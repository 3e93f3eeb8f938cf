//! The `apigatewayv2` 2018-11-29 route table: every operation of botocore's model, with its
//! method, URI template and success status.

use portico_mgmt::routes::RouteTable;

/// `OperationName METHOD URI STATUS`, one per line, sorted by name.
pub const APIGATEWAYV2: &str = "\
CreateApi POST /v2/apis 201
CreateApiMapping POST /v2/domainnames/{domainName}/apimappings 201
CreateAuthorizer POST /v2/apis/{apiId}/authorizers 201
CreateDeployment POST /v2/apis/{apiId}/deployments 201
CreateDomainName POST /v2/domainnames 201
CreateIntegration POST /v2/apis/{apiId}/integrations 201
CreateIntegrationResponse POST /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses 201
CreateModel POST /v2/apis/{apiId}/models 201
CreatePortal POST /v2/portals 201
CreatePortalProduct POST /v2/portalproducts 201
CreateProductPage POST /v2/portalproducts/{portalProductId}/productpages 201
CreateProductRestEndpointPage POST /v2/portalproducts/{portalProductId}/productrestendpointpages 201
CreateRoute POST /v2/apis/{apiId}/routes 201
CreateRouteResponse POST /v2/apis/{apiId}/routes/{routeId}/routeresponses 201
CreateRoutingRule POST /v2/domainnames/{domainName}/routingrules 201
CreateStage POST /v2/apis/{apiId}/stages 201
CreateVpcLink POST /v2/vpclinks 201
DeleteAccessLogSettings DELETE /v2/apis/{apiId}/stages/{stageName}/accesslogsettings 204
DeleteApi DELETE /v2/apis/{apiId} 204
DeleteApiMapping DELETE /v2/domainnames/{domainName}/apimappings/{apiMappingId} 204
DeleteAuthorizer DELETE /v2/apis/{apiId}/authorizers/{authorizerId} 204
DeleteCorsConfiguration DELETE /v2/apis/{apiId}/cors 204
DeleteDeployment DELETE /v2/apis/{apiId}/deployments/{deploymentId} 204
DeleteDomainName DELETE /v2/domainnames/{domainName} 204
DeleteIntegration DELETE /v2/apis/{apiId}/integrations/{integrationId} 204
DeleteIntegrationResponse DELETE /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId} 204
DeleteModel DELETE /v2/apis/{apiId}/models/{modelId} 204
DeletePortal DELETE /v2/portals/{portalId} 204
DeletePortalProduct DELETE /v2/portalproducts/{portalProductId} 204
DeletePortalProductSharingPolicy DELETE /v2/portalproducts/{portalProductId}/sharingpolicy 204
DeleteProductPage DELETE /v2/portalproducts/{portalProductId}/productpages/{productPageId} 204
DeleteProductRestEndpointPage DELETE /v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId} 204
DeleteRoute DELETE /v2/apis/{apiId}/routes/{routeId} 204
DeleteRouteRequestParameter DELETE /v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey} 204
DeleteRouteResponse DELETE /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId} 204
DeleteRouteSettings DELETE /v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey} 204
DeleteRoutingRule DELETE /v2/domainnames/{domainName}/routingrules/{routingRuleId} 204
DeleteStage DELETE /v2/apis/{apiId}/stages/{stageName} 204
DeleteVpcLink DELETE /v2/vpclinks/{vpcLinkId} 202
DisablePortal DELETE /v2/portals/{portalId}/publish 204
ExportApi GET /v2/apis/{apiId}/exports/{specification} 200
GetApi GET /v2/apis/{apiId} 200
GetApiMapping GET /v2/domainnames/{domainName}/apimappings/{apiMappingId} 200
GetApiMappings GET /v2/domainnames/{domainName}/apimappings 200
GetApis GET /v2/apis 200
GetAuthorizer GET /v2/apis/{apiId}/authorizers/{authorizerId} 200
GetAuthorizers GET /v2/apis/{apiId}/authorizers 200
GetDeployment GET /v2/apis/{apiId}/deployments/{deploymentId} 200
GetDeployments GET /v2/apis/{apiId}/deployments 200
GetDomainName GET /v2/domainnames/{domainName} 200
GetDomainNames GET /v2/domainnames 200
GetIntegration GET /v2/apis/{apiId}/integrations/{integrationId} 200
GetIntegrationResponse GET /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId} 200
GetIntegrationResponses GET /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses 200
GetIntegrations GET /v2/apis/{apiId}/integrations 200
GetModel GET /v2/apis/{apiId}/models/{modelId} 200
GetModelTemplate GET /v2/apis/{apiId}/models/{modelId}/template 200
GetModels GET /v2/apis/{apiId}/models 200
GetPortal GET /v2/portals/{portalId} 200
GetPortalProduct GET /v2/portalproducts/{portalProductId} 200
GetPortalProductSharingPolicy GET /v2/portalproducts/{portalProductId}/sharingpolicy 200
GetProductPage GET /v2/portalproducts/{portalProductId}/productpages/{productPageId} 200
GetProductRestEndpointPage GET /v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId} 200
GetRoute GET /v2/apis/{apiId}/routes/{routeId} 200
GetRouteResponse GET /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId} 200
GetRouteResponses GET /v2/apis/{apiId}/routes/{routeId}/routeresponses 200
GetRoutes GET /v2/apis/{apiId}/routes 200
GetRoutingRule GET /v2/domainnames/{domainName}/routingrules/{routingRuleId} 200
GetStage GET /v2/apis/{apiId}/stages/{stageName} 200
GetStages GET /v2/apis/{apiId}/stages 200
GetTags GET /v2/tags/{resource-arn} 200
GetVpcLink GET /v2/vpclinks/{vpcLinkId} 200
GetVpcLinks GET /v2/vpclinks 200
ImportApi PUT /v2/apis 201
ListPortalProducts GET /v2/portalproducts 200
ListPortals GET /v2/portals 200
ListProductPages GET /v2/portalproducts/{portalProductId}/productpages 200
ListProductRestEndpointPages GET /v2/portalproducts/{portalProductId}/productrestendpointpages 200
ListRoutingRules GET /v2/domainnames/{domainName}/routingrules 200
PreviewPortal POST /v2/portals/{portalId}/preview 202
PublishPortal POST /v2/portals/{portalId}/publish 202
PutPortalProductSharingPolicy PUT /v2/portalproducts/{portalProductId}/sharingpolicy 200
PutRoutingRule PUT /v2/domainnames/{domainName}/routingrules/{routingRuleId} 200
ReimportApi PUT /v2/apis/{apiId} 201
ResetAuthorizersCache DELETE /v2/apis/{apiId}/stages/{stageName}/cache/authorizers 204
TagResource POST /v2/tags/{resource-arn} 201
UntagResource DELETE /v2/tags/{resource-arn} 204
UpdateApi PATCH /v2/apis/{apiId} 200
UpdateApiMapping PATCH /v2/domainnames/{domainName}/apimappings/{apiMappingId} 200
UpdateAuthorizer PATCH /v2/apis/{apiId}/authorizers/{authorizerId} 200
UpdateDeployment PATCH /v2/apis/{apiId}/deployments/{deploymentId} 200
UpdateDomainName PATCH /v2/domainnames/{domainName} 200
UpdateIntegration PATCH /v2/apis/{apiId}/integrations/{integrationId} 200
UpdateIntegrationResponse PATCH /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId} 200
UpdateModel PATCH /v2/apis/{apiId}/models/{modelId} 200
UpdatePortal PATCH /v2/portals/{portalId} 200
UpdatePortalProduct PATCH /v2/portalproducts/{portalProductId} 200
UpdateProductPage PATCH /v2/portalproducts/{portalProductId}/productpages/{productPageId} 200
UpdateProductRestEndpointPage PATCH /v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId} 200
UpdateRoute PATCH /v2/apis/{apiId}/routes/{routeId} 200
UpdateRouteResponse PATCH /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId} 200
UpdateStage PATCH /v2/apis/{apiId}/stages/{stageName} 200
UpdateVpcLink PATCH /v2/vpclinks/{vpcLinkId} 200
";

pub fn table() -> RouteTable {
    RouteTable::parse(APIGATEWAYV2)
}
