import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { Conditions } from './conditions';
import { classifyActions } from './writer';
import { PassStep, deferToAppPass } from '../app-pass';
import { isLibraryIdentityPolicy } from '../managed-policy';
import { referencesIn } from '../stack-graph';

/**
 * Identity-policy grants on a library key, made into key-policy grants.
 *
 * aws-cdk-lib grants through `kms.KeyGrants.fromKey(key)` in some L2s (Glue catalogs and tables,
 * the L1 grant traits of S3, SNS, SQS and DynamoDB): for a principal of the key's account that
 * puts the statement in the principal's IAM policy only (`Grant.addToPrincipalOrResource`, with the
 * expired flag `@aws-cdk/aws-kms:defaultKeyPolicies` always on), which a key whose account root
 * administers but does not use (`RootAccess.ADMINISTRATION_ONLY`) does not honour: the grant
 * would be denied at runtime. So the app pass reads every IAM policy of the app: a statement that
 * allows use of a library key (by a reference to the key's ARN) to roles or users of the app gets
 * the same use, with the same conditions, in that key's policy, placed like any grant (stack order,
 * separation of duties). Administration actions are not mirrored: the account root delegates them
 * to IAM already. The IAM statement stays; alone it would grant nothing.
 */

/** What the mirror needs of a library key: its resource, and how to grant. */
export interface IdentityGrantTarget {
  /** The key's own CloudFormation resource. */
  readonly resource: CfnResource;
  /** Grant use of the key to a principal, with conditions as given. */
  grant(principal: iam.IPrincipal, actions: string[], conditions: Conditions): void;
}

const TARGETS = Symbol.for('cdk-kms-governance.IdentityGrantTargets');

/** Register a key with the app's mirror, creating the mirror's pass work on first use. */
export function registerIdentityGrants(scope: IConstruct, target: IdentityGrantTarget): void {
  const root = scope.node.root as IConstruct & { [TARGETS]?: IdentityGrantTarget[] };
  let targets = root[TARGETS];
  if (!targets) {
    const list: IdentityGrantTarget[] = [];
    targets = list;
    Object.defineProperty(root, TARGETS, { value: list });
    deferToAppPass(root, PassStep.PLACE, () => mirror(root, list));
  }
  targets.push(target);
}

function mirror(root: IConstruct, targets: IdentityGrantTarget[]): void {
  const byResource = new Map<IConstruct, IdentityGrantTarget>(targets.map((t) => [t.resource, t]));
  for (const policy of root.node.findAll()) {
    if (!(policy instanceof iam.Policy || policy instanceof iam.ManagedPolicy) || isLibraryIdentityPolicy(policy)) continue;
    const statements = (policy.document.toJSON()?.Statement ?? []) as Array<Record<string, unknown>>;
    const candidates = statements.filter((s) => s.Effect === 'Allow' && s.Action !== undefined && s.Resource !== undefined);
    if (candidates.length === 0) continue;
    let principals: iam.IPrincipal[] | undefined;
    for (const statement of candidates) {
      const keys = new Set(referencesIn(policy, statement.Resource)
        .map((t) => byResource.get(t))
        .filter((t): t is IdentityGrantTarget => t !== undefined));
      if (keys.size === 0) continue;
      const actions = [statement.Action].flat().filter((a): a is string => typeof a === 'string' && a.toLowerCase().startsWith('kms:'));
      const use = usageOf(actions);
      if (use.length === 0) continue;
      principals ??= attachedPrincipals(policy);
      for (const key of keys) {
        for (const principal of principals) key.grant(principal, use, (statement.Condition ?? {}) as Conditions);
      }
    }
  }
}

/** The use (and grant) actions among `actions`; administration is left to IAM. */
function usageOf(actions: string[]): string[] {
  const out: string[] = [];
  for (const action of actions) {
    try {
      const { usage, grants } = classifyActions([action]);
      out.push(...usage, ...grants);
    } catch {
      // A pattern that spans administration and use (kms:*): its use is not mirrored, as the
      // grantee would then both administer and use the key.
    }
  }
  return out;
}

/** The roles and users of the app that a policy is attached to. */
function attachedPrincipals(policy: iam.Policy | iam.ManagedPolicy): iam.IPrincipal[] {
  const cfn = policy.node.defaultChild as iam.CfnPolicy | iam.CfnManagedPolicy;
  const attached = referencesIn(policy, [cfn.roles, cfn.users]);
  const out: iam.IPrincipal[] = [];
  for (const target of attached) {
    const owner = target.node.scope;
    const principal = owner as unknown as iam.IPrincipal | undefined;
    const owned = (target instanceof iam.CfnRole || target instanceof iam.CfnUser) && principal && iam.principalIsOwnedResource(principal);
    if (owned && !out.includes(principal)) out.push(principal);
  }
  return out;
}
