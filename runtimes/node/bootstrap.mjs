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
// The invocation whose answer has not been sent yet (an uncaught exception answers it).
let unanswered;

// The Runtime API headers the client reads, by their lowercase names.
function Headers() {
  this['lambda-runtime-aws-request-id'] = undefined;
  this['lambda-runtime-deadline-ms'] = undefined;
  this['lambda-runtime-invoked-function-arn'] = undefined;
  this['lambda-runtime-trace-id'] = undefined;
  this['lambda-runtime-client-context'] = undefined;
  this['lambda-runtime-cognito-identity'] = undefined;
  this['content-length'] = undefined;
  this['transfer-encoding'] = undefined;
  this.connection = undefined;
}
const HEADER_NAMES = new Map(Object.keys(new Headers()).map((k) => [k, k]));

// A complete HTTP/1.1 response in buf[0, len): { status, headers, body (text), used }, or null.
function parseResponse(buf, len) {
  // The head as text at once (one call out of JavaScript); the Runtime API's is a few hundred
  // bytes.
  let head = buf.latin1Slice(0, len < 8192 ? len : 8192);
  let end = head.indexOf('\r\n\r\n');
  if (end < 0) {
    if (len <= 8192) return null;
    end = buf.indexOf('\r\n\r\n');
    if (end < 0 || end + 4 > len) return null;
    head = buf.latin1Slice(0, end + 4);
  }
  let eol = head.indexOf('\r\n');
  const status = Number(head.slice(9, 12));
  const headers = new Headers();
  while (eol >= 0 && eol < end) {
    const from = eol + 2;
    eol = head.indexOf('\r\n', from);
    const colon = head.indexOf(':', from);
    if (colon < 0 || colon > eol) continue;
    let name = head.slice(from, colon);
    let key = HEADER_NAMES.get(name);
    if (key === undefined) {
      name = name.trim().toLowerCase();
      key = HEADER_NAMES.get(name);
      if (key === undefined) continue;
    }
    headers[key] = head.slice(colon + 1, eol).trim();
  }
  let at = end + 4;
  if (headers['transfer-encoding'] !== undefined && /chunked/i.test(headers['transfer-encoding'])) {
    const parts = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0 || lineEnd + 2 > len) return null;
      const size = parseInt(buf.latin1Slice(at, lineEnd), 16);
      if (size === 0) {
        const last = buf.indexOf('\r\n\r\n', lineEnd);
        if (last < 0 || last + 4 > len) return null;
        return { status, headers, body: Buffer.concat(parts).toString('utf8'), used: last + 4 };
      }
      if (len < lineEnd + 2 + size + 2) return null;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = headers['content-length'] === undefined ? 0 : Number(headers['content-length']);
  if (len < at + length) return null;
  return { status, headers, body: length ? buf.toString('utf8', at, at + length) : '', used: at + length };
}

// One request as text: `body` is a string (sent as UTF-8) or undefined. `bytes` is its size
// in UTF-8.
function formatRequest(method, urlPath, body, headers) {
  const bodyBytes = body === undefined ? 0 : Buffer.byteLength(body);
  let text = `${method} /2018-06-01/runtime/${urlPath} HTTP/1.1\r\nHost: ${apiHost}:${apiPort}\r\n` +
    `Content-Length: ${bodyBytes}\r\n`;
  if (headers) for (const k in headers) text += `${k}: ${headers[k]}\r\n`;
  text += '\r\n';
  const bytes = text.length + bodyBytes;  // the head is ASCII
  return { text: body === undefined ? text : text + body, bytes };
}

const NEXT_REQUEST = formatRequest('GET', 'invocation/next');

// The fast path: a blocking socket to the Runtime API that nimbus connected before starting
// the runtime (its descriptor in _NIMBUS_RUNTIME_API_FD). Requests are written and answers read
// with fs.writeSync/readSync: the answer to one invocation and the request for the next leave
// in one write (HTTP/1.1 pipelining), and waiting for the next invocation blocks in read(2),
// with no event-loop round trip, stream or promise per request. Nothing else runs while it
// waits, as on AWS, where the environment is frozen between invocations; one turn of the event
// loop (setImmediate) runs what is ready before it blocks. When that connection fails, the
// runtime goes on with the client below.
let syncFd = -1;
{
  const fd = process.env._NIMBUS_RUNTIME_API_FD;
  delete process.env._NIMBUS_RUNTIME_API_FD;
  if (fd && /^\d+$/.test(fd)) syncFd = Number(fd);
}
let syncBuf = Buffer.allocUnsafe(64 * 1024);
let syncLen = 0;

function syncFailed() {
  if (syncFd >= 0) { try { fs.closeSync(syncFd); } catch (_) { /* gone already */ } }
  syncFd = -1;
  syncLen = 0;
}

// Writes `text` (`bytes` long in UTF-8) whole.
function syncWrite(text, bytes) {
  let buf = null;
  let off = 0;
  for (;;) {
    try {
      off += buf ? fs.writeSync(syncFd, buf, off, buf.length - off) : fs.writeSync(syncFd, text);
      if (off >= bytes) return;
    } catch (err) {
      if (err.code !== 'EINTR') throw err;
    }
    if (!buf) buf = Buffer.from(text);  // a short write: the rest from its bytes
  }
}

function syncRead() {
  for (;;) {
    if (syncLen) {
      const res = parseResponse(syncBuf, syncLen);
      if (res) {
        syncLen -= res.used;
        if (syncLen) syncBuf.copy(syncBuf, 0, res.used, res.used + syncLen);
        if (res.headers.connection === 'close') syncFailed();
        return res;
      }
      if (syncLen === syncBuf.length) {
        const bigger = Buffer.allocUnsafe(syncBuf.length * 2);
        syncBuf.copy(bigger, 0, 0, syncLen);
        syncBuf = bigger;
      }
    }
    let n;
    try {
      n = fs.readSync(syncFd, syncBuf, syncLen, syncBuf.length - syncLen, null);
    } catch (err) {
      if (err.code === 'EINTR') continue;
      throw err;
    }
    if (n === 0) throw new Error('the Runtime API closed the connection');
    syncLen += n;
  }
}

const yieldToEventLoop = () => new Promise((resolve) => { setImmediate(resolve); });

// The fallback: one kept-alive net socket (node:http's client costs more CPU per request than
// a small function's handler). Requests go one at a time (`pending` chains them). Response
// streaming uses node:http (below).
let apiSocket = null;
let apiBuffer = Buffer.alloc(0);
let apiWaiter = null;  // { resolve, reject } of the request in flight
let pending = Promise.resolve();

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
    const res = parseResponse(apiBuffer, apiBuffer.length);
    if (!res || !apiWaiter) return;
    apiBuffer = apiBuffer.subarray(res.used);
    const waiter = apiWaiter;
    apiWaiter = null;
    if (res.headers.connection === 'close') apiFailed(null);
    waiter.resolve(res);
  });
  sock.on('error', (err) => { if (apiSocket === sock) apiFailed(err); });
  sock.on('close', () => {
    if (apiSocket === sock) apiFailed(new Error('the Runtime API closed the connection'));
  });
  return sock;
}

function sendOnce(text) {
  return new Promise((resolve, reject) => {
    if (!apiSocket) apiSocket = apiConnect();
    apiWaiter = { resolve, reject };
    apiSocket.write(text);
  });
}

function asyncRequest(text) {
  const run = () => sendOnce(text).catch(() => sendOnce(text));  // a kept-alive socket gone stale
  const result = pending.then(run, run);
  pending = result.catch(() => {});
  return result;
}

// One request and its answer, by whichever path is up.
async function request(method, urlPath, body, headers) {
  const req = formatRequest(method, urlPath, body, headers);
  if (syncFd >= 0) {
    try {
      syncWrite(req.text, req.bytes);
      return syncRead();
    } catch (_) {
      syncFailed();
    }
  }
  return asyncRequest(req.text);
}

// Sends `answer` ({ path, body, headers } of the POST that ends an invocation, or null when it
// was sent already) and asks for the next invocation: resolves to it.
async function answerAndNext(answer) {
  const post = answer ? formatRequest('POST', answer.path, answer.body, answer.headers) : null;
  if (syncFd >= 0) {
    try {
      if (post) syncWrite(post.text + NEXT_REQUEST.text, post.bytes + NEXT_REQUEST.bytes);
      else syncWrite(NEXT_REQUEST.text, NEXT_REQUEST.bytes);
      await yieldToEventLoop();
      if (answer) syncRead();
      return syncRead();
    } catch (_) {
      // Sent again below; if the first copy arrived, nimbus answers the second with an error.
      syncFailed();
    }
  }
  if (post) await asyncRequest(post.text);
  return asyncRequest(NEXT_REQUEST.text);
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
    // Each write goes out as it is made (a chunk per write, no Nagle delay): nimbus forwards it
    // to the client at once.
    req.on('socket', (socket) => socket.setNoDelay(true));
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
    const event = body.length ? JSON.parse(body) : {};
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

// What the context takes from the environment, read once.
const FUNCTION_NAME = process.env.AWS_LAMBDA_FUNCTION_NAME;
const FUNCTION_VERSION = process.env.AWS_LAMBDA_FUNCTION_VERSION;
const MEMORY_SIZE = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
const LOG_GROUP = process.env.AWS_LAMBDA_LOG_GROUP_NAME;
const LOG_STREAM = process.env.AWS_LAMBDA_LOG_STREAM_NAME;

function makeContext(headers, settle) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const parse = (v) => (v ? JSON.parse(v) : undefined);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: LOG_GROUP,
    logStreamName: LOG_STREAM,
    clientContext: parse(headers['lambda-runtime-client-context']),
    identity: parse(headers['lambda-runtime-cognito-identity']),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, result) => settle(err, result),
    succeed: (result) => settle(null, result),
    fail: (err) => settle(err ?? 'handled'),
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function errorAnswer(base, errBody, errorType) {
  return {
    path: base + 'error',
    body: JSON.stringify(errBody),
    headers: { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': errorType },
  };
}

// Runs one invocation; resolves to the POST that answers it ({ path, body, headers }), or null
// when it was answered already (a streamed response).
async function invoke(handler, headers, body) {
  const requestId = headers['lambda-runtime-aws-request-id'];
  const base = `invocation/${requestId}/`;
  if (headers['lambda-runtime-trace-id']) {
    process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }
  if (handler[STREAMING] === 'response') {
    await invokeStreaming(handler, headers, body, base);
    return null;
  }
  let settled = false;
  let resolveOutcome;
  let outcome;
  const settle = (err, result) => {
    if (settled) return;
    settled = true;
    if (resolveOutcome) resolveOutcome({ err, result });
    else outcome = { err, result };
  };
  const context = makeContext(headers, settle);
  try {
    const event = body.length ? JSON.parse(body) : {};
    const ret = handler(event, context, (err, result) => settle(err, result));
    if (ret && typeof ret.then === 'function') {
      ret.then((result) => settle(null, result), (err) => settle(err ?? 'null'));
    } else if (handler.length < 3) {
      settle(null, ret);
    }
  } catch (err) {
    settle(err);
  }
  // Settled already (a synchronous handler, or a callback called at once): no promise.
  const { err, result } = outcome ?? await new Promise((resolve) => { resolveOutcome = resolve; });
  if (err !== undefined && err !== null) {
    const errBody = errorBody(err);
    logError(errBody);
    return errorAnswer(base, errBody, 'Unhandled');
  }
  let out;
  try {
    out = result === undefined ? 'null' : JSON.stringify(result);
  } catch (e) {
    const errBody = errorBody(e, 'Runtime.MarshalError');
    logError(errBody);
    return errorAnswer(base, errBody, 'Runtime.MarshalError');
  }
  return { path: base + 'response', body: out, headers: JSON_HEADERS };
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
  let answer = null;
  for (;;) {
    const next = await answerAndNext(answer);
    answer = null;
    if (next.status !== 200) continue;
    currentRequestId = next.headers['lambda-runtime-aws-request-id'];
    unanswered = currentRequestId;
    answer = await invoke(handler, next.headers, next.body);
    unanswered = undefined;
  }
}

process.on('uncaughtException', async (err) => {
  const body = errorBody(err);
  logError(body, 'Uncaught Exception');
  if (unanswered) {
    try {
      await postJson(`invocation/${unanswered}/error`, body, 'Runtime.UncaughtException');
    } catch (_) { /* the environment is going away */ }
  }
  process.exit(129);
});

main();
