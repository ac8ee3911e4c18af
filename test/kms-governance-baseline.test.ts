import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { EbsDefaultEncryption, KmsGovernanceBaseline, KmsGovernanceBaselineProps, ManagedCmk } from '../src';
import { newStack, TEST_ENV, unacknowledged } from './support';
import { EBS_HANDLER_ID, EBS_RESOURCE_TYPE } from '../src/private/contracts/ebs-default-encryption.contract';

const SECURITY = '222222222222';
const EBS_BUNDLE = path.join(__dirname, '..', 'assets', 'ebs-default-encryption.lambda', 'index.js');

type Extend = (baseline: KmsGovernanceBaseline, parent: Stack) => void;

function baselineApp(props: KmsGovernanceBaselineProps = { securityAccountId: SECURITY }, extend?: Extend) {
  const { app, stack: parent } = newStack('Management');
  const baseline = new KmsGovernanceBaseline(parent, 'Baseline', props);
  extend?.(baseline, parent);
  return { app, parent, baseline };
}

/** Synthesize and read the baseline's template from the cloud assembly. */
function synthBaseline(app: App, baseline: KmsGovernanceBaseline): { template: Template; json: any; dir: string } {
  const assembly = app.synth();
  const json = JSON.parse(fs.readFileSync(path.join(assembly.directory, baseline.templateFile), 'utf-8'));
  return { template: Template.fromJSON(json), json, dir: assembly.directory };
}

describe('KmsGovernanceBaseline defaults', () => {
  // GIVEN a baseline with only the security account
  const { app, baseline } = baselineApp();
  const { template, json, dir } = synthBaseline(app, baseline);
  const assembly = app.synth();

  test('not a deployment of its own: the template is a file asset of the parent stack', () => {
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['Management']);
    const assets = JSON.parse(fs.readFileSync(path.join(dir, 'Management.assets.json'), 'utf-8'));
    const entry = Object.values<any>(assets.files).find((f) => f.source.path === baseline.templateFile);
    expect(entry?.source.packaging).toBe('file');
  });

  test('environment-agnostic: no account, Region or CDK metadata fixed in the template', () => {
    const text = JSON.stringify(json);
    expect(text).not.toContain(TEST_ENV.account);
    expect(text).not.toContain(TEST_ENV.region);
    expect(json.Conditions).toBeUndefined();
    template.resourceCountIs('AWS::CDK::Metadata', 0);
  });

  test('the security account is a parameter: 12 digits, defaulting to the prop', () => {
    expect(json.Parameters.SecurityAccountId).toEqual({
      Type: 'String',
      Default: SECURITY,
      AllowedPattern: '^\\d{12}$',
      ConstraintDescription: 'must be an AWS account ID (12 digits)',
      Description: expect.any(String),
    });
    expect(Object.keys(json.Parameters)).toEqual(['SecurityAccountId']);
    expect(baseline.parameterDefaults).toEqual({ SecurityAccountId: SECURITY });
  });

  test('an EBS key that rotates, with its alias, retained, made the default EBS key', () => {
    const keys = template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('^Default key of Amazon EBS') } });
    const [keyId] = Object.keys(keys);
    expect(keys[keyId]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 } });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cdk-kms-governance/ebs', TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties(EBS_RESOURCE_TYPE, { KmsKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(json.Outputs.EbsKeyArn.Value).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('the EBS handler is inline code (the bundle itself), not an asset', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(1);
    const [fn] = Object.values<any>(functions);
    expect(fn.Properties.Code).toEqual({ ZipFile: fs.readFileSync(EBS_BUNDLE, 'utf-8') });
    expect(JSON.stringify(json)).not.toMatch(/S3Bucket|cdk-hnb659fds|asset\./);
  });

  test('the inline handler has the runtime, handler and environment of the generated function class', () => {
    const { stack } = newStack('Plain');
    new EbsDefaultEncryption(stack, 'Ebs', { key: new ManagedCmk(stack, 'Key', { alias: 'plain/ebs' }) });
    const plain = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties;
    const inline = Object.values<any>(template.findResources('AWS::Lambda::Function'))[0].Properties;
    expect(plain.Code.S3Bucket).toBeDefined();
    for (const p of ['Runtime', 'Handler', 'Environment', 'MemorySize', 'Timeout', 'ReservedConcurrentExecutions', 'LoggingConfig']) {
      expect([p, inline[p]]).toEqual([p, plain[p]]);
    }
  });

  test.each([
    ['KeyAdminRole', 'KmsGovernanceKeyAdmin-'],
    ['KeyAuditorRole', 'KmsGovernanceKeyAuditor-'],
  ])('%s: named per Region, assumable only from the security account parameter with MFA', (id, name) => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: { 'Fn::Join': ['', [name, { Ref: 'AWS::Region' }]] } } });
    expect(Object.keys(roles)).toEqual([expect.stringMatching(new RegExp(`^${id}`))]);
    expect(Object.values<any>(roles)[0].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'SecurityAccountId' }, ':root']] } },
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    }]);
    expect(json.Outputs[`${id}Arn`].Value).toEqual({ 'Fn::GetAtt': [Object.keys(roles)[0], 'Arn'] });
  });

  test('the admin role administers the EBS key', () => {
    const key = Object.values<any>(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('^Default key of Amazon EBS') } }))[0];
    const administration = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'KeyAdministration');
    expect(administration.Principal).toEqual({ AWS: { 'Fn::GetAtt': [expect.stringMatching(/^KeyAdminRole/), 'Arn'] } });
  });

  test('no Auto Scaling service-linked role in the key policy (it may not exist in a new account)', () => {
    expect(JSON.stringify(json)).not.toContain('AWSServiceRoleForAutoScaling');
  });

  test('the logical IDs stay what they are (a change replaces the key or the roles in every account)', () => {
    expect(Object.entries<any>(json.Resources).map(([id, r]) => `${id} ${r.Type}`).sort()).toEqual([
      'EbsDefaultEncryption7A28002C Custom::KmsGovernanceEbsDefaultEncryption',
      'EbsKeyAliasB5ECC241 AWS::KMS::Alias',
      'EbsKeyD3FEE551 AWS::KMS::Key',
      'KeyAdminRole597073C5 AWS::IAM::Role',
      'KeyAdminRoleGuardrails03691B76 AWS::IAM::ManagedPolicy',
      'KeyAuditorRole4DFF36D7 AWS::IAM::Role',
      'KeyAuditorRoleAuditPermissionsDBAFEBE2 AWS::IAM::ManagedPolicy',
      'KmsGovernanceEbsDefaultEncryptionHandlerDeadLettersC1C77FB5 AWS::SQS::Queue',
      'KmsGovernanceEbsDefaultEncryptionHandlerDeadLettersPolicyF3039596 AWS::SQS::QueuePolicy',
      'KmsGovernanceEbsDefaultEncryptionHandlerFunctionAD27913E AWS::Lambda::Function',
      'KmsGovernanceEbsDefaultEncryptionHandlerLogs361994F8 AWS::Logs::LogGroup',
      'KmsGovernanceEbsDefaultEncryptionHandlerPermissionsD9B95387 AWS::IAM::ManagedPolicy',
      'KmsGovernanceEbsDefaultEncryptionHandlerRole57F573C0 AWS::IAM::Role',
      'KmsGovernanceOperationalKey37BBD0AC AWS::KMS::Key',
      'KmsGovernanceOperationalKeyAlias09D089DA AWS::KMS::Alias',
    ]);
  });

  test('compliant: no unacknowledged finding of any pack', () => {
    expect(unacknowledged(baseline)).toEqual([]);
  });

  test('recognized across package copies', () => {
    expect(KmsGovernanceBaseline.isKmsGovernanceBaseline(baseline)).toBe(true);
    expect(KmsGovernanceBaseline.isKmsGovernanceBaseline(new Stack(new App(), 'Other'))).toBe(false);
  });
});

describe('KmsGovernanceBaseline parts are optional', () => {
  test('without default EBS encryption: no key, no handler, the roles only', () => {
    const { app, baseline } = baselineApp({ securityAccountId: SECURITY, ebsDefaultEncryption: false });
    const { template, json } = synthBaseline(app, baseline);
    template.resourceCountIs(EBS_RESOURCE_TYPE, 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::IAM::Role', 2);
    expect(json.Outputs.EbsKeyArn).toBeUndefined();
    expect(baseline.ebsKey).toBeUndefined();
  });

  test('without roles: no SecurityAccountId parameter', () => {
    const { app, baseline } = baselineApp({ keyAdminRole: false, keyAuditorRole: false });
    const { template, json } = synthBaseline(app, baseline);
    expect(json.Parameters).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Role', 1); // the handler's execution role
    template.resourceCountIs(EBS_RESOURCE_TYPE, 1);
    expect(unacknowledged(baseline)).toEqual([]);
  });

  test('only the auditor: no admin role', () => {
    const { app, baseline } = baselineApp({ securityAccountId: SECURITY, keyAdminRole: false });
    const { json } = synthBaseline(app, baseline);
    expect(json.Outputs.KeyAdminRoleArn).toBeUndefined();
    expect(json.Outputs.KeyAuditorRoleArn).toBeDefined();
  });

  test('a security account without a default: the parameter has none', () => {
    const { app, baseline } = baselineApp({});
    const { json } = synthBaseline(app, baseline);
    expect(json.Parameters.SecurityAccountId.Default).toBeUndefined();
    expect(baseline.parameterDefaults).toEqual({});
    expect(baseline.parameterNames).toEqual(['SecurityAccountId']);
  });

  test('audit alarms on the trail log group named by a parameter, readable by the auditor', () => {
    const { app, baseline } = baselineApp({ securityAccountId: SECURITY, auditAlarms: true, trailLogGroupName: 'aws-controltower/CloudTrailLogs' });
    const { template, json } = synthBaseline(app, baseline);
    expect(json.Parameters.OrganizationTrailLogGroupName).toMatchObject({ Type: 'String', Default: 'aws-controltower/CloudTrailLogs' });
    template.allResourcesProperties('AWS::Logs::MetricFilter', { LogGroupName: { Ref: 'OrganizationTrailLogGroupName' } });
    expect(Object.keys(template.findResources('AWS::Logs::MetricFilter')).length).toBeGreaterThanOrEqual(5);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    const auditor = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^KeyAuditorRole') }] } }))[0];
    expect(JSON.stringify(auditor.Properties.PolicyDocument)).toContain('"Ref":"OrganizationTrailLogGroupName"');
    expect(unacknowledged(baseline)).toEqual([]);
  });

  test('a health canary on the EBS key, its handler inline too', () => {
    const { app, baseline } = baselineApp({ securityAccountId: SECURITY, ebsKeyHealthCanary: true });
    const { template, json } = synthBaseline(app, baseline);
    const functions = Object.values<any>(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    const canaryBundle = fs.readFileSync(path.join(__dirname, '..', 'assets', 'key-health-canary.lambda', 'index.js'), 'utf-8');
    expect(functions.map((f) => f.Properties.Code)).toEqual(expect.arrayContaining([{ ZipFile: canaryBundle }, { ZipFile: fs.readFileSync(EBS_BUNDLE, 'utf-8') }]));
    template.resourceCountIs('AWS::Events::Rule', 1);
    expect(JSON.stringify(json)).not.toMatch(/S3Bucket|cdk-hnb659fds/);
    expect(baseline.ebsKeyHealthCanary).toBeDefined();
    expect(unacknowledged(baseline)).toEqual([]);
  });

  test('the CloudFormation template is valid for every part switched off but one', () => {
    for (const part of ['ebsDefaultEncryption', 'keyAdminRole', 'keyAuditorRole'] as const) {
      const props: KmsGovernanceBaselineProps = { ebsDefaultEncryption: false, keyAdminRole: false, keyAuditorRole: false, [part]: true };
      const { app, baseline } = baselineApp(props);
      expect(Object.keys(synthBaseline(app, baseline).json.Resources).length).toBeGreaterThan(0);
    }
  });
});

describe('KmsGovernanceBaseline bad input', () => {
  test.each(['12345', '2222222222223', 'abcdefghijkl', '2222-2222-2222'])("a malformed 'securityAccountId' (%s)", (id) => {
    expect(() => baselineApp({ securityAccountId: id })).toThrow(`'securityAccountId' must be an AWS account ID (12 digits). Received: "${id}"`);
  });

  test('every part off', () => {
    expect(() => baselineApp({ ebsDefaultEncryption: false, keyAdminRole: false, keyAuditorRole: false })).toThrow(/needs at least one part/);
  });

  test('options of parts that are off', () => {
    expect(() => baselineApp({ securityAccountId: SECURITY, trailLogGroupName: 'x' })).toThrow("'trailLogGroupName' applies only with 'auditAlarms: true'");
    expect(() => baselineApp({ securityAccountId: SECURITY, ebsDefaultEncryption: false, ebsKeyAlias: 'x' })).toThrow(/'ebsKeyAlias', 'ebsAutoScaling' and 'ebsKeyHealthCanary' apply only with 'ebsDefaultEncryption'/);
    expect(() => baselineApp({ securityAccountId: SECURITY, ebsDefaultEncryption: false, ebsKeyHealthCanary: true })).toThrow(/apply only with 'ebsDefaultEncryption'/);
    expect(() => baselineApp({ securityAccountId: SECURITY, keyAdminRole: false, keyAuditorRole: false })).toThrow(/'securityAccountId' applies only with/);
  });

  test('a role name prefix too long or malformed', () => {
    expect(() => baselineApp({ securityAccountId: SECURITY, roleNamePrefix: 'x'.repeat(39) })).toThrow(/'roleNamePrefix' must be between 1 and 38 characters long/);
    expect(() => baselineApp({ securityAccountId: SECURITY, roleNamePrefix: 'a b' })).toThrow(/'roleNamePrefix' may contain only/);
  });

  test('outside a stack, or inside another baseline', () => {
    expect(() => new KmsGovernanceBaseline(new App(), 'Baseline')).toThrow(/must be defined inside the stack that deploys its stack set/);
    const { baseline } = baselineApp();
    expect(() => new KmsGovernanceBaseline(baseline, 'Inner')).toThrow(/another baseline/);
  });

  test("the parent stack's account (Stack.of(parent).account) inside the baseline", () => {
    const { app } = baselineApp(undefined, (baseline, parent) => {
      new iam.Role(baseline, 'Deployer', { assumedBy: new iam.AccountPrincipal(parent.account) });
    });
    expect(() => app.synth()).toThrow(/an account ID is fixed in the template at Resources\.Deployer[\w]+\.Properties\.AssumeRolePolicyDocument.*use the AWS::AccountId pseudo parameter or a CloudFormation parameter/);
  });

  test('a literal account in an ARN', () => {
    const { app } = baselineApp(undefined, (baseline) => {
      new sns.Topic(baseline, 'Topic').addToResourcePolicy(new iam.PolicyStatement({
        actions: ['sns:Publish'],
        principals: [new iam.ArnPrincipal('arn:aws:iam::333333333333:role/central')],
        resources: ['*'],
      }));
    });
    expect(() => app.synth()).toThrow(/an account ID is fixed in the template.*333333333333/);
  });

  test("the parent stack's Region inside the baseline", () => {
    const { app } = baselineApp(undefined, (baseline, parent) => {
      new ssm.StringParameter(baseline, 'Home', { stringValue: parent.region });
    });
    expect(() => app.synth()).toThrow(/a Region is fixed in the template at Resources\.Home[\w]+\.Properties\.Value.*Received: "us-east-1"/);
  });

  test('a context lookup', () => {
    expect(() => baselineApp(undefined, (baseline) => {
      ec2.Vpc.fromLookup(baseline, 'Vpc', { isDefault: true });
    })).toThrow(/Cannot retrieve value from context provider vpc-provider since account\/region are not specified/);
  });

  test('a missing context value reported for the baseline', () => {
    const { baseline } = baselineApp();
    expect(() => baseline.reportMissingContextKey({ key: 'ssm:x', provider: 'ssm' as any, props: {} as any })).toThrow(/cannot use context lookups \(ssm ssm:x\)/);
  });

  test('a cross-stack reference to an environment-agnostic parent stack', () => {
    const app = new App();
    const parent = new Stack(app, 'Management');
    const baseline = new KmsGovernanceBaseline(parent, 'Baseline', { securityAccountId: SECURITY });
    const topic = new sns.Topic(parent, 'Central');
    new ssm.StringParameter(baseline, 'CentralTopic', { stringValue: topic.topicArn });
    expect(() => app.synth()).toThrow(/a cross-stack reference \(Fn::ImportValue\) at Resources\.CentralTopic\w+\.Properties\.Value: exports of one account and Region do not exist in the others/);
  });

  test('a reference to a parent stack with an environment (CDK refuses it as cross-environment)', () => {
    const { app } = baselineApp(undefined, (baseline, parent) => {
      const topic = new sns.Topic(parent, 'Central');
      new ssm.StringParameter(baseline, 'CentralTopic', { stringValue: topic.topicArn });
    });
    expect(() => app.synth()).toThrow(/in a cross-environment fashion/);
  });

  test('a file asset', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baseline-asset-'));
    fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => {};');
    expect(() => baselineApp(undefined, (baseline) => {
      new lambda.Function(baseline, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
    })).toThrow(/A KmsGovernanceBaseline cannot hold file assets/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('one EBS default encryption per baseline', () => {
    expect(() => baselineApp(undefined, (baseline) => {
      new EbsDefaultEncryption(baseline, 'Second', { key: new ManagedCmk(baseline, 'SecondKey', { alias: 'x/y' }) });
    })).toThrow(/Only one EbsDefaultEncryption may be defined per stack/);
    expect(EBS_HANDLER_ID).toBeDefined();
  });
});
