/**
 * The bundled key-health canary (assets/key-health-canary.lambda/index.js, built by
 * `npx projen bundle`) deployed as a Lambda function into the local AWS (tools/local-aws) and
 * invoked there. It runs in the emulator's Node.js executor with only the runtime SDK
 * (tools/local-aws/sdk) on NODE_PATH, exactly as in offline integ, against moto's KMS, whose
 * cryptography is real (and whose key state the launcher enforces).
 *
 * Every run checks the CanaryReport it returns and that neither the report nor the invocation log
 * holds anything that looks like key material or plaintext.
 */
import { constants as cryptoConstants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KeySpec,
  KeyUsageType,
  KMSClient,
  OriginType,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CANARY_CONTEXT_KEY,
  CANARY_CONTEXT_VALUE,
  CANARY_METRIC_DIMENSION,
  CANARY_METRIC_NAME,
  CANARY_RUN_CONTEXT_KEY,
  CanaryCheck,
  CanaryEnv,
  CanaryKeyReport,
  CanaryReport,
  canaryKeyGroups,
} from '../../src/private/contracts/key-health-canary.contract';
import { InvokeResult, LocalAws, startLocalAws } from '../support';

const BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'key-health-canary.lambda');
const NAMESPACE = 'Test/KeyHealthCanary';
const SYMMETRIC_CHECKS = ['key-enabled', 'envelope-round-trip', 'direct-round-trip', 'wrong-context-refused'];

/** Every field of the contract, and only those (the compiler keeps these lists complete). */
const REPORT_FIELDS: Record<keyof CanaryReport, true> = {
  ok: true,
  keys: true,
  startedAt: true,
  durationMs: true,
  metricPublished: true,
};
const KEY_REPORT_FIELDS: Record<keyof CanaryKeyReport, true> = {
  keyId: true,
  ok: true,
  keySpec: true,
  keyUsage: true,
  dataKeyPair: true,
  keyState: true,
  checks: true,
};
const CHECK_FIELDS: Record<keyof CanaryCheck, true> = { name: true, ok: true, latencyMs: true, error: true };

interface TestKey {
  readonly arn: string;
  readonly id: string;
  readonly spec: string;
  readonly usage: string;
  /** The data key pair spec to probe as well (symmetric keys). */
  readonly dataKeyPair?: string;
}

interface CanaryRun {
  readonly result: InvokeResult;
  readonly report: CanaryReport;
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
let functionCounter = 0;

async function createKey(kms: KMSClient, spec = 'SYMMETRIC_DEFAULT', usage = 'ENCRYPT_DECRYPT', origin?: OriginType): Promise<TestKey> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    KeySpec: spec as KeySpec,
    KeyUsage: usage as KeyUsageType,
    Origin: origin,
    Description: 'key-health-canary handler test',
  }));
  return { arn: KeyMetadata!.Arn!, id: KeyMetadata!.KeyId!, spec, usage };
}

/** The environment KeyHealthCanary gives its function (CANARY_KEYS built by the contract's own encoder). */
function canaryEnv(keys: TestKey | TestKey[], extra: Record<string, string> = {}): Record<string, string> {
  const targets = (Array.isArray(keys) ? keys : [keys])
    .map((k) => ({ keyId: k.id, spec: k.spec, usage: k.usage, ...(k.dataKeyPair ? { dataKeyPair: k.dataKeyPair } : {}) }));
  return {
    [CanaryEnv.KEYS]: JSON.stringify(canaryKeyGroups(targets)),
    [CanaryEnv.METRIC_NAMESPACE]: NAMESPACE,
    ...extra,
  };
}

/** Deploys the bundle directory, zipped, as a new function (runtime and timeout as KeyHealthCanary sets them). */
async function deployCanary(aws: LocalAws, environment: Record<string, string>): Promise<string> {
  const name = `key-health-canary-${++functionCounter}`;
  await aws.deployNodeFunction({ name, dir: BUNDLE_DIR, environment, timeout: 30, runtime: 'nodejs24.x' });
  return name;
}

/** The report of a run that did not throw (a canary reports key problems, it never throws for them). */
function reportOf(result: InvokeResult): CanaryReport {
  if (result.functionError !== undefined) {
    throw new Error(`the canary threw (${result.functionError}): ${result.rawPayload}\n${result.logs}`);
  }
  return result.payload as CanaryReport;
}

async function runCanary(aws: LocalAws, keys: TestKey | TestKey[], extraEnv: Record<string, string> = {}): Promise<CanaryRun> {
  const name = await deployCanary(aws, canaryEnv(keys, extraEnv));
  const result = await aws.invoke(name);
  return { result, report: reportOf(result) };
}

/** name -> outcome of one key's checks (the first key's by default), in the order the canary ran them. */
function outcomes(report: CanaryReport, keyId?: string): Record<string, { ok: boolean; error?: string }> {
  const key = keyId === undefined ? report.keys[0] : report.keys.find((k) => k.keyId === keyId)!;
  return Object.fromEntries(key.checks.map((c) => [c.name, { ok: c.ok, error: c.error }]));
}

/** The position of a key in CANARY_KEYS as the contract encodes the keys (grouped by probes). */
function canaryOrder(keys: TestKey[], keyId: string): number {
  const groups = JSON.parse(canaryEnv(keys)[CanaryEnv.KEYS]) as Array<{ keyIds: string[] }>;
  return groups.flatMap((g) => g.keyIds).indexOf(keyId);
}

/** The first key's report, without its checks. */
function keyReport(report: CanaryReport, index = 0): Omit<CanaryKeyReport, 'checks'> {
  const { checks: _checks, ...rest } = report.keys[index];
  return rest;
}

// Identifiers that are allowed to be long: request ids and key ids (UUIDs), and the path of the
// executor's code directory (a SHA-256) in stack traces.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TASK_ROOT = /local-aws-lambda-code-\d+\/[0-9a-f]{64}/g;
// What leaked key material or plaintext would look like: base64, hex, or printed bytes.
const LEAK_PATTERNS = [
  /[A-Za-z0-9+/]{41,}={0,2}/g, // base64 longer than 40 characters
  /\b[0-9a-f]{32,}\b/gi, // hex of 16 bytes or more
  /<Buffer [0-9a-f ]+/g, // console.log of a Buffer
  /(?:\b\d{1,3}\s*,\s*){16,}/g, // a byte array
  /"\d+":\d{1,3},"\d+":\d{1,3}/g, // JSON.stringify of a Uint8Array
];

function leaks(text: string): string[] {
  const masked = text.replace(UUID, '<uuid>').replace(TASK_ROOT, '<task-root>');
  return LEAK_PATTERNS.flatMap((pattern) => masked.match(pattern) ?? []);
}

/** The payload and the log hold no key material or plaintext. */
function expectNothingSecretIn(result: InvokeResult): void {
  expect(leaks(result.rawPayload)).toEqual([]);
  expect(leaks(result.logs)).toEqual([]);
}

/** The report has exactly the contract's fields, each check only its own, and nothing secret anywhere. */
function expectCleanReport(run: CanaryRun): void {
  const { report } = run;
  expect(Object.keys(report).sort()).toEqual(Object.keys(REPORT_FIELDS).sort());
  for (const key of report.keys) {
    expect(Object.keys(key).filter((k) => !(k in KEY_REPORT_FIELDS))).toEqual([]);
    for (const check of key.checks) {
      expect(Object.keys(check).filter((k) => !(k in CHECK_FIELDS))).toEqual([]);
      expect(typeof check.latencyMs).toBe('number');
      if (check.ok) {
        expect(check.error).toBeUndefined();
      } else {
        expect(typeof check.error).toBe('string');
      }
    }
    expect(key.ok).toBe(key.checks.every((c) => c.ok));
  }
  expect(report.ok).toBe(report.keys.every((k) => k.ok));
  expect(Number.isNaN(Date.parse(report.startedAt))).toBe(false);
  expectNothingSecretIn(run.result);
}

interface MetricSummary {
  readonly samples: number;
  readonly min?: number;
  readonly max?: number;
}

/** The KeyHealthy data points the emulator's CloudWatch holds for a key. */
async function healthMetric(cloudwatch: CloudWatchClient, keyId: string): Promise<MetricSummary> {
  const now = Date.now();
  const { Datapoints = [] } = await cloudwatch.send(new GetMetricStatisticsCommand({
    Namespace: NAMESPACE,
    MetricName: CANARY_METRIC_NAME,
    Dimensions: [{ Name: CANARY_METRIC_DIMENSION, Value: keyId }],
    StartTime: new Date(now - 3_600_000),
    EndTime: new Date(now + 3_600_000),
    Period: 60,
    Statistics: ['SampleCount', 'Minimum', 'Maximum'],
  }));
  if (Datapoints.length === 0) return { samples: 0 };
  return {
    samples: Datapoints.reduce((sum, d) => sum + (d.SampleCount ?? 0), 0),
    min: Math.min(...Datapoints.map((d) => d.Minimum!)),
    max: Math.max(...Datapoints.map((d) => d.Maximum!)),
  };
}

/**
 * A KMS endpoint in front of the emulator that does what KMS must never do: it decrypts a
 * ciphertext under the encryption context it was made with, whatever context the caller sends.
 * A canary pointed at it must fail `wrong-context-refused`.
 */
interface ContextIgnoringKms {
  readonly url: string;
  /** How many Decrypt requests had their (wrong) context replaced. */
  readonly rewrittenDecrypts: () => number;
  close(): Promise<void>;
}

async function startContextIgnoringKms(upstream: string): Promise<ContextIgnoringKms> {
  const target = new URL(upstream);
  const contextByCiphertext = new Map<string, unknown>();
  let rewritten = 0;

  const forward = (req: http.IncomingMessage, body: Buffer) => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const headers = { ...req.headers, 'host': target.host, 'content-length': String(body.length) };
      const request = http.request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });

  const handle = async (req: http.IncomingMessage, original: Buffer, res: http.ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '');
    let body = original;
    if (operation === 'TrentService.Decrypt') {
      const request = JSON.parse(original.toString('utf-8'));
      const madeUnder = contextByCiphertext.get(request.CiphertextBlob);
      if (madeUnder !== undefined && JSON.stringify(madeUnder) !== JSON.stringify(request.EncryptionContext)) {
        request.EncryptionContext = madeUnder;
        body = Buffer.from(JSON.stringify(request));
        rewritten++;
      }
    }
    const answer = await forward(req, body);
    if (answer.status === 200 && (operation === 'TrentService.Encrypt' || operation === 'TrentService.GenerateDataKey')) {
      const ciphertext = JSON.parse(answer.body.toString('utf-8')).CiphertextBlob;
      contextByCiphertext.set(ciphertext, JSON.parse(original.toString('utf-8')).EncryptionContext);
    }
    const { 'transfer-encoding': _chunked, 'connection': _connection, ...headers } = answer.headers;
    res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks), res).catch((error: Error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`context-ignoring KMS proxy: ${error.message}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rewrittenDecrypts: () => rewritten,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * A KMS endpoint in front of the emulator that records every secret KMS answers with (data keys
 * and other plaintexts, plaintext private keys, shared secrets), so that a test can look for
 * exactly those bytes in the canary's output; optionally it tampers with answers, to prove that
 * the canary's comparisons fail when KMS is wrong.
 */
interface RecordingKms {
  readonly url: string;
  /** The secret byte strings KMS returned so far. */
  readonly secrets: () => Buffer[];
  /** The KMS operations called so far (`TrentService.<Operation>`), in order. */
  readonly operations: () => string[];
  close(): Promise<void>;
}

const SECRET_FIELDS = ['Plaintext', 'PrivateKeyPlaintext', 'SharedSecret'];

async function startRecordingKms(upstream: string, tamper?: (operation: string, answer: any) => any): Promise<RecordingKms> {
  const target = new URL(upstream);
  const secrets: Buffer[] = [];
  const operations: string[] = [];
  const forward = (req: http.IncomingMessage, body: Buffer) => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const headers = { ...req.headers, 'host': target.host, 'content-length': String(body.length) };
      const request = http.request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
  const handle = async (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '');
    operations.push(operation);
    const answer = await forward(req, body);
    let out = answer.body;
    if (answer.status === 200 && answer.body.length > 0) {
      let json = JSON.parse(answer.body.toString('utf-8'));
      for (const field of SECRET_FIELDS) {
        if (typeof json[field] === 'string') secrets.push(Buffer.from(json[field], 'base64'));
      }
      if (tamper) {
        json = tamper(operation, json);
        out = Buffer.from(JSON.stringify(json));
      }
    }
    const { 'transfer-encoding': _chunked, 'connection': _connection, ...headers } = answer.headers;
    res.writeHead(answer.status, { ...headers, 'content-length': String(out.length) });
    res.end(out);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks), res).catch((error: Error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`recording KMS proxy: ${error.message}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secrets: () => [...secrets],
    operations: () => [...operations],
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Where any of these secrets appears in the text, whole or its first 15-16 bytes: hex (any case),
 * base64 and base64url.
 */
function secretsIn(text: string, secrets: readonly Buffer[]): string[] {
  const lower = text.toLowerCase();
  const found: string[] = [];
  for (const [i, secret] of secrets.entries()) {
    const hexForms = [secret.toString('hex'), secret.subarray(0, 16).toString('hex')];
    const base64Forms = [secret.toString('base64'), secret.toString('base64url'), secret.subarray(0, 15).toString('base64'), secret.subarray(0, 15).toString('base64url')];
    if (hexForms.some((f) => lower.includes(f))) found.push(`secret ${i} (${secret.length} bytes) in hex`);
    if (base64Forms.some((f) => text.includes(f))) found.push(`secret ${i} (${secret.length} bytes) in base64`);
  }
  return found;
}

/** None of the secrets KMS returned appears in the canary's log or its answer. */
function expectNoSecretBytes(run: CanaryRun, secrets: readonly Buffer[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  expect(secretsIn(run.result.logs, secrets)).toEqual([]);
  expect(secretsIn(run.result.rawPayload, secrets)).toEqual([]);
}

/** Import 32 bytes of fresh material into an EXTERNAL symmetric key, as the import command does. */
async function importMaterial(kms: KMSClient, keyId: string): Promise<void> {
  const params = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
  const wrappingKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
  const material = randomBytes(32);
  const encrypted = publicEncrypt({ key: wrappingKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  material.fill(0);
  await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: encrypted, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
}

// ---------------------------------------------------------------------------
// The canary against the local AWS (IAM not enforced, as in moto by default)
// ---------------------------------------------------------------------------
describe('the bundled key-health canary in the local AWS', () => {
  let aws: LocalAws;
  let kms: KMSClient;
  let cloudwatch: CloudWatchClient;

  beforeAll(async () => {
    expect(fs.existsSync(path.join(BUNDLE_DIR, 'index.js'))).toBe(true); // run `npx projen bundle` first
    aws = await startLocalAws();
    kms = new KMSClient(aws.clientConfig);
    cloudwatch = new CloudWatchClient(aws.clientConfig);
  }, 180_000);

  afterAll(async () => {
    kms?.destroy();
    cloudwatch?.destroy();
    await aws?.stop();
  });

  test('a healthy symmetric key passes every check and publishes KeyHealthy = 1 for its KeyId', async () => {
    const key = await createKey(kms);

    const run = await runCanary(aws, key);

    expect(run.result.functionError).toBeUndefined();
    expect(run.report).toMatchObject({ ok: true, metricPublished: true });
    expect(keyReport(run.report)).toEqual({ keyId: key.id, ok: true, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', keyState: 'Enabled' });
    expect(run.report.keys[0].checks.map((c) => c.name)).toEqual(SYMMETRIC_CHECKS);
    expect(outcomes(run.report)).toEqual({
      'key-enabled': { ok: true },
      'envelope-round-trip': { ok: true },
      'direct-round-trip': { ok: true },
      'wrong-context-refused': { ok: true },
    });
    expectCleanReport(run);
    expect(run.result.logs).toContain(`"event":"key-health-canary","keyId":"${key.id}","ok":true,"keyState":"Enabled","failed":[]`);
    // The PutMetricData reached the emulator: one data point of 1, dimension KeyId = the key's id.
    expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 1, max: 1 });
    const { Metrics = [] } = await cloudwatch.send(new ListMetricsCommand({
      Namespace: NAMESPACE,
      MetricName: CANARY_METRIC_NAME,
      Dimensions: [{ Name: CANARY_METRIC_DIMENSION, Value: key.id }],
    }));
    expect(Metrics.map((m) => m.Dimensions)).toEqual([[{ Name: CANARY_METRIC_DIMENSION, Value: key.id }]]);
  });

  test('a disabled key is reported, not thrown: key-enabled and the round trips fail, KeyHealthy = 0', async () => {
    const key = await createKey(kms);
    await kms.send(new DisableKeyCommand({ KeyId: key.id }));

    const run = await runCanary(aws, key);

    expect(run.result.functionError).toBeUndefined();
    expect(run.result.statusCode).toBe(200);
    expect(run.report).toMatchObject({ ok: false, metricPublished: true });
    expect(keyReport(run.report)).toMatchObject({ keyId: key.id, ok: false, keyState: 'Disabled' });
    expect(outcomes(run.report)).toEqual({
      'key-enabled': { ok: false, error: 'CheckFailed: key state is Disabled' },
      'envelope-round-trip': { ok: false, error: expect.stringMatching(/^DisabledException: .*is disabled/) },
      'direct-round-trip': { ok: false, error: expect.stringMatching(/^DisabledException: /) },
      'wrong-context-refused': { ok: false, error: expect.stringMatching(/^DisabledException: /) },
    });
    expectCleanReport(run);
    expect(run.result.logs).toContain(`"keyId":"${key.id}","ok":false,"keyState":"Disabled","failed":["key-enabled","envelope-round-trip","direct-round-trip","wrong-context-refused"]`);
    expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 0, max: 0 });
  });

  test('a key pending deletion is reported with KMSInvalidStateException, KeyHealthy = 0', async () => {
    const key = await createKey(kms);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.id, PendingWindowInDays: 7 }));

    const run = await runCanary(aws, key);

    expect(run.result.functionError).toBeUndefined();
    expect(run.report).toMatchObject({ ok: false, metricPublished: true });
    expect(keyReport(run.report)).toMatchObject({ keyState: 'PendingDeletion' });
    expect(outcomes(run.report)).toEqual({
      'key-enabled': { ok: false, error: 'CheckFailed: key state is PendingDeletion' },
      'envelope-round-trip': { ok: false, error: expect.stringMatching(/^KMSInvalidStateException: .*is pending deletion/) },
      'direct-round-trip': { ok: false, error: expect.stringMatching(/^KMSInvalidStateException: /) },
      'wrong-context-refused': { ok: false, error: expect.stringMatching(/^KMSInvalidStateException: /) },
    });
    expectCleanReport(run);
    expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 0, max: 0 });
  });

  describe('wrong-context-refused tests something real', () => {
    test('the emulator refuses Decrypt under another encryption context (InvalidCiphertextException)', async () => {
      const key = await createKey(kms);
      const contextA = { [CANARY_CONTEXT_KEY]: CANARY_CONTEXT_VALUE, [CANARY_RUN_CONTEXT_KEY]: 'run-a' };
      const contextB = { ...contextA, [CANARY_RUN_CONTEXT_KEY]: 'run-b' };
      const sample = Buffer.from('canary sample');
      const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: sample, EncryptionContext: contextA }));

      await expect(kms.send(new DecryptCommand({ KeyId: key.arn, CiphertextBlob, EncryptionContext: contextB })))
        .rejects.toMatchObject({ name: 'InvalidCiphertextException' });
      await expect(kms.send(new DecryptCommand({ KeyId: key.arn, CiphertextBlob })))
        .rejects.toMatchObject({ name: 'InvalidCiphertextException' });
      const right = await kms.send(new DecryptCommand({ KeyId: key.arn, CiphertextBlob, EncryptionContext: contextA }));
      expect(Buffer.from(right.Plaintext!)).toEqual(sample);
    });

    test('the check fails when a ciphertext does decrypt under the wrong context (KMS behind a context-ignoring proxy)', async () => {
      const proxy = await startContextIgnoringKms(aws.endpoint);
      try {
        const key = await createKey(kms);
        // AWS_ENDPOINT_URL_KMS wins over the executor's AWS_ENDPOINT_URL: only KMS goes through the proxy.
        const run = await runCanary(aws, key, { AWS_ENDPOINT_URL_KMS: proxy.url });

        expect(proxy.rewrittenDecrypts()).toBe(1);
        expect(run.report).toMatchObject({ ok: false, metricPublished: true });
        expect(outcomes(run.report)).toEqual({
          'key-enabled': { ok: true },
          'envelope-round-trip': { ok: true },
          'direct-round-trip': { ok: true },
          'wrong-context-refused': { ok: false, error: 'CheckFailed: a ciphertext decrypted under the wrong encryption context' },
        });
        expectCleanReport(run);
        expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 0, max: 0 });
      } finally {
        await proxy.close();
      }
    });
  });

  test.each([
    ['ECC_NIST_P256', 'SIGN_VERIFY', 'sign-verify'],
    ['ECC_NIST_P384', 'SIGN_VERIFY', 'sign-verify'],
    ['RSA_2048', 'SIGN_VERIFY', 'sign-verify'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', 'generate-verify-mac'],
    ['HMAC_512', 'GENERATE_VERIFY_MAC', 'generate-verify-mac'],
    ['RSA_2048', 'ENCRYPT_DECRYPT', 'asymmetric-round-trip'],
  ])('a %s %s key passes %s', async (spec, usage, checkName) => {
    const key = await createKey(kms, spec, usage);

    const run = await runCanary(aws, key);

    expect(run.report).toMatchObject({ ok: true, metricPublished: true });
    expect(keyReport(run.report)).toEqual({ keyId: key.id, ok: true, keySpec: spec, keyUsage: usage, keyState: 'Enabled' });
    expect(outcomes(run.report)).toEqual({ 'key-enabled': { ok: true }, [checkName]: { ok: true } });
    expectCleanReport(run);
    expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 1, max: 1 });
  });

  test('the leak scan finds a secret it is given, in hex or base64, whole or in part', () => {
    const secret = randomBytes(48);
    expect(secretsIn(`x ${secret.toString('hex').toUpperCase()} y`, [secret])).toEqual(['secret 0 (48 bytes) in hex']);
    expect(secretsIn(`"${secret.subarray(0, 30).toString('base64')}"`, [secret])).toEqual(['secret 0 (48 bytes) in base64']);
    expect(secretsIn('nothing here', [secret])).toEqual([]);
  });

  describe('data key pairs (GenerateDataKeyPair, Decrypt, then public-key encryption and signatures in Node.js)', () => {
    test.each(['RSA_2048', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1'])('a %s pair round trip passes, and no secret KMS returned is in the log or the answer', async (pairSpec) => {
      const proxy = await startRecordingKms(aws.endpoint);
      try {
        const key = { ...(await createKey(kms)), dataKeyPair: pairSpec };

        const run = await runCanary(aws, key, { AWS_ENDPOINT_URL_KMS: proxy.url });

        expect(run.report).toMatchObject({ ok: true, metricPublished: true });
        expect(keyReport(run.report)).toEqual({ keyId: key.id, ok: true, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', dataKeyPair: pairSpec, keyState: 'Enabled' });
        expect(outcomes(run.report)).toEqual({
          'key-enabled': { ok: true },
          'envelope-round-trip': { ok: true },
          'direct-round-trip': { ok: true },
          'wrong-context-refused': { ok: true },
          'data-key-pair': { ok: true },
        });
        // The pair came from KMS, and its private key was decrypted by KMS.
        const ops = proxy.operations();
        expect(ops.slice(ops.indexOf('TrentService.GenerateDataKeyPair'))).toEqual(['TrentService.GenerateDataKeyPair', 'TrentService.Decrypt']);
        expectCleanReport(run);
        expectNoSecretBytes(run, proxy.secrets());
        expect(proxy.secrets().some((s) => s.length > 100)).toBe(true); // the PKCS #8 private keys were recorded
      } finally {
        await proxy.close();
      }
    });

    test('the check fails when the public key is not the pair\'s (an answer swapped by a proxy)', async () => {
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
      const proxy = await startRecordingKms(aws.endpoint, (op, answer) => (op === 'TrentService.GenerateDataKeyPair' ? { ...answer, PublicKey: other.toString('base64') } : answer));
      try {
        const key = { ...(await createKey(kms)), dataKeyPair: 'ECC_NIST_P256' };

        const run = await runCanary(aws, key, { AWS_ENDPOINT_URL_KMS: proxy.url });

        expect(run.result.functionError).toBeUndefined();
        expect(outcomes(run.report)['data-key-pair']).toEqual({ ok: false, error: expect.any(String) });
        expect(run.report.ok).toBe(false);
        expectCleanReport(run);
        expectNoSecretBytes(run, proxy.secrets());
        expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 0, max: 0 });
      } finally {
        await proxy.close();
      }
    });

    test('the check fails when Decrypt returns another private key than GenerateDataKeyPair did', async () => {
      const proxy = await startRecordingKms(aws.endpoint, (op, answer) => {
        if (op !== 'TrentService.GenerateDataKeyPair') return answer;
        const copy = Buffer.from(answer.PrivateKeyPlaintext, 'base64');
        copy[copy.length - 1] = 255 - copy[copy.length - 1];
        return { ...answer, PrivateKeyPlaintext: copy.toString('base64') };
      });
      try {
        const key = { ...(await createKey(kms)), dataKeyPair: 'RSA_2048' };

        const run = await runCanary(aws, key, { AWS_ENDPOINT_URL_KMS: proxy.url });

        expect(outcomes(run.report)['data-key-pair']).toEqual({ ok: false, error: 'CheckFailed: Decrypt returned another private key' });
        expectCleanReport(run);
        expectNoSecretBytes(run, proxy.secrets());
      } finally {
        await proxy.close();
      }
    });
  });

  describe('key agreement (DeriveSharedSecret against local ECDH with GetPublicKey)', () => {
    test.each(['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'])('a %s key passes, and the shared secret is in neither the log nor the answer', async (spec) => {
      const proxy = await startRecordingKms(aws.endpoint);
      try {
        const key = await createKey(kms, spec, 'KEY_AGREEMENT');

        const run = await runCanary(aws, key, { AWS_ENDPOINT_URL_KMS: proxy.url });

        expect(run.report).toMatchObject({ ok: true, metricPublished: true });
        expect(keyReport(run.report)).toEqual({ keyId: key.id, ok: true, keySpec: spec, keyUsage: 'KEY_AGREEMENT', keyState: 'Enabled' });
        expect(outcomes(run.report)).toEqual({ 'key-enabled': { ok: true }, 'key-agreement': { ok: true } });
        expect(proxy.operations()).toEqual(['TrentService.DescribeKey', 'TrentService.GetPublicKey', 'TrentService.DeriveSharedSecret']);
        const [sharedSecret] = proxy.secrets();
        expect(sharedSecret.length).toBe({ ECC_NIST_P256: 32, ECC_NIST_P384: 48, ECC_NIST_P521: 66 }[spec]);
        expectCleanReport(run);
        expectNoSecretBytes(run, proxy.secrets());
        expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 1, max: 1 });
      } finally {
        await proxy.close();
      }
    });

    test('the check fails when KMS\'s shared secret differs from the local one (one byte changed by a proxy)', async () => {
      const proxy = await startRecordingKms(aws.endpoint, (op, answer) => {
        if (op !== 'TrentService.DeriveSharedSecret') return answer;
        const secret = Buffer.from(answer.SharedSecret, 'base64');
        secret[0] = 255 - secret[0];
        return { ...answer, SharedSecret: secret.toString('base64') };
      });
      try {
        const key = await createKey(kms, 'ECC_NIST_P256', 'KEY_AGREEMENT');

        const run = await runCanary(aws, key, { AWS_ENDPOINT_URL_KMS: proxy.url });

        expect(outcomes(run.report)).toEqual({
          'key-enabled': { ok: true },
          'key-agreement': { ok: false, error: 'CheckFailed: the shared secrets of KMS and of local ECDH differ' },
        });
        expectCleanReport(run);
        expectNoSecretBytes(run, proxy.secrets());
      } finally {
        await proxy.close();
      }
    });

    test('a disabled key-agreement key is reported with its state, not thrown', async () => {
      const key = await createKey(kms, 'ECC_NIST_P384', 'KEY_AGREEMENT');
      await kms.send(new DisableKeyCommand({ KeyId: key.id }));

      const run = await runCanary(aws, key);

      expect(run.result.functionError).toBeUndefined();
      expect(keyReport(run.report)).toMatchObject({ ok: false, keyState: 'Disabled' });
      expect(outcomes(run.report)).toEqual({
        'key-enabled': { ok: false, error: 'CheckFailed: key state is Disabled' },
        'key-agreement': { ok: false, error: expect.stringMatching(/^DisabledException: /) },
      });
      expectCleanReport(run);
      expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 0, max: 0 });
    });
  });

  test('imported key material: PendingImport is unhealthy with its state; imported, healthy; deleted, unhealthy again', async () => {
    const key = await createKey(kms, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', OriginType.EXTERNAL);
    const name = await deployCanary(aws, canaryEnv(key));
    const invoke = async () => {
      const result = await aws.invoke(name);
      return { result, report: reportOf(result) };
    };

    const pending = await invoke();
    expect(pending.result.functionError).toBeUndefined();
    expect(keyReport(pending.report)).toMatchObject({ keyId: key.id, ok: false, keyState: 'PendingImport' });
    expect(outcomes(pending.report)).toEqual({
      'key-enabled': { ok: false, error: 'CheckFailed: key state is PendingImport' },
      'envelope-round-trip': { ok: false, error: expect.stringMatching(/^KMSInvalidStateException: .*pending import/) },
      'direct-round-trip': { ok: false, error: expect.stringMatching(/^KMSInvalidStateException: /) },
      'wrong-context-refused': { ok: false, error: expect.stringMatching(/^KMSInvalidStateException: /) },
    });
    expect(pending.result.logs).toContain(`"keyId":"${key.id}","ok":false,"keyState":"PendingImport"`);
    expectCleanReport(pending);

    await importMaterial(kms, key.id);
    const imported = await invoke();
    expect(keyReport(imported.report)).toMatchObject({ ok: true, keyState: 'Enabled' });
    expectCleanReport(imported);

    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.id }));
    const deleted = await invoke();
    expect(keyReport(deleted.report)).toMatchObject({ ok: false, keyState: 'PendingImport' });
    expect(outcomes(deleted.report)['key-enabled']).toEqual({ ok: false, error: 'CheckFailed: key state is PendingImport' });
    expectCleanReport(deleted);

    // one data point per run: 0, 1, 0
    expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 3, min: 0, max: 1 });
  });

  test('one function probes several keys: a report, a log line and a KeyHealthy data point per key', async () => {
    const healthy = { ...(await createKey(kms)), dataKeyPair: 'ECC_NIST_P256' };
    const agreement = await createKey(kms, 'ECC_NIST_P256', 'KEY_AGREEMENT');
    const disabled = await createKey(kms);
    await kms.send(new DisableKeyCommand({ KeyId: disabled.id }));
    const mac = await createKey(kms, 'HMAC_256', 'GENERATE_VERIFY_MAC');
    const keys = [healthy, agreement, disabled, mac];

    const run = await runCanary(aws, keys);

    expect(run.result.functionError).toBeUndefined();
    expect(run.report).toMatchObject({ ok: false, metricPublished: true });
    // in the order of CANARY_KEYS, which groups keys of the same probes
    expect(run.report.keys.map((k) => [k.keyId, k.ok, k.keyState])).toEqual([
      [healthy.id, true, 'Enabled'],
      [agreement.id, true, 'Enabled'],
      [disabled.id, false, 'Disabled'],
      [mac.id, true, 'Enabled'],
    ].sort((a, b) => canaryOrder(keys, a[0] as string) - canaryOrder(keys, b[0] as string)));
    expect(outcomes(run.report, healthy.id)['data-key-pair']).toEqual({ ok: true });
    expect(outcomes(run.report, agreement.id)['key-agreement']).toEqual({ ok: true });
    expect(outcomes(run.report, mac.id)['generate-verify-mac']).toEqual({ ok: true });
    for (const key of keys) {
      const line = run.result.logs.split('\n').filter((l) => l.includes(`"keyId":"${key.id}"`));
      expect(line).toHaveLength(1);
    }
    expectCleanReport(run);
    expect(await healthMetric(cloudwatch, healthy.id)).toEqual({ samples: 1, min: 1, max: 1 });
    expect(await healthMetric(cloudwatch, agreement.id)).toEqual({ samples: 1, min: 1, max: 1 });
    expect(await healthMetric(cloudwatch, disabled.id)).toEqual({ samples: 1, min: 0, max: 0 });
    expect(await healthMetric(cloudwatch, mac.id)).toEqual({ samples: 1, min: 1, max: 1 });
  });

  test('a key that does not exist is reported as NotFoundException, not thrown', async () => {
    const missing: TestKey = {
      arn: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000',
      id: '00000000-0000-4000-8000-000000000000',
      spec: 'SYMMETRIC_DEFAULT',
      usage: 'ENCRYPT_DECRYPT',
    };

    const run = await runCanary(aws, missing);

    expect(run.report.ok).toBe(false);
    expect(keyReport(run.report)).not.toHaveProperty('keyState');
    for (const name of SYMMETRIC_CHECKS) {
      expect(outcomes(run.report)[name]).toEqual({ ok: false, error: expect.stringMatching(/^NotFoundException: /) });
    }
    expectCleanReport(run);
  });

  test('a usage the canary cannot exercise is reported as a failed supported-usage check', async () => {
    const key = { ...(await createKey(kms)), usage: 'A_FUTURE_USAGE' };

    const run = await runCanary(aws, key);

    expect(run.report.ok).toBe(false);
    expect(outcomes(run.report)).toEqual({
      'key-enabled': { ok: true },
      'supported-usage': { ok: false, error: 'the canary cannot exercise a A_FUTURE_USAGE key' },
    });
    expectCleanReport(run);
  });

  test('without CANARY_KEYS the canary throws "misconfigured" and publishes nothing', async () => {
    const key = await createKey(kms);
    const { [CanaryEnv.KEYS]: _omitted, ...environment } = canaryEnv(key);
    const name = await deployCanary(aws, environment);

    const result = await aws.invoke(name);

    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({
      errorType: 'Error',
      errorMessage: 'the canary is misconfigured: CANARY_KEYS must be a JSON array of {spec, usage, keyIds}. Received: nothing',
    });
    expectNothingSecretIn(result);
    expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 0 });
  });
});

// ---------------------------------------------------------------------------
// With IAM enforced: a canary whose role may only publish its metric. This proves how the canary
// reports a denial, not who may do what: moto evaluates identity policies only (no key policies,
// every resource as `*`); permissions are the policy-behaviour tests' job (test/policy).
// ---------------------------------------------------------------------------
describe('the bundled key-health canary without KMS permissions (IAM enforced)', () => {
  let aws: LocalAws;
  let admin: Credentials;
  let key: TestKey;
  let functionName: string;
  let roleName: string;

  beforeAll(async () => {
    // A separate emulator: IAM enforcement is global to a moto server and cannot be switched off
    // again by requests that it then refuses. Functions run with their execution role's
    // credentials, as on Lambda (launcher --lambda-role-credentials).
    aws = await startLocalAws({ lambdaRoleCredentials: true });
    const kms = new KMSClient(aws.clientConfig);
    const iam = new IAMClient(aws.clientConfig);
    const lambda = new LambdaClient(aws.clientConfig);
    try {
      key = await createKey(kms);
      functionName = await deployCanary(aws, canaryEnv(key));
      const { Role } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      roleName = Role!.split('/').pop()!;
      // The role may publish the health metric and nothing else. moto 5.2.1 names CloudWatch
      // actions by the SigV4 signing name ("monitoring:"), AWS by the IAM prefix ("cloudwatch:").
      await iam.send(new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'metric-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['cloudwatch:PutMetricData', 'monitoring:PutMetricData'], Resource: '*' }],
        }),
      }));
      // The test's own identity once IAM is enforced (the launcher's dummy keys belong to no user).
      await iam.send(new CreateUserCommand({ UserName: 'canary-test-admin' }));
      await iam.send(new PutUserPolicyCommand({
        UserName: 'canary-test-admin',
        PolicyName: 'everything',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'canary-test-admin' }));
      admin = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    } finally {
      kms.destroy();
      iam.destroy();
      lambda.destroy();
    }
    // moto's switch (server mode): from now on every request is authenticated and checked against
    // the caller's identity policies. Deterministic, unlike counting INITIAL_NO_AUTH_ACTION_COUNT.
    const response = await fetch(`${aws.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    expect(response.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await aws?.stop();
  });

  const asAdmin = () => ({ ...aws.clientConfig, credentials: admin, maxAttempts: 1 });

  /** aws.invoke, but signed by the admin user (the launcher's dummy credentials are refused now). */
  const invokeAsAdmin = (name: string): Promise<InvokeResult> => aws.invoke(name, {}, admin);

  test('IAM is really enforced: unknown credentials are refused, the admin user is let through', async () => {
    const dummy = new KMSClient({ ...aws.clientConfig, maxAttempts: 1 });
    const kms = new KMSClient(asAdmin());
    try {
      await expect(dummy.send(new DescribeKeyCommand({ KeyId: key.arn }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: key.arn }));
      expect(KeyMetadata?.KeyState).toBe('Enabled');
    } finally {
      dummy.destroy();
      kms.destroy();
    }
  });

  test('every KMS call is denied: reported as AccessDeniedException, not thrown, and KeyHealthy = 0 still goes out', async () => {
    const result = await invokeAsAdmin(functionName);
    const run = { result, report: reportOf(result) };

    expect(result.functionError).toBeUndefined();
    expect(run.report).toMatchObject({ ok: false, metricPublished: true });
    expect(keyReport(run.report)).toEqual({ keyId: key.id, ok: false, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' });
    // Denied as the function's role (temporary credentials), not as a user or the dummy keys.
    const denied = (action: string) => ({
      ok: false,
      error: expect.stringMatching(new RegExp(`^AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/${roleName}/${functionName} is not authorized to perform: kms:${action}`)),
    });
    expect(outcomes(run.report)).toEqual({
      'key-enabled': denied('DescribeKey'),
      'envelope-round-trip': denied('GenerateDataKey'),
      'direct-round-trip': denied('Encrypt'),
      'wrong-context-refused': denied('Encrypt'),
    });
    expectCleanReport(run);

    const cloudwatch = new CloudWatchClient(asAdmin());
    try {
      expect(await healthMetric(cloudwatch, key.id)).toEqual({ samples: 1, min: 0, max: 0 });
    } finally {
      cloudwatch.destroy();
    }
  });
});
