import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { cfnText, firing, ifProdText, newConditionalRuleStack, newRuleStack } from '../../support';

/** SqsQueueCustomerManagedKey. */

const RULE = 'SqsQueueCustomerManagedKey';

test('compliant: a customer managed key (L2 and L1)', () => {
  const { stack } = newRuleStack();
  new sqs.Queue(stack, 'L2', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  new sqs.CfnQueue(stack, 'L1', { kmsMasterKeyId: 'alias/orders' });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: SSE-SQS (the default), no encryption, the AWS managed key (L2 KMS_MANAGED, alias, Fn::Join)', () => {
  const { stack } = newRuleStack();
  new sqs.Queue(stack, 'Default');
  new sqs.CfnQueue(stack, 'SseSqs', { sqsManagedSseEnabled: true });
  new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  new sqs.Queue(stack, 'KmsManaged', { encryption: sqs.QueueEncryption.KMS_MANAGED });
  new sqs.CfnQueue(stack, 'Joined', { kmsMasterKeyId: cfnText({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:us-east-1:123456789012:alias/aws/sqs']] }) });
  expect(firing(stack, RULE)).toEqual(['S/Default/Resource', 'S/Joined', 'S/KmsManaged/Resource', 'S/SseSqs', 'S/Unencrypted/Resource']);
});

test('token: a key from a parameter is a specific key', () => {
  const { stack, param } = newConditionalRuleStack();
  new sqs.CfnQueue(stack, 'FromParam', { kmsMasterKeyId: param.valueAsString });
  new sqs.CfnQueue(stack, 'NameParam', { queueName: param.valueAsString });
  expect(firing(stack, RULE)).toEqual(['S/NameParam']);
});

test('Fn::If: a branch without a key is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new sqs.CfnQueue(stack, 'Either', { kmsMasterKeyId: ifProdText(condition, 'alias/orders', { Ref: 'AWS::NoValue' }) });
  new sqs.CfnQueue(stack, 'Both', { kmsMasterKeyId: ifProdText(condition, 'alias/a', 'alias/b') });
  expect(firing(stack, RULE)).toEqual(['S/Either']);
});
