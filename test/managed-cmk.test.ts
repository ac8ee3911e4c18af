import { App, CfnParameter, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { KeyMaterialOrigin, ManagedCmk, ManagedCmkReplica, RootAccess } from '../src';
import {
  asArray, controlTowerFindings, firing, identityPolicyActions, keyPolicyStatements, libraryFindings, newStack, statementBySid, TEST_ENV,
  unacknowledged,
} from './support';
import { principalTagValue } from '../src/private/key-policy/cross-stack';
import { ADMIN_ACTIONS, CRYPTOGRAPHIC_ACTIONS, EXTERNAL_KEY_ADMIN_ACTIONS, KEY_MATERIAL_ACTIONS } from '../src/private/kms-actions';

function role(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

describe('ManagedCmk defaults', () => {
  // GIVEN a ManagedCmk with only the required prop
  const { stack } = newStack();
  new ManagedCmk(stack, 'Cmk', { alias: 'app/data' });
  // WHEN synthesized
  const template = Template.fromStack(stack);

  test('the template holds exactly AWS::KMS::Key + AWS::KMS::Alias', () => {
    const types = Object.values<any>(template.toJSON().Resources).map((r) => r.Type).sort();
    expect(types).toEqual(['AWS::KMS::Alias', 'AWS::KMS::Key']);
  });

  test('logical IDs stay what they are (a change would replace or orphan the key)', () => {
    expect(Object.keys(template.toJSON().Resources).sort()).toEqual(['Cmk0E70AD9C', 'CmkAliasCB394C3D']);
  });

  test('symmetric, rotating yearly, 30-day pending window, enabled, no lockout bypass', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      EnableKeyRotation: true,
      RotationPeriodInDays: 365,
      PendingWindowInDays: 30,
      Enabled: true,
      BypassPolicyLockoutSafetyCheck: Match.absent(),
      MultiRegion: Match.absent(),
    });
  });

  test('retained on stack deletion and on replacement', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the alias gets the alias/ prefix and targets the key', () => {
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app/data', TargetKeyId: { 'Fn::GetAtt': ['Cmk0E70AD9C', 'Arn'] } });
  });

  test('the account root gets the explicit administration actions and nothing else; grants are for AWS resources only', () => {
    const statements = keyPolicyStatements(template);
    expect(statements).toHaveLength(2);
    // Control Tower CT.KMS.PR.3, exactly as the control's rule accepts it: BoolIfExists, string values.
    expect(statements[1]).toEqual({
      Sid: 'DenyGrantsNotForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
    expect(statements[0]).toMatchObject({ Sid: 'KeyRootAdministration', Effect: 'Allow', Resource: '*' });
    expect([...statements[0].Action].sort()).toEqual([...ADMIN_ACTIONS].sort());
    const actions = asArray<string>(statements[0].Action);
    expect(actions.some((a) => a.includes('*'))).toBe(false);
    expect(actions).toContain('kms:RotateKeyOnDemand');
    expect(actions).toContain('kms:PutKeyPolicy');
    for (const crypto of [...CRYPTOGRAPHIC_ACTIONS, 'kms:CreateGrant']) {
      expect(actions).not.toContain(crypto);
    }
  });

  test('zero unacknowledged findings from the cdk-nag packs', () => {
    expect(unacknowledged(stack)).toEqual([]);
  });
});

describe('ManagedCmk props', () => {
  test('administrators, users and service users land in separate statements with readable Sids', () => {
    const { stack } = newStack();
    const [admin, user, svc] = [role(stack, 'Admin'), role(stack, 'User'), role(stack, 'Svc')];
    new ManagedCmk(stack, 'Cmk', { alias: 'k', administrators: [admin], users: [user], serviceUsers: [svc] });
    const t = Template.fromStack(stack);

    expect(keyPolicyStatements(t).map((s) => s.Sid)).toEqual([
      'KeyRootAdministration',
      'KeyAdministration',
      'KeyAdministratorsCannotUse',
      'KeyUsage',
      'KeyGrantsForAwsResources',
      'DenyGrantsNotForAwsResources',
    ]);
    expect(statementBySid(t, 'KeyAdministration')).toMatchObject({ Principal: { AWS: { 'Fn::GetAtt': ['AdminC75D2A91', 'Arn'] } } });
    // users and service users share the usage statement; only service users may create grants
    expect(statementBySid(t, 'KeyUsage')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Principal: { AWS: [{ 'Fn::GetAtt': ['User00B015A1', 'Arn'] }, { 'Fn::GetAtt': ['SvcF599522F', 'Arn'] }] },
    });
    expect(statementBySid(t, 'KeyGrantsForAwsResources')).toMatchObject({
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
      Principal: { AWS: { 'Fn::GetAtt': ['SvcF599522F', 'Arn'] } },
    });
  });

  test('several users share the KeyUsage statement', () => {
    const { stack } = newStack();
    new ManagedCmk(stack, 'Cmk', { alias: 'k', users: [role(stack, 'A'), role(stack, 'B'), role(stack, 'C')] });
    const st = statementBySid(Template.fromStack(stack), 'KeyUsage');
    expect(st.Principal.AWS).toHaveLength(3);
  });

  test('administrators get no cryptographic action and no CreateGrant', () => {
    const { stack } = newStack();
    new ManagedCmk(stack, 'Cmk', { alias: 'k', administrators: [role(stack, 'Admin')] });
    const actions = asArray<string>(statementBySid(Template.fromStack(stack), 'KeyAdministration').Action);
    for (const crypto of [...CRYPTOGRAPHIC_ACTIONS, 'kms:CreateGrant']) expect(actions).not.toContain(crypto);
  });

  test('viaServices restricts every usage statement with kms:ViaService', () => {
    const { stack } = newStack();
    const user = role(stack, 'User');
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', users: [user], viaServices: ['s3.us-east-1.amazonaws.com', 'ssm.us-east-1.amazonaws.com'] });
    key.grantDecrypt(role(stack, 'Reader'));
    const t = Template.fromStack(stack);
    for (const sid of ['KeyUsage', 'KeyDecrypt']) {
      expect(statementBySid(t, sid).Condition).toEqual({
        StringEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com', 'ssm.us-east-1.amazonaws.com'] },
      });
    }
    expect(statementBySid(t, 'KeyRootAdministration').Condition).toBeUndefined();
  });

  test('RootAccess.FULL gives the account root kms:*', () => {
    const { stack } = newStack();
    new ManagedCmk(stack, 'Cmk', { alias: 'k', rootAccess: RootAccess.FULL });
    expect(statementBySid(Template.fromStack(stack), 'KeyRootFullAccess')).toMatchObject({ Action: 'kms:*' });
  });

  test.each([
    [kms.KeySpec.SYMMETRIC_DEFAULT, undefined, 'ENCRYPT_DECRYPT', ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']],
    [kms.KeySpec.RSA_3072, undefined, 'ENCRYPT_DECRYPT', ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GetPublicKey', 'kms:ReEncrypt*']],
    [kms.KeySpec.RSA_3072, kms.KeyUsage.SIGN_VERIFY, 'SIGN_VERIFY', ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign', 'kms:Verify']],
    [kms.KeySpec.ECC_NIST_P256, undefined, 'SIGN_VERIFY', ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign', 'kms:Verify']],
    [kms.KeySpec.ECC_NIST_P384, kms.KeyUsage.KEY_AGREEMENT, 'KEY_AGREEMENT', ['kms:DeriveSharedSecret', 'kms:DescribeKey', 'kms:GetPublicKey']],
    [kms.KeySpec.HMAC_256, undefined, 'GENERATE_VERIFY_MAC', ['kms:DescribeKey', 'kms:GenerateMac', 'kms:VerifyMac']],
  ])('keySpec %s with keyUsage %s: usage %s, usage actions follow', (keySpec, keyUsage, expectedUsage, expectedActions) => {
    const { stack } = newStack();
    new ManagedCmk(stack, 'Cmk', { alias: 'k', keySpec, keyUsage, users: [role(stack, 'User')] });
    const t = Template.fromStack(stack);
    const symmetric = keySpec === kms.KeySpec.SYMMETRIC_DEFAULT;
    t.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: keySpec,
      KeyUsage: expectedUsage,
      EnableKeyRotation: symmetric,
      RotationPeriodInDays: symmetric ? 365 : Match.absent(),
    });
    expect(statementBySid(t, 'KeyUsage').Action).toEqual(expectedActions);
  });

  test('every other prop reaches the template', () => {
    const { stack } = newStack();
    new ManagedCmk(stack, 'Cmk', {
      alias: 'alias/app/data',
      additionalAliases: ['app/data-v2', 'alias/legacy'],
      description: 'Data at rest',
      rotationPeriod: Duration.days(90),
      pendingWindow: Duration.days(7),
      enabled: false,
      removalPolicy: RemovalPolicy.DESTROY,
      multiRegion: true,
    });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ Description: 'Data at rest', RotationPeriodInDays: 90, PendingWindowInDays: 7, Enabled: false, MultiRegion: true }),
    });
    const aliases = Object.values<any>(t.findResources('AWS::KMS::Alias')).map((a) => a.Properties.AliasName).sort();
    expect(aliases).toEqual(['alias/app/data', 'alias/app/data-v2', 'alias/legacy']);
  });

  test('enableKeyRotation: false turns rotation off and drops the period', () => {
    const { stack } = newStack();
    new ManagedCmk(stack, 'Cmk', { alias: 'k', enableKeyRotation: false });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: false, RotationPeriodInDays: Match.absent() });
  });

  test('exposes keyArn, keyId, aliasName, usage and rotation state', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    expect(stack.resolve(key.keyArn)).toEqual({ 'Fn::GetAtt': ['Cmk0E70AD9C', 'Arn'] });
    expect(stack.resolve(key.keyId)).toEqual({ Ref: 'Cmk0E70AD9C' });
    expect(stack.resolve(key.keyRef)).toEqual({ keyArn: { 'Fn::GetAtt': ['Cmk0E70AD9C', 'Arn'] }, keyId: { Ref: 'Cmk0E70AD9C' } });
    expect(key.aliasName).toBe('alias/k');
    expect(key.rotationEnabled).toBe(true);
    expect(key.aliases).toHaveLength(1);
  });
});

describe('grants land in the key policy, never in an IAM policy', () => {
  test.each([
    ['grantDecrypt', 'KeyDecrypt', ['kms:Decrypt']],
    ['grantEncrypt', 'KeyEncrypt', ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']],
    ['grantEncryptDecrypt', 'KeyEncryptDecrypt', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']],
    ['grantUsage', 'KeyUsage', ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']],
    ['grantAdmin', 'KeyAdministration', [...ADMIN_ACTIONS].sort()],
  ] as const)('%s → statement %s', (method, sid, actions) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    const grantee = role(stack, 'Grantee');
    const grant = (key as any)[method](grantee) as iam.Grant;
    const t = Template.fromStack(stack);
    expect(asArray(statementBySid(t, sid).Action)).toEqual(actions);
    expect(statementBySid(t, sid).Principal).toEqual({ AWS: { 'Fn::GetAtt': ['Grantee03029E41', 'Arn'] } });
    expect(grant.success).toBe(true);
    expect(t.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test.each([
    ['grantSign', 'KeySign', 'kms:Sign'],
    ['grantVerify', 'KeyVerify', 'kms:Verify'],
  ] as const)('%s on a signing key → %s', (method, sid, action) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', keySpec: kms.KeySpec.ECC_NIST_P256 });
    (key as any)[method](role(stack, 'Grantee'));
    expect(statementBySid(Template.fromStack(stack), sid).Action).toEqual(action);
  });

  test.each([
    ['grantGenerateMac', 'KeyGenerateMac', 'kms:GenerateMac'],
    ['grantVerifyMac', 'KeyVerifyMac', 'kms:VerifyMac'],
  ] as const)('%s on an HMAC key → %s', (method, sid, action) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', keySpec: kms.KeySpec.HMAC_384 });
    (key as any)[method](role(stack, 'Grantee'));
    expect(statementBySid(Template.fromStack(stack), sid).Action).toEqual(action);
  });

  test('grants other constructs make through IKey land in the key policy', () => {
    // GIVEN the key used by S3, SQS, SNS, DynamoDB, Secrets Manager, CloudWatch Logs and EBS
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    const app = role(stack, 'App');
    // WHEN those constructs grant a role access
    new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).grantReadWrite(app);
    new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key }).grantConsumeMessages(app);
    new sns.Topic(stack, 'Topic', { masterKey: key }).grantPublish(app);
    new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
    }).grantReadWriteData(app);
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key }).grantRead(app);
    new logs.LogGroup(stack, 'Logs', { encryptionKey: key });
    new ec2.Volume(stack, 'Volume', { availabilityZone: 'us-east-1a', size: Size.gibibytes(1), encrypted: true, encryptionKey: key }).grantAttachVolume(app);
    const t = Template.fromStack(stack);

    // THEN no identity policy carries a KMS action, and the key policy names the role
    expect(identityPolicyActions(t).filter((a) => a.startsWith('kms:'))).toEqual([]);
    const appStatements = keyPolicyStatements(t).filter((s) => JSON.stringify(s.Principal).includes('App'));
    const appActions = new Set(appStatements.flatMap((s) => asArray<string>(s.Action)));
    for (const a of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant']) expect(appActions).toContain(a);
  });

  test('ec2.Volume amends its grant: the conditions land on the key-policy statement', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    new ec2.Volume(stack, 'Volume', { availabilityZone: 'us-east-1a', size: Size.gibibytes(1), encrypted: true, encryptionKey: key }).grantAttachVolume(role(stack, 'App'));
    const createGrant = keyPolicyStatements(Template.fromStack(stack)).find((s) => s.Action === 'kms:CreateGrant' && s.Effect === 'Allow');
    expect(createGrant.Condition).toEqual({
      Bool: { 'kms:GrantIsForAWSResource': true },
      StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com', 'kms:GrantConstraintType': 'EncryptionContextSubset' },
    });
  });

  test('kms:CreateGrant through grant() always carries kms:GrantIsForAWSResource', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    key.grant(role(stack, 'App'), 'kms:CreateGrant');
    expect(statementBySid(Template.fromStack(stack), 'KeyGrantsForAwsResources').Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': true } });
  });

  test('grantScoped writes ViaService, encryption context and extra conditions', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    key.grantScoped(role(stack, 'App'), {
      actions: ['kms:Decrypt'],
      viaServices: ['ssm.us-east-1.amazonaws.com'],
      encryptionContext: { PARAMETER_ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/*', team: 'data' },
      conditions: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } },
      statementId: 'ParameterRead',
    });
    expect(statementBySid(Template.fromStack(stack), 'ParameterRead')).toMatchObject({
      Action: 'kms:Decrypt',
      Condition: {
        StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:team': 'data', 'aws:PrincipalAccount': '123456789012' },
        StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': 'arn:aws:ssm:us-east-1:123456789012:parameter/app/*' },
      },
    });
  });

  test('repeating a grant does not repeat the statement', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    const app = role(stack, 'App');
    key.grantDecrypt(app);
    key.grantDecrypt(app);
    expect(keyPolicyStatements(Template.fromStack(stack)).filter((s) => s.Sid.startsWith('KeyDecrypt'))).toHaveLength(1);
  });

  test('a grant that mixes administration and use is refused', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    expect(() => key.grant(role(stack, 'App'), 'kms:Decrypt', 'kms:ScheduleKeyDeletion')).toThrow(
      /'actions' must not mix administration \(kms:ScheduleKeyDeletion\) and use \(kms:Decrypt\)/,
    );
  });
});

describe('validation after construction', () => {
  test('a principal that is both administrator and user is an error', () => {
    const { app, stack } = newStack();
    const both = role(stack, 'Both');
    new ManagedCmk(stack, 'Cmk', { alias: 'k', administrators: [both], users: [both] });
    expect(() => app.synth()).toThrow(/TestStack\/Both is both an administrator and a user of key TestStack\/Cmk/);
  });

  test('…also when the overlap comes from a later grant', () => {
    const { app, stack } = newStack();
    const admin = role(stack, 'Admin');
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', administrators: [admin] });
    key.grantDecrypt(admin);
    expect(() => app.synth()).toThrow(/is both an administrator and a user/);
  });

  test('…unless allowAdministratorsAsUsers is set', () => {
    const { app, stack } = newStack();
    const both = role(stack, 'Both');
    new ManagedCmk(stack, 'Cmk', { alias: 'k', administrators: [both], users: [both], allowAdministratorsAsUsers: true });
    expect(() => app.synth()).not.toThrow();
  });

  test('the account root as a user of an ADMINISTRATION_ONLY key is an overlap', () => {
    const { app, stack } = newStack();
    new ManagedCmk(stack, 'Cmk', { alias: 'k', users: [new iam.AccountRootPrincipal()] });
    expect(() => app.synth()).toThrow(/is both an administrator and a user/);
  });

  test('…but scoped use by the account root (a condition on the statement) is delegation, not an overlap', () => {
    const { app, stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    key.grantScoped(new iam.AccountRootPrincipal(), { actions: ['kms:Decrypt'], viaServices: ['s3.us-east-1.amazonaws.com'] });
    expect(() => app.synth()).not.toThrow();
  });

  test('a key policy over 32 KB is an error', () => {
    const { app, stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    for (let i = 0; i < 200; i++) key.grantDecrypt(new iam.ArnPrincipal(`arn:aws:iam::123456789012:role/a-rather-long-application-role-name-${i}`));
    expect(() => app.synth()).toThrow(/The key policy of TestStack\/Cmk is \d+ bytes; AWS KMS allows at most 32768/);
  });

  test('a Sid made equal to another after the grant is an error at synth', () => {
    const { app, stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    const grant = key.grantDecrypt(role(stack, 'App'));
    grant.principalStatements[0].sid = 'KeyRootAdministration';
    expect(() => app.synth()).toThrow(/has more than one statement with Sid "KeyRootAdministration"; Sids must be unique/);
  });

  test('a statement added with a Sid already in use is refused', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    const st = new iam.PolicyStatement({ sid: 'KeyRootAdministration', actions: ['kms:DescribeKey'], principals: [new iam.AccountRootPrincipal()], resources: ['*'] });
    expect(() => key.addToResourcePolicy(st)).toThrow(/'statement.sid' must be unique within the key policy. Received: "KeyRootAdministration"/);
  });
});

describe('aliases are unique per account and Region, across the app', () => {
  test('two keys of one stack with the same alias: a synth error naming both', () => {
    const { app, stack } = newStack();
    new ManagedCmk(stack, 'First', { alias: 'orders/data' });
    new ManagedCmk(stack, 'Second', { alias: 'alias/orders/data' });
    expect(() => app.synth()).toThrow(
      'Alias "alias/orders/data" of TestStack/Second is already the alias of TestStack/First in account 123456789012 and Region us-east-1',
    );
  });

  test('…also through additionalAliases and addAlias, and across two stacks of the same account and Region', () => {
    const { app, stack } = newStack();
    const other = new Stack(app, 'OtherStack', { env: TEST_ENV });
    new ManagedCmk(stack, 'First', { alias: 'orders/data', additionalAliases: ['orders/legacy'] });
    new ManagedCmk(other, 'Second', { alias: 'orders/other' }).addAlias('orders/legacy');
    expect(() => app.synth()).toThrow(/Alias "alias\/orders\/legacy" of OtherStack\/Second is already the alias of TestStack\/First in account 123456789012 and Region us-east-1: KMS aliases are unique per account and Region/);
  });

  test('the same alias in another Region or another account is fine', () => {
    const { app, stack } = newStack();
    new ManagedCmk(stack, 'Here', { alias: 'orders/data' });
    new ManagedCmk(new Stack(app, 'OtherRegion', { env: { ...TEST_ENV, region: 'eu-west-1' } }), 'There', { alias: 'orders/data' });
    new ManagedCmk(new Stack(app, 'OtherAccount', { env: { ...TEST_ENV, account: '210987654321' } }), 'Elsewhere', { alias: 'orders/data' });
    expect(() => app.synth()).not.toThrow();
  });

  test('env-agnostic stacks are compared only with themselves (they may deploy to different accounts)', () => {
    const twoStacks = new App();
    new ManagedCmk(new Stack(twoStacks, 'Dev'), 'Key', { alias: 'orders/data' });
    new ManagedCmk(new Stack(twoStacks, 'Prod'), 'Key', { alias: 'orders/data' });
    expect(() => twoStacks.synth()).not.toThrow();

    const oneStack = new App();
    const dev = new Stack(oneStack, 'Dev');
    new ManagedCmk(dev, 'Key', { alias: 'orders/data' });
    new ManagedCmk(dev, 'Again', { alias: 'orders/data' });
    expect(() => oneStack.synth()).toThrow(/Alias "alias\/orders\/data" of Dev\/Again is already the alias of Dev\/Key in the account and Region of stack Dev/);
  });

  test('aliases that are tokens are not compared (their values are known only at deploy time)', () => {
    // Two parameters that may well receive the same value: synth cannot tell, so it does not fail.
    const { app, stack } = newStack();
    new ManagedCmk(stack, 'First', { alias: new CfnParameter(stack, 'FirstAlias').valueAsString });
    new ManagedCmk(stack, 'Second', { alias: new CfnParameter(stack, 'SecondAlias').valueAsString });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('bad input gets a clear error naming the prop and the value', () => {
  const base = { alias: 'app/data' };
  test.each<[string, any, RegExp]>([
    ['alias missing', { alias: undefined }, /'alias' is required/],
    ['alias with a space', { alias: 'my key' }, /'alias' may contain only letters, digits and the characters : \/ _ -. Received: "my key"/],
    ['alias with a dot', { alias: 'app.data' }, /'alias' may contain only .* Received: "app.data"/],
    ['alias reserved for AWS', { alias: 'alias/aws/s3' }, /'alias' must not use the 'alias\/aws\/' prefix.* Received: "alias\/aws\/s3"/],
    ['alias reserved, no prefix', { alias: 'aws/ebs' }, /'alias' must not use the 'alias\/aws\/' prefix.* Received: "aws\/ebs"/],
    ['alias empty after prefix', { alias: 'alias/' }, /'alias' must name the alias after the 'alias\/' prefix. Received: "alias\/"/],
    ['alias too long', { alias: 'a'.repeat(251) }, /'alias' must be at most 256 characters .* \(257 characters\)/],
    ['additional alias invalid', { additionalAliases: ['ok', 'not ok'] }, /'additionalAliases\[1\]' may contain only .* Received: "not ok"/],
    ['additional alias duplicates alias', { additionalAliases: ['alias/app/data'] }, /'additionalAliases' must not contain duplicates. Received "alias\/app\/data" more than once/],
    ['pendingWindow too short', { pendingWindow: Duration.days(3) }, /'pendingWindow' must be a whole number of days between 7 and 30. Received: 3 days/],
    ['pendingWindow too long', { pendingWindow: Duration.days(31) }, /'pendingWindow' .* between 7 and 30. Received: 31 days/],
    ['pendingWindow not whole days', { pendingWindow: Duration.hours(200) }, /'pendingWindow' .* Received: 8 days 8 hours/],
    ['rotationPeriod too short', { rotationPeriod: Duration.days(89) }, /'rotationPeriod' must be a whole number of days between 90 and 2560. Received: 89 days/],
    ['rotationPeriod too long', { rotationPeriod: Duration.days(2561) }, /'rotationPeriod' .* Received: 2561 days/],
    ['rotationPeriod without rotation', { enableKeyRotation: false, rotationPeriod: Duration.days(180) }, /'rotationPeriod' needs key rotation, which is off for this key. Received: 180 days/],
    ['rotation on an RSA key', { keySpec: kms.KeySpec.RSA_3072, enableKeyRotation: true }, /'enableKeyRotation' can be true only for SYMMETRIC_DEFAULT keys: AWS KMS does not rotate RSA_3072 keys. Received: true/],
    ['an RSA_2048 key for encryption (Control Tower CT.KMS.PR.2)', { keySpec: kms.KeySpec.RSA_2048 }, /'keySpec' RSA_2048 with 'keyUsage' ENCRYPT_DECRYPT is refused by AWS Control Tower \(CT.KMS.PR.2.*'allowRsa2048Encryption: true'. Received: RSA_2048, ENCRYPT_DECRYPT/],
    ['rotation on an HMAC key', { keySpec: kms.KeySpec.HMAC_256, enableKeyRotation: true }, /'enableKeyRotation' .* does not rotate HMAC_256 keys/],
    ['symmetric key for signing', { keyUsage: kms.KeyUsage.SIGN_VERIFY }, /'keyUsage' SIGN_VERIFY is not supported by keySpec SYMMETRIC_DEFAULT; it supports ENCRYPT_DECRYPT. Received: "SIGN_VERIFY"/],
    ['HMAC key for encryption', { keySpec: kms.KeySpec.HMAC_512, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT }, /'keyUsage' ENCRYPT_DECRYPT is not supported by keySpec HMAC_512/],
    ['ECC key for encryption', { keySpec: kms.KeySpec.ECC_NIST_P521, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT }, /'keyUsage' ENCRYPT_DECRYPT is not supported by keySpec ECC_NIST_P521; it supports SIGN_VERIFY, KEY_AGREEMENT/],
    ['unknown keySpec', { keySpec: 'RSA_1024' }, /'keySpec' must be one of .* Received: "RSA_1024"/],
    ['viaServices not an endpoint', { viaServices: ['s3'] }, /'viaServices\[0\]' must be a service endpoint such as s3.us-east-1.amazonaws.com. Received: "s3"/],
    ['viaServices empty', { viaServices: [] }, /'viaServices' must not be empty when given.* Received: \[\]/],
    ['viaServices duplicated', { viaServices: ['s3.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com'] }, /'viaServices' must not contain duplicates. Received "s3.us-east-1.amazonaws.com" more than once/],
    ['description too long', { description: 'd'.repeat(8193) }, /'description' must be at most 8192 characters. Received: 8193 characters/],
  ])('%s', (_name, props, message) => {
    const { stack } = newStack();
    expect(() => new ManagedCmk(stack, 'Cmk', { ...base, ...props })).toThrow(message);
  });

  test.each<[string, (key: ManagedCmk, stack: Stack) => void, RegExp]>([
    ['kms:* in a grant', (k, s) => k.grant(role(s, 'R'), 'kms:*'), /'actions' must not contain a pattern that spans administration and use of the key. Received: "kms:\*"/],
    ['kms:Create* in a grant', (k, s) => k.grant(role(s, 'R'), 'kms:Create*'), /Received: "kms:Create\*"/],
    ['a non-KMS action', (k, s) => k.grant(role(s, 'R'), 's3:GetObject'), /'actions' must be KMS actions that apply to a key. Received: "s3:GetObject"/],
    ['signing with an encryption key', (k, s) => k.grantSign(role(s, 'R')), /'actions' must apply to a ENCRYPT_DECRYPT key \(SYMMETRIC_DEFAULT\). Received: "kms:Sign"/],
    ['a second alias equal to the first', (k) => k.addAlias('app/data'), /'aliasName' must be unique for this key. Received: "alias\/app\/data"/],
    ['a Deny of PutKeyPolicy', (k) => k.addToResourcePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['kms:PutKeyPolicy'], principals: [new iam.AnyPrincipal()], resources: ['*'] })), /'statement' must not deny kms:PutKeyPolicy/],
    ['a Deny of kms:Put*', (k) => k.addToResourcePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['kms:Put*'], principals: [new iam.AccountRootPrincipal()], resources: ['*'] })), /must not deny kms:PutKeyPolicy/],
    ['an Allow to Principal *', (k) => k.addToResourcePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], principals: [new iam.AnyPrincipal()], resources: ['*'] })), /'statement' must not allow Principal "\*" in a key policy/],
    ['grantScoped with a blank context key', (k, s) => k.grantScoped(role(s, 'R'), { encryptionContext: { 'bad key': 'x' } }), /'encryptionContext' keys must not be empty or contain white space. Received: "bad key"/],
  ])('%s', (_name, act, message) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', base);
    expect(() => act(key, stack)).toThrow(message);
  });

  test('unresolved tokens are not validated (their values are known only at deploy time)', () => {
    const { app, stack } = newStack();
    const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
    const alias = new CfnParameter(stack, 'Alias').valueAsString;
    const service = new CfnParameter(stack, 'Service').valueAsString;
    const key = new ManagedCmk(stack, 'Cmk', {
      alias,
      pendingWindow: Duration.days(days),
      rotationPeriod: Duration.days(days),
      viaServices: [`${service}.${stack.region}.amazonaws.com`],
    });
    expect(key.aliasName).toMatch(/^\$\{Token/);
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: { Ref: 'Days' }, RotationPeriodInDays: { Ref: 'Days' } });
  });
});

describe('cross-stack', () => {
  test('key stack deploys after the role stack: the key policy names the role directly', () => {
    const app = new App();
    const env = TEST_ENV;
    const roles = new Stack(app, 'Roles', { env });
    const keys = new Stack(app, 'Keys', { env });
    keys.addDependency(roles);
    const appRole = role(roles, 'App');
    new ManagedCmk(keys, 'Cmk', { alias: 'k', users: [appRole] });
    app.synth();
    const st = statementBySid(Template.fromStack(keys), 'KeyUsage');
    expect(st.Principal.AWS['Fn::ImportValue']).toMatch(/^Roles:ExportsOutputFnGetAttApp/);
    expect(Template.fromStack(roles).findResources('AWS::IAM::ManagedPolicy')).toEqual({});
  });

  test('role stack deploys after the key stack: the grant is delegated to a named role by its ARN, no cycle', () => {
    const app = new App();
    const env = TEST_ENV;
    const keys = new Stack(app, 'Keys', { env });
    const apps = new Stack(app, 'Apps', { env });
    const key = new ManagedCmk(keys, 'Cmk', { alias: 'k' });
    const appRole = new iam.Role(apps, 'App', { roleName: 'orders-app', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // The app stack also uses the key, which makes it deploy after the key stack.
    new s3.Bucket(apps, 'Bucket', { encryptionKey: key }).grantRead(appRole);
    expect(() => app.synth()).not.toThrow();

    const keyStatements = keyPolicyStatements(Template.fromStack(keys));
    const delegated = keyStatements.find((s) => s.Condition?.ArnEquals);
    expect(delegated.Condition.ArnEquals).toEqual({
      'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/orders-app']] },
    });
    expect(JSON.stringify(delegated.Principal)).toContain(':root');
    const policies = Template.fromStack(apps).findResources('AWS::IAM::ManagedPolicy');
    const statements = Object.values<any>(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    // the delegated identity policy is a customer managed policy with explicit actions on the key ARN
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: { 'Fn::ImportValue': expect.stringMatching(/^Keys:ExportsOutputFnGetAttCmk/) } },
    ]);
    const inline = Object.values<any>(Template.fromStack(apps).findResources('AWS::IAM::Policy'));
    expect(inline.flatMap((p) => p.Properties.PolicyDocument.Statement).flatMap((st: any) => asArray<string>(st.Action)).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  test('role stack deploys after the key stack and the role has no fixed name: admitted by its principal tag', () => {
    const app = new App();
    const env = TEST_ENV;
    const keys = new Stack(app, 'Keys', { env });
    const apps = new Stack(app, 'Apps', { env });
    apps.addDependency(keys);
    const key = new ManagedCmk(keys, 'Cmk', { alias: 'k' });
    key.grantDecrypt(role(apps, 'App'));
    app.synth();
    const statement = statementBySid(Template.fromStack(keys), 'KeyDecrypt');
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:PrincipalTag/cdk-kms-governance:principal': 'us-east-1/Apps/App' } });
    Template.fromStack(apps).hasResourceProperties('AWS::IAM::Role', { Tags: [{ Key: 'cdk-kms-governance:principal', Value: 'us-east-1/Apps/App' }] });
    expect(keys.dependencies).toEqual([]);
  });

  test('a group of another stack: a clear error, as groups carry no tags', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env: TEST_ENV });
    const apps = new Stack(app, 'Apps', { env: TEST_ENV });
    new ManagedCmk(keys, 'Cmk', { alias: 'k' }).grantDecrypt(new iam.Group(apps, 'Readers'));
    expect(() => app.synth()).toThrow(/Cannot grant 'Apps\/Readers' use of key 'Keys\/Cmk' from another stack: only a role or a user/);
  });

  test('a principal tag value keeps only the characters tags allow, and stays unique', () => {
    const app = new App();
    const stack = new Stack(app, 'Apps', { env: TEST_ENV });
    const odd = new iam.Role(stack, 'Odd (role) #1', { assumedBy: new iam.AccountRootPrincipal() });
    const value = principalTagValue(odd);
    expect(value).toMatch(/^us-east-1\/Apps\/Odd _role_ _1-[0-9A-F]{8}$/);
    expect(value).not.toEqual(principalTagValue(new iam.Role(stack, 'Odd [role] #1', { assumedBy: new iam.AccountRootPrincipal() })));
  });
});

describe('imported key material (keyMaterialOrigin: EXTERNAL)', () => {
  const external = { alias: 'byok', keyMaterialOrigin: KeyMaterialOrigin.EXTERNAL };

  describe('a symmetric key with defaults otherwise', () => {
    // GIVEN an EXTERNAL key with an administrator and a user
    const { app, stack } = newStack();
    const admin = role(stack, 'Admin');
    const user = role(stack, 'User');
    const key = new ManagedCmk(stack, 'Cmk', { ...external, administrators: [admin], users: [user] });
    const template = Template.fromStack(stack);
    const statements = keyPolicyStatements(template);

    test('Origin EXTERNAL, no automatic rotation, no Enabled (the key starts in PendingImport)', () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        Origin: 'EXTERNAL',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EnableKeyRotation: false,
        RotationPeriodInDays: Match.absent(),
        Enabled: Match.absent(),
        PendingWindowInDays: 30,
      });
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
      expect(key.keyMaterialOrigin).toBe(KeyMaterialOrigin.EXTERNAL);
      expect(key.rotationEnabled).toBe(false);
    });

    test('the default of no rotation is not silent: a warning names the findings and the reason to acknowledge them with', () => {
      const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Cmk', Match.stringLikeRegexp('externalKeyNoAutomaticRotation'));
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings[0].entry.data)).toMatch(/AwsSolutions-KMS5.*KMSBackingKeyRotationEnabled.*rotated on demand.*CT\.KMS\.PR\.1/);
    });

    test('the account root and the administrators get the key-material actions; the users do not', () => {
      const root = statements.find((s) => s.Sid === 'KeyRootAdministration');
      const admins = statements.find((s) => s.Sid === 'KeyAdministration');
      const users = statements.find((s) => s.Sid === 'KeyUsage');
      expect([...root.Action].sort()).toEqual([...EXTERNAL_KEY_ADMIN_ACTIONS]);
      expect([...admins.Action].sort()).toEqual([...EXTERNAL_KEY_ADMIN_ACTIONS]);
      for (const action of KEY_MATERIAL_ACTIONS) {
        expect(root.Action).toContain(action);
        expect(users.Action).not.toContain(action);
      }
      // The administrators are still denied use.
      const deny = statements.find((s) => s.Sid === 'KeyAdministratorsCannotUse');
      expect(deny.Action).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']));
    });

    test('a key from AWS KMS gets no key-material action', () => {
      const other = newStack('Other').stack;
      new ManagedCmk(other, 'Cmk', { alias: 'aws-material', administrators: [role(other, 'Admin')] });
      const all = keyPolicyStatements(Template.fromStack(other)).flatMap((s) => asArray<string>(s.Action));
      for (const action of KEY_MATERIAL_ACTIONS) expect(all).not.toContain(action);
    });

    test('the only findings are the cdk-nag rotation rules, which do not know imported material; ours report none', () => {
      app.synth();
      expect(libraryFindings(stack).map((f) => f.id).sort()).toEqual([
        'AwsSolutions-KMS5',
        'NIST.800.53.R5-KMSBackingKeyRotationEnabled',
        'PCI.DSS.321-KMSBackingKeyRotationEnabled',
      ]);
      expect(firing(stack, 'KeyRotation')).toEqual([]);
      expect(firing(stack, 'KeyRotationOnlyForSymmetricKeys')).toEqual([]);
    });
  });

  test('Control Tower CT.KMS.PR.1 refuses a symmetric EXTERNAL key (its rule requires EnableKeyRotation, which KMS refuses for imported material)', () => {
    const app = new App();
    new ManagedCmk(new Stack(app, 'Ct', { env: TEST_ENV }), 'Cmk', external);
    const findings = controlTowerFindings(app).filter((f) => f.control.startsWith('CT.KMS.'));
    expect(findings.map((f) => `${f.control} ${f.path}`)).toEqual(['CT.KMS.PR.1 Ct/Cmk/Resource']);
  });

  test.each<[string, kms.KeySpec, kms.KeyUsage | undefined]>([
    ['HMAC', kms.KeySpec.HMAC_256, undefined],
    ['RSA encryption', kms.KeySpec.RSA_3072, kms.KeyUsage.ENCRYPT_DECRYPT],
    ['RSA signing', kms.KeySpec.RSA_4096, kms.KeyUsage.SIGN_VERIFY],
    ['ECC signing', kms.KeySpec.ECC_NIST_P384, kms.KeyUsage.SIGN_VERIFY],
    ['ECC key agreement', kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.KEY_AGREEMENT],
    ['SM2', kms.KeySpec.SM2, kms.KeyUsage.SIGN_VERIFY],
  ])('%s keys take imported material too (no rotation, no warning)', (_name, keySpec, keyUsage) => {
    const { stack } = newStack();
    new ManagedCmk(stack, 'Cmk', { ...external, keySpec, keyUsage });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { Origin: 'EXTERNAL', KeySpec: keySpec, EnableKeyRotation: false });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('externalKeyNoAutomaticRotation'))).toHaveLength(0);
  });

  test('a multi-Region EXTERNAL primary and its replica: the replica has the same origin and its administrators may import', () => {
    const app = new App();
    const primary = new ManagedCmk(new Stack(app, 'Primary', { env: TEST_ENV }), 'Cmk', { ...external, multiRegion: true });
    const replicaStack = new Stack(app, 'Replica', { env: { ...TEST_ENV, region: 'eu-west-1' } });
    const replica = new ManagedCmkReplica(replicaStack, 'Replica', {
      primaryKey: primary,
      primaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      alias: 'byok',
      administrators: [role(replicaStack, 'Admin')],
    });
    Template.fromStack(primary.stack).hasResourceProperties('AWS::KMS::Key', { Origin: 'EXTERNAL', MultiRegion: true });
    expect(replica.keyMaterialOrigin).toBe(KeyMaterialOrigin.EXTERNAL);
    const admins = statementBySid(Template.fromStack(replicaStack), 'KeyAdministration');
    expect([...admins.Action].sort()).toEqual([...EXTERNAL_KEY_ADMIN_ACTIONS]);
  });

  test('grantAdmin and grant() of a key-material action are administration; mixed with use they are refused', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', external);
    key.grantAdmin(role(stack, 'LateAdmin'));
    key.grant(role(stack, 'Importer'), 'kms:ImportKeyMaterial', 'kms:GetParametersForImport');
    const statements = keyPolicyStatements(Template.fromStack(stack));
    const late = statements.find((s) => s.Sid === 'KeyAdministration');
    expect([...late.Action].sort()).toEqual([...EXTERNAL_KEY_ADMIN_ACTIONS]);
    const partial = statements.find((s) => s.Sid === 'KeyAdministrationPartial');
    expect([...partial.Action].sort()).toEqual(['kms:GetParametersForImport', 'kms:ImportKeyMaterial']);
    expect(() => key.grant(role(stack, 'Both'), 'kms:ImportKeyMaterial', 'kms:Decrypt')).toThrow(
      /'actions' must not mix administration \(kms:ImportKeyMaterial\) and use \(kms:Decrypt\)/);
  });
});

describe('bad input with imported key material gets a clear error naming the prop and the value', () => {
  const external = { alias: 'byok', keyMaterialOrigin: KeyMaterialOrigin.EXTERNAL };
  test.each<[string, any, RegExp]>([
    ['automatic rotation', { ...external, enableKeyRotation: true }, /'enableKeyRotation' must not be true with 'keyMaterialOrigin' EXTERNAL: AWS KMS does not rotate imported key material automatically.* Received: true/],
    ['a rotation period', { ...external, rotationPeriod: Duration.days(180) }, /'rotationPeriod' does not apply with 'keyMaterialOrigin' EXTERNAL.* Received: 180 days/],
    ['ML-DSA 44', { ...external, keySpec: kms.KeySpec.ML_DSA_44 }, /'keyMaterialOrigin' EXTERNAL is not supported for ML_DSA_44 keys.* Received: EXTERNAL with keySpec ML_DSA_44/],
    ['ML-DSA 65', { ...external, keySpec: kms.KeySpec.ML_DSA_65 }, /'keyMaterialOrigin' EXTERNAL is not supported for ML_DSA_65 keys/],
    ['ML-DSA 87', { ...external, keySpec: kms.KeySpec.ML_DSA_87 }, /'keyMaterialOrigin' EXTERNAL is not supported for ML_DSA_87 keys/],
    ['a custom key store origin', { alias: 'byok', keyMaterialOrigin: 'AWS_CLOUDHSM' }, /'keyMaterialOrigin' must be AWS_KMS or EXTERNAL \(CloudFormation creates no keys in custom key stores.* Received: "AWS_CLOUDHSM"/],
    ['an external key store origin', { alias: 'byok', keyMaterialOrigin: 'EXTERNAL_KEY_STORE' }, /'keyMaterialOrigin' must be AWS_KMS or EXTERNAL.* Received: "EXTERNAL_KEY_STORE"/],
    ['enabled: false', { ...external, enabled: false }, /'enabled' does not apply with 'keyMaterialOrigin' EXTERNAL: the key is created in PendingImport.* Received: false/],
  ])('%s', (_name, props, message) => {
    const { stack } = newStack();
    expect(() => new ManagedCmk(stack, 'Cmk', props)).toThrow(message);
  });

  test('an asymmetric EXTERNAL key in a China Region (KMS imports only symmetric material there)', () => {
    const { stack } = newStack('China', { env: { account: '123456789012', region: 'cn-north-1' } });
    expect(() => new ManagedCmk(stack, 'Cmk', { ...external, keySpec: kms.KeySpec.RSA_4096, keyUsage: kms.KeyUsage.SIGN_VERIFY })).toThrow(
      /'keyMaterialOrigin' EXTERNAL with keySpec RSA_4096: in the China Regions AWS KMS imports only symmetric.* Received: EXTERNAL with keySpec RSA_4096 in cn-north-1/);
    expect(() => new ManagedCmk(stack, 'Symmetric', external)).not.toThrow();
  });

  test.each(['kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial', 'kms:GetParametersForImport'])('granting %s on a key whose material is from AWS KMS', (action) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'aws-material' });
    expect(() => key.grant(role(stack, 'R'), action)).toThrow(
      new RegExp(`'actions' ${action} apply only to a key with imported key material \\(keyMaterialOrigin: EXTERNAL\\); TestStack/Cmk has key material from AWS KMS. Received: "${action}"`));
  });
});
