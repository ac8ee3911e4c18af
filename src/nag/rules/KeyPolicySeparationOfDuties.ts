import { ADMINISTRATION_ONLY, PrincipalKind, USE, isAllow, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/**
 * No principal other than the key's own account root is allowed both to administer the key and to
 * use it, in one statement or across the statements of the key policy. Administration is the
 * library's administration action set (`kms-actions.ts`) without the neutral DescribeKey,
 * ListGrants and RevokeGrant; use is every cryptographic action plus CreateGrant (a grant confers
 * use). Wildcards are expanded (`kms:*` is both).
 *
 * AWS KMS developer guide (key administrators and key users are different principals).
 */
export default defineKeyPolicyRule('KeyPolicySeparationOfDuties', (statements, node, _context, what) => {
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
  return [...byPrincipal.values()].every((actions) => ![...actions].some((a) => ADMINISTRATION_ONLY.has(a)) || ![...actions].some((a) => USE.has(a)));
});
