import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { KEY_TYPES } from '../private/policy';
import { defineRule } from '../private/rule';

/** Every key of the app has an alias (advisory; see `documentation`). */
export default defineRule('KeyHasAlias', {
  level: NagMessageLevel.WARN,
  info: 'The KMS key has no alias in the app.',
  explanation:
    'An alias names a key by its purpose in consoles, logs and policies, and lets applications move to a new key without a code change. ' +
    'Advisory: a warning, which never fails synthesis.',
  resources: '`AWS::KMS::Key`, `AWS::KMS::ReplicaKey`',
  mirrors: 'AWS KMS best practice (no Security Hub / CIS / Checkov item)',
  checks:
    "Some `AWS::KMS::Alias` of the app targets the key: its `TargetKeyId` is the key's `Ref`, or `Fn::GetAtt` `Arn` or `KeyId`, " +
    'in the same stack or in another (`Fn::ImportValue` after synthesis).',
  fix: '`key.addAlias(...)`, or `new kms.Key(this, id, { alias })`. `ManagedCmk` and `ManagedCmkReplica` require one.',
}, (node, context) => {
  if (!KEY_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  if (context.properties(node) === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const aliases = context.referrers(node, 'AWS::KMS::Alias', 'TargetKeyId', ['Arn', 'KeyId']);
  return aliases.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
});
