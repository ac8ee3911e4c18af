import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel } from 'cdk-nag';
import { PUT_KEY_POLICY_ACTION } from '../../private/kms-actions';
import { conditionAlwaysHolds } from '../private/conditions';
import { PolicyStatementJson, PrincipalEntry, PrincipalKind, isAllow, isDeny, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/** Someone other than a service can still change the key policy (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicyLockout', {
  level: NagMessageLevel.ERROR,
  info:
    'Nobody could change the KMS key policy: no Allow statement covers kms:PutKeyPolicy for an account, role or user, or a Deny ' +
    'statement denies it to everyone, unconditionally or under a condition that every request satisfies.',
  explanation:
    'A key whose policy nobody may change cannot be fixed, rotated out of service or recovered without AWS Support. An AWS service ' +
    'principal does not change key policies on your behalf. Keep kms:PutKeyPolicy for the account root or an administrator role, ' +
    'and never deny it to everyone.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'AWS KMS developer guide, the key policy lockout safety check',
  checks: [
    'An `Allow` statement covers `kms:PutKeyPolicy` (directly or through a wildcard) for an **AWS** principal — the account root, ',
    'another account, a role or user, or `"*"` held to named accounts by conditions (see `KeyPolicyNoPublicAccess`). A ',
    '`Service` principal alone does not count: only that service could change the policy, and no service does that for you.\n\n',
    'And no `Deny` statement covers `kms:PutKeyPolicy` for everyone — `Principal: "*"`, `{"AWS": "*"}` or the key\'s own account ',
    'root (a `Deny` for an account applies to all its principals) — with no condition, or with a condition that **every request ',
    'of the key\'s own account satisfies**. A condition is that when each of its clauses is one of:\n\n',
    '- `StringLike`/`ArnLike` with the value `*` on a key that every KMS request carries (`aws:PrincipalArn`, `aws:PrincipalAccount`, ',
    '`aws:PrincipalType`, `aws:userid`, `aws:CurrentTime`, `aws:EpochTime`, `aws:RequestedRegion`, `aws:SecureTransport`, ',
    '`kms:CallerAccount`), or with `…IfExists` on any key;\n',
    '- `Null` with `false` on such a key (the key is there);\n',
    '- `StringNotEquals`/`StringNotLike`/`ArnNotEquals`/`ArnNotLike` on `kms:CallerAccount` or `aws:PrincipalAccount` whose values ',
    'are all other accounts (decidable when the stack\'s account is a literal).\n\n',
    'So a `Deny` of `kms:*` for `"*"` with `StringLike` `aws:PrincipalArn` `*` locks everyone out, and is a finding; a `Deny` with ',
    '`Bool` `aws:MultiFactorAuthPresent` `false` is not judged (it depends on the request).',
  ].join(''),
}, (statements, node, _context, what) => {
  const covers = (s: PolicyStatementJson) => kmsActionsOf(s, what).has(PUT_KEY_POLICY_ACTION);
  const someoneMay = statements.some((s) => isAllow(s) && covers(s) && principalsOf(s, node).some(mayManage));
  const everyoneDenied = statements.some((s) => isDeny(s) && covers(s) && deniesEveryone(s, node, what));
  return someoneMay && !everyoneDenied;
});

/** An AWS principal that could call PutKeyPolicy for you: not everyone, not a service. */
function mayManage(p: PrincipalEntry): boolean {
  if (p.kind === PrincipalKind.PUBLIC) return false;
  return p.type === 'AWS' || p.kind === PrincipalKind.ACCOUNT_SCOPED || p.kind === PrincipalKind.ORGANIZATION_SCOPED;
}

/** A Deny for everyone (`"*"`, or the account root: all of its principals) whose condition always holds. */
function deniesEveryone(statement: PolicyStatementJson, node: CfnResource, what: string): boolean {
  if (statement.NotPrincipal !== undefined) return false;
  const everyone = principalsOf(statement, node).some((p) => p.type === '*' || (p.type === 'AWS' && p.value === '*') || p.kind === PrincipalKind.ACCOUNT_ROOT);
  return everyone && conditionAlwaysHolds(statement, node, what);
}
