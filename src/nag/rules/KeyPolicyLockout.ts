import { PUT_KEY_POLICY_ACTION } from '../../private/kms-actions';
import { PrincipalKind, appliesToEveryoneUnconditionally, isAllow, isDeny, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/**
 * Someone can still change the key policy: an `Allow` statement covers `kms:PutKeyPolicy` for a
 * principal that is not `"*"`, and no `Deny` statement denies `kms:PutKeyPolicy` to every principal
 * without a condition. Otherwise the key is unmanageable until AWS Support intervenes.
 *
 * AWS KMS developer guide (the key policy lockout safety check).
 */
export default defineKeyPolicyRule('KeyPolicyLockout', (statements, node, _context, what) => {
  const covers = (s: Parameters<typeof isAllow>[0]) => kmsActionsOf(s, what).has(PUT_KEY_POLICY_ACTION);
  const someoneMay = statements.some((s) => isAllow(s) && covers(s) && principalsOf(s, node).some((p) => p.kind !== PrincipalKind.PUBLIC));
  const everyoneDenied = statements.some((s) => isDeny(s) && covers(s) && appliesToEveryoneUnconditionally(s, node));
  return someoneMay && !everyoneDenied;
});
