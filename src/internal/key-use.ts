import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ScopedGrantOptions } from '../managed-key';
import { ManagedKeyBase } from '../managed-key-base';
import { hasConditions, scopedGrantConditions } from '../private/key-policy/conditions';
import { expandKmsAction } from '../private/kms-actions';
import { grantInPolicy, managedPolicyOf } from '../private/managed-policy';

/** What `grantKeyUse` grants: scoped actions, and where identity-policy statements go. */
export interface KeyUseOptions extends ScopedGrantOptions {
  /** The actions; always explicit. */
  readonly actions: string[];
  /**
   * The customer managed policy that takes the statement when the key's own policy cannot:
   * a key that is not one of the library's, and a grantee that is a role, user or group of
   * this app.
   *
   * @default - a customer managed policy `KmsGovernanceKeyUse` attached to the grantee
   */
  readonly identityPolicy?: iam.ManagedPolicy;
}

/** The construct id of the customer managed policy that holds a principal's key use. */
const KEY_USE_POLICY_ID = 'KmsGovernanceKeyUse';

/**
 * The one way the library gives scoped use of any `IKey`: every construct that needs a key calls
 * this, so that the same grant means the same thing everywhere.
 *
 * - A key of the library (`ManagedKeyBase.isManagedKey`) takes the grant into its key policy.
 * - Any other key cannot be changed from here. The grant, with the same conditions, goes into a
 *   customer managed policy of the grantee when it is a role, user or group of this app (it works
 *   where that key's policy delegates to IAM, as the AWS default key policy does); otherwise (a
 *   service principal, an imported principal) into the key's resource policy, where the key takes
 *   statements. Never into an inline policy, and never without the conditions.
 */
export function grantKeyUse(key: kms.IKey, grantee: iam.IGrantable, options: KeyUseOptions): iam.Grant {
  if (ManagedKeyBase.isManagedKey(key)) {
    return key.grantScoped(grantee, options);
  }
  const conditions = scopedGrantConditions(options);
  const statementProps = {
    actions: [...new Set(options.actions.flatMap((a) => expandKmsAction(a)))].sort(),
    conditions: hasConditions(conditions) ? conditions : undefined,
  };
  const policy = options.identityPolicy
    ?? managedPolicyOf(grantee.grantPrincipal, KEY_USE_POLICY_ID, 'Scoped use of KMS keys that cdk-kms-governance cannot change (cdk-kms-governance)');
  if (policy) {
    return grantInPolicy(grantee, policy, { ...statementProps, resourceArns: [key.keyArn] });
  }
  return iam.Grant.addToPrincipalOrResource({ grantee, ...statementProps, resourceArns: [key.keyArn], resourceSelfArns: ['*'], resource: key });
}
