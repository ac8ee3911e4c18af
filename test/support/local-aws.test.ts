/**
 * Smoke test of the offline AWS emulator (tools/local-aws): KMS strictness,
 * the Node.js Lambda executor and the EBS default-key API.
 */
import {
  EC2Client,
  GetEbsDefaultKmsKeyIdCommand,
  ModifyEbsDefaultKmsKeyIdCommand,
  ResetEbsDefaultKmsKeyIdCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { LocalAws, startLocalAws } from '.';

let aws: LocalAws;
let kms: KMSClient;

beforeAll(async () => {
  aws = await startLocalAws();
  kms = new KMSClient(aws.clientConfig);
}, 180_000);

afterAll(async () => {
  kms?.destroy();
  await aws?.stop();
});

async function newSymmetricKey(): Promise<string> {
  const created = await kms.send(new CreateKeyCommand({ Description: 'local-aws test key' }));
  return created.KeyMetadata!.KeyId!;
}

describe('KMS', () => {
  test('encrypts and decrypts with a symmetric key', async () => {
    const keyId = await newSymmetricKey();
    const encrypted = await kms.send(new EncryptCommand({
      KeyId: keyId,
      Plaintext: Buffer.from('top secret'),
      EncryptionContext: { purpose: 'test' },
    }));
    const decrypted = await kms.send(new DecryptCommand({
      CiphertextBlob: encrypted.CiphertextBlob,
      EncryptionContext: { purpose: 'test' },
    }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('top secret');
  });

  test('a disabled key refuses Encrypt with DisabledException', async () => {
    const keyId = await newSymmetricKey();
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await expect(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))
      .rejects.toMatchObject({ name: 'DisabledException' });
  });

  test('a key pending deletion refuses Encrypt with KMSInvalidStateException', async () => {
    const keyId = await newSymmetricKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await expect(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))
      .rejects.toMatchObject({ name: 'KMSInvalidStateException', message: expect.stringContaining('is pending deletion') });
  });

  test('Decrypt with the wrong encryption context fails with InvalidCiphertextException', async () => {
    const keyId = await newSymmetricKey();
    const encrypted = await kms.send(new EncryptCommand({
      KeyId: keyId,
      Plaintext: Buffer.from('x'),
      EncryptionContext: { tenant: 'a' },
    }));
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { tenant: 'b' } })))
      .rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });
});

describe('Lambda (Node.js executor)', () => {
  test('runs a handler from a zip and returns its JSON result', async () => {
    await aws.deployNodeFunction({
      name: 'local-aws-echo',
      environment: { GREETING: 'hello' },
      files: {
        'index.js': `
          exports.handler = async (event, context) => {
            console.log('invoked', context.functionName);
            return { greeting: process.env.GREETING + ' ' + event.name, remainingMs: context.getRemainingTimeInMillis() > 0 };
          };`,
      },
    });
    const result = await aws.invoke('local-aws-echo', { name: 'world' });
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({ greeting: 'hello world', remainingMs: true });
    expect(result.logs).toContain('invoked local-aws-echo');
  });

  test('the runtime SDK is available, but a package missing from the bundle is not', async () => {
    await aws.deployNodeFunction({
      name: 'local-aws-missing-dependency',
      files: {
        'index.js': `
          require('@aws-sdk/client-kms'); // provided by the Lambda runtime
          const leftPad = require('left-pad'); // not bundled
          exports.handler = async () => leftPad('x', 3);`,
      },
    });
    const result = await aws.invoke('local-aws-missing-dependency');
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining("Cannot find module 'left-pad'"),
    });
  });
});

describe('EBS default KMS key', () => {
  test('GetEbsDefaultKmsKeyId follows Modify and Reset', async () => {
    const ec2 = new EC2Client(aws.clientConfig);
    try {
      const initial = await ec2.send(new GetEbsDefaultKmsKeyIdCommand({}));
      expect(initial.KmsKeyId).toBe('alias/aws/ebs');

      const keyId = await newSymmetricKey();
      const modified = await ec2.send(new ModifyEbsDefaultKmsKeyIdCommand({ KmsKeyId: keyId }));
      expect(modified.KmsKeyId).toMatch(new RegExp(`:key/${keyId}$`));
      const afterModify = await ec2.send(new GetEbsDefaultKmsKeyIdCommand({}));
      expect(afterModify.KmsKeyId).toBe(modified.KmsKeyId);

      await ec2.send(new ResetEbsDefaultKmsKeyIdCommand({}));
      const afterReset = await ec2.send(new GetEbsDefaultKmsKeyIdCommand({}));
      expect(afterReset.KmsKeyId).toBe('alias/aws/ebs');
    } finally {
      ec2.destroy();
    }
  });
});
