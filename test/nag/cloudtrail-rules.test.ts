import { App, CfnCondition, CfnParameter, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CIS_4_7_KMS_PATTERN } from '../../src/private/audit-patterns';
import { TEST_ENV, firing } from '../support';

/**
 * CloudTrailSecured, CloudTrailKmsAlarm and AuditLogGroupSecured, on plain CDK resources.
 */


interface AuditOptions {
  readonly trail?: Partial<cloudtrail.CfnTrailProps>;
  readonly logGroup?: Partial<logs.LogGroupProps>;
  readonly pattern?: string;
  readonly metricValue?: string;
  readonly alarm?: Partial<cloudwatch.AlarmProps>;
  readonly statistic?: string;
  readonly period?: Duration;
  readonly alarmAction?: boolean;
  /** Whether to create the L2 alarm at all. */
  readonly withAlarm?: boolean;
}

/** A trail to an encrypted log group with the CIS 4.7 filter and alarm: compliant unless an option breaks it. */
function audit(o: AuditOptions = {}) {
  const app = new App();
  const stack = new Stack(app, 'S', { env: TEST_ENV });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, alias: 'audit' });
  const logGroup = new logs.LogGroup(stack, 'Events', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR, ...o.logGroup });
  const role = new iam.Role(stack, 'Delivery', { assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com') });
  const trail = new cloudtrail.CfnTrail(stack, 'Trail', {
    isLogging: true,
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    enableLogFileValidation: true,
    kmsKeyId: key.keyArn,
    s3BucketName: 'org-trail-bucket',
    cloudWatchLogsLogGroupArn: logGroup.logGroupArn,
    cloudWatchLogsRoleArn: role.roleArn,
    ...o.trail,
  });
  const filter = new logs.MetricFilter(stack, 'Cis47', {
    logGroup,
    filterPattern: logs.FilterPattern.literal(o.pattern ?? CIS_4_7_KMS_PATTERN),
    metricNamespace: 'CISBenchmark',
    metricName: 'KmsKeyDisabledOrScheduledForDeletion',
    metricValue: o.metricValue ?? '1',
  });
  if (o.withAlarm ?? true) {
    const alarm = new cloudwatch.Alarm(stack, 'Cis47Alarm', {
      metric: filter.metric({ statistic: o.statistic ?? 'Sum', period: o.period ?? Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...o.alarm,
    });
    if (o.alarmAction ?? true) alarm.addAlarmAction(new cloudwatchActions.SnsAction(new sns.Topic(stack, 'Topic', { masterKey: key })));
  }
  return { app, stack, trail, logGroup };
}

describe('CloudTrailSecured', () => {
  test('compliant: every setting on; explicit all-management selectors; advanced management selectors', () => {
    expect(firing(audit().stack, 'CloudTrailSecured')).toEqual([]);
    const basic = audit({ trail: { eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true }, { includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] } });
    expect(firing(basic.stack, 'CloudTrailSecured')).toEqual([]);
    const advanced = audit({ trail: { advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] }] } });
    expect(firing(advanced.stack, 'CloudTrailSecured')).toEqual([]);
  });

  test.each<[string, Partial<cloudtrail.CfnTrailProps>]>([
    ['single-Region', { isMultiRegionTrail: false }],
    ['not logging', { isLogging: false }],
    ['no log file validation', { enableLogFileValidation: undefined }],
    ['no global service events', { includeGlobalServiceEvents: false }],
    ['no KMS key', { kmsKeyId: undefined }],
    ['no CloudWatch Logs group', { cloudWatchLogsLogGroupArn: undefined }],
    ['no CloudWatch Logs role', { cloudWatchLogsRoleArn: undefined }],
    ['read-only management events', { eventSelectors: [{ readWriteType: 'ReadOnly' }] }],
    ['no management events', { eventSelectors: [{ includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] }],
    ['KMS events excluded', { eventSelectors: [{ readWriteType: 'All', excludeManagementEventSources: ['kms.amazonaws.com'] }] }],
    ['advanced selectors excluding KMS', {
      advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }, { field: 'eventSource', notEquals: ['kms.amazonaws.com'] }] }],
    }],
    ['advanced selectors for writes only', {
      advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }, { field: 'readOnly', equalTo: ['false'] }] }],
    }],
  ])('non-compliant: %s', (_name, trail) => {
    expect(firing(audit({ trail }).stack, 'CloudTrailSecured')).toEqual(['S/Trail']);
  });

  test('non-compliant: the L2 Trail defaults (no KMS key, no CloudWatch Logs)', () => {
    const stack = new Stack(new App(), 'S', { env: TEST_ENV });
    new cloudtrail.Trail(stack, 'L2');
    expect(firing(stack, 'CloudTrailSecured')).toEqual(['S/L2/Resource']);
  });
});

describe('CloudTrailKmsAlarm', () => {
  test('compliant: the exact filter, metric value 1, and a Sum/300 s/threshold 1/1 period alarm with an action', () => {
    expect(firing(audit().stack, 'CloudTrailKmsAlarm')).toEqual([]);
  });

  test('compliant: a trail delivering to a log group outside the app, with the filter on its literal name', () => {
    const stack = new Stack(new App(), 'S', { env: TEST_ENV });
    new cloudtrail.CfnTrail(stack, 'Trail', {
      isLogging: true,
      s3BucketName: 'org-trail-bucket',
      cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:org-trail:*',
      cloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/trail',
    });
    const filter = new logs.CfnMetricFilter(stack, 'Filter', {
      logGroupName: 'org-trail',
      filterPattern: CIS_4_7_KMS_PATTERN,
      metricTransformations: [{ metricNamespace: 'CIS', metricName: 'Kms', metricValue: '1' }],
    });
    new cloudwatch.CfnAlarm(stack, 'Alarm', {
      metricName: 'Kms',
      namespace: 'CIS',
      statistic: 'Sum',
      period: 300,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      alarmActions: ['arn:aws:sns:us-east-1:123456789012:alerts'],
    }).addDependency(filter);
    expect(firing(stack, 'CloudTrailKmsAlarm')).toEqual([]);
  });

  test('compliant: an alarm written with a single MetricStat query', () => {
    const { stack } = audit({ withAlarm: false });
    expect(firing(stack, 'CloudTrailKmsAlarm')).toEqual(['S/Trail']);
    new cloudwatch.CfnAlarm(stack, 'MetricStatAlarm', {
      metrics: [{
        id: 'm1',
        returnData: true,
        metricStat: { metric: { metricName: 'KmsKeyDisabledOrScheduledForDeletion', namespace: 'CISBenchmark' }, period: 300, stat: 'Sum' },
      }],
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      alarmActions: ['arn:aws:sns:us-east-1:123456789012:alerts'],
    });
    expect(firing(stack, 'CloudTrailKmsAlarm')).toEqual([]);
  });

  test('not applicable: a trail without CloudWatch Logs', () => {
    expect(firing(audit({ trail: { cloudWatchLogsLogGroupArn: undefined } }).stack, 'CloudTrailKmsAlarm')).toEqual([]);
  });

  test.each<[string, AuditOptions]>([
    ['a pattern that differs only in white space', { pattern: CIS_4_7_KMS_PATTERN.replace(' }', '}') }],
    ['a pattern for DisableKey only', { pattern: '{($.eventSource = kms.amazonaws.com) && ($.eventName=DisableKey) }' }],
    ['metric value 2', { metricValue: '2' }],
    ['the Average statistic', { statistic: 'Average' }],
    ['a 1-minute period', { period: Duration.minutes(1) }],
    ['three evaluation periods', { alarm: { evaluationPeriods: 3 } }],
    ['>= 0, which alarms on every period', { alarm: { threshold: 0 } }],
    ['> 1, which misses a single deletion', { alarm: { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD } }],
    ['a falling comparison', { alarm: { comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD } }],
    ['actions disabled', { alarm: { actionsEnabled: false } }],
    ['no alarm action', { alarmAction: false }],
  ])('non-compliant: %s', (_name, options) => {
    expect(firing(audit(options).stack, 'CloudTrailKmsAlarm')).toEqual(['S/Trail']);
  });

  test('non-compliant: the filter watches another log group', () => {
    const { stack, trail } = audit();
    const other = new logs.LogGroup(stack, 'Other');
    trail.cloudWatchLogsLogGroupArn = other.logGroupArn;
    expect(firing(stack, 'CloudTrailKmsAlarm')).toEqual(['S/Trail']);
  });
});

describe('AuditLogGroupSecured', () => {
  test('compliant: encrypted, kept a year; encrypted, never expiring', () => {
    expect(firing(audit().stack, 'AuditLogGroupSecured')).toEqual([]);
    expect(firing(audit({ logGroup: { retention: logs.RetentionDays.INFINITE } }).stack, 'AuditLogGroupSecured')).toEqual([]);
  });

  test('non-compliant: not encrypted, or kept less than 365 days', () => {
    expect(firing(audit({ logGroup: { encryptionKey: undefined } }).stack, 'AuditLogGroupSecured')).toEqual(['S/Events/Resource']);
    expect(firing(audit({ logGroup: { retention: logs.RetentionDays.SIX_MONTHS } }).stack, 'AuditLogGroupSecured')).toEqual(['S/Events/Resource']);
  });

  test('not applicable: log groups no trail writes to', () => {
    const { stack } = audit();
    new logs.LogGroup(stack, 'Application', { retention: logs.RetentionDays.ONE_WEEK });
    expect(firing(stack, 'AuditLogGroupSecured')).toEqual([]);
  });
});

describe('CloudTrailKmsAlarm: a threshold that one event crosses', () => {
  const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

  test.each<[string, Partial<cloudwatch.AlarmProps>]>([
    ['> 0', { threshold: 0, comparisonOperator: GT }],
    ['> 0.5', { threshold: 0.5, comparisonOperator: GT }],
    ['>= 1 (the CIS setting)', { threshold: 1, comparisonOperator: GTE }],
    ['>= 0.5', { threshold: 0.5, comparisonOperator: GTE }],
  ])('compliant: %s', (_name, alarm) => {
    expect(firing(audit({ alarm }).stack, 'CloudTrailKmsAlarm')).toEqual([]);
  });

  test.each<[string, Partial<cloudwatch.AlarmProps>]>([
    ['> 1, which misses a single deletion', { threshold: 1, comparisonOperator: GT }],
    ['>= 2', { threshold: 2, comparisonOperator: GTE }],
    ['>= 0, which fires on every period', { threshold: 0, comparisonOperator: GTE }],
    ['> -1', { threshold: -1, comparisonOperator: GT }],
  ])('non-compliant: %s', (_name, alarm) => {
    expect(firing(audit({ alarm }).stack, 'CloudTrailKmsAlarm')).toEqual(['S/Trail']);
  });

  test('token: a threshold or an operator from a parameter does not prove the alarm', () => {
    const threshold = audit();
    const p = new CfnParameter(threshold.stack, 'Threshold', { type: 'Number' });
    (threshold.stack.node.findChild('Cis47Alarm').node.defaultChild as cloudwatch.CfnAlarm).threshold = p.valueAsNumber;
    expect(firing(threshold.stack, 'CloudTrailKmsAlarm')).toEqual(['S/Trail']);
    const operator = audit();
    const o = new CfnParameter(operator.stack, 'Operator');
    (operator.stack.node.findChild('Cis47Alarm').node.defaultChild as cloudwatch.CfnAlarm).comparisonOperator = o.valueAsString;
    expect(firing(operator.stack, 'CloudTrailKmsAlarm')).toEqual(['S/Trail']);
  });

  test('Fn::If: every branch of the settings must make the alarm', () => {
    const either = audit();
    const condition = new CfnCondition(either.stack, 'IsProd', { expression: Fn.conditionEquals(Fn.ref('AWS::Region'), 'us-east-1') });
    const cfnAlarm = either.stack.node.findChild('Cis47Alarm').node.defaultChild as cloudwatch.CfnAlarm;
    // threshold 1: `> 1` in one branch misses a single deletion.
    cfnAlarm.comparisonOperator = Token.asString(Fn.conditionIf(condition.logicalId, 'GreaterThanThreshold', 'GreaterThanOrEqualToThreshold'));
    expect(firing(either.stack, 'CloudTrailKmsAlarm')).toEqual(['S/Trail']);
    // `> 0` or `> 0.5`: both branches fire on one event. (Fn::If values are combined independently,
    // so an operator and a threshold that vary together are not followed.)
    cfnAlarm.comparisonOperator = 'GreaterThanThreshold';
    cfnAlarm.threshold = Token.asNumber(Fn.conditionIf(condition.logicalId, 0, 0.5));
    expect(firing(either.stack, 'CloudTrailKmsAlarm')).toEqual([]);
    cfnAlarm.threshold = Token.asNumber(Fn.conditionIf(condition.logicalId, 0, 1));
    expect(firing(either.stack, 'CloudTrailKmsAlarm')).toEqual(['S/Trail']);
  });
});
