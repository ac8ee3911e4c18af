import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ManagedCmk } from '../managed-cmk';

/** The construct id of the per-stack operational key. Changing it would replace the key. */
export const OPERATIONAL_KEY_ID = 'KmsGovernanceOperationalKey';

/**
 * The key that encrypts what the library itself creates in a stack: the log groups and dead-letter
 * queues of its Lambda functions, and its alarm topics. One per stack, found through the construct
 * tree (never a static cache), created on first use.
 *
 * It is kept apart from the keys the library governs, so that a disabled or deleted data key does
 * not silence the canary that reports it.
 */
export function operationalKey(scope: Construct): ManagedCmk {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(OPERATIONAL_KEY_ID);
  if (existing) return existing as ManagedCmk;
  return new ManagedCmk(stack, OPERATIONAL_KEY_ID, {
    alias: `cdk-kms-governance/${stack.stackName}/operations`,
    description: 'Encrypts the log groups, dead-letter queues and alarm topics of cdk-kms-governance in this stack',
  });
}
