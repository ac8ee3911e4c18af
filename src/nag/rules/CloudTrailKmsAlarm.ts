import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { CIS_4_7_KMS_PATTERN } from '../../private/audit-patterns';
import { alarmWatches, metricFiltersForTrail } from '../private/audit';
import { asArray, isObject } from '../private/cfn';
import { defineRule } from '../private/rule';

/** A trail delivering to CloudWatch Logs has the CIS 4.7 metric filter and alarm (see `documentation`). */
export default defineRule('CloudTrailKmsAlarm', {
  level: NagMessageLevel.ERROR,
  info: "The trail's CloudWatch Logs group has no CIS 4.7 metric filter and alarm for KMS keys disabled or scheduled for deletion.",
  explanation:
    'Disabling or scheduling the deletion of a key can make data unrecoverable; it must raise an alarm. Security Hub and CIS also need a ' +
    "subscriber on the alarm's SNS topic, which a template cannot show: add one.",
  resources: '`AWS::CloudTrail::Trail` that delivers to CloudWatch Logs (others: not applicable)',
  mirrors: 'Security Hub **CloudWatch.7**; CIS AWS Foundations **4.7**',
  checks:
    "On the trail's log group (found by reference, or by literal name when the trail names a log group outside the app by a literal ARN):\n\n" +
    '- an `AWS::Logs::MetricFilter` whose `FilterPattern` is **byte for byte** ' +
    '`{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }` (Security Hub compares the ' +
    'string; the constant is `CIS_4_7_KMS_PATTERN` in `src/private/audit-patterns.ts`, shared with `KeyAuditTrail`), with `MetricValue` 1;\n' +
    '- an `AWS::CloudWatch::Alarm` on that metric (same name and namespace, no dimensions): statistic `Sum`, period 300 seconds, one ' +
    'evaluation period, actions enabled, at least one alarm action, and a threshold that **one event crosses**: ' +
    '`GreaterThanOrEqualToThreshold` with a threshold above 0 and at most 1 (CIS: `>= 1`), or `GreaterThanThreshold` with a threshold ' +
    'of at least 0 and below 1 (`> 0`). `> 1` misses a single disable or deletion; `>= 0` alarms on every period.',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::CloudTrail::Trail') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined || props.CloudWatchLogsLogGroupArn === undefined || props.CloudWatchLogsLogGroupArn === '') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const alarms = context.resourcesOfType(node, 'AWS::CloudWatch::Alarm');
  for (const filter of metricFiltersForTrail(node, context)) {
    const fp = context.properties(filter);
    if (fp?.FilterPattern !== CIS_4_7_KMS_PATTERN) continue;
    for (const t of asArray(fp.MetricTransformations).filter(isObject)) {
      if (t.MetricValue !== '1' && t.MetricValue !== 1) continue;
      if (alarms.some((a) => alarmWatches(a, t, context))) return NagRuleCompliance.COMPLIANT;
    }
  }
  return NagRuleCompliance.NON_COMPLIANT;
});
