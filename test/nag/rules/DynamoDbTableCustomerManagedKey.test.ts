import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { firing, ifProd, newConditionalRuleStack, newRuleStack } from '../../support';

/** DynamoDbTableCustomerManagedKey. */

const RULE = 'DynamoDbTableCustomerManagedKey';
const KEY_SCHEMA = { keySchema: [{ attributeName: 'id', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST' };

test('compliant: a customer managed key on a table (L2 Table, L1) and on every replica of a global table', () => {
  const { stack } = newRuleStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new dynamodb.Table(stack, 'L2', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key });
  new dynamodb.CfnTable(stack, 'L1', { ...KEY_SCHEMA, sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: 'alias/orders' } });
  new dynamodb.CfnGlobalTable(stack, 'Global', {
    ...KEY_SCHEMA,
    sseSpecification: { sseEnabled: true, sseType: 'KMS' },
    replicas: [{ region: 'us-east-1', sseSpecification: { kmsMasterKeyId: 'alias/orders' } }, { region: 'eu-west-1', sseSpecification: { kmsMasterKeyId: 'alias/orders-eu' } }],
  });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: the AWS owned key (default), aws/dynamodb (SSE on, no key; the L2 AWS_MANAGED), alias/aws/dynamodb, a replica without a key', () => {
  const { stack } = newRuleStack();
  new dynamodb.Table(stack, 'Default', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  new dynamodb.Table(stack, 'AwsManaged', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, encryption: dynamodb.TableEncryption.AWS_MANAGED });
  new dynamodb.CfnTable(stack, 'SseOff', { ...KEY_SCHEMA, sseSpecification: { sseEnabled: false } });
  new dynamodb.CfnTable(stack, 'Alias', { ...KEY_SCHEMA, sseSpecification: { sseEnabled: true, kmsMasterKeyId: 'alias/aws/dynamodb' } });
  new dynamodb.CfnGlobalTable(stack, 'Global', {
    ...KEY_SCHEMA,
    sseSpecification: { sseEnabled: true, sseType: 'KMS' },
    replicas: [{ region: 'us-east-1', sseSpecification: { kmsMasterKeyId: 'alias/orders' } }, { region: 'eu-west-1' }],
  });
  expect(firing(stack, RULE)).toEqual(['S/Alias', 'S/AwsManaged/Resource', 'S/Default/Resource', 'S/Global', 'S/SseOff']);
});

test('token: a key from a parameter is a specific key; SSEEnabled from a parameter cannot be proven', () => {
  const { stack, param } = newConditionalRuleStack();
  new dynamodb.CfnTable(stack, 'KeyParam', { ...KEY_SCHEMA, sseSpecification: { sseEnabled: true, kmsMasterKeyId: param.valueAsString } });
  new dynamodb.CfnTable(stack, 'EnabledParam', { ...KEY_SCHEMA, sseSpecification: { sseEnabled: param.valueAsString as any, kmsMasterKeyId: 'alias/orders' } });
  expect(firing(stack, RULE)).toEqual(['S/EnabledParam']);
});

test('Fn::If: a branch without customer managed encryption is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new dynamodb.CfnTable(stack, 'Either', { ...KEY_SCHEMA, sseSpecification: ifProd(condition, { SSEEnabled: true, KMSMasterKeyId: 'alias/orders' }, { SSEEnabled: false }) });
  new dynamodb.CfnTable(stack, 'Both', { ...KEY_SCHEMA, sseSpecification: ifProd(condition, { SSEEnabled: true, KMSMasterKeyId: 'alias/a' }, { SSEEnabled: true, KMSMasterKeyId: 'alias/b' }) });
  expect(firing(stack, RULE)).toEqual(['S/Either']);
});
