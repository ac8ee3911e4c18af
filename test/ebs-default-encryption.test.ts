import { App, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk, RootAccess } from '../src';
import { identityPolicyActions, keyPolicyStatements, newStack, statementBySid, TEST_ENV, unacknowledged } from './support';
import { EbsDefaultEncryption, EbsDefaultEncryptionProps } from '../src/ebs-default-encryption';
import { EBS_HANDLER_ID, EBS_RESOURCE_TYPE, EbsProperty } from '../src/private/contracts/ebs-default-encryption.contract';

const ROOT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] };
const AUTO_SCALING_SLR = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling']],
};
const SYMMETRIC_USE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
const THROUGH_EC2 = { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' } };
const HANDLER_EC2_ACTIONS = [
  'ec2:EnableEbsEncryptionByDefault',
  'ec2:GetEbsDefaultKmsKeyId',
  'ec2:GetEbsEncryptionByDefault',
  'ec2:ModifyEbsDefaultKmsKeyId',
  'ec2:ResetEbsDefaultKmsKeyId',
];

function ebsStack(props: Partial<EbsDefaultEncryptionProps> = {}, keyProps: Partial<ConstructorParameters<typeof ManagedCmk>[2]> = {}) {
  const { app, stack } = newStack();
  const key = new ManagedCmk(stack, 'Cmk', { alias: 'ebs/default', ...keyProps });
  const ebs = new EbsDefaultEncryption(stack, 'EbsDefault', { key, ...props });
  return { app, stack, key, ebs, template: Template.fromStack(stack), keyId: stack.getLogicalId(key.cfnKey) };
}

/** The statements of the handler's customer managed policy. */
function handlerPolicyStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${EBS_HANDLER_ID}Role`) }] },
  });
  expect(Object.keys(policies)).toHaveLength(1);
  return Object.values<any>(policies)[0].Properties.PolicyDocument.Statement;
}

describe('EbsDefaultEncryption defaults', () => {
  // GIVEN a ManagedCmk and an EbsDefaultEncryption with only the required prop
  const { stack, template, keyId, ebs, key } = ebsStack();

  test('a custom resource with the key ARN, leaving encryption on when deleted', () => {
    template.hasResourceProperties(EBS_RESOURCE_TYPE, {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${EBS_HANDLER_ID}Function`), 'Arn'] },
      // the handler's 1-minute timeout, three times (Lambda's two retries), plus their 3 minutes of delay
      ServiceTimeout: '360',
      [EbsProperty.KMS_KEY_ARN]: { 'Fn::GetAtt': [keyId, 'Arn'] },
      [EbsProperty.DISABLE_ON_DELETE]: 'false',
    });
    template.resourceCountIs(EBS_RESOURCE_TYPE, 1);
    expect(ebs.key).toBe(key);
  });

  test('a hardened handler function at the stack level, on the latest Node.js runtime', () => {
    expect(stack.node.tryFindChild(EBS_HANDLER_ID)).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 60,
      ReservedConcurrentExecutions: 1,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${EBS_HANDLER_ID}DeadLetters`), 'Arn'] } },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp(`^${EBS_HANDLER_ID}Logs`) } },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KmsGovernanceOperationalKey'), 'Arn'] } },
    });
  });

  test('the handler may call the EBS default-encryption APIs, and not DisableEbsEncryptionByDefault', () => {
    const statements = handlerPolicyStatements(template);
    expect(statements).toContainEqual({ Action: HANDLER_EC2_ACTIONS, Effect: 'Allow', Resource: '*' });
    expect(identityPolicyActions(template)).not.toContain('ec2:DisableEbsEncryptionByDefault');
    // and no KMS permission at all: EC2 checks the key with its own access
    expect(identityPolicyActions(template).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  test('permissions only through a customer managed policy; no inline or AWS managed policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain(':iam::aws:policy/');
    template.hasResourceProperties('AWS::IAM::Role', { Policies: Match.absent(), ManagedPolicyArns: Match.absent() });
  });

  test('the key policy gets exactly the EBS and Auto Scaling statements', () => {
    expect(keyPolicyStatements(template, keyId).map((s) => s.Sid)).toEqual([
      'KeyRootAdministration',
      'DenyGrantsNotForAwsResources',
      'EbsViaEc2',
      'EbsGrantsViaEc2',
      'AutoScalingEbs',
      'AutoScalingEbsGrants',
    ]);
    expect(statementBySid(template, 'EbsViaEc2', keyId)).toEqual({
      Sid: 'EbsViaEc2',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: SYMMETRIC_USE,
      Resource: '*',
      Condition: THROUGH_EC2,
    });
    expect(statementBySid(template, 'EbsGrantsViaEc2', keyId)).toEqual({
      Sid: 'EbsGrantsViaEc2',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { ...THROUGH_EC2, Bool: { 'kms:GrantIsForAWSResource': true } },
    });
    expect(statementBySid(template, 'AutoScalingEbs', keyId)).toEqual({
      Sid: 'AutoScalingEbs',
      Effect: 'Allow',
      Principal: { AWS: AUTO_SCALING_SLR },
      Action: SYMMETRIC_USE,
      Resource: '*',
    });
    expect(statementBySid(template, 'AutoScalingEbsGrants', keyId)).toEqual({
      Sid: 'AutoScalingEbsGrants',
      Effect: 'Allow',
      Principal: { AWS: AUTO_SCALING_SLR },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    });
  });

  test('the operational key is untouched by EBS', () => {
    const opKey = Object.keys(template.findResources('AWS::KMS::Key')).find((k) => k.startsWith('KmsGovernanceOperationalKey'))!;
    expect(keyPolicyStatements(template, opKey).map((s) => s.Sid)).not.toEqual(expect.arrayContaining(['EbsViaEc2']));
  });

  test('logical IDs stay what they are (a change would replace the handler or the setting)', () => {
    expect(Object.keys(template.toJSON().Resources).sort()).toEqual([
      'Cmk0E70AD9C',
      'CmkAliasCB394C3D',
      'EbsDefaultE5C9F615',
      'KmsGovernanceEbsDefaultEncryptionHandlerDeadLettersC1C77FB5',
      'KmsGovernanceEbsDefaultEncryptionHandlerDeadLettersPolicyF3039596',
      'KmsGovernanceEbsDefaultEncryptionHandlerFunctionAD27913E',
      'KmsGovernanceEbsDefaultEncryptionHandlerLogs361994F8',
      'KmsGovernanceEbsDefaultEncryptionHandlerPermissionsD9B95387',
      'KmsGovernanceEbsDefaultEncryptionHandlerRole57F573C0',
      'KmsGovernanceOperationalKey37BBD0AC',
      'KmsGovernanceOperationalKeyAlias09D089DA',
    ]);
  });

  test('no warnings', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('zero unacknowledged findings from the cdk-nag packs', () => {
    expect(unacknowledged(stack)).toEqual([]);
  });
});

describe('EbsDefaultEncryption props', () => {
  test('disableOnDelete: true is passed to the handler, which may then call DisableEbsEncryptionByDefault', () => {
    const { template } = ebsStack({ disableOnDelete: true });
    template.hasResourceProperties(EBS_RESOURCE_TYPE, { [EbsProperty.DISABLE_ON_DELETE]: 'true' });
    expect(handlerPolicyStatements(template)).toContainEqual({
      Action: ['ec2:DisableEbsEncryptionByDefault', ...HANDLER_EC2_ACTIONS],
      Effect: 'Allow',
      Resource: '*',
    });
  });

  test('disableOnDelete: false is the default', () => {
    const { template } = ebsStack({ disableOnDelete: false });
    template.hasResourceProperties(EBS_RESOURCE_TYPE, { [EbsProperty.DISABLE_ON_DELETE]: 'false' });
    expect(identityPolicyActions(template)).not.toContain('ec2:DisableEbsEncryptionByDefault');
  });

  test('autoScaling: false leaves the Auto Scaling service-linked role out of the key policy', () => {
    const { template, keyId } = ebsStack({ autoScaling: false });
    expect(keyPolicyStatements(template, keyId).map((s) => s.Sid)).toEqual(['KeyRootAdministration', 'DenyGrantsNotForAwsResources', 'EbsViaEc2', 'EbsGrantsViaEc2']);
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSServiceRoleForAutoScaling');
  });

  test('operationalKey, vpc and vpcSubnets go to the handler', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'ebs' });
    const ops = new ManagedCmk(stack, 'Ops', { alias: 'ops' });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new EbsDefaultEncryption(stack, 'EbsDefault', { key, operationalKey: ops, vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(ops.cfnKey), 'Arn'] } });
    t.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() } });
    expect(Object.keys(t.findResources('AWS::KMS::Key')).some((k) => k.startsWith('KmsGovernanceOperationalKey'))).toBe(false);
  });

  test('the key keeps its separation of duties: administrators and users synthesize beside the EBS statements', () => {
    const { stack } = newStack();
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const user = new iam.Role(stack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'ebs', administrators: [admin], users: [user], rootAccess: RootAccess.ADMINISTRATION_ONLY });
    new EbsDefaultEncryption(stack, 'EbsDefault', { key });
    const sids = keyPolicyStatements(Template.fromStack(stack), stack.getLogicalId(key.cfnKey)).map((s) => s.Sid);
    expect(sids).toEqual(['KeyRootAdministration', 'KeyAdministration', 'KeyAdministratorsCannotUse', 'KeyUsage', 'DenyGrantsNotForAwsResources', 'EbsViaEc2', 'EbsGrantsViaEc2', 'AutoScalingEbs', 'AutoScalingEbsGrants']);
  });

  test("the key's viaServices narrow neither the EC2 nor the Auto Scaling statements (scoped grants carry their own conditions)", () => {
    const { template, keyId } = ebsStack({}, { viaServices: ['s3.us-east-1.amazonaws.com'] });
    expect(statementBySid(template, 'EbsViaEc2', keyId).Condition).toEqual(THROUGH_EC2);
    expect(statementBySid(template, 'AutoScalingEbs', keyId).Condition).toBeUndefined();
  });

  test('an environment-agnostic stack uses the deploy-time account and Region', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'ebs' });
    new EbsDefaultEncryption(stack, 'EbsDefault', { key });
    expect(statementBySid(Template.fromStack(stack), 'EbsViaEc2', stack.getLogicalId(key.cfnKey)).Condition).toEqual({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        'kms:CallerAccount': { Ref: 'AWS::AccountId' },
      },
    });
  });

  test('a key in another stack of the same environment: the statements land in its key policy', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env: TEST_ENV });
    const workloads = new Stack(app, 'Workloads', { env: TEST_ENV });
    const key = new ManagedCmk(keys, 'Cmk', { alias: 'ebs' });
    new EbsDefaultEncryption(workloads, 'EbsDefault', { key });
    expect(keyPolicyStatements(Template.fromStack(keys)).map((s) => s.Sid)).toContain('EbsViaEc2');
    Template.fromStack(workloads).hasResourceProperties(EBS_RESOURCE_TYPE, { [EbsProperty.KMS_KEY_ARN]: { 'Fn::ImportValue': Match.anyValue() } });
  });

  test('a plain kms.Key works: nothing is written to its policy, the handler policy stays managed, and a warning says what to add', () => {
    // GIVEN a CDK kms.Key (its default policy delegates to IAM)
    const { stack } = newStack();
    const key = new kms.Key(stack, 'PlainKey', { enableKeyRotation: true });
    // WHEN
    new EbsDefaultEncryption(stack, 'EbsDefault', { key });
    const t = Template.fromStack(stack);
    // THEN
    t.resourceCountIs('AWS::IAM::Policy', 0);
    expect(handlerPolicyStatements(t)).toContainEqual({ Action: HANDLER_EC2_ACTIONS, Effect: 'Allow', Resource: '*' });
    t.hasResourceProperties(EBS_RESOURCE_TYPE, { [EbsProperty.KMS_KEY_ARN]: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
    const plainPolicy = JSON.stringify(t.findResources('AWS::KMS::Key', { Properties: { Description: Match.absent() } }));
    expect(plainPolicy).not.toContain('EbsViaEc2');
    expect(plainPolicy).not.toContain('AWSServiceRoleForAutoScaling');
    Annotations.fromStack(stack).hasWarning('/TestStack/EbsDefault', Match.stringLikeRegexp("'key' is not a ManagedCmk.*ec2.us-east-1.amazonaws.com.*Auto Scaling"));
  });

  test('an imported key ARN works the same way', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new EbsDefaultEncryption(stack, 'EbsDefault', { key, autoScaling: false });
    Template.fromStack(stack).hasResourceProperties(EBS_RESOURCE_TYPE, {
      [EbsProperty.KMS_KEY_ARN]: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/EbsDefault', Match.stringLikeRegexp("^(?!.*Auto Scaling)'key' is not a ManagedCmk"));
  });

  test('two stacks of the app setting the same account and Region: a warning', () => {
    const app = new App();
    for (const name of ['A', 'B']) {
      const stack = new Stack(app, name, { env: TEST_ENV });
      new EbsDefaultEncryption(stack, 'EbsDefault', { key: new ManagedCmk(stack, 'Cmk', { alias: `ebs-${name}` }) });
    }
    Annotations.fromStack(app.node.findChild('B') as Stack).hasWarning('/B/EbsDefault', Match.stringLikeRegexp("'A/EbsDefault' sets default EBS encryption for the same account and Region"));
  });
});

describe('EbsDefaultEncryption bad input', () => {
  test('no key', () => {
    const { stack } = newStack();
    expect(() => new EbsDefaultEncryption(stack, 'EbsDefault', { key: undefined as any })).toThrow(/'key' is required.* Received: undefined/);
  });

  test('a second EbsDefaultEncryption in one stack', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'ebs' });
    new EbsDefaultEncryption(stack, 'First', { key });
    expect(() => new EbsDefaultEncryption(stack, 'Second', { key })).toThrow(
      'Only one EbsDefaultEncryption may be defined per stack: default EBS encryption is a setting of the account and Region. ' +
        "Stack 'TestStack' already has 'TestStack/First'; received a second one, 'TestStack/Second'.",
    );
  });

  test.each<[string, kms.KeySpec, kms.KeyUsage | undefined]>([
    ['an RSA encryption key', kms.KeySpec.RSA_3072, kms.KeyUsage.ENCRYPT_DECRYPT],
    ['a signing key', kms.KeySpec.ECC_NIST_P256, undefined],
    ['an HMAC key', kms.KeySpec.HMAC_256, undefined],
  ])('%s', (_name, keySpec, keyUsage) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', keySpec, keyUsage });
    expect(() => new EbsDefaultEncryption(stack, 'EbsDefault', { key })).toThrow(
      new RegExp(`'key' must be a symmetric encryption key \\(SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT\\): Amazon EBS supports no other. Received: TestStack/Cmk \\(${keySpec}, ${key.keyUsage}\\)`),
    );
  });

  test('a disabled key', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', enabled: false });
    expect(() => new EbsDefaultEncryption(stack, 'EbsDefault', { key })).toThrow(/'key' must be enabled: .* Received: TestStack\/Cmk \(enabled: false\)/);
  });

  test('a key in another Region', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Elsewhere', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => new EbsDefaultEncryption(stack, 'EbsDefault', { key })).toThrow(/'key' must be in the stack's Region \(us-east-1\).* Received: a key in eu-west-1/);
  });
});

describe('ec2.Volume with a ManagedCmk needs no extra code', () => {
  // GIVEN an encrypted volume with a ManagedCmk, next to EbsDefaultEncryption on the same key
  const { stack } = newStack();
  const key = new ManagedCmk(stack, 'Cmk', { alias: 'ebs' });
  new ec2.Volume(stack, 'Volume', { availabilityZone: 'us-east-1a', size: Size.gibibytes(8), encrypted: true, encryptionKey: key });
  new EbsDefaultEncryption(stack, 'EbsDefault', { key });
  // WHEN synthesized (validation, separation of duties included, runs here)
  const template = Template.fromStack(stack);
  const keyId = stack.getLogicalId(key.cfnKey);

  test('the volume is encrypted with the key', () => {
    template.hasResourceProperties('AWS::EC2::Volume', { Encrypted: true, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('no identity policy carries a KMS action', () => {
    expect(identityPolicyActions(template).filter((a) => a.toLowerCase().startsWith('kms:'))).toEqual([]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test("the key policy holds the via-EC2 statement that CDK's Volume adds, beside EbsDefaultEncryption's", () => {
    const statements = keyPolicyStatements(template, keyId);
    const volumes = statements.filter((s) => ![].concat(s.Action).includes('kms:CreateGrant' as never) && s.Sid !== 'EbsViaEc2' && s.Sid !== 'AutoScalingEbs' && s.Sid !== 'KeyRootAdministration');
    expect(volumes).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Principal: { AWS: ROOT },
        Action: ['kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlainText'],
        Resource: '*',
        Condition: THROUGH_EC2,
      },
    ]);
  });
});
