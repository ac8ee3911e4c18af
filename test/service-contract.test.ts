import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as neptune from 'aws-cdk-lib/aws-neptune';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { KeyAuditTrail, ManagedCmk } from '../src';
import { asArray, keyPolicyStatements, newStack, TEST_ENV } from './support';
import { SERVICE_INTEGRATIONS } from '../src/private/service-contract';

/**
 * The key learns who uses it: a plain L2 or L1 pointing at a ManagedCmk in its encryption property
 * (or publishing into a queue or topic encrypted with it) gets the service contract's statements in
 * the key policy, and nothing else.
 */

const ACCOUNT = TEST_ENV.account;
const REGION = TEST_ENV.region;
const ROOT = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:root`]] } };
const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT } });
const arnPattern = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

/** The key policy statements, without the ones every key has. */
function added(stack: Stack, key: ManagedCmk): any[] {
  return keyPolicyStatements(Template.fromStack(stack), stack.getLogicalId(key.cfnKey))
    .filter((s: any) => !['KeyRootAdministration', 'DenyGrantsNotForAwsResources'].includes(s.Sid));
}

function viaService(service: string, sid: string, actions: string[], grantsSid?: string): any[] {
  const out: any[] = [{ Sid: sid, Effect: 'Allow', Principal: ROOT, Action: actions.length === 1 ? actions[0] : actions, Resource: '*', Condition: via(service) }];
  if (grantsSid) {
    out.push({ Sid: grantsSid, Effect: 'Allow', Principal: ROOT, Action: 'kms:CreateGrant', Resource: '*', Condition: { ...via(service), Bool: { 'kms:GrantIsForAWSResource': true } } });
  }
  return out;
}

const SYMMETRIC = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

type Build = (scope: Construct, key: ManagedCmk) => void;

const THROUGH_SERVICES: Array<[string, Build, any[]]> = [
  ['a DynamoDB table (L2)', (s, key) => new dynamodb.Table(s, 'Table', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key,
  }), viaService('dynamodb', 'ViaDynamoDb', SYMMETRIC, 'ViaDynamoDbGrants')],
  ['a DynamoDB global table (L1, a replica)', (s, key) => new dynamodb.CfnGlobalTable(s, 'Global', {
    attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }],
    keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
    billingMode: 'PAY_PER_REQUEST',
    replicas: [{ region: REGION, sseSpecification: { kmsMasterKeyId: key.keyArn } }],
  }), viaService('dynamodb', 'ViaDynamoDb', SYMMETRIC, 'ViaDynamoDbGrants')],
  ['an RDS instance (L1)', (s, key) => new rds.CfnDBInstance(s, 'Db', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', storageEncrypted: true, kmsKeyId: key.keyArn }),
    viaService('rds', 'ViaRds', ['kms:DescribeKey'], 'ViaRdsGrants')],
  ['an Aurora cluster with Performance Insights under the key (L1)', (s, key) => new rds.CfnDBCluster(s, 'Cluster', {
    engine: 'aurora-postgresql', storageEncrypted: true, kmsKeyId: key.keyArn, performanceInsightsEnabled: true, performanceInsightsKmsKeyId: key.keyArn,
  }), viaService('rds', 'ViaRds', ['kms:DescribeKey'], 'ViaRdsGrants')],
  ['an RDS master user secret under the key (L1)', (s, key) => new rds.CfnDBInstance(s, 'Db', {
    engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', manageMasterUserPassword: true, masterUsername: 'admin', masterUserSecret: { kmsKeyId: key.keyArn },
  }), viaService('secretsmanager', 'ViaSecretsManager', ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'])],
  ['a Secrets Manager secret (L1)', (s, key) => new secretsmanager.CfnSecret(s, 'Secret', { kmsKeyId: key.keyArn }),
    viaService('secretsmanager', 'ViaSecretsManager', ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'])],
  ['a Lambda function with environment encryption (L2)', (s, key) => new lambda.Function(s, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'), environmentEncryption: key, environment: { MODE: 'b' },
  }), viaService('lambda', 'ViaLambda', ['kms:Decrypt', 'kms:Encrypt'], 'ViaLambdaGrants')],
  ['an EBS volume (L1)', (s, key) => new ec2.CfnVolume(s, 'Volume', { availabilityZone: `${REGION}a`, size: 1, encrypted: true, kmsKeyId: key.keyArn }),
    viaService('ec2', 'EbsViaEc2', SYMMETRIC, 'EbsGrantsViaEc2')],
  ['a launch template with an encrypted volume (L1)', (s, key) => new ec2.CfnLaunchTemplate(s, 'Template', {
    launchTemplateData: { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, kmsKeyId: key.keyArn } }] },
  }), viaService('ec2', 'EbsViaEc2', SYMMETRIC, 'EbsGrantsViaEc2')],
  ['an EC2 instance with an encrypted volume (L1)', (s, key) => new ec2.CfnInstance(s, 'Instance', {
    imageId: 'ami-12345678', blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, kmsKeyId: key.keyArn } }],
  }), viaService('ec2', 'EbsViaEc2', SYMMETRIC, 'EbsGrantsViaEc2')],
  ['an EFS file system (L1)', (s, key) => new efs.CfnFileSystem(s, 'Fs', { encrypted: true, kmsKeyId: key.keyArn }),
    viaService('elasticfilesystem', 'ViaEfs', ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'], 'ViaEfsGrants')],
  ['a Kinesis stream (L2)', (s, key) => new kinesis.Stream(s, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key }),
    viaService('kinesis', 'ViaKinesis', ['kms:DescribeKey', 'kms:GenerateDataKey'])],
  ['a Backup vault (L2)', (s, key) => new backup.BackupVault(s, 'Vault', { encryptionKey: key }),
    viaService('backup', 'ViaBackup', ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'], 'ViaBackupGrants')],
  ['an ECR repository (L2)', (s, key) => new ecr.Repository(s, 'Repo', { encryption: ecr.RepositoryEncryption.KMS, encryptionKey: key }),
    viaService('ecr', 'ViaEcr', ['kms:DescribeKey'], 'ViaEcrGrants')],
];

describe('resources that use a key through their service get the contract statements, and nothing else', () => {
  test.each(THROUGH_SERVICES)('%s', (_name, build, expected) => {
    // GIVEN a plain resource pointing at a ManagedCmk, with no library code
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'contract' });
    build(stack, key);
    // THEN the key policy holds exactly the contract's statements for that service
    expect(added(stack, key)).toEqual(expected);
  });

  test('two resources of one service share the statements; two services get theirs each', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'contract' });
    new secretsmanager.CfnSecret(stack, 'A', { kmsKeyId: key.keyArn });
    new secretsmanager.CfnSecret(stack, 'B', { kmsKeyId: key.keyArn });
    new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
    expect(added(stack, key).map((s) => s.Sid)).toEqual(['ViaSecretsManager', 'ViaKinesis']);
  });

  test('the Secret L2 also grants for itself: the account, through Secrets Manager only (aws-cdk-lib\'s own grants, kept as they are)', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'contract' });
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
    const statements = added(stack, key);
    expect(statements.map((s) => s.Sid)).toEqual(['KeyEncryptDecrypt', 'KeyActions', 'KeyGrantsForAwsResources', 'ViaSecretsManager']);
    for (const st of statements) {
      expect(st.Principal).toEqual(ROOT);
      expect(st.Condition.StringEquals['kms:ViaService']).toBe(`secretsmanager.${REGION}.amazonaws.com`);
    }
  });

  test('a reference by alias name (L1) counts too', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'by-alias' });
    new secretsmanager.CfnSecret(stack, 'Secret', { kmsKeyId: 'alias/by-alias' });
    expect(added(stack, key).map((s) => s.Sid)).toEqual(['ViaSecretsManager']);
  });
});

describe('resources whose service calls AWS KMS with its own identity get a service-principal statement with source conditions', () => {
  test('a log group: logs.<region> with the encryption context of this account\'s log groups (aws/aws-cdk#28304)', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'logs' });
    new logs.LogGroup(stack, 'Logs', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR });
    expect(added(stack, key)).toEqual([{
      Sid: 'CloudWatchLogs',
      Effect: 'Allow',
      Principal: { Service: `logs.${REGION}.amazonaws.com` },
      Action: SYMMETRIC,
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': arnPattern(`:logs:${REGION}:${ACCOUNT}:log-group:*`) } },
    }]);
  });

  test('a trail not created by KeyAuditTrail: CloudTrail for this account\'s trails', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'trail' });
    new cloudtrail.CfnTrail(stack, 'Trail', { isLogging: true, s3BucketName: 'some-bucket', kmsKeyId: key.keyArn });
    expect(added(stack, key)).toEqual([{
      Sid: 'CloudTrailTrails',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
        ArnLike: { 'aws:SourceArn': arnPattern(`:cloudtrail:${REGION}:${ACCOUNT}:trail/*`) },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': arnPattern(`:cloudtrail:*:${ACCOUNT}:trail/*`) },
      },
    }]);
  });

  test('KeyAuditTrail\'s own trail keeps its narrower statements: the contract adds nothing', () => {
    const { stack } = newStack();
    const audit = new KeyAuditTrail(stack, 'Audit', { trailName: 'narrow' });
    const sids = keyPolicyStatements(Template.fromStack(stack), stack.getLogicalId((audit.key as ManagedCmk).cfnKey)).map((s: any) => s.Sid);
    expect(sids).toContain('CloudTrailEncrypt');
    expect(sids).not.toContain('CloudTrailTrails');
  });

  test('an encrypted event bus: EventBridge for this account\'s buses', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'bus' });
    new events.CfnEventBus(stack, 'Bus', { name: 'orders', kmsKeyIdentifier: key.keyArn });
    expect(added(stack, key)).toEqual([{
      Sid: 'EventBridgeEventBuses',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': arnPattern(`:events:${REGION}:${ACCOUNT}:event-bus/*`) } },
    }]);
  });
});

describe('queues and topics need nothing at creation; services that publish into them get their statement', () => {
  test('an encrypted queue and topic alone add nothing', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'msg' });
    new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
    new sns.Topic(stack, 'Topic', { masterKey: key });
    expect(added(stack, key)).toEqual([]);
  });

  test('SNS to an encrypted queue: sns.amazonaws.com for this account\'s topics', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'msg' });
    const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
    new sns.Topic(stack, 'Topic').addSubscription(new subs.SqsSubscription(queue));
    expect(added(stack, key).find((s) => s.Sid === 'SnsToSqs')).toEqual({
      Sid: 'SnsToSqs',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': arnPattern(`:sns:${REGION}:${ACCOUNT}:*`) } },
    });
  });

  test("an EventBridge rule to an encrypted queue, and to an encrypted topic: the SNS case bound to this account's topics by the SNS encryption context, without source keys", () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'msg' });
    const rule = new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) });
    rule.addTarget(new targets.SqsQueue(new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key })));
    rule.addTarget(new targets.SnsTopic(new sns.Topic(stack, 'Topic', { masterKey: key })));
    const statements = added(stack, key);
    expect(statements.find((s) => s.Sid === 'EventBridgeDeadLetters')?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': arnPattern(`:events:${REGION}:${ACCOUNT}:rule/*`) },
    });
    expect(statements.find((s) => s.Sid === 'EventBridgeTopic')).toEqual({
      Sid: 'EventBridgeTopic',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': arnPattern(`:sns:${REGION}:${ACCOUNT}:*`) } },
    });
  });

  test('a CloudWatch alarm to an encrypted topic: cloudwatch.amazonaws.com for this account\'s alarms', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'alarms' });
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', { metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 });
    alarm.addAlarmAction(new cwActions.SnsAction(new sns.Topic(stack, 'Topic', { masterKey: key })));
    expect(added(stack, key)).toEqual([{
      Sid: 'CloudWatchAlarms',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': arnPattern(`:cloudwatch:${REGION}:${ACCOUNT}:alarm:*`) } },
    }]);
  });

  test('S3 event notifications to an encrypted queue: s3.amazonaws.com from this account', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'msg' });
    const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
    new s3.Bucket(stack, 'Bucket').addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue));
    expect(added(stack, key).find((s) => s.Sid === 'S3Notifications')).toEqual({
      Sid: 'S3Notifications',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
  });
});

describe('every statement for a service principal carries a source condition', () => {
  test('grants that other constructs make to a service principal get aws:SourceAccount', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'sp' });
    key.grantEncryptDecrypt(new iam.ServicePrincipal('sns.amazonaws.com'));
    key.grantDecrypt(new iam.ServicePrincipal('events.amazonaws.com'));
    for (const s of added(stack, key)) expect(s.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
  });

  test('on every key of every library configuration and of the contract tests above', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'all' });
    THROUGH_SERVICES.forEach(([, build], i) => build(new Construct(stack, `Use${i}`), key));
    const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
    new sns.Topic(stack, 'Topic').addSubscription(new subs.SqsSubscription(queue));
    for (const s of keyPolicyStatements(Template.fromStack(stack), stack.getLogicalId(key.cfnKey))) {
      if (s.Effect !== 'Allow' || !s.Principal.Service) continue;
      const keys = Object.values<any>(s.Condition ?? {}).flatMap((kv) => Object.keys(kv));
      expect([s.Sid, keys.some((k) => /^(aws:SourceAccount|aws:SourceArn|kms:ViaService|kms:EncryptionContext:)/.test(k))]).toEqual([s.Sid, true]);
    }
  });
});

describe('across stacks', () => {
  test('a table in an app stack using a key of a keys stack: the statements land, and the keys stack depends on nothing', () => {
    const { app, stack: keys } = newStack('Keys');
    const key = new ManagedCmk(keys, 'Key', { alias: 'shared' });
    const appStack = new Stack(app, 'App', { env: TEST_ENV });
    new dynamodb.Table(appStack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key });
    new logs.LogGroup(appStack, 'Logs', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR });
    app.synth();
    expect(added(keys, key).map((s) => s.Sid)).toEqual(['ViaDynamoDb', 'ViaDynamoDbGrants', 'CloudWatchLogs']);
    expect(keys.dependencies).toEqual([]);
    expect(appStack.dependencies).toEqual([keys]);
  });
});

describe('what the contract does not know', () => {
  test('a resource type without a contract entry that uses a library key gets a warning naming it', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'unknown' });
    const unknown = new neptune.CfnDBCluster(stack, 'Graph', { storageEncrypted: true, kmsKeyId: key.keyArn });
    Template.fromStack(stack);
    const messages = unknown.node.metadata.filter((m: any) => m.type === 'aws:cdk:warning').map((m: any) => m.data);
    expect(messages).toEqual([expect.stringMatching(/TestStack\/Graph \(AWS::Neptune::DBCluster\) uses the key TestStack\/Key through KmsKeyId.*key\.grantScoped/)]);
  });

  test('a signing key used to encrypt a table is a clear error', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'signing', keySpec: kms.KeySpec.ECC_NIST_P256 });
    new dynamodb.CfnTable(stack, 'Table', {
      keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }],
      sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: key.keyArn },
    });
    expect(() => Template.fromStack(stack)).toThrow(/TestStack\/Table \(AWS::DynamoDB::Table\) uses a key for Amazon DynamoDB, and its key policy cannot allow it: 'actions' must apply to a SIGN_VERIFY key/);
  });
});

describe('the contract data', () => {
  test('every entry cites AWS documentation and names a CloudFormation reference', () => {
    for (const i of SERVICE_INTEGRATIONS) {
      expect(i.docs.length).toBeGreaterThan(0);
      for (const d of i.docs) expect(d).toMatch(/^https:\/\/(docs\.aws\.amazon\.com|repost\.aws)\//);
      expect(i.references.length).toBeGreaterThan(0);
    }
  });

  test('no via-service statement without kms:ViaService and kms:CallerAccount, and no Principal "*" Allow at all', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'all' });
    THROUGH_SERVICES.forEach(([, build], i) => build(new Construct(stack, `Use${i}`), key));
    for (const s of keyPolicyStatements(Template.fromStack(stack), stack.getLogicalId(key.cfnKey))) {
      if (s.Effect === 'Allow') expect(JSON.stringify(s.Principal)).not.toBe('{"AWS":"*"}');
      if (s.Sid.startsWith('Via') || s.Sid.startsWith('Ebs')) expect(Object.keys(s.Condition.StringEquals).sort()).toEqual(['kms:CallerAccount', 'kms:ViaService']);
    }
    expect(Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => asArray<string>(st.Action).some((a) => a.startsWith('kms:')))).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', Match.anyValue());
  });
});

test('the scan leaves properties that take a parameter where a number goes alone: an alarm threshold from a CfnParameter', () => {
  // The scan renders every resource of the app with references marked; a marker must pass the
  // property validators that accept { Ref } where they want a number.
  const { stack } = newStack();
  const key = new ManagedCmk(stack, 'Key', { alias: 'with-parameter' });
  const threshold = new CfnParameter(stack, 'Threshold', { type: 'Number', default: 5 });
  const topic = new sns.Topic(stack, 'Alarms', { masterKey: key, enforceSSL: true });
  const alarm = new cloudwatch.Alarm(stack, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }),
    threshold: threshold.valueAsNumber,
    evaluationPeriods: 1,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(topic));
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: { Ref: 'Threshold' } });
  expect(keyPolicyStatements(template, stack.getLogicalId(key.cfnKey)).map((s) => s.Sid)).toContain('CloudWatchAlarms');
});
