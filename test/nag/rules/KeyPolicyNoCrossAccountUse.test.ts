import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk } from '../../../src';
import { firing, ifProd, keyWithPolicy, newConditionalRuleStack, newRuleStack } from '../../support';

/** KeyPolicyNoCrossAccountUse: no other account may use the key. */

const RULE = 'KeyPolicyNoCrossAccountUse';
const OTHER = '999999999999';
const use = (principal: unknown, extra: object = {}) => ({ Effect: 'Allow', Principal: principal, Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*', ...extra });

test('compliant: own-account principals, services, references, another account with administration only, CloudTrail\'s decrypt statement', () => {
  const { stack } = newRuleStack();
  keyWithPolicy(stack, 'Own', [use({ AWS: 'arn:aws:iam::123456789012:role/app' }), use({ AWS: 'arn:aws:sts::123456789012:assumed-role/app/s' })]);
  keyWithPolicy(stack, 'Pseudo', [use({ AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app' } })]);
  keyWithPolicy(stack, 'Service', [use({ Service: 'logs.us-east-1.amazonaws.com' }, { Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:123456789012:*' } } })]);
  keyWithPolicy(stack, 'OtherAdmin', [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:role/auditor` }, Action: ['kms:DescribeKey', 'kms:GetKeyPolicy'], Resource: '*' }]);
  keyWithPolicy(stack, 'CloudTrailDecrypt', [use({ AWS: '*' }, {
    Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
    Condition: { StringEquals: { 'kms:CallerAccount': '123456789012' }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:123456789012:trail/*' } },
  })]);
  const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new ManagedCmk(stack, 'Cmk', { alias: 'cmk', users: [role] });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: another account\'s root, role, bare id, STS session; * held to another account; CreateGrant; an L2 grant', () => {
  const { stack } = newRuleStack();
  keyWithPolicy(stack, 'Root', [use({ AWS: `arn:aws:iam::${OTHER}:root` })]);
  keyWithPolicy(stack, 'Role', [use({ AWS: ['arn:aws:iam::123456789012:role/app', `arn:aws:iam::${OTHER}:role/app`] })]);
  keyWithPolicy(stack, 'BareId', [use({ AWS: OTHER })]);
  keyWithPolicy(stack, 'Session', [use({ AWS: `arn:aws:sts::${OTHER}:assumed-role/app/s` })]);
  keyWithPolicy(stack, 'ScopedToOther', [use({ AWS: '*' }, { Condition: { StringEquals: { 'kms:CallerAccount': OTHER, 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } })]);
  keyWithPolicy(stack, 'Grants', [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } }]);
  new kms.Key(stack, 'L2', { enableKeyRotation: true }).grantDecrypt(new iam.AccountPrincipal(OTHER));
  expect(firing(stack, RULE)).toEqual(['S/BareId', 'S/Grants', 'S/L2/Resource', 'S/Role', 'S/Root', 'S/ScopedToOther', 'S/Session']);
});

test('token: a principal from a parameter is not another account; in an environment-agnostic stack no literal account is', () => {
  const { app, stack, param } = newConditionalRuleStack();
  keyWithPolicy(stack, 'FromParam', [use({ AWS: param.valueAsString })]);
  keyWithPolicy(stack, 'ParamInArn', [use({ AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: param.logicalId }, ':root']] } })]);
  const agnostic = new Stack(app, 'Agnostic');
  keyWithPolicy(agnostic, 'Literal', [use({ AWS: `arn:aws:iam::${OTHER}:root` })]);
  expect(firing(app, RULE)).toEqual([]);
});

test('Fn::If: a branch that names another account is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  keyWithPolicy(stack, 'Either', [use({ AWS: ifProd(condition, 'arn:aws:iam::123456789012:role/app', `arn:aws:iam::${OTHER}:role/app`) })]);
  keyWithPolicy(stack, 'Actions', [use({ AWS: `arn:aws:iam::${OTHER}:role/app` }, { Action: ifProd(condition, 'kms:DescribeKey', 'kms:Decrypt') })]);
  keyWithPolicy(stack, 'Both', [use({ AWS: ifProd(condition, 'arn:aws:iam::123456789012:role/a', 'arn:aws:iam::123456789012:role/b') })]);
  expect(firing(stack, RULE)).toEqual(['S/Actions', 'S/Either']);
});
