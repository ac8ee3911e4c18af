import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataKeyPairSpec, KeyHealthCanary, ManagedCmk } from '../src';
import { TEST_ENV, keyPolicyStatements, newStack, statementBySid, unacknowledged } from './support';
import { CANARY_CONTEXT_KEY, CANARY_CONTEXT_VALUE, CanaryEnv } from '../src/private/contracts/key-health-canary.contract';

/**
 * The CANARY_KEYS value of the canary function, parsed: each `{ Ref: <logical id> }` of the
 * Fn::Join becomes the string `ref:<logical id>`.
 */
function canaryKeys(template: Template): any[] {
  const fns = Object.values<any>(template.findResources('AWS::Lambda::Function'));
  expect(fns).toHaveLength(1);
  const value = fns[0].Properties.Environment.Variables[CanaryEnv.KEYS];
  const parts: any[] = typeof value === 'string' ? [value] : value['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `ref:${p.Ref}`)).join(''));
}

function resourceCount(stack: Stack): number {
  return Object.keys(Template.fromStack(stack).toJSON().Resources).length;
}

function canaryStack(keyProps: Partial<ConstructorParameters<typeof ManagedCmk>[2]> = {}) {
  const { app, stack } = newStack();
  const key = new ManagedCmk(stack, 'Cmk', { alias: 'app/data', ...keyProps });
  const canary = new KeyHealthCanary(stack, 'Canary', { key });
  return { app, stack, key, canary, template: Template.fromStack(stack) };
}

describe('KeyHealthCanary defaults', () => {
  const { stack, template, key } = canaryStack();
  const keyId = stack.getLogicalId(key.cfnKey);

  test('a hardened function on the latest Node.js runtime', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
      ReservedConcurrentExecutions: 1,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CanaryProbeDeadLetters'), 'Arn'] } },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: Match.stringLikeRegexp('^CanaryProbeLogs') } },
      Environment: {
        Variables: {
          [CanaryEnv.KEYS]: Match.anyValue(),
          [CanaryEnv.METRIC_NAMESPACE]: 'CdkKmsGovernance/KeyHealth',
        },
      },
    });
    expect(canaryKeys(template)).toEqual([{ spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', keyIds: [`ref:${keyId}`] }]);
  });

  test('its own log group, encrypted with the operational key and kept for a year', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KmsGovernanceOperationalKey'), 'Arn'] } },
    });
  });

  test('an encrypted, SSL-only dead-letter queue, also for undeliverable schedule events', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KmsGovernanceOperationalKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 }, DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
  });

  test('permissions only through a customer managed policy; no inline or AWS managed policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain(':iam::aws:policy/');
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
          Match.objectLike({ Action: 'sqs:SendMessage' }),
          { Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkKmsGovernance/KeyHealth' } } },
        ]),
      },
    });
  });

  test('the key policy lets the canary use the key only with its encryption context, and describe it', () => {
    const st = statementBySid(template, 'KeyHealthCanary', keyId);
    expect(st).toMatchObject({
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { [`kms:EncryptionContext:${CANARY_CONTEXT_KEY}`]: CANARY_CONTEXT_VALUE } },
      Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^CanaryProbeRole/), 'Arn'] } },
    });
    // and nothing else in the monitored key's policy
    const describeStatement = statementBySid(template, 'KeyHealthCanaryDescribe', keyId);
    expect(describeStatement.Action).toBe('kms:DescribeKey');
    expect(describeStatement.Condition).toBeUndefined();
    expect(keyPolicyStatements(template, keyId).map((s) => s.Sid)).toEqual(['KeyRootAdministration', 'DenyGrantsNotForAwsResources', 'KeyHealthCanary', 'KeyHealthCanaryDescribe']);
  });

  test('an alarm on a failed run or on missing data, notifying an encrypted topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkKmsGovernance/KeyHealth',
      MetricName: 'KeyHealthy',
      Dimensions: [{ Name: 'KeyId', Value: { Ref: keyId } }],
      Statistic: 'Minimum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^KmsGovernanceAlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^KmsGovernanceAlarmTopic') }],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KmsGovernanceOperationalKey'), 'Arn'] } });
    const opKey = Object.keys(template.findResources('AWS::KMS::Key')).find((k) => k.startsWith('KmsGovernanceOperationalKey'))!;
    expect(statementBySid(template, 'CloudWatchAlarms', opKey)).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
  });

  test('zero unacknowledged findings from the cdk-nag packs', () => {
    expect(unacknowledged(stack)).toEqual([]);
  });
});

describe('KeyHealthCanary props and usages', () => {
  test.each([
    [kms.KeySpec.ECC_NIST_P256, undefined, ['kms:Sign', 'kms:Verify']],
    [kms.KeySpec.HMAC_256, undefined, ['kms:GenerateMac', 'kms:VerifyMac']],
    [kms.KeySpec.RSA_3072, kms.KeyUsage.ENCRYPT_DECRYPT, ['kms:Decrypt', 'kms:Encrypt']],
  ])('a %s key: the canary gets %s, without an encryption-context condition', (keySpec, keyUsage, actions) => {
    const { template, stack, key } = canaryStack({ keySpec, keyUsage });
    const st = statementBySid(template, 'KeyHealthCanary', stack.getLogicalId(key.cfnKey));
    expect(st.Action).toEqual(actions);
    expect(st.Condition).toBeUndefined();
  });

  test('interval, namespace and topic are honoured', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    const topic = new sns.Topic(stack, 'Pager', { enforceSSL: true, masterKey: key });
    new KeyHealthCanary(stack, 'Canary', { key, interval: Duration.minutes(15), metricNamespace: 'Acme/Keys', alarmTopic: topic });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Acme/Keys', Period: 900, AlarmActions: [{ Ref: Match.stringLikeRegexp('^Pager') }] });
    expect(Object.keys(t.findResources('AWS::SNS::Topic'))).toEqual([expect.stringMatching(/^Pager/)]);
  });

  test('canaries in one stack share the operational key and the alarm topic', () => {
    const { stack } = newStack();
    for (const name of ['A', 'B', 'C']) new KeyHealthCanary(stack, `Canary${name}`, { key: new ManagedCmk(stack, name, { alias: name }) });
    const t = Template.fromStack(stack);
    expect(Object.keys(t.findResources('AWS::KMS::Key'))).toHaveLength(4);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.resourceCountIs('AWS::Lambda::Function', 3);
    const opKey = Object.keys(t.findResources('AWS::KMS::Key')).find((k) => k.startsWith('KmsGovernanceOperationalKey'))!;
    expect(keyPolicyStatements(t, opKey).filter((s) => s.Sid.startsWith('CloudWatchLogs'))).toHaveLength(1);
  });
});

describe('KeyHealthCanary bad input', () => {
  test.each<[string, any, RegExp]>([
    ['no key', { key: undefined }, /'key' is required/],
    ['an interval under a minute', { interval: Duration.seconds(30) }, /'interval' must be between 1 minute and 1 day. Received: 30 seconds/],
    ['an interval over a day', { interval: Duration.days(2) }, /'interval' must be between 1 minute and 1 day. Received: 2 days/],
    ['an interval of 90 seconds', { interval: Duration.seconds(90) }, /'interval' must be a whole number of minutes. Received: 1 minute 30 seconds/],
    ['an AWS namespace', { metricNamespace: 'AWS/KMS' }, /'metricNamespace' must not start with 'AWS\/'.* Received: "AWS\/KMS"/],
    ['a namespace with spaces', { metricNamespace: 'my keys' }, /'metricNamespace' must be 1–255 characters .* Received: "my keys"/],
  ])('%s', (_name, props, message) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    expect(() => new KeyHealthCanary(stack, 'Canary', { key, ...props })).toThrow(message);
  });

  test.each<[string, (stack: Stack, key: ManagedCmk) => void, RegExp]>([
    ['no key at all', (stack) => new KeyHealthCanary(stack, 'Canary', {}), /'key' is required \(or 'keys'\): the ManagedCmk the canary probes. Received: undefined/],
    ['an empty keys list', (stack) => new KeyHealthCanary(stack, 'Canary', { keys: [] }), /'key' is required \(or 'keys'\)/],
    ['a keys entry without a key', (stack) => new KeyHealthCanary(stack, 'Canary', { keys: [{ key: undefined as any }] }), /'keys\[0\]' must be a ManagedCmk \(or another library key\) to probe. Received: undefined/],
    ['the same key in key and keys', (stack, key) => new KeyHealthCanary(stack, 'Canary', { key, keys: [{ key }] }),
      /'keys\[0\]' must not be a key the canary already probes: TestStack\/Canary probes TestStack\/Cmk once. Received: TestStack\/Cmk twice/],
    ['the same key twice in keys', (stack, key) => new KeyHealthCanary(stack, 'Canary', { keys: [{ key }, { key: new ManagedCmk(stack, 'Other', { alias: 'o' }) }, { key }] }),
      /'keys\[2\]' must not be a key the canary already probes: .* Received: TestStack\/Cmk twice/],
    ['the same key added twice', (stack, key) => new KeyHealthCanary(stack, 'Canary', { key }).addKey(key), /'key' must not be a key the canary already probes: .* Received: TestStack\/Cmk twice/],
    ['dataKeyPair without key', (stack, key) => new KeyHealthCanary(stack, 'Canary', { keys: [{ key }], dataKeyPair: DataKeyPairSpec.RSA_2048 }),
      /'dataKeyPair' applies to 'key', which is not set: give it in the 'keys' entry instead. Received: RSA_2048/],
    ['dataKeyPair that KMS does not know', (stack, key) => new KeyHealthCanary(stack, 'Canary', { key, dataKeyPair: 'RSA_1024' as any }),
      /'dataKeyPair' must be one of RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1. Received: RSA_1024/],
    ['dataKeyPair on a signing key', (stack) => new KeyHealthCanary(stack, 'Canary', {
      key: new ManagedCmk(stack, 'Signer', { alias: 's', keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY }),
      dataKeyPair: DataKeyPairSpec.ECC_NIST_P256,
    }), /'dataKeyPair' applies to symmetric encryption keys only .* Received: ECC_NIST_P256 for TestStack\/Signer \(a ECC_NIST_P256 SIGN_VERIFY key\)/],
    ['dataKeyPair on an HMAC key, added later', (stack, key) => new KeyHealthCanary(stack, 'Canary', { key })
      .addKey(new ManagedCmk(stack, 'Mac', { alias: 'm', keySpec: kms.KeySpec.HMAC_256 }), { dataKeyPair: DataKeyPairSpec.RSA_2048 }),
    /'dataKeyPair' applies to symmetric encryption keys only .* Received: RSA_2048 for TestStack\/Mac \(a HMAC_256 GENERATE_VERIFY_MAC key\)/],
    ['a key of another Region', (stack, key) => {
      const other = new Stack(stack.node.root as any, 'Europe', { env: { account: TEST_ENV.account, region: 'eu-west-1' } });
      new KeyHealthCanary(stack, 'Canary', { key }).addKey(new ManagedCmk(other, 'Far', { alias: 'far' }));
    }, /'key' must be a key in the canary's Region \(us-east-1\): the canary calls KMS in its own account and Region; give that key a canary of its own there. Received: Europe\/Far in eu-west-1/],
    ['a key of another account', (stack, key) => {
      const other = new Stack(stack.node.root as any, 'Partner', { env: { account: '210987654321', region: TEST_ENV.region } });
      new KeyHealthCanary(stack, 'Canary', { keys: [{ key }, { key: new ManagedCmk(other, 'Theirs', { alias: 'theirs' }) }] });
    }, /'keys\[1\]' must be a key in the canary's account \(123456789012\).* Received: Partner\/Theirs in 210987654321/],
  ])('%s', (_name, build, message) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    expect(() => build(stack, key)).toThrow(message);
  });

  test('more keys than the function environment holds: the first key that does not fit is named', () => {
    const { stack } = newStack();
    const keys = Array.from({ length: 110 }, (_, i) => ({ key: new ManagedCmk(stack, `Key${i}`, { alias: `k${i}` }) }));
    expect(() => new KeyHealthCanary(stack, 'Canary', { keys })).toThrow(
      /'keys\[101\]' is one key too many for one canary: the function's environment would be about 4\d{3} bytes, over Lambda's 4096-byte limit \(101 keys fit\). Probe the rest with another KeyHealthCanary. Received: TestStack\/Key101/);
    // and 101 keys synthesize
    const { stack: fits } = newStack('Fits');
    const fitting = Array.from({ length: 101 }, (_, i) => ({ key: new ManagedCmk(fits, `Key${i}`, { alias: `k${i}` }) }));
    new KeyHealthCanary(fits, 'Canary', { keys: fitting });
    expect(canaryKeys(Template.fromStack(fits))[0].keyIds).toHaveLength(101);
  });
});

describe('KeyHealthCanary with several keys', () => {
  function build(count: number, withCanary = true) {
    const { stack } = newStack();
    const keys = Array.from({ length: count }, (_, i) => new ManagedCmk(stack, `Key${i}`, { alias: `k${i}` }));
    const canary = withCanary ? new KeyHealthCanary(stack, 'Canary', { key: keys[0], keys: keys.slice(1).map((key) => ({ key })) }) : undefined;
    return { stack, keys, canary: canary! };
  }
  /** Resources the canary adds to a stack of `count` keys: measured by synthesizing both. */
  const added = (count: number) => resourceCount(build(count).stack) - resourceCount(build(count, false).stack);

  test('one function for every key; each further key adds one resource (its alarm)', () => {
    const counts = [1, 2, 3, 10].map(added);
    // 13 for the first key (9 + the stack's operational key and alarm topic, 2 each), then 1 per key
    expect(counts).toEqual([13, 14, 15, 22]);
    const { stack } = build(3);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Lambda::Function', 1);
    t.resourceCountIs('AWS::Events::Rule', 1);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  test('each key\'s policy lets the one canary role use it only with the canary\'s encryption context', () => {
    const { stack, keys } = build(3);
    const t = Template.fromStack(stack);
    const roles = new Set<string>();
    for (const key of keys) {
      const keyId = stack.getLogicalId(key.cfnKey);
      const st = statementBySid(t, 'KeyHealthCanary', keyId);
      expect(st).toMatchObject({
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { [`kms:EncryptionContext:${CANARY_CONTEXT_KEY}`]: CANARY_CONTEXT_VALUE } },
      });
      roles.add(JSON.stringify(st.Principal));
      expect(keyPolicyStatements(t, keyId).map((s) => s.Sid)).toEqual(['KeyRootAdministration', 'DenyGrantsNotForAwsResources', 'KeyHealthCanary', 'KeyHealthCanaryDescribe']);
    }
    expect([...roles]).toEqual([expect.stringMatching(/^\{"AWS":\{"Fn::GetAtt":\["CanaryProbeRole[0-9A-F]{8}","Arn"\]\}\}$/)]);
  });

  test('one alarm per key, with the key as the metric dimension; the first keeps the single-key logical ID', () => {
    const { stack, keys, canary } = build(3);
    const t = Template.fromStack(stack);
    const alarms = t.findResources('AWS::CloudWatch::Alarm');
    const byDimension = Object.fromEntries(Object.entries<any>(alarms).map(([id, a]) => [a.Properties.Dimensions[0].Value.Ref, id]));
    const first = stack.getLogicalId(keys[0].cfnKey);
    expect(Object.keys(byDimension).sort()).toEqual(keys.map((k) => stack.getLogicalId(k.cfnKey)).sort());
    expect(byDimension[first]).toMatch(/^CanaryUnhealthy[0-9A-F]{8}$/);
    expect(byDimension[stack.getLogicalId(keys[1].cfnKey)]).toMatch(/^CanaryUnhealthyTestStackKey1/);
    expect(canary.alarm).toBe(canary.alarmFor(keys[0]));
    expect(stack.resolve(canary.metricFor(keys[2]).dimensions)).toEqual({ KeyId: { Ref: stack.getLogicalId(keys[2].cfnKey) } });
    expect(canary.keys).toEqual(keys);
    expect(() => canary.alarmFor(new ManagedCmk(stack, 'Stranger', { alias: 'x' }))).toThrow(/'key' is not probed by TestStack\/Canary. Received: TestStack\/Stranger/);
  });

  test('keys added after construction are in the environment, and the timeout grows with the keys', () => {
    const { stack } = newStack();
    const a = new ManagedCmk(stack, 'A', { alias: 'a' });
    const canary = new KeyHealthCanary(stack, 'Canary', { key: a });
    const b = new ManagedCmk(stack, 'B', { alias: 'b', keySpec: kms.KeySpec.HMAC_256 });
    const c = new ManagedCmk(stack, 'C', { alias: 'c' });
    const alarm = canary.addKey(b);
    canary.addKey(c, { dataKeyPair: DataKeyPairSpec.ECC_NIST_P256 });
    const t = Template.fromStack(stack);
    expect(alarm).toBe(canary.alarmFor(b));
    expect(canaryKeys(t)).toEqual([
      { spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', keyIds: [`ref:${stack.getLogicalId(a.cfnKey)}`] },
      { spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC', keyIds: [`ref:${stack.getLogicalId(b.cfnKey)}`] },
      { spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', dataKeyPair: 'ECC_NIST_P256', keyIds: [`ref:${stack.getLogicalId(c.cfnKey)}`] },
    ]);
    t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 40, Description: 'Key health canary for TestStack/A and 2 more keys (cdk-kms-governance)' });
    t.hasResourceProperties('AWS::Events::Rule', { Description: 'Runs the key health canary for TestStack/A and 2 more keys' });
  });

  test('a single-key canary keeps its 30-second timeout and description', () => {
    const { stack } = build(1);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Timeout: 30, Description: 'Key health canary for TestStack/Key0 (cdk-kms-governance)' });
  });

  test('keys of another stack (same account and Region) are probed through cross-stack references', () => {
    const { app, stack } = newStack('Keys');
    const key = new ManagedCmk(stack, 'Shared', { alias: 'shared' });
    const apps = new Stack(app, 'Apps', { env: TEST_ENV });
    const own = new ManagedCmk(apps, 'Own', { alias: 'own' });
    new KeyHealthCanary(apps, 'Canary', { key: own, keys: [{ key }] });
    const keys = canaryKeys(Template.fromStack(apps));
    expect(keys[0].keyIds).toHaveLength(2);
  });
});

describe('KeyHealthCanary probes by key capability', () => {
  test('a data-key-pair probe: GenerateDataKeyPair in its own statement, for the pair spec and the canary\'s context only', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k' });
    new KeyHealthCanary(stack, 'Canary', { key, dataKeyPair: DataKeyPairSpec.RSA_3072 });
    const t = Template.fromStack(stack);
    const keyId = stack.getLogicalId(key.cfnKey);
    expect(statementBySid(t, 'KeyHealthCanaryDataKeyPair', keyId)).toMatchObject({
      Action: 'kms:GenerateDataKeyPair',
      Condition: { StringEquals: { [`kms:EncryptionContext:${CANARY_CONTEXT_KEY}`]: CANARY_CONTEXT_VALUE, 'kms:DataKeyPairSpec': 'RSA_3072' } },
      Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^CanaryProbeRole/), 'Arn'] } },
    });
    // the encrypted private key is decrypted under the main statement (Decrypt with the context)
    expect(statementBySid(t, 'KeyHealthCanary', keyId).Action).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
    expect(keyPolicyStatements(t, keyId).map((s) => s.Sid)).toEqual(['KeyRootAdministration', 'DenyGrantsNotForAwsResources', 'KeyHealthCanary', 'KeyHealthCanaryDataKeyPair', 'KeyHealthCanaryDescribe']);
    expect(canaryKeys(t)).toEqual([{ spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', dataKeyPair: 'RSA_3072', keyIds: [`ref:${keyId}`] }]);
    expect(JSON.stringify(t.toJSON())).not.toContain('GenerateDataKeyPairWithoutPlaintext');
  });

  test.each([kms.KeySpec.ECC_NIST_P256, kms.KeySpec.ECC_NIST_P384, kms.KeySpec.ECC_NIST_P521])('a %s key-agreement key: DeriveSharedSecret with ECDH only, GetPublicKey with DescribeKey', (keySpec) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Agree', { alias: 'a', keySpec, keyUsage: kms.KeyUsage.KEY_AGREEMENT });
    new KeyHealthCanary(stack, 'Canary', { key });
    const t = Template.fromStack(stack);
    const keyId = stack.getLogicalId(key.cfnKey);
    // DeriveSharedSecret supports no encryption context: limited to the algorithm the canary uses
    expect(statementBySid(t, 'KeyHealthCanary', keyId)).toMatchObject({ Action: 'kms:DeriveSharedSecret', Condition: { StringEquals: { 'kms:KeyAgreementAlgorithm': 'ECDH' } } });
    // DescribeKey and GetPublicKey take neither: public information, no condition
    const describe = statementBySid(t, 'KeyHealthCanaryDescribe', keyId);
    expect(describe.Action).toEqual(['kms:DescribeKey', 'kms:GetPublicKey']);
    expect(describe.Condition).toBeUndefined();
    expect(canaryKeys(t)).toEqual([{ spec: keySpec, usage: 'KEY_AGREEMENT', keyIds: [`ref:${keyId}`] }]);
  });

  test('a key-agreement key on a curve the canary cannot derive on is refused, naming the key', () => {
    const { stack } = newStack();
    const fake = new ManagedCmk(stack, 'Agree', { alias: 'a', keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.KEY_AGREEMENT });
    Object.defineProperty(fake, 'keySpec', { value: kms.KeySpec.SM2 });
    expect(() => new KeyHealthCanary(stack, 'Canary', { key: fake })).toThrow(
      /'key' must be a key-agreement key on a NIST curve \(ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521\): the canary derives the shared secret again locally. Received: TestStack\/Agree \(SM2\)/);
  });

  test('zero unacknowledged findings for a canary of every key capability', () => {
    const { stack } = newStack();
    const canary = new KeyHealthCanary(stack, 'Canary', { key: new ManagedCmk(stack, 'Sym', { alias: 'sym' }), dataKeyPair: DataKeyPairSpec.ECC_NIST_P384 });
    canary.addKey(new ManagedCmk(stack, 'Agree', { alias: 'agree', keySpec: kms.KeySpec.ECC_NIST_P384, keyUsage: kms.KeyUsage.KEY_AGREEMENT }));
    canary.addKey(new ManagedCmk(stack, 'Sign', { alias: 'sign', keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY }));
    canary.addKey(new ManagedCmk(stack, 'Mac', { alias: 'mac', keySpec: kms.KeySpec.HMAC_384 }));
    expect(unacknowledged(stack)).toEqual([]);
  });
});
