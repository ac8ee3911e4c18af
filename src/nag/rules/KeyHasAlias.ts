import { NagRuleCompliance } from 'cdk-nag';
import { KEY_TYPES } from '../private/policy';
import { defineRule } from '../private/rule';

/**
 * Every key and replica key of the app is the target of an `AWS::KMS::Alias` somewhere in the app:
 * its `TargetKeyId` is the key's `Ref` (key id) or `Fn::GetAtt` `Arn`, in the same stack or across
 * stacks. Aliases let people and policies name a key by purpose, and let an application move to a
 * new key without a code change. Advisory (a warning).
 */
export default defineRule('KeyHasAlias', (node, context) => {
  if (!KEY_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  if (context.properties(node) === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const aliases = context.referrers(node, 'AWS::KMS::Alias', 'TargetKeyId', ['Arn', 'KeyId']);
  return aliases.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
});
