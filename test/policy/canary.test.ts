import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KeyHealthCanary, ManagedCmk } from '../../src';
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
});
