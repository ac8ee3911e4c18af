import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { KeyHealthCanary, ManagedCmk } from '../src';
import { keyPolicyStatements, newStack, statementBySid, unacknowledged } from './support';
import { CANARY_CONTEXT_KEY, CANARY_CONTEXT_VALUE, CanaryEnv } from '../src/private/contracts/key-health-canary.contract';

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
          [CanaryEnv.KEY_ARN]: { 'Fn::GetAtt': [keyId, 'Arn'] },
          [CanaryEnv.KEY_SPEC]: 'SYMMETRIC_DEFAULT',
          [CanaryEnv.KEY_USAGE]: 'ENCRYPT_DECRYPT',
          [CanaryEnv.METRIC_NAMESPACE]: 'CdkKmsGovernance/KeyHealth',
        },
      },
    });
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

  test('a key-agreement key', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.KEY_AGREEMENT });
    expect(() => new KeyHealthCanary(stack, 'Canary', { key })).toThrow(/'key' must be an encryption, signing or HMAC key: the canary cannot probe a KEY_AGREEMENT key. Received: TestStack\/Cmk/);
  });
});
