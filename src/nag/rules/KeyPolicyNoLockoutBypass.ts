import { NagRuleCompliance } from 'cdk-nag';
import { booleanValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/**
 * A key never sets `BypassPolicyLockoutSafetyCheck: true`, which lets CloudFormation install a key
 * policy that locks everyone, the deployer included, out of the key.
 *
 * AWS KMS developer guide (the key policy lockout safety check).
 */
export default defineRule('KeyPolicyNoLockoutBypass', (node, context) => {
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const what = `BypassPolicyLockoutSafetyCheck of ${node.node.path}`;
  for (const bypass of variants(props.BypassPolicyLockoutSafetyCheck, what)) {
    if (booleanValue(bypass, what) === true) return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
});
