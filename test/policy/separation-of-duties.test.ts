import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KeyAdminRole, KeyMaterialOrigin, ManagedCmk, RootAccess } from '../../src';
import { Decision, PolicySimulator, TEST_ENV } from '../support';

/**
 * Who can really do what with a ManagedCmk, decided by the IAM policy simulator over the
 * synthesized key policy and identity policies.
 */
function build(rootAccess: RootAccess, keySpec: kms.KeySpec = kms.KeySpec.SYMMETRIC_DEFAULT, keyMaterialOrigin?: KeyMaterialOrigin) {
  const app = new App();
  const stack = new Stack(app, 'Sod', { env: TEST_ENV });
  const lambda = new iam.ServicePrincipal('lambda.amazonaws.com');
  const admin = new iam.Role(stack, 'Admin', { assumedBy: lambda });
  const user = new iam.Role(stack, 'User', { assumedBy: lambda });
  const keyAdmin = new KeyAdminRole(stack, 'KeyAdmin', { assumedBy: new iam.AccountPrincipal(TEST_ENV.account) });
  // A role whose IAM policy allows everything KMS can do, on every key.
  const iamOnly = new iam.Role(stack, 'IamOnly', { assumedBy: lambda });
  new iam.ManagedPolicy(stack, 'KmsEverything', {
    roles: [iamOnly, keyAdmin],
    statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })],
  });
  new ManagedCmk(stack, 'Cmk', { alias: 'sod', rootAccess, keySpec, keyMaterialOrigin, administrators: [admin, keyAdmin], users: [user] });
  return PolicySimulator.fromStacks(stack);
}

const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant'];
const ADMINISTER = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:CancelKeyDeletion', 'kms:RotateKeyOnDemand', 'kms:CreateAlias'];

async function decide(sim: PolicySimulator, who: string, action: string): Promise<Decision> {
  return sim.decide({ principal: sim.roleArn(who), action, resource: sim.keyArn('Cmk') });
}

describe.each([RootAccess.ADMINISTRATION_ONLY, RootAccess.FULL])('separation of duties (root access %s)', (rootAccess) => {
  const sim = build(rootAccess);

  test.each(USE)('an administrator cannot %s', async (action) => {
    expect(await decide(sim, 'Admin', action)).not.toBe('Allowed');
  });

  test.each(USE)('a KeyAdminRole cannot %s, even with an IAM policy allowing kms:*', async (action) => {
    // Under FULL the key policy delegates everything to IAM: only the guardrail's explicit Deny stops it.
    expect(await decide(sim, 'KeyAdmin', action)).toBe('ExplicitlyDenied');
  });

  test.each(ADMINISTER)('an administrator can %s', async (action) => {
    expect(await decide(sim, 'Admin', action)).toBe('Allowed');
    expect(await decide(sim, 'KeyAdmin', action)).toBe('Allowed');
  });

  test.each([...ADMINISTER, 'kms:CreateGrant'])('a user cannot %s', async (action) => {
    expect(await decide(sim, 'User', action)).not.toBe('Allowed');
  });

  test.each(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'])('a user can %s', async (action) => {
    expect(await decide(sim, 'User', action)).toBe('Allowed');
  });
});

const KEY_MATERIAL = ['kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial', 'kms:GetParametersForImport'];

describe.each([RootAccess.ADMINISTRATION_ONLY, RootAccess.FULL])('imported key material (root access %s)', (rootAccess) => {
  const sim = build(rootAccess, kms.KeySpec.SYMMETRIC_DEFAULT, KeyMaterialOrigin.EXTERNAL);

  test.each(KEY_MATERIAL)('an administrator can %s', async (action) => {
    expect(await decide(sim, 'Admin', action)).toBe('Allowed');
    expect(await decide(sim, 'KeyAdmin', action)).toBe('Allowed');
  });

  test.each(USE)('…but an administrator of an EXTERNAL key still cannot %s', async (action) => {
    expect(await decide(sim, 'Admin', action)).not.toBe('Allowed');
    expect(await decide(sim, 'KeyAdmin', action)).toBe('ExplicitlyDenied');
  });

  test.each(KEY_MATERIAL)('a user cannot %s', async (action) => {
    expect(await decide(sim, 'User', action)).not.toBe('Allowed');
  });

  test.each(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'])('a user can %s', async (action) => {
    expect(await decide(sim, 'User', action)).toBe('Allowed');
  });
});

describe('key-material actions on keys whose material is from AWS KMS', () => {
  test('nobody named in the key policy gets them, not even an administrator; IAM-only principals neither under ADMINISTRATION_ONLY', async () => {
    const sim = build(RootAccess.ADMINISTRATION_ONLY);
    for (const action of KEY_MATERIAL) {
      for (const who of ['Admin', 'User', 'IamOnly']) expect(await decide(sim, who, action)).toBe('ImplicitlyDenied');
    }
  });

  test('an EXTERNAL key under ADMINISTRATION_ONLY: an IAM policy can delegate importing (through the root statement), never decrypting', async () => {
    const sim = build(RootAccess.ADMINISTRATION_ONLY, kms.KeySpec.SYMMETRIC_DEFAULT, KeyMaterialOrigin.EXTERNAL);
    expect(await decide(sim, 'IamOnly', 'kms:ImportKeyMaterial')).toBe('Allowed');
    expect(await decide(sim, 'IamOnly', 'kms:Decrypt')).toBe('ImplicitlyDenied');
  });
});

describe('root access decides what IAM policies can delegate', () => {
  test('ADMINISTRATION_ONLY: an IAM policy allowing kms:* still cannot decrypt, encrypt or create grants', async () => {
    const sim = build(RootAccess.ADMINISTRATION_ONLY);
    for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']) {
      expect(await decide(sim, 'IamOnly', action)).toBe('ImplicitlyDenied');
    }
    // A grant that is not for an AWS resource is denied to everyone but AWS services (CT.KMS.PR.3).
    expect(await decide(sim, 'IamOnly', 'kms:CreateGrant')).toBe('ExplicitlyDenied');
    // …but it can administer, as the root statement delegates administration to IAM.
    expect(await decide(sim, 'IamOnly', 'kms:PutKeyPolicy')).toBe('Allowed');
  });

  test('FULL: the same IAM policy can decrypt', async () => {
    const sim = build(RootAccess.FULL);
    expect(await decide(sim, 'IamOnly', 'kms:Decrypt')).toBe('Allowed');
  });
});

describe('signing keys', () => {
  const sim = build(RootAccess.ADMINISTRATION_ONLY, kms.KeySpec.ECC_NIST_P256);

  test('an administrator cannot sign; a user can sign and verify but not decrypt', async () => {
    expect(await decide(sim, 'Admin', 'kms:Sign')).not.toBe('Allowed');
    expect(await decide(sim, 'KeyAdmin', 'kms:Sign')).not.toBe('Allowed');
    expect(await decide(sim, 'User', 'kms:Sign')).toBe('Allowed');
    expect(await decide(sim, 'User', 'kms:Verify')).toBe('Allowed');
    expect(await decide(sim, 'User', 'kms:Decrypt')).toBe('ImplicitlyDenied');
  });
});

describe('KeyAdminRole trust', () => {
  test('assuming the role needs MFA', async () => {
    const app = new App();
    const stack = new Stack(app, 'Trust', { env: TEST_ENV });
    const role = new KeyAdminRole(stack, 'KeyAdmin', { assumedBy: new iam.AccountPrincipal(TEST_ENV.account) });
    // The trust policy trusts the account, so the person also needs an IAM policy to assume it.
    const alice = new iam.User(stack, 'Alice');
    new iam.ManagedPolicy(stack, 'MayAssume', { users: [alice], statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [role.roleArn] })] });
    const sim = PolicySimulator.fromStacks(stack);
    const req = { principal: sim.userArn('Alice'), action: 'sts:AssumeRole', resource: sim.roleArn('KeyAdmin') };
    expect(await sim.decide({ ...req, context: { 'aws:MultiFactorAuthPresent': 'true' } })).toBe('Allowed');
    expect(await sim.decide({ ...req, context: { 'aws:MultiFactorAuthPresent': 'false' } })).not.toBe('Allowed');
  });
});
