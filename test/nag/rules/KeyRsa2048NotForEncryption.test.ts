import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk } from '../../../src';
import { firing, ifProd, newConditionalRuleStack, newRuleStack } from '../../support';

/** KeyRsa2048NotForEncryption: Control Tower CT.KMS.PR.2. */

const RULE = 'KeyRsa2048NotForEncryption';

test('compliant: RSA_3072 and RSA_4096 for encryption, RSA_2048 for signing, symmetric, HMAC and ECC keys', () => {
  const { stack } = newRuleStack();
  new kms.CfnKey(stack, 'Rsa3072', { keySpec: 'RSA_3072', keyUsage: 'ENCRYPT_DECRYPT' });
  new kms.CfnKey(stack, 'Rsa4096', { keySpec: 'RSA_4096' });
  new kms.CfnKey(stack, 'Rsa2048Sign', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' });
  new kms.CfnKey(stack, 'Symmetric', { enableKeyRotation: true });
  new kms.CfnKey(stack, 'Hmac', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });
  new kms.CfnKey(stack, 'Ecc', { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' });
  new ManagedCmk(stack, 'Signing', { alias: 'signing', keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: RSA_2048 with ENCRYPT_DECRYPT, with KeyUsage absent (which means ENCRYPT_DECRYPT), and the L2', () => {
  const { stack } = newRuleStack();
  new kms.CfnKey(stack, 'Explicit', { keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' });
  new kms.CfnKey(stack, 'UsageAbsent', { keySpec: 'RSA_2048' });
  new kms.Key(stack, 'L2', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
  expect(firing(stack, RULE)).toEqual(['S/Explicit', 'S/L2/Resource', 'S/UsageAbsent']);
});

test('token: a key spec from a parameter cannot be proven and is a finding; a usage from a parameter with RSA_3072 too', () => {
  const { stack, param } = newConditionalRuleStack();
  new kms.CfnKey(stack, 'SpecParam', { keySpec: param.valueAsString, keyUsage: 'ENCRYPT_DECRYPT' });
  new kms.CfnKey(stack, 'UsageParam', { keySpec: 'RSA_3072', keyUsage: param.valueAsString });
  new kms.CfnKey(stack, 'SignParam', { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', description: param.valueAsString });
  expect(firing(stack, RULE)).toEqual(['S/SpecParam', 'S/UsageParam']);
});

test('Fn::If: either branch with RSA_2048 for encryption is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new kms.CfnKey(stack, 'Either', { keySpec: ifProd(condition, 'RSA_4096', 'RSA_2048') });
  new kms.CfnKey(stack, 'UsageEither', { keySpec: 'RSA_2048', keyUsage: ifProd(condition, 'SIGN_VERIFY', 'ENCRYPT_DECRYPT') });
  new kms.CfnKey(stack, 'Both', { keySpec: ifProd(condition, 'RSA_4096', 'RSA_3072') });
  expect(firing(stack, RULE)).toEqual(['S/Either', 'S/UsageEither']);
});
