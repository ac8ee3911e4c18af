import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { variants } from '../private/cfn';
import { KeyChoice, keyChoice } from '../private/encryption';
import { defineRule } from '../private/rule';

/** An SNS topic is encrypted with a customer managed key (see `documentation`). */
export default defineRule('SnsTopicCustomerManagedKey', {
  level: NagMessageLevel.ERROR,
  info: 'The SNS topic is not encrypted with a customer managed KMS key (no KmsMasterKeyId, or an AWS managed key alias/aws/sns).',
  explanation:
    'Without server-side encryption SNS stores messages unencrypted; under the AWS managed key aws/sns, whose policy you cannot change, ' +
    'every principal of the account that may publish can read them through SNS, and no AWS service principal (CloudWatch, EventBridge) ' +
    'can publish at all. A customer managed key puts access under a key policy you control.',
  resources: '`AWS::SNS::Topic`',
  mirrors: 'AWS Config **sns-encrypted-kms**; Checkov **CKV_AWS_26**',
  checks: '`KmsMasterKeyId` is set and is not an AWS managed key (`alias/aws/…`, as an alias, an alias ARN, or built with `Fn::Join`/`Fn::Sub`).',
  fix: '`new sns.Topic(this, id, { masterKey: key })` with a `ManagedCmk` or another customer managed key.',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::SNS::Topic') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const ok = variants(props.KmsMasterKeyId, `KmsMasterKeyId of ${node.node.path}`).every((k) => keyChoice(k) === KeyChoice.CUSTOMER_MANAGED);
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
});
