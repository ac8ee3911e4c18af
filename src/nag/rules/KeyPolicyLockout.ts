import { NagMessageLevel } from 'cdk-nag';
import { PUT_KEY_POLICY_ACTION } from '../../private/kms-actions';
import { PrincipalKind, appliesToEveryoneUnconditionally, isAllow, isDeny, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/** Someone can still change the key policy (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicyLockout', {
  level: NagMessageLevel.ERROR,
  info: 'Nobody could change the KMS key policy: no Allow statement covers kms:PutKeyPolicy for a principal, or a Deny statement denies it to everyone.',
  explanation:
    'A key whose policy nobody may change cannot be fixed, rotated out of service or recovered without AWS Support. Keep kms:PutKeyPolicy ' +
    'for the account root or an administrator role, and never deny it unconditionally.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'AWS KMS developer guide, the key policy lockout safety check',
  checks:
    'An `Allow` statement covers `kms:PutKeyPolicy` (directly or through a wildcard) for at least one principal that is not `"*"`, and no ' +
    '`Deny` statement denies `kms:PutKeyPolicy` to every principal (`Principal: "*"` with no condition).',
}, (statements, node, _context, what) => {
  const covers = (s: Parameters<typeof isAllow>[0]) => kmsActionsOf(s, what).has(PUT_KEY_POLICY_ACTION);
  const someoneMay = statements.some((s) => isAllow(s) && covers(s) && principalsOf(s, node).some((p) => p.kind !== PrincipalKind.PUBLIC));
  const everyoneDenied = statements.some((s) => isDeny(s) && covers(s) && appliesToEveryoneUnconditionally(s, node));
  return someoneMay && !everyoneDenied;
});
