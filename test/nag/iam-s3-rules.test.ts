import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EnvelopeEncryptedBucket } from '../../src';
import { cfnText, firing, ifProd, ifProdText, newConditionalRuleStack, newRuleStack } from '../support';

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

describe('S3BucketCustomerManagedKey: Elastic Load Balancing access-log buckets, and AWS managed keys built with Fn::Join', () => {
  const sseS3 = (stack: Stack, id: string, extra: Partial<s3.CfnBucketProps> = {}) =>
    new s3.CfnBucket(stack, id, { bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] }, ...extra });
  const putFrom = (principal: unknown, resource: unknown) => doc({ Effect: 'Allow', Principal: principal, Action: 's3:PutObject', Resource: resource });

  test('compliant: an SSE-S3 bucket for ALB logs (logAccessLogs), by the ELB account root, the log-delivery principal, a literal bucket name', () => {
    const { stack } = newRuleStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const albLogs = new s3.Bucket(stack, 'AlbLogs', { encryption: s3.BucketEncryption.S3_MANAGED });
    new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc }).logAccessLogs(albLogs);
    const byService = sseS3(stack, 'ByService');
    new s3.CfnBucketPolicy(stack, 'ByServicePolicy', { bucket: byService.ref, policyDocument: putFrom({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, '*') });
    sseS3(stack, 'ByName', { bucketName: 'clb-logs' });
    new s3.CfnBucketPolicy(stack, 'ByNamePolicy', { bucket: 'clb-logs', policyDocument: putFrom({ AWS: '156460612806' }, 'arn:aws:s3:::clb-logs/*') });
    expect(firing(stack, 'S3BucketCustomerManagedKey')).toEqual([]);
  });

  test('non-compliant: a bucket NLB logs go to (delivery.logs, which supports SSE-KMS), an account that is not ELB\'s, AWS managed keys by Fn::Join/Fn::Sub', () => {
    const { stack } = newRuleStack();
    const nlb = sseS3(stack, 'NlbLogs');
    new s3.CfnBucketPolicy(stack, 'NlbPolicy', { bucket: nlb.ref, policyDocument: putFrom({ Service: 'delivery.logs.amazonaws.com' }, '*') });
    const notElb = sseS3(stack, 'NotElb');
    new s3.CfnBucketPolicy(stack, 'NotElbPolicy', { bucket: notElb.ref, policyDocument: putFrom({ AWS: 'arn:aws:iam::999999999999:root' }, '*') });
    const managed = (id: string, key: object) => new s3.CfnBucket(stack, id, {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ bucketKeyEnabled: true, serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: cfnText(key) } }] },
    });
    managed('Joined', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alias/aws/s3']] });
    managed('Subbed', { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/s3' });
    expect(firing(stack, 'S3BucketCustomerManagedKey')).toEqual(['S/Joined', 'S/NlbLogs', 'S/NotElb', 'S/Subbed']);
  });

  test('token: a log-delivery principal from a parameter does not make an ELB bucket; a bucket-policy target from a parameter relates nothing', () => {
    const { stack, param } = newConditionalRuleStack();
    const fromParam = sseS3(stack, 'PrincipalParam');
    new s3.CfnBucketPolicy(stack, 'PrincipalParamPolicy', { bucket: fromParam.ref, policyDocument: putFrom({ AWS: param.valueAsString }, '*') });
    sseS3(stack, 'TargetParam');
    new s3.CfnBucketPolicy(stack, 'TargetParamPolicy', { bucket: param.valueAsString, policyDocument: putFrom({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, '*') });
    expect(firing(stack, 'S3BucketCustomerManagedKey')).toEqual(['S/PrincipalParam', 'S/TargetParam']);
  });

  test('Fn::If: a bucket policy that grants ELB in one branch makes the bucket an ELB log bucket; a managed key in one branch is a finding', () => {
    const { stack, condition } = newConditionalRuleStack();
    const either = sseS3(stack, 'Either');
    new s3.CfnBucketPolicy(stack, 'EitherPolicy', {
      bucket: either.ref,
      policyDocument: ifProd(condition, putFrom({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, '*'), putFrom({ Service: 'delivery.logs.amazonaws.com' }, '*')),
    });
    new s3.CfnBucket(stack, 'KeyEither', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ bucketKeyEnabled: true, serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: ifProdText(condition, 'alias/data', 'alias/aws/s3') } }] },
    });
    expect(firing(stack, 'S3BucketCustomerManagedKey')).toEqual(['S/KeyEither']);
  });
});

describe('IamNoDecryptOnAllKeys: ARNs cut short by a wildcard', () => {
  const decryptOn = (resource: unknown) => doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: resource });

  test('compliant: a key ARN, keys of another service, an ARN cut short before another service', () => {
    const { stack } = newRuleStack();
    new iam.CfnManagedPolicy(stack, 'Key', { policyDocument: decryptOn('arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') });
    new iam.CfnManagedPolicy(stack, 'S3', { policyDocument: decryptOn('arn:aws:s3:*') });
    new iam.CfnManagedPolicy(stack, 'NoWildcard', { policyDocument: decryptOn('arn:aws:kms') });
    expect(firing(stack, 'IamNoDecryptOnAllKeys')).toEqual([]);
  });

  test('non-compliant: arn:aws:kms:*, arn:aws:*, arn:*, arn:aws:kms:us-east-1:*, arn:aws:km*', () => {
    const { stack } = newRuleStack();
    ['arn:aws:kms:*', 'arn:aws:*', 'arn:*', 'arn:aws:kms:us-east-1:*', 'arn:aws:km*'].forEach((r, i) =>
      new iam.CfnManagedPolicy(stack, `P${i}`, { policyDocument: decryptOn(r) }));
    expect(firing(stack, 'IamNoDecryptOnAllKeys')).toEqual(['S/P0', 'S/P1', 'S/P2', 'S/P3', 'S/P4']);
  });

  test('token: the partition from a reference still covers every key; a resource from a parameter is specific', () => {
    const { stack, param } = newConditionalRuleStack();
    new iam.CfnManagedPolicy(stack, 'Partition', { policyDocument: decryptOn({ 'Fn::Sub': 'arn:${AWS::Partition}:kms:*' }) });
    new iam.CfnManagedPolicy(stack, 'FromParam', { policyDocument: decryptOn(param.valueAsString) });
    expect(firing(stack, 'IamNoDecryptOnAllKeys')).toEqual(['S/Partition']);
  });

  test('Fn::If: a branch with arn:aws:kms:* is a finding', () => {
    const { stack, condition } = newConditionalRuleStack();
    new iam.CfnManagedPolicy(stack, 'Either', { policyDocument: decryptOn(ifProd(condition, 'arn:aws:kms:us-east-1:123456789012:key/k', 'arn:aws:kms:*')) });
    new iam.CfnManagedPolicy(stack, 'Both', { policyDocument: decryptOn(ifProd(condition, 'arn:aws:kms:us-east-1:123456789012:key/a', 'arn:aws:kms:us-east-1:123456789012:key/b')) });
    expect(firing(stack, 'IamNoDecryptOnAllKeys')).toEqual(['S/Either']);
  });
});
