import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk, ManagedCmkReplica, RootAccess } from '../src';
import { keyPolicyStatements, statementBySid, unacknowledged, TEST_ENV } from './support';
import { ADMIN_ACTIONS } from '../src/private/kms-actions';

const PRIMARY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab';

function setup(primaryProps: Partial<{ multiRegion: boolean; keySpec: kms.KeySpec }> = {}) {
  const app = new App();
  const primaryStack = new Stack(app, 'Primary', { env: TEST_ENV });
  const replicaStack = new Stack(app, 'Replica', { env: { ...TEST_ENV, region: 'eu-west-1' } });
  const primary = new ManagedCmk(primaryStack, 'Cmk', { alias: 'app/data', multiRegion: true, ...primaryProps });
  return { app, primaryStack, replicaStack, primary };
}

describe('ManagedCmkReplica', () => {
  test('defaults: a retained replica with its own key policy and alias', () => {
    const { replicaStack, primary } = setup();
    const app = new iam.Role(replicaStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new ManagedCmkReplica(replicaStack, 'Replica', { primaryKey: primary, primaryKeyArn: PRIMARY_ARN, alias: 'app/data', users: [app] });
    const t = Template.fromStack(replicaStack);

    t.hasResource('AWS::KMS::ReplicaKey', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ PrimaryKeyArn: PRIMARY_ARN, Enabled: true, PendingWindowInDays: 30 }),
    });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app/data', TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Replica'), 'Arn'] } });
    expect(keyPolicyStatements(t).map((s) => s.Sid)).toEqual(['KeyRootAdministration', 'KeyUsage', 'DenyGrantsNotForAwsResources']);
    expect([...statementBySid(t, 'KeyRootAdministration').Action].sort()).toEqual([...ADMIN_ACTIONS].sort());
    expect(Object.keys(t.toJSON().Resources).filter((k) => k.startsWith('Replica')).sort()).toEqual(['ReplicaAlias6ADC245A', 'ReplicaDDFB2A87']);
  });

  test('key usage follows the primary', () => {
    const { replicaStack, primary } = setup({ keySpec: kms.KeySpec.HMAC_256 });
    const r = new ManagedCmkReplica(replicaStack, 'Replica', { primaryKey: primary, primaryKeyArn: PRIMARY_ARN, alias: 'mac' });
    expect(r.keyUsage).toBe(kms.KeyUsage.GENERATE_VERIFY_MAC);
    expect(r.usageActions).toEqual(['kms:DescribeKey', 'kms:GenerateMac', 'kms:VerifyMac']);
  });

  test('props reach the template', () => {
    const { replicaStack, primary } = setup();
    new ManagedCmkReplica(replicaStack, 'Replica', {
      primaryKey: primary,
      primaryKeyArn: PRIMARY_ARN,
      alias: 'alias/app/data-eu',
      description: 'EU replica',
      pendingWindow: Duration.days(10),
      enabled: false,
      removalPolicy: RemovalPolicy.DESTROY,
      rootAccess: RootAccess.FULL,
    });
    const t = Template.fromStack(replicaStack);
    t.hasResource('AWS::KMS::ReplicaKey', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ Description: 'EU replica', PendingWindowInDays: 10, Enabled: false }),
    });
    expect(statementBySid(t, 'KeyRootFullAccess').Action).toBe('kms:*');
  });

  test('with crossRegionReferences the primary ARN is referenced, not given', () => {
    const app = new App();
    const p = new Stack(app, 'P', { env: TEST_ENV, crossRegionReferences: true });
    const r = new Stack(app, 'R', { env: { ...TEST_ENV, region: 'eu-west-1' }, crossRegionReferences: true });
    const primary = new ManagedCmk(p, 'Cmk', { alias: 'k', multiRegion: true });
    new ManagedCmkReplica(r, 'Replica', { primaryKey: primary, alias: 'k' });
    const replica = Object.values<any>(Template.fromStack(r).findResources('AWS::KMS::ReplicaKey'))[0];
    expect(JSON.stringify(replica.Properties.PrimaryKeyArn)).toContain('Cmk');
  });

  test('zero unacknowledged findings from the cdk-nag packs', () => {
    const { replicaStack, primary } = setup();
    new ManagedCmkReplica(replicaStack, 'Replica', { primaryKey: primary, primaryKeyArn: PRIMARY_ARN, alias: 'k' });
    expect(unacknowledged(replicaStack)).toEqual([]);
  });

  test.each<[string, (s: ReturnType<typeof setup>) => void, RegExp]>([
    ['a single-Region primary', (s) => {
      const single = new ManagedCmk(s.primaryStack, 'Single', { alias: 'single' });
      new ManagedCmkReplica(s.replicaStack, 'Replica', { primaryKey: single, primaryKeyArn: PRIMARY_ARN, alias: 'k' });
    }, /'primaryKey' must be a multi-Region key \(multiRegion: true\). Received: Primary\/Single, a single-Region key/],
    ['the same Region as the primary', (s) => {
      new ManagedCmkReplica(s.primaryStack, 'Replica', { primaryKey: s.primary, alias: 'k' });
    }, /A replica must be in another Region than its primary key. Received: both in "us-east-1"/],
    ['a pending window of 40 days', (s) => {
      new ManagedCmkReplica(s.replicaStack, 'Replica', { primaryKey: s.primary, primaryKeyArn: PRIMARY_ARN, alias: 'k', pendingWindow: Duration.days(40) });
    }, /'pendingWindow' must be a whole number of days between 7 and 30. Received: 40 days/],
    ['an alias reserved for AWS', (s) => {
      new ManagedCmkReplica(s.replicaStack, 'Replica', { primaryKey: s.primary, primaryKeyArn: PRIMARY_ARN, alias: 'alias/aws/kms' });
    }, /'alias' must not use the 'alias\/aws\/' prefix/],
    ['no primary key', (s) => {
      new ManagedCmkReplica(s.replicaStack, 'Replica', { alias: 'k' } as any);
    }, /'primaryKey' is required/],
  ])('bad input: %s', (_name, act, message) => {
    expect(() => act(setup())).toThrow(message);
  });
});
