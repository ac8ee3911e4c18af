import { NagMessageLevel } from 'cdk-nag';
import { PrincipalKind, isAllow, isFullAccess, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/** Nobody but the account root gets every key action (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicyNoFullAccessForNonRoot', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key policy gives kms:* (every key action) to a principal other than the account root, or to the root when allowRootFullAccess is false.',
  explanation:
    'kms:* lets one principal use the key, change its policy, disable it and schedule its deletion. Key policies should grant the ' +
    'administration actions to administrators and the usage actions to users, never everything to one principal.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'AWS KMS developer guide, least privilege in key policies (no direct Security Hub / CIS / Checkov item)',
  props: ['allowRootFullAccess'],
  checks:
    "No `Allow` statement gives every key action — `kms:*`, `*`, or a `NotAction` that leaves all of KMS in — to a principal other than the key's " +
    "own account root (a role, a user, a service, everyone, another account's root). When `allowRootFullAccess` is false, the account root with " +
    "every key action is a finding too; the administration actions alone (as `ManagedCmk`'s default `RootAccess.ADMINISTRATION_ONLY`) are fine. " +
    'Conditions do not change the finding.\n\n' +
    'The account root is `arn:<partition>:iam::<account>:root` or the bare account id, where the account is `AWS::AccountId` or the ' +
    "stack's account (a literal account id in an environment-agnostic stack counts as the stack's).",
}, (statements, node, context, what) =>
  statements.filter(isAllow).every((s) => {
    if (!isFullAccess(kmsActionsOf(s, what))) return true;
    const principals = principalsOf(s, node);
    if (principals.some((p) => p.kind !== PrincipalKind.ACCOUNT_ROOT)) return false;
    return context.allowRootFullAccess || principals.length === 0;
  }),
);
