import { NagRuleCompliance } from 'cdk-nag';
import { KEY_TYPES, PrincipalKind, isAllow, isFullAccess, keyPolicyVariants, kmsActionsOf, principalsOf } from '../private/policy';
import { defineRule } from '../private/rule';

/**
 * No key-policy `Allow` statement gives a principal other than the key's own account root every
 * key action (`kms:*`, `*`, or a `NotAction` that leaves all of KMS in). The account root may have
 * `kms:*` (the AWS default key policy) unless `allowRootFullAccess` is false. Conditions do not
 * change the finding.
 *
 * AWS KMS developer guide (least privilege in key policies).
 */
export default defineRule('KeyPolicyNoFullAccessForNonRoot', (node, context) => {
  if (!KEY_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const what = `the key policy of ${node.node.path}`;
  for (const statements of keyPolicyVariants(props, node)) {
    for (const s of statements.filter(isAllow)) {
      if (!isFullAccess(kmsActionsOf(s, what))) continue;
      const principals = principalsOf(s, node);
      if (principals.some((p) => p.kind !== PrincipalKind.ACCOUNT_ROOT)) return NagRuleCompliance.NON_COMPLIANT;
      if (!context.allowRootFullAccess && principals.length > 0) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
});
