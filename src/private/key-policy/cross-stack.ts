import { CfnResource, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { PassStep, deferToAppPass } from '../app-pass';
import { shortHash } from '../ids';
import { GlobalCondition } from '../kms-actions';
import { managedPolicyOf, markLibraryIdentityPolicy } from '../managed-policy';
import { edge, rootStack } from '../stack-graph';

/**
 * How a principal of another stack gets into a key policy without a dependency cycle.
 *
 * Naming a principal of another stack makes the key's stack deploy after the principal's; giving
 * the principal an identity policy on the key makes it the other way round. Which one works
 * depends on references the whole app makes (an app stack that encrypts with the key deploys after
 * the key's stack), so the choice waits for the app pass, which knows the stack order:
 *
 * - the key's stack deploys after the principal's: the key policy names the principal;
 * - otherwise (the principal's stack deploys after the key's, or they are independent): the key
 *   policy admits the account's principals on a condition that identifies this one without a
 *   reference, and the principal gets a customer managed policy for the same actions on the key
 *   (the key policy lets IAM grant nothing else). The condition is `aws:PrincipalArn` when the ARN
 *   is known at synth (an imported ARN, a fixed role or user name), and otherwise the principal tag
 *   `PRINCIPAL_TAG`, which the library writes on the role or user in its own stack.
 *
 * Either way the key policy says who may use the key: a principal ARN, or the principal tag value
 * (the stack and construct path of the role); README "Across stacks" tells auditors how to list the
 * tagged roles, and `KeyGrantTagGuardrail` keeps anyone but the deployment from setting the tag.
 */

/** The principal tag that identifies a role or user of another stack in a key policy. */
export const PRINCIPAL_TAG = 'cdk-kms-governance:principal';

/** How a principal of another stack is placed in the key policy. */
export type Placement =
  | { readonly kind: 'direct' }
  | {
    readonly kind: 'delegated';
    /** The condition on the account root statement that identifies the principal. */
    readonly operator: 'ArnEquals' | 'StringEquals';
    readonly key: string;
    readonly value: string;
    /** The principal's customer managed policy for this key, in its own stack. */
    readonly identityPolicy: iam.ManagedPolicy;
  };

/**
 * Whether the placement of `principal` in the key policy of `key` must wait for the stack order:
 * a role, user or group of this app in another stack of the same environment. (A principal of
 * another environment is named by CDK's cross-environment physical names, as before.)
 */
export function placementWaitsForStackOrder(key: IConstruct, principal: iam.IPrincipal): principal is iam.IPrincipal & IConstruct {
  if (!iam.principalIsOwnedResource(principal)) return false;
  const keyStack = rootStack(Stack.of(key));
  const principalStack = rootStack(Stack.of(principal));
  if (keyStack === principalStack) return false;
  const differs = (a: string, b: string) => Token.compareStrings(a, b) === TokenComparison.DIFFERENT;
  return !differs(keyStack.account, principalStack.account) && !differs(keyStack.region, principalStack.region);
}

/** Place a principal of another stack once the stack order is known; `place` writes the statement. */
export function placeWhenStackOrderIsKnown(key: IConstruct, principal: iam.IPrincipal & IConstruct, place: (placement: Placement) => void): void {
  deferToAppPass(key, PassStep.PLACE, (context) => {
    const graph = context.graph();
    const keyStack = Stack.of(key);
    const principalStack = Stack.of(principal);
    if (graph.dependsOn(keyStack, principalStack)) {
      place({ kind: 'direct' });
      return;
    }
    // The principal's stack deploys after the key's: its identity policy references the key.
    graph.add(principalStack, keyStack, edge(principal, key, 'references'));
    const identityPolicy = delegatedIdentityPolicy(key, principal);
    const arn = literalPrincipalArn(principal, keyStack);
    if (arn !== undefined) {
      place({ kind: 'delegated', operator: 'ArnEquals', key: GlobalCondition.PRINCIPAL_ARN, value: arn, identityPolicy });
    } else {
      place({ kind: 'delegated', operator: 'StringEquals', key: `aws:PrincipalTag/${PRINCIPAL_TAG}`, value: tagPrincipal(principal, key), identityPolicy });
    }
  });
}

/**
 * The value of the principal tag: the principal's stack name and its path in the stack, which no
 * other role of the account has while that stack exists (stack names are unique in an account and
 * Region), with the Region. Characters that tags do not allow become `_`, and the value then ends in
 * a hash of the exact path.
 */
export function principalTagValue(principal: IConstruct): string {
  const stack = Stack.of(principal);
  const inStack = principal.node.path.slice(stack.node.path.length + 1);
  const name = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const raw = `${name}/${inStack}`;
  let value = raw.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_');
  const region = Token.isUnresolved(stack.region) ? '' : `${stack.region}/`;
  if (value !== raw || region.length + value.length > 256) value = `${value.slice(0, 256 - region.length - 9)}-${shortHash(raw)}`;
  return `${region}${value}`;
}

/** Write the principal tag on the role or user, in its own stack; returns its value. */
function tagPrincipal(principal: iam.IPrincipal & IConstruct, key: IConstruct): string {
  const resource = principal.node.defaultChild;
  if (!(resource instanceof iam.CfnRole || resource instanceof iam.CfnUser)) {
    throw new Error(
      `Cannot grant '${principal.node.path}' use of key '${key.node.path}' from another stack: only a role or a user can be identified ` +
        'by a key policy without a reference (IAM groups have no tags and are no principals). Grant the roles or users instead.',
    );
  }
  const value = principalTagValue(principal);
  const existing = (resource as CfnResource & { tags: { tagValues(): Record<string, string> } }).tags.tagValues()[PRINCIPAL_TAG];
  if (existing === undefined) resource.tags.setTag(PRINCIPAL_TAG, value);
  return value;
}

/** The customer managed policy of a delegated principal for one key, created on first use. */
function delegatedIdentityPolicy(key: IConstruct, principal: iam.IPrincipal & IConstruct): iam.ManagedPolicy {
  const description = `Use of KMS key ${key.node.path}, delegated by its key policy (cdk-kms-governance)`;
  const policy = managedPolicyOf(principal, `KmsKeyAccess${shortHash(key.node.path)}`, description);
  if (!policy) {
    throw new Error(`Cannot delegate access to key '${key.node.path}' to '${principal.node.path}': it is not a role, user or group.`);
  }
  markLibraryIdentityPolicy(policy);
  return policy;
}

/**
 * The ARN of a role or user when it is known at synth without referencing its stack: an
 * imported ARN, or a fixed `roleName`/`userName`.
 */
function literalPrincipalArn(principal: iam.IPrincipal & IConstruct, keyStack: Stack): string | undefined {
  const p = principal as any;
  for (const attr of ['roleArn', 'userArn']) {
    if (typeof p[attr] === 'string' && !Token.isUnresolved(p[attr])) return p[attr];
  }
  const cfn = principal.node.defaultChild;
  const fixed = (name: unknown): name is string => typeof name === 'string' && !Token.isUnresolved(name);
  if (cfn instanceof iam.CfnRole && fixed(cfn.roleName)) {
    return keyStack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${(cfn.path ?? '/').slice(1)}${cfn.roleName}` });
  }
  if (cfn instanceof iam.CfnUser && fixed(cfn.userName)) {
    return keyStack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: `${(cfn.path ?? '/').slice(1)}${cfn.userName}` });
  }
  return undefined;
}
