import { firing, ifProd, keyWithPolicy, newConditionalRuleStack, newRuleStack } from '../../support';

/** KeyPolicyNoIdentityCenterWildcard: no key access for every Identity Center permission set by a wildcard. */

const RULE = 'KeyPolicyNoIdentityCenterWildcard';
const SSO = 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com';
const byArn = (operator: string, pattern: unknown) => ({
  Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:Decrypt', Resource: '*', Condition: { [operator]: { 'aws:PrincipalArn': pattern } },
});

test('compliant: a permission set named (with or without the Region path), an exact role ARN, a fixed substring, a Deny', () => {
  const { stack } = newRuleStack();
  keyWithPolicy(stack, 'Named', [byArn('ArnLike', `${SSO}/AWSReservedSSO_DataEngineers_*`)]);
  keyWithPolicy(stack, 'NamedRegional', [byArn('StringLike', `${SSO}/*/AWSReservedSSO_DataEngineers_*`)]);
  keyWithPolicy(stack, 'Exact', [{ Effect: 'Allow', Principal: { AWS: `${SSO}/AWSReservedSSO_DataEngineers_0123456789abcdef` }, Action: 'kms:Decrypt', Resource: '*' }]);
  keyWithPolicy(stack, 'Substring', [byArn('ArnLike', `${SSO}/AWSReservedSSO_*Admin*`)]);
  keyWithPolicy(stack, 'Deny', [{ ...byArn('ArnLike', `${SSO}/AWSReservedSSO_*`), Effect: 'Deny' }]);
  keyWithPolicy(stack, 'OtherRoles', [byArn('ArnLike', 'arn:aws:iam::123456789012:role/app-*')]);
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: AWSReservedSSO_*, every SSO role, *AWSReservedSSO*, the Regional path wildcard, a wildcard principal ARN, ForAnyValue/IfExists', () => {
  const { stack } = newRuleStack();
  keyWithPolicy(stack, 'Prefix', [byArn('ArnLike', `${SSO}/AWSReservedSSO_*`)]);
  keyWithPolicy(stack, 'AllSso', [byArn('ArnLike', `${SSO}/*`)]);
  keyWithPolicy(stack, 'Anywhere', [byArn('StringLike', '*AWSReservedSSO_*')]);
  keyWithPolicy(stack, 'Regional', [byArn('ArnLike', `${SSO}/*/AWSReservedSSO_*`)]);
  keyWithPolicy(stack, 'InPrincipal', [{ Effect: 'Allow', Principal: { AWS: `${SSO}/AWSReservedSSO_*` }, Action: 'kms:Encrypt', Resource: '*' }]);
  keyWithPolicy(stack, 'IfExists', [byArn('ForAnyValue:ArnLikeIfExists', [`${SSO}/AWSReservedSSO_?*`])]);
  keyWithPolicy(stack, 'Sub', [byArn('ArnLike', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*' })]);
  expect(firing(stack, RULE)).toEqual(['S/AllSso', 'S/Anywhere', 'S/IfExists', 'S/InPrincipal', 'S/Prefix', 'S/Regional', 'S/Sub']);
});

test('token: a pattern from a parameter is specific; a permission-set name from a parameter is bounded', () => {
  const { stack, param } = newConditionalRuleStack();
  keyWithPolicy(stack, 'FromParam', [byArn('ArnLike', param.valueAsString)]);
  keyWithPolicy(stack, 'NameParam', [byArn('ArnLike', { 'Fn::Join': ['', [`${SSO}/AWSReservedSSO_`, { Ref: param.logicalId }, '_*']] })]);
  expect(firing(stack, RULE)).toEqual([]);
});

test('Fn::If: a branch with a wildcard over every permission set is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  keyWithPolicy(stack, 'Either', [byArn('ArnLike', ifProd(condition, `${SSO}/AWSReservedSSO_Ops_*`, `${SSO}/AWSReservedSSO_*`))]);
  keyWithPolicy(stack, 'Both', [byArn('ArnLike', ifProd(condition, `${SSO}/AWSReservedSSO_Ops_*`, `${SSO}/AWSReservedSSO_Dev_*`))]);
  expect(firing(stack, RULE)).toEqual(['S/Either']);
});
