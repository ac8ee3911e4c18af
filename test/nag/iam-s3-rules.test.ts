import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EnvelopeEncryptedBucket } from '../../src';
import { firing, newRuleStack } from '../support';

/**
 * IamNoDecryptOnAllKeys and S3BucketCustomerManagedKey.
 */


function doc(...statements: object[]): object {
  return { Version: '2012-10-17', Statement: statements };
}

describe('IamNoDecryptOnAllKeys', () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  test('compliant: named keys, an L2 grant, encrypt-only on "*", a Deny, an alias ARN', () => {
    const { stack } = newRuleStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new kms.Key(stack, 'Key', { enableKeyRotation: true }).grantDecrypt(role);
    new iam.ManagedPolicy(stack, 'Named', { statements: [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [KEY_ARN] })] });
    new iam.ManagedPolicy(stack, 'EncryptOnly', { statements: [new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:GenerateDataKey*'], resources: ['*'] })] });
    new iam.ManagedPolicy(stack, 'Deny', { statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['kms:*'], resources: ['*'] })] });
    new iam.ManagedPolicy(stack, 'Alias', { statements: [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['arn:aws:kms:*:*:alias/*'] })] });
    new iam.ManagedPolicy(stack, 'OtherService', { statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] });
    expect(firing(stack, 'IamNoDecryptOnAllKeys')).toEqual([]);
  });

  test('non-compliant: Decrypt or ReEncryptFrom (direct or by wildcard) on every key, in managed, inline and identity policies', () => {
    const { stack } = newRuleStack();
    new iam.ManagedPolicy(stack, 'Managed', { statements: [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] })] });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })); // AWS::IAM::Policy
    new iam.CfnRole(stack, 'InlineRole', {
      assumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      policies: [{ policyName: 'reencrypt', policyDocument: doc({ Effect: 'Allow', Action: 'kms:Re*', Resource: 'arn:aws:kms:*:*:key/*' }) }],
    });
    new iam.CfnUser(stack, 'User', { policies: [{ policyName: 'all', policyDocument: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }] });
    new iam.CfnGroup(stack, 'Group', { policies: [{ policyName: 'nr', policyDocument: doc({ Effect: 'Allow', Action: 'kms:Decrypt', NotResource: KEY_ARN }) }] });
    new iam.ManagedPolicy(stack, 'AccountKeys', {
      statements: [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })] })],
    });
    new iam.ManagedPolicy(stack, 'NotAction', { statements: [new iam.PolicyStatement({ notActions: ['kms:Encrypt'], resources: ['*'] })] });
    new iam.CfnRolePolicy(stack, 'RolePolicy', { roleName: 'x', policyName: 'p', policyDocument: doc({ Effect: 'Allow', Action: ['kms:ReEncryptFrom'], Resource: ['*'] }) });
    expect(firing(stack, 'IamNoDecryptOnAllKeys')).toEqual([
      'S/AccountKeys/Resource',
      'S/Group',
      'S/InlineRole',
      'S/Managed/Resource',
      'S/NotAction/Resource',
      'S/Role/DefaultPolicy/Resource',
      'S/RolePolicy',
      'S/User',
    ]);
  });
});

describe('S3BucketCustomerManagedKey', () => {
  /** A bucket with SSE-KMS under `key`, Bucket Keys, and the deny on other encryption. */
  function goodBucket(stack: Stack, id: string, key: kms.IKey, extra: Partial<s3.BucketProps> = {}): s3.Bucket {
    const bucket = new s3.Bucket(stack, id, { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true, ...extra });
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    }));
    return bucket;
  }

  test('compliant: EnvelopeEncryptedBucket\'s data bucket, an L2 bucket with the deny, an L1 bucket with a literal name and DSSE-KMS', () => {
    const { stack } = newRuleStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const eeb = new EnvelopeEncryptedBucket(stack, 'Envelope', { accessLogsBucket: goodBucket(stack, 'Logs', key) });
    goodBucket(stack, 'L2', key);
    new s3.CfnBucket(stack, 'Dsse', {
      bucketName: 'my-dsse-bucket',
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms:dsse', kmsMasterKeyId: key.keyArn } }] },
    });
    new s3.CfnBucketPolicy(stack, 'DssePolicy', {
      bucket: 'my-dsse-bucket',
      policyDocument: doc({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:Put*',
        Resource: 'arn:aws:s3:::my-dsse-bucket/*',
        Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': ['aws:kms:dsse'] } },
      }),
    });
    expect(eeb.bucket.node.path).toBe('S/Envelope/Bucket');
    expect(firing(stack, 'S3BucketCustomerManagedKey')).toEqual([]);
  });

  test('non-compliant: SSE-S3, no encryption, the AWS managed key, no Bucket Key, no deny, a deny that lets AES256 through', () => {
    const { stack } = newRuleStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new s3.Bucket(stack, 'SseS3', { encryption: s3.BucketEncryption.S3_MANAGED });
    new s3.CfnBucket(stack, 'Unencrypted');
    new s3.Bucket(stack, 'AwsManaged', { encryption: s3.BucketEncryption.KMS_MANAGED });
    new s3.CfnBucket(stack, 'AwsAlias', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ bucketKeyEnabled: true, serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/aws/s3' } }] },
    });
    goodBucket(stack, 'NoBucketKey', key, { bucketKeyEnabled: false });
    new s3.Bucket(stack, 'NoDeny', { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true });
    const lax = new s3.Bucket(stack, 'LaxDeny', { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true });
    lax.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [lax.arnForObjects('*')],
      conditions: { StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] } },
    }));
    expect(firing(stack, 'S3BucketCustomerManagedKey')).toEqual([
      'S/AwsAlias',
      'S/AwsManaged/Resource',
      'S/LaxDeny/Resource',
      'S/NoBucketKey/Resource',
      'S/NoDeny/Resource',
      'S/SseS3/Resource',
      'S/Unencrypted',
    ]);
  });
});
