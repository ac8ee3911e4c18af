import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { DECRYPT_ANY_KEY_ACTIONS } from '../../private/kms-actions';
import { asArray, flatten, globToRegExp, splitArn } from '../private/cfn';
import { PolicyStatementJson, identityPolicyDocuments, isAllow, kmsActionsOf, policyVariants } from '../private/policy';
import { defineRule } from '../private/rule';

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
    '`NotAction` — on every key: `Resource: "*"`; a KMS ARN whose key part is a wildcard (`arn:aws:kms:*:*:key/*`, ' +
    '`arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*`); an ARN cut short by a trailing wildcard, which IAM matches ' +
    'across the remaining colons (`arn:aws:kms:*`, `arn:aws:*`, `arn:*`); or a `NotResource`. Alias ARNs are not keys. Conditions ' +
    'do not change the finding.',
}, (node, context) => {
  const documents = identityPolicyDocuments(node, context.properties(node));
  if (documents === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  for (const { document, what } of documents) {
    for (const statements of policyVariants(document, what)) {
      if (statements.some((s) => allowsBlockedActionOnAllKeys(s, what))) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
});

function allowsBlockedActionOnAllKeys(statement: PolicyStatementJson, what: string): boolean {
  if (!isAllow(statement)) return false;
  const actions = kmsActionsOf(statement, what);
  if (!DECRYPT_ANY_KEY_ACTIONS.some((a) => actions.has(a))) return false;
  if (statement.NotResource !== undefined) return true;
  return asArray(statement.Resource).some(coversEveryKey);
}

/**
 * Whether a resource pattern covers every key: `*`; an ARN whose service matches `kms` and whose
 * resource part matches any key id (`arn:aws:kms:*:*:key/*`); or an ARN cut short by a trailing
 * wildcard, which IAM matches across the remaining colons (`arn:aws:kms:*`, `arn:aws:*`, `arn:*`).
 * References (`${…}`) in the resource part are specific.
 */
export function coversEveryKey(resource: unknown): boolean {
  const text = flatten(resource);
  if (text === undefined) return false;
  if (/^\*+$/.test(text)) return true;
  const parts = splitArn(text);
  if (parts[0] !== 'arn') return false;
  if (parts.length < 6) {
    // arn:aws:kms:* — the last part's wildcard also matches the parts that are missing.
    if (!parts[parts.length - 1].endsWith('*')) return false;
    return parts.length < 3 || globToRegExp(parts[2], false).test('kms');
  }
  if (!globToRegExp(parts[2], false).test('kms')) return false;
  const resourcePart = globToRegExp(parts.slice(5).join(':'), false);
  return PROBE_KEYS.every((k) => resourcePart.test(k));
}
