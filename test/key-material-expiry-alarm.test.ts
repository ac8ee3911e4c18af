import { Duration, Lazy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { KeyMaterialExpiryAlarm, KeyMaterialOrigin, ManagedCmk } from '../src';
import { newStack, unacknowledged } from './support';

const EXTERNAL = { alias: 'byok', keyMaterialOrigin: KeyMaterialOrigin.EXTERNAL };

describe('KeyMaterialExpiryAlarm defaults', () => {
  // GIVEN an EXTERNAL key and its expiry alarm with defaults
  const { app, stack } = newStack();
  const key = new ManagedCmk(stack, 'Cmk', EXTERNAL);
  const expiry = new KeyMaterialExpiryAlarm(stack, 'Expiry', { key });
  const template = Template.fromStack(stack);
  const keyId = stack.resolve(key.keyId);
  const keyArn = stack.resolve(key.keyArn);
  const topicRef = stack.resolve(expiry.alarmTopic.topicArn);

  test('an alarm on SecondsUntilKeyMaterialExpiration of this key, 30 days ahead, notifying the topic on alarm and OK', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/KMS',
      MetricName: 'SecondsUntilKeyMaterialExpiration',
      Dimensions: [{ Name: 'KeyId', Value: keyId }],
      Statistic: 'Minimum',
      Period: 3600,
      Threshold: 30 * 86400,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  test('a rule for this key\'s "KMS Imported Key Material Expiration" event to the topic, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.kms'], 'detail-type': ['KMS Imported Key Material Expiration'], 'resources': [keyArn] },
      Targets: [Match.objectLike({ Arn: topicRef, DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: { MaximumRetryAttempts: 3 } })],
    });
  });

  test('the default topic is the library\'s alarm topic, encrypted with the operational key', () => {
    expect(expiry.alarmTopic).toBeInstanceOf(sns.Topic);
    expect((expiry.alarmTopic as sns.Topic).masterKey?.node.id).toBe('KmsGovernanceOperationalKey');
  });

  test('every statement for a service principal (topic, queue, keys) carries source conditions', () => {
    const json = template.toJSON();
    const statements = Object.values<any>(json.Resources)
      .filter((r) => ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy', 'AWS::KMS::Key'].includes(r.Type))
      .flatMap((r) => (r.Properties.PolicyDocument ?? r.Properties.KeyPolicy).Statement);
    const forServices = statements.filter((s: any) => s.Effect === 'Allow' && s.Principal?.Service);
    expect(forServices.length).toBeGreaterThanOrEqual(4);
    for (const s of forServices) {
      const keys = Object.values<any>(s.Condition ?? {}).flatMap((c) => Object.keys(c));
      expect(keys.some((k) => /^aws:Source(Account|Arn)$|^kms:EncryptionContext:/.test(k))).toBe(true);
    }
    // EventBridge may publish to the topic and dead-letter into the queue only from this rule.
    const ruleArn = { 'Fn::GetAtt': [stack.getLogicalId(expiry.rule.node.defaultChild as any), 'Arn'] };
    for (const type of ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy']) {
      const fromEvents = Object.values<any>(json.Resources).filter((r) => r.Type === type)
        .flatMap((r) => r.Properties.PolicyDocument.Statement).filter((s: any) => s.Principal?.Service === 'events.amazonaws.com');
      expect(fromEvents).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnEquals: { 'aws:SourceArn': ruleArn } } })]);
    }
  });

  test('no unacknowledged finding on what the alarm creates (the key has its three rotation findings, see ManagedCmk)', () => {
    app.synth();
    expect(unacknowledged(stack)).toEqual([
      'AwsSolutions-KMS5 on TestStack/Cmk/Resource',
      'NIST.800.53.R5-KMSBackingKeyRotationEnabled on TestStack/Cmk/Resource',
      'PCI.DSS.321-KMSBackingKeyRotationEnabled on TestStack/Cmk/Resource',
    ]);
  });
});

describe('KeyMaterialExpiryAlarm props', () => {
  test('warningPeriod and a topic of the app', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Cmk', EXTERNAL);
    const topic = new sns.Topic(stack, 'Mine', { masterKey: key, enforceSSL: true });
    new KeyMaterialExpiryAlarm(stack, 'Expiry', { key, warningPeriod: Duration.days(7), alarmTopic: topic });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 7 * 86400, AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as any) }] });
    // The user's topic gets EventBridge's publish statement (limited to the rule); its key lets EventBridge use it.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Condition: Match.objectLike({ ArnEquals: Match.anyValue() }) })]) },
    });
  });

  test('a key the library does not manage is watched as given', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new KeyMaterialExpiryAlarm(stack, 'Expiry', { key });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'KeyId', Value: '1234abcd-12ab-34cd-56ef-1234567890ab' }] });
  });

  test('an unresolved warningPeriod is not validated, and reaches the threshold', () => {
    const { stack } = newStack();
    // Not a CfnParameter: the service-use scan (private/key-policy/service-use.ts) fails on an alarm whose Threshold is a Ref today.
    const seconds = Lazy.number({ produce: () => 5 * 86400 });
    new KeyMaterialExpiryAlarm(stack, 'Expiry', { key: new ManagedCmk(stack, 'Cmk', EXTERNAL), warningPeriod: Duration.seconds(seconds) });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 5 * 86400 });
  });
});

describe('KeyMaterialExpiryAlarm bad input gets a clear error naming the prop and the value', () => {
  test.each<[string, Duration, RegExp]>([
    ['zero days', Duration.days(0), /'warningPeriod' must be a whole number of days between 1 and 365. Received: 0 days/],
    ['more than the longest validity', Duration.days(366), /'warningPeriod' must be a whole number of days between 1 and 365. Received: 366 days/],
    ['not whole days', Duration.hours(36), /'warningPeriod' must be a whole number of days between 1 and 365. Received: 1 day 12 hours/],
  ])('warningPeriod %s', (_name, warningPeriod, message) => {
    const { stack } = newStack();
    expect(() => new KeyMaterialExpiryAlarm(stack, 'Expiry', { key: new ManagedCmk(stack, 'Cmk', EXTERNAL), warningPeriod })).toThrow(message);
  });

  test('a key whose material is from AWS KMS', () => {
    const { stack } = newStack();
    expect(() => new KeyMaterialExpiryAlarm(stack, 'Expiry', { key: new ManagedCmk(stack, 'Cmk', { alias: 'aws-material' }) })).toThrow(
      /'key' must have imported key material \(keyMaterialOrigin: EXTERNAL\): material from AWS KMS never expires. Received: TestStack\/Cmk, keyMaterialOrigin AWS_KMS/);
  });

  test('no key', () => {
    const { stack } = newStack();
    expect(() => new KeyMaterialExpiryAlarm(stack, 'Expiry', {} as any)).toThrow(/'key' is required.* Received: undefined/);
  });
});
