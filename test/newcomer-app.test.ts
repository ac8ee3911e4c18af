import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { asArray, keyPolicyStatements, PolicySimulator, TEST_ENV } from './support';
import { buildNewcomerApp } from '../examples/newcomer-app';

/**
 * A newcomer-style app: a keys stack with one ManagedCmk and an app stack of plain L2s that use
 * it. On a real account the CloudFormation execution role creates everything, so every request
 * its services make with its credentials must be allowed by the key policy — proven with the
 * policy simulator over both synthesized stacks.
 */
describe('the newcomer app', () => {
  const app = new App();
  const { keys, app: appStack } = buildNewcomerApp(app, TEST_ENV);
  // The CloudFormation execution role, with AdministratorAccess-like KMS permissions in IAM.
  const deployer = new iam.Role(keys, 'CfnExecRole', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
  new iam.ManagedPolicy(keys, 'DeployerKms', { roles: [deployer], statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })] });
  const keysTemplate = Template.fromStack(keys);
  const appTemplate = Template.fromStack(appStack);
  const sim = PolicySimulator.fromStacks(keys, appStack);
  const key = sim.keyArn('AppKey');
  const viaService = (service: string) => ({ 'kms:ViaService': `${service}.${TEST_ENV.region}.amazonaws.com` });

  test('synthesizes, and the keys stack depends on no app stack', () => {
    expect(keys.dependencies).toEqual([]);
    expect(appStack.dependencies).toEqual([keys]);
  });

  test.each<[string, string, string[]]>([
    ['DynamoDB', 'dynamodb', ['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom']],
    ['Secrets Manager', 'secretsmanager', ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey']],
    ['RDS', 'rds', ['kms:CreateGrant', 'kms:DescribeKey']],
    ['Lambda', 'lambda', ['kms:CreateGrant', 'kms:Encrypt', 'kms:Decrypt']],
  ])('the deploying role may make each documented %s request through the service, and not directly', async (_name, service, actions) => {
    for (const action of actions) {
      const context = { ...viaService(service), ...(action === 'kms:CreateGrant' ? { 'kms:GrantIsForAWSResource': 'true' } : {}) };
      await sim.expectDecision({ principal: sim.roleArn('CfnExecRole'), action, resource: key, context }, 'Allowed');
      if (action !== 'kms:DescribeKey') expect(await sim.decide({ principal: sim.roleArn('CfnExecRole'), action, resource: key })).not.toBe('Allowed');
    }
  });

  test('CloudWatch Logs may encrypt the log group; SNS may deliver into the encrypted queue', async () => {
    const logArn = `arn:aws:logs:${TEST_ENV.region}:${TEST_ENV.account}:log-group:NewcomerApp-AppLogs`;
    await sim.expectDecision({
      principal: `logs.${TEST_ENV.region}.amazonaws.com`,
      action: 'kms:GenerateDataKey',
      resource: key,
      context: { 'kms:EncryptionContext:aws:logs:arn': logArn },
      allowInapplicableContextKeys: true,
    }, 'Allowed');
    await sim.expectDecision({
      principal: 'sns.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: key,
      context: { 'aws:SourceAccount': TEST_ENV.account, 'aws:SourceArn': `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:events` },
      allowInapplicableContextKeys: true,
    }, 'Allowed');
  });

  test('no Allow for Principal "*" at all, and every account-wide statement is bound to a service and the account', () => {
    for (const s of keyPolicyStatements(keysTemplate)) {
      if (s.Effect !== 'Allow') continue;
      expect(JSON.stringify(s.Principal)).not.toMatch(/"\*"/);
      if (JSON.stringify(s.Principal).includes(':root') && s.Sid !== 'KeyRootAdministration') {
        expect(Object.keys(s.Condition?.StringEquals ?? {})).toContain('kms:ViaService');
      }
    }
  });

  test('no AWS::IAM::Policy carries a KMS action', () => {
    for (const t of [keysTemplate, appTemplate]) {
      const kmsActions = Object.values<any>(t.findResources('AWS::IAM::Policy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .flatMap((st: any) => asArray<string>(st.Action))
        .filter((a) => a.startsWith('kms:'));
      expect(kmsActions).toEqual([]);
    }
  });
});

describe('the newcomer app with the feature flags of a new CDK project', () => {
  // `cdk init` writes these flags; with them SqsSubscription names its topic in the key policy,
  // and the topic is in the app stack, which deploys after the keys stack.
  const app = new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
  const { keys, app: appStack } = buildNewcomerApp(app, TEST_ENV);
  const statements = keyPolicyStatements(Template.fromStack(keys));

  test('synthesizes without a cycle: the keys stack depends on no app stack', () => {
    expect(keys.dependencies).toEqual([]);
    expect(appStack.dependencies).toEqual([keys]);
  });

  test("the subscription's own statement is narrowed to the account, next to the contract's statement for SNS", () => {
    const sns = statements.filter((s) => s.Principal?.Service === 'sns.amazonaws.com');
    expect(sns.map((s) => s.Condition)).toEqual(expect.arrayContaining([
      { StringEquals: { 'aws:SourceAccount': TEST_ENV.account } },
      expect.objectContaining({ ArnLike: { 'aws:SourceArn': expect.anything() } }),
    ]));
    expect(JSON.stringify(sns)).not.toContain('Fn::ImportValue');
  });
});
