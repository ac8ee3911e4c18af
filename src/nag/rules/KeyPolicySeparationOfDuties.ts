import { NagRuleCompliance } from 'cdk-nag';
import {
  ADMINISTRATION_ONLY_ACTIONS,
  KEY_TYPES,
  PrincipalKind,
  USE_ACTIONS,
  isAllow,
  keyPolicyVariants,
  kmsActionsOf,
  principalsOf,
} from '../private/policy';
import { defineRule } from '../private/rule';

/**
 * No principal other than the key's own account root is allowed both to administer the key and to
 * use it, in one statement or across the statements of the key policy. Administration is the
 * library's administration action set (`kms-actions.ts`) without the neutral DescribeKey,
 * ListGrants and RevokeGrant; use is every cryptographic action plus CreateGrant (a grant confers
 * use). Wildcards are expanded (`kms:*` is both).
 *
 * AWS KMS developer guide (key administrators and key users are different principals).
 */
export default defineRule('KeyPolicySeparationOfDuties', (node, context) => {
  if (!KEY_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const what = `the key policy of ${node.node.path}`;
  for (const statements of keyPolicyVariants(props, node)) {
    const byPrincipal = new Map<string, Set<string>>();
    for (const s of statements.filter(isAllow)) {
      const actions = kmsActionsOf(s, what);
      for (const p of principalsOf(s, node)) {
        if (p.kind === PrincipalKind.ACCOUNT_ROOT) continue;
        const all = byPrincipal.get(p.id) ?? new Set<string>();
        actions.forEach((a) => all.add(a));
        byPrincipal.set(p.id, all);
      }
    }
    for (const actions of byPrincipal.values()) {
      const administers = [...actions].some((a) => ADMINISTRATION_ONLY_ACTIONS.has(a));
      const uses = [...actions].some((a) => USE_ACTIONS.has(a));
      if (administers && uses) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
});
