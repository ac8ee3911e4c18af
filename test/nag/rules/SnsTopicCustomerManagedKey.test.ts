import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { cfnText, firing, ifProdText, newConditionalRuleStack, newRuleStack } from '../../support';

/** SnsTopicCustomerManagedKey. */

const RULE = 'SnsTopicCustomerManagedKey';
const AWS_MANAGED_BY_SUB = { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sns' };

test('compliant: a customer managed key by reference, key ARN or own alias', () => {
  const { stack } = newRuleStack();
  new sns.Topic(stack, 'L2', { masterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  new sns.CfnTopic(stack, 'Arn', { kmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
  new sns.CfnTopic(stack, 'OwnAlias', { kmsMasterKeyId: 'alias/orders' });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: no key, the AWS managed key by alias, alias ARN or Fn::Sub', () => {
  const { stack } = newRuleStack();
  new sns.Topic(stack, 'Plain');
  new sns.CfnTopic(stack, 'AwsAlias', { kmsMasterKeyId: 'alias/aws/sns' });
  new sns.CfnTopic(stack, 'AwsAliasArn', { kmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/sns' });
  new sns.CfnTopic(stack, 'AwsAliasSub', { kmsMasterKeyId: cfnText(AWS_MANAGED_BY_SUB) });
  new sns.Topic(stack, 'L2Managed', { masterKey: kms.Alias.fromAliasName(stack, 'Managed', 'alias/aws/sns') });
  expect(firing(stack, RULE)).toEqual(['S/AwsAlias', 'S/AwsAliasArn', 'S/AwsAliasSub', 'S/L2Managed/Resource', 'S/Plain/Resource']);
});

test('token: a key from a parameter is a specific key; an alias joined from a parameter and alias/aws/ is AWS managed', () => {
  const { stack, param } = newConditionalRuleStack();
  new sns.CfnTopic(stack, 'FromParam', { kmsMasterKeyId: param.valueAsString });
  new sns.CfnTopic(stack, 'Joined', { kmsMasterKeyId: cfnText({ 'Fn::Join': ['', ['alias/aws/', { Ref: param.logicalId }]] }) });
  expect(firing(stack, RULE)).toEqual(['S/Joined']);
});

test('Fn::If: a branch without a key, or with the AWS managed key, is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new sns.CfnTopic(stack, 'NoValue', { kmsMasterKeyId: ifProdText(condition, 'alias/orders', { Ref: 'AWS::NoValue' }) });
  new sns.CfnTopic(stack, 'Managed', { kmsMasterKeyId: ifProdText(condition, 'alias/aws/sns', 'alias/orders') });
  new sns.CfnTopic(stack, 'Both', { kmsMasterKeyId: ifProdText(condition, 'alias/orders', 'alias/orders-dr') });
  expect(firing(stack, RULE)).toEqual(['S/Managed', 'S/NoValue']);
});
