import { App, Duration, Stack } from 'aws-cdk-lib';
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
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { KeyAdminRole, ManagedCmk } from '../../src';
import { expandKmsAction } from '../../src/private/kms-actions';
import { SERVICE_INTEGRATIONS, ServiceIntegration } from '../../src/private/service-contract';
import { PolicySimulator, TEST_ENV } from '../support';

/**
 * The service contract, proven with the IAM policy simulator over the synthesized key policy: for every
 * integration, a plain resource of that service uses the ManagedCmk (no library code), and then
 * - the deploying role (same account, kms:* in its IAM policy) may make each documented request
 *   through the service, and not directly, and nobody from another account may;
 * - a role of the account without an IAM policy for KMS may not (IAM must still allow it);
 * - an administrator may not, even with kms:* in IAM (the key policy denies administrators use);
 * - the service principal may use the key only with its source conditions.
 */
const ACCOUNT = TEST_ENV.account;
const REGION = TEST_ENV.region;
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::999999999999:role/Outsider';

/** One resource of each service that uses the key through the service (L1s, as CloudFormation sees them). */
function useThroughServices(scope: Construct, key: ManagedCmk): void {
  const arn = key.keyArn;
  new dynamodb.CfnTable(scope, 'Table', {
    keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
    attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }],
    billingMode: 'PAY_PER_REQUEST',
    sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: arn },
  });
  new rds.CfnDBCluster(scope, 'Cluster', { engine: 'aurora-postgresql', storageEncrypted: true, kmsKeyId: arn });
  new secretsmanager.CfnSecret(scope, 'Secret', { kmsKeyId: arn });
  new lambda.CfnFunction(scope, 'Fn', { role: `arn:aws:iam::${ACCOUNT}:role/fn`, code: { zipFile: 'x' }, runtime: 'nodejs22.x', handler: 'index.handler', kmsKeyArn: arn });
  new ec2.CfnVolume(scope, 'Volume', { availabilityZone: `${REGION}a`, size: 1, encrypted: true, kmsKeyId: arn });
  new efs.CfnFileSystem(scope, 'Fs', { encrypted: true, kmsKeyId: arn });
  new kinesis.CfnStream(scope, 'Stream', { shardCount: 1, streamEncryption: { encryptionType: 'KMS', keyId: arn } });
  new backup.CfnBackupVault(scope, 'Vault', { backupVaultName: 'vault', encryptionKeyArn: arn });
  new ecr.CfnRepository(scope, 'Repo', { encryptionConfiguration: { encryptionType: 'KMS', kmsKey: arn } });
}

/** The services whose principals use the key, and the publishing paths. */
function useByServicePrincipals(stack: Stack, key: ManagedCmk): void {
  new logs.CfnLogGroup(stack, 'Logs', { kmsKeyId: key.keyArn, retentionInDays: 365 });
  new cloudtrail.CfnTrail(stack, 'Trail', { isLogging: true, s3BucketName: 'trail-bucket', kmsKeyId: key.keyArn });
  new events.CfnEventBus(stack, 'Bus', { name: 'orders', kmsKeyIdentifier: key.keyArn });
  const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
  const topic = new sns.Topic(stack, 'Topic', { masterKey: key });
  new sns.Topic(stack, 'Source').addSubscription(new subs.SqsSubscription(queue));
  const rule = new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) });
  rule.addTarget(new targets.SqsQueue(queue));
  rule.addTarget(new targets.SnsTopic(topic));
  new cloudwatch.Alarm(stack, 'Alarm', { metric: new cloudwatch.Metric({ namespace: 'T', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 })
    .addAlarmAction(new cwActions.SnsAction(topic));
  new s3.Bucket(stack, 'Bucket').addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue));
}

function build() {
  const app = new App();
  const stack = new Stack(app, 'Contract', { env: TEST_ENV });
  const lambdaService = new iam.ServicePrincipal('lambda.amazonaws.com');
  const deployer = new iam.Role(stack, 'Deployer', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: lambdaService });
  const keyAdmin = new KeyAdminRole(stack, 'KeyAdmin', { assumedBy: new iam.AccountPrincipal(ACCOUNT) });
  new iam.Role(stack, 'Bystander', { assumedBy: lambdaService });
  // The deploying role, and administrators, with everything KMS can do in IAM.
  new iam.ManagedPolicy(stack, 'KmsEverything', {
    roles: [deployer, admin, keyAdmin],
    statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })],
  });
  const key = new ManagedCmk(stack, 'Cmk', { alias: 'contract', administrators: [admin, keyAdmin] });
  useThroughServices(new Construct(stack, 'Uses'), key);
  useByServicePrincipals(stack, key);
  return PolicySimulator.fromStacks(stack);
}

/** A concrete action for each pattern of the contract (`kms:GenerateDataKey*` → each GenerateDataKey action). */
function concrete(actions: readonly string[]): string[] {
  return [...new Set(actions.flatMap((a) => expandKmsAction(a)))].filter((a) => !a.includes('Pair')).sort();
}

const VIA = SERVICE_INTEGRATIONS.filter((i) => i.viaService) as Array<ServiceIntegration & { viaService: NonNullable<ServiceIntegration['viaService']> }>;
const CASES = VIA.flatMap((i) => concrete(i.viaService.actions).map((action) => [i.id, action, `${i.viaService.endpoint}.${REGION}.amazonaws.com`] as const));

describe('through the service: the deploying role and the users of the account, never directly, never another account', () => {
  const sim = build();
  const key = sim.keyArn('Cmk');
  const decide = (principal: string, action: string, context: Record<string, string> = {}) =>
    sim.decide({ principal, action, resource: key, context });

  test('there are cases for every via-service integration', () => {
    expect(new Set(CASES.map(([id]) => id))).toEqual(new Set(VIA.map((i) => i.id)));
    expect(CASES.length).toBeGreaterThan(25);
  });

  test.each(CASES)('%s: the deploying role may %s through %s', async (_id, action, via) => {
    expect(await decide(sim.roleArn('Deployer'), action, { 'kms:ViaService': via })).toBe('Allowed');
  });

  test.each(CASES.filter(([, action]) => action !== 'kms:DescribeKey'))('%s: the deploying role may not %s directly (no kms:ViaService)', async (_id, action) => {
    expect(await decide(sim.roleArn('Deployer'), action)).toBe('ImplicitlyDenied');
  });

  test.each(CASES)('%s: a role of another account may not %s through %s', async (_id, action, via) => {
    expect(await sim.decide({ principal: OTHER_ACCOUNT_ROLE, action, resource: key, context: { 'kms:ViaService': via, 'kms:CallerAccount': '999999999999' } }))
      .not.toBe('Allowed');
  });

  test.each(CASES)('%s: a role without an IAM policy for KMS may not %s through %s', async (_id, action, via) => {
    expect(await decide(sim.roleArn('Bystander'), action, { 'kms:ViaService': via })).toBe('ImplicitlyDenied');
  });

  // DescribeKey is administration too (it confers no use): administrators keep it.
  const useCases = CASES.filter(([, action]) => action !== 'kms:DescribeKey');
  test.each(useCases)('%s: an administrator with kms:* in IAM may not %s through %s', async (_id, action, via) => {
    expect(await decide(sim.roleArn('Admin'), action, { 'kms:ViaService': via })).toBe('ExplicitlyDenied');
    expect(await decide(sim.roleArn('KeyAdmin'), action, { 'kms:ViaService': via })).toBe('ExplicitlyDenied');
  });

  test.each(VIA.filter((i) => i.viaService.grants).map((i) => [i.id, `${i.viaService.endpoint}.${REGION}.amazonaws.com`]))(
    '%s: grants through %s only for AWS resources', async (_id, via) => {
      expect(await decide(sim.roleArn('Deployer'), 'kms:CreateGrant', { 'kms:ViaService': via, 'kms:GrantIsForAWSResource': 'true' })).toBe('Allowed');
      expect(await decide(sim.roleArn('Deployer'), 'kms:CreateGrant', { 'kms:ViaService': via, 'kms:GrantIsForAWSResource': 'false' })).toBe('ExplicitlyDenied');
      expect(await decide(sim.roleArn('Deployer'), 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' })).toBe('ImplicitlyDenied');
    });

  test.each(VIA.filter((i) => !i.viaService.grants).map((i) => [i.id, `${i.viaService.endpoint}.${REGION}.amazonaws.com`]))(
    '%s: no grants through %s (the service uses none)', async (_id, via) => {
      expect(await decide(sim.roleArn('Deployer'), 'kms:CreateGrant', { 'kms:ViaService': via, 'kms:GrantIsForAWSResource': 'true' })).toBe('ImplicitlyDenied');
    });

  test('a service in another Region, or a service of the contract used for another one, is not through the service', async () => {
    expect(await decide(sim.roleArn('Deployer'), 'kms:Decrypt', { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' })).toBe('ImplicitlyDenied');
    expect(await decide(sim.roleArn('Deployer'), 'kms:Encrypt', { 'kms:ViaService': `rds.${REGION}.amazonaws.com` })).toBe('ImplicitlyDenied');
    expect(await decide(sim.roleArn('Deployer'), 'kms:Decrypt', { 'kms:ViaService': `s3.${REGION}.amazonaws.com` })).toBe('ImplicitlyDenied');
  });

  test('nobody administers the key through a contract statement: the deploying role administers it only through IAM', async () => {
    expect(await decide(sim.roleArn('Bystander'), 'kms:ScheduleKeyDeletion', { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com` })).toBe('ImplicitlyDenied');
  });
});

/** Service principals, with the context that makes each of their requests this account's. */
const SERVICE_PRINCIPALS: Array<[string, string, string, Record<string, string>, Record<string, string>]> = [
  ['log groups', `logs.${REGION}.amazonaws.com`, 'kms:GenerateDataKey',
    { ['kms:EncryptionContext:aws:logs:arn']: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app` },
    { ['kms:EncryptionContext:aws:logs:arn']: `arn:aws:logs:${REGION}:999999999999:log-group:app` }],
  ['trails', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey',
    { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/t`, 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/t` },
    { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:999999999999:trail/t`, 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:${REGION}:999999999999:trail/t` }],
  ['event buses', 'events.amazonaws.com', 'kms:GenerateDataKey',
    { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/orders` },
    { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:events:${REGION}:999999999999:event-bus/orders` }],
  ['SNS to the queue', 'sns.amazonaws.com', 'kms:GenerateDataKey',
    { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:sns:${REGION}:${ACCOUNT}:source` },
    { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:sns:${REGION}:999999999999:source` }],
  ['EventBridge rules to the queue', 'events.amazonaws.com', 'kms:Decrypt',
    { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/r` },
    { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:events:${REGION}:999999999999:rule/r` }],
  ['EventBridge rules to the topic (no source keys: SNS documents none for it; the topic ARN SNS puts in the encryption context)', 'events.amazonaws.com', 'kms:GenerateDataKeyWithoutPlaintext',
    { 'kms:EncryptionContext:aws:sns:topicArn': `arn:aws:sns:${REGION}:${ACCOUNT}:alerts` },
    { 'kms:EncryptionContext:aws:sns:topicArn': `arn:aws:sns:${REGION}:999999999999:alerts` }],
  ['CloudWatch alarms to the topic', 'cloudwatch.amazonaws.com', 'kms:GenerateDataKey',
    { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:a` },
    { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:999999999999:alarm:a` }],
  ['S3 notifications to the queue', 's3.amazonaws.com', 'kms:GenerateDataKey',
    { 'aws:SourceAccount': ACCOUNT },
    { 'aws:SourceAccount': '999999999999' }],
];

describe('service principals: with their source conditions only', () => {
  const sim = build();
  const key = sim.keyArn('Cmk');

  test.each(SERVICE_PRINCIPALS)('%s: %s may %s for this account', async (_what, principal, action, ours) => {
    expect(await sim.decide({ principal, action, resource: key, context: ours, allowInapplicableContextKeys: true })).toBe('Allowed');
  });

  test.each(SERVICE_PRINCIPALS)('%s: %s may not %s for another account (confused deputy)', async (_what, principal, action, _ours, theirs) => {
    expect(await sim.decide({ principal, action, resource: key, context: theirs, allowInapplicableContextKeys: true })).not.toBe('Allowed');
  });

  test.each(SERVICE_PRINCIPALS)('%s: %s may not %s without any source', async (_what, principal, action) => {
    expect(await sim.decide({ principal, action, resource: key })).not.toBe('Allowed');
  });

  test.each(SERVICE_PRINCIPALS)('%s: %s may not administer the key', async (_what, principal, _action, ours) => {
    expect(await sim.decide({ principal, action: 'kms:ScheduleKeyDeletion', resource: key, context: ours, allowInapplicableContextKeys: true })).not.toBe('Allowed');
  });
});

describe('runtime users get what their grant asked for, and nothing more', () => {
  function withUser(grant: (scope: Stack, key: ManagedCmk, role: iam.Role) => void) {
    const app = new App();
    const stack = new Stack(app, 'Runtime', { env: TEST_ENV });
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'runtime' });
    const role = new iam.Role(stack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grant(stack, key, role);
    const sim = PolicySimulator.fromStacks(stack);
    return (action: string, context: Record<string, string> = {}) => sim.decide({ principal: sim.roleArn('User'), action, resource: sim.keyArn('Cmk'), context });
  }

  test('a table reader decrypts, and cannot encrypt', async () => {
    const decide = withUser((s, key, role) => new dynamodb.Table(s, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key,
    }).grantReadData(role));
    expect(await decide('kms:Decrypt', { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com` })).toBe('Allowed');
    expect(await decide('kms:Encrypt', { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com` })).toBe('ImplicitlyDenied');
    expect(await decide('kms:ScheduleKeyDeletion')).toBe('ImplicitlyDenied');
  });

  test('a queue producer may create data keys and decrypt; a consumer only decrypt', async () => {
    const producer = withUser((s, key, role) => new sqs.Queue(s, 'Queue', { encryptionMasterKey: key }).grantSendMessages(role));
    expect(await producer('kms:GenerateDataKey')).toBe('Allowed');
    expect(await producer('kms:Decrypt')).toBe('Allowed');
    const consumer = withUser((s, key, role) => new sqs.Queue(s, 'Queue', { encryptionMasterKey: key }).grantConsumeMessages(role));
    expect(await consumer('kms:Decrypt')).toBe('Allowed');
    expect(await consumer('kms:GenerateDataKey')).toBe('ImplicitlyDenied');
    expect(await consumer('kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' })).toBe('ImplicitlyDenied');
  });

  test('a topic publisher may create data keys, and cannot administer the key', async () => {
    const publisher = withUser((s, key, role) => new sns.Topic(s, 'Topic', { masterKey: key }).grantPublish(role));
    expect(await publisher('kms:GenerateDataKey')).toBe('Allowed');
    expect(await publisher('kms:PutKeyPolicy')).toBe('ImplicitlyDenied');
  });
});
