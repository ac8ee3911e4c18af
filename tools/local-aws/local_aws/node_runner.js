'use strict';
/**
 * Runs ONE invocation of a Node.js Lambda handler, the way the Lambda Node.js
 * runtime would, and writes the outcome to a file for lambda_executor.py.
 *
 * Configuration comes from _LOCAL_AWS_* environment variables, which are
 * removed from process.env before the handler's module is loaded, so the
 * handler sees a Lambda-like environment.
 *
 * Outcome file (JSON), one of:
 *   { "status": "success", "payload": "<JSON text of the result>" }
 *   { "status": "error",   "error": { errorType, errorMessage, trace } }
 *   { "status": "timeout" }
 *
 * Everything the handler prints goes to stdout (console.* is formatted like
 * the Lambda runtime: "<ISO time>\t<request id>\t<LEVEL>\t<message>").
 */
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

function take(name) {
  const value = process.env[name];
  delete process.env[name];
  return value;
}

const config = {
  taskRoot: take('_LOCAL_AWS_TASK_ROOT'),
  handler: take('_LOCAL_AWS_HANDLER'),
  eventFile: take('_LOCAL_AWS_EVENT_FILE'),
  resultFile: take('_LOCAL_AWS_RESULT_FILE'),
  timeoutMs: Number(take('_LOCAL_AWS_TIMEOUT_MS')),
  requestId: take('_LOCAL_AWS_REQUEST_ID'),
  functionArn: take('_LOCAL_AWS_FUNCTION_ARN'),
  motoPort: Number(take('_LOCAL_AWS_MOTO_PORT')),
};

// ---------------------------------------------------------------------------
// Outcome
// ---------------------------------------------------------------------------
let outcomeWritten = false;
function writeOutcomeAndExit(outcome) {
  if (outcomeWritten) return;
  outcomeWritten = true;
  fs.writeFileSync(config.resultFile, JSON.stringify(outcome));
  // Lambda freezes the sandbox once the response is sent; a local process
  // simply ends. Anything still pending in the event loop is dropped.
  process.exit(0);
}

function runtimeError(errorType, errorMessage) {
  return { errorType, errorMessage, trace: [] };
}

function serializeError(err) {
  if (err && typeof err === 'object' && 'errorType' in err && 'errorMessage' in err && !(err instanceof Error)) {
    return err; // already a Lambda-style error (from this runner)
  }
  if (err instanceof Error) {
    return {
      errorType: err.name || (err.constructor && err.constructor.name) || 'Error',
      errorMessage: err.message,
      trace: String(err.stack || '').split('\n'),
    };
  }
  return { errorType: typeof err, errorMessage: typeof err === 'string' ? err : util.inspect(err), trace: [] };
}

function succeed(result) {
  let payload;
  try {
    payload = JSON.stringify(result === undefined ? null : result);
  } catch (err) {
    return writeOutcomeAndExit({ status: 'error', error: runtimeError('Runtime.MarshalError', `Unable to stringify response body: ${err.message}`) });
  }
  writeOutcomeAndExit({ status: 'success', payload });
}

function fail(err) {
  writeOutcomeAndExit({ status: 'error', error: serializeError(err) });
}

// ---------------------------------------------------------------------------
// Lambda-style console
// ---------------------------------------------------------------------------
function patchConsole() {
  const write = (level) => (...args) => {
    const message = util.format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${config.requestId}\t${level}\t${message}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

// ---------------------------------------------------------------------------
// https -> http for the emulator
//
// Custom-resource handlers answer CloudFormation with
//   https.request({ hostname, path, method: 'PUT' })
// built from the ResponseURL. moto's ResponseURL is plain http on the
// emulator's port, so a request for the emulator's host through the https
// module (or fetch with an https: URL) is sent as http to that port.
// ---------------------------------------------------------------------------
const EMULATOR_HOSTS = new Set(['127.0.0.1', 'localhost']);

function splitRequestArgs(args) {
  let [first, second, third] = args;
  let url;
  let options;
  let callback;
  if (typeof first === 'string' || first instanceof URL) {
    url = new URL(first);
    if (typeof second === 'function') {
      callback = second;
      options = {};
    } else {
      options = second || {};
      callback = third;
    }
  } else {
    options = first || {};
    callback = second;
  }
  const merged = url
    ? { hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, ...options }
    : { ...options };
  return { merged, callback };
}

function targetHost(options) {
  const raw = options.hostname || options.host || 'localhost';
  return String(raw).replace(/:\d+$/, '');
}

function toEmulatorOptions(options) {
  const port = Number(options.port);
  const redirected = {
    ...options,
    protocol: 'http:',
    hostname: targetHost(options),
    port: port && port !== 443 ? port : config.motoPort,
  };
  delete redirected.host;
  delete redirected.agent; // an https.Agent cannot carry an http request
  return redirected;
}

function patchHttps() {
  const originalRequest = https.request;
  const originalGet = https.get;
  https.request = function request(...args) {
    const { merged, callback } = splitRequestArgs(args);
    if (EMULATOR_HOSTS.has(targetHost(merged))) {
      return http.request(toEmulatorOptions(merged), callback);
    }
    return originalRequest.apply(this, args);
  };
  https.get = function get(...args) {
    const { merged, callback } = splitRequestArgs(args);
    if (EMULATOR_HOSTS.has(targetHost(merged))) {
      const req = http.request(toEmulatorOptions(merged), callback);
      req.end();
      return req;
    }
    return originalGet.apply(this, args);
  };

  if (typeof globalThis.fetch === 'function') {
    const originalFetch = globalThis.fetch;
    globalThis.fetch = function fetch(input, init) {
      const rawUrl = typeof input === 'string' || input instanceof URL ? String(input) : input && input.url;
      if (rawUrl) {
        const url = new URL(rawUrl);
        if (url.protocol === 'https:' && EMULATOR_HOSTS.has(url.hostname)) {
          url.protocol = 'http:';
          if (!url.port || url.port === '443') url.port = String(config.motoPort);
          const target = typeof input === 'string' || input instanceof URL ? url.toString() : new Request(url.toString(), input);
          return originalFetch.call(this, target, init);
        }
      }
      return originalFetch.call(this, input, init);
    };
  }
}

// ---------------------------------------------------------------------------
// Handler loading (mirrors the runtime's "dir/module.function" resolution)
// ---------------------------------------------------------------------------
async function loadModule(file) {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (err) {
    if (err && err.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw err;
  }
}

async function loadHandler() {
  const handlerString = config.handler || '';
  const slash = handlerString.lastIndexOf('/');
  const dir = handlerString.slice(0, slash + 1);
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    throw runtimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}: expected <module>.<function>`);
  }
  const moduleName = rest.slice(0, dot);
  const functionPath = rest.slice(dot + 1).split('.');
  const base = path.resolve(config.taskRoot, dir, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw runtimeError('Runtime.ImportModuleError', `Error: Cannot find module '${dir}${moduleName}'`);
  }

  let mod;
  try {
    mod = await loadModule(file);
  } catch (err) {
    const type = err instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    throw runtimeError(type, String(err && err.stack ? `${err.name}: ${err.message}` : err));
  }

  const lookup = (root) => functionPath.reduce((obj, key) => (obj == null ? undefined : obj[key]), root);
  let handler = lookup(mod);
  if (typeof handler !== 'function' && mod && mod.default) handler = lookup(mod.default);
  if (typeof handler !== 'function') {
    throw runtimeError('Runtime.HandlerNotFound', `${dir}${moduleName}.${functionPath.join('.')} is undefined or not exported`);
  }
  return handler;
}

// ---------------------------------------------------------------------------
// Invocation
// ---------------------------------------------------------------------------
function makeContext(deadline) {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: config.functionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: config.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function invoke(handler, event) {
  const deadline = Date.now() + config.timeoutMs;
  const context = makeContext(deadline);

  // The function timeout counts from the call, like on Lambda (init is
  // limited separately by lambda_executor.py). unref(): the timer must not
  // keep the event loop alive on its own.
  setTimeout(() => writeOutcomeAndExit({ status: 'timeout' }), config.timeoutMs).unref();

  let callbackOutcome;
  const finish = (outcome) => ('error' in outcome ? fail(outcome.error) : succeed(outcome.result));
  const callback = (err, result) => {
    const outcome = err !== undefined && err !== null ? { error: err } : { result };
    if (context.callbackWaitsForEmptyEventLoop) {
      callbackOutcome = outcome; // answered when the event loop drains
    } else {
      finish(outcome);
    }
  };
  context.done = callback;
  context.succeed = (result) => callback(null, result);
  context.fail = (err) => callback(err === undefined ? 'handled' : err);

  // The event loop drained: answer with the callback's value (or null when a
  // non-async handler never called back).
  process.on('beforeExit', () => finish(callbackOutcome || { result: null }));
  process.on('uncaughtException', (err) => fail(err));
  process.on('unhandledRejection', (reason) => fail(reason instanceof Error
    ? reason
    : runtimeError('Runtime.UnhandledPromiseRejection', String(reason))));

  let returned;
  try {
    returned = handler(event, context, callback);
  } catch (err) {
    fail(err);
    return;
  }
  if (returned && typeof returned.then === 'function') {
    returned.then((result) => succeed(result), (err) => fail(err));
  }
}

async function main() {
  patchConsole();
  patchHttps();
  const event = JSON.parse(fs.readFileSync(config.eventFile, 'utf-8'));
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    fail(err);
    return;
  }
  invoke(handler, event);
}

main().catch((err) => fail(err));
