import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { trailsWritingTo } from '../private/audit';
import { numberValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** The shortest retention of a trail's log group. */
const MINIMUM_RETENTION_DAYS = 365;

/** The log group a trail delivers to is encrypted and kept long enough (see `documentation`). */
export default defineRule('AuditLogGroupSecured', {
  level: NagMessageLevel.ERROR,
  info: 'The CloudWatch Logs group of a CloudTrail trail is not KMS-encrypted, or keeps events for less than 365 days.',
  explanation:
    'The audit log of key use must stay confidential and be kept long enough for an investigation. Set KmsKeyId, and RetentionInDays of ' +
    'at least 365 (or no retention: never expire).',
  resources: '`AWS::Logs::LogGroup` that a trail of the app delivers to (others: not applicable)',
  mirrors: 'Security Hub **CloudWatch.16**; Checkov **CKV_AWS_158** (and the intent of CKV_AWS_66)',
  checks:
    '`KmsKeyId` is set, and `RetentionInDays` is at least 365 **or absent**. An absent retention means the events never expire, which ' +
    'satisfies the control: the AWS Config rule behind CloudWatch.16 (`cw-loggroup-retention-period-check`) marks "Never expire" compliant. ' +
    '(Checkov CKV_AWS_66 asks for an explicit retention, a cost concern rather than an audit one; set one if you also run Checkov.)',
}, (node, context) => {
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
