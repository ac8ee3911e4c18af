import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** The mark of an identity policy that holds a grant the key policy delegates (see key-policy/cross-stack.ts). */
const LIBRARY_POLICY = Symbol.for('cdk-kms-governance.LibraryIdentityPolicy');

/** Mark a customer managed policy as the IAM side of a key-policy grant, which key-policy/identity-grants.ts leaves alone. */
export function markLibraryIdentityPolicy(policy: iam.ManagedPolicy): void {
  if (!isLibraryIdentityPolicy(policy)) Object.defineProperty(policy, LIBRARY_POLICY, { value: true });
}

/** Whether a policy is the IAM side of a key-policy grant. */
export function isLibraryIdentityPolicy(policy: IConstruct): boolean {
  return LIBRARY_POLICY in policy;
}

/** What an identity-policy grant allows. */
export interface IdentityGrantOptions {
  readonly actions: string[];
  readonly resourceArns: string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * The customer managed policy with the given id on a role, user or group, created and attached on
 * first use. Identity permissions the library grants go here instead of the principal's inline
 * default policy, which cdk-nag's IAMNoInlinePolicy flags. Returns undefined for a principal
 * that is not a role, user or group construct of this app.
 */
export function managedPolicyOf(principal: iam.IPrincipal, id: string, description: string): iam.ManagedPolicy | undefined {
  if (!iam.principalIsOwnedResource(principal)) return undefined;
  const owner = principal as iam.IPrincipal & IConstruct;
  const existing = owner.node.tryFindChild(id);
  if (existing) return existing as iam.ManagedPolicy;
  const p = principal as any;
  const attach = typeof p.roleName === 'string' ? 'attachToRole' : typeof p.userName === 'string' ? 'attachToUser' : typeof p.groupName === 'string' ? 'attachToGroup' : undefined;
  if (!attach) return undefined;
  const policy = new iam.ManagedPolicy(owner, id, { description });
  policy[attach](p);
  return policy;
}

/** Grant identity permissions in the given customer managed policy. */
export function grantInPolicy(grantee: iam.IGrantable, policy: iam.ManagedPolicy, options: IdentityGrantOptions): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee: { grantPrincipal: new PolicyHolder(grantee.grantPrincipal, policy) }, ...options });
}

/**
 * Grant identity permissions through `managedPolicyOf`, falling back to the principal's own policy
 * (as `iam.Grant.addToPrincipal` does) for principals the app does not own.
 */
export function grantThroughManagedPolicy(grantee: iam.IGrantable, id: string, description: string, options: IdentityGrantOptions): iam.Grant {
  const policy = managedPolicyOf(grantee.grantPrincipal, id, description);
  return policy ? grantInPolicy(grantee, policy, options) : iam.Grant.addToPrincipal({ grantee, ...options });
}

/** Stands for the principal, and puts the grant's statement into the managed policy. */
class PolicyHolder extends iam.PrincipalBase {
  public readonly assumeRoleAction: string;
  public readonly policyFragment: iam.PrincipalPolicyFragment;
  public readonly principalAccount: string | undefined;

  constructor(principal: iam.IPrincipal, private readonly policy: iam.ManagedPolicy) {
    super();
    this.assumeRoleAction = principal.assumeRoleAction;
    this.policyFragment = principal.policyFragment;
    this.principalAccount = principal.principalAccount;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}
