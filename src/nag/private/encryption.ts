import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { flatten } from './cfn';
import { RuleContext } from './rule';
import { EBS_RESOURCE_TYPE } from '../../private/contracts/ebs-default-encryption.contract';

/**
 * Reading the encryption settings of data stores for the "customer managed key" rules.
 */

/** What a key reference of a resource names. */
export enum KeyChoice {
  /** No key: no KMS encryption at all, or the service's own encryption. */
  NONE = 'none',
  /** An AWS managed key: `alias/aws/<service>`, as an alias name or alias ARN. */
  AWS_MANAGED = 'aws-managed',
  /** A customer managed key: any other key id, ARN, alias or reference. */
  CUSTOMER_MANAGED = 'customer-managed',
}

/**
 * What a key reference (`KmsKeyId`, `KmsMasterKeyId`, `KMSMasterKeyId`) names. `alias/aws/…` is
 * recognized as text also when built with `Fn::Join`/`Fn::Sub`
 * (`arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sns`). A reference
 * (`Fn::GetAtt` of a key, a parameter, an import), or a value that cannot be read as text, is a
 * specific key: customer managed.
 */
export function keyChoice(value: unknown): KeyChoice {
  if (value === undefined || value === null || value === '') return KeyChoice.NONE;
  const text = flatten(value);
  if (text !== undefined && /(^|[:/])alias\/aws\//.test(text)) return KeyChoice.AWS_MANAGED;
  return KeyChoice.CUSTOMER_MANAGED;
}

/**
 * Whether the app sets the EBS default encryption key of `node`'s account and Region with the
 * library's `EbsDefaultEncryption` (a customer managed key by construction): in the same stack, or
 * in a stack of the same literal account and Region.
 */
export function ebsDefaultEncryptionCovers(node: CfnResource, context: RuleContext): boolean {
  const stack = Stack.of(node);
  return context.resourcesOfType(node, EBS_RESOURCE_TYPE).some((r) => {
    const other = Stack.of(r);
    if (other === stack) return true;
    const literal = (s: Stack) => !Token.isUnresolved(s.account) && !Token.isUnresolved(s.region);
    return literal(stack) && literal(other) && other.account === stack.account && other.region === stack.region;
  });
}
