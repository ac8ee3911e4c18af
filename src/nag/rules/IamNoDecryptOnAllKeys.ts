import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { DECRYPT_ANY_KEY_ACTIONS } from '../../private/kms-actions';
import { arnParts, asArray, flatten, globToRegExp, isObject, variants } from '../private/cfn';
import { PolicyStatementJson, isAllow, kmsActionsOf, policyVariants } from '../private/policy';
import { RuleContext, defineRule } from '../private/rule';


/** Identity-policy resources with a `PolicyDocument`. */
const POLICY_TYPES = new Set(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy']);
/** Identities with inline `Policies`. */
const IDENTITY_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

/** Two key ARNs that share nothing but the service, to test whether a resource pattern covers every key. */
const PROBE_KEYS = ['key/1234abcd-12ab-34cd-56ef-1234567890ab', 'key/mrk-0f9e8d7c6b5a49382716abcdef012345'];

/** No identity policy decrypts with every key (see `documentation`). */
export default defineRule('IamNoDecryptOnAllKeys', {
  level: NagMessageLevel.ERROR,
  info: 'The IAM policy allows kms:Decrypt or kms:ReEncryptFrom on all KMS keys.',
  explanation:
    'An identity policy that can decrypt with every key of the account (Resource "*" or a key/* wildcard) defeats the key policies that ' +
    'scope use to one workload. Name the keys, or grant use in the key policy (as ManagedCmk does).',
  resources:
    '`AWS::IAM::ManagedPolicy`, `AWS::IAM::Policy`, `AWS::IAM::RolePolicy`, `AWS::IAM::UserPolicy`, `AWS::IAM::GroupPolicy`, and the inline ' +
    '`Policies` of `AWS::IAM::Role`, `AWS::IAM::User`, `AWS::IAM::Group`',
  mirrors: 'Security Hub **KMS.1** (customer managed policies) and **KMS.2** (inline policies)',
  checks:
    'No `Allow` statement covers `kms:Decrypt` or `kms:ReEncryptFrom` — directly or through a wildcard (`kms:*`, `kms:Re*`, `*`) or a ' +
    '`NotAction` — on every key: `Resource: "*"`, a KMS ARN whose key part is a wildcard (`arn:aws:kms:*:*:key/*`, ' +
    '`arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*`), or a `NotResource`. Alias ARNs are not keys. Conditions do not ' +
    'change the finding.',
}, (node, context) => {
  const documents = policyDocumentsOf(node, context);
  if (documents === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  for (const { document, what } of documents) {
    for (const statements of policyVariants(document, what)) {
      if (statements.some((s) => allowsBlockedActionOnAllKeys(s, what))) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
});

function policyDocumentsOf(node: CfnResource, context: RuleContext): Array<{ document: unknown; what: string }> | undefined {
  const isPolicy = POLICY_TYPES.has(node.cfnResourceType);
  if (!isPolicy && !IDENTITY_TYPES.has(node.cfnResourceType)) return undefined;
  const props = context.properties(node);
  if (props === undefined) return undefined;
  if (isPolicy) return [{ document: props.PolicyDocument, what: `the policy document of ${node.node.path}` }];
  const out: Array<{ document: unknown; what: string }> = [];
  for (const policies of variants(props.Policies, `Policies of ${node.node.path}`)) {
    for (const policy of asArray(policies)) {
      const name = isObject(policy) && typeof policy.PolicyName === 'string' ? policy.PolicyName : '?';
      const document = isObject(policy) ? policy.PolicyDocument : policy;
      out.push({ document, what: `the inline policy ${name} of ${node.node.path}` });
    }
  }
  return out;
}

function allowsBlockedActionOnAllKeys(statement: PolicyStatementJson, what: string): boolean {
  if (!isAllow(statement)) return false;
  const actions = kmsActionsOf(statement, what);
  if (!DECRYPT_ANY_KEY_ACTIONS.some((a) => actions.has(a))) return false;
  if (statement.NotResource !== undefined) return true;
  return asArray(statement.Resource).some(coversEveryKey);
}

/**
 * Whether a resource pattern covers every key: `*`, or an ARN whose service matches `kms` and
 * whose resource part matches any key id. References (`${…}`) in the resource part are specific.
 */
export function coversEveryKey(resource: unknown): boolean {
  const text = flatten(resource);
  if (text === undefined) return false;
  if (text === '*') return true;
  const parts = arnParts(text);
  if (parts === undefined) return false;
  if (!globToRegExp(parts[2], false).test('kms')) return false;
  const resourcePart = globToRegExp(parts.slice(5).join(':'), false);
  return PROBE_KEYS.every((k) => resourcePart.test(k));
}
