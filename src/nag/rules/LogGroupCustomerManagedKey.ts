import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { trailsWritingTo } from '../private/audit';
import { variants } from '../private/cfn';
import { KeyChoice, keyChoice } from '../private/encryption';
import { defineRule } from '../private/rule';

/** A CloudWatch Logs group is encrypted with a customer managed key (see `documentation`). */
export default defineRule('LogGroupCustomerManagedKey', {
  level: NagMessageLevel.ERROR,
  info: 'The CloudWatch Logs group is not encrypted with a customer managed KMS key (no KmsKeyId).',
  explanation:
    'Without KmsKeyId CloudWatch Logs encrypts with a key of its own: anyone who may read the log group reads the events, and you ' +
    'cannot revoke access by key or see key use in CloudTrail. Logs often hold what the data store protects (payloads, tokens, ' +
    'error messages).',
  resources: '`AWS::Logs::LogGroup` that no trail of the app delivers to (those are `AuditLogGroupSecured`\'s)',
  mirrors: 'Checkov **CKV_AWS_158**; cdk-nag HIPAA/NIST/PCI **CloudWatchLogGroupEncrypted**',
  checks:
    '`KmsKeyId` is set and is not an AWS managed key (`alias/aws/…`). Log groups that a CloudTrail trail of the app delivers to are ' +
    'not applicable: `AuditLogGroupSecured` checks their key and retention.',
  fix:
    '`new logs.LogGroup(this, id, { encryptionKey: key })`; the key policy must let `logs.<region>.amazonaws.com` use the key, with ' +
    'an `ArnLike` `kms:EncryptionContext:aws:logs:arn` condition on the log group ARN, as CloudWatch Logs documents.',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::Logs::LogGroup') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined || trailsWritingTo(node, context).length > 0) return NagRuleCompliance.NOT_APPLICABLE;
  const ok = variants(props.KmsKeyId, `KmsKeyId of ${node.node.path}`).every((k) => keyChoice(k) === KeyChoice.CUSTOMER_MANAGED);
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
});
