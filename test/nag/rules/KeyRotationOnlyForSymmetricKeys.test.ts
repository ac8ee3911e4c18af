import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk } from '../../../src';
import { firing, ifProd, newConditionalRuleStack, newRuleStack } from '../../support';

/** KeyRotationOnlyForSymmetricKeys: no automatic rotation where AWS KMS cannot rotate. */

const RULE = 'KeyRotationOnlyForSymmetricKeys';

test('compliant: asymmetric, HMAC and imported keys without rotation; symmetric keys with it; ManagedCmk of every kind', () => {
  const { stack } = newRuleStack();
  new kms.CfnKey(stack, 'Rsa', { keySpec: 'RSA_4096', enableKeyRotation: false });
  new kms.CfnKey(stack, 'Hmac', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });
  new kms.CfnKey(stack, 'Imported', { origin: 'EXTERNAL' });
  new kms.CfnKey(stack, 'Symmetric', { enableKeyRotation: true });
  new ManagedCmk(stack, 'Signing', { alias: 'signing', keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY });
  new ManagedCmk(stack, 'Mac', { alias: 'mac', keySpec: kms.KeySpec.HMAC_512 });
  new ManagedCmk(stack, 'Data', { alias: 'data' });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: rotation on for an RSA key, an ECC key, an HMAC key, imported key material', () => {
  const { stack } = newRuleStack();
  new kms.CfnKey(stack, 'Rsa', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', enableKeyRotation: true });
  new kms.CfnKey(stack, 'Ecc', { keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY', enableKeyRotation: true });
  new kms.CfnKey(stack, 'Hmac', { keySpec: 'HMAC_384', keyUsage: 'GENERATE_VERIFY_MAC', enableKeyRotation: true });
  new kms.CfnKey(stack, 'Imported', { origin: 'EXTERNAL', enableKeyRotation: true });
  expect(firing(stack, RULE)).toEqual(['S/Ecc', 'S/Hmac', 'S/Imported', 'S/Rsa']);
});

test('token: rotation from a parameter on an asymmetric key cannot be proven off; a symmetric key is not this rule\'s', () => {
  const { stack, param } = newConditionalRuleStack();
  new kms.CfnKey(stack, 'Asymmetric', { keySpec: 'RSA_3072', enableKeyRotation: param.valueAsString as any });
  new kms.CfnKey(stack, 'Symmetric', { enableKeyRotation: param.valueAsString as any });
  expect(firing(stack, RULE)).toEqual(['S/Asymmetric']);
});

test('Fn::If: a branch that is asymmetric with rotation on is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new kms.CfnKey(stack, 'SpecEither', { keySpec: ifProd(condition, 'SYMMETRIC_DEFAULT', 'RSA_3072'), enableKeyRotation: true });
  new kms.CfnKey(stack, 'RotationEither', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', enableKeyRotation: ifProd(condition, false, true) });
  new kms.CfnKey(stack, 'Fine', { keySpec: ifProd(condition, 'RSA_3072', 'ECC_NIST_P256'), keyUsage: 'SIGN_VERIFY', enableKeyRotation: ifProd(condition, false, false) });
  expect(firing(stack, RULE)).toEqual(['S/RotationEither', 'S/SpecEither']);
});
