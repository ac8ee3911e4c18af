import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KeyMaterialOrigin, KeyPrincipals, ManagedCmk, RootAccess } from '../../src';
import { KmsGovernanceChecks } from '../../src/nag/kms-governance-checks';
import { ADMIN_ACTIONS, SYMMETRIC_USAGE_ACTIONS } from '../../src/private/kms-actions';
import { firing, ifProd, newConditionalRuleStack, newRuleStack } from '../support';

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
  test('imported key material: importing or deleting it is administration, so with use it is a finding; an EXTERNAL ManagedCmk is compliant', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'ImportAndDecrypt', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, Action: ['kms:ImportKeyMaterial', 'kms:Decrypt'], Resource: '*' }]);
    keyWith(stack, 'DeleteMaterialAndEncrypt', [
      ROOT_FULL,
      { Effect: 'Allow', Principal: ROLE, Action: 'kms:DeleteImportedKeyMaterial', Resource: '*' },
      { Effect: 'Allow', Principal: ROLE, Action: 'kms:Encrypt', Resource: '*' },
    ]);
    keyWith(stack, 'ImportOnly', [ROOT_FULL, { Effect: 'Allow', Principal: ROLE, Action: ['kms:GetParametersForImport', 'kms:ImportKeyMaterial'], Resource: '*' }]);
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const user = new iam.Role(stack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new ManagedCmk(stack, 'External', { alias: 'external', keyMaterialOrigin: KeyMaterialOrigin.EXTERNAL, administrators: [admin], users: [user] });
    expect(firing(stack, 'KeyPolicySeparationOfDuties')).toEqual(['S/DeleteMaterialAndEncrypt', 'S/ImportAndDecrypt']);
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

/** The policy of the AWS managed key aws/ebs (its two statements). */
const AWS_MANAGED_EBS = [
  {
    Sid: 'Allow access through EBS for all principals in the account that are authorized to use EBS',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
  },
  {
    Sid: 'Allow direct access to key metadata to the account',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::123456789012:root' },
    Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
    Resource: '*',
  },
];

/** The statements CloudTrail documents for a trail's key (its console's default key policy). */
const CLOUDTRAIL_DOCUMENTED = [
  ROOT_FULL,
  {
    Sid: 'Allow CloudTrail to encrypt logs',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 'kms:GenerateDataKey*',
    Resource: '*',
    Condition: {
      StringEquals: { 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org' },
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:123456789012:trail/*' },
    },
  },
  { Sid: 'Allow CloudTrail to describe key', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*' },
  {
    Sid: 'Allow principals in the account to decrypt log files',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:CallerAccount': '123456789012' },
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:123456789012:trail/*' },
    },
  },
  {
    Sid: 'Allow alias creation during setup',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'kms:CreateAlias',
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' } },
  },
];

/** The console's default key policy, with key administrators and key users. */
function consoleDefault(adminActions: string[]): object[] {
  return [
    ROOT_FULL,
    {
      Sid: 'Allow access for Key Administrators',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::123456789012:role/KMSAdminRole'] },
      Action: [...adminActions, 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*',
        'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:RotateKeyOnDemand'],
      Resource: '*',
    },
    {
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::123456789012:role/AppRole'] },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
    {
      Sid: 'Allow attachment of persistent resources',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::123456789012:role/AppRole'] },
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ];
}

/** Every finding of the pack as `<rule> <path>`, sorted. */
function allFindings(stack: Stack): string[] {
  return new KmsGovernanceChecks().validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)).sort();
}

describe('documented AWS patterns', () => {
  test('the AWS managed keys\' "* with kms:CallerAccount and kms:ViaService" is not public, nor a finding of any rule', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'AwsManagedPattern', [ROOT_FULL, AWS_MANAGED_EBS[0]]);
    expect(allFindings(stack)).toEqual([]);
  });

  test('CloudTrail\'s documented key-policy statements pass every rule of the pack', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'TrailKey', CLOUDTRAIL_DOCUMENTED);
    expect(allFindings(stack)).toEqual([]);
  });

  test('the console\'s default key policy passes every rule with kms:CreateAlias; kms:Create* stays a finding (it allows kms:CreateGrant)', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'ConsoleCreateAlias', consoleDefault(['kms:CreateAlias']));
    keyWith(stack, 'ConsoleCreateStar', consoleDefault(['kms:Create*']));
    expect(allFindings(stack)).toEqual([
      'KmsGovernance-CreateGrantForAwsResourcesOnly S/ConsoleCreateStar',
      'KmsGovernance-KeyPolicySeparationOfDuties S/ConsoleCreateStar',
    ]);
  });
});

describe('KeyPolicyNoPublicAccess: "*" held to named accounts by fixed conditions', () => {
  const everyone = (condition: object) => ({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: condition });

  test('compliant: CallerAccount with ViaService, with an encryption context, PrincipalArn of the account, the AWS managed key\'s own policy', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'Via', [ROOT_FULL, everyone({ StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': ['s3.us-east-1.amazonaws.com', 'sqs.us-east-1.amazonaws.com'] } })]);
    keyWith(stack, 'Context', [ROOT_FULL, everyone({ StringEquals: { 'aws:PrincipalAccount': '123456789012', 'kms:EncryptionContext:app': 'orders' } })]);
    keyWith(stack, 'PrincipalArn', [ROOT_FULL, everyone({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/app-*' } })]);
    keyWith(stack, 'AwsManaged', [ROOT_FULL, ...AWS_MANAGED_EBS]);
    expect(firing(stack, 'KeyPolicyNoPublicAccess')).toEqual([]);
  });

  test('non-compliant: CallerAccount alone, IfExists, a wildcard service, ForAnyValue, a NotPrincipal, a PrincipalArn of any account', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'CallerOnly', [ROOT_FULL, everyone({ StringEquals: { 'kms:CallerAccount': '123456789012' } })]);
    keyWith(stack, 'IfExists', [ROOT_FULL, everyone({ StringEqualsIfExists: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 's3.us-east-1.amazonaws.com' } })]);
    keyWith(stack, 'AnyService', [ROOT_FULL, everyone({ StringEquals: { 'kms:CallerAccount': '123456789012' }, StringLike: { 'kms:ViaService': '*.us-east-1.amazonaws.com' } })]);
    keyWith(stack, 'ForAnyValue', [ROOT_FULL, everyone({ 'ForAnyValue:StringEquals': { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 's3.us-east-1.amazonaws.com' } })]);
    keyWith(stack, 'WildContext', [ROOT_FULL, everyone({ StringEquals: { 'kms:CallerAccount': '123456789012' }, StringLike: { 'kms:EncryptionContext:app': '*' } })]);
    keyWith(stack, 'AnyAccountArn', [ROOT_FULL, everyone({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/app' } })]);
    expect(firing(stack, 'KeyPolicyNoPublicAccess')).toEqual(['S/AnyAccountArn', 'S/AnyService', 'S/CallerOnly', 'S/ForAnyValue', 'S/IfExists', 'S/WildContext']);
  });

  test('token: an account or an endpoint from a parameter is a fixed value; a condition block from a parameter is not', () => {
    const { stack, param } = newConditionalRuleStack();
    keyWith(stack, 'AccountParam', [ROOT_FULL, everyone({ StringEquals: { 'kms:CallerAccount': param.valueAsString, 'kms:ViaService': 's3.us-east-1.amazonaws.com' } })]);
    keyWith(stack, 'BlockParam', [ROOT_FULL, everyone({ StringEquals: { Ref: param.logicalId } })]);
    expect(firing(stack, 'KeyPolicyNoPublicAccess')).toEqual(['S/BlockParam']);
  });

  test('Fn::If: a branch that drops kms:ViaService is public', () => {
    const { stack, condition } = newConditionalRuleStack();
    const via = { StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 's3.us-east-1.amazonaws.com' } };
    keyWith(stack, 'Either', [ROOT_FULL, everyone(ifProd(condition, via, { StringEquals: { 'kms:CallerAccount': '123456789012' } }))]);
    keyWith(stack, 'Both', [ROOT_FULL, everyone(ifProd(condition, via, { StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:EncryptionContext:app': 'x' } }))]);
    expect(firing(stack, 'KeyPolicyNoPublicAccess')).toEqual(['S/Either']);
  });
});

describe('KeyPolicyLockout: a service alone, and a Deny whose condition every request satisfies', () => {
  const deny = (condition?: object, principal: unknown = '*') =>
    ({ Effect: 'Deny', Principal: principal, Action: 'kms:*', Resource: '*', ...(condition ? { Condition: condition } : {}) });

  test('compliant: a Deny that depends on the request, on another account, or on a key a request may lack', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'OtherAccounts', [ROOT_FULL, deny({ StringNotEquals: { 'kms:CallerAccount': '123456789012' } })]);
    keyWith(stack, 'Mfa', [ROOT_FULL, deny({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } })]);
    keyWith(stack, 'SomeArns', [ROOT_FULL, deny({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/intern-*' } })]);
    keyWith(stack, 'TagLike', [ROOT_FULL, deny({ StringLike: { 'aws:PrincipalTag/team': '*' } })]);
    keyWith(stack, 'ServicePlusRoot', [ROOT_FULL, { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:*', Resource: '*' }]);
    expect(firing(stack, 'KeyPolicyLockout')).toEqual([]);
  });

  test('non-compliant: only a service may PutKeyPolicy; a Deny for everyone under a condition every request satisfies', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'ServiceOnly', [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:*', Resource: '*' }]);
    keyWith(stack, 'PrincipalArnStar', [ROOT_FULL, deny({ StringLike: { 'aws:PrincipalArn': '*' } })]);
    keyWith(stack, 'IfExistsStar', [ROOT_FULL, deny({ StringLikeIfExists: { 'aws:PrincipalTag/team': '*' } })]);
    keyWith(stack, 'NullFalse', [ROOT_FULL, deny({ Null: { 'aws:PrincipalArn': 'false' } })]);
    keyWith(stack, 'NotOtherAccount', [ROOT_FULL, deny({ StringNotEquals: { 'kms:CallerAccount': '999999999999' } })]);
    keyWith(stack, 'RootDenied', [ROOT_FULL, deny(undefined, { AWS: 'arn:aws:iam::123456789012:root' })]);
    keyWith(stack, 'EmptyCondition', [ROOT_FULL, deny({})]);
    expect(firing(stack, 'KeyPolicyLockout')).toEqual([
      'S/EmptyCondition', 'S/IfExistsStar', 'S/NotOtherAccount', 'S/NullFalse', 'S/PrincipalArnStar', 'S/RootDenied', 'S/ServiceOnly',
    ]);
  });

  test('token: a condition value from a parameter may or may not match: not judged as always true', () => {
    const { stack, param } = newConditionalRuleStack();
    keyWith(stack, 'PatternParam', [ROOT_FULL, deny({ StringLike: { 'aws:PrincipalArn': param.valueAsString } })]);
    keyWith(stack, 'AccountParam', [ROOT_FULL, deny({ StringNotEquals: { 'kms:CallerAccount': param.valueAsString } })]);
    keyWith(stack, 'PrincipalParam', [{ Effect: 'Allow', Principal: { AWS: param.valueAsString }, Action: 'kms:PutKeyPolicy', Resource: '*' }]);
    expect(firing(stack, 'KeyPolicyLockout')).toEqual([]);
  });

  test('Fn::If: a branch whose Deny always holds, or with only a service, is a lockout', () => {
    const { stack, condition } = newConditionalRuleStack();
    keyWith(stack, 'DenyEither', [ROOT_FULL, deny(ifProd(condition, { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/x' } }, { StringLike: { 'aws:PrincipalArn': '*' } }))]);
    keyWith(stack, 'PrincipalEither', [{ Effect: 'Allow', Principal: ifProd(condition, ROOT, { Service: 'logs.amazonaws.com' }), Action: 'kms:*', Resource: '*' }]);
    expect(firing(stack, 'KeyPolicyLockout')).toEqual(['S/DenyEither', 'S/PrincipalEither']);
  });
});

describe('KeyPolicySeparationOfDuties: "*" held to named accounts is one principal per condition block', () => {
  const scoped = (actions: string[], via: string) => ({
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: actions,
    Resource: '*',
    Condition: { StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': via } },
  });

  test('compliant: alias creation through EC2 and decryption through S3 are two principals', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'Apart', [ROOT_FULL, scoped(['kms:CreateAlias'], 'ec2.us-east-1.amazonaws.com'), scoped(['kms:Decrypt'], 's3.us-east-1.amazonaws.com')]);
    expect(firing(stack, 'KeyPolicySeparationOfDuties')).toEqual([]);
  });

  test('non-compliant: administration and use under the same conditions, in one statement or two', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'One', [ROOT_FULL, scoped(['kms:Decrypt', 'kms:ScheduleKeyDeletion'], 'ec2.us-east-1.amazonaws.com')]);
    keyWith(stack, 'Two', [ROOT_FULL, scoped(['kms:PutKeyPolicy'], 'ec2.us-east-1.amazonaws.com'), scoped(['kms:Encrypt'], 'ec2.us-east-1.amazonaws.com')]);
    expect(firing(stack, 'KeyPolicySeparationOfDuties')).toEqual(['S/One', 'S/Two']);
  });

  test('token: an endpoint from a parameter makes the same principal in both statements', () => {
    const { stack, param } = newConditionalRuleStack();
    keyWith(stack, 'Same', [ROOT_FULL, scoped(['kms:DisableKey'], param.valueAsString), scoped(['kms:Decrypt'], param.valueAsString)]);
    expect(firing(stack, 'KeyPolicySeparationOfDuties')).toEqual(['S/Same']);
  });

  test('Fn::If: the branch where both statements have the same conditions is a finding', () => {
    const { stack, condition } = newConditionalRuleStack();
    keyWith(stack, 'Either', [ROOT_FULL, scoped(['kms:DisableKey'], 'ec2.us-east-1.amazonaws.com'), scoped(['kms:Decrypt'], ifProd(condition, 's3.us-east-1.amazonaws.com', 'ec2.us-east-1.amazonaws.com'))]);
    expect(firing(stack, 'KeyPolicySeparationOfDuties')).toEqual(['S/Either']);
  });
});

describe('Organization and Identity Center principals (KeyPrincipals)', () => {
  const ORG = 'o-a1b2c3d4e5';
  const everyone = (condition: object) => ({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: condition });

  test('KeyPolicyNoPublicAccess: "*" held by a fixed aws:PrincipalOrgID is not public; by a pattern, IfExists or OrgPaths alone it is', () => {
    const { stack } = newRuleStack();
    keyWith(stack, 'OrgId', [ROOT_FULL, everyone({ StringEquals: { 'aws:PrincipalOrgID': ORG } })]);
    keyWith(stack, 'OrgIdAndPaths', [ROOT_FULL, everyone({ 'StringEquals': { 'aws:PrincipalOrgID': ORG }, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${ORG}/r-ab12/ou-ab12-11111111/*` } })]);
    keyWith(stack, 'OrgIdPattern', [ROOT_FULL, everyone({ StringLike: { 'aws:PrincipalOrgID': 'o-*' } })]);
    keyWith(stack, 'OrgIdIfExists', [ROOT_FULL, everyone({ StringEqualsIfExists: { 'aws:PrincipalOrgID': ORG } })]);
    keyWith(stack, 'OrgPathsOnly', [ROOT_FULL, everyone({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${ORG}/*` } })]);
    keyWith(stack, 'NotAnOrgId', [ROOT_FULL, everyone({ StringEquals: { 'aws:PrincipalOrgID': '123456789012' } })]);
    expect(firing(stack, 'KeyPolicyNoPublicAccess')).toEqual(['S/NotAnOrgId', 'S/OrgIdIfExists', 'S/OrgIdPattern', 'S/OrgPathsOnly']);
  });

  test('a ManagedCmk with every kind of them: only KeyPolicyNoCrossAccountUse fires, for the Organization, the OU and the other account\'s users', () => {
    const { stack } = newRuleStack();
    new ManagedCmk(stack, 'Org', { alias: 'org', users: [KeyPrincipals.organization(ORG)], serviceUsers: [KeyPrincipals.organization(ORG)] });
    new ManagedCmk(stack, 'Ou', { alias: 'ou', users: [KeyPrincipals.organizationalUnit(`${ORG}/r-ab12/ou-ab12-11111111`)] });
    new ManagedCmk(stack, 'Sso', {
      alias: 'sso',
      administrators: [KeyPrincipals.identityCenterPermissionSet('KeyAdmins')],
      users: [KeyPrincipals.identityCenterPermissionSet('DataEngineers')],
      viaServices: ['s3.us-east-1.amazonaws.com'],
    });
    new ManagedCmk(stack, 'RemoteSso', { alias: 'remote-sso', users: [KeyPrincipals.identityCenterPermissionSet('Analysts', { account: '999999999999' })] });
    // Administration across accounts is cut to what KMS honours: no finding (administration alone is not cross-account use).
    new ManagedCmk(stack, 'RemoteAdmin', { alias: 'remote-admin', administrators: [iam.Role.fromRoleArn(stack, 'Remote', 'arn:aws:iam::999999999999:role/Admin')] });
    expect(allFindings(stack)).toEqual([
      'KmsGovernance-KeyPolicyNoCrossAccountUse S/Org/Resource',
      'KmsGovernance-KeyPolicyNoCrossAccountUse S/Ou/Resource',
      'KmsGovernance-KeyPolicyNoCrossAccountUse S/RemoteSso/Resource',
    ]);
  });

  test('an environment-agnostic stack: Identity Center patterns by reference pass; the Organization is still cross-account use', () => {
    const stack = new Stack(undefined, 'Agnostic');
    new ManagedCmk(stack, 'Sso', { alias: 'sso', administrators: [KeyPrincipals.identityCenterPermissionSet('KeyAdmins')], users: [KeyPrincipals.identityCenterPermissionSet('DataEngineers')] });
    new ManagedCmk(stack, 'Org', { alias: 'org', users: [KeyPrincipals.organization(ORG)] });
    expect(allFindings(stack)).toEqual(['KmsGovernance-KeyPolicyNoCrossAccountUse Agnostic/Org/Resource']);
  });
});
