import { NagRuleCompliance } from 'cdk-nag';
import { KEY_TYPES, PrincipalKind, isAllow, keyPolicyVariants, principalsOf } from '../private/policy';
import { defineRule } from '../private/rule';

/**
 * No `Allow` statement of a key policy names everyone: `Principal: "*"`, `{"AWS": "*"}` (alone or
 * in a list), or `NotPrincipal` (which allows everyone else). Conditions do not change the
 * finding: a condition on a wildcard principal is easy to get wrong, and Checkov fails it whatever
 * the conditions.
 *
 * Checkov CKV_AWS_33, Security Hub KMS.5.
 */
export default defineRule('KeyPolicyNoPublicAccess', (node, context) => {
  if (!KEY_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  for (const statements of keyPolicyVariants(props, node)) {
    for (const s of statements.filter(isAllow)) {
      if (principalsOf(s, node).some((p) => p.kind === PrincipalKind.PUBLIC)) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
});
