/**
 * The bundled EncryptedSecureStringParam handler (assets/encrypted-secure-string-param.lambda/index.js, built
 * by `npx projen bundle`) against the local moto: real KMS decryption, real Secrets Manager reads and
 * real PutParameter calls, with the CloudFormation response captured by a local HTTP server.
 *
 * moto's SSM keeps the KeyId of a SecureString (DescribeParameters shows it) and GetParameter
 * WithDecryption returns the value, but it does not really encrypt under the key, and it accepts a
 * KeyId that does not exist. So these tests prove which key the handler asks for, not that AWS KMS
 * encrypted with it; key permissions are proven by the policy tests.
 *
 * moto sends custom resources Create events only, so every event here (Create, Update, Delete) is
 * built by the test and given to the handler directly.
 *
 * Every test also feeds the leak check at the end: no plaintext used here may appear in a response
 * body, a log line or an error message.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  ParameterMetadata,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  OWNER_TAG_KEY,
  SECURE_STRING_RESOURCE_TYPE,
  SecureStringResourceProperties,
  ValueSource,
} from '../../src/private/contracts/encrypted-secure-string-param.contract';
import { CfnResponse, LocalAws, ResponseRecorder, startLocalAws, TEST_SERVICE_TOKEN } from '../support';

const BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'encrypted-secure-string-param.lambda');
const BUNDLE = path.join(BUNDLE_DIR, 'index.js');
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/SecureStringHandlerTest/0f6c1f40-0000-4000-8000-000000000001';
const SERVICE_TOKEN = TEST_SERVICE_TOKEN;

type Handler = (event: CloudFormationCustomResourceEvent) => Promise<void>;


let aws: LocalAws;
let kms: KMSClient;
let ssm: SSMClient;
let secrets: SecretsManagerClient;
let recorder: ResponseRecorder;
let handler: Handler;
let keyA: string;
let keyB: string;
const savedEnv = { ...process.env };

/** Every plaintext a test used or read back; none may leak. */
const plaintexts = new Set<string>();
/** Everything the handler said: response bodies, console output, stdout and stderr. */
const transcript: string[] = [];
let spies: jest.SpyInstance[] = [];

beforeAll(async () => {
  expect(fs.existsSync(BUNDLE)).toBe(true); // run `npx projen bundle` first
  aws = await startLocalAws();
  kms = new KMSClient(aws.clientConfig);
  ssm = new SSMClient(aws.clientConfig);
  secrets = new SecretsManagerClient(aws.clientConfig);
  // The handler creates its SDK clients when its module loads, from the environment, as on
  // Lambda: point the environment at moto first (endpoint, Region, dummy credentials).
  Object.assign(process.env, aws.env);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require(BUNDLE).handler;

  recorder = await ResponseRecorder.start();

  keyA = (await kms.send(new CreateKeyCommand({ Description: 'parameter key A' }))).KeyMetadata!.Arn!;
  keyB = (await kms.send(new CreateKeyCommand({ Description: 'parameter key B' }))).KeyMetadata!.Arn!;
}, 180_000);

afterAll(async () => {
  kms?.destroy();
  ssm?.destroy();
  secrets?.destroy();
  await recorder?.close();
  await aws?.stop();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

beforeEach(() => {
  // Record, and keep the test output quiet; stdout/stderr pass through (jest reports on them).
  spies = [
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined)),
    jest.spyOn(process.stdout, 'write'),
    jest.spyOn(process.stderr, 'write'),
  ];
});

afterEach(() => {
  for (const spy of spies) {
    transcript.push(...spy.mock.calls.map((args) => args.map((a: unknown) => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' ')));
    spy.mockRestore();
  }
});

// ------------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------------

function properties(name: string, source: ValueSource, extra: Partial<SecureStringResourceProperties> = {}): Record<string, unknown> {
  const props: SecureStringResourceProperties = { ParameterName: name, KeyArn: keyA, Tier: 'Standard', RemovalPolicy: 'retain', ValueSource: source, ...extra };
  // CloudFormation adds the service token and drops absent properties.
  return JSON.parse(JSON.stringify({ ServiceToken: SERVICE_TOKEN, ...props }));
}

function generated(length = 32, excludeCharacters = '', excludePunctuation = false): ValueSource {
  return { Kind: 'generated', Length: String(length), ExcludeCharacters: excludeCharacters, ExcludePunctuation: String(excludePunctuation) };
}

function baseEvent(logicalId: string) {
  const requestId = randomUUID();
  return {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: recorder.responseUrl(requestId),
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: logicalId,
    ResourceType: SECURE_STRING_RESOURCE_TYPE,
  };
}

/** Run the bundled handler on one event and return the response CloudFormation got. */
async function run(event: CloudFormationCustomResourceEvent): Promise<CfnResponse> {
  await handler(event);
  const got = recorder.responseTo(event);
  transcript.push(got.raw);
  return got.body;
}

function create(props: Record<string, unknown>, logicalId = 'Param'): Promise<CfnResponse> {
  return run({ ...baseEvent(logicalId), RequestType: 'Create', ResourceProperties: props as any });
}

function update(physicalId: string, props: Record<string, unknown>, oldProps: Record<string, unknown>, logicalId = 'Param'): Promise<CfnResponse> {
  return run({ ...baseEvent(logicalId), RequestType: 'Update', PhysicalResourceId: physicalId, ResourceProperties: props as any, OldResourceProperties: oldProps as any });
}

function remove(physicalId: string, props: Record<string, unknown>, logicalId = 'Param'): Promise<CfnResponse> {
  return run({ ...baseEvent(logicalId), RequestType: 'Delete', PhysicalResourceId: physicalId, ResourceProperties: props as any });
}

/** The decrypted value in SSM, remembered as a plaintext that must not leak. */
async function valueOf(name: string): Promise<string> {
  const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const value = out.Parameter!.Value!;
  plaintexts.add(value);
  return value;
}

async function metadataOf(name: string): Promise<ParameterMetadata | undefined> {
  const out = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [name] }] }));
  return out.Parameters?.[0];
}

async function exists(name: string): Promise<boolean> {
  return (await metadataOf(name)) !== undefined;
}

async function ciphertextOf(plaintext: string, context?: Record<string, string>, key = keyA): Promise<string> {
  plaintexts.add(plaintext);
  const out = await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from(plaintext), EncryptionContext: context }));
  return Buffer.from(out.CiphertextBlob!).toString('base64');
}

async function secretWith(secretString: string): Promise<string> {
  plaintexts.add(secretString);
  const out = await secrets.send(new CreateSecretCommand({ Name: `test/${randomUUID()}`, SecretString: secretString }));
  return out.ARN!;
}

function arnOf(name: string): string {
  return `arn:aws:ssm:us-east-1:123456789012:parameter/${name.replace(/^\//, '')}`;
}

function expectSuccess(response: CfnResponse, name: string): void {
  expect(response).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: name,
    StackId: STACK_ID,
    Data: { ParameterName: name, ParameterArn: arnOf(name), Version: expect.stringMatching(/^\d+$/) },
  });
  expect(Object.keys(response.Data).sort()).toEqual(['ParameterArn', 'ParameterName', 'Version']);
}

// ------------------------------------------------------------------------------------------------
// Create
// ------------------------------------------------------------------------------------------------

describe('Create', () => {
  test('a generated value: the requested length and characters, under the key, tagged as ours', async () => {
    // GIVEN
    const name = '/handler-test/create/generated';
    // WHEN
    const response = await create(properties(name, generated(48, 'abcXYZ012'), { Description: 'generated for the test' }));
    // THEN
    expectSuccess(response, name);
    expect(response.Data.Version).toBe('1');
    const value = await valueOf(name);
    expect(value).toHaveLength(48);
    expect([...value].every((c) => c.charCodeAt(0) >= 33 && c.charCodeAt(0) <= 126 && !'abcXYZ012'.includes(c))).toBe(true);
    expect(await metadataOf(name)).toMatchObject({ Type: 'SecureString', KeyId: keyA, Tier: 'Standard', Description: 'generated for the test' });
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
    // the owner is the stack's name (its id without the unique suffix) and the logical id
    expect(tags.TagList).toEqual([{ Key: OWNER_TAG_KEY, Value: 'arn:aws:cloudformation:us-east-1:123456789012:stack/SecureStringHandlerTest/Param' }]);
    // SSM allows only letters, digits, white space and _ . : / = + - @ in tag values
    expect(tags.TagList![0].Value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
  });

  test('a generated value without punctuation uses letters and digits only; two values differ', async () => {
    await create(properties('/handler-test/create/alnum-1', generated(64, '', true)));
    await create(properties('/handler-test/create/alnum-2', generated(64, '', true)));
    const [a, b] = [await valueOf('/handler-test/create/alnum-1'), await valueOf('/handler-test/create/alnum-2')];
    expect(a).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(b).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(a).not.toBe(b);
  });

  test('an 8 KB generated value in the Advanced tier', async () => {
    const name = '/handler-test/create/advanced';
    expectSuccess(await create(properties(name, generated(8192), { Tier: 'Advanced' })), name);
    expect(await valueOf(name)).toHaveLength(8192);
    expect((await metadataOf(name))?.Tier).toBe('Advanced');
  });

  test('from ciphertext without an encryption context: the decrypted plaintext', async () => {
    const name = '/handler-test/create/ciphertext';
    const plaintext = 'ciphertext-plain-7f3a9c1e-no-context';
    const ciphertext = await ciphertextOf(plaintext);
    expectSuccess(await create(properties(name, { Kind: 'ciphertext', Ciphertext: ciphertext, KeyArn: keyA })), name);
    expect(await valueOf(name)).toBe(plaintext);
  });

  test('from ciphertext with an encryption context, and a source key other than the parameter key', async () => {
    const name = '/handler-test/create/ciphertext-context';
    const plaintext = 'ciphertext-plain-b41d77e0-with-context';
    const context = { purpose: 'db-password', app: 'orders' };
    const ciphertext = await ciphertextOf(plaintext, context, keyB);
    expectSuccess(await create(properties(name, { Kind: 'ciphertext', Ciphertext: ciphertext, KeyArn: keyB, EncryptionContext: context })), name);
    expect(await valueOf(name)).toBe(plaintext);
    expect((await metadataOf(name))?.KeyId).toBe(keyA);
  });

  test('from a secret: the whole secret string', async () => {
    const name = '/handler-test/create/secret';
    const secretArn = await secretWith('secret-string-5c2e8a91-whole');
    expectSuccess(await create(properties(name, { Kind: 'secret', SecretArn: secretArn })), name);
    expect(await valueOf(name)).toBe('secret-string-5c2e8a91-whole');
  });

  test('from a secret: one field of a JSON secret', async () => {
    const name = '/handler-test/create/secret-field';
    plaintexts.add('json-field-password-e93f04c7');
    const secretArn = await secretWith(JSON.stringify({ username: 'svc-orders', password: 'json-field-password-e93f04c7', port: 5432 }));
    expectSuccess(await create(properties(name, { Kind: 'secret', SecretArn: secretArn, JsonField: 'password' })), name);
    expect(await valueOf(name)).toBe('json-field-password-e93f04c7');
  });

  test('idempotent: a repeated Create of the same resource overwrites its own parameter', async () => {
    const name = '/handler-test/create/repeat';
    expectSuccess(await create(properties(name, generated(20))), name);
    const first = await valueOf(name);
    const again = await create(properties(name, generated(20)));
    expectSuccess(again, name);
    expect(again.Data.Version).toBe('2');
    expect(await valueOf(name)).not.toBe(first);
  });

  test('a stack id and logical id too long for one tag value: a SHA-256 owner tag, still recognised on a repeat', async () => {
    const name = '/handler-test/create/long-owner';
    const logicalId = `Param${'X'.repeat(240)}`;
    expectSuccess(await create(properties(name, generated()), logicalId), name);
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
    expect(tags.TagList).toEqual([{ Key: OWNER_TAG_KEY, Value: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }]);
    expectSuccess(await create(properties(name, generated()), logicalId), name);
    expect((await create(properties(name, generated()), 'Param')).Status).toBe('FAILED');
  });
});

describe('Create failures', () => {
  test('a bad ciphertext: FAILED with the KMS error, and no parameter', async () => {
    const name = '/handler-test/fail/bad-ciphertext';
    const response = await create(properties(name, { Kind: 'ciphertext', Ciphertext: Buffer.from('definitely not a KMS blob').toString('base64'), KeyArn: keyA }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^Decrypting the ciphertext with arn:aws:kms:.* failed: \w+/);
    // not a parameter name, so the rollback Delete touches nothing
    expect(response.PhysicalResourceId).toMatch(/^kms-governance:not-created:/);
    expect(await exists(name)).toBe(false);
    expect((await remove(response.PhysicalResourceId, properties(name, generated(), { RemovalPolicy: 'destroy' }))).Status).toBe('SUCCESS');
  });

  test('the wrong encryption context: FAILED with InvalidCiphertextException, never the plaintext', async () => {
    const name = '/handler-test/fail/wrong-context';
    const ciphertext = await ciphertextOf('ciphertext-plain-0d5e6f12-wrong-context', { purpose: 'right' });
    const response = await create(properties(name, { Kind: 'ciphertext', Ciphertext: ciphertext, KeyArn: keyA, EncryptionContext: { purpose: 'wrong' } }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('InvalidCiphertextException');
    expect(await exists(name)).toBe(false);
  });

  test('a parameter that exists without our owner tag is never overwritten', async () => {
    // GIVEN someone else's parameter
    const name = '/handler-test/fail/foreign';
    plaintexts.add('foreign-value-91ab22cd-keep-me');
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'foreign-value-91ab22cd-keep-me', Type: 'SecureString' }));
    // WHEN
    const response = await create(properties(name, generated()));
    // THEN
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`Parameter ${name} already exists and is not managed by this stack`);
    expect(response.PhysicalResourceId).toMatch(/^kms-governance:not-created:/);
    expect(await valueOf(name)).toBe('foreign-value-91ab22cd-keep-me');
  });

  test('a parameter created by another resource of the stack is not ours either', async () => {
    const name = '/handler-test/fail/other-resource';
    expectSuccess(await create(properties(name, generated()), 'First'), name);
    const value = await valueOf(name);
    const response = await create(properties(name, generated()), 'Second');
    expect(response.Status).toBe('FAILED');
    expect(await valueOf(name)).toBe(value);
  });

  test('a JSON field of a secret that is not JSON: FAILED, without quoting the secret', async () => {
    const secretArn = await secretWith('not-json-secret-6a7b8c9d');
    const response = await create(properties('/handler-test/fail/not-json', { Kind: 'secret', SecretArn: secretArn, JsonField: 'password' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(`${secretArn} is not a JSON object, so its field "password" cannot be read`);
  });

  test('a missing JSON field: FAILED, naming the field only', async () => {
    const secretArn = await secretWith(JSON.stringify({ user: 'u', pass: 'missing-field-secret-3e4f5a6b' }));
    plaintexts.add('missing-field-secret-3e4f5a6b');
    const response = await create(properties('/handler-test/fail/no-field', { Kind: 'secret', SecretArn: secretArn, JsonField: 'password' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(`${secretArn} has no field "password"`);
  });

  test('a secret that does not exist: FAILED with the Secrets Manager error', async () => {
    const response = await create(properties('/handler-test/fail/no-secret', {
      Kind: 'secret',
      SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:does-not-exist-AbCdEf',
    }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('ResourceNotFoundException');
  });

  test('a value too large for the Standard tier: FAILED with its size only', async () => {
    const big = `too-large-4c3b2a19-${'x'.repeat(5000)}`;
    const secretArn = await secretWith(big);
    const response = await create(properties('/handler-test/fail/too-large', { Kind: 'secret', SecretArn: secretArn }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(`The value is ${big.length} bytes; the Standard tier holds at most 4096. Use the Advanced tier`);
  });

  test('malformed properties: FAILED naming the property', async () => {
    const response = await create({ ServiceToken: SERVICE_TOKEN, ParameterName: '/handler-test/fail/malformed', KeyArn: keyA, ValueSource: { Kind: 'plaintext' } });
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe('ValueSource.Kind must be one of generated, ciphertext, secret; received "plaintext"');
  });
});

// ------------------------------------------------------------------------------------------------
// Update
// ------------------------------------------------------------------------------------------------

describe('Update', () => {
  test('generated, same options, nothing else changed: the value and version stay', async () => {
    const name = '/handler-test/update/unchanged';
    const props = properties(name, generated(40));
    await create(props);
    const before = await valueOf(name);
    const response = await update(name, { ...props, RemovalPolicy: 'destroy' }, props);
    expectSuccess(response, name);
    expect(response.Data.Version).toBe('1');
    expect(await valueOf(name)).toBe(before);
  });

  test('generated, same options, a new key, tier and description: the same value under the new key', async () => {
    const name = '/handler-test/update/new-key';
    const old = properties(name, generated(40), { Description: 'before' });
    await create(old);
    const before = await valueOf(name);
    const response = await update(name, properties(name, generated(40), { KeyArn: keyB, Tier: 'Advanced', Description: 'after' }), old);
    expectSuccess(response, name);
    expect(response.Data.Version).toBe('2');
    expect(await valueOf(name)).toBe(before);
    expect(await metadataOf(name)).toMatchObject({ KeyId: keyB, Tier: 'Advanced', Description: 'after' });
  });

  test('generated, options changed: a new value that follows the new options', async () => {
    const name = '/handler-test/update/new-options';
    const old = properties(name, generated(40));
    await create(old);
    const before = await valueOf(name);
    expectSuccess(await update(name, properties(name, generated(24, '', true)), old), name);
    const after = await valueOf(name);
    expect(after).not.toBe(before);
    expect(after).toMatch(/^[A-Za-z0-9]{24}$/);
  });

  test('a new source: the value follows it', async () => {
    const name = '/handler-test/update/new-source';
    const old = properties(name, generated());
    await create(old);
    const ciphertext = await ciphertextOf('ciphertext-plain-2b7c9d0e-new-source');
    expectSuccess(await update(name, properties(name, { Kind: 'ciphertext', Ciphertext: ciphertext, KeyArn: keyA }), old), name);
    expect(await valueOf(name)).toBe('ciphertext-plain-2b7c9d0e-new-source');
  });

  test('ciphertext source, new key: decrypted again and written under the new key', async () => {
    const name = '/handler-test/update/ciphertext-new-key';
    const ciphertext = await ciphertextOf('ciphertext-plain-8e9f0a1b-rekey');
    const source: ValueSource = { Kind: 'ciphertext', Ciphertext: ciphertext, KeyArn: keyA };
    const old = properties(name, source);
    await create(old);
    expectSuccess(await update(name, properties(name, source, { KeyArn: keyB }), old), name);
    expect(await valueOf(name)).toBe('ciphertext-plain-8e9f0a1b-rekey');
    expect((await metadataOf(name))?.KeyId).toBe(keyB);
  });

  test('generated, old properties unreadable: the current value is kept, not replaced', async () => {
    const name = '/handler-test/update/unreadable-old';
    const props = properties(name, generated(40));
    await create(props);
    const before = await valueOf(name);
    expectSuccess(await update(name, props, { ServiceToken: SERVICE_TOKEN, Something: 'from an older version' }), name);
    expect(await valueOf(name)).toBe(before);
  });

  test('a generated parameter deleted outside CloudFormation is written again', async () => {
    const name = '/handler-test/update/vanished';
    const props = properties(name, generated(30));
    await create(props);
    await remove(name, { ...props, RemovalPolicy: 'destroy' });
    expectSuccess(await update(name, { ...props, Description: 'back again' }, props), name);
    expect(await valueOf(name)).toHaveLength(30);
  });

  test('a new name: a new parameter and a new physical id; the old one stays until its Delete', async () => {
    // GIVEN
    const oldName = '/handler-test/update/rename-old';
    const newName = '/handler-test/update/rename-new';
    const old = properties(oldName, generated(), { RemovalPolicy: 'destroy' });
    await create(old);
    const oldValue = await valueOf(oldName);
    // WHEN
    const response = await update(oldName, properties(newName, generated(), { RemovalPolicy: 'destroy' }), old);
    // THEN
    expectSuccess(response, newName);
    expect(await valueOf(newName)).toHaveLength(32);
    expect(await valueOf(oldName)).toBe(oldValue);
    // and CloudFormation's Delete of the old physical id, with the old properties, removes it
    expect((await remove(oldName, old)).Status).toBe('SUCCESS');
    expect(await exists(oldName)).toBe(false);
    expect(await exists(newName)).toBe(true);
  });

  test('a new name that belongs to someone else: FAILED, keeping the old physical id', async () => {
    const oldName = '/handler-test/update/rename-foreign-old';
    const newName = '/handler-test/update/rename-foreign-new';
    plaintexts.add('foreign-value-c0ffee11-keep');
    await ssm.send(new PutParameterCommand({ Name: newName, Value: 'foreign-value-c0ffee11-keep', Type: 'SecureString' }));
    const old = properties(oldName, generated());
    await create(old);
    const response = await update(oldName, properties(newName, generated()), old);
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: oldName });
    expect(await valueOf(newName)).toBe('foreign-value-c0ffee11-keep');
  });

  test('an Advanced parameter cannot go back to Standard: FAILED with the SSM error, the value kept', async () => {
    const name = '/handler-test/update/downgrade';
    const old = properties(name, generated(), { Tier: 'Advanced' });
    await create(old);
    const before = await valueOf(name);
    const response = await update(name, properties(name, generated(), { Tier: 'Standard' }), old);
    // moto may accept the downgrade that AWS refuses; either way nothing leaks and the value stays
    if (response.Status === 'FAILED') expect(response.PhysicalResourceId).toBe(name);
    expect(await valueOf(name)).toBe(before);
  });
});

// ------------------------------------------------------------------------------------------------
// Delete
// ------------------------------------------------------------------------------------------------

describe('Delete', () => {
  test('retain (the default) keeps the parameter', async () => {
    const name = '/handler-test/delete/retain';
    const props = properties(name, generated());
    await create(props);
    const response = await remove(name, props);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: name });
    expect(await exists(name)).toBe(true);
  });

  test('destroy deletes the parameter', async () => {
    const name = '/handler-test/delete/destroy';
    const props = properties(name, generated(), { RemovalPolicy: 'destroy' });
    await create(props);
    expect((await remove(name, props)).Status).toBe('SUCCESS');
    expect(await exists(name)).toBe(false);
  });

  test('destroy of a parameter that is already gone succeeds', async () => {
    const name = '/handler-test/delete/missing';
    expect(await remove(name, properties(name, generated(), { RemovalPolicy: 'destroy' }))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: name });
  });

  test('a Delete with unreadable properties still succeeds (a rollback must never get stuck)', async () => {
    const response = await remove('kms-governance:not-created:1234', { ServiceToken: SERVICE_TOKEN });
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'kms-governance:not-created:1234' });
  });
});

// ------------------------------------------------------------------------------------------------
// Ownership: what this resource may write and delete
// ------------------------------------------------------------------------------------------------

describe('ownership', () => {
  /** The same stack name, created again: a new stack id. */
  const RECREATED = STACK_ID.replace(/[^/]+$/, '7d1e5a20-0000-4000-8000-000000000002');
  const OTHER_STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/SomeOtherStack/0f6c1f40-0000-4000-8000-000000000003';
  const OTHER_REGION = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/SecureStringHandlerTest/0f6c1f40-0000-4000-8000-000000000004';

  function inStack(stackId: string, event: CloudFormationCustomResourceEvent): CloudFormationCustomResourceEvent {
    return { ...event, StackId: stackId };
  }
  async function tagOf(name: string): Promise<string | undefined> {
    const out = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
    return out.TagList?.find((t) => t.Key === OWNER_TAG_KEY)?.Value;
  }

  test('the same stack created again (new stack id, same name) adopts its retained parameter', async () => {
    // GIVEN a parameter retained when its stack was deleted
    const name = '/handler-test/owner/recreated';
    const props = properties(name, generated(28));
    expectSuccess(await create(props), name);
    expect((await remove(name, props)).Status).toBe('SUCCESS');
    // WHEN the stack is created again under the same name
    const response = await run(inStack(RECREATED, { ...baseEvent('Param'), RequestType: 'Create', ResourceProperties: props as any }));
    // THEN it writes the parameter again instead of refusing it
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: name, Data: { Version: '2' } });
    expect(await valueOf(name)).toHaveLength(28);
    expect(await tagOf(name)).toBe('arn:aws:cloudformation:us-east-1:123456789012:stack/SecureStringHandlerTest/Param');
  });

  test('a stack of another name, or the same name in another Region, may not take it', async () => {
    const name = '/handler-test/owner/other-stack';
    const props = properties(name, generated());
    expectSuccess(await create(props), name);
    const value = await valueOf(name);
    for (const stackId of [OTHER_STACK, OTHER_REGION]) {
      const response = await run(inStack(stackId, { ...baseEvent('Param'), RequestType: 'Create', ResourceProperties: props as any }));
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toContain(`Parameter ${name} already exists and is not managed by this stack`);
    }
    expect(await valueOf(name)).toBe(value);
  });

  test('the owner tag of earlier versions (<StackId>/<LogicalId>) is recognised, also from a re-created stack, and rewritten', async () => {
    // GIVEN a parameter tagged the old way by the stack's first incarnation
    const name = '/handler-test/owner/legacy-tag';
    plaintexts.add('legacy-value-8a7b6c5d-old-tag');
    await ssm.send(new PutParameterCommand({
      Name: name, Value: 'legacy-value-8a7b6c5d-old-tag', Type: 'SecureString', Tags: [{ Key: OWNER_TAG_KEY, Value: `${STACK_ID}/Param` }],
    }));
    // WHEN the re-created stack updates it (same generation options: the value is kept)
    const props = properties(name, generated());
    const response = await run(inStack(RECREATED, {
      ...baseEvent('Param'), RequestType: 'Update', PhysicalResourceId: name, ResourceProperties: { ...props, Description: 'now' } as any, OldResourceProperties: props as any,
    }));
    // THEN
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: name, StackId: RECREATED });
    expect(await valueOf(name)).toBe('legacy-value-8a7b6c5d-old-tag');
    expect(await tagOf(name)).toBe('arn:aws:cloudformation:us-east-1:123456789012:stack/SecureStringHandlerTest/Param');
  });

  test('an Update of a parameter someone else replaced (no owner tag) fails and leaves it', async () => {
    const name = '/handler-test/owner/replaced';
    const props = properties(name, generated());
    expectSuccess(await create(props), name);
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    plaintexts.add('replaced-value-1f2e3d4c-theirs');
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'replaced-value-1f2e3d4c-theirs', Type: 'SecureString' }));
    const response = await update(name, properties(name, generated(), { Description: 'changed' }), props);
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: name });
    expect(response.Reason).toContain('is not managed by this stack');
    expect(await valueOf(name)).toBe('replaced-value-1f2e3d4c-theirs');
  });

  test('Delete with destroy leaves a parameter it does not own in place, and still succeeds', async () => {
    // GIVEN a parameter without our tag, and one owned by another resource of the stack
    const foreign = '/handler-test/owner/delete-foreign';
    plaintexts.add('foreign-delete-0a9b8c7d-keep');
    await ssm.send(new PutParameterCommand({ Name: foreign, Value: 'foreign-delete-0a9b8c7d-keep', Type: 'SecureString' }));
    const sibling = '/handler-test/owner/delete-sibling';
    expectSuccess(await create(properties(sibling, generated(), { RemovalPolicy: 'destroy' }), 'Sibling'), sibling);
    // WHEN
    const responses = [
      await remove(foreign, properties(foreign, generated(), { RemovalPolicy: 'destroy' })),
      await remove(sibling, properties(sibling, generated(), { RemovalPolicy: 'destroy' }), 'Param'),
    ];
    // THEN
    for (const [response, name, logicalId] of [[responses[0], foreign, 'Param'], [responses[1], sibling, 'Param']] as const) {
      expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: name });
      expect(response.Reason).toBe(`Parameter ${name} left in place: it has no ${OWNER_TAG_KEY} tag for ${logicalId} of this stack`);
    }
    expect(await valueOf(foreign)).toBe('foreign-delete-0a9b8c7d-keep');
    expect(await exists(sibling)).toBe(true);
  });

  test('Delete with destroy from the re-created stack deletes the parameter it adopted', async () => {
    const name = '/handler-test/owner/delete-recreated';
    const props = properties(name, generated(), { RemovalPolicy: 'destroy' });
    expectSuccess(await create(props), name);
    const response = await run(inStack(RECREATED, { ...baseEvent('Param'), RequestType: 'Delete', PhysicalResourceId: name, ResourceProperties: props as any }));
    expect(response).toMatchObject({ Status: 'SUCCESS', Reason: `Parameter ${name} deleted` });
    expect(await exists(name)).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------
// The bundle as Lambda runs it
// ------------------------------------------------------------------------------------------------

describe('in the local Lambda executor', () => {
  test('the bundle loads with only the runtime SDK on its path and answers CloudFormation', async () => {
    const fn = await aws.deployNodeFunction({ name: `secure-string-${randomUUID().slice(0, 8)}`, dir: BUNDLE_DIR, timeout: 30 });
    const name = '/handler-test/lambda/generated';
    const event = { ...baseEvent('Param'), RequestType: 'Create', ResourceProperties: properties(name, generated(36)) };
    const result = await aws.invoke(fn.functionName, event);
    transcript.push(result.logs, result.rawPayload);
    expect(result.functionError).toBeUndefined();
    const got = recorder.responseTo(event as CloudFormationCustomResourceEvent);
    transcript.push(got.raw);
    expect(got.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: name });
    expect(await valueOf(name)).toHaveLength(36);
    // one log line per event: the resource, the request type, the parameter name and the outcome
    expect(result.logs).toContain(JSON.stringify({ event: 'encrypted-secure-string-param', requestType: 'Create', parameterName: name, status: 'SUCCESS' }));
  });
});

// ------------------------------------------------------------------------------------------------
// Leaks
// ------------------------------------------------------------------------------------------------

describe('no plaintext leaves the handler', () => {
  test('the handler logged exactly one line per event, naming no value', () => {
    const lines = transcript.filter((t) => t.includes('"requestType"'));
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      expect(Object.keys(JSON.parse(line.slice(line.indexOf('{'), line.lastIndexOf('}') + 1))).sort()).toEqual(['event', 'parameterName', 'requestType', 'status']);
    }
  });

  test('no plaintext appears in any response body, log line, console output or failure reason', () => {
    expect(plaintexts.size).toBeGreaterThan(20);
    expect(transcript.length).toBeGreaterThan(30);
    const hits: string[] = [];
    for (const plaintext of plaintexts) {
      // as is, and as it would look escaped inside JSON
      const forms = new Set([plaintext, JSON.stringify(plaintext).slice(1, -1)]);
      for (const text of transcript) {
        for (const form of forms) {
          if (text.includes(form)) hits.push(`${form.slice(0, 12)}… in ${text.slice(0, 80)}`);
        }
      }
    }
    expect(hits).toEqual([]);
  });
});
