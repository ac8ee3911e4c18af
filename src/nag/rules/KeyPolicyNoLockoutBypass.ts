import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { booleanValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** A key never bypasses the key policy lockout safety check (see `documentation`). */
export default defineRule('KeyPolicyNoLockoutBypass', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key sets BypassPolicyLockoutSafetyCheck to true.',
  explanation:
    'The safety check refuses a key policy that would lock the caller out of the key. Bypassing it lets a deployment make the key unmanageable.',
  resources: '`AWS::KMS::Key`',
  mirrors: 'AWS KMS developer guide, the key policy lockout safety check; Control Tower **CT.KMS.PV.3** (preventive, as an SCP)',
  checks: '`BypassPolicyLockoutSafetyCheck` is never true (in any `Fn::If` branch).',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const what = `BypassPolicyLockoutSafetyCheck of ${node.node.path}`;
  for (const bypass of variants(props.BypassPolicyLockoutSafetyCheck, what)) {
    if (booleanValue(bypass, what) === true) return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
});
