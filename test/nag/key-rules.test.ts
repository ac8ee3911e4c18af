import { App, CfnCondition, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk, ManagedCmkReplica } from '../../src';
import { KmsGovernanceChecks } from '../../src/nag/kms-governance-checks';
import { firing, newRuleStack, TEST_ENV } from '../support';

/**
 * KeyRotation, KeyPendingWindow, KeyPolicyNoLockoutBypass and KeyHasAlias: GIVEN a key, WHEN the
 * pack runs, THEN the rule fires on exactly the expected construct paths.
 */

const ROOT_ONLY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }],
};


/** The construct paths on which `rule` fires. */

/** An L1 key that passes every key rule but the one a test breaks. */
function cfnKey(stack: Stack, id: string, props: Partial<kms.CfnKeyProps> = {}): kms.CfnKey {
  const key = new kms.CfnKey(stack, id, { enableKeyRotation: true, keyPolicy: ROOT_ONLY_POLICY, ...props });
  new kms.CfnAlias(stack, `${id}Alias`, { aliasName: `alias/${id}`, targetKeyId: key.ref });
  return key;
}

describe('KeyRotation', () => {
  test('compliant: L1 and L2 symmetric keys with rotation, default or explicit period within the maximum', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'L1');
    cfnKey(stack, 'L1Period', { rotationPeriodInDays: 365 });
    new kms.Key(stack, 'L2', { enableKeyRotation: true });
    new kms.Key(stack, 'L2Period', { enableKeyRotation: true, rotationPeriod: Duration.days(90) });
    new ManagedCmk(stack, 'Cmk', { alias: 'cmk' });
    expect(firing(stack, 'KeyRotation')).toEqual([]);
  });

  test('non-compliant: rotation absent or off, period too long, on L1 and L2 keys', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'Absent', { enableKeyRotation: undefined });
    cfnKey(stack, 'Off', { enableKeyRotation: false });
    cfnKey(stack, 'TooLong', { rotationPeriodInDays: 400 });
    new kms.Key(stack, 'L2Default');
    new kms.Key(stack, 'L2TooLong', { enableKeyRotation: true, rotationPeriod: Duration.days(730) });
    expect(firing(stack, 'KeyRotation')).toEqual(['S/Absent', 'S/L2Default/Resource', 'S/L2TooLong/Resource', 'S/Off', 'S/TooLong']);
  });

  test('non-compliant: an escape-hatch override is what counts', () => {
    const { stack } = newRuleStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    (key.node.defaultChild as kms.CfnKey).addPropertyOverride('EnableKeyRotation', false);
    expect(firing(stack, 'KeyRotation')).toEqual(['S/Key/Resource']);
  });

  test('not applicable: asymmetric, HMAC and imported-material keys', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'Rsa', { enableKeyRotation: undefined, keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' });
    cfnKey(stack, 'Hmac', { enableKeyRotation: undefined, keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });
    cfnKey(stack, 'External', { enableKeyRotation: undefined, origin: 'EXTERNAL' });
    new kms.Key(stack, 'L2Ecc', { keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    expect(firing(stack, 'KeyRotation')).toEqual([]);
  });

  test('the maximum follows maximumRotationPeriod', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'Default'); // 365 days
    cfnKey(stack, 'Two', { rotationPeriodInDays: 180 });
    expect(firing(stack, 'KeyRotation', new KmsGovernanceChecks(undefined, { maximumRotationPeriod: Duration.days(180) }))).toEqual(['S/Default']);
    expect(firing(stack, 'KeyRotation', new KmsGovernanceChecks(undefined, { maximumRotationPeriod: Duration.days(90) }))).toEqual(['S/Default', 'S/Two']);
  });

  test('non-compliant when one Fn::If branch turns rotation off', () => {
    const { stack } = newRuleStack();
    const prod = new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals('prod', 'prod') });
    cfnKey(stack, 'Key', { enableKeyRotation: Fn.conditionIf(prod.logicalId, true, false) as any });
    cfnKey(stack, 'Both', { enableKeyRotation: Fn.conditionIf(prod.logicalId, true, true) as any });
    expect(firing(stack, 'KeyRotation')).toEqual(['S/Key']);
  });
});

describe('KeyPendingWindow', () => {
  test('compliant: absent (30 days) or 30', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'Absent');
    cfnKey(stack, 'Thirty', { pendingWindowInDays: 30 });
    new kms.Key(stack, 'L2', { enableKeyRotation: true, pendingWindow: Duration.days(30) });
    expect(firing(stack, 'KeyPendingWindow')).toEqual([]);
  });

  test('non-compliant: shorter than the minimum, on keys and replica keys', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'Seven', { pendingWindowInDays: 7 });
    new kms.Key(stack, 'L2', { enableKeyRotation: true, pendingWindow: Duration.days(10) });
    new kms.CfnReplicaKey(stack, 'Replica', { primaryKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/mrk-1', keyPolicy: ROOT_ONLY_POLICY, pendingWindowInDays: 20 });
    expect(firing(stack, 'KeyPendingWindow')).toEqual(['S/L2/Resource', 'S/Replica', 'S/Seven']);
  });

  test('the minimum follows minimumPendingWindow', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'Seven', { pendingWindowInDays: 7 });
    cfnKey(stack, 'Fourteen', { pendingWindowInDays: 14 });
    expect(firing(stack, 'KeyPendingWindow', new KmsGovernanceChecks(undefined, { minimumPendingWindow: Duration.days(7) }))).toEqual([]);
    expect(firing(stack, 'KeyPendingWindow', new KmsGovernanceChecks(undefined, { minimumPendingWindow: Duration.days(14) }))).toEqual(['S/Seven']);
  });

  test('not applicable to other resources', () => {
    const { stack } = newRuleStack();
    new kms.CfnAlias(stack, 'Alias', { aliasName: 'alias/x', targetKeyId: 'arn:aws:kms:us-east-1:123456789012:key/x' });
    expect(new KmsGovernanceChecks().validateScope(stack).violations).toEqual([]);
  });
});

describe('KeyPolicyNoLockoutBypass', () => {
  test('compliant: absent or false', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'Absent');
    cfnKey(stack, 'False', { bypassPolicyLockoutSafetyCheck: false });
    expect(firing(stack, 'KeyPolicyNoLockoutBypass')).toEqual([]);
  });

  test('non-compliant: true, also through an override on an L2 key', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'True', { bypassPolicyLockoutSafetyCheck: true });
    const l2 = new kms.Key(stack, 'L2', { enableKeyRotation: true });
    (l2.node.defaultChild as kms.CfnKey).addPropertyOverride('BypassPolicyLockoutSafetyCheck', 'true');
    expect(firing(stack, 'KeyPolicyNoLockoutBypass')).toEqual(['S/L2/Resource', 'S/True']);
  });
});

describe('KeyHasAlias', () => {
  test('compliant: an alias by Ref (L1), by GetAtt Arn (L2), or by GetAtt KeyId', () => {
    const { stack } = newRuleStack();
    cfnKey(stack, 'L1');
    const l2 = new kms.Key(stack, 'L2', { enableKeyRotation: true });
    l2.addAlias('alias/l2');
    const byKeyId = new kms.CfnKey(stack, 'ByKeyId', { enableKeyRotation: true });
    new kms.CfnAlias(stack, 'ByKeyIdAlias', { aliasName: 'alias/by-key-id', targetKeyId: byKeyId.attrKeyId });
    new ManagedCmk(stack, 'Cmk', { alias: 'cmk' });
    expect(firing(stack, 'KeyHasAlias')).toEqual([]);
  });

  test('compliant: an alias in another stack, before and after synthesis', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env: TEST_ENV });
    const aliases = new Stack(app, 'Aliases', { env: TEST_ENV });
    const key = new kms.Key(keys, 'Key', { enableKeyRotation: true });
    new kms.Alias(aliases, 'Alias', { aliasName: 'alias/elsewhere', targetKey: key });
    expect(firing(app, 'KeyHasAlias')).toEqual([]);
    app.synth();
    expect(firing(app, 'KeyHasAlias')).toEqual([]);
  });

  test('non-compliant (a warning): no alias, or an alias of another key', () => {
    const { stack } = newRuleStack();
    const a = new kms.Key(stack, 'A', { enableKeyRotation: true });
    new kms.Key(stack, 'B', { enableKeyRotation: true });
    a.addAlias('alias/a');
    new kms.CfnAlias(stack, 'Imported', { aliasName: 'alias/imported', targetKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234' });
    const violations = new KmsGovernanceChecks().validateScope(stack).violations.filter((v) => v.ruleName === 'KmsGovernance-KeyHasAlias');
    expect(violations.map((v) => v.severity)).toEqual(['warning']);
    expect(firing(stack, 'KeyHasAlias')).toEqual(['S/B/Resource']);
  });

  test('replica keys need an alias in their Region too', () => {
    const app = new App();
    const primaryStack = new Stack(app, 'Primary', { env: TEST_ENV });
    const replicaStack = new Stack(app, 'Replica', { env: { ...TEST_ENV, region: 'eu-west-1' } });
    const primary = new ManagedCmk(primaryStack, 'Cmk', { alias: 'data', multiRegion: true });
    new ManagedCmkReplica(replicaStack, 'WithAlias', { primaryKey: primary, primaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1', alias: 'data' });
    new kms.CfnReplicaKey(replicaStack, 'Bare', { primaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1', keyPolicy: ROOT_ONLY_POLICY });
    expect(firing(app, 'KeyHasAlias')).toEqual(['Replica/Bare']);
  });

  test('imported keys have no resource to check', () => {
    const { stack } = newRuleStack();
    kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(new KmsGovernanceChecks().validateScope(stack).violations).toEqual([]);
  });
});
