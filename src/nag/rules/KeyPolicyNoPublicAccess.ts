import { NagMessageLevel } from 'cdk-nag';
import { PrincipalKind, isAllow, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/** No key-policy Allow statement is open to everyone (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicyNoPublicAccess', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key policy allows Principal "*" (or uses NotPrincipal in an Allow statement) without conditions that hold it to named accounts or an Organization.',
  explanation:
    'A wildcard principal allows every AWS principal of every account, limited only by its conditions. Name the account root or ' +
    'specific principals, or hold the wildcard to your account with fixed kms:CallerAccount and kms:ViaService conditions, as ' +
    'the AWS managed keys do.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey` (the key policy; the AWS default policy when absent)',
  mirrors: 'Security Hub **KMS.5** (fixed-value conditions make a key not public); Checkov **CKV_AWS_33** (which flags every `*`, conditions or not)',
  checks: [
    'No `Allow` statement has `Principal: "*"` or `{"AWS": "*"}` (alone or in a list), or a `NotPrincipal` (which allows everyone ',
    'else), unless fixed-value conditions hold it to named accounts:\n\n',
    '- `kms:CallerAccount` (or `aws:PrincipalAccount`) equal to account ids, **and** `kms:ViaService` equal to named service ',
    'endpoints (`ec2.us-east-1.amazonaws.com`) or a fixed `kms:EncryptionContext:…` value (for the `…:arn` keys, an ARN of a named ',
    'account). That is the policy of the AWS managed keys ("Allow access through EBS for all principals in the account that are ',
    'authorized to use EBS") and of CloudTrail\'s documented statements ("Allow principals in the account to decrypt log files", ',
    '"Allow alias creation during setup");\n',
    '- or `aws:PrincipalArn` equal to, or like, ARNs of named accounts;\n',
    '- or `aws:PrincipalOrgID` equal to Organization ids (`o-…`, or a reference): the principals of one Organization ',
    '(`KeyPrincipals.organization`, `KeyPrincipals.organizationalUnit`). `aws:PrincipalOrgPaths` alone does not count: its values are ',
    'patterns.\n\n',
    'Operators with `IfExists` or `ForAnyValue:`/`ForAllValues:`, and wildcard values, do not count. `kms:CallerAccount` alone does ',
    'not count either: it gives the key to every principal of the account without any IAM permission. Another account in these ',
    'conditions is `KeyPolicyNoCrossAccountUse`\'s concern; an Identity Center wildcard in `aws:PrincipalArn` is ',
    '`KeyPolicyNoIdentityCenterWildcard`\'s.',
  ].join(''),
  fix:
    'Name the account root (`new iam.AccountRootPrincipal()`) or specific principals; for "every principal of the account, through ' +
    'one service", add `StringEquals` conditions on `kms:CallerAccount` (your account) and `kms:ViaService` (`<service>.<region>.amazonaws.com`).',
}, (statements, node) =>
  !statements.filter(isAllow).some((s) => principalsOf(s, node).some((p) => p.kind === PrincipalKind.PUBLIC)),
);
