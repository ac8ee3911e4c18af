import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataKeyPairSpec, KeyHealthCanary, ManagedCmk } from '../../src';
import { CANARY_CONTEXT_KEY, CANARY_CONTEXT_VALUE, CANARY_RUN_CONTEXT_KEY } from '../../src/private/contracts/key-health-canary.contract';
import { PolicySimulator, TEST_ENV } from '../support';

/**
 * What the canary's role may do with the key it probes, by the synthesized key policy. moto
 * enforces no key policy, so only this proves that the canary works on AWS, and no further.
 */
describe('KeyHealthCanary key-policy behaviour', () => {
  function build(keySpec?: kms.KeySpec) {
    const app = new App();
    const stack = new Stack(app, 'Canary', { env: TEST_ENV });
    const key = new ManagedCmk(stack, 'Key', { alias: 'probed', keySpec });
    new KeyHealthCanary(stack, 'Health', { key });
    const sim = PolicySimulator.fromStacks(stack);
    return { sim, role: sim.roleArn('Health/Probe/Role'), key: sim.keyArn('Key') };
  }

  const canaryContext = { [`kms:EncryptionContext:${CANARY_CONTEXT_KEY}`]: CANARY_CONTEXT_VALUE, [`kms:EncryptionContext:${CANARY_RUN_CONTEXT_KEY}`]: 'run-1' };

  test('a symmetric key: the canary can describe it (no encryption context on DescribeKey)', async () => {
    const { sim, role, key } = build();
    expect(await sim.decide({ principal: role, action: 'kms:DescribeKey', resource: key })).toBe('Allowed');
  });

  test.each(['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'])('a symmetric key: %s only with the canary\'s encryption context', async (action) => {
    const { sim, role, key } = build();
    expect(await sim.decide({ principal: role, action, resource: key, context: canaryContext })).toBe('Allowed');
    expect(await sim.decide({ principal: role, action, resource: key })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ principal: role, action, resource: key, context: { [`kms:EncryptionContext:${CANARY_CONTEXT_KEY}`]: 'payroll' } })).toBe('ImplicitlyDenied');
  });

  test('the canary cannot administer the key', async () => {
    const { sim, role, key } = build();
    for (const action of ['kms:PutKeyPolicy', 'kms:DisableKey', 'kms:ScheduleKeyDeletion']) {
      expect(await sim.decide({ principal: role, action, resource: key })).toBe('ImplicitlyDenied');
    }
    expect(await sim.decide({ principal: role, action: 'kms:CreateGrant', resource: key })).toBe('ExplicitlyDenied');
  });

  test('a signing key: describe, sign and verify', async () => {
    const { sim, role, key } = build(kms.KeySpec.ECC_NIST_P256);
    for (const action of ['kms:DescribeKey', 'kms:Sign', 'kms:Verify']) {
      expect(await sim.decide({ principal: role, action, resource: key })).toBe('Allowed');
    }
  });

  describe('one canary, several keys, every probe', () => {
    const app = new App();
    const stack = new Stack(app, 'Canaries', { env: TEST_ENV });
    const sym = new ManagedCmk(stack, 'Sym', { alias: 'sym' });
    const pairs = new ManagedCmk(stack, 'Pairs', { alias: 'pairs' });
    const agree = new ManagedCmk(stack, 'Agree', { alias: 'agree', keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.KEY_AGREEMENT });
    new ManagedCmk(stack, 'Untouched', { alias: 'untouched' });
    new KeyHealthCanary(stack, 'Health', { key: sym, keys: [{ key: pairs, dataKeyPair: DataKeyPairSpec.ECC_NIST_P384 }, { key: agree }] });
    const sim = PolicySimulator.fromStacks(stack);
    const role = sim.roleArn('Health/Probe/Role');
    const [symArn, pairsArn, agreeArn, untouchedArn] = ['Sym', 'Pairs', 'Agree', 'Untouched'].map((k) => sim.keyArn(k));
    const spec = (value: string) => ({ ...canaryContext, 'kms:DataKeyPairSpec': value });

    test('every probed key: Encrypt/Decrypt only with the canary\'s context; a key it does not probe: nothing', async () => {
      for (const key of [symArn, pairsArn]) {
        expect(await sim.decide({ principal: role, action: 'kms:Decrypt', resource: key, context: canaryContext })).toBe('Allowed');
        expect(await sim.decide({ principal: role, action: 'kms:Decrypt', resource: key })).toBe('ImplicitlyDenied');
      }
      expect(await sim.decide({ principal: role, action: 'kms:Decrypt', resource: untouchedArn, context: canaryContext })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ principal: role, action: 'kms:DescribeKey', resource: untouchedArn })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ principal: role, action: 'kms:GenerateDataKeyPair', resource: untouchedArn, context: spec('ECC_NIST_P384') })).toBe('ImplicitlyDenied');
    });

    test('GenerateDataKeyPair: only on the key with the probe, only its pair spec, only with the canary\'s context', async () => {
      expect(await sim.decide({ principal: role, action: 'kms:GenerateDataKeyPair', resource: pairsArn, context: spec('ECC_NIST_P384') })).toBe('Allowed');
      expect(await sim.decide({ principal: role, action: 'kms:GenerateDataKeyPair', resource: pairsArn, context: spec('RSA_4096') })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ principal: role, action: 'kms:GenerateDataKeyPair', resource: pairsArn, context: { 'kms:DataKeyPairSpec': 'ECC_NIST_P384' } })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ principal: role, action: 'kms:GenerateDataKeyPair', resource: symArn, context: spec('ECC_NIST_P384') })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ principal: role, action: 'kms:GenerateDataKeyPairWithoutPlaintext', resource: pairsArn, context: spec('ECC_NIST_P384') })).toBe('ImplicitlyDenied');
    });

    test('key agreement: DeriveSharedSecret only with ECDH; GetPublicKey and DescribeKey; nothing else', async () => {
      const ecdh = { 'kms:KeyAgreementAlgorithm': 'ECDH' };
      expect(await sim.decide({ principal: role, action: 'kms:DeriveSharedSecret', resource: agreeArn, context: ecdh })).toBe('Allowed');
      expect(await sim.decide({ principal: role, action: 'kms:DeriveSharedSecret', resource: agreeArn })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ principal: role, action: 'kms:DeriveSharedSecret', resource: agreeArn, context: { 'kms:KeyAgreementAlgorithm': 'OTHER' } })).toBe('ImplicitlyDenied');
      for (const action of ['kms:GetPublicKey', 'kms:DescribeKey']) {
        expect(await sim.decide({ principal: role, action, resource: agreeArn })).toBe('Allowed');
      }
      expect(await sim.decide({ principal: role, action: 'kms:GetPublicKey', resource: symArn })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ principal: role, action: 'kms:DeriveSharedSecret', resource: symArn, context: ecdh })).toBe('ImplicitlyDenied');
      for (const action of ['kms:Encrypt', 'kms:Decrypt']) {
        expect(await sim.decide({ principal: role, action, resource: agreeArn, context: canaryContext })).toBe('ImplicitlyDenied');
      }
      expect(await sim.decide({ principal: role, action: 'kms:ScheduleKeyDeletion', resource: agreeArn })).toBe('ImplicitlyDenied');
    });
  });
});
