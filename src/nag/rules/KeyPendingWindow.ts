import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { numberValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** What a key's pending window is when `PendingWindowInDays` is absent. */
const DEFAULT_PENDING_WINDOW_DAYS = 30;

/** A key scheduled for deletion waits at least the minimum pending window (see `documentation`). */
export default defineRule('KeyPendingWindow', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key would be deleted sooner after being scheduled for deletion than the minimum pending window.',
  explanation:
    'Deleting a key makes everything encrypted under it unrecoverable. The pending window is the time to notice a mistaken or malicious ' +
    'ScheduleKeyDeletion (the CIS 4.7 alarm fires on it) and cancel it. Set PendingWindowInDays to at least the minimum (30 days by default).',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'Security Hub **KMS.3** (keys should not be deleted unintentionally), as hygiene',
  props: ['minimumPendingWindow'],
  checks: '`PendingWindowInDays` (30 when absent) is at least `minimumPendingWindow`.',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::KMS::Key' && node.cfnResourceType !== 'AWS::KMS::ReplicaKey') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const what = `PendingWindowInDays of ${node.node.path}`;
  for (const window of variants(props.PendingWindowInDays, what)) {
    const days = numberValue(window, what) ?? DEFAULT_PENDING_WINDOW_DAYS;
    if (days < context.minimumPendingWindowDays) return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
});
