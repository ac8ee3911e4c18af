import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { CREATE_GRANT_ACTIONS, KmsCondition } from '../../private/kms-actions';
import { ConditionClause, clausesOf, fixedValues, isNamedServiceEndpoint } from '../private/conditions';
import { PolicyStatementJson, PrincipalKind, identityPolicyDocuments, isAllow, isDeny, kmsActionsOf, keyPolicyVariants, policyVariants, principalsOf, KEY_TYPES } from '../private/policy';
import { defineRule } from '../private/rule';

const CREATE_GRANT = CREATE_GRANT_ACTIONS[0];
const GRANT_IS_FOR_AWS_RESOURCE = KmsCondition.GRANT_IS_FOR_AWS_RESOURCE.toLowerCase();
const PRINCIPAL_IS_AWS_SERVICE = 'aws:principalisawsservice';

/** kms:CreateGrant is allowed only for grants an AWS service makes for an AWS resource (see `documentation`). */
export default defineRule('CreateGrantForAwsResourcesOnly', {
  level: NagMessageLevel.ERROR,
  info: 'The policy allows kms:CreateGrant without kms:GrantIsForAWSResource (or kms:ViaService), so grants can give away use of the key.',
  explanation:
    'A grant can allow any principal to use the key, outside the key policy. Creating grants should be possible only for an AWS service ' +
    'that attaches the key to an AWS resource (EBS, RDS, …): condition every kms:CreateGrant on kms:GrantIsForAWSResource true, or ' +
    'on kms:ViaService, or deny all other grants in the key policy as the Control Tower control does.',
  resources:
    '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey` (key policies) and the identity policies `IamNoDecryptOnAllKeys` reads ' +
    '(`AWS::IAM::ManagedPolicy`, `AWS::IAM::Policy`, inline `Policies`, …)',
  mirrors: 'Control Tower **CT.KMS.PR.3** (proactive) and **CT.KMS.PV.1** (preventive); AWS KMS developer guide, `kms:GrantIsForAWSResource`',
  checks: [
    'Every `Allow` statement that covers `kms:CreateGrant` (directly, or through `kms:*`, `kms:Create*`, `*` or a `NotAction`) has a ',
    'condition `Bool` (or `BoolIfExists`) `kms:GrantIsForAWSResource` `true`, or `kms:ViaService` equal to named service endpoints ',
    '(grants only through that service, as in the AWS managed keys\' policy). Not judged: the key\'s own account root in a key ',
    'policy (it delegates to IAM policies, which this rule reads) and `Service` principals (an AWS service itself).\n\n',
    'A key policy with the Control Tower statement — a `Deny` of `kms:CreateGrant` for `"*"` with `BoolIfExists` ',
    '`kms:GrantIsForAWSResource` `false` (and optionally `aws:PrincipalIsAWSService` `false`) — complies whatever it allows.',
  ].join(''),
  fix: [
    'Add the condition: `conditions: { Bool: { \'kms:GrantIsForAWSResource\': \'true\' } }`. `ManagedCmk` gives `kms:CreateGrant` to ',
    'its `serviceUsers` only, with that condition. The console\'s default key administrators statement (`kms:Create*`) is a finding: ',
    'write `kms:CreateAlias` instead.',
  ].join(''),
}, (node, context) => {
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  if (KEY_TYPES.has(node.cfnResourceType)) {
    const what = `the key policy of ${node.node.path}`;
    const ok = keyPolicyVariants(props, node).every((statements) =>
      statements.some((s) => deniesOtherGrants(s, node, what)) || statements.every((s) => grantsOnlyForAwsResources(s, node, what, true)));
    return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  const documents = identityPolicyDocuments(node, props);
  if (documents === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  for (const { document, what } of documents) {
    for (const statements of policyVariants(document, what)) {
      if (!statements.every((s) => grantsOnlyForAwsResources(s, node, what, false))) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
});

function grantsOnlyForAwsResources(statement: PolicyStatementJson, node: CfnResource, what: string, keyPolicy: boolean): boolean {
  if (!isAllow(statement) || !kmsActionsOf(statement, what).has(CREATE_GRANT)) return true;
  if (keyPolicy) {
    const principals = principalsOf(statement, node);
    if (principals.length > 0 && principals.every((p) => p.kind === PrincipalKind.ACCOUNT_ROOT || p.type === 'Service')) return true;
  }
  const clauses = clausesOf(statement, what);
  return grantIsForAwsResource(clauses) || fixedValues(clauses, KmsCondition.VIA_SERVICE, isNamedServiceEndpoint) !== undefined;
}

function grantIsForAwsResource(clauses: readonly ConditionClause[]): boolean {
  return clauses.some((c) => c.key === GRANT_IS_FOR_AWS_RESOURCE && c.base === 'Bool' && c.set === undefined && c.values.length > 0 && c.values.every((v) => v === 'true'));
}

/**
 * The Control Tower statement: a Deny of CreateGrant for everyone unless the grant is for an AWS
 * resource (or the caller is an AWS service).
 */
function deniesOtherGrants(statement: PolicyStatementJson, node: CfnResource, what: string): boolean {
  if (!isDeny(statement) || statement.NotPrincipal !== undefined || !kmsActionsOf(statement, what).has(CREATE_GRANT)) return false;
  if (!principalsOf(statement, node).some((p) => p.type === '*' || (p.type === 'AWS' && p.value === '*'))) return false;
  const clauses = clausesOf(statement, what);
  const isFalse = (c: ConditionClause) => c.base === 'Bool' && c.set === undefined && c.values.length > 0 && c.values.every((v) => v === 'false');
  return clauses.some((c) => c.key === GRANT_IS_FOR_AWS_RESOURCE && isFalse(c))
    && clauses.every((c) => (c.key === GRANT_IS_FOR_AWS_RESOURCE || c.key === PRINCIPAL_IS_AWS_SERVICE) && isFalse(c));
}
