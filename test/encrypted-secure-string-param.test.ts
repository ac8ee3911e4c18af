import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ManagedCmk } from '../src';
import { keyPolicyStatements, newStack, PolicySimulator, statementBySid, unacknowledged, TEST_ENV } from './support';
import { EncryptedSecureStringParam, EncryptedSecureStringParamProps, SecureStringValue } from '../src/encrypted-secure-string-param';
import { OWNER_TAG_KEY, SECURE_STRING_RESOURCE_TYPE } from '../src/private/contracts/encrypted-secure-string-param.contract';

const PARAM_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter/app/db/password']] };
const HANDLER_ROLE = { 'Fn::GetAtt': ['KmsGovernanceSecureStringHandlerRole4B7058F1', 'Arn'] };
const SSM_ACTIONS = ['ssm:AddTagsToResource', 'ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:ListTagsForResource', 'ssm:PutParameter'];

/** A stack with a ManagedCmk and one parameter (the default configuration unless overridden). */
function paramStack(props: Partial<EncryptedSecureStringParamProps> = {}) {
  const { app, stack } = newStack();
  const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
  const param = new EncryptedSecureStringParam(stack, 'Param', {
    key,
    parameterName: '/app/db/password',
    value: SecureStringValue.generated(),
    ...props,
  });
  return { app, stack, key, param, keyId: stack.getLogicalId(key.cfnKey) };
}

function customResourceProps(template: Template): any {
  const resources = Object.values<any>(template.findResources(SECURE_STRING_RESOURCE_TYPE));
  expect(resources).toHaveLength(1);
  return resources[0].Properties;
}

/** The statements of the handler's customer managed policy. */
function handlerPolicyStatements(template: Template): any[] {
  const policies = Object.entries<any>(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith('KmsGovernanceSecureStringHandler'));
  expect(policies).toHaveLength(1);
  return policies[0][1].Properties.PolicyDocument.Statement;
}

/** Every file of the synthesized cloud assembly (templates, manifests, bundled assets), as text. */
function cloudAssemblyText(app: App): string {
  const dir = app.synth().directory;
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(fs.readFileSync(full, 'latin1'));
    }
  };
  walk(dir);
  return out.join('\n');
}

describe('EncryptedSecureStringParam defaults', () => {
  // GIVEN a ManagedCmk and a parameter with only the required props
  const { stack, param, keyId } = paramStack();
  // WHEN synthesized
  const template = Template.fromStack(stack);

  test('a custom resource describing the value source, never a value, retained by default', () => {
    expect(customResourceProps(template)).toEqual({
      ServiceToken: { 'Fn::GetAtt': ['KmsGovernanceSecureStringHandlerFunction204BFF64', 'Arn'] },
      ServiceTimeout: '540',
      ParameterName: '/app/db/password',
      KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Tier: 'Standard',
      RemovalPolicy: 'retain',
      ValueSource: { Kind: 'generated', Length: '32', ExcludeCharacters: '', ExcludePunctuation: 'false' },
    });
  });

  test('CloudFormation waits at most 9 minutes for an answer (not an hour): the handler\'s 2 minutes, three times, and Lambda\'s retry delays', () => {
    const fn = Object.values<any>(template.findResources('AWS::Lambda::Function'))[0];
    expect(fn.Properties.Timeout).toBe(120);
    expect(Number(customResourceProps(template).ServiceTimeout)).toBe(3 * 120 + 180);
  });

  test('CloudFormation always sends Delete to the handler, which keeps the parameter unless DESTROY', () => {
    template.hasResource(SECURE_STRING_RESOURCE_TYPE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(customResourceProps(template).RemovalPolicy).toBe('retain');
  });

  test('logical IDs stay what they are', () => {
    expect(Object.keys(template.toJSON().Resources).sort()).toEqual([
      'Key961B73FD',
      'KeyAlias910D852D',
      'KmsGovernanceOperationalKey37BBD0AC',
      'KmsGovernanceOperationalKeyAlias09D089DA',
      'KmsGovernanceSecureStringHandlerDeadLetters9BD49621',
      'KmsGovernanceSecureStringHandlerDeadLettersPolicyAB583286',
      'KmsGovernanceSecureStringHandlerFunction204BFF64',
      'KmsGovernanceSecureStringHandlerLogs7911D2D0',
      'KmsGovernanceSecureStringHandlerPermissions42679FA7',
      'KmsGovernanceSecureStringHandlerRole4B7058F1',
      'Param165332EC',
    ]);
  });

  test('the bundled handler runs as a hardened function on the latest Node.js runtime', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 120,
      ReservedConcurrentExecutions: 1,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KmsGovernanceSecureStringHandlerDeadLetters'), 'Arn'] } },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^KmsGovernanceSecureStringHandlerLogs') } }),
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ RetentionInDays: 365 }) });
  });

  test('the handler may manage this parameter only, through its customer managed policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(handlerPolicyStatements(template)).toContainEqual({ Action: SSM_ACTIONS, Effect: 'Allow', Resource: PARAM_ARN });
    // no other SSM or KMS permission in its identity policy
    const others = handlerPolicyStatements(template).filter((s) => [].concat(s.Action).some((a: string) => a.startsWith('ssm:') || a.startsWith('kms:')));
    expect(others).toHaveLength(1);
  });

  test('the key policy lets the handler use the key only through SSM, for this parameter', () => {
    expect(statementBySid(template, 'SecureStringParameter', keyId)).toEqual({
      Sid: 'SecureStringParameter',
      Effect: 'Allow',
      Principal: { AWS: HANDLER_ROLE },
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': PARAM_ARN } },
    });
    expect(keyPolicyStatements(template, keyId).map((s) => s.Sid)).toEqual(['KeyRootAdministration', 'DenyGrantsNotForAwsResources', 'SecureStringParameter']);
  });

  test('parameterName, parameterArn and key are exposed', () => {
    expect(param.parameterName).toBe('/app/db/password');
    expect(stack.resolve(param.parameterArn)).toEqual(PARAM_ARN);
    expect(stack.resolve(param.key.keyArn)).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(stack.resolve(param.parameterVersion)).toEqual({ 'Fn::GetAtt': ['Param165332EC', 'Version'] });
  });

  test('zero unacknowledged findings from the cdk-nag packs', () => {
    expect(unacknowledged(stack)).toEqual([]);
  });
});

describe('EncryptedSecureStringParam props', () => {
  test('description, tier and DESTROY reach the handler', () => {
    const { stack } = paramStack({ description: 'The database password', tier: ssm.ParameterTier.ADVANCED, removalPolicy: RemovalPolicy.DESTROY });
    expect(customResourceProps(Template.fromStack(stack))).toMatchObject({ Description: 'The database password', Tier: 'Advanced', RemovalPolicy: 'destroy' });
  });

  test.each([
    [RemovalPolicy.RETAIN, 'retain'],
    [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'retain'],
    [RemovalPolicy.DESTROY, 'destroy'],
  ])('removalPolicy %s is %s for the handler', (removalPolicy, expected) => {
    const { stack } = paramStack({ removalPolicy });
    expect(customResourceProps(Template.fromStack(stack)).RemovalPolicy).toBe(expected);
  });

  test.each([ssm.ParameterTier.STANDARD, ssm.ParameterTier.ADVANCED, ssm.ParameterTier.INTELLIGENT_TIERING])('tier %s', (tier) => {
    const { stack } = paramStack({ tier });
    expect(customResourceProps(Template.fromStack(stack)).Tier).toBe(tier);
  });

  test('generated options reach the handler; an 8 KB value is fine in the ADVANCED tier', () => {
    const { stack } = paramStack({
      tier: ssm.ParameterTier.ADVANCED,
      value: SecureStringValue.generated({ length: 8192, excludeCharacters: '"@/\\', excludePunctuation: true }),
    });
    expect(customResourceProps(Template.fromStack(stack)).ValueSource).toEqual({
      Kind: 'generated',
      Length: '8192',
      ExcludeCharacters: '"@/\\',
      ExcludePunctuation: 'true',
    });
  });

  test('no plaintext factory exists', () => {
    const statics = Object.getOwnPropertyNames(SecureStringValue).filter((n) => typeof (SecureStringValue as any)[n] === 'function');
    expect(statics.sort()).toEqual(['fromCiphertext', 'fromSecret', 'generated']);
  });
});

describe('SecureStringValue.fromCiphertext', () => {
  // base64 of 64 random-looking bytes; a real one would come from `aws kms encrypt`
  const CIPHERTEXT = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256)).toString('base64');
  const PLAINTEXT = 'correct horse battery staple';

  test('the handler decrypts with the parameter key by default, and the plaintext is nowhere in the cloud assembly', () => {
    const { app, stack, keyId } = paramStack({ value: SecureStringValue.fromCiphertext(CIPHERTEXT) });
    const template = Template.fromStack(stack);
    expect(customResourceProps(template).ValueSource).toEqual({ Kind: 'ciphertext', Ciphertext: CIPHERTEXT, KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(statementBySid(template, 'SecureStringSourceCiphertext', keyId)).toEqual({
      Sid: 'SecureStringSourceCiphertext',
      Effect: 'Allow',
      Principal: { AWS: HANDLER_ROLE },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    const everything = cloudAssemblyText(app);
    expect(everything).toContain('kms-governance:not-created:'); // the bundled handler asset was scanned too
    expect(everything).toContain(CIPHERTEXT);
    expect(everything).not.toContain(PLAINTEXT);
    expect(everything).not.toContain(Buffer.from(PLAINTEXT).toString('base64'));
  });

  test('with a source key and an encryption context, Decrypt is limited to that context on that key', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    const source = new ManagedCmk(stack, 'Source', { alias: 'app/import' });
    new EncryptedSecureStringParam(stack, 'Param', {
      key,
      parameterName: '/app/db/password',
      value: SecureStringValue.fromCiphertext(CIPHERTEXT, { key: source, encryptionContext: { purpose: 'db-password' } }),
    });
    const template = Template.fromStack(stack);
    const sourceId = stack.getLogicalId(source.cfnKey);
    expect(customResourceProps(template).ValueSource).toEqual({
      Kind: 'ciphertext',
      Ciphertext: CIPHERTEXT,
      KeyArn: { 'Fn::GetAtt': [sourceId, 'Arn'] },
      EncryptionContext: { purpose: 'db-password' },
    });
    expect(statementBySid(template, 'SecureStringSourceCiphertext', sourceId)).toMatchObject({
      Principal: { AWS: HANDLER_ROLE },
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'db-password' } },
    });
    expect(keyPolicyStatements(template, stack.getLogicalId(key.cfnKey)).map((s) => s.Sid)).not.toContain('SecureStringSourceCiphertext');
  });

  test('a plain IKey as source: Decrypt goes into the handler managed policy, never an inline policy', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    const imported = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    new EncryptedSecureStringParam(stack, 'Param', {
      key,
      parameterName: '/app/db/password',
      value: SecureStringValue.fromCiphertext(CIPHERTEXT, { key: imported, encryptionContext: { purpose: 'db-password' } }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(handlerPolicyStatements(template)).toContainEqual({
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: imported.keyArn,
      Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'db-password' } },
    });
  });
});

describe('SecureStringValue.fromSecret', () => {
  test('the handler may read that secret only; a JSON field reaches the handler', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    const secret = new secretsmanager.Secret(stack, 'Secret');
    new EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/app/db/password', value: SecureStringValue.fromSecret(secret, 'password') });
    const template = Template.fromStack(stack);
    const secretId = stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret);
    expect(customResourceProps(template).ValueSource).toEqual({ Kind: 'secret', SecretArn: { Ref: secretId }, JsonField: 'password' });
    expect(handlerPolicyStatements(template)).toContainEqual({ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('a secret encrypted with a ManagedCmk: Decrypt through Secrets Manager, in the key policy', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    const secretKey = new ManagedCmk(stack, 'SecretKey', { alias: 'app/secrets' });
    const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: secretKey });
    new EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/app/db/password', value: SecureStringValue.fromSecret(secret) });
    const template = Template.fromStack(stack);
    const secretId = stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret);
    expect(customResourceProps(template).ValueSource).toEqual({ Kind: 'secret', SecretArn: { Ref: secretId } });
    // the secret's ARN cannot be in its own key's policy (a cycle), so the condition is the service
    expect(statementBySid(template, 'SecureStringSourceSecret', stack.getLogicalId(secretKey.cfnKey))).toEqual({
      Sid: 'SecureStringSourceSecret',
      Effect: 'Allow',
      Principal: { AWS: HANDLER_ROLE },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
  });

  test('a secret imported by full ARN with its key: Decrypt is limited to that secret\'s encryption context', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    const secretKey = new ManagedCmk(stack, 'SecretKey', { alias: 'app/secrets' });
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf';
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Secret', { secretCompleteArn: arn, encryptionKey: secretKey });
    new EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/app/db/password', value: SecureStringValue.fromSecret(secret, 'password') });
    const template = Template.fromStack(stack);
    expect(handlerPolicyStatements(template)).toContainEqual({ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: arn });
    expect(statementBySid(template, 'SecureStringSourceSecret', stack.getLogicalId(secretKey.cfnKey)).Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:EncryptionContext:SecretARN': arn },
    });
  });

  test('a secret imported by name: the ARN suffix wildcard, as CDK grants it', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'app/db');
    new EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/app/db/password', value: SecureStringValue.fromSecret(secret) });
    const statements = handlerPolicyStatements(Template.fromStack(stack));
    const read = statements.find((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(JSON.stringify(read.Resource)).toContain(':secret:app/db-??????');
  });
});

describe('EncryptedSecureStringParam in a stack', () => {
  test('three parameters share ONE handler function, ONE SSM statement and ONE key-policy statement', () => {
    // GIVEN three parameters of all three kinds in one stack
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    const secret = new secretsmanager.Secret(stack, 'Secret');
    const CIPHERTEXT = Buffer.from('opaque ciphertext bytes').toString('base64');
    new EncryptedSecureStringParam(stack, 'A', { key, parameterName: '/app/a', value: SecureStringValue.generated() });
    new EncryptedSecureStringParam(stack, 'B', { key, parameterName: '/app/b', value: SecureStringValue.fromCiphertext(CIPHERTEXT) });
    new EncryptedSecureStringParam(stack, 'C', { key, parameterName: 'c', value: SecureStringValue.fromSecret(secret) });
    // WHEN synthesized
    const template = Template.fromStack(stack);
    // THEN
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs(SECURE_STRING_RESOURCE_TYPE, 3);
    const arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:us-east-1:123456789012:parameter/${suffix}`]] });
    const ssmStatements = handlerPolicyStatements(template).filter((s) => [].concat(s.Action).includes('ssm:PutParameter' as never));
    expect(ssmStatements).toEqual([{ Action: SSM_ACTIONS, Effect: 'Allow', Resource: [arn('app/a'), arn('app/b'), arn('c')] }]);
    const keyId = stack.getLogicalId(key.cfnKey);
    // StringEquals with a list: Parameter Store may use the key for any of the three, nothing else
    const parameterStatements = keyPolicyStatements(template, keyId).filter((s) => s.Sid.startsWith('SecureStringParameter'));
    expect(parameterStatements).toEqual([{
      Sid: 'SecureStringParameter',
      Effect: 'Allow',
      Principal: { AWS: HANDLER_ROLE },
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:ViaService': 'ssm.us-east-1.amazonaws.com',
          'kms:EncryptionContext:PARAMETER_ARN': [arn('app/a'), arn('app/b'), arn('c')],
        },
      },
    }]);
    // the secret itself is the user's (rotation, its key): only our resources are judged here
    expect(unacknowledged(stack).filter((f) => !f.endsWith(' on TestStack/Secret/Resource'))).toEqual([]);
  });

  test('each stack gets its own handler', () => {
    const app = new App();
    const stacks = ['One', 'Two'].map((id) => {
      const stack = new Stack(app, id, { env: TEST_ENV });
      const key = new ManagedCmk(stack, 'Key', { alias: `k-${id}` });
      new EncryptedSecureStringParam(stack, 'P1', { key, parameterName: '/p1', value: SecureStringValue.generated() });
      new EncryptedSecureStringParam(stack, 'P2', { key, parameterName: '/p2', value: SecureStringValue.generated() });
      return stack;
    });
    for (const stack of stacks) Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('a plain IKey as the parameter key: SSM-scoped use in the handler managed policy', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    new EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/app/db/password', value: SecureStringValue.generated() });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(handlerPolicyStatements(template)).toContainEqual({
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Resource: key.keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': PARAM_ARN } },
    });
  });

  test('too many parameters for one handler policy is a synth error, not a failed deployment', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    for (let i = 0; i < 40; i++) {
      new EncryptedSecureStringParam(stack, `P${i}`, { key, parameterName: `/app/${'x'.repeat(100)}/p${i}`, value: SecureStringValue.generated() });
    }
    expect(() => Template.fromStack(stack)).toThrow(/The permissions of TestStack\/KmsGovernanceSecureStringHandler need about \d+ characters; IAM allows 6144 in a managed policy/);
  });

  test('dozens of parameters under one key fit in one handler policy and one key policy', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    for (let i = 0; i < 60; i++) new EncryptedSecureStringParam(stack, `P${i}`, { key, parameterName: `/app/param-${i}`, value: SecureStringValue.generated() });
    const template = Template.fromStack(stack);
    expect(keyPolicyStatements(template, stack.getLogicalId(key.cfnKey)).map((s) => s.Sid)).toEqual(['KeyRootAdministration', 'DenyGrantsNotForAwsResources', 'SecureStringParameter']);
  });
});

describe('EncryptedSecureStringParam grantRead', () => {
  test('Decrypt through SSM for this parameter in the key policy, GetParameter in the grantee policy', () => {
    // GIVEN
    const { stack, param, keyId } = paramStack();
    const app = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    const grant = param.grantRead(app);
    // THEN
    expect(grant.success).toBe(true);
    const template = Template.fromStack(stack);
    expect(statementBySid(template, 'SecureStringRead', keyId)).toEqual({
      Sid: 'SecureStringRead',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [stack.getLogicalId(app.node.defaultChild as iam.CfnRole), 'Arn'] } },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': PARAM_ARN } },
    });
    // The read permission is a customer managed policy on the grantee, never an inline policy.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: stack.getLogicalId(app.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [{ Action: ['ssm:GetParameter', 'ssm:GetParameters'], Effect: 'Allow', Resource: PARAM_ARN }] },
    });
  });

  test('a plain IKey: the scoped Decrypt goes into the grantee policy', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const param = new EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/app/db/password', value: SecureStringValue.generated() });
    const user = new iam.User(stack, 'Reader');
    param.grantRead(user);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Users: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Resource: key.keyArn,
          Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': PARAM_ARN } },
        }]),
      },
    });
  });
});

describe('EncryptedSecureStringParam tokens', () => {
  test('unresolved props are not validated; a token name gets a CloudFormation-computed ARN', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const param = new EncryptedSecureStringParam(stack, 'Param', {
      key,
      parameterName: name,
      description: new CfnParameter(stack, 'Description').valueAsString,
      value: SecureStringValue.generated({ length: Token.asNumber(new CfnParameter(stack, 'Length', { type: 'Number' }).valueAsNumber) }),
    });
    new EncryptedSecureStringParam(stack, 'Imported', {
      key,
      parameterName: `/app/${name}`,
      value: SecureStringValue.fromCiphertext(new CfnParameter(stack, 'Ciphertext').valueAsString, { encryptionContext: { purpose: name } }),
    });
    const template = Template.fromStack(stack);
    expect(stack.resolve(param.parameterArn)).toEqual({
      'Fn::Join': ['parameter/', { 'Fn::Split': ['parameter//', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter/', { Ref: 'Name' }]] }] }],
    });
    expect(Object.values<any>(template.findResources(SECURE_STRING_RESOURCE_TYPE)).map((r) => r.Properties.ValueSource.Kind).sort()).toEqual(['ciphertext', 'generated']);
  });
});

describe('EncryptedSecureStringParam bad input', () => {
  const BASE64 = Buffer.from('ciphertext').toString('base64');
  test.each<[string, () => Partial<EncryptedSecureStringParamProps>, RegExp]>([
    ['no key', () => ({ key: undefined }), /'key' is required.*Received: undefined/],
    ['no value', () => ({ value: undefined }), /'value' is required: a SecureStringValue.*Received: "undefined"/],
    ['an empty name', () => ({ parameterName: '' }), /'parameterName' must be between 1 and 2048 characters long. Received: "" \(0 characters\)/],
    ['a name over 2048 characters', () => ({ parameterName: `/${'a'.repeat(2048)}` }), /'parameterName' must be between 1 and 2048 characters long. Received: "\/a+…" \(2049 characters\)/],
    ['a name with a space', () => ({ parameterName: '/app/db password' }), /'parameterName' may contain only letters, digits and the characters _ . - \/. Received: "\/app\/db password"/],
    ['a hierarchical name without a leading slash', () => ({ parameterName: 'app/db' }), /'parameterName' must start with '\/' when it is hierarchical.*Received: "app\/db"/],
    ['a name starting with aws', () => ({ parameterName: '/aws/reserved' }), /'parameterName' must not begin with 'aws' or 'ssm'.*Received: "\/aws\/reserved"/],
    ['a name starting with SSM', () => ({ parameterName: 'SSMthing' }), /'parameterName' must not begin with 'aws' or 'ssm'.*Received: "SSMthing"/],
    ['16 levels', () => ({ parameterName: '/l'.repeat(16) }), /'parameterName' must have at most 15 levels. Received: "(\/l){16}" \(16 levels\)/],
    ['a description over 1024 characters', () => ({ description: 'd'.repeat(1025) }), /'description' must be at most 1024 characters. Received: "d+…" \(1025 characters\)/],
    ['an unknown tier', () => ({ tier: 'Premium' as ssm.ParameterTier }), /'tier' must be one of Standard, Advanced, Intelligent-Tiering. Received: "Premium"/],
    ['removalPolicy SNAPSHOT', () => ({ removalPolicy: RemovalPolicy.SNAPSHOT }), /'removalPolicy' must be RETAIN or DESTROY.*Received: "snapshot"/],
    ['a generated value too long for STANDARD', () => ({ value: SecureStringValue.generated({ length: 5000 }) }), /'length' must be at most 4096 characters for the Standard tier. Received: 5000/],
  ])('%s', (_name, props, message) => {
    expect(() => paramStack(props())).toThrow(message);
  });

  test.each<[string, () => SecureStringValue, RegExp]>([
    ['length 0', () => SecureStringValue.generated({ length: 0 }), /'length' must be a whole number between 1 and 8192 characters. Received: 0/],
    ['length 8193', () => SecureStringValue.generated({ length: 8193 }), /'length' must be a whole number between 1 and 8192 characters. Received: 8193/],
    ['a fractional length', () => SecureStringValue.generated({ length: 12.5 }), /'length' must be a whole number between 1 and 8192 characters. Received: 12.5/],
    [
      'excluding every character',
      () => SecureStringValue.generated({ excludePunctuation: true, excludeCharacters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' }),
      /'excludeCharacters' must leave at least one printable ASCII character to generate from \(punctuation is excluded too\). Received: "abc/,
    ],
    ['no ciphertext', () => SecureStringValue.fromCiphertext(undefined as any), /'ciphertext' is required: base64 KMS ciphertext. Received: undefined/],
    ['an empty ciphertext', () => SecureStringValue.fromCiphertext(''), /'ciphertext' must be between 1 and 8192 characters long. Received: ""/],
    ['a ciphertext that is not base64', () => SecureStringValue.fromCiphertext('not base64!'), /'ciphertext' must be base64 KMS ciphertext. Received: "not base64!"/],
    ['an empty encryption-context key', () => SecureStringValue.fromCiphertext(BASE64, { encryptionContext: { '': 'x' } }), /'encryptionContext' keys must not be empty. Received: ""/],
    ['an empty encryption-context value', () => SecureStringValue.fromCiphertext(BASE64, { encryptionContext: { purpose: '' } }), /'encryptionContext' values must be non-empty strings. Received: "" for key "purpose"/],
    ['no secret', () => SecureStringValue.fromSecret(undefined as any), /'secret' is required.*Received: undefined/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  test('an empty jsonField', () => {
    const { stack } = newStack();
    const secret = new secretsmanager.Secret(stack, 'Secret');
    expect(() => SecureStringValue.fromSecret(secret, '')).toThrow(/'jsonField' must be between 1 and 1024 characters long. Received: "" \(0 characters\)/);
  });

  test('an asymmetric key', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Rsa', { alias: 'rsa', keySpec: kms.KeySpec.RSA_3072, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    expect(() => new EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/p', value: SecureStringValue.generated() }))
      .toThrow(/'key' must be a symmetric encryption key: Parameter Store supports no other. Received: TestStack\/Rsa \(RSA_3072, ENCRYPT_DECRYPT\)/);
  });

  test('the owner tag key is the one the handler uses', () => {
    expect(OWNER_TAG_KEY).toBe('cdk-kms-governance:owner');
  });
});

/**
 * What the synthesized key policy and identity policies really allow (iam-simulate).
 */
describe('EncryptedSecureStringParam policy behaviour', () => {
  const app = new App();
  const stack = new Stack(app, 'Params', { env: TEST_ENV });
  const key = new ManagedCmk(stack, 'Key', { alias: 'app/config' });
  const db = new EncryptedSecureStringParam(stack, 'Db', { key, parameterName: '/app/db/password', value: SecureStringValue.generated() });
  new EncryptedSecureStringParam(stack, 'Api', { key, parameterName: '/app/api/token', value: SecureStringValue.generated() });
  db.grantRead(new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
  const sim = PolicySimulator.fromStacks(stack);
  const keyArn = sim.keyArn('Key');
  const handler = sim.roleArn('KmsGovernanceSecureStringHandler/Role');
  const dbArn = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/db/password';
  const apiArn = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/api/token';
  const viaSsm = (parameterArn: string) => ({ 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': parameterArn });

  test('the handler encrypts and decrypts through SSM for its parameters, never directly', async () => {
    for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']) {
      expect(await sim.decide({ principal: handler, action, resource: keyArn, context: viaSsm(dbArn) })).toBe('Allowed');
      expect(await sim.decide({ principal: handler, action, resource: keyArn, context: viaSsm(apiArn) })).toBe('Allowed');
      expect(await sim.decide({ principal: handler, action, resource: keyArn, context: viaSsm('arn:aws:ssm:us-east-1:123456789012:parameter/other') })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ principal: handler, action, resource: keyArn, context: { 'kms:EncryptionContext:PARAMETER_ARN': dbArn } })).toBe('ImplicitlyDenied');
    }
  });

  test('the handler manages its parameters and no other', async () => {
    for (const action of ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParameter']) {
      expect(await sim.decide({ principal: handler, action, resource: dbArn })).toBe('Allowed');
      expect(await sim.decide({ principal: handler, action, resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/other' })).toBe('ImplicitlyDenied');
    }
  });

  test('a reader reads and decrypts its parameter only, only through SSM', async () => {
    const reader = sim.roleArn('Reader');
    expect(await sim.decide({ principal: reader, action: 'ssm:GetParameter', resource: dbArn })).toBe('Allowed');
    expect(await sim.decide({ principal: reader, action: 'ssm:GetParameter', resource: apiArn })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ principal: reader, action: 'kms:Decrypt', resource: keyArn, context: viaSsm(dbArn) })).toBe('Allowed');
    expect(await sim.decide({ principal: reader, action: 'kms:Decrypt', resource: keyArn, context: viaSsm(apiArn) })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ principal: reader, action: 'kms:Decrypt', resource: keyArn, context: {} })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ principal: reader, action: 'kms:Encrypt', resource: keyArn, context: viaSsm(dbArn) })).toBe('ImplicitlyDenied');
  });
});
