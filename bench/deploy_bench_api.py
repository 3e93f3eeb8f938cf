"""Deploy the benchmark API through the management API, as a user would, and print its id:
GET /proxy (HTTP_PROXY to the backend) and GET /mock (MOCK with a response template reading
$context), stage `bench`. Usage: deploy_bench_api.py PORTICO_URL BACKEND_URL"""
import sys, boto3
url, backend = sys.argv[1:]
c = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
api = c.create_rest_api(name="bench")
api_id, root = api["id"], api["rootResourceId"]
proxy = c.create_resource(restApiId=api_id, parentId=root, pathPart="proxy")["id"]
c.put_method(restApiId=api_id, resourceId=proxy, httpMethod="GET", authorizationType="NONE")
c.put_integration(restApiId=api_id, resourceId=proxy, httpMethod="GET", type="HTTP_PROXY",
                  integrationHttpMethod="GET", uri=backend)
mock = c.create_resource(restApiId=api_id, parentId=root, pathPart="mock")["id"]
c.put_method(restApiId=api_id, resourceId=mock, httpMethod="GET", authorizationType="NONE")
c.put_method_response(restApiId=api_id, resourceId=mock, httpMethod="GET", statusCode="200")
c.put_integration(restApiId=api_id, resourceId=mock, httpMethod="GET", type="MOCK",
                  requestTemplates={"application/json": '{"statusCode": 200}'})
c.put_integration_response(
    restApiId=api_id, resourceId=mock, httpMethod="GET", statusCode="200",
    responseTemplates={"application/json":
                       '{"ok":true,"service":"$context.stage","n":12345,"id":"$context.requestId"}'})
c.create_deployment(restApiId=api_id, stageName="bench")
print(api_id)
