import { Annotations, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { shortHash } from '../ids';
import { managedPolicyOf } from '../managed-policy';

/**
 * How a principal in another stack reaches a key policy without a dependency cycle.
 *
 * A key policy that names a principal of another stack makes the key's stack depend on that stack.
 * When the principal's stack must deploy after the key's (it depends on it, or may: its role has a
 * fixed name), the grant is *delegated* instead: the key policy allows the account root on the
 * condition `aws:PrincipalArn`, and the principal gets a customer managed policy for the same
 * actions on the key.
 */

/**
 * The ARN to delegate a grant to, or undefined when the key policy can name the principal itself.
 * Throws when neither works: the principal's stack depends on the key's and its ARN is not known
 * at synth.
 */
export function delegationArn(key: IConstruct, principal: iam.IPrincipal): string | undefined {
  if (!iam.principalIsOwnedResource(principal)) return undefined;
  const keyStack = Stack.of(key);
  const granteeStack = Stack.of(principal);
  if (keyStack === granteeStack || rootStack(keyStack) === rootStack(granteeStack)) return undefined;
  const differs = (a: string, b: string) => Token.compareStrings(a, b) === TokenComparison.DIFFERENT;
  if (differs(keyStack.account, granteeStack.account) || differs(keyStack.region, granteeStack.region)) {
    return undefined; // another environment: CDK's own cross-environment naming applies
  }
  if (dependsOn(keyStack, granteeStack)) return undefined;
  const arn = literalPrincipalArn(principal, keyStack);
  if (arn !== undefined) return arn;
  if (dependsOn(granteeStack, keyStack)) {
    throw new Error(
      `Cannot grant '${principal.node.path}' access to key '${key.node.path}': its stack '${granteeStack.stackName}' ` +
        `depends on the key's stack '${keyStack.stackName}', so the key policy cannot reference it without a cycle. ` +
        "Give the role a fixed 'roleName' (the key policy then names it by ARN), or create it in the key's stack.",
    );
  }
  Annotations.of(key).addInfoV2(
    'cdk-kms-governance:crossStackGrant',
    `The key policy references '${principal.node.path}' in stack '${granteeStack.stackName}', so this stack will deploy after it. ` +
      "If that stack also uses the key, give the role a fixed 'roleName' so that the grant can be delegated instead.",
  );
  return undefined;
}

/** The customer managed policy of a delegated principal for one key, created on first use. */
export function delegatedIdentityPolicy(key: IConstruct, principal: iam.IPrincipal & IConstruct): iam.ManagedPolicy {
  const description = `Use of KMS key ${key.node.path}, delegated by its key policy (cdk-kms-governance)`;
  const policy = managedPolicyOf(principal, `KmsKeyAccess${shortHash(key.node.path)}`, description);
  if (!policy) {
    throw new Error(`Cannot delegate access to key '${key.node.path}' to '${principal.node.path}': it is not a role, user or group.`);
  }
  return policy;
}

/** Whether stack `a` depends on stack `b`, directly or through other stacks. */
function dependsOn(a: Stack, b: Stack): boolean {
  const seen = new Set<Stack>();
  const queue = [...a.dependencies];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (s === b) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    queue.push(...s.dependencies);
  }
  return false;
}

function rootStack(stack: Stack): Stack {
  let s = stack;
  while (s.nestedStackParent) s = s.nestedStackParent;
  return s;
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
