import { NagMessageLevel } from 'cdk-nag';
import { arnParts, flatten, globToRegExp } from '../private/cfn';
import { clausesOf } from '../private/conditions';
import { PolicyStatementJson, isAllow, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/**
 * Two permission-set role names that share nothing but the Identity Center prefix, with and
 * without the Region path that newer Identity Center instances use: a pattern that matches both
 * names of one path matches any permission set.
 */
const PROBE_PATHS = ['role/aws-reserved/sso.amazonaws.com/', 'role/aws-reserved/sso.amazonaws.com/eu-west-1/'];
const PROBE_NAMES = ['AWSReservedSSO_Zq9ProbeSetAlpha_0123456789abcdef', 'AWSReservedSSO_xK7OtherSetBeta_fedcba9876543210'];
const PROBE_ACCOUNT_ARN = 'arn:aws:iam::123456789012:';

/** No key-policy statement gives key access to every Identity Center permission set by a wildcard (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicyNoIdentityCenterWildcard', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key policy gives access to IAM Identity Center (SSO) permission-set roles by a wildcard that matches any permission set.',
  explanation:
    'Identity Center creates a role AWSReservedSSO_<permission set>_<suffix> in each account for every permission set assigned there. ' +
    'A pattern such as AWSReservedSSO_* gives the key to every permission set, today\'s and tomorrow\'s, including ones your key ' +
    'owners never reviewed. Name the permission set: AWSReservedSSO_<PermissionSetName>_*.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'AWS IAM Identity Center guidance on referencing permission-set roles in resource-based policies (no Security Hub / CIS / Checkov item)',
  checks: [
    'No `Allow` statement names Identity Center permission-set roles by a pattern that matches **any** permission set: a pattern ',
    '(mentioning `AWSReservedSSO` or `sso.amazonaws.com`) in an `AWS` principal, or in an `aws:PrincipalArn` condition with ',
    '`StringLike`/`ArnLike` (any `IfExists` or set prefix), that matches two permission-set roles with nothing in common but the ',
    'prefix (`…/sso.amazonaws.com/[<region>/]AWSReservedSSO_<name>_<suffix>`).\n\n',
    'So `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*`, `…/sso.amazonaws.com/*` and ',
    '`*AWSReservedSSO_*` are findings; `…/AWSReservedSSO_DataEngineers_*` (bounded by the permission-set name) is not. A pattern ',
    'that fixes part of the name elsewhere (`AWSReservedSSO_*Admin*`) does not match any permission set and is not judged.',
  ].join(''),
}, (statements, node, _context, what) =>
  statements.filter(isAllow).every((s) => !patternsOf(s, node, what).some(matchesAnyPermissionSet)),
);

/** The principal patterns of a statement: wildcard AWS principals, and aws:PrincipalArn Like values. */
function patternsOf(statement: PolicyStatementJson, node: Parameters<typeof principalsOf>[1], what: string): string[] {
  const out: string[] = [];
  for (const p of principalsOf(statement, node)) {
    const text = p.type === 'AWS' ? flatten(p.value) : undefined;
    if (text !== undefined && text !== '*') out.push(text);
  }
  for (const c of clausesOf(statement, what)) {
    if (c.key !== 'aws:principalarn' || (c.base !== 'StringLike' && c.base !== 'ArnLike')) continue;
    for (const v of c.values) if (v !== undefined) out.push(v);
  }
  return out;
}

function matchesAnyPermissionSet(pattern: string): boolean {
  if (!/awsreservedsso|sso\.amazonaws\.com/i.test(pattern) || !/[*?]/.test(pattern)) return false;
  const parts = arnParts(pattern);
  // In an ARN only the resource part is matched; the account and partition may be references.
  const glob = globToRegExp(parts ? parts.slice(5).join(':') : pattern, false);
  return PROBE_PATHS.some((path) => PROBE_NAMES.every((name) => glob.test(parts ? `${path}${name}` : `${PROBE_ACCOUNT_ARN}${path}${name}`)));
}
