import { NagRuleCompliance } from 'cdk-nag';
import { numberValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** What a key's pending window is when `PendingWindowInDays` is absent. */
const DEFAULT_PENDING_WINDOW_DAYS = 30;

/**
 * A key or replica key scheduled for deletion waits at least the minimum pending window
 * (`PendingWindowInDays`, 30 days when absent) before AWS KMS deletes it, so that a mistaken or
 * malicious deletion can be noticed and cancelled.
 *
 * Security Hub KMS.3 (keys should not be deleted unintentionally), as hygiene.
 */
export default defineRule('KeyPendingWindow', (node, context) => {
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
