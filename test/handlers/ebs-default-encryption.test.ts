/**
 * The bundled EbsDefaultEncryption handler (assets/ebs-default-encryption.lambda/index.js, built by
 * `npx projen bundle`) against the local moto: real EC2 default-encryption calls, with the
 * CloudFormation response captured by a local HTTP server.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  GetEbsDefaultKmsKeyIdCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AWS_MANAGED_EBS_KEY, EBS_RESOURCE_TYPE, ebsPhysicalResourceId, toProperties } from '../../src/private/contracts/ebs-default-encryption.contract';
import { CfnResponse, customResourceEvent, LocalAws, ResponseRecorder, startLocalAws } from '../support';

const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'ebs-default-encryption.lambda', 'index.js');
const PHYSICAL_ID = ebsPhysicalResourceId('us-east-1');

type Handler = (event: CloudFormationCustomResourceEvent) => Promise<void>;

let aws: LocalAws;
let kms: KMSClient;
let ec2: EC2Client;
let recorder: ResponseRecorder;
let handler: Handler;
const savedEnv = { ...process.env };

beforeAll(async () => {
  expect(fs.existsSync(BUNDLE)).toBe(true); // run `npx projen bundle` first
  aws = await startLocalAws();
  kms = new KMSClient(aws.clientConfig);
  ec2 = new EC2Client(aws.clientConfig);
  // The handler builds its client from the environment, as on Lambda: set it before loading.
  Object.assign(process.env, aws.env);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require(BUNDLE).handler;

  // PUT: a CloudFormation response to record. POST: an EC2 API call, refused as EC2 refuses a
  // caller without permission (for the error-path tests that point the handler here).
  recorder = await ResponseRecorder.start((_req, _body, res) => {
    res.writeHead(403, { 'content-type': 'text/xml' }).end(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code>' +
        '<Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r-1</RequestID></Response>',
    );
  });
}, 180_000);

afterAll(async () => {
  kms?.destroy();
  ec2?.destroy();
  await recorder?.close();
  await aws?.stop();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

async function newKey(): Promise<string> {
  return (await kms.send(new CreateKeyCommand({ Description: 'ebs default encryption test key' }))).KeyMetadata!.Arn!;
}

function event(requestType: 'Create' | 'Update' | 'Delete', props: { kmsKeyArn: string; disableOnDelete?: boolean }): CloudFormationCustomResourceEvent {
  return customResourceEvent(requestType, {
    recorder,
    resourceType: EBS_RESOURCE_TYPE,
    logicalResourceId: 'EbsDefault',
    properties: toProperties({ disableOnDelete: false, ...props }),
    physicalResourceId: PHYSICAL_ID,
  });
}

/**
 * A fresh copy of the bundle whose EC2 client talks to `endpoint`. The client reads the endpoint
 * when it sends, so the handler runs with the variable still set.
 */
function loadWithEndpoint(endpoint: string): Handler {
  let loaded: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(BUNDLE).handler;
  });
  return async (e) => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = endpoint;
    try {
      await loaded!(e);
    } finally {
      process.env.AWS_ENDPOINT_URL = saved;
    }
  };
}

/** Run the handler and return what CloudFormation received. */
async function run(e: CloudFormationCustomResourceEvent, h: Handler = handler): Promise<CfnResponse> {
  await h(e);
  return recorder.responseTo(e).body;
}

async function ebsState(): Promise<{ encrypted: boolean | undefined; keyId: string | undefined }> {
  const [{ EbsEncryptionByDefault }, { KmsKeyId }] = await Promise.all([
    ec2.send(new GetEbsEncryptionByDefaultCommand({})),
    ec2.send(new GetEbsDefaultKmsKeyIdCommand({})),
  ]);
  return { encrypted: EbsEncryptionByDefault, keyId: KmsKeyId };
}

describe('EbsDefaultEncryption handler', () => {
  let log: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => log.mockRestore());

  test('Create turns encryption by default on with the key, and reports both', async () => {
    // GIVEN encryption by default off and the AWS managed key
    await ec2.send(new DisableEbsEncryptionByDefaultCommand({}));
    expect(await ebsState()).toEqual({ encrypted: false, keyId: AWS_MANAGED_EBS_KEY });
    const key = await newKey();

    // WHEN
    const e = event('Create', { kmsKeyArn: key });
    const response = await run(e);

    // THEN
    expect(response).toEqual({
      Status: 'SUCCESS',
      Reason: 'OK',
      PhysicalResourceId: PHYSICAL_ID,
      StackId: e.StackId,
      RequestId: e.RequestId,
      LogicalResourceId: 'EbsDefault',
      NoEcho: false,
      Data: { KmsKeyId: key, EncryptionByDefault: 'true' },
    });
    expect(await ebsState()).toEqual({ encrypted: true, keyId: key });
  });

  test('Update switches the default key and keeps the physical id', async () => {
    const first = await newKey();
    const second = await newKey();
    await run(event('Create', { kmsKeyArn: first }));

    const response = await run(event('Update', { kmsKeyArn: second }));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID, Data: { KmsKeyId: second } });
    expect(await ebsState()).toEqual({ encrypted: true, keyId: second });
  });

  test('Create and Update are idempotent', async () => {
    const key = await newKey();
    await run(event('Create', { kmsKeyArn: key }));
    expect(await run(event('Update', { kmsKeyArn: key }))).toMatchObject({ Status: 'SUCCESS', Data: { KmsKeyId: key, EncryptionByDefault: 'true' } });
    expect(await ebsState()).toEqual({ encrypted: true, keyId: key });
  });

  test('Delete by default resets the key and leaves encryption by default on; again, it still succeeds', async () => {
    const key = await newKey();
    await run(event('Create', { kmsKeyArn: key }));

    const response = await run(event('Delete', { kmsKeyArn: key }));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID, Data: {} });
    expect(await ebsState()).toEqual({ encrypted: true, keyId: AWS_MANAGED_EBS_KEY });

    expect(await run(event('Delete', { kmsKeyArn: key }))).toMatchObject({ Status: 'SUCCESS' });
    expect(await ebsState()).toEqual({ encrypted: true, keyId: AWS_MANAGED_EBS_KEY });
  });

  test('Delete with disableOnDelete also turns encryption by default off', async () => {
    const key = await newKey();
    await run(event('Create', { kmsKeyArn: key, disableOnDelete: true }));

    const response = await run(event('Delete', { kmsKeyArn: key, disableOnDelete: true }));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
    expect(await ebsState()).toEqual({ encrypted: false, keyId: AWS_MANAGED_EBS_KEY });
  });

  test('Delete with malformed properties still succeeds and keeps encryption by default on', async () => {
    const key = await newKey();
    await run(event('Create', { kmsKeyArn: key }));
    const e = event('Delete', { kmsKeyArn: key });
    const response = await run({ ...e, ResourceProperties: { ServiceToken: e.ServiceToken, DisableOnDelete: 'maybe' } });
    expect(response.Status).toBe('SUCCESS');
    expect(await ebsState()).toEqual({ encrypted: true, keyId: AWS_MANAGED_EBS_KEY });
  });

  test('EC2 refuses the call: FAILED, with the AWS error name and message as the reason', async () => {
    const handlerWithoutPermission = loadWithEndpoint(recorder.url);
    const response = await run(event('Create', { kmsKeyArn: await newKey() }), handlerWithoutPermission);
    expect(response).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: PHYSICAL_ID,
      Reason: 'Create of the EBS default encryption failed: UnauthorizedOperation: You are not authorized to perform this operation.',
      Data: {},
    });
  });

  test('an Update that fails keeps the physical id and leaves the setting as it was', async () => {
    const key = await newKey();
    await run(event('Create', { kmsKeyArn: key }));
    // moto looks the key up at once and fails; AWS would accept it and fail asynchronously.
    const missing = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';

    const response = await run(event('Update', { kmsKeyArn: missing }));

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: PHYSICAL_ID });
    expect(response.Reason).toMatch(/^Update of the EBS default encryption failed: /);
    expect(await ebsState()).toEqual({ encrypted: true, keyId: key });
  });

  test('missing properties: FAILED, naming the property', async () => {
    const e = event('Create', { kmsKeyArn: 'x' });
    const response = await run({ ...e, ResourceProperties: { ServiceToken: e.ServiceToken } });
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: PHYSICAL_ID });
    expect(response.Reason).toMatch(/Create of the EBS default encryption failed: Error: the property KmsKeyArn must be a key ARN. Received: null/);
  });

  test('EC2 unreachable: FAILED with the network error, never a hang', async () => {
    const unreachable = loadWithEndpoint('http://127.0.0.1:1'); // nothing listens on port 1
    const response = await run(event('Create', { kmsKeyArn: await newKey() }), unreachable);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^Create of the EBS default encryption failed: .*ECONNREFUSED/);
  });

  test('logs only the request type and the outcome', async () => {
    const key = await newKey();
    await run(event('Create', { kmsKeyArn: key }));
    await run(event('Delete', { kmsKeyArn: key }));
    expect(log.mock.calls.map((args) => JSON.parse(args[0]))).toEqual([
      { event: 'ebs-default-encryption', requestType: 'Create', status: 'SUCCESS' },
      { event: 'ebs-default-encryption', requestType: 'Delete', status: 'SUCCESS' },
    ]);
  });

  test('the bundle runs in the Lambda executor with only the runtime SDK', async () => {
    // GIVEN the asset as CDK deploys it, in moto's Node.js executor (NODE_PATH: the runtime's SDK only)
    await aws.deployNodeFunction({ name: 'ebs-default-encryption', dir: path.dirname(BUNDLE), timeout: 30 });
    const key = await newKey();
    const e = event('Create', { kmsKeyArn: key });

    // WHEN CloudFormation invokes it
    const result = await aws.invoke('ebs-default-encryption', e);

    // THEN it answered SUCCESS and the setting is made
    expect(result.functionError).toBeUndefined();
    expect(recorder.responseTo(e).body).toMatchObject({ Status: 'SUCCESS', Data: { KmsKeyId: key } });
    expect(await ebsState()).toEqual({ encrypted: true, keyId: key });
  });
});
