import { NagRuleCompliance } from 'cdk-nag';
import {
  KEY_TYPES,
  PrincipalKind,
  appliesToEveryoneUnconditionally,
  isAllow,
  isDeny,
  keyPolicyVariants,
  kmsActionsOf,
  principalsOf,
} from '../private/policy';
import { defineRule } from '../private/rule';

const PUT_KEY_POLICY = 'kms:PutKeyPolicy';

/**
 * Someone can still change the key policy: an `Allow` statement covers `kms:PutKeyPolicy` for a
 * principal that is not `"*"`, and no `Deny` statement denies `kms:PutKeyPolicy` to every principal
 * without a condition. Otherwise the key is unmanageable until AWS Support intervenes.
 *
 * AWS KMS developer guide (the key policy lockout safety check).
 */
export default defineRule('KeyPolicyLockout', (node, context) => {
  if (!KEY_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const what = `the key policy of ${node.node.path}`;
  for (const statements of keyPolicyVariants(props, node)) {
    const someoneMay = statements.some(
      (s) => isAllow(s) && kmsActionsOf(s, what).has(PUT_KEY_POLICY) && principalsOf(s, node).some((p) => p.kind !== PrincipalKind.PUBLIC),
    );
    const everyoneDenied = statements.some(
      (s) => isDeny(s) && kmsActionsOf(s, what).has(PUT_KEY_POLICY) && appliesToEveryoneUnconditionally(s, node),
    );
    if (!someoneMay || everyoneDenied) return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
});
