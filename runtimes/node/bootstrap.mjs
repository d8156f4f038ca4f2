// nimbus's Lambda runtime client for Node.js: the handler contract of AWS's nodejs runtimes.
//
// Started by nimbus in an execution environment with the standard Lambda environment. Loads the
// handler named by _HANDLER ("file.export" or "dir/file.export") from LAMBDA_TASK_ROOT, as an
// ES module (.mjs, or .js under "type": "module") or CommonJS (.cjs, .js), then loops on the
// Runtime API: GET invocation/next, call the handler (async or callback style), POST response
// or error ({"errorType", "errorMessage", "trace"}, as AWS's runtime reports them).
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const taskRoot = process.env.LAMBDA_TASK_ROOT || '/var/task';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId;

// The Runtime API over one kept-alive socket with a small HTTP/1.1 client of its own:
// node:http's client costs more CPU per request than a small function's handler. Requests go
// one at a time (`pending` chains them). Response streaming still uses node:http (below).
let apiSocket = null;
let apiBuffer = Buffer.alloc(0);
let apiWaiter = null;  // { resolve, reject } of the request in flight
let pending = Promise.resolve();

// A complete response at the start of `buf`: { status, headers, body, used }, or null.
function parseResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
  }
  let at = end + 4;
  if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const parts = [];
    for (;;) {
      const eol = buf.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = parseInt(buf.toString('latin1', at, eol), 16);
      if (size === 0) {
        const last = buf.indexOf('\r\n\r\n', eol);
        if (last < 0) return null;
        return { status, headers, body: Buffer.concat(parts), used: last + 4 };
      }
      if (buf.length < eol + 2 + size + 2) return null;
      parts.push(buf.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  const length = Number(headers['content-length'] || 0);
  if (buf.length < at + length) return null;
  return { status, headers, body: buf.subarray(at, at + length), used: at + length };
}

function apiFailed(err) {
  if (apiSocket) apiSocket.destroy();
  apiSocket = null;
  apiBuffer = Buffer.alloc(0);
  const waiter = apiWaiter;
  apiWaiter = null;
  if (waiter) waiter.reject(err);
}

function apiConnect() {
  const sock = net.createConnection({ host: apiHost, port: Number(apiPort) });
  sock.setNoDelay(true);
  sock.on('data', (data) => {
    apiBuffer = apiBuffer.length ? Buffer.concat([apiBuffer, data]) : data;
    const res = parseResponse(apiBuffer);
    if (!res || !apiWaiter) return;
    apiBuffer = apiBuffer.subarray(res.used);
    const waiter = apiWaiter;
    apiWaiter = null;
    if (res.headers.connection === 'close') apiFailed(null);
    waiter.resolve({ status: res.status, headers: res.headers, body: Buffer.from(res.body) });
  });
  sock.on('error', (err) => { if (apiSocket === sock) apiFailed(err); });
  sock.on('close', () => {
    if (apiSocket === sock) apiFailed(new Error('the Runtime API closed the connection'));
  });
  return sock;
}

function sendOnce(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    if (!apiSocket) apiSocket = apiConnect();
    apiWaiter = { resolve, reject };
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    let head = `${method} /2018-06-01/runtime/${urlPath} HTTP/1.1\r\nHost: ${apiHost}:${apiPort}\r\n` +
      `Content-Length: ${payload.length}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    apiSocket.write(Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), payload]));
  });
}

function request(method, urlPath, body, headers = {}) {
  const run = () => sendOnce(method, urlPath, body, headers)
    .catch(() => sendOnce(method, urlPath, body, headers));  // a kept-alive socket gone stale
  const result = pending.then(run, run);
  pending = result.catch(() => {});
  return result;
}

function postJson(urlPath, value, errorType) {
  const headers = { 'Content-Type': 'application/json' };
  if (errorType) headers['Lambda-Runtime-Function-Error-Type'] = errorType;
  return request('POST', urlPath, JSON.stringify(value), headers);
}

// console.* as AWS formats it: "<ISO time>\t<request id>\t<LEVEL>\t<message>".
function patchConsole() {
  const write = (level) => (...args) => {
    const line = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t` +
      util.format(...args);
    fs.writeSync(1, line.replace(/\n/g, '\r') + '\n');
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

function errorBody(err, typeOverride) {
  if (!(err instanceof Error)) {
    return { errorType: typeOverride || 'string', errorMessage: String(err), trace: [] };
  }
  return {
    errorType: typeOverride || err.name || 'Error',
    errorMessage: err.message,
    trace: String(err.stack || '').split('\n'),
  };
}

function logError(body, label = 'Invoke Error') {
  const line = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\tERROR\t${label} \t` +
    JSON.stringify(body);
  fs.writeSync(1, line + '\n');
}

class UserError extends Error {}

// Response streaming, as AWS's Node runtimes offer it: `awslambda.streamifyResponse(handler)`
// marks a handler `(event, responseStream, context)`; what it writes to responseStream goes to
// the Runtime API as a chunked POST ("Lambda-Runtime-Function-Response-Mode: streaming"), and an
// error raised after streaming began travels in the trailers.
// `awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})` writes the HTTP
// prelude function URLs read (JSON, then 8 NUL bytes).
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
globalThis.awslambda = {
  streamifyResponse(handler, options) {
    handler[STREAMING] = 'response';
    if (options && options.highWaterMark) handler.highWaterMark = options.highWaterMark;
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType('application/vnd.awslambda.http-integration-response');
      stream.write(JSON.stringify(prelude || {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

function streamingRequest(urlPath) {
  let contentType = 'application/octet-stream';
  let req;
  let done;
  const finished = new Promise((resolve, reject) => { done = { resolve, reject }; });
  const open = () => {
    if (req) return req;
    req = http.request({
      host: apiHost, port: Number(apiPort), method: 'POST', agent,
      path: '/2018-06-01/runtime/' + urlPath,
      headers: {
        'Content-Type': contentType,
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      },
    }, (res) => { res.resume(); res.on('end', () => done.resolve(res.statusCode)); });
    req.on('error', (e) => done.reject(e));
    return req;
  };
  const stream = {
    setContentType(type) { contentType = type; },
    write(chunk, encoding, cb) {
      if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
      if (chunk === undefined || chunk === null || chunk.length === 0) { if (cb) cb(); return true; }
      return open().write(chunk, encoding, cb);
    },
    end(chunk, encoding, cb) {
      if (typeof chunk === 'function') { cb = chunk; chunk = undefined; }
      if (chunk !== undefined && chunk !== null && chunk.length) stream.write(chunk, encoding);
      stream.ended = true;
      open().end(cb);
    },
    fail(errBody) {
      open().addTrailers({
        'Lambda-Runtime-Function-Error-Type': errBody.errorType,
        'Lambda-Runtime-Function-Error-Body':
          Buffer.from(JSON.stringify(errBody)).toString('base64'),
      });
      stream.ended = true;
      req.end();
    },
    on() { return stream; },
    once() { return stream; },
    ended: false,
    finished,
  };
  return stream;
}

async function invokeStreaming(handler, headers, body, base) {
  const stream = streamingRequest(base + 'response');
  const context = makeContext(headers, () => {});
  try {
    const event = body.length ? JSON.parse(body.toString('utf8')) : {};
    await handler(event, stream, context);
    if (!stream.ended) stream.end();
  } catch (err) {
    const errBody = errorBody(err);
    logError(errBody);
    stream.fail(errBody);
  }
  await stream.finished;
}

async function loadHandler() {
  const spec = process.env._HANDLER || '';
  const base = path.basename(spec);
  const dot = base.indexOf('.');
  if (dot < 0) {
    const e = new UserError(`Bad handler ${spec}`);
    e.name = 'Runtime.MalformedHandlerName';
    throw e;
  }
  const modulePath = path.join(taskRoot, path.dirname(spec), base.slice(0, dot));
  const exportPath = base.slice(dot + 1).split('.');
  let file;
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (fs.existsSync(modulePath + ext)) { file = modulePath + ext; break; }
  }
  if (!file) {
    const e = new UserError(`Cannot find module '${base.slice(0, dot)}'`);
    e.name = 'Runtime.ImportModuleError';
    throw e;
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    if (err instanceof SyntaxError) {
      err.name = 'Runtime.UserCodeSyntaxError';
    } else if (err && (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND')) {
      // As AWS reports it: the original error's text as the message.
      const e = new UserError(`${err.name}: ${err.message}`);
      e.name = 'Runtime.ImportModuleError';
      e.stack = err.stack;
      throw e;
    }
    throw err;
  }
  const lookup = (root) => exportPath.reduce((o, k) => (o == null ? undefined : o[k]), root);
  let handler = lookup(mod);
  if (handler === undefined && mod.default) handler = lookup(mod.default);
  if (handler === undefined) {
    const e = new UserError(`${base.slice(0, dot)}.${exportPath.join('.')} is undefined or not ` +
      'exported');
    e.name = 'Runtime.HandlerNotFound';
    throw e;
  }
  if (typeof handler !== 'function') {
    const e = new UserError(`${base.slice(0, dot)}.${exportPath.join('.')} is not a function`);
    e.name = 'Runtime.HandlerNotFound';
    throw e;
  }
  return handler;
}

function makeContext(headers, settle) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const parse = (v) => (v ? JSON.parse(v) : undefined);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse(headers['lambda-runtime-client-context']),
    identity: parse(headers['lambda-runtime-cognito-identity']),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, result) => settle(err, result),
    succeed: (result) => settle(null, result),
    fail: (err) => settle(err ?? 'handled'),
  };
}

async function invoke(handler, headers, body) {
  const requestId = headers['lambda-runtime-aws-request-id'];
  const base = `invocation/${requestId}/`;
  let settled = false;
  let resolveOutcome;
  const outcome = new Promise((resolve) => { resolveOutcome = resolve; });
  const settle = (err, result) => {
    if (settled) return;
    settled = true;
    resolveOutcome({ err, result });
  };
  if (headers['lambda-runtime-trace-id']) {
    process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }
  if (handler[STREAMING] === 'response') {
    await invokeStreaming(handler, headers, body, base);
    return;
  }
  const context = makeContext(headers, settle);
  try {
    const event = body.length ? JSON.parse(body.toString('utf8')) : {};
    const ret = handler(event, context, (err, result) => settle(err, result));
    if (ret && typeof ret.then === 'function') {
      ret.then((result) => settle(null, result), (err) => settle(err ?? 'null'));
    } else if (handler.length < 3) {
      settle(null, ret);
    }
  } catch (err) {
    settle(err);
  }
  const { err, result } = await outcome;
  if (err !== undefined && err !== null) {
    const errBody = errorBody(err);
    logError(errBody);
    await postJson(base + 'error', errBody, 'Unhandled');
    return;
  }
  let out;
  try {
    out = result === undefined ? 'null' : JSON.stringify(result);
  } catch (e) {
    const errBody = errorBody(e, 'Runtime.MarshalError');
    logError(errBody);
    await postJson(base + 'error', errBody, 'Runtime.MarshalError');
    return;
  }
  await request('POST', base + 'response', out, { 'Content-Type': 'application/json' });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    const body = errorBody(err);
    logError(body, 'Uncaught Exception');
    await postJson('init/error', body, body.errorType);
    process.exit(1);
  }
  for (;;) {
    const next = await request('GET', 'invocation/next');
    if (next.status !== 200) continue;
    currentRequestId = next.headers['lambda-runtime-aws-request-id'];
    await invoke(handler, next.headers, next.body);
  }
}

process.on('uncaughtException', async (err) => {
  const body = errorBody(err);
  logError(body, 'Uncaught Exception');
  if (currentRequestId) {
    try {
      await postJson(`invocation/${currentRequestId}/error`, body, 'Runtime.UncaughtException');
    } catch (_) { /* the environment is going away */ }
  }
  process.exit(129);
});

main();
