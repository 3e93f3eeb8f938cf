// Portico's Node.js runtime for Lambda functions: the Runtime API loop.
// Started as `node bootstrap.js` in the function's code folder with Lambda's environment.
"use strict";
const http = require("http");
const path = require("path");

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const PREFIX = "/2018-06-01/runtime";

function request(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: PREFIX + p, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

function errorBody(e) {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    errorType: err.name || "Error",
    errorMessage: err.message,
    trace: (err.stack || "").split("\n"),
  };
}

async function post(p, obj, errorType) {
  const headers = { "Content-Type": "application/json" };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  await request("POST", p, JSON.stringify(obj), headers);
}

async function loadHandler() {
  const spec = process.env._HANDLER || "";
  const dot = spec.lastIndexOf(".");
  if (dot < 0) throw Object.assign(new Error(`Bad handler ${spec}`), { name: "Runtime.MalformedHandlerName" });
  const modPath = path.resolve(process.env.LAMBDA_TASK_ROOT || process.cwd(), spec.slice(0, dot));
  let mod;
  try {
    mod = require(modPath);
  } catch (e) {
    if (e.code === "MODULE_NOT_FOUND" || e.code === "ERR_REQUIRE_ESM") {
      try {
        mod = await import(modPath + (e.code === "ERR_REQUIRE_ESM" ? "" : ".mjs"));
      } catch (e2) {
        throw Object.assign(new Error(`Error: Cannot find module '${spec.slice(0, dot)}'`), { name: "Runtime.ImportModuleError" });
      }
    } else {
      throw e;
    }
  }
  const fn = mod[spec.slice(dot + 1)];
  if (typeof fn !== "function") {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  }
  return fn;
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const body = errorBody(e);
    console.error(`ERROR\t${JSON.stringify(body)}`);
    await post("/init/error", body, body.errorType);
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "/invocation/next");
    if (next.status !== 200) continue;
    const id = next.headers["lambda-runtime-aws-request-id"];
    const deadline = Number(next.headers["lambda-runtime-deadline-ms"] || 0);
    const context = {
      awsRequestId: id,
      invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
      callbackWaitsForEmptyEventLoop: true,
    };
    try {
      const event = next.body.length ? JSON.parse(next.body.toString()) : null;
      const result = await new Promise((resolve, reject) => {
        const r = handler(event, context, (err, res) => (err ? reject(err) : resolve(res)));
        if (r && typeof r.then === "function") r.then(resolve, reject);
      });
      await request("POST", `/invocation/${id}/response`, JSON.stringify(result === undefined ? null : result), {
        "Content-Type": "application/json",
      });
    } catch (e) {
      const body = errorBody(e);
      console.error(`${new Date().toISOString()}\t${id}\tERROR\tInvoke Error \t${JSON.stringify(body)}`);
      await post(`/invocation/${id}/error`, body, body.errorType);
    }
  }
}

main();
