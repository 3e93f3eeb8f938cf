"""Deploy a benchmark API through the management API, as a user would, and print its id.

  deploy_bench_api.py PORTICO_URL BACKEND_URL           GET /proxy (HTTP_PROXY to the backend)
                                                        and GET /mock (MOCK with a response
                                                        template reading $context)
  deploy_bench_api.py PORTICO_URL BACKEND_URL bodies    ANY /{proxy+} (HTTP_PROXY to the
                                                        backend's /{proxy})
Either way the stage is `bench`. With BENCH_AUTHORIZER=1 it also gets GET /authorized: the
MOCK of /mock behind a Lambda TOKEN authorizer whose results are cached. With BENCH_CACHE=1 the same deployment is also stage `cached`,
whose stage cache is on (GET methods cached, 300 s): its GET /proxy is answered from the cache
after the first request. With BENCH_NLB set to a network load balancer ARN that the
server's `[[load_balancers]]` knows, the first form also gets GET /linked: HTTP_PROXY to the
same backend through a VPC link to that NLB."""
import os, sys, time, boto3
url, backend = sys.argv[1:3]
bodies = sys.argv[3:] == ["bodies"]
c = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
api = c.create_rest_api(name="bodies" if bodies else "bench")
api_id, root = api["id"], api["rootResourceId"]
if bodies:
    r = c.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    c.put_method(restApiId=api_id, resourceId=r, httpMethod="ANY", authorizationType="NONE",
                 requestParameters={"method.request.path.proxy": True})
    c.put_integration(restApiId=api_id, resourceId=r, httpMethod="ANY", type="HTTP_PROXY",
                      integrationHttpMethod="ANY", uri=f"{backend.rstrip('/')}/{{proxy}}",
                      requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
    c.create_deployment(restApiId=api_id, stageName="bench")
    print(api_id)
    sys.exit(0)
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
nlb = os.environ.get("BENCH_NLB")
if nlb:
    link = c.create_vpc_link(name="bench", targetArns=[nlb])["id"]
    deadline = time.monotonic() + 10
    while c.get_vpc_link(vpcLinkId=link)["status"] != "AVAILABLE":
        assert time.monotonic() < deadline, "the VPC link did not become AVAILABLE"
        time.sleep(0.1)
    linked = c.create_resource(restApiId=api_id, parentId=root, pathPart="linked")["id"]
    c.put_method(restApiId=api_id, resourceId=linked, httpMethod="GET", authorizationType="NONE")
    c.put_integration(restApiId=api_id, resourceId=linked, httpMethod="GET", type="HTTP_PROXY",
                      integrationHttpMethod="GET", uri=backend, connectionType="VPC_LINK",
                      connectionId=link)
if os.environ.get("BENCH_AUTHORIZER"):
    # GET /authorized: the same MOCK as /mock behind a Lambda TOKEN authorizer (a Python
    # function allowing every token), whose result the stage caches for 300 s.
    import io, zipfile
    lam = boto3.client("lambda", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    src = ("def handler(event, context):\n"
           "    return {'principalId': 'bench', 'policyDocument': {'Version': '2012-10-17',"
           " 'Statement': [{'Action': 'execute-api:Invoke', 'Effect': 'Allow',"
           " 'Resource': '*'}]}}\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", src)
    fn = lam.create_function(FunctionName="bench-authorizer", Runtime="python3.11",
                             Handler="handler.handler", Role="arn:aws:iam::000000000000:role/r",
                             Code={"ZipFile": buf.getvalue()})["FunctionArn"]
    auth = c.create_authorizer(
        restApiId=api_id, name="bench", type="TOKEN", authorizerResultTtlInSeconds=300,
        identitySource="method.request.header.Authorization",
        authorizerUri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn}/invocations")["id"]
    guarded = c.create_resource(restApiId=api_id, parentId=root, pathPart="authorized")["id"]
    c.put_method(restApiId=api_id, resourceId=guarded, httpMethod="GET",
                 authorizationType="CUSTOM", authorizerId=auth)
    c.put_method_response(restApiId=api_id, resourceId=guarded, httpMethod="GET", statusCode="200")
    c.put_integration(restApiId=api_id, resourceId=guarded, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    c.put_integration_response(
        restApiId=api_id, resourceId=guarded, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json":
                           '{"ok":true,"service":"$context.stage","n":12345,"id":"$context.requestId"}'})
deployment = c.create_deployment(restApiId=api_id, stageName="bench")["id"]
if os.environ.get("BENCH_CACHE"):
    c.create_stage(restApiId=api_id, stageName="cached", deploymentId=deployment,
                   cacheClusterEnabled=True, cacheClusterSize="0.5")
print(api_id)
