import { NagRuleCompliance } from 'cdk-nag';
import { trailsWritingTo } from '../private/audit';
import { numberValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** The shortest retention of a trail's log group. */
const MINIMUM_RETENTION_DAYS = 365;

/**
 * A log group that a trail of the app delivers to is encrypted with a KMS key (`KmsKeyId`) and
 * keeps events for at least 365 days. No `RetentionInDays` means the events never expire, which
 * satisfies the control (the AWS Config rule behind CloudWatch.16 marks "Never expire"
 * compliant). Other log groups are not applicable.
 *
 * Security Hub CloudWatch.16, Checkov CKV_AWS_158 (and the intent of CKV_AWS_66).
 */
export default defineRule('AuditLogGroupSecured', (node, context) => {
  if (node.cfnResourceType !== 'AWS::Logs::LogGroup') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined || trailsWritingTo(node, context).length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const path = node.node.path;
  for (const key of variants(props.KmsKeyId, `KmsKeyId of ${path}`)) {
    if (key === undefined || key === '') return NagRuleCompliance.NON_COMPLIANT;
  }
  const what = `RetentionInDays of ${path}`;
  for (const retention of variants(props.RetentionInDays, what)) {
    const days = numberValue(retention, what);
    if (days !== undefined && days < MINIMUM_RETENTION_DAYS) return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
});
