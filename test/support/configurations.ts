import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TEST_ENV } from './stacks';
import { buildExampleApp } from '../../examples/app';
import {
  BucketNaming,
  EbsDefaultEncryption,
  EncryptedSecureStringParam,
  EnvelopeEncryptedBucket,
  KeyAdminRole,
  KeyAuditorRole,
  KeyAuditTrail,
  KeyHealthCanary,
  KmsGovernanceBaseline,
  KmsGovernanceStackSet,
  ManagedCmk,
  ManagedCmkReplica,
  RootAccess,
  SecureStringValue,
} from '../../src';

/**
 * One app with every construct of the library in its default configuration, in several
 * non-default configurations, and the example app: the configurations that the logical-ID
 * snapshot and the compliance checks cover.
 */
export function allConfigurations(): App {
  const app = new App();
  const stack = (id: string, env = TEST_ENV) => new Stack(app, id, { env });
  const account = new iam.AccountPrincipal(TEST_ENV.account);
  const lambdaRole = (s: Stack, id: string) => new iam.Role(s, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  // Defaults.
  new ManagedCmk(stack('ManagedCmkDefault'), 'Key', { alias: 'default' });
  new KeyAdminRole(stack('KeyAdminRoleDefault'), 'Admins', { assumedBy: account });
  new KeyAuditorRole(stack('KeyAuditorRoleDefault'), 'Auditor', { assumedBy: account });
  new EnvelopeEncryptedBucket(stack('EnvelopeEncryptedBucketDefault'), 'Data');
  new KeyAuditTrail(stack('KeyAuditTrailDefault'), 'Audit');
  const canaryStack = stack('KeyHealthCanaryDefault');
  new KeyHealthCanary(canaryStack, 'Canary', { key: new ManagedCmk(canaryStack, 'Key', { alias: 'canary' }) });
  const primary = new ManagedCmk(stack('ReplicaPrimary'), 'Key', { alias: 'replicated', multiRegion: true });
  new ManagedCmkReplica(stack('ManagedCmkReplicaDefault', { ...TEST_ENV, region: 'eu-west-1' }), 'Key', {
    primaryKey: primary,
    primaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    alias: 'replicated',
  });
  const ebsStack = stack('EbsDefaultEncryptionDefault');
  new EbsDefaultEncryption(ebsStack, 'EbsDefault', { key: new ManagedCmk(ebsStack, 'Key', { alias: 'ebs' }) });
  const paramStack = stack('EncryptedSecureStringParamDefault');
  new EncryptedSecureStringParam(paramStack, 'Param', {
    key: new ManagedCmk(paramStack, 'Key', { alias: 'params' }),
    parameterName: '/app/db/password',
    value: SecureStringValue.generated(),
  });

  // Non-default configurations.
  const keys = stack('ManagedCmkConfigured');
  const admins = new KeyAdminRole(keys, 'Admins', { assumedBy: account, roleName: 'key-admins' });
  const user = lambdaRole(keys, 'User');
  const configured = new ManagedCmk(keys, 'Configured', {
    alias: 'configured',
    additionalAliases: ['configured/second', 'configured/third'],
    administrators: [admins],
    users: [user],
    serviceUsers: [lambdaRole(keys, 'ServiceUser')],
    rootAccess: RootAccess.FULL,
    rotationPeriod: Duration.days(180),
    multiRegion: true,
  });
  configured.grantDecrypt(lambdaRole(keys, 'Reader'));
  new ManagedCmk(keys, 'Signing', { alias: 'signing', keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY });
  new ManagedCmk(keys, 'Hmac', { alias: 'hmac', keySpec: kms.KeySpec.HMAC_256 });

  const buckets = stack('EnvelopeEncryptedBucketConfigured');
  const sharedKey = new ManagedCmk(buckets, 'Key', { alias: 'buckets' });
  const logsBucket = new s3.Bucket(buckets, 'ExistingLogs', { encryption: s3.BucketEncryption.KMS, encryptionKey: sharedKey });
  const data = new EnvelopeEncryptedBucket(buckets, 'Data', {
    key: sharedKey,
    bucketName: 'kmsgov-configured-data',
    accessLogsBucket: logsBucket,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  data.grantReadWrite(lambdaRole(buckets, 'Writer'));
  new EnvelopeEncryptedBucket(buckets, 'WithPlainKey', { key: new kms.Key(buckets, 'PlainKey', { enableKeyRotation: true }), bucketNaming: BucketNaming.STACK_INSTANCE });

  const audit = stack('KeyAuditTrailConfigured');
  const watched = new ManagedCmk(audit, 'Watched', { alias: 'watched' });
  const trail = new KeyAuditTrail(audit, 'Audit', { trailName: 'configured-trail', s3DataEvents: true });
  trail.watch(watched);
  new ManagedCmk(audit, 'WatchedByProp', { alias: 'watched-by-prop', audit: trail });
  new KeyAuditorRole(audit, 'Auditor', { assumedBy: account, trail });
  new KeyAuditTrail(audit, 'Attached', { existingLogGroup: logs.LogGroup.fromLogGroupName(audit, 'OrgTrailLogs', 'org-trail') });

  const canaries = stack('KeyHealthCanaryConfigured');
  const vpc = new ec2.Vpc(canaries, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new KeyHealthCanary(canaries, 'Signing', {
    key: new ManagedCmk(canaries, 'SigningKey', { alias: 'canary-signing', keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY }),
    interval: Duration.minutes(15),
    vpc,
  });
  new KeyHealthCanary(canaries, 'Hmac', { key: new ManagedCmk(canaries, 'HmacKey', { alias: 'canary-hmac', keySpec: kms.KeySpec.HMAC_512 }) });

  const params = stack('EncryptedSecureStringParamConfigured');
  const paramKey = new ManagedCmk(params, 'Key', { alias: 'params-configured' });
  const sourceKey = new ManagedCmk(params, 'SourceKey', { alias: 'params-source' });
  new EncryptedSecureStringParam(params, 'FromCiphertext', {
    key: paramKey,
    parameterName: '/app/api/token',
    value: SecureStringValue.fromCiphertext('AQICAHh4bm90LWEtcmVhbC1jaXBoZXJ0ZXh0', { key: sourceKey, encryptionContext: { app: 'api' } }),
    removalPolicy: RemovalPolicy.DESTROY,
  }).grantRead(lambdaRole(params, 'Reader'));
  new EncryptedSecureStringParam(params, 'Plain', {
    key: new kms.Key(params, 'PlainKey', { enableKeyRotation: true }),
    parameterName: '/app/plain',
    value: SecureStringValue.generated({ length: 64, excludePunctuation: true }),
  });

  const ebs = stack('EbsDefaultEncryptionConfigured');
  new EbsDefaultEncryption(ebs, 'EbsDefault', { key: new ManagedCmk(ebs, 'Key', { alias: 'ebs-configured' }), autoScaling: false, disableOnDelete: true });

  // The organization baseline (its template is checked through its parent stack's tree), by
  // default and with the audit alarms on a trail log group named by a parameter.
  const management = stack('KmsGovernanceStackSetDefault');
  new KmsGovernanceStackSet(management, 'StackSet', {
    baseline: new KmsGovernanceBaseline(management, 'Baseline', { securityAccountId: '222222222222' }),
    organizationalUnitIds: ['ou-ab12-cd34ef56'],
    regions: ['us-east-1', 'eu-west-1'],
  });
  const auditing = stack('KmsGovernanceBaselineAuditAlarms');
  new KmsGovernanceStackSet(auditing, 'StackSet', {
    baseline: new KmsGovernanceBaseline(auditing, 'Baseline', { auditAlarms: true, ebsDefaultEncryption: false }),
    organizationalUnitIds: ['ou-ab12-security'],
    regions: ['us-east-1'],
    parameters: { SecurityAccountId: '222222222222', OrganizationTrailLogGroupName: 'aws-controltower/CloudTrailLogs' },
  });

  buildExampleApp(app, TEST_ENV);
  controlTowerConfiguration(app);
  return app;
}

/**
 * Every construct configured for an organization that enables the AWS Control Tower controls the
 * library cannot meet by default (README "AWS Control Tower"): functions in a VPC, buckets with
 * Object Lock, server access logs to a central log bucket.
 */
export function controlTowerConfiguration(app: App = new App()): App {
  const stack = new Stack(app, 'ControlTowerConfigured', { env: TEST_ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const centralLogs = s3.Bucket.fromBucketName(stack, 'CentralLogs', 'org-central-access-logs');
  const retention = s3.ObjectLockRetention.governance(Duration.days(365));
  const key = new ManagedCmk(stack, 'Key', { alias: 'control-tower' });
  new KeyHealthCanary(stack, 'Canary', { key, vpc });
  new EbsDefaultEncryption(stack, 'EbsDefault', { key, vpc });
  new EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/app/control-tower', value: SecureStringValue.generated(), vpc });
  new EnvelopeEncryptedBucket(stack, 'Data', { key, accessLogsBucket: centralLogs, objectLockRetention: retention });
  new KeyAuditTrail(stack, 'Audit', { accessLogsBucket: centralLogs, objectLockRetention: retention });
  new KeyAdminRole(stack, 'Admins', { assumedBy: new iam.AccountPrincipal(TEST_ENV.account), keys: [key] });
  new KeyAuditorRole(stack, 'Auditor', { assumedBy: new iam.AccountPrincipal(TEST_ENV.account) });
  return app;
}
