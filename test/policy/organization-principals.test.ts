import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KeyPrincipals, ManagedCmk, RootAccess } from '../../src';
import { ADMIN_ACTIONS, CROSS_ACCOUNT_ACTIONS, SYMMETRIC_USAGE_ACTIONS, expandKmsAction } from '../../src/private/kms-actions';
import { Decision, PolicySimulator, TEST_ENV } from '../support';

/**
 * Organization, OU, Identity Center and cross-account principals, decided by the policy simulator
 * over the synthesized key policies and the identity policies of roles in four accounts: the key's
 * (a member directly under the root), a member in a nested OU, a member in another OU, and an
 * account outside the Organization.
 */

const ORG = 'o-a1b2c3d4e5';
const ROOT_ID = 'r-ab12';
const OU = 'ou-ab12-11111111';
const NESTED_OU = 'ou-ab12-22222222';
const OTHER_OU = 'ou-ab12-33333333';
const KEY_ACCOUNT = TEST_ENV.account;
const MEMBER = '222222222222'; // in OU/NESTED_OU
const OTHER_MEMBER = '444444444444'; // in OTHER_OU
const OUTSIDE = '333333333333'; // in no organization
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';

const ORGANIZATION = {
  id: ORG,
  rootId: ROOT_ID,
  accounts: { [KEY_ACCOUNT]: [], [MEMBER]: [OU, NESTED_OU], [OTHER_MEMBER]: [OTHER_OU] },
};

/** A role whose IAM policy allows every KMS action on every key: what the key policy lets through is what it may do. */
function kmsEverythingRole(stack: Stack, id: string, props: Partial<iam.RoleProps> = {}): iam.Role {
  const role = new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), ...props });
  new iam.ManagedPolicy(stack, `${id}Kms`, { roles: [role], statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })] });
  return role;
}

function build(rootAccess: RootAccess) {
  const app = new App();
  const keys = new Stack(app, 'Keys', { env: TEST_ENV });
  const member = new Stack(app, 'Member', { env: { account: MEMBER, region: TEST_ENV.region } });
  const otherMember = new Stack(app, 'OtherMember', { env: { account: OTHER_MEMBER, region: TEST_ENV.region } });
  const outside = new Stack(app, 'Outside', { env: { account: OUTSIDE, region: TEST_ENV.region } });

  // The key's account: a role with no IAM policy, Identity Center roles, and look-alikes.
  new iam.Role(keys, 'LocalApp', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  kmsEverythingRole(keys, 'SsoDataEngineers', { path: SSO_PATH, roleName: 'AWSReservedSSO_DataEngineers_0123456789abcdef' });
  kmsEverythingRole(keys, 'SsoDataEngineersRegional', { path: `${SSO_PATH}eu-west-2/`, roleName: 'AWSReservedSSO_DataEngineers_fedcba9876543210' });
  kmsEverythingRole(keys, 'LookAlikeOutsidePath', { path: '/', roleName: 'AWSReservedSSO_DataEngineers_aaaaaaaaaaaaaaaa' });
  kmsEverythingRole(keys, 'LookAlikeOtherPath', { path: '/aws-reserved/other.amazonaws.com/', roleName: 'AWSReservedSSO_DataEngineers_bbbbbbbbbbbbbbbb' });
  kmsEverythingRole(keys, 'SsoPrefixedSet', { path: SSO_PATH, roleName: 'AWSReservedSSO_DataEngineers_Ext_0123456789abcdef' });
  kmsEverythingRole(keys, 'SsoKeyAdmins', { path: SSO_PATH, roleName: 'AWSReservedSSO_KeyAdmins_00112233aabbccdd' });

  // The other accounts: roles whose own policies allow everything on KMS.
  kmsEverythingRole(member, 'MemberApp', { roleName: 'MemberApp' });
  kmsEverythingRole(member, 'MemberAdmin', { roleName: 'MemberAdmin' });
  kmsEverythingRole(member, 'MemberSsoDataEngineers', { path: SSO_PATH, roleName: 'AWSReservedSSO_DataEngineers_0123456789abcdef' });
  kmsEverythingRole(otherMember, 'OtherMemberApp', { roleName: 'OtherMemberApp' });
  kmsEverythingRole(outside, 'OutsideApp', { roleName: 'OutsideApp' });

  const memberAdmin = iam.Role.fromRoleArn(keys, 'MemberAdminRef', `arn:aws:iam::${MEMBER}:role/MemberAdmin`);
  new ManagedCmk(keys, 'OrgKey', { alias: 'org', rootAccess, users: [KeyPrincipals.organization(ORG)], administrators: [memberAdmin] });
  new ManagedCmk(keys, 'OuKey', { alias: 'ou', rootAccess, users: [KeyPrincipals.organizationalUnit(`${ORG}/${ROOT_ID}/${OU}`)] });
  new ManagedCmk(keys, 'SsoKey', {
    alias: 'sso',
    rootAccess,
    users: [KeyPrincipals.identityCenterPermissionSet('DataEngineers')],
    administrators: [KeyPrincipals.identityCenterPermissionSet('KeyAdmins')],
  });
  const scoped = new ManagedCmk(keys, 'ScopedOrgKey', { alias: 'scoped-org', rootAccess });
  scoped.grantScoped(KeyPrincipals.organization(ORG), { actions: ['kms:Decrypt'], viaServices: ['s3.us-east-1.amazonaws.com'] });
  return PolicySimulator.fromStacks([keys, member, otherMember, outside], { organization: ORGANIZATION });
}

const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:DescribeKey'];
const MORE_THAN_USE = ['kms:CreateGrant', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKey', 'kms:CreateAlias', 'kms:Sign'];

describe.each([RootAccess.ADMINISTRATION_ONLY, RootAccess.FULL])('organization and Identity Center principals (root access %s)', (rootAccess) => {
  const sim = build(rootAccess);
  const decide = (role: string, action: string, key: string, context?: Record<string, string>): Promise<Decision> =>
    sim.decide({ principal: sim.roleArn(role), action, resource: sim.keyArn(key), context });

  describe('KeyPrincipals.organization', () => {
    test.each(USE)('a principal of a member account may %s, through its own IAM policy', async (action) => {
      expect(await decide('MemberApp', action, 'OrgKey')).toBe('Allowed');
    });

    test.each(USE)('a principal of the key\'s own account may %s by the key policy alone', async (action) => {
      expect(await decide('LocalApp', action, 'OrgKey')).toBe('Allowed');
    });

    test.each(MORE_THAN_USE)('a principal of the Organization may not %s', async (action) => {
      expect(await decide('MemberApp', action, 'OrgKey')).not.toBe('Allowed');
      if (rootAccess === RootAccess.ADMINISTRATION_ONLY || action === 'kms:CreateGrant') {
        // Under FULL, the key's own account delegates everything to IAM: LocalApp has no IAM policy at all.
        expect(await decide('LocalApp', action, 'OrgKey')).not.toBe('Allowed');
      }
    });

    test.each(USE)('a principal outside the Organization may not %s, even with kms:* in its IAM policy', async (action) => {
      expect(await decide('OutsideApp', action, 'OrgKey')).toBe('ImplicitlyDenied');
    });

    test('a scoped grant keeps its conditions: Decrypt through S3 only, nothing else', async () => {
      expect(await decide('MemberApp', 'kms:Decrypt', 'ScopedOrgKey', { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe('Allowed');
      expect(await decide('MemberApp', 'kms:Decrypt', 'ScopedOrgKey')).toBe('ImplicitlyDenied');
      expect(await decide('MemberApp', 'kms:Decrypt', 'ScopedOrgKey', { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' })).toBe('ImplicitlyDenied');
      expect(await decide('MemberApp', 'kms:Encrypt', 'ScopedOrgKey', { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe('ImplicitlyDenied');
      expect(await decide('OutsideApp', 'kms:Decrypt', 'ScopedOrgKey', { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe('ImplicitlyDenied');
    });
  });

  describe('KeyPrincipals.organizationalUnit', () => {
    test.each(USE)('a principal of an account in a nested OU below it may %s', async (action) => {
      expect(await decide('MemberApp', action, 'OuKey')).toBe('Allowed');
    });

    test.each(USE)('a principal of the Organization outside the OU may not %s', async (action) => {
      expect(await decide('OtherMemberApp', action, 'OuKey')).toBe('ImplicitlyDenied');
      expect(await decide('OutsideApp', action, 'OuKey')).toBe('ImplicitlyDenied');
      if (rootAccess === RootAccess.ADMINISTRATION_ONLY) expect(await decide('LocalApp', action, 'OuKey')).toBe('ImplicitlyDenied');
    });

    test.each(MORE_THAN_USE)('a principal of the OU may not %s', async (action) => {
      expect(await decide('MemberApp', action, 'OuKey')).not.toBe('Allowed');
    });
  });

  describe('KeyPrincipals.identityCenterPermissionSet', () => {
    test.each(USE)('the permission set\'s roles, with and without the Region path, may %s', async (action) => {
      expect(await decide('SsoDataEngineers', action, 'SsoKey')).toBe('Allowed');
      expect(await decide('SsoDataEngineersRegional', action, 'SsoKey')).toBe('Allowed');
    });

    test('a user permission set may not create grants (its administration is what the root statement delegates to any IAM role)', async () => {
      expect(await decide('SsoDataEngineers', 'kms:CreateGrant', 'SsoKey')).toBe('ExplicitlyDenied');
    });

    test.each(USE.filter((a) => a !== 'kms:DescribeKey'))('a role of the permission set in another account may not %s', async (action) => {
      expect(await decide('MemberSsoDataEngineers', action, 'SsoKey')).toBe('ImplicitlyDenied');
    });

    // Under RootAccess.FULL every role of the account gets what its IAM policy gives: look-alikes
    // with kms:* too, by design. DescribeKey is an administration action the root statement delegates.
    if (rootAccess === RootAccess.ADMINISTRATION_ONLY) {
      test.each(USE.filter((a) => a !== 'kms:DescribeKey'))('look-alikes with kms:* in IAM may not %s: outside the SSO path, under another path, a permission set named with this one as prefix', async (action) => {
        for (const role of ['LookAlikeOutsidePath', 'LookAlikeOtherPath', 'SsoPrefixedSet', 'LocalApp']) {
          expect(`${role}: ${await decide(role, action, 'SsoKey')}`).toBe(`${role}: ImplicitlyDenied`);
        }
      });
    }

    test.each(['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKey', 'kms:RotateKeyOnDemand'])('an administrator permission set may %s', async (action) => {
      expect(await decide('SsoKeyAdmins', action, 'SsoKey')).toBe('Allowed');
    });

    test.each([...USE.filter((a) => a !== 'kms:DescribeKey'), 'kms:CreateGrant'])('an administrator permission set may not %s, even with kms:* in IAM', async (action) => {
      expect(await decide('SsoKeyAdmins', action, 'SsoKey')).toBe('ExplicitlyDenied');
    });
  });

  describe('an administrator of another account', () => {
    const honoured = ADMIN_ACTIONS.filter((a) => CROSS_ACCOUNT_ACTIONS.includes(a));
    // (kms:ListAliases is not an action on a key resource: no key policy decides it.)
    const ignored = ADMIN_ACTIONS.filter((a) => !CROSS_ACCOUNT_ACTIONS.includes(a) && a !== 'kms:ListAliases');

    test('gets exactly the administration actions KMS honours across accounts', () => {
      expect(honoured).toEqual(['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:RevokeGrant']);
    });

    test.each(honoured)('may %s', async (action) => {
      expect(await decide('MemberAdmin', action, 'OrgKey')).toBe('Allowed');
    });

    test.each(ignored)('is not given %s in the key policy', async (action) => {
      expect(await decide('MemberAdmin', action, 'OrgKey')).toBe('ImplicitlyDenied');
    });

    test.each([...SYMMETRIC_USAGE_ACTIONS.filter((a) => a !== 'kms:DescribeKey').flatMap((a) => expandKmsAction(a)), 'kms:CreateGrant'])('may not %s: administrators never use the key, though it is in the Organization', async (action) => {
      expect(await decide('MemberAdmin', action, 'OrgKey')).toBe('ExplicitlyDenied');
    });
  });

  test('the account root keeps PutKeyPolicy (no lockout)', async () => {
    for (const key of ['OrgKey', 'OuKey', 'SsoKey', 'ScopedOrgKey']) {
      expect(await sim.decide({ principal: sim.rootArn(), action: 'kms:PutKeyPolicy', resource: sim.keyArn(key) })).toBe('Allowed');
    }
  });
});
