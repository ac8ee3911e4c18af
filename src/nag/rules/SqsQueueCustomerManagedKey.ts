import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { variants } from '../private/cfn';
import { KeyChoice, keyChoice } from '../private/encryption';
import { defineRule } from '../private/rule';

/** An SQS queue is encrypted with a customer managed key (see `documentation`). */
export default defineRule('SqsQueueCustomerManagedKey', {
  level: NagMessageLevel.ERROR,
  info: 'The SQS queue is not encrypted with a customer managed KMS key (SSE-SQS, no encryption, or the AWS managed key alias/aws/sqs).',
  explanation:
    'SSE-SQS and the AWS managed key aws/sqs leave access to the messages to the queue policy and IAM alone; neither shows who ' +
    'decrypted what in CloudTrail, and aws/sqs keeps AWS services such as EventBridge or SNS from delivering to the queue. A customer ' +
    'managed key puts every read under a key policy you control.',
  resources: '`AWS::SQS::Queue`',
  mirrors: 'Security Hub **SQS.1** (which also accepts SSE-SQS); Checkov **CKV_AWS_27**',
  checks:
    '`KmsMasterKeyId` is set and is not an AWS managed key (`alias/aws/…`, also built with `Fn::Join`/`Fn::Sub`). A queue with ' +
    'only `SqsManagedSseEnabled` (SSE-SQS, the default for new queues) is a finding.',
  fix: '`new sqs.Queue(this, id, { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key })`.',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::SQS::Queue') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const ok = variants(props.KmsMasterKeyId, `KmsMasterKeyId of ${node.node.path}`).every((k) => keyChoice(k) === KeyChoice.CUSTOMER_MANAGED);
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
});
