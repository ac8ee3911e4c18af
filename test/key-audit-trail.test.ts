import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { KeyAuditorRole, KeyAuditTrail, ManagedCmk } from '../src';
import { newStack, statementBySid, unacknowledged } from './support';
import { CIS_4_7_KMS_PATTERN, PENDING_DELETION_USE_PATTERN } from '../src/private/audit-patterns';

describe('KeyAuditTrail defaults', () => {
  const { stack } = newStack();
  const audit = new KeyAuditTrail(stack, 'Audit');
  const template = Template.fromStack(stack);
  const keyId = stack.getLogicalId((audit.key as ManagedCmk).cfnKey);
  const trailArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:us-east-1:123456789012:trail/TestStack-Audit-71994A6E']] };

  test('a multi-Region trail with global events, all management events, validation, KMS and CloudWatch Logs', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'TestStack-Audit-71994A6E',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      S3BucketName: { Ref: Match.stringLikeRegexp('^AuditLogsBucket') },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditEvents'), 'Arn'] },
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditDelivery'), 'Arn'] },
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
      Tags: [{ Key: 'cdk-kms-governance:component', Value: 'key-audit-trail' }],
    });
    const trail = Object.values<any>(template.findResources('AWS::CloudTrail::Trail'))[0];
    expect(JSON.stringify(trail)).not.toContain('ExcludeManagementEventSources');
    expect(trail.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^AuditLogsBucketPolicy/), expect.stringMatching(/^AuditDeliveryPermissions/)]));
  });

  test('the key lets CloudTrail encrypt only for this trail', () => {
    expect(statementBySid(template, 'CloudTrailEncrypt', keyId)).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Condition: { StringEquals: { 'aws:SourceArn': trailArn, 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn } },
    });
    expect(statementBySid(template, 'CloudTrailDescribe', keyId)).toMatchObject({ Action: 'kms:DescribeKey', Condition: { StringEquals: { 'aws:SourceArn': trailArn } } });
  });

  test('the bucket lets CloudTrail check the ACL and write this account\'s logs, for this trail only', () => {
    const policy = Object.values<any>(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref.startsWith('AuditLogsBucket'));
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Sid: 'CloudTrailAclCheck', Action: 's3:GetBucketAcl', Condition: { StringEquals: { 'aws:SourceArn': trailArn } } }),
      expect.objectContaining({
        Sid: 'CloudTrailWrite',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^AuditLogsBucket/), 'Arn'] }, '/AWSLogs/123456789012/*']] },
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
      }),
    ]));
  });

  test('an encrypted log group kept for a year, fed through a role with a customer managed policy', () => {
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceArn': trailArn } } })] },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the CIS 4.7 metric filter, byte for byte, with its alarm: Sum over 300 s, threshold 1, one period, an SNS action', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }',
      MetricTransformations: [{ MetricNamespace: 'CdkKmsGovernance/Audit', MetricName: 'KeyDisabledOrScheduledForDeletion', MetricValue: '1' }],
    });
    expect(CIS_4_7_KMS_PATTERN).toBe('{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'KeyDisabledOrScheduledForDeletion',
      Namespace: 'CdkKmsGovernance/Audit',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^KmsGovernanceAlarmTopic') }],
    });
  });

  test('five alarms: disable/deletion, use pending deletion, key policy change, grants outside AWS resources, re-enabled/rotation off', () => {
    expect(Object.keys(audit.alarms).sort()).toEqual([
      'GrantOutsideAwsResources',
      'KeyDisabledOrScheduledForDeletion',
      'KeyPendingDeletionUsed',
      'KeyPolicyChanged',
      'KeyReenabledOrRotationOff',
    ]);
    template.resourceCountIs('AWS::Logs::MetricFilter', 5);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: PENDING_DELETION_USE_PATTERN });
  });

  test('KMS key events go from EventBridge to the topic, with an encrypted dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.kms'], 'detail-type': ['KMS CMK Deletion', 'KMS CMK Rotation', 'KMS Imported Key Material Expiration'] },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^KmsGovernanceAlarmTopic') }, DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(statementBySid(template, 'EventBridgeTopic', keyId)).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
  });

  test('EventBridge may publish to the topic and send to the dead-letter queue for this rule of this account only', () => {
    const ruleId = Object.keys(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.kms'] } } }))[0];
    const fromThisRule = { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } };
    const byEvents = [
      ...Object.values(template.findResources('AWS::SNS::TopicPolicy')),
      ...Object.values(template.findResources('AWS::SQS::QueuePolicy')),
    ].flatMap((r: any) => r.Properties.PolicyDocument.Statement).filter((st: any) => JSON.stringify(st.Principal).includes('events.amazonaws.com'));
    expect(byEvents.map((st: any) => [st.Action, st.Condition])).toEqual([['sns:Publish', fromThisRule], ['sqs:SendMessage', fromThisRule]]);
  });

  test('the topic is encrypted with the audit key, which lets CloudWatch alarms use it', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(statementBySid(template, 'CloudWatchAlarms', keyId)).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' } });
  });

  test('everything that holds data is retained', () => {
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      for (const r of Object.values<any>(template.findResources(type))) expect(r.DeletionPolicy).toBe('Retain');
    }
  });

  test('zero unacknowledged findings from the cdk-nag packs', () => {
    expect(unacknowledged(stack)).toEqual([]);
  });
});

describe('KeyAuditTrail options', () => {
  test('watch(key) and ManagedCmk.audit add an alarm scoped to that key', () => {
    const { stack } = newStack();
    const audit = new KeyAuditTrail(stack, 'Audit');
    const watched = new ManagedCmk(stack, 'Orders', { alias: 'orders', audit });
    audit.watch(watched); // watching twice adds nothing
    const t = Template.fromStack(stack);
    const filters = Object.values<any>(t.findResources('AWS::Logs::MetricFilter')).filter((f) => JSON.stringify(f.Properties.FilterPattern).includes('resources[0].ARN'));
    expect(filters).toHaveLength(1);
    expect(filters[0].Properties.FilterPattern['Fn::Join'][1]).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': [stack.getLogicalId(watched.cfnKey), 'Arn'] }]));
    t.resourceCountIs('AWS::CloudWatch::Alarm', 6);
  });

  test('existingLogGroup: only filters, alarms and the key-event rule', () => {
    const { stack } = newStack();
    const existing = logs.LogGroup.fromLogGroupName(stack, 'OrgTrail', 'aws-cloudtrail-logs-org');
    new KeyAuditTrail(stack, 'Audit', { existingLogGroup: existing });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudTrail::Trail', 0);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.resourceCountIs('AWS::Logs::MetricFilter', 5);
    t.hasResourceProperties('AWS::Logs::MetricFilter', { LogGroupName: 'aws-cloudtrail-logs-org' });
    expect(unacknowledged(stack)).toEqual([]);
  });

  test('trail name, key, topic, retention, S3 data events and removal policy are honoured', () => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'AuditKey', { alias: 'audit' });
    const topic = new sns.Topic(stack, 'Pager', { masterKey: key, enforceSSL: true });
    new KeyAuditTrail(stack, 'Audit', { trailName: 'org-kms-audit', key, alarmTopic: topic, logRetention: logs.RetentionDays.TWO_YEARS, s3DataEvents: true, removalPolicy: RemovalPolicy.DESTROY });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'org-kms-audit',
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3']] }] }] }],
    });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ RetentionInDays: 731 }) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Pager') }] });
    expect(Object.keys(t.findResources('AWS::KMS::Key'))).toEqual([stack.getLogicalId(key.cfnKey)]);
  });

  test.each<[string, any, RegExp]>([
    ['a short retention', { logRetention: logs.RetentionDays.SIX_MONTHS }, /'logRetention' must be at least one year \(Security Hub CloudWatch.16\). Received: 180 days/],
    ['a trail name with spaces', { trailName: 'kms audit' }, /'trailName' must be letters, digits, periods, underscores and hyphens.* Received: "kms audit"/],
    ['a trail name too short', { trailName: 'ab' }, /'trailName' must be between 3 and 128 characters long. Received: "ab"/],
    ['adjacent separators', { trailName: 'kms--audit' }, /'trailName' must not contain adjacent periods, underscores or hyphens. Received: "kms--audit"/],
  ])('bad input: %s', (_name, props, message) => {
    const { stack } = newStack();
    expect(() => new KeyAuditTrail(stack, 'Audit', props)).toThrow(message);
  });

  test('bad input: trail settings with an existing log group', () => {
    const { stack } = newStack();
    const existing = logs.LogGroup.fromLogGroupName(stack, 'OrgTrail', 'org');
    expect(() => new KeyAuditTrail(stack, 'Audit', { existingLogGroup: existing, trailName: 'x-trail' })).toThrow(/'existingLogGroup' attaches to a trail that exists already: 'trailName', 'key', 's3DataEvents', 'logRetention', 'accessLogsBucket', 'objectLockRetention' do not apply. Received: existingLogGroup with trailName/);
  });
});

describe('KeyAuditorRole', () => {
  test('read-only KMS and CloudTrail, read of the audit log group, explicit denies, MFA, no inline policy', () => {
    const { stack } = newStack();
    const audit = new KeyAuditTrail(stack, 'Audit');
    new KeyAuditorRole(stack, 'Auditor', { assumedBy: new iam.AccountPrincipal('123456789012'), trail: audit });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })] },
    });
    const policy = Object.values<any>(t.findResources('AWS::IAM::ManagedPolicy')).find((p) => p.Properties.Description?.startsWith('Read-only audit'));
    const bySid = Object.fromEntries(policy.Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['DenyKeyChanges', 'DenyKeyUse', 'ReadAuditLogs', 'ReadCloudTrail', 'ReadKeys', 'ReadQueryResults']);
    expect(bySid.ReadKeys.Action).not.toContain('kms:GetParametersForImport');
    expect(bySid.ReadKeys.Action.every((a: string) => /^kms:(Describe|Get|List)/.test(a))).toBe(true);
    expect(bySid.ReadAuditLogs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AuditEvents/), 'Arn'] });
    expect(bySid.DenyKeyUse.Effect).toBe('Deny');
    expect(bySid.DenyKeyChanges.Action).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:GetParametersForImport']));
    t.resourceCountIs('AWS::IAM::Policy', 0);
    expect(unacknowledged(stack)).toEqual([]);
  });

  test('pinned logical IDs', () => {
    const { stack } = newStack();
    new KeyAuditorRole(stack, 'Auditor', { assumedBy: new iam.AccountPrincipal('123456789012') });
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources).sort()).toEqual(['AuditorAuditPermissionsEA5D7255', 'AuditorB9A7BEA8']);
  });

  test.each<[string, any, RegExp]>([
    ['no principal', { assumedBy: undefined }, /'assumedBy' is required: the principal that may assume the key auditor role/],
    ['MFA for a service', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }, /'requireMfa' must be false when 'assumedBy' is a service principal/],
  ])('bad input: %s', (_name, props, message) => {
    const { stack } = newStack();
    expect(() => new KeyAuditorRole(stack, 'Auditor', { assumedBy: new iam.AccountPrincipal('123456789012'), ...props })).toThrow(message);
  });

  test('refuses identity-policy statements from other constructs', () => {
    const { stack } = newStack();
    const auditor = new KeyAuditorRole(stack, 'Auditor', { assumedBy: new iam.AccountPrincipal('123456789012') });
    const key = new ManagedCmk(stack, 'Cmk', { alias: 'k', rootAccess: undefined });
    expect(() => auditor.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }))).toThrow(/KeyAuditorRole 'TestStack\/Auditor' is read-only/);
    expect(key).toBeDefined();
  });
});
