import { CfnParameter, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketNaming, EnvelopeEncryptedBucket, ManagedCmk } from '../src';
import { keyPolicyStatements, newStack, statementBySid, unacknowledged } from './support';

const BUCKET_NAME = 'kmsgov-c3a1b0d0-123456789012-us-east-1';

describe('EnvelopeEncryptedBucket defaults', () => {
  const { stack } = newStack();
  const data = new EnvelopeEncryptedBucket(stack, 'Data');
  const template = Template.fromStack(stack);
  const keyId = stack.getLogicalId((data.key as ManagedCmk).cfnKey);

  test('resources: a key with its alias, the bucket and its log bucket, each with a policy', () => {
    expect(Object.keys(template.toJSON().Resources).sort()).toEqual([
      'DataAccessLogsC0C25EE4',
      'DataAccessLogsPolicy459727B3',
      'DataBucketE6B0FAA8',
      'DataBucketPolicyE215AACA',
      'DataKey5F086070',
      'DataKeyAlias4CDA3754',
    ]);
  });

  test('SSE-KMS with the key, Bucket Key on, public access blocked, ACLs off, versioned, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: Match.stringLikeRegexp('^kmsgov-[0-9a-f]{8}-123456789012-us-east-1$'),
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } },
          ],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [{ Id: 'ExpireNoncurrentVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: 'DataAccessLogsC0C25EE4' }, LogFilePrefix: 'access-logs/' },
      }),
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/envelope-bucket/TestStack-Data-A071694C' });
  });

  test('the log bucket gets the same protections', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: Match.absent(),
        BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: [Match.objectLike({ BucketKeyEnabled: true })] }),
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
  });

  test('the bucket policy refuses plain HTTP, old TLS, other encryption and other keys', () => {
    const policy = Object.values<any>(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === 'DataBucketE6B0FAA8');
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      expect.objectContaining({
        Sid: 'DenyOtherEncryption',
        Effect: 'Deny',
        Action: 's3:PutObject',
        Condition: { Null: { 's3:x-amz-server-side-encryption': 'false' }, StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      }),
      expect.objectContaining({
        Sid: 'DenyOtherKey',
        Effect: 'Deny',
        Condition: {
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
          StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [keyId, 'Arn'] } },
        },
      }),
    ]));
  });

  test('log delivery may write only this bucket\'s logs and create data keys, nothing else', () => {
    const logPolicy = Object.values<any>(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === 'DataAccessLogsC0C25EE4');
    const delivery = logPolicy.Properties.PolicyDocument.Statement.find((s: any) => s.Principal?.Service === 'logging.s3.amazonaws.com');
    expect(delivery).toMatchObject({
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/^:s3:::kmsgov-[0-9a-f]{8}-123456789012-us-east-1$/)]] } } },
    });
    expect(statementBySid(template, 'S3ServerAccessLogDelivery', keyId)).toMatchObject({ Action: 'kms:GenerateDataKey', Principal: { Service: 'logging.s3.amazonaws.com' } });
  });

  test('zero unacknowledged findings from the cdk-nag packs', () => {
    expect(unacknowledged(stack)).toEqual([]);
  });
});

describe('EnvelopeEncryptedBucket grants', () => {
  test.each([
    ['grantRead', 'S3Read', 'kms:Decrypt', ['s3:GetObject', 's3:GetObjectVersion']],
    ['grantWrite', 'S3Write', ['kms:Decrypt', 'kms:GenerateDataKey'], ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging']],
  ] as const)('%s: S3 actions in the bucket policy, KMS in the key policy through S3 for this bucket only', (method, sid, kmsActions, s3Actions) => {
    const { stack } = newStack();
    const data = new EnvelopeEncryptedBucket(stack, 'Data', { bucketName: 'acme-data' });
    const reader = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    data[method](reader);
    const t = Template.fromStack(stack);
    const keyId = stack.getLogicalId((data.key as ManagedCmk).cfnKey);
    expect(statementBySid(t, sid, keyId)).toMatchObject({
      Action: kmsActions,
      Principal: { AWS: { 'Fn::GetAtt': ['AppF1B96344', 'Arn'] } },
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-data']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-data/*']] },
          ],
        },
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Action: s3Actions, Principal: { AWS: { 'Fn::GetAtt': ['AppF1B96344', 'Arn'] } } })]) },
    });
    t.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('grantReadWrite never grants deleting object versions', () => {
    const { stack } = newStack();
    const data = new EnvelopeEncryptedBucket(stack, 'Data');
    data.grantReadWrite(new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('s3:DeleteObjectVersion');
  });

  test('a plain kms.Key works: S3 and KMS access as CDK grants it', () => {
    const { stack } = newStack();
    const key = new kms.Key(stack, 'Plain', { enableKeyRotation: true });
    const data = new EnvelopeEncryptedBucket(stack, 'Data', { key });
    data.grantRead(new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Plain'), 'Arn'] } } })] },
    });
  });
});

describe('EnvelopeEncryptedBucket props', () => {
  test('a given key, name, log bucket, prefix, lifecycle and removal policy are honoured', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'data' });
    const logs = new s3.Bucket(stack, 'CentralLogs', { enforceSSL: true });
    new EnvelopeEncryptedBucket(stack, 'Data', {
      key,
      bucketName: 'acme-data',
      accessLogsBucket: logs,
      accessLogsPrefix: 'acme-data/',
      noncurrentVersionExpiration: Duration.days(30),
      lifecycleRules: [{ id: 'Archive', transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(365) }] }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BucketName: 'acme-data',
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^CentralLogs') }, LogFilePrefix: 'acme-data/' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }), Match.objectLike({ Id: 'Archive' })] },
      }),
    });
    expect(Object.keys(t.findResources('AWS::KMS::Key'))).toHaveLength(1);
    expect(Object.keys(t.findResources('AWS::S3::Bucket'))).toHaveLength(2);
    expect(keyPolicyStatements(t).map((s) => s.Sid)).toEqual(['KeyRootAdministration', 'DenyGrantsNotForAwsResources']);
  });

  test.each<[string, any, RegExp]>([
    ['an upper-case name', { bucketName: 'Acme-Data' }, /'bucketName' must be lowercase letters, digits, dots and hyphens.* Received: "Acme-Data"/],
    ['a name too short', { bucketName: 'ab' }, /'bucketName' must be between 3 and 63 characters long. Received: "ab"/],
    ['a name too long', { bucketName: 'a'.repeat(64) }, /'bucketName' must be between 3 and 63 characters long/],
    ['a name with ..', { bucketName: 'acme..data' }, /'bucketName' must not contain '..' or look like an IP address. Received: "acme..data"/],
    ['a name like an IP address', { bucketName: '192.168.1.1' }, /'bucketName' must not contain '..' or look like an IP address. Received: "192.168.1.1"/],
    ['a name ending in a hyphen', { bucketName: 'acme-' }, /'bucketName' must be lowercase .* Received: "acme-"/],
    ['noncurrent versions kept 0 days', { noncurrentVersionExpiration: Duration.days(0) }, /'noncurrentVersionExpiration' must be a whole number of days between 1 and 36500. Received: 0 days/],
    ['noncurrent versions kept 12 hours', { noncurrentVersionExpiration: Duration.hours(12) }, /'noncurrentVersionExpiration' .* Received: 12 hours/],
    ['a log prefix over 1024 characters', { accessLogsPrefix: 'p'.repeat(1025) }, /'accessLogsPrefix' must be between 0 and 1024 characters long/],
  ])('bad input: %s', (_name, props, message) => {
    const { stack } = newStack();
    expect(() => new EnvelopeEncryptedBucket(stack, 'Data', props)).toThrow(message);
  });

  test('bad input: an asymmetric ManagedCmk', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', keySpec: kms.KeySpec.RSA_3072 });
    expect(() => new EnvelopeEncryptedBucket(stack, 'Data', { key })).toThrow(/'key' must be a symmetric encryption key: S3 supports only those for SSE-KMS. Received: TestStack\/Cmk \(RSA_3072\)/);
  });

  test('bad input: an empty object-key pattern in a grant', () => {
    const { stack } = newStack();
    const data = new EnvelopeEncryptedBucket(stack, 'Data');
    expect(() => data.grantRead(new iam.Role(stack, 'App', { assumedBy: new iam.AccountRootPrincipal() }), '')).toThrow(/'objectsKeyPattern' must be between 1 and 1024 characters long. Received: ""/);
  });

  test('unresolved tokens are not validated', () => {
    const { app, stack } = newStack();
    new EnvelopeEncryptedBucket(stack, 'Data', { bucketName: new CfnParameter(stack, 'BucketName').valueAsString });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('EnvelopeEncryptedBucket naming, for a stack destroyed and deployed again', () => {
  /** Pinned: a change to the default name would replace the bucket of every stack deployed with it. */
  const DEFAULT_NAME = 'kmsgov-7d482023-123456789012-us-east-1';
  const suffix = { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] };

  test('by default the name is the same for every deployment of the stack (existing stacks keep their bucket)', () => {
    const { stack } = newStack();
    new EnvelopeEncryptedBucket(stack, 'Data', {});
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', { BucketName: DEFAULT_NAME });
  });

  test('STACK_INSTANCE: the same name with 8 hex digits of the stack id, also in the key policy and the log-delivery condition', () => {
    const { stack } = newStack();
    const data = new EnvelopeEncryptedBucket(stack, 'Data', { bucketNaming: BucketNaming.STACK_INSTANCE });
    data.grantRead(new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    const t = Template.fromStack(stack);
    const name = { 'Fn::Join': ['', [`${DEFAULT_NAME}-`, suffix]] };
    t.hasResourceProperties('AWS::S3::Bucket', { BucketName: name });
    // the key policy names the bucket by the same pseudo-parameter expression: no reference to the bucket, no cycle
    const read = statementBySid(t, 'S3Read');
    expect(JSON.stringify(read.Condition)).toContain(JSON.stringify(suffix));
    expect(JSON.stringify(read.Condition)).not.toContain('DataBucket');
    const logPolicy = Object.values<any>(t.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p).includes('logging.s3.amazonaws.com'));
    expect(JSON.stringify(logPolicy)).toContain(JSON.stringify(suffix));
    // the logical ids are those of the default configuration
    expect(Object.keys(t.findResources('AWS::S3::Bucket')).sort()).toEqual(['DataAccessLogsC0C25EE4', 'DataBucketE6B0FAA8']);
  });

  test('STACK_INSTANCE names stay within 63 characters in the longest Region', () => {
    const { stack } = newStack('TestStack', { env: { account: '123456789012', region: 'ap-southeast-5' } });
    const data = new EnvelopeEncryptedBucket(stack, 'Data', { bucketNaming: BucketNaming.STACK_INSTANCE });
    const literal = (stack.resolve(data.bucketName)['Fn::Join'][1][0] as string);
    expect(literal.length + 8).toBeLessThanOrEqual(63);
  });

  test('bad input: a bucketName and a bucketNaming', () => {
    const { stack } = newStack();
    expect(() => new EnvelopeEncryptedBucket(stack, 'Data', { bucketName: 'acme-data', bucketNaming: BucketNaming.STACK_INSTANCE }))
      .toThrow(/'bucketNaming' applies only to the default name: give either 'bucketName' or 'bucketNaming'. Received: both \("acme-data", STACK_INSTANCE\)/);
  });
});

// Keep the pinned default name honest: it is derived from the stack name and construct path.
test('the default bucket name is stable for a given stack and path', () => {
  const a = newStack();
  const b = newStack();
  const nameOf = (s: typeof a) => {
    new EnvelopeEncryptedBucket(s.stack, 'Data');
    return Object.values<any>(Template.fromStack(s.stack).findResources('AWS::S3::Bucket')).map((r) => r.Properties.BucketName).filter(Boolean)[0];
  };
  expect(nameOf(a)).toBe(nameOf(b));
  expect(nameOf(newStack('OtherStack'))).not.toBe(BUCKET_NAME);
});
