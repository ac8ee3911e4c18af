import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, asArray, booleanValue, isObject, stringValue, variants } from '../private/cfn';
import { KeyChoice, keyChoice } from '../private/encryption';
import { defineRule } from '../private/rule';

/** A DynamoDB table is encrypted with a customer managed key (see `documentation`). */
export default defineRule('DynamoDbTableCustomerManagedKey', {
  level: NagMessageLevel.ERROR,
  info: 'The DynamoDB table is not encrypted with a customer managed KMS key (the AWS owned key, or the AWS managed key aws/dynamodb).',
  explanation:
    'By default DynamoDB encrypts with a key AWS owns, which you cannot audit or revoke; aws/dynamodb lets every principal of the ' +
    'account that may read the table decrypt it, under a key policy you cannot change. A customer managed key puts reads of the ' +
    'table under a key policy you control, and in CloudTrail.',
  resources: '`AWS::DynamoDB::Table`, `AWS::DynamoDB::GlobalTable` (and each of its replicas)',
  mirrors: 'Checkov **CKV_AWS_119**',
  checks: [
    '`SSESpecification.SSEEnabled` is true, `SSEType` is `KMS` or absent, and the key is customer managed: `KMSMasterKeyId` on a ',
    'table; `SSESpecification.KMSMasterKeyId` of **every** replica of a global table. No `SSESpecification`, `SSEEnabled: false` ',
    '(the AWS owned key), or no key id (aws/dynamodb) is a finding, and so is `alias/aws/…`.',
  ].join(''),
  fix: '`new dynamodb.TableV2(this, id, { encryption: dynamodb.TableEncryptionV2.customerManagedKey(key) })`.',
}, (node, context) => {
  const type = node.cfnResourceType;
  if (type !== 'AWS::DynamoDB::Table' && type !== 'AWS::DynamoDB::GlobalTable') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const path = node.node.path;
  const relevant = type === 'AWS::DynamoDB::Table' ? { SSESpecification: props.SSESpecification } : { SSESpecification: props.SSESpecification, Replicas: props.Replicas };
  for (const p of variants(relevant, `The encryption settings of ${path}`) as Json[]) {
    const sse = isObject(p.SSESpecification) ? p.SSESpecification : undefined;
    if (!sse || booleanValue(sse.SSEEnabled, `SSEEnabled of ${path}`) !== true) return NagRuleCompliance.NON_COMPLIANT;
    if ((stringValue(sse.SSEType, `SSEType of ${path}`) ?? 'KMS') !== 'KMS') return NagRuleCompliance.NON_COMPLIANT;
    const keys = type === 'AWS::DynamoDB::Table'
      ? [sse.KMSMasterKeyId]
      : asArray(p.Replicas).map((r) => (isObject(r) && isObject(r.SSESpecification) ? r.SSESpecification.KMSMasterKeyId : undefined));
    if (keys.length === 0 || keys.some((k) => keyChoice(k) !== KeyChoice.CUSTOMER_MANAGED)) return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
});
