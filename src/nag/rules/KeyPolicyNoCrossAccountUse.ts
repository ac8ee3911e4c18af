import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel } from 'cdk-nag';
import { arnParts, flatten } from '../private/cfn';
import { isOtherAccount } from '../private/conditions';
import { PrincipalEntry, PrincipalKind, USE, isAllow, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/** No other account may use the key (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicyNoCrossAccountUse', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key policy lets another AWS account (its root, roles or users) use the key or create grants for it.',
  explanation:
    'A key that another account may use puts your data under that account\'s IAM, which your auditors do not control, and its use ' +
    'shows in that account\'s CloudTrail. Share data through a key in the consuming account, or acknowledge the finding with the ' +
    'reason and the account.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'AWS KMS developer guide, "Allowing users in other accounts to use a KMS key"; Security Hub **KMS.5** (access from outside the account)',
  checks: [
    'No `Allow` statement that covers a use of the key — a cryptographic action, `kms:CreateGrant` or `kms:RetireGrant`, directly ',
    'or through a wildcard — names a principal of another account:\n\n',
    '- an `AWS` principal whose ARN (`arn:aws:iam::<account>:…`, `arn:aws:sts::<account>:…`) or bare account id is a literal account ',
    'other than the stack\'s;\n',
    '- or `"*"` held by `kms:CallerAccount`, `aws:PrincipalAccount` or `aws:PrincipalArn` conditions to another account (see ',
    '`KeyPolicyNoPublicAccess`);\n',
    '- or `"*"` held by `aws:PrincipalOrgID` to an Organization (`KeyPrincipals.organization`, `KeyPrincipals.organizationalUnit`): ',
    'its accounts are other accounts, in any stack. Acknowledge the finding with the Organization and the reason when that is the intent.\n\n',
    'Service principals, references (`Fn::GetAtt`, parameters) and `${AWS::AccountId}` are not other accounts. In an ',
    'environment-agnostic stack the account is not known, so no literal id counts as another account there. Administration ',
    'actions alone are not judged here.',
  ].join(''),
}, (statements, node, _context, what) =>
  statements.filter(isAllow).every((s) => {
    const actions = kmsActionsOf(s, what);
    if (![...actions].some((a) => USE.has(a))) return true;
    return !principalsOf(s, node).some((p) => inOtherAccount(p, node));
  }),
);

function inOtherAccount(p: PrincipalEntry, node: CfnResource): boolean {
  if (p.kind === PrincipalKind.ACCOUNT_SCOPED) return (p.accounts ?? []).some((a) => isOtherAccount(a, node));
  // Every account of an Organization: other accounts by design, whatever the stack's account.
  if (p.kind === PrincipalKind.ORGANIZATION_SCOPED) return true;
  if (p.type !== 'AWS' || p.kind !== PrincipalKind.OTHER) return false;
  const text = flatten(p.value);
  if (text === undefined) return false;
  const parts = arnParts(text);
  const account = parts ? parts[4] : text;
  return isOtherAccount(account, node);
}
