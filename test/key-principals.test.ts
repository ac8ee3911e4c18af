import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KeyPrincipals, ManagedCmk } from '../src';
import { keyPolicyStatements, newStack, statementBySid, TEST_ENV } from './support';
import { ADMIN_ACTIONS, SYMMETRIC_USAGE_ACTIONS, USE_OR_CONFER_USE_ACTIONS } from '../src/private/kms-actions';

const ORG = 'o-a1b2c3d4e5';
const OU_PATH = `${ORG}/r-ab12/ou-ab12-11111111`;
const ROOT_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TEST_ENV.account}:root`]] };
const ssoPattern = (account: string, name: string, regional: boolean) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/aws-reserved/sso.amazonaws.com/${regional ? '*/' : ''}AWSReservedSSO_${name}_????????????????`]],
});

function role(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

describe('KeyPrincipals.organization and organizationalUnit as users', () => {
  // GIVEN a key used by an Organization and an OU, limited to S3
  const { stack } = newStack();
  new ManagedCmk(stack, 'Cmk', {
    alias: 'org',
    users: [KeyPrincipals.organization(ORG), KeyPrincipals.organizationalUnit(OU_PATH), role(stack, 'App')],
    serviceUsers: [KeyPrincipals.organization(ORG)],
    viaServices: ['s3.us-east-1.amazonaws.com'],
  });
  const template = Template.fromStack(stack);

  test('the Organization: Principal "*" only with aws:PrincipalOrgID, plus the key\'s usage conditions', () => {
    expect(statementBySid(template, 'KeyUsageOrganization')).toEqual({
      Sid: 'KeyUsageOrganization',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: [...SYMMETRIC_USAGE_ACTIONS],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'aws:PrincipalOrgID': ORG } },
    });
  });

  test('the OU: aws:PrincipalOrgID of its Organization and ForAnyValue:StringLike aws:PrincipalOrgPaths <path>/*', () => {
    const ou = keyPolicyStatements(template).find((s) => s.Condition?.['ForAnyValue:StringLike']);
    expect(ou).toMatchObject({
      Sid: expect.stringMatching(/^KeyUsageOrganization[0-9A-F]{8}$/),
      Principal: { AWS: '*' },
      Condition: {
        'StringEquals': { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'aws:PrincipalOrgID': ORG },
        'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${OU_PATH}/*` },
      },
    });
  });

  test('the named role keeps its own KeyUsage statement; no Allow has a "*" without aws:PrincipalOrgID', () => {
    expect(statementBySid(template, 'KeyUsage').Principal).toEqual({ AWS: { 'Fn::GetAtt': [expect.stringMatching(/^App/), 'Arn'] } });
    for (const s of keyPolicyStatements(template).filter((x) => x.Effect === 'Allow' && JSON.stringify(x.Principal).includes('"*"'))) {
      expect(s.Condition.StringEquals['aws:PrincipalOrgID']).toBe(ORG);
    }
  });

  test('as a service user: grants for AWS resources only, held to the Organization', () => {
    const grants = keyPolicyStatements(template).filter((s) => s.Sid.startsWith('KeyGrantsForAwsResources'));
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      Principal: { AWS: '*' },
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true }, StringEquals: { 'aws:PrincipalOrgID': ORG } },
    });
  });

  test('iam.OrganizationPrincipal is recognized the same way', () => {
    const { stack: s } = newStack();
    new ManagedCmk(s, 'Cmk', { alias: 'org', users: [new iam.OrganizationPrincipal(ORG)] });
    expect(statementBySid(Template.fromStack(s), 'KeyUsageOrganization').Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ORG } });
  });

  test('an OU path may end in "/" and nest OUs', () => {
    const { stack: s } = newStack();
    new ManagedCmk(s, 'Cmk', { alias: 'ou', users: [KeyPrincipals.organizationalUnit(`${OU_PATH}/ou-ab12-22222222/`)] });
    expect(statementBySid(Template.fromStack(s), 'KeyUsageOrganization').Condition['ForAnyValue:StringLike']).toEqual({
      'aws:PrincipalOrgPaths': `${OU_PATH}/ou-ab12-22222222/*`,
    });
  });
});

describe('KeyPrincipals.identityCenterPermissionSet', () => {
  const { stack } = newStack();
  new ManagedCmk(stack, 'Cmk', {
    alias: 'sso',
    administrators: [KeyPrincipals.identityCenterPermissionSet('KeyAdmins')],
    users: [KeyPrincipals.identityCenterPermissionSet('DataEngineers'), KeyPrincipals.identityCenterPermissionSet('Analysts', { account: '222222222222' })],
  });
  const template = Template.fromStack(stack);

  test('users: the account root with ArnLike aws:PrincipalArn on both role paths and a 16-character suffix', () => {
    expect(statementBySid(template, 'KeyUsageIdentityCenter')).toEqual({
      Sid: 'KeyUsageIdentityCenter',
      Effect: 'Allow',
      Principal: { AWS: ROOT_ARN },
      Action: [...SYMMETRIC_USAGE_ACTIONS],
      Resource: '*',
      Condition: { ArnLike: { 'aws:PrincipalArn': [ssoPattern(TEST_ENV.account, 'DataEngineers', false), ssoPattern(TEST_ENV.account, 'DataEngineers', true)] } },
    });
  });

  test('a permission set of another account names that account', () => {
    const other = keyPolicyStatements(template).find((s) => JSON.stringify(s).includes('AWSReservedSSO_Analysts_'));
    expect(other.Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } });
    expect(other.Condition.ArnLike['aws:PrincipalArn']).toEqual([ssoPattern('222222222222', 'Analysts', false), ssoPattern('222222222222', 'Analysts', true)]);
  });

  test('administrators: the administration actions, and a Deny of every use to the same role patterns', () => {
    expect(statementBySid(template, 'KeyAdministrationIdentityCenter')).toMatchObject({
      Principal: { AWS: ROOT_ARN },
      Action: [...ADMIN_ACTIONS],
      Condition: { ArnLike: { 'aws:PrincipalArn': [ssoPattern(TEST_ENV.account, 'KeyAdmins', false), ssoPattern(TEST_ENV.account, 'KeyAdmins', true)] } },
    });
    expect(statementBySid(template, 'KeyAdministratorsCannotUseIdentityCenter')).toEqual({
      Sid: 'KeyAdministratorsCannotUseIdentityCenter',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...USE_OR_CONFER_USE_ACTIONS],
      Resource: '*',
      Condition: { ArnLike: { 'aws:PrincipalArn': [ssoPattern(TEST_ENV.account, 'KeyAdmins', false), ssoPattern(TEST_ENV.account, 'KeyAdmins', true)] } },
    });
    // No other Deny carries the permission set's condition.
    expect(keyPolicyStatements(template).filter((s) => s.Effect === 'Deny').map((s) => s.Sid).sort()).toEqual([
      'DenyGrantsNotForAwsResources', 'KeyAdministratorsCannotUseIdentityCenter',
    ]);
  });

  test('two administrator permission sets share the Deny; named administrators keep theirs unconditioned', () => {
    const { stack: s } = newStack();
    const admin = role(s, 'Admin');
    new ManagedCmk(s, 'Cmk', {
      alias: 'sso2',
      administrators: [admin, KeyPrincipals.identityCenterPermissionSet('KeyAdmins'), KeyPrincipals.identityCenterPermissionSet('SecOps')],
    });
    const t = Template.fromStack(s);
    expect(statementBySid(t, 'KeyAdministratorsCannotUseIdentityCenter').Condition.ArnLike['aws:PrincipalArn']).toHaveLength(4);
    const named = statementBySid(t, 'KeyAdministratorsCannotUse');
    expect(named.Condition).toBeUndefined();
    expect(named.Principal).toEqual({ AWS: { 'Fn::GetAtt': [expect.stringMatching(/^Admin/), 'Arn'] } });
  });

  test('a permission set that both administers and uses the key is a separation-of-duties error', () => {
    const app = new App();
    const s = new Stack(app, 'Both', { env: TEST_ENV });
    new ManagedCmk(s, 'Cmk', {
      alias: 'both',
      administrators: [KeyPrincipals.identityCenterPermissionSet('Ops')],
      users: [KeyPrincipals.identityCenterPermissionSet('Ops')],
    });
    expect(() => app.synth()).toThrow(/is both an administrator and a user of key Both\/Cmk: separation of duties forbids it/);
  });

  test('another administrator principal with conditions gets a Deny of its own, never joining the shared one', () => {
    const { stack: s } = newStack();
    const admin = role(s, 'Admin');
    const conditioned = new iam.PrincipalWithConditions(role(s, 'Ops'), { Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
    new ManagedCmk(s, 'Cmk', { alias: 'cond', administrators: [admin, conditioned] });
    const t = Template.fromStack(s);
    expect(statementBySid(t, 'KeyAdministratorsCannotUse').Condition).toBeUndefined();
    const own = keyPolicyStatements(t).filter((x) => x.Effect === 'Deny' && /^KeyAdministratorsCannotUse[0-9A-F]{8}$/.test(x.Sid));
    expect(own).toHaveLength(1);
    expect(own[0].Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
  });

  test('an environment-agnostic stack names the account and partition by reference', () => {
    const s = new Stack(new App(), 'Agnostic');
    new ManagedCmk(s, 'Cmk', { alias: 'sso', users: [KeyPrincipals.identityCenterPermissionSet('DataEngineers')] });
    const st = statementBySid(Template.fromStack(s), 'KeyUsageIdentityCenter');
    expect(JSON.stringify(st.Condition)).toContain('{"Ref":"AWS::AccountId"},":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataEngineers_????????????????"');
  });
});

describe('principals of another account', () => {
  test('an administrator gets only what KMS honours across accounts, with a warning naming what was dropped', () => {
    const { stack } = newStack();
    const remote = iam.Role.fromRoleArn(stack, 'Remote', 'arn:aws:iam::222222222222:role/Remote');
    new ManagedCmk(stack, 'Cmk', { alias: 'x', administrators: [remote, new iam.AccountPrincipal('333333333333')] });
    const template = Template.fromStack(stack);
    // One shared statement for both, as the props lists share statements.
    expect(statementBySid(template, 'KeyAdministrationCrossAccount')).toMatchObject({
      Principal: { AWS: ['arn:aws:iam::222222222222:role/Remote', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:root']] }] },
      Action: ['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:RevokeGrant'],
    });
    expect(JSON.stringify(keyPolicyStatements(template).filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('222222222222')))).not.toMatch(/PutKeyPolicy|ScheduleKeyDeletion/);
    Annotations.fromStack(stack).hasWarning('/TestStack/Cmk', Match.stringLikeRegexp(
      "arn:aws:iam::222222222222:role/Remote \\('administrators\\[0\\]'\\) is a principal of another account than key TestStack/Cmk \\(123456789012\\)\\. " +
        'AWS KMS does not let another account perform kms:CancelKeyDeletion, kms:CreateAlias, .*kms:PutKeyPolicy, .*kms:ScheduleKeyDeletion, .*' +
        'so the key policy gives it only kms:DescribeKey, kms:GetKeyRotationStatus, kms:ListGrants, kms:RevokeGrant',
    ));
    Annotations.fromStack(stack).hasWarning('/TestStack/Cmk', Match.stringLikeRegexp("^AccountPrincipal\\(333333333333\\) \\('administrators\\[1\\]'\\)"));
  });

  test('grantAdmin to another account: the same; a grant of only ignored actions is an error', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'x' });
    const remote = iam.Role.fromRoleArn(stack, 'Remote', 'arn:aws:iam::222222222222:role/Remote');
    key.grantAdmin(remote);
    expect(statementBySid(Template.fromStack(stack), 'KeyAdministrationCrossAccount').Action).toEqual([
      'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:RevokeGrant',
    ]);
    Annotations.fromStack(stack).hasWarning('/TestStack/Cmk', Match.stringLikeRegexp("'grantee'.*kms:PutKeyPolicy"));
    expect(() => key.grant(remote, 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion')).toThrow(
      "'grantee' is a principal of another account (arn:aws:iam::222222222222:role/Remote), and AWS KMS does not let another account perform " +
        'kms:PutKeyPolicy, kms:ScheduleKeyDeletion on key TestStack/Cmk. Administer the key from its own account (123456789012).',
    );
  });

  test('users of another account keep every usage action, and no warning', () => {
    const { stack } = newStack();
    const remote = iam.Role.fromRoleArn(stack, 'Remote', 'arn:aws:iam::222222222222:role/Remote');
    new ManagedCmk(stack, 'Cmk', { alias: 'x', users: [remote] });
    expect(statementBySid(Template.fromStack(stack), 'KeyUsage').Action).toEqual([...SYMMETRIC_USAGE_ACTIONS]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('another account'));
  });

  test('an administrator of this account, or of an unknown account in an environment-agnostic stack, keeps every action', () => {
    const { stack } = newStack();
    const local = iam.Role.fromRoleArn(stack, 'Local', `arn:aws:iam::${TEST_ENV.account}:role/Local`);
    new ManagedCmk(stack, 'Cmk', { alias: 'x', administrators: [local] });
    expect(statementBySid(Template.fromStack(stack), 'KeyAdministration').Action).toEqual([...ADMIN_ACTIONS]);
    const agnostic = new Stack(new App(), 'Agnostic');
    new ManagedCmk(agnostic, 'Cmk', { alias: 'x', administrators: [iam.Role.fromRoleArn(agnostic, 'R', 'arn:aws:iam::222222222222:role/R')] });
    expect(statementBySid(Template.fromStack(agnostic), 'KeyAdministration').Action).toEqual([...ADMIN_ACTIONS]);
    Annotations.fromStack(agnostic).hasNoWarning('*', Match.anyValue());
  });

  test('an Identity Center permission set of another account as administrator is cross-account too', () => {
    const { stack } = newStack();
    new ManagedCmk(stack, 'Cmk', { alias: 'x', administrators: [KeyPrincipals.identityCenterPermissionSet('KeyAdmins', { account: '222222222222' })] });
    const st = statementBySid(Template.fromStack(stack), 'KeyAdministrationCrossAccount');
    expect(st.Action).toEqual(['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:RevokeGrant']);
    expect(JSON.stringify(st.Condition)).toContain(':iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_KeyAdmins_');
  });
});

describe('bad input is a clear synth-time error', () => {
  test.each([
    ['an Organization id', () => KeyPrincipals.organization('o-123'), "'organizationId' must be an AWS Organizations id such as o-a1b2c3d4e5. Received: \"o-123\""],
    ['an Organization id in upper case', () => KeyPrincipals.organization('o-A1B2C3D4E5'), "'organizationId' must be an AWS Organizations id"],
    ['an OU path without the root', () => KeyPrincipals.organizationalUnit(`${ORG}/ou-ab12-11111111`), `'organizationalUnitPath' must be an AWS Organizations entity path to an OU such as o-a1b2c3d4e5/r-ab12/ou-ab12-11111111. Received: "${ORG}/ou-ab12-11111111"`],
    ['an OU path that stops at the root', () => KeyPrincipals.organizationalUnit(`${ORG}/r-ab12`), "'organizationalUnitPath' must be an AWS Organizations entity path to an OU"],
    ['an OU path with a wildcard', () => KeyPrincipals.organizationalUnit(`${ORG}/r-ab12/*`), "'organizationalUnitPath' must be an AWS Organizations entity path to an OU"],
    ['an empty permission-set name', () => KeyPrincipals.identityCenterPermissionSet(''), "'permissionSetName' must be between 1 and 32 characters long. Received: \"\" (0 characters)"],
    ['a permission-set name of 33 characters', () => KeyPrincipals.identityCenterPermissionSet('A'.repeat(33)), "'permissionSetName' must be between 1 and 32 characters long. Received: \"" + 'A'.repeat(33) + '" (33 characters)'],
    ['a permission-set name with a wildcard', () => KeyPrincipals.identityCenterPermissionSet('Data*'), "'permissionSetName' must contain only letters, digits and _+=,.@- (an IAM Identity Center permission-set name). Received: \"Data*\""],
    ['a permission-set name with a space', () => KeyPrincipals.identityCenterPermissionSet('Data Engineers'), "'permissionSetName' must contain only letters, digits and _+=,.@-"],
    ['an account that is not 12 digits', () => KeyPrincipals.identityCenterPermissionSet('Ops', { account: '1234' }), "'account' must be a 12-digit AWS account id. Received: \"1234\""],
  ])('%s', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('names at the limits are accepted', () => {
    expect(() => KeyPrincipals.identityCenterPermissionSet('A'.repeat(32))).not.toThrow();
    expect(() => KeyPrincipals.identityCenterPermissionSet('a_b+c=d,e.f@g-h')).not.toThrow();
  });

  test('an Organization or OU as an administrator', () => {
    const { stack } = newStack();
    expect(() => new ManagedCmk(stack, 'Cmk', { alias: 'x', administrators: [KeyPrincipals.organization(ORG)] })).toThrow(
      /^'administrators\[0\]' must not be a wildcard principal: an Organization or OU cannot administer key TestStack\/Cmk/,
    );
    const key = new ManagedCmk(stack, 'Cmk2', { alias: 'y' });
    expect(() => key.grantAdmin(KeyPrincipals.organizationalUnit(OU_PATH))).toThrow(/^'grantee' must not be a wildcard principal/);
  });

  test.each([
    ['users', (s: Stack) => new ManagedCmk(s, 'Cmk', { alias: 'x', users: [new iam.AnyPrincipal()] }), /^'users\[0\]' must not be Principal "\*" without a condition/],
    ['serviceUsers', (s: Stack) => new ManagedCmk(s, 'Cmk', { alias: 'x', serviceUsers: [new iam.StarPrincipal()] }), /^'serviceUsers\[0\]' must not be Principal "\*"/],
    ['grantDecrypt', (s: Stack) => new ManagedCmk(s, 'Cmk', { alias: 'x' }).grantDecrypt(new iam.AnyPrincipal()), /^'grantee' must not be Principal "\*".*KeyPrincipals\.organization/],
  ])('a bare wildcard principal in %s', (_what, make, message) => {
    const { stack } = newStack();
    expect(() => make(stack)).toThrow(message);
  });

  test('a wildcard held to the account, as the AWS managed keys do, stays possible in a scoped grant', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'x' });
    key.grantScoped(new iam.AnyPrincipal(), {
      actions: ['kms:Decrypt'],
      viaServices: ['ec2.us-east-1.amazonaws.com'],
      conditions: { StringEquals: { 'kms:CallerAccount': TEST_ENV.account } },
    });
    expect(keyPolicyStatements(Template.fromStack(stack)).some((s) => s.Effect === 'Allow' && s.Principal.AWS === '*')).toBe(true);
  });

  test('tokens are not validated at synth', () => {
    const { stack } = newStack();
    const org = new CfnParameter(stack, 'Org').valueAsString;
    const name = new CfnParameter(stack, 'PermissionSet').valueAsString;
    expect(() => new ManagedCmk(stack, 'Cmk', {
      alias: 'x',
      users: [KeyPrincipals.organization(org), KeyPrincipals.identityCenterPermissionSet(name)],
    })).not.toThrow();
    expect(statementBySid(Template.fromStack(stack), 'KeyUsageOrganization').Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': { Ref: 'Org' } } });
    expect(() => KeyPrincipals.organizationalUnit(org)).toThrow("'organizationalUnitPath' must be a literal path");
  });
});
