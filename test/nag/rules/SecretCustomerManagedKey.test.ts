import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { firing, ifProdText, newConditionalRuleStack, newRuleStack } from '../../support';

/** SecretCustomerManagedKey. */

const RULE = 'SecretCustomerManagedKey';

test('compliant: a customer managed key (L2 and L1)', () => {
  const { stack } = newRuleStack();
  new secretsmanager.Secret(stack, 'L2', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  new secretsmanager.CfnSecret(stack, 'L1', { kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: no key (aws/secretsmanager), or its alias', () => {
  const { stack } = newRuleStack();
  new secretsmanager.Secret(stack, 'Default');
  new secretsmanager.CfnSecret(stack, 'Alias', { kmsKeyId: 'alias/aws/secretsmanager' });
  expect(firing(stack, RULE)).toEqual(['S/Alias', 'S/Default/Resource']);
});

test('token: a key from a parameter is a specific key', () => {
  const { stack, param } = newConditionalRuleStack();
  new secretsmanager.CfnSecret(stack, 'FromParam', { kmsKeyId: param.valueAsString });
  new secretsmanager.CfnSecret(stack, 'NoKey', { description: param.valueAsString });
  expect(firing(stack, RULE)).toEqual(['S/NoKey']);
});

test('Fn::If: a branch with the AWS managed key is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new secretsmanager.CfnSecret(stack, 'Either', { kmsKeyId: ifProdText(condition, 'alias/app', 'alias/aws/secretsmanager') });
  new secretsmanager.CfnSecret(stack, 'Both', { kmsKeyId: ifProdText(condition, 'alias/app', 'alias/app-dr') });
  expect(firing(stack, RULE)).toEqual(['S/Either']);
});
