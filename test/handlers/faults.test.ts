/**
 * Fault injection: the two bundled custom-resource handlers (assets/*.lambda/index.js) against the
 * local AWS, with AWS endpoints that never answer, refuse or throttle, response URLs that fail or
 * never answer, and malformed events. Every test asserts that CloudFormation got exactly one
 * answer (one response body, however often its delivery was retried), what the resource came to,
 * and that the handler returned before its own Lambda timeout: the deadline comes from a
 * Lambda-like `context` (`getRemainingTimeInMillis`), kept short here, and each test's jest
 * timeout is that deadline plus 10 s. One test runs the bundle in the local Lambda executor, whose
 * timeout is real.
 *
 * Every plaintext used here feeds the leak scan at the end: none may appear in a response, a log
 * line or a failure reason.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EC2Client, EnableEbsEncryptionByDefaultCommand, GetEbsDefaultKmsKeyIdCommand, GetEbsEncryptionByDefaultCommand, ModifyEbsDefaultKmsKeyIdCommand } from '@aws-sdk/client-ec2';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { EBS_RESOURCE_TYPE, ebsPhysicalResourceId, toProperties } from '../../src/private/contracts/ebs-default-encryption.contract';
import { SECURE_STRING_RESOURCE_TYPE, SecureStringResourceProperties } from '../../src/private/contracts/encrypted-secure-string-param.contract';
import {
  CfnResponse,
  customResourceEvent,
  FaultyEndpoint,
  LocalAws,
  refusingEndpoint,
  ResponseRecorder,
  silentEndpoint,
  startLocalAws,
  THROTTLING,
  throttlingProxy,
} from '../support';

const ASSETS = path.join(__dirname, '..', '..', 'assets');
const SECURE_STRING = path.join(ASSETS, 'encrypted-secure-string-param.lambda', 'index.js');
const EBS = path.join(ASSETS, 'ebs-default-encryption.lambda', 'index.js');
const EBS_ID = ebsPhysicalResourceId('us-east-1');
/** The Lambda timeout the tests pretend to have: short, so that a hang shows in seconds. */
const SHORT_MS = 4_000;

type Context = { getRemainingTimeInMillis(): number };
type Handler = (event: CloudFormationCustomResourceEvent, context?: Context) => Promise<void>;

let aws: LocalAws;
let kms: KMSClient;
let ssm: SSMClient;
let ec2: EC2Client;
let recorder: ResponseRecorder;
let keyArn: string;
const savedEnv = { ...process.env };
const endpoints: FaultyEndpoint[] = [];

/** Every plaintext a test used; none may leak. */
const plaintexts = new Set<string>();
/** Everything the handlers said: response bodies (each attempt) and console output. */
const transcript: string[] = [];
let console$: jest.SpyInstance[] = [];

beforeAll(async () => {
  for (const bundle of [SECURE_STRING, EBS]) expect(fs.existsSync(bundle)).toBe(true); // run `npx projen bundle` first
  aws = await startLocalAws();
  kms = new KMSClient(aws.clientConfig);
  ssm = new SSMClient(aws.clientConfig);
  ec2 = new EC2Client(aws.clientConfig);
  // The handlers create their SDK clients from the environment, as on Lambda.
  Object.assign(process.env, aws.env);
  recorder = await ResponseRecorder.start();
  keyArn = (await kms.send(new CreateKeyCommand({ Description: 'fault tests' }))).KeyMetadata!.Arn!;
}, 180_000);

afterAll(async () => {
  for (const endpoint of endpoints) await endpoint.close();
  kms?.destroy();
  ssm?.destroy();
  ec2?.destroy();
  await recorder?.close();
  await aws?.stop();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

beforeEach(() => {
  console$ = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined));
});

afterEach(() => {
  for (const spy of console$) {
    transcript.push(...spy.mock.calls.map((args) => args.map((a: unknown) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')));
    spy.mockRestore();
  }
});

// ------------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------------

/** A context whose Lambda timeout is `ms` from now. */
function contextOf(ms: number): Context {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
}

/**
 * A fresh copy of a bundle (its SDK clients are created when it loads) that runs with `env` set,
 * such as `AWS_ENDPOINT_URL_SSM` pointing at a faulty endpoint: the SDK reads the endpoint when it
 * sends, so the variables stay set for the invocation.
 */
function load(bundle: string, env: Record<string, string> = {}): Handler {
  let loaded: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(bundle).handler;
  });
  return async (event, context) => {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      await loaded!(event, context);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };
}

interface Run {
  /** The one answer (the body of every delivery attempt, which must all be the same). */
  readonly body: CfnResponse;
  readonly attempts: number;
  readonly delivered: number;
  readonly elapsedMs: number;
}

/**
 * Invoke a handler with a Lambda timeout of `ms`, and check what every test needs: it returned
 * before that timeout, and every PUT to the ResponseURL carried one and the same answer.
 */
async function invoke(handler: Handler, event: CloudFormationCustomResourceEvent, ms = SHORT_MS): Promise<Run> {
  const started = Date.now();
  await handler(event, contextOf(ms));
  const elapsedMs = Date.now() - started;
  expect(elapsedMs).toBeLessThan(ms);
  const attempts = recorder.attemptsTo(event);
  transcript.push(...attempts.map((a) => a.raw));
  expect(attempts.length).toBeGreaterThan(0);
  expect(new Set(attempts.map((a) => a.raw)).size).toBe(1);
  return { body: attempts[0].body, attempts: attempts.length, delivered: recorder.responsesTo(event).length, elapsedMs };
}

function secureStringEvent(requestType: 'Create' | 'Update' | 'Delete', props: Partial<SecureStringResourceProperties>, extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  const name = props.ParameterName ?? `/fault-test/${randomUUID()}`;
  return {
    ...customResourceEvent(requestType, {
      recorder,
      resourceType: SECURE_STRING_RESOURCE_TYPE,
      logicalResourceId: 'Param',
      physicalResourceId: name,
      properties: {
        ParameterName: name,
        KeyArn: keyArn,
        Tier: 'Standard',
        RemovalPolicy: 'retain',
        ValueSource: { Kind: 'generated', Length: '32', ExcludeCharacters: '', ExcludePunctuation: 'false' },
        ...props,
      },
      oldProperties: requestType === 'Update' ? { ParameterName: name, KeyArn: keyArn } : undefined,
    }),
    ...extra,
  } as CloudFormationCustomResourceEvent;
}

function ebsEvent(requestType: 'Create' | 'Update' | 'Delete', kmsKeyArn: string, extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  return {
    ...customResourceEvent(requestType, {
      recorder,
      resourceType: EBS_RESOURCE_TYPE,
      logicalResourceId: 'EbsDefault',
      physicalResourceId: EBS_ID,
      properties: toProperties({ kmsKeyArn, disableOnDelete: false }),
    }),
    ...extra,
  } as CloudFormationCustomResourceEvent;
}

/** What the handler wrote to console.error in this test, parsed. */
function errorLines(): any[] {
  return console$[3].mock.calls.map((args) => JSON.parse(String(args[0])));
}

async function parameterExists(name: string): Promise<boolean> {
  const out = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [name] }] }));
  return (out.Parameters ?? []).length > 0;
}

async function valueOf(name: string): Promise<string> {
  const value = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!.Value!;
  plaintexts.add(value);
  return value;
}

async function ebsState(): Promise<{ encrypted: boolean | undefined; keyId: string | undefined }> {
  const [{ EbsEncryptionByDefault }, { KmsKeyId }] = await Promise.all([
    ec2.send(new GetEbsEncryptionByDefaultCommand({})),
    ec2.send(new GetEbsDefaultKmsKeyIdCommand({})),
  ]);
  return { encrypted: EbsEncryptionByDefault, keyId: KmsKeyId };
}

/** A known EBS setting to compare against: encryption on, `key` the default key. */
async function ebsSetTo(key: string): Promise<void> {
  await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
  await ec2.send(new ModifyEbsDefaultKmsKeyIdCommand({ KmsKeyId: key }));
}

async function newKey(): Promise<string> {
  return (await kms.send(new CreateKeyCommand({ Description: 'fault tests' }))).KeyMetadata!.Arn!;
}

async function ciphertextOf(plaintext: string): Promise<string> {
  plaintexts.add(plaintext);
  const out = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from(plaintext) }));
  return Buffer.from(out.CiphertextBlob!).toString('base64');
}

async function track<T extends FaultyEndpoint>(endpoint: Promise<T>): Promise<T> {
  const e = await endpoint;
  endpoints.push(e);
  return e;
}

const deadlinePlus10s = SHORT_MS + 10_000;

// ------------------------------------------------------------------------------------------------
// AWS endpoints
// ------------------------------------------------------------------------------------------------

describe('an AWS endpoint that never answers', () => {
  test('SecureString Create: FAILED before the Lambda timeout, no parameter, and the decrypted value nowhere', async () => {
    // GIVEN KMS works (the value is decrypted) and SSM accepts connections but never answers
    const silent = await track(silentEndpoint());
    const handler = load(SECURE_STRING, { AWS_ENDPOINT_URL_SSM: silent.url });
    const ciphertext = await ciphertextOf('fault-plain-5e1d2c3b-hanging-ssm');
    const event = secureStringEvent('Create', { ValueSource: { Kind: 'ciphertext', Ciphertext: ciphertext, KeyArn: keyArn } });

    // WHEN
    const run = await invoke(handler, event);

    // THEN one FAILED answer, delivered once, from the deadline guard
    expect(run).toMatchObject({ attempts: 1, delivered: 1 });
    expect(run.body.Status).toBe('FAILED');
    expect(run.body.Reason).toMatch(/^Create ran out of time and was stopped before the Lambda timeout/);
    expect(run.body.PhysicalResourceId).toMatch(/^kms-governance:not-created:/);
    expect(silent.received()).toBeGreaterThan(0);
    expect(await parameterExists(event.ResourceProperties.ParameterName)).toBe(false);
  }, deadlinePlus10s);

  test('EBS Update: FAILED with the physical id it was given, the setting unchanged', async () => {
    const before = await newKey();
    await ebsSetTo(before);
    const silent = await track(silentEndpoint());
    const handler = load(EBS, { AWS_ENDPOINT_URL_EC2: silent.url });

    const run = await invoke(handler, ebsEvent('Update', await newKey()));

    expect(run).toMatchObject({ attempts: 1, delivered: 1 });
    expect(run.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: EBS_ID });
    expect(run.body.Reason).toMatch(/^Update ran out of time/);
    expect(await ebsState()).toEqual({ encrypted: true, keyId: before });
  }, deadlinePlus10s);

  test('with a longer deadline the SDK gives up by itself: 3 attempts of at most 10 s, then FAILED with the timeout', async () => {
    // A Lambda timeout of 45 s: the guard would answer at about 34 s; the SDK's own request
    // timeout (10 s per attempt, 3 attempts) must fail the call before that.
    const silent = await track(silentEndpoint());
    const handler = load(EBS, { AWS_ENDPOINT_URL_EC2: silent.url });
    const run = await invoke(handler, ebsEvent('Create', keyArn), 45_000);
    expect(run.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: EBS_ID });
    expect(run.body.Reason).toMatch(/^Create of the EBS default encryption failed: TimeoutError: /);
    expect(silent.received()).toBe(3);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(29_000);
    expect(run.elapsedMs).toBeLessThan(33_000);
  }, 45_000 + 10_000);

  test('in the local Lambda executor: answered before the real 6 s timeout, and the invocation did not time out', async () => {
    // GIVEN the bundle deployed with a 6 s timeout, its SSM endpoint silent (the executor's
    // context counts down for real)
    const silent = await track(silentEndpoint());
    const fn = await aws.deployNodeFunction({
      name: `fault-secure-string-${randomUUID().slice(0, 8)}`,
      dir: path.dirname(SECURE_STRING),
      timeout: 6,
      environment: { AWS_ENDPOINT_URL_SSM: silent.url },
    });
    const event = secureStringEvent('Create', {});

    // WHEN CloudFormation invokes it
    const started = Date.now();
    const result = await aws.invoke(fn.functionName, event);
    transcript.push(result.logs, result.rawPayload);

    // THEN the handler returned in time, with exactly one FAILED answer
    expect(result.functionError).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(6_000 + 3_000); // the invocation's own overhead included
    const attempts = recorder.attemptsTo(event);
    transcript.push(...attempts.map((a) => a.raw));
    expect(attempts).toHaveLength(1);
    expect(attempts[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(/^kms-governance:not-created:/) });
    expect(attempts[0].body.Reason).toMatch(/^Create ran out of time/);
    expect(await parameterExists(event.ResourceProperties.ParameterName)).toBe(false);
  }, 6_000 + 10_000);
});

describe('an AWS endpoint that refuses connections', () => {
  test('SecureString Create: FAILED with the network error after bounded retries, no parameter', async () => {
    const handler = load(SECURE_STRING, { AWS_ENDPOINT_URL_SSM: await refusingEndpoint() });
    const event = secureStringEvent('Create', {});
    const run = await invoke(handler, event);
    expect(run).toMatchObject({ attempts: 1, delivered: 1 });
    expect(run.body.Status).toBe('FAILED');
    expect(run.body.Reason).toMatch(/ECONNREFUSED/);
    expect(await parameterExists(event.ResourceProperties.ParameterName)).toBe(false);
  }, deadlinePlus10s);

  test('EBS Create: FAILED with the network error, the setting unchanged', async () => {
    const before = await newKey();
    await ebsSetTo(before);
    const handler = load(EBS, { AWS_ENDPOINT_URL_EC2: await refusingEndpoint() });
    const run = await invoke(handler, ebsEvent('Create', await newKey()));
    expect(run.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: EBS_ID });
    expect(run.body.Reason).toMatch(/^Create of the EBS default encryption failed: .*ECONNREFUSED/);
    expect(await ebsState()).toEqual({ encrypted: true, keyId: before });
  }, deadlinePlus10s);
});

describe('a throttled AWS call', () => {
  test('SecureString: SSM throttles twice, the SDK backs off and retries, the parameter is written', async () => {
    const proxy = await track(throttlingProxy(aws.endpoint, 2, THROTTLING.json));
    const handler = load(SECURE_STRING, { AWS_ENDPOINT_URL_SSM: proxy.url });
    const event = secureStringEvent('Create', {});
    const run = await invoke(handler, event, 15_000);
    expect(run).toMatchObject({ attempts: 1, delivered: 1 });
    expect(run.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: event.ResourceProperties.ParameterName });
    expect(proxy.throttled()).toEqual(['AmazonSSM.PutParameter', 'AmazonSSM.PutParameter']);
    expect(proxy.forwarded()).toEqual(['AmazonSSM.PutParameter']);
    expect(await valueOf(event.ResourceProperties.ParameterName)).toHaveLength(32);
  }, 15_000 + 10_000);

  test('EBS: EC2 answers RequestLimitExceeded twice, then the setting is made', async () => {
    const proxy = await track(throttlingProxy(aws.endpoint, 2, THROTTLING.ec2));
    const handler = load(EBS, { AWS_ENDPOINT_URL_EC2: proxy.url });
    const key = await newKey();
    const run = await invoke(handler, ebsEvent('Create', key), 15_000);
    expect(run.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: EBS_ID, Data: { KmsKeyId: key } });
    expect(proxy.throttled()).toEqual(['EnableEbsEncryptionByDefault', 'EnableEbsEncryptionByDefault']);
    expect(await ebsState()).toEqual({ encrypted: true, keyId: key });
  }, 15_000 + 10_000);

  test('retries are bounded: a call throttled every time is tried 3 times, then FAILED with ThrottlingException', async () => {
    const proxy = await track(throttlingProxy(aws.endpoint, 1_000, THROTTLING.json));
    const handler = load(SECURE_STRING, { AWS_ENDPOINT_URL_SSM: proxy.url });
    const event = secureStringEvent('Create', {});
    const run = await invoke(handler, event, 15_000);
    expect(run.body.Status).toBe('FAILED');
    expect(run.body.Reason).toMatch(/ThrottlingException/);
    expect(proxy.throttled()).toEqual(['AmazonSSM.PutParameter', 'AmazonSSM.PutParameter', 'AmazonSSM.PutParameter']);
    expect(await parameterExists(event.ResourceProperties.ParameterName)).toBe(false);
  }, 15_000 + 10_000);
});

// ------------------------------------------------------------------------------------------------
// The response URL
// ------------------------------------------------------------------------------------------------

describe('the response URL', () => {
  test('answers 500, then 200: the same answer is sent again and delivered once', async () => {
    const handler = load(SECURE_STRING);
    const event = secureStringEvent('Create', {});
    recorder.plan(event, [500]);
    const run = await invoke(handler, event);
    expect(run).toMatchObject({ attempts: 2, delivered: 1 });
    expect(run.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: event.ResourceProperties.ParameterName });
    expect(recorder.attemptsTo(event).map((a) => a.answer)).toEqual([500, 200]);
    expect(await valueOf(event.ResourceProperties.ParameterName)).toHaveLength(32);
  }, deadlinePlus10s);

  test('answers 503 three times, then 200 (EBS): delivered on the fourth attempt', async () => {
    const handler = load(EBS);
    const key = await newKey();
    const event = ebsEvent('Create', key);
    recorder.plan(event, [503, 503, 503]);
    const run = await invoke(handler, event, 10_000);
    expect(run).toMatchObject({ attempts: 4, delivered: 1 });
    expect(run.body).toMatchObject({ Status: 'SUCCESS', Data: { KmsKeyId: key } });
  }, 10_000 + 10_000);

  test('a 403 (an expired pre-signed URL) is not retried: logged as not delivered', async () => {
    const handler = load(EBS);
    const event = ebsEvent('Update', keyArn);
    recorder.plan(event, [403]);
    const run = await invoke(handler, event);
    expect(run).toMatchObject({ attempts: 1, delivered: 0 });
    expect(errorLines()).toEqual([{ event: 'cloudformation-response', delivered: false, attempts: 1, problem: 'HTTP 403' }]);
  }, deadlinePlus10s);

  test('never answers: retried until the deadline, then logged, and the handler still returns in time', async () => {
    const handler = load(SECURE_STRING);
    const event = secureStringEvent('Create', {});
    recorder.plan(event, Array(20).fill('hang'));
    const run = await invoke(handler, event);
    expect(run.delivered).toBe(0);
    expect(run.attempts).toBeGreaterThanOrEqual(1);
    expect(run.body).toMatchObject({ Status: 'SUCCESS' });
    expect(errorLines()).toEqual([{ event: 'cloudformation-response', delivered: false, attempts: run.attempts, problem: expect.stringMatching(/^no answer within \d+ ms$/) }]);
    // the work itself was done: a retried event (or the next deployment) adopts the parameter
    expect(await parameterExists(event.ResourceProperties.ParameterName)).toBe(true);
  }, deadlinePlus10s);

  test('refuses connections: retried with backoff until the deadline, never thrown', async () => {
    const handler = load(EBS);
    const event = ebsEvent('Update', keyArn, { ResponseURL: `${await refusingEndpoint()}/cfn-response/x?X-Amz-Signature=test` });
    const started = Date.now();
    await expect(handler(event, contextOf(SHORT_MS))).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(SHORT_MS);
    const logged = errorLines();
    expect(logged).toEqual([{ event: 'cloudformation-response', delivered: false, attempts: expect.any(Number), problem: 'ECONNREFUSED' }]);
    expect(logged[0].attempts).toBeGreaterThan(2);
  }, deadlinePlus10s);
});

// ------------------------------------------------------------------------------------------------
// Malformed events
// ------------------------------------------------------------------------------------------------

describe('malformed events: FAILED, exactly one answer, nothing changed', () => {
  test.each(['Create', 'Update', 'Delete'] as const)('SecureString %s without StackId', async (type) => {
    const handler = load(SECURE_STRING);
    const event = secureStringEvent(type, { RemovalPolicy: 'destroy' }, { StackId: undefined });
    const run = await invoke(handler, event);
    expect(run).toMatchObject({ attempts: 1, delivered: 1 });
    expect(run.body.Status).toBe('FAILED');
    expect(run.body.Reason).toBe(`${type}: the event has no valid StackId (a CloudFormation stack ARN); nothing was changed`);
    expect(await parameterExists(event.ResourceProperties.ParameterName)).toBe(false);
  }, deadlinePlus10s);

  test('SecureString Delete without StackId leaves an existing parameter in place', async () => {
    const handler = load(SECURE_STRING);
    const create = secureStringEvent('Create', { RemovalPolicy: 'destroy' });
    expect((await invoke(handler, create)).body.Status).toBe('SUCCESS');
    const name = create.ResourceProperties.ParameterName;
    const run = await invoke(handler, secureStringEvent('Delete', { ParameterName: name, RemovalPolicy: 'destroy' }, { StackId: 'not-a-stack' }));
    expect(run.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: name });
    expect(await parameterExists(name)).toBe(true);
  }, deadlinePlus10s);

  test('EBS Create without StackId: the setting unchanged', async () => {
    const before = await newKey();
    await ebsSetTo(before);
    const run = await invoke(load(EBS), ebsEvent('Create', await newKey(), { StackId: undefined }));
    expect(run.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: EBS_ID });
    expect(await ebsState()).toEqual({ encrypted: true, keyId: before });
  }, deadlinePlus10s);

  test('SecureString Create without properties, or with one missing: FAILED naming it, no parameter', async () => {
    const handler = load(SECURE_STRING);
    const none = secureStringEvent('Create', {}, { ResourceProperties: undefined });
    expect((await invoke(handler, none)).body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: expect.stringMatching(/^kms-governance:not-created:/),
      Reason: 'Create: the event has no valid ResourceProperties; nothing was changed',
    });
    const noKey = secureStringEvent('Create', { KeyArn: undefined });
    expect((await invoke(handler, noKey)).body).toMatchObject({ Status: 'FAILED', Reason: 'KeyArn is required' });
    expect(await parameterExists(noKey.ResourceProperties.ParameterName)).toBe(false);
  }, deadlinePlus10s);

  test('EBS Update without properties: FAILED with its physical id, the setting unchanged', async () => {
    const before = await newKey();
    await ebsSetTo(before);
    const run = await invoke(load(EBS), ebsEvent('Update', keyArn, { ResourceProperties: undefined }));
    expect(run.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: EBS_ID });
    expect(run.body.Reason).toBe('Update of the EBS default encryption failed: InvalidResourceProperties: Update: the event has no valid ResourceProperties; nothing was changed');
    expect(await ebsState()).toEqual({ encrypted: true, keyId: before });
  }, deadlinePlus10s);

  test('a bogus RequestType (SecureString): FAILED with the physical id given, the parameter untouched', async () => {
    const handler = load(SECURE_STRING);
    const create = secureStringEvent('Create', { RemovalPolicy: 'destroy' });
    await invoke(handler, create);
    const name = create.ResourceProperties.ParameterName;
    const value = await valueOf(name);
    const run = await invoke(handler, secureStringEvent('Delete', { ParameterName: name, RemovalPolicy: 'destroy' }, { RequestType: 'Purge' }));
    expect(run.body).toEqual(expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: name, Reason: 'unknown request type "Purge"; nothing was changed' }));
    expect(await valueOf(name)).toBe(value);
  }, deadlinePlus10s);

  test('a bogus RequestType (EBS): FAILED with the physical id given, the account setting untouched', async () => {
    const before = await newKey();
    await ebsSetTo(before);
    const run = await invoke(load(EBS), ebsEvent('Update', await newKey(), { RequestType: 'Upsert' }));
    expect(run.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: EBS_ID });
    expect(run.body.Reason).toBe('Upsert of the EBS default encryption failed: HandlerError: unknown request type "Upsert"; nothing was changed');
    expect(await ebsState()).toEqual({ encrypted: true, keyId: before });
  }, deadlinePlus10s);

  test.each([['SecureString', SECURE_STRING, 'encrypted-secure-string-param'], ['EBS', EBS, 'ebs-default-encryption']])(
    'a bogus RequestType without a physical id (%s): a stable one from the request id',
    async (_name, bundle, resource) => {
      const event = secureStringEvent('Create', {}, { RequestType: 'Bogus' });
      const run = await invoke(load(bundle), event);
      expect(run.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `${resource}:unknown:${event.RequestId}` });
    },
    deadlinePlus10s,
  );
});

// ------------------------------------------------------------------------------------------------
// Leaks
// ------------------------------------------------------------------------------------------------

describe('no plaintext leaves the handlers', () => {
  test('no plaintext appears in any response, log line or failure reason of the fault tests', () => {
    expect(plaintexts.size).toBeGreaterThan(3);
    expect(transcript.length).toBeGreaterThan(30);
    const hits: string[] = [];
    for (const plaintext of plaintexts) {
      for (const form of new Set([plaintext, JSON.stringify(plaintext).slice(1, -1)])) {
        for (const text of transcript) if (text.includes(form)) hits.push(`${form.slice(0, 12)}… in ${text.slice(0, 80)}`);
      }
    }
    expect(hits).toEqual([]);
  });
});
