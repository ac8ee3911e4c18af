import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EnvelopeEncryptedBucket, ManagedCmk } from '../../src';
import { PolicySimulator, TEST_ENV } from '../support';

/**
 * What the synthesized bucket policy and key policy of an EnvelopeEncryptedBucket really allow.
 */
describe('EnvelopeEncryptedBucket policy behaviour', () => {
  const app = new App();
  const stack = new Stack(app, 'Bucket', { env: TEST_ENV });
  const key = new ManagedCmk(stack, 'Cmk', { alias: 'data' });
  const data = new EnvelopeEncryptedBucket(stack, 'Data', { key, bucketName: 'acme-data' });
  const lambda = new iam.ServicePrincipal('lambda.amazonaws.com');
  data.grantReadWrite(new iam.Role(stack, 'Writer', { assumedBy: lambda }));
  data.grantRead(new iam.Role(stack, 'Reader', { assumedBy: lambda }));
  new iam.Role(stack, 'Stranger', { assumedBy: lambda });
  const sim = PolicySimulator.fromStacks(stack);
  const object = sim.objectArn('Data/Bucket', 'reports/2026.csv');
  const keyArn = sim.keyArn('Cmk');
  const otherKey = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
  const put = (context: Record<string, string>) => sim.decide({ principal: sim.roleArn('Writer'), action: 's3:PutObject', resource: object, context });

  test('PutObject asking for SSE-S3 (AES256) is denied', async () => {
    expect(await put({ 's3:x-amz-server-side-encryption': 'AES256' })).toBe('ExplicitlyDenied');
  });

  test('PutObject asking for another KMS key is denied', async () => {
    expect(await put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': otherKey })).toBe('ExplicitlyDenied');
  });

  test('PutObject with this key, or with no encryption header (the bucket default applies), is allowed', async () => {
    expect(await put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn })).toBe('Allowed');
    expect(await put({ 's3:x-amz-server-side-encryption': 'aws:kms' })).toBe('Allowed');
    expect(await put({})).toBe('Allowed');
  });

  test('any request without TLS is denied, even for the writer', async () => {
    expect(await put({ 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
    expect(await sim.decide({ principal: sim.roleArn('Reader'), action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } })).toBe('ExplicitlyDenied');
  });

  test('a reader reads but cannot write; a stranger can do neither', async () => {
    expect(await sim.decide({ principal: sim.roleArn('Reader'), action: 's3:GetObject', resource: object })).toBe('Allowed');
    expect(await sim.decide({ principal: sim.roleArn('Reader'), action: 's3:PutObject', resource: object })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ principal: sim.roleArn('Stranger'), action: 's3:GetObject', resource: object })).toBe('ImplicitlyDenied');
  });

  test('a reader can decrypt through S3 for this bucket only, and never directly', async () => {
    const decrypt = (context: Record<string, string>) => sim.decide({ principal: sim.roleArn('Reader'), action: 'kms:Decrypt', resource: keyArn, context });
    const viaS3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
    expect(await decrypt({ ...viaS3, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-data' })).toBe('Allowed');
    expect(await decrypt({ ...viaS3, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-data/reports/2026.csv' })).toBe('Allowed');
    expect(await decrypt({ ...viaS3, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::someone-elses-bucket' })).toBe('ImplicitlyDenied');
    expect(await decrypt({ 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-data' })).toBe('ImplicitlyDenied');
    expect(await decrypt({})).toBe('ImplicitlyDenied');
    expect(await sim.decide({ principal: sim.roleArn('Reader'), action: 'kms:GenerateDataKey', resource: keyArn, context: { ...viaS3, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-data' } })).toBe('ImplicitlyDenied');
  });
});
