import { NagMessageLevel } from 'cdk-nag';
import { PrincipalKind, isAllow, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/** No key-policy Allow statement names everyone (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicyNoPublicAccess', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key policy allows Principal "*" (or uses NotPrincipal in an Allow statement).',
  explanation:
    'A wildcard principal allows every AWS principal of every account, limited only by conditions that are easy to get wrong. ' +
    'Name the account root or specific principals, with kms:ViaService or kms:CallerAccount conditions where a service needs access.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey` (the key policy; the AWS default policy when absent)',
  mirrors: 'Checkov **CKV_AWS_33**; Security Hub **KMS.5**',
  checks:
    'No `Allow` statement has `Principal: "*"`, `{"AWS": "*"}` (alone or in a list), or a `NotPrincipal` (which allows everyone else). ' +
    '**Conditions do not change the finding.**',
  fix:
    'Name the account root (`new iam.AccountRootPrincipal()`) or specific principals, and add `kms:ViaService` / `kms:CallerAccount` ' +
    'conditions for AWS services.',
}, (statements, node) =>
  !statements.filter(isAllow).some((s) => principalsOf(s, node).some((p) => p.kind === PrincipalKind.PUBLIC)),
);
