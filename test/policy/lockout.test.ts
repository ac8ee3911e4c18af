import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KeyMaterialOrigin, KeyPrincipals, ManagedCmk, RootAccess } from '../../src';
import { PolicySimulator, TEST_ENV } from '../support';

/** A small deterministic PRNG (mulberry32), so that a failing configuration can be reproduced. */
/* eslint-disable no-bitwise */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

/** The key's account is a member of an Organization, directly under its root. */
const ORG = { id: 'o-a1b2c3d4e5', rootId: 'r-ab12', accounts: { [TEST_ENV.account]: [] } };

const SPECS: Array<[kms.KeySpec, kms.KeyUsage | undefined, Array<keyof ManagedCmk>]> = [
  [kms.KeySpec.SYMMETRIC_DEFAULT, undefined, ['grantDecrypt', 'grantEncrypt', 'grantEncryptDecrypt', 'grantUsage']],
  [kms.KeySpec.RSA_2048, kms.KeyUsage.ENCRYPT_DECRYPT, ['grantDecrypt', 'grantUsage']],
  [kms.KeySpec.RSA_4096, kms.KeyUsage.SIGN_VERIFY, ['grantSign', 'grantVerify', 'grantSignVerify']],
  [kms.KeySpec.ECC_NIST_P256, undefined, ['grantSign', 'grantVerify']],
  [kms.KeySpec.HMAC_256, undefined, ['grantGenerateMac', 'grantVerifyMac']],
];

interface Case {
  readonly seed: number;
  readonly sim: PolicySimulator;
  readonly admins: string[];
  readonly users: string[];
  readonly description: string;
  readonly external: boolean;
}

function generate(seed: number): Case {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const count = (max: number) => Math.floor(rand() * (max + 1));

  const app = new App();
  const stack = new Stack(app, `Lockout${seed}`, { env: TEST_ENV });
  const role = (name: string) =>
    new iam.Role(stack, name, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: rand() < 0.3 ? `fixed-${name}` : undefined });
  const admins = Array.from({ length: count(3) }, (_, i) => role(`Admin${i}`));
  const users = Array.from({ length: count(3) }, (_, i) => role(`User${i}`));
  const serviceUsers = Array.from({ length: count(2) }, (_, i) => role(`Service${i}`));
  const [keySpec, keyUsage, grants] = pick(SPECS);
  const rootAccess = pick([RootAccess.ADMINISTRATION_ONLY, RootAccess.FULL]);
  const viaServices = rand() < 0.3 ? ['s3.us-east-1.amazonaws.com'] : undefined;
  // Every key spec here takes imported key material too.
  const keyMaterialOrigin = pick([KeyMaterialOrigin.AWS_KMS, KeyMaterialOrigin.EXTERNAL]);

  const allowRsa2048Encryption = keySpec === kms.KeySpec.RSA_2048 && keyUsage === kms.KeyUsage.ENCRYPT_DECRYPT;
  const key = new ManagedCmk(stack, 'Cmk', {
    alias: `lockout/${seed}`, keySpec, keyUsage, rootAccess, administrators: admins, users, serviceUsers, viaServices, allowRsa2048Encryption, keyMaterialOrigin,
  });
  const grantees = Array.from({ length: count(3) }, (_, i) => role(`Grantee${i}`));
  for (const g of grantees) (key[pick(grants)] as (g: iam.IGrantable) => iam.Grant).call(key, g);
  const lateAdmins = Array.from({ length: count(1) }, (_, i) => role(`LateAdmin${i}`));
  for (const a of lateAdmins) key.grantAdmin(a);
  if (rand() < 0.3) {
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarms',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      resources: ['*'],
    }));
  }
  // Drawn last, so that the configurations above stay what they were for every seed: an Identity
  // Center permission set as administrator (its role's own policy allows kms:*), the Organization
  // as a user.
  const ssoAdmins: string[] = [];
  if (rand() < 0.3) {
    key.grantAdmin(KeyPrincipals.identityCenterPermissionSet('KeyAdmins'));
    const sso = new iam.Role(stack, 'SsoKeyAdmins', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      path: '/aws-reserved/sso.amazonaws.com/',
      roleName: 'AWSReservedSSO_KeyAdmins_0123456789abcdef',
    });
    new iam.ManagedPolicy(stack, 'SsoKeyAdminsPolicy', { roles: [sso], statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })] });
    ssoAdmins.push(sso.node.id);
  }
  const organization = rand() < 0.3;
  if (organization) key.grantUsage(KeyPrincipals.organization(ORG.id));
  app.synth(); // runs the key's validations
  return {
    seed,
    sim: PolicySimulator.fromStacks([stack], { organization: ORG }),
    admins: [...admins, ...lateAdmins].map((r) => r.node.id).concat(ssoAdmins),
    users: [...users, ...serviceUsers, ...grantees].map((r) => r.node.id),
    description: `seed ${seed}: ${keySpec}/${keyUsage ?? 'default'}, ${rootAccess}, ${keyMaterialOrigin}, ${admins.length + lateAdmins.length} admins, ` +
      `${users.length} users, ${serviceUsers.length} service users, ${grantees.length} grantees${viaServices ? ', viaServices' : ''}` +
      `${ssoAdmins.length > 0 ? ', an Identity Center administrator' : ''}${organization ? ', the Organization as user' : ''}`,
    external: keyMaterialOrigin === KeyMaterialOrigin.EXTERNAL,
  };
}

const CASES = 200;

describe(`no configuration locks the key (${CASES} generated configurations)`, () => {
  test('the account root, and every administrator, can change the key policy; no user can', async () => {
    const failures: string[] = [];
    const kinds = new Set<string>();
    for (let seed = 1; seed <= CASES; seed++) {
      const c = generate(seed);
      const [spec, root, origin] = c.description.split(':')[1].split(',');
      kinds.add(spec + root + origin);
      if (c.description.includes('Identity Center')) kinds.add('identity-center');
      if (c.description.includes('Organization')) kinds.add('organization');
      const resource = c.sim.keyArn('Cmk');
      const may = (principal: string, action = 'kms:PutKeyPolicy') => c.sim.decide({ principal, action, resource });
      if ((await may(c.sim.rootArn())) !== 'Allowed') failures.push(`${c.description}: the account root cannot PutKeyPolicy`);
      for (const a of c.admins) {
        if ((await may(c.sim.roleArn(a))) !== 'Allowed') failures.push(`${c.description}: administrator ${a} cannot PutKeyPolicy`);
      }
      for (const u of c.users) {
        if ((await may(c.sim.roleArn(u))) === 'Allowed') failures.push(`${c.description}: user ${u} can PutKeyPolicy`);
      }
      // Imported key material: the root and the administrators may (re)import it, no user may import or delete it.
      if (c.external) {
        for (const principal of [c.sim.rootArn(), ...c.admins.map((a) => c.sim.roleArn(a))]) {
          if ((await may(principal, 'kms:ImportKeyMaterial')) !== 'Allowed') failures.push(`${c.description}: ${principal} cannot ImportKeyMaterial`);
        }
        for (const u of c.users) {
          for (const action of ['kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial']) {
            if ((await may(c.sim.roleArn(u), action)) === 'Allowed') failures.push(`${c.description}: user ${u} can ${action}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // The generator covers the space: every key spec under both root-access modes, with both key-material origins.
    expect(kinds.size).toBeGreaterThanOrEqual(SPECS.length * 2 * 2);
    expect(kinds).toContain('identity-center');
    expect(kinds).toContain('organization');
  });
});
