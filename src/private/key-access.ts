import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedKeyBase, ScopedGrantOptions, scopedGrantConditions } from '../managed-cmk';
import { expandKmsAction } from './kms-actions';

/**
 * Let a library role use a key with conditions. A `ManagedCmk` (or replica) takes the grant into
 * its key policy. Any other `IKey` cannot be changed from here, so the statement goes into the
 * role's customer managed policy, which works when that key's policy delegates to IAM (the AWS
 * default key policy does).
 */
export function grantKeyUse(
  key: kms.IKey,
  role: iam.IRole,
  identityPolicy: iam.ManagedPolicy,
  options: ScopedGrantOptions & { readonly actions: string[] },
): void {
  if (key instanceof ManagedKeyBase) {
    key.grantScoped(role, options);
    return;
  }
  const conditions = scopedGrantConditions(options);
  identityPolicy.addStatements(new iam.PolicyStatement({
    actions: [...new Set(options.actions.flatMap((a) => expandKmsAction(a)))].sort(),
    resources: [key.keyArn],
    conditions: Object.keys(conditions).length > 0 ? conditions : undefined,
  }));
}
