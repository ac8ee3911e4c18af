import { firing, ifProd, keyWithPolicy, newConditionalRuleStack, newRuleStack } from '../../support';

/** KeyPolicyServiceSourceConditions: confused-deputy conditions on every service-principal statement. */

const RULE = 'KeyPolicyServiceSourceConditions';
const USE = ['kms:Decrypt', 'kms:GenerateDataKey*'];
const service = (name: string, condition?: object, action: unknown = USE) =>
  ({ Effect: 'Allow', Principal: { Service: name }, Action: action, Resource: '*', ...(condition ? { Condition: condition } : {}) });

test('compliant: SourceAccount, SourceArn (also a wildcard resource part), SourceOrgID, the logs/CloudTrail/SNS encryption-context ARN, CallerAccount + ViaService, DescribeKey alone', () => {
  const { stack } = newRuleStack();
  keyWithPolicy(stack, 'SourceAccount', [service('cloudwatch.amazonaws.com', { StringEquals: { 'aws:SourceAccount': '123456789012' } })]);
  keyWithPolicy(stack, 'SourceAccountPseudo', [service('cloudwatch.amazonaws.com', { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } })]);
  keyWithPolicy(stack, 'SourceArn', [service('events.amazonaws.com', { ArnLike: { 'aws:SourceArn': 'arn:aws:events:us-east-1:123456789012:rule/*' } })]);
  keyWithPolicy(stack, 'SourceOrg', [service('delivery.logs.amazonaws.com', { StringEquals: { 'aws:SourceOrgID': 'o-a1b2c3d4e5' } })]);
  keyWithPolicy(stack, 'LogsContext', [service('logs.us-east-1.amazonaws.com', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:123456789012:log-group:*' } })]);
  keyWithPolicy(stack, 'CloudTrailDocumented', [
    service('cloudtrail.amazonaws.com', {
      StringEquals: { 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org' },
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:123456789012:trail/*' },
    }, 'kms:GenerateDataKey*'),
    service('cloudtrail.amazonaws.com', undefined, 'kms:DescribeKey'),
  ]);
  keyWithPolicy(stack, 'SnsContext', [service('cloudwatch.amazonaws.com', { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': 'arn:aws:sns:us-east-1:123456789012:alarms' } })]);
  keyWithPolicy(stack, 'ViaService', [service('ssm.amazonaws.com', { StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } })]);
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: no condition, IfExists, a wildcard account, a condition on something else, CallerAccount without ViaService', () => {
  const { stack } = newRuleStack();
  keyWithPolicy(stack, 'None', [service('cloudwatch.amazonaws.com')]);
  keyWithPolicy(stack, 'IfExists', [service('cloudwatch.amazonaws.com', { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } })]);
  keyWithPolicy(stack, 'AnyAccount', [service('events.amazonaws.com', { ArnLike: { 'aws:SourceArn': 'arn:aws:events:us-east-1:*:rule/*' } })]);
  keyWithPolicy(stack, 'Elsewhere', [service('sns.amazonaws.com', { Bool: { 'aws:SecureTransport': 'true' } })]);
  keyWithPolicy(stack, 'CallerOnly', [service('ssm.amazonaws.com', { StringEquals: { 'kms:CallerAccount': '123456789012' } })]);
  keyWithPolicy(stack, 'DescribePlus', [service('cloudtrail.amazonaws.com', undefined, ['kms:DescribeKey', 'kms:Decrypt'])]);
  keyWithPolicy(stack, 'InAList', [{ Effect: 'Allow', Principal: { Service: ['logging.s3.amazonaws.com'], AWS: 'arn:aws:iam::123456789012:role/app' }, Action: 'kms:GenerateDataKey', Resource: '*' }]);
  expect(firing(stack, RULE)).toEqual(['S/AnyAccount', 'S/CallerOnly', 'S/DescribePlus', 'S/Elsewhere', 'S/IfExists', 'S/InAList', 'S/None']);
});

test('token: a source account or ARN from a parameter is a specific account; a whole condition from a parameter is a finding', () => {
  const { stack, param } = newConditionalRuleStack();
  keyWithPolicy(stack, 'AccountParam', [service('cloudwatch.amazonaws.com', { StringEquals: { 'aws:SourceAccount': param.valueAsString } })]);
  keyWithPolicy(stack, 'ArnParam', [service('events.amazonaws.com', { ArnEquals: { 'aws:SourceArn': param.valueAsString } })]);
  keyWithPolicy(stack, 'ConditionParam', [service('events.amazonaws.com', { Ref: param.logicalId })]);
  expect(firing(stack, RULE)).toEqual(['S/ConditionParam']);
});

test('Fn::If: a branch without the source condition is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  const bound = { StringEquals: { 'aws:SourceAccount': '123456789012' } };
  keyWithPolicy(stack, 'Either', [service('cloudwatch.amazonaws.com', ifProd(condition, bound, { Ref: 'AWS::NoValue' }))]);
  keyWithPolicy(stack, 'Statement', [ifProd(condition, service('cloudwatch.amazonaws.com', bound), service('cloudwatch.amazonaws.com'))]);
  keyWithPolicy(stack, 'Both', [service('cloudwatch.amazonaws.com', ifProd(condition, bound, { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:*' } }))]);
  expect(firing(stack, RULE)).toEqual(['S/Either', 'S/Statement']);
});
