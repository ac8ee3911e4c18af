import { PrincipalKind, isAllow, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/**
 * No `Allow` statement of a key policy names everyone: `Principal: "*"`, `{"AWS": "*"}` (alone or
 * in a list), or `NotPrincipal` (which allows everyone else). Conditions do not change the
 * finding: a condition on a wildcard principal is easy to get wrong, and Checkov fails it whatever
 * the conditions.
 *
 * Checkov CKV_AWS_33, Security Hub KMS.5.
 */
export default defineKeyPolicyRule('KeyPolicyNoPublicAccess', (statements, node) =>
  !statements.filter(isAllow).some((s) => principalsOf(s, node).some((p) => p.kind === PrincipalKind.PUBLIC)),
);
