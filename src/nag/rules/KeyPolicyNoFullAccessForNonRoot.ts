import { PrincipalKind, isAllow, isFullAccess, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/**
 * No key-policy `Allow` statement gives a principal other than the key's own account root every
 * key action (`kms:*`, `*`, or a `NotAction` that leaves all of KMS in). The account root may have
 * `kms:*` (the AWS default key policy) unless `allowRootFullAccess` is false. Conditions do not
 * change the finding.
 *
 * AWS KMS developer guide (least privilege in key policies).
 */
export default defineKeyPolicyRule('KeyPolicyNoFullAccessForNonRoot', (statements, node, context, what) =>
  statements.filter(isAllow).every((s) => {
    if (!isFullAccess(kmsActionsOf(s, what))) return true;
    const principals = principalsOf(s, node);
    if (principals.some((p) => p.kind !== PrincipalKind.ACCOUNT_ROOT)) return false;
    return context.allowRootFullAccess || principals.length === 0;
  }),
);
