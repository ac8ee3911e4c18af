import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk, RootAccess } from '../../src';
import { KmsGovernanceChecks } from '../../src/nag/kms-governance-checks';
import { ADMIN_ACTIONS, SYMMETRIC_USAGE_ACTIONS } from '../../src/private/kms-actions';
import { firing, newRuleStack } from '../support';

/**
 * KeyPolicyNoPublicAccess, KeyPolicyNoFullAccessForNonRoot, KeyPolicySeparationOfDuties and
 * KeyPolicyLockout: GIVEN a key policy, WHEN the pack runs, THEN the rule fires on exactly the
 * expected keys.
 */

const ROOT = { AWS: 'arn:aws:iam::123456789012:root' };
const ROLE = { AWS: 'arn:aws:iam::123456789012:role/app' };
const ROOT_FULL = { Sid: 'Root', Effect: 'Allow', Principal: ROOT, Action: 'kms:*', Resource: '*' };


/** An aliased, rotating L1 key with the given statements. */
function keyWith(stack: Stack, id: string, statements: object[]): kms.CfnKey {
  const key = new kms.CfnKey(stack, id, { enableKeyRotation: true, keyPolicy: { Version: '2012-10-17', Statement: statements } });
  new kms.CfnAlias(stack, `${id}Alias`, { aliasName: `alias/${id}`, targetKeyId: key.ref });
  return key;
}

describe('KeyPolicyNoPublicAccess', () => {
  test('compliant: named principals, a Deny on "*", the AWS default policy, ManagedCmk', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'Named', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, Action: 'kms:Decrypt', Resource: '*' }]);
    keyWith(stack, 'Deny', [ROOT_FULL, { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]);
    new kms.CfnKey(stack, 'NoPolicy', { enableKeyRotation: true });
    new kms.Key(stack, 'L2', { enableKeyRotation: true });
    new ManagedCmk(stack, 'Cmk', { alias: 'cmk' });
    expect(firing(stack, 'KeyPolicyNoPublicAccess')).toEqual([]);
  });

  test('non-compliant: "*", {AWS: "*"} with conditions, "*" in a list, NotPrincipal, and an L2 AnyPrincipal grant', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'Star', [ROOT_FULL, { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }]);
    keyWith(stack, 'AwsStarConditioned', [
      ROOT_FULL,
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': '123456789012' } } },
    ]);
    keyWith(stack, 'InList', [ROOT_FULL, { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::123456789012:role/app', '*'] }, Action: 'kms:Encrypt', Resource: '*' }]);
    keyWith(stack, 'NotPrincipal', [ROOT_FULL, { Effect: 'Allow', NotPrincipal: ROLE, Action: 'kms:Encrypt', Resource: '*' }]);
    const l2 = new kms.Key(stack, 'L2', { enableKeyRotation: true });
    l2.grantDecrypt(new iam.AnyPrincipal());
    new kms.CfnKey(stack, 'JsonString', {
      enableKeyRotation: true,
      keyPolicy: JSON.stringify({ Statement: [ROOT_FULL, { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] }),
    });
    expect(firing(stack, 'KeyPolicyNoPublicAccess')).toEqual(['S/AwsStarConditioned', 'S/InList', 'S/JsonString', 'S/L2/Resource', 'S/NotPrincipal', 'S/Star']);
  });
});

describe('KeyPolicyNoFullAccessForNonRoot', () => {
  test('compliant: root kms:* (the AWS default, L1 without a policy, L2), root by account id or by AWS::AccountId', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'Root', [ROOT_FULL]);
    keyWith(stack, 'AccountId', [{ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'kms:*', Resource: '*' }]);
    keyWith(stack, 'Pseudo', [{ Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: '*', Resource: '*' }]);
    new kms.CfnKey(stack, 'NoPolicy', { enableKeyRotation: true });
    new kms.Key(stack, 'L2', { enableKeyRotation: true });
    keyWith(stack, 'AllButOne', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' }]);
    expect(firing(stack, 'KeyPolicyNoFullAccessForNonRoot')).toEqual([]);
  });

  test('non-compliant: kms:* or * for a role, a service, everyone, another account\'s root, or a NotAction outside KMS', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'Role', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, Action: 'kms:*', Resource: '*' }]);
    keyWith(stack, 'Star', [ROOT_FULL, { Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: '*', Resource: '*' }]);
    keyWith(stack, 'Everyone', [ROOT_FULL, { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }]);
    keyWith(stack, 'OtherAccount', [ROOT_FULL, { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'kms:*', Resource: '*' }]);
    keyWith(stack, 'NotAction', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, NotAction: 's3:*', Resource: '*' }]);
    const l2 = new kms.Key(stack, 'L2', { enableKeyRotation: true });
    l2.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ArnPrincipal('arn:aws:iam::123456789012:role/ops')], actions: ['kms:*'], resources: ['*'] }));
    expect(firing(stack, 'KeyPolicyNoFullAccessForNonRoot')).toEqual(['S/Everyone', 'S/L2/Resource', 'S/NotAction', 'S/OtherAccount', 'S/Role', 'S/Star']);
  });

  test('allowRootFullAccess: false makes root kms:* a finding, and leaves root administration alone', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'RootFull', [ROOT_FULL]);
    new kms.CfnKey(stack, 'NoPolicy', { enableKeyRotation: true });
    new ManagedCmk(stack, 'AdminOnly', { alias: 'admin-only' });
    new ManagedCmk(stack, 'Full', { alias: 'full', rootAccess: RootAccess.FULL });
    expect(firing(stack, 'KeyPolicyNoFullAccessForNonRoot')).toEqual([]);
    expect(firing(stack, 'KeyPolicyNoFullAccessForNonRoot', new KmsGovernanceChecks(undefined, { allowRootFullAccess: false }))).toEqual([
      'S/Full/Resource',
      'S/NoPolicy',
      'S/RootFull',
    ]);
  });
});

describe('KeyPolicySeparationOfDuties', () => {
  test('compliant: admins and users apart; neutral DescribeKey/ListGrants/RevokeGrant; the root may do both', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'Apart', [
      ROOT_FULL,
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/admin' }, Action: [...ADMIN_ACTIONS], Resource: '*' },
      { Effect: 'Allow', Principal: ROLE, Action: [...SYMMETRIC_USAGE_ACTIONS, 'kms:ListGrants', 'kms:RevokeGrant'], Resource: '*' },
    ]);
    keyWith(stack, 'RootBoth', [{ Effect: 'Allow', Principal: ROOT, Action: ['kms:Decrypt', 'kms:PutKeyPolicy'], Resource: '*' }]);
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const user = new iam.Role(stack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new ManagedCmk(stack, 'Cmk', { alias: 'cmk', administrators: [admin], users: [user] });
    expect(firing(stack, 'KeyPolicySeparationOfDuties')).toEqual([]);
  });

  test('non-compliant: admin and use in one statement, across statements, through wildcards, or CreateGrant with admin', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'OneStatement', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, Action: ['kms:Decrypt', 'kms:ScheduleKeyDeletion'], Resource: '*' }]);
    keyWith(stack, 'TwoStatements', [
      ROOT_FULL,
      { Effect: 'Allow', Principal: ROLE, Action: 'kms:PutKeyPolicy', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::123456789012:role/other', 'arn:aws:iam::123456789012:role/app'] }, Action: 'kms:Encrypt', Resource: '*' },
    ]);
    keyWith(stack, 'Wildcard', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, Action: 'kms:Create*', Resource: '*' }]); // CreateAlias + CreateGrant
    keyWith(stack, 'Grants', [ROOT_FULL, { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: ['kms:CreateGrant', 'kms:DisableKey'], Resource: '*' }]);
    keyWith(stack, 'KmsStar', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, Action: 'kms:*', Resource: '*' }]);
    const both = new iam.Role(stack, 'Both', { assumedBy: new iam.AccountRootPrincipal() });
    new ManagedCmk(stack, 'Allowed', { alias: 'allowed', administrators: [both], users: [both], allowAdministratorsAsUsers: true });
    expect(firing(stack, 'KeyPolicySeparationOfDuties')).toEqual(['S/Allowed/Resource', 'S/Grants', 'S/KmsStar', 'S/OneStatement', 'S/TwoStatements', 'S/Wildcard']);
  });
});

describe('KeyPolicyLockout', () => {
  test('compliant: someone may PutKeyPolicy (root kms:*, root admin, an admin role), and a Deny only with a condition', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'Root', [ROOT_FULL]);
    keyWith(stack, 'AdminRole', [{ Effect: 'Allow', Principal: ROLE, Action: 'kms:Put*', Resource: '*' }]);
    keyWith(stack, 'ConditionalDeny', [
      ROOT_FULL,
      { Effect: 'Deny', Principal: '*', Action: 'kms:PutKeyPolicy', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/admin' } } },
    ]);
    new kms.CfnKey(stack, 'NoPolicy', { enableKeyRotation: true });
    new ManagedCmk(stack, 'Cmk', { alias: 'cmk' });
    expect(firing(stack, 'KeyPolicyLockout')).toEqual([]);
  });

  test('non-compliant: nobody may PutKeyPolicy, only "*" may, or everyone is denied it', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'UsageOnly', [{ Effect: 'Allow', Principal: ROLE, Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*' }]);
    keyWith(stack, 'OnlyStar', [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }]);
    keyWith(stack, 'DenyAll', [ROOT_FULL, { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }]);
    keyWith(stack, 'DenyPut', [ROOT_FULL, { Effect: 'Deny', Principal: '*', NotAction: 'kms:Decrypt', Resource: '*' }]);
    expect(firing(stack, 'KeyPolicyLockout')).toEqual(['S/DenyAll', 'S/DenyPut', 'S/OnlyStar', 'S/UsageOnly']);
  });
});
