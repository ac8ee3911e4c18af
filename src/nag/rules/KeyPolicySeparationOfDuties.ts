import { NagMessageLevel } from 'cdk-nag';
import { ADMINISTRATION_ONLY, PrincipalKind, USE, isAllow, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/** Nobody but the account root both administers and uses the key (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicySeparationOfDuties', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key policy lets a principal other than the account root both administer and use the key.',
  explanation:
    'Separation of duties: whoever manages a key (policy, rotation, deletion, aliases) must not also be able to decrypt with it or to ' +
    'create grants, so that no single principal can both read the data and cover the tracks. Use different principals for the two roles.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'AWS KMS developer guide (key administrators and key users in the default console policy); NIST SP 800-53 AC-5',
  checks:
    "No principal other than the key's own account root is allowed both to **administer** the key and to **use** it — in one statement, " +
    'or across the statements of the policy (principals are compared as written). Wildcards are expanded against the known key actions:\n\n' +
    "- administration: the library's `ADMIN_ACTIONS` (`src/private/kms-actions.ts`) without the neutral `kms:DescribeKey`, " +
    '`kms:ListGrants` and `kms:RevokeGrant`, plus the imported-key-material actions `kms:GetParametersForImport`, ' +
    '`kms:ImportKeyMaterial` and `kms:DeleteImportedKeyMaterial`;\n' +
    '- use: every cryptographic action, plus `kms:CreateGrant` (a grant confers use).\n\n' +
    'So `kms:*`, `kms:Create*` (CreateAlias + CreateGrant) and `["kms:Decrypt", "kms:ScheduleKeyDeletion"]` are findings; an ' +
    'administrator with `kms:ListGrants` and a user with `kms:DescribeKey` are not. `Principal: "*"` held to named accounts by ' +
    'conditions (see `KeyPolicyNoPublicAccess`) is one principal per condition block: CloudTrail\'s documented "Allow alias creation ' +
    'during setup" (CreateAlias through EC2) and "Allow principals in the account to decrypt log files" are two principals.\n\n' +
    '**The console\'s default key policy is a finding, and stays one**: its key administrators statement has `kms:Create*`, which ' +
    'allows `kms:CreateGrant` with no condition, so an administrator can grant itself `kms:Decrypt` (the KMS developer guide warns ' +
    'of exactly this). With `kms:CreateAlias` in place of `kms:Create*`, the console\'s default policy passes every rule of the pack.',
}, (statements, node, _context, what) => {
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
