/**
 * KeyAuditTrail attached to an existing trail's log group: the five metric filters (the CIS 4.7
 * pattern byte for byte among them) and their alarms exist as configured. This mode deploys
 * offline too; the trail itself is tested by integ.key-audit-trail.ts on a real account.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { KeyAuditTrail } from '../src';
import {
  CIS_4_7_KMS_PATTERN,
  GRANT_OUTSIDE_AWS_RESOURCES_PATTERN,
  KEY_POLICY_CHANGE_PATTERN,
  KEY_REENABLED_OR_ROTATION_OFF_PATTERN,
  PENDING_DELETION_USE_PATTERN,
} from '../src/private/audit-patterns';

const EXPECTED_FILTERS: Record<string, string> = {
  KeyDisabledOrScheduledForDeletion: CIS_4_7_KMS_PATTERN, // byte for byte
  KeyPendingDeletionUsed: PENDING_DELETION_USE_PATTERN,
  KeyPolicyChanged: KEY_POLICY_CHANGE_PATTERN,
  GrantOutsideAwsResources: GRANT_OUTSIDE_AWS_RESOURCES_PATTERN,
  KeyReenabledOrRotationOff: KEY_REENABLED_OR_ROTATION_OFF_PATTERN,
};

// No creation stack traces in the snapshots: they hold local paths and line numbers.
const app = new App({ stackTraces: false });
const stack = new Stack(app, 'KmsGovAuditAttached');
// Stands in for the log group of an existing (organization) trail.
const trailLogs = new logs.LogGroup(stack, 'OrgTrailLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
const audit = new KeyAuditTrail(stack, 'Audit', { existingLogGroup: trailLogs });

const test = new IntegTest(app, 'KeyAuditAttached', { testCases: [stack] });
// One call per metric: the order in which DescribeMetricFilters lists filters is not specified.
for (const [metricName, pattern] of Object.entries(EXPECTED_FILTERS)) {
  test.assertions
    .awsApiCall('CloudWatchLogs', 'describeMetricFilters', { logGroupName: trailLogs.logGroupName, metricName, metricNamespace: 'CdkKmsGovernance/Audit' })
    .expect(ExpectedResult.objectLike({
      metricFilters: [Match.objectLike({ filterPattern: pattern, metricTransformations: [Match.objectLike({ metricName, metricValue: '1' })] })],
    }));
}
test.assertions
  .awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [audit.alarms.KeyDisabledOrScheduledForDeletion.alarmName] })
  .expect(ExpectedResult.objectLike({
    MetricAlarms: [Match.objectLike({
      MetricName: 'KeyDisabledOrScheduledForDeletion',
      Namespace: 'CdkKmsGovernance/Audit',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [audit.alarmTopic.topicArn],
    })],
  }));

app.synth();
