"""Deploy a benchmark HTTP API through apigatewayv2, as a user would, and print its id.

  deploy_http_api.py PORTICO_URL BACKEND_URL [ROUTES]

The API has an `HTTP_PROXY` integration to the backend, a `$default` stage with auto-deploy, and
`GET /proxy` routed to it. With ROUTES = N > 1 it also gets N - 1 other routes that the request
does not match but the router must tell apart: `GET /r{i}/{id}` and `POST /r{i}/items`, half of
them sharing the first segment of the measured path's siblings, so the route table grows while
the request stays the same."""
import sys, boto3

url, backend = sys.argv[1:3]
routes = int(sys.argv[3]) if len(sys.argv) > 3 else 1
c = boto3.client("apigatewayv2", endpoint_url=url, region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
api_id = c.create_api(Name=f"bench-{routes}", ProtocolType="HTTP")["ApiId"]
integ = c.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
                             IntegrationUri=backend, PayloadFormatVersion="1.0")["IntegrationId"]
target = f"integrations/{integ}"
c.create_route(ApiId=api_id, RouteKey="GET /proxy", Target=target)
for i in range(routes - 1):
    key = f"GET /r{i // 2}/{{id}}" if i % 2 == 0 else f"POST /r{i // 2}/items"
    c.create_route(ApiId=api_id, RouteKey=key, Target=target)
c.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
print(api_id)
