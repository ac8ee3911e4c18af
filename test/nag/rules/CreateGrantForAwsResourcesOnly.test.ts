import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk, RootAccess } from '../../../src';
import { firing, ifProd, keyWithPolicy, newConditionalRuleStack, newRuleStack } from '../../support';

/** CreateGrantForAwsResourcesOnly: kms:CreateGrant only for grants an AWS service makes for an AWS resource. */

const RULE = 'CreateGrantForAwsResourcesOnly';
const ROLE = { AWS: 'arn:aws:iam::123456789012:role/app' };
const FOR_AWS_RESOURCE = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
/** The Control Tower CT.KMS.PR.3 statement. */
const CONTROL_TOWER_DENY = {
  Sid: 'DenyGrantsNotForAwsResources',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};

test('compliant: GrantIsForAWSResource (Bool, BoolIfExists, boolean true), ViaService, the root, a service, the Control Tower deny, ManagedCmk', () => {
  const { stack } = newRuleStack();
  keyWithPolicy(stack, 'Bool', [{ Effect: 'Allow', Principal: ROLE, Action: ['kms:CreateGrant', 'kms:ListGrants'], Resource: '*', Condition: FOR_AWS_RESOURCE }]);
  keyWithPolicy(stack, 'BoolIfExists', [{ Effect: 'Allow', Principal: ROLE, Action: 'kms:CreateGrant', Resource: '*', Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': true } } }]);
  keyWithPolicy(stack, 'ViaService', [{
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:CreateGrant'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' } },
  }]);
  keyWithPolicy(stack, 'Service', [{ Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'kms:CreateGrant', Resource: '*' }]);
  keyWithPolicy(stack, 'ControlTower', [CONTROL_TOWER_DENY, { Effect: 'Allow', Principal: ROLE, Action: 'kms:Create*', Resource: '*' }]);
  new kms.CfnKey(stack, 'NoPolicy', { enableKeyRotation: true });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new ManagedCmk(stack, 'Cmk', { alias: 'cmk', administrators: [admin], serviceUsers: [user], rootAccess: RootAccess.FULL });
  new iam.ManagedPolicy(stack, 'IdentityOk', {
    statements: [new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: ['arn:aws:kms:us-east-1:123456789012:key/k'], conditions: FOR_AWS_RESOURCE })],
  });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: the console\'s kms:Create* administrators, kms:* for a role, a condition on something else, a Bool false, identity policies', () => {
  const { stack } = newRuleStack();
  keyWithPolicy(stack, 'ConsoleAdmins', [{ Effect: 'Allow', Principal: ROLE, Action: ['kms:Create*', 'kms:Describe*', 'kms:Put*'], Resource: '*' }]);
  keyWithPolicy(stack, 'RoleStar', [{ Effect: 'Allow', Principal: ROLE, Action: 'kms:*', Resource: '*' }]);
  keyWithPolicy(stack, 'OtherCondition', [{ Effect: 'Allow', Principal: ROLE, Action: 'kms:CreateGrant', Resource: '*', Condition: { StringEquals: { 'kms:GrantOperations': 'Decrypt' } } }]);
  keyWithPolicy(stack, 'BoolFalse', [{ Effect: 'Allow', Principal: ROLE, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false' } } }]);
  keyWithPolicy(stack, 'DenyOnlyForOthers', [
    { ...CONTROL_TOWER_DENY, Principal: ROLE },
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/other' }, Action: 'kms:CreateGrant', Resource: '*' },
  ]);
  new iam.ManagedPolicy(stack, 'Identity', { statements: [new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: ['*'] })] });
  new iam.CfnRole(stack, 'Inline', {
    assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    policies: [{ policyName: 'grants', policyDocument: { Statement: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] } }],
  });
  expect(firing(stack, RULE)).toEqual(['S/BoolFalse', 'S/ConsoleAdmins', 'S/DenyOnlyForOthers', 'S/Identity/Resource', 'S/Inline', 'S/OtherCondition', 'S/RoleStar']);
});

test('token: a principal from a parameter is specific (judged); an action from a parameter cannot be read and is a finding', () => {
  const { stack, param } = newConditionalRuleStack();
  keyWithPolicy(stack, 'PrincipalParam', [{ Effect: 'Allow', Principal: { AWS: param.valueAsString }, Action: 'kms:CreateGrant', Resource: '*' }]);
  keyWithPolicy(stack, 'PrincipalParamOk', [{ Effect: 'Allow', Principal: { AWS: param.valueAsString }, Action: 'kms:CreateGrant', Resource: '*', Condition: FOR_AWS_RESOURCE }]);
  keyWithPolicy(stack, 'ActionParam', [{ Effect: 'Allow', Principal: ROLE, Action: param.valueAsString, Resource: '*' }]);
  expect(firing(stack, RULE)).toEqual(['S/ActionParam', 'S/PrincipalParam']);
});

test('Fn::If: a branch that drops the condition, or allows kms:*, is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  keyWithPolicy(stack, 'ConditionEither', [{ Effect: 'Allow', Principal: ROLE, Action: 'kms:CreateGrant', Resource: '*', Condition: ifProd(condition, FOR_AWS_RESOURCE, { StringEquals: { 'aws:PrincipalTag/team': 'x' } }) }]);
  keyWithPolicy(stack, 'ActionEither', [{ Effect: 'Allow', Principal: ROLE, Action: ifProd(condition, 'kms:Decrypt', 'kms:*'), Resource: '*' }]);
  keyWithPolicy(stack, 'DenyEither', [ifProd(condition, CONTROL_TOWER_DENY, { Ref: 'AWS::NoValue' }), { Effect: 'Allow', Principal: ROLE, Action: 'kms:CreateGrant', Resource: '*' }]);
  keyWithPolicy(stack, 'Both', [{ Effect: 'Allow', Principal: ROLE, Action: ifProd(condition, 'kms:Decrypt', 'kms:Encrypt'), Resource: '*' }]);
  expect(firing(stack, RULE)).toEqual(['S/ActionEither', 'S/ConditionEither', 'S/DenyEither']);
});
