import { NagMessageLevel } from 'cdk-nag';
import { KmsCondition, NEUTRAL_ACTIONS, encryptionContextKey } from '../../private/kms-actions';
import { clausesOf, fixedValues, isAccountBoundArn, isFixedAccount, isNamedServiceEndpoint } from '../private/conditions';
import { PolicyStatementJson, isAllow, kmsActionsOf, principalsOf } from '../private/policy';
import { defineKeyPolicyRule } from '../private/rule';

/** The describe action: key metadata only, which CloudTrail documents without conditions. */
const DESCRIBE_KEY = NEUTRAL_ACTIONS[0];
const ENCRYPTION_CONTEXT_PREFIX = encryptionContextKey('aws:').toLowerCase();

/** Every key-policy statement for an AWS service principal carries confused-deputy conditions (see `documentation`). */
export default defineKeyPolicyRule('KeyPolicyServiceSourceConditions', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key policy allows an AWS service principal to use the key without a condition that names your account or resource (confused deputy).',
  explanation:
    'A statement for a service principal lets that service use the key on behalf of anyone who can point it at the key, in any ' +
    'account. A source condition (aws:SourceAccount, aws:SourceArn, or the service\'s own encryption-context ARN) limits it to your ' +
    'resources.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'AWS IAM and KMS guidance on the cross-service confused deputy problem (no Security Hub / CIS / Checkov item)',
  checks: [
    'Every `Allow` statement with a `Service` principal has, as a fixed-value condition (a matching operator such as `StringEquals` ',
    'or `ArnLike`, without `IfExists` or a set prefix):\n\n',
    '- `aws:SourceAccount` with account ids, or `aws:SourceArn` with ARNs of a named account (wildcards allowed in the resource ',
    'part: `arn:aws:events:us-east-1:111122223333:rule/*`), or `aws:SourceOrgID` / `aws:SourceOrgPaths`;\n',
    '- or an encryption-context key the service sets (`kms:EncryptionContext:aws:…`: `aws:logs:arn`, `aws:cloudtrail:arn`, ',
    '`aws:sns:topicArn`, …) with ARNs of a named account, as CloudWatch Logs, CloudTrail and SNS document;\n',
    '- or `kms:CallerAccount` with account ids together with `kms:ViaService` with named endpoints.\n\n',
    'A statement that allows nothing but `kms:DescribeKey` (key metadata) is not judged: CloudTrail documents it without conditions.',
  ].join(''),
  fix:
    'Add `conditions: { StringEquals: { \'aws:SourceAccount\': Stack.of(this).account } }`, or `ArnLike` `aws:SourceArn` with the ' +
    'ARN pattern of your resources. `ManagedCmk` writes the conditions for the services its constructs use.',
}, (statements, node, _context, what) =>
  statements.filter(isAllow).every((s) => !hasServicePrincipal(s, node) || describeOnly(s, what) || sourceBound(s, what)),
);

function hasServicePrincipal(statement: PolicyStatementJson, node: Parameters<typeof principalsOf>[1]): boolean {
  return principalsOf(statement, node).some((p) => p.type === 'Service');
}

function describeOnly(statement: PolicyStatementJson, what: string): boolean {
  const actions = kmsActionsOf(statement, what);
  return actions.size === 1 && actions.has(DESCRIBE_KEY);
}

function sourceBound(statement: PolicyStatementJson, what: string): boolean {
  const clauses = clausesOf(statement, what);
  if (fixedValues(clauses, 'aws:SourceAccount', isFixedAccount)) return true;
  if (fixedValues(clauses, 'aws:SourceArn', isAccountBoundArn)) return true;
  if (fixedValues(clauses, 'aws:SourceOrgID', (v) => /^o-[a-z0-9]+$/.test(v) || /^\$\{.+\}$/.test(v))) return true;
  if (clauses.some((c) => c.key === 'aws:sourceorgpaths' && !c.ifExists && c.values.length > 0 && c.values.every((v) => v !== undefined && /^o-[a-z0-9]+\//.test(v)))) {
    return true;
  }
  if (clauses.some((c) => c.key.startsWith(ENCRYPTION_CONTEXT_PREFIX) && fixedValues([c], c.key, isAccountBoundArn))) return true;
  return fixedValues(clauses, KmsCondition.CALLER_ACCOUNT, isFixedAccount) !== undefined
    && fixedValues(clauses, KmsCondition.VIA_SERVICE, isNamedServiceEndpoint) !== undefined;
}
