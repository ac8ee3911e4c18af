/**
 * Jest helper for the offline AWS emulator (tools/local-aws/launcher.py).
 *
 *   const aws = await startLocalAws();
 *   const kms = new KMSClient(aws.clientConfig);
 *   await aws.deployNodeFunction({ name: 'fn', files: { 'index.js': '...' } });
 *   const result = await aws.invoke('fn', { hello: 'world' });
 *   await aws.stop();
 *
 * Lambda functions run in the emulator's own executor (the same one CDK
 * deployments use), with only tools/local-aws/sdk on their module path.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(REPO_ROOT, 'tools', 'local-aws', 'launcher.py');
const RUNTIME_SDK_DIR = path.join(REPO_ROOT, 'tools', 'local-aws', 'sdk');
const DEFAULT_START_TIMEOUT_MS = 120_000; // the first start may run `npm ci` in tools/local-aws/sdk
const STOP_GRACE_MS = 5_000;
const DEFAULT_ROLE_NAME = 'local-aws-lambda-execution';

export interface StartLocalAwsOptions {
  /** How long to wait for the emulator (default 120 s). */
  readonly timeoutMs?: number;
  /** Python interpreter (default: $LOCAL_AWS_PYTHON or python3). */
  readonly python?: string;
  /**
   * Run Lambda functions with temporary credentials of their execution role, as Lambda does,
   * instead of the shared dummy ones (`launcher.py --lambda-role-credentials`). Matters only
   * once a test switches IAM enforcement on (moto's `POST /moto-api/reset-auth`).
   * @default false
   */
  readonly lambdaRoleCredentials?: boolean;
}

export interface NodeFunctionProps {
  readonly name: string;
  /** Deployment package: a zip ... */
  readonly zipBytes?: Buffer;
  /** ... or a directory to zip ... */
  readonly dir?: string;
  /** ... or files to zip, path -> content. */
  readonly files?: Record<string, string | Buffer>;
  /** Default 'index.handler'. */
  readonly handler?: string;
  /** Default 'nodejs20.x'. */
  readonly runtime?: string;
  readonly environment?: Record<string, string>;
  /** Seconds, default 3 (as on Lambda). */
  readonly timeout?: number;
}

/** Credentials to sign a request with. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface InvokeResult {
  readonly statusCode?: number;
  /** 'Unhandled' when the handler threw, timed out or could not load. */
  readonly functionError?: string;
  /** The handler's result (or Lambda's error object), parsed from JSON. */
  readonly payload: unknown;
  readonly rawPayload: string;
  /** The invocation's log tail (START/END/REPORT and the handler's output). */
  readonly logs: string;
}

export interface LocalAws {
  readonly endpoint: string;
  readonly port: number;
  /** Every variable the launcher exports to a child (AWS_ENDPOINT_URL, credentials, region, ...). */
  readonly env: Record<string, string>;
  /** Spread into any AWS SDK v3 client constructor. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  };
  deployNodeFunction(props: NodeFunctionProps): Promise<{ functionName: string; functionArn: string }>;
  /** Invoke a function; `credentials` sign the call instead of the launcher's (once IAM is enforced). */
  invoke(functionName: string, event?: unknown, credentials?: Credentials): Promise<InvokeResult>;
  stop(): Promise<void>;
}

interface ReadyFile {
  endpoint: string;
  port: number;
  env: Record<string, string>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Start the emulator (`launcher.py serve`) and wait until it serves. */
export async function startLocalAws(options: StartLocalAwsOptions = {}): Promise<LocalAws> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const python = options.python ?? process.env.LOCAL_AWS_PYTHON ?? 'python3';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'local-aws-'));
  const readyFile = path.join(scratch, 'ready.json');

  const launcherArgs = [LAUNCHER, 'serve', '--ready-file', readyFile, '--exit-on-stdin-eof'];
  if (options.lambdaRoleCredentials) launcherArgs.push('--lambda-role-credentials');
  const child = spawn(python, launcherArgs, {
    cwd: REPO_ROOT,
    // stdin stays open and unused: when this process dies, the pipe closes
    // and the launcher stops by itself (--exit-on-stdin-eof).
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  track(child);
  let stderr = '';
  child.stderr?.setEncoding('utf-8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });

  let ready: ReadyFile;
  try {
    ready = await waitForReadyFile(child, readyFile, timeoutMs, () => stderr);
  } catch (error) {
    await stopChild(child);
    fs.rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  return makeLocalAws(ready, child);
}

function makeLocalAws(ready: ReadyFile, child: ChildProcess): LocalAws {
  const env = ready.env;
  const clientConfig = {
    endpoint: ready.endpoint,
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    },
  };
  return {
    endpoint: ready.endpoint,
    port: ready.port,
    env,
    clientConfig,
    deployNodeFunction: (props) => deployNodeFunction(clientConfig, props),
    invoke: (functionName, event, credentials) => {
      const config = credentials ? { ...clientConfig, credentials, maxAttempts: 1 } : clientConfig;
      return invoke(config, functionName, event);
    },
    stop: () => stopChild(child),
  };
}

async function waitForReadyFile(child: ChildProcess, readyFile: string, timeoutMs: number, stderr: () => string): Promise<ReadyFile> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`local AWS emulator exited during startup (code ${child.exitCode ?? child.signalCode}):\n${stderr()}`);
    }
    if (fs.existsSync(readyFile)) {
      return JSON.parse(fs.readFileSync(readyFile, 'utf-8')) as ReadyFile;
    }
    await sleep(50);
  }
  throw new Error(`local AWS emulator did not become ready within ${timeoutMs} ms (${LAUNCHER}):\n${stderr()}`);
}

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort when a test run ends without stop(): 'exit' handlers must be synchronous.
    process.once('exit', () => {
      for (const proc of running) proc.kill('SIGKILL');
    });
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), STOP_GRACE_MS);
    });
    const stoppedInTime = await Promise.race([exited.then(() => true), gaveUp]);
    clearTimeout(timer);
    if (!stoppedInTime) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  // Open pipes would keep the test process alive.
  child.stdin?.destroy();
  child.stderr?.destroy();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------
// Lambda helpers (deploy a bundle to the emulator and invoke it)
// ---------------------------------------------------------------------------
type ClientConfig = LocalAws['clientConfig'];

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * @aws-sdk/client-lambda and client-iam are not root devDependencies (yet):
 * take them from the root when present, else from tools/local-aws/sdk, which
 * the launcher has installed by the time the emulator is up.
 */
export function loadSdkClient(packageName: string): any {
  for (const base of [REPO_ROOT, RUNTIME_SDK_DIR]) {
    let resolved: string;
    try {
      resolved = require.resolve(packageName, { paths: [base] });
    } catch {
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(resolved);
  }
  throw new Error(`${packageName} is not installed (add it as a root devDependency, or start the emulator once to install tools/local-aws/sdk)`);
}

async function ensureExecutionRole(config: ClientConfig): Promise<string> {
  const iamSdk = loadSdkClient('@aws-sdk/client-iam');
  const iam = new iamSdk.IAMClient(config);
  try {
    try {
      const existing = await iam.send(new iamSdk.GetRoleCommand({ RoleName: DEFAULT_ROLE_NAME }));
      return existing.Role.Arn;
    } catch (error: any) {
      if (error?.name !== 'NoSuchEntityException' && error?.name !== 'NoSuchEntity') throw error;
    }
    const created = await iam.send(new iamSdk.CreateRoleCommand({
      RoleName: DEFAULT_ROLE_NAME,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }));
    return created.Role.Arn;
  } finally {
    iam.destroy();
  }
}

async function deployNodeFunction(config: ClientConfig, props: NodeFunctionProps): Promise<{ functionName: string; functionArn: string }> {
  const zip = props.zipBytes ?? (props.dir ? zipDirectory(props.dir) : props.files ? zipFiles(props.files) : undefined);
  if (!zip) throw new Error('deployNodeFunction needs zipBytes, dir or files');
  const role = await ensureExecutionRole(config);
  const lambdaSdk = loadSdkClient('@aws-sdk/client-lambda');
  const lambda = new lambdaSdk.LambdaClient(config);
  try {
    const created = await lambda.send(new lambdaSdk.CreateFunctionCommand({
      FunctionName: props.name,
      Runtime: props.runtime ?? 'nodejs20.x',
      Handler: props.handler ?? 'index.handler',
      Role: role,
      Code: { ZipFile: zip },
      Timeout: props.timeout ?? 3,
      Environment: { Variables: props.environment ?? {} },
    }));
    return { functionName: created.FunctionName, functionArn: created.FunctionArn };
  } finally {
    lambda.destroy();
  }
}

async function invoke(config: Omit<ClientConfig, 'credentials'> & { credentials: object; maxAttempts?: number }, functionName: string, event: unknown = {}): Promise<InvokeResult> {
  const lambdaSdk = loadSdkClient('@aws-sdk/client-lambda');
  const lambda = new lambdaSdk.LambdaClient(config);
  let response: any;
  try {
    response = await lambda.send(new lambdaSdk.InvokeCommand({
      FunctionName: functionName,
      Payload: Buffer.from(JSON.stringify(event)),
      LogType: 'Tail',
    }));
  } finally {
    lambda.destroy();
  }
  const rawPayload = Buffer.from(response.Payload ?? []).toString('utf-8');
  return {
    statusCode: response.StatusCode,
    functionError: response.FunctionError,
    payload: rawPayload ? JSON.parse(rawPayload) : undefined,
    rawPayload,
    logs: response.LogResult ? Buffer.from(response.LogResult, 'base64').toString('utf-8') : '',
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// ---------------------------------------------------------------------------
// Minimal zip writer (stored entries, no compression): enough for Lambda code
// ---------------------------------------------------------------------------
/** A zip of the given files (path inside the zip -> content). */
export function zipFiles(files: Record<string, string | Buffer>): Buffer {
  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf-8');
    const fileName = Buffer.from(name.split(path.sep).join('/'), 'utf-8');
    const crc = crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt32LE(0, 10); // DOS time/date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(0, 28);
    localParts.push(local, fileName, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory signature
    central.writeUInt16LE((3 * 256) + 20, 4); // made by: unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(0o100644 * 65536, 38); // external attributes: -rw-r--r--
    central.writeUInt32LE(offset, 42);
    centralParts.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const centralDirectory = Buffer.concat(centralParts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...localParts, centralDirectory, end]);
}

/** A zip of every file under ``dir`` (paths relative to it). */
export function zipDirectory(dir: string): Buffer {
  const files: Record<string, Buffer> = {};
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files[path.relative(dir, full)] = fs.readFileSync(full);
    }
  };
  walk(dir);
  return zipFiles(files);
}

/* eslint-disable no-bitwise */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
/* eslint-enable no-bitwise */
