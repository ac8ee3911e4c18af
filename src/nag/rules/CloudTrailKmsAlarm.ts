import { NagRuleCompliance } from 'cdk-nag';
import { CIS_4_7_KMS_PATTERN } from '../../private/audit-patterns';
import { alarmWatches, metricFiltersForTrail } from '../private/audit';
import { asArray, isObject } from '../private/cfn';
import { defineRule } from '../private/rule';

/**
 * A trail that delivers to CloudWatch Logs has the CIS 4.7 alarm on its log group: an
 * `AWS::Logs::MetricFilter` whose `FilterPattern` is, byte for byte,
 * `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }`
 * with `MetricValue` 1, and an `AWS::CloudWatch::Alarm` on that metric: Sum over 300 seconds,
 * threshold at least 1 (`GreaterThanOrEqualToThreshold` or `GreaterThanThreshold`), one evaluation
 * period, actions enabled, and at least one alarm action. A trail without CloudWatch Logs is not
 * applicable (`CloudTrailSecured` reports it).
 *
 * Security Hub CloudWatch.7, CIS AWS Foundations 4.7. Security Hub and CIS also need a subscriber on
 * the alarm's SNS topic, which a template cannot show.
 */
export default defineRule('CloudTrailKmsAlarm', (node, context) => {
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
