import { Annotations, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { Conditions, resolveConditions, viaServiceConditions, withGrantForAwsResource } from './conditions';
import { Placement, placeWhenStackOrderIsKnown, placementWaitsForStackOrder } from './cross-stack';
import {
  crossAccountSplit,
  describePrincipal,
  holdsWildcard,
  identityCenterPatterns,
  isIdentityCenterPrincipal,
  isOrganizationPrincipal,
  isOtherAccountPrincipal,
  isWildcardPrincipal,
} from './principals';
import { PassStep, deferToAppPass } from '../app-pass';
import { shortHash } from '../ids';
import { KeyPolicySink, KeyPolicyStatements, StatementRequest, StatementRole, principalIdentity } from './statements';
import {
  ADMINISTRATION_ONLY_ACTIONS,
  ALL_KMS_ACTIONS,
  CREATE_GRANT_ACTIONS,
  ENCRYPTION_CONTEXT_PREFIX,
  GRANT_ACTIONS,
  GlobalCondition,
  KEY_MATERIAL_ACTIONS,
  KmsCondition,
  NEUTRAL_ACTIONS,
  Sid,
  USE_OR_CONFER_USE_ACTIONS,
  adminActionsFor,
  adminSid,
  expandKmsAction,
  grantSid,
  usageActionsFor,
} from '../kms-actions';
import { edge, referencesIn, rootStack } from '../stack-graph';

/**
 * What the writer needs of the key it writes the policy of, the way aws-kms's `KeyGrants` takes
 * an `IKeyRef`: its construct (for the stack and the path), its ARN, usage and spec.
 */
export interface KeyPolicyHost extends IConstruct {
  readonly keyArn: string;
  readonly keyUsage: string;
  readonly keySpec: string;
  /** Where the key material comes from: `AWS_KMS` (absent) or `EXTERNAL` (imported). */
  readonly keyMaterialOrigin?: string;
}

/** How the writer treats a key's principals. */
export interface KeyPolicyWriterOptions {
  /** The account root gets `kms:*` (the AWS default) instead of the administration actions. */
  readonly rootFullAccess: boolean;
  /** The `kms:ViaService` endpoints that usage statements are limited to, if any. */
  readonly viaServices?: string[];
  /** Whether a principal may both administer and use the key. */
  readonly allowAdministratorsAsUsers: boolean;
  /** Whether principals other than AWS services may create grants that are not for AWS resources. */
  readonly allowGrantsOutsideAwsResources: boolean;
}

/** The principals of the props lists (`KeyPolicyOptions`). */
export interface KeyPolicyPrincipals {
  readonly administrators?: iam.IPrincipal[];
  readonly users?: iam.IPrincipal[];
  readonly serviceUsers?: iam.IPrincipal[];
}

/** The options of one grant. */
export interface GrantOptions {
  /** Conditions of the grant. Explicit grants use them as given; others add the key's `viaServices`. */
  readonly conditions?: Conditions;
  /** The Sid base; derived from the actions when absent. */
  readonly sid?: string;
  /** Whether `conditions` are complete as given (scoped grants), or the key's defaults apply. */
  readonly explicit?: boolean;
}

/**
 * How a grant becomes key-policy statements: the actions split by separation of duties, each part
 * placed in its statement (shared by the props lists, per principal for grant methods), cross-stack
 * principals delegated, and the roles of each principal kept for the separation-of-duties check.
 */
export class KeyPolicyWriter {
  /** The statements, with the key policy document. */
  public readonly statements: KeyPolicyStatements;
  private readonly principalRoles = new Map<string, { label: string; roles: Set<StatementRole> }>();
  /** Administrators are denied use in the key policy itself, whatever IAM allows them. */
  private adminDeny?: iam.PolicyStatement;
  private readonly deniedAdmins = new Set<string>();
  /** Statements for principals of other stacks, and those of them placed by the app pass. */
  private readonly unplaced: Array<{ statement: iam.PolicyStatement; path: string }> = [];
  private readonly placed = new Set<iam.PolicyStatement>();
  /** The values of the conditions that deny delegated administrators use, by Sid. */
  private readonly delegatedAdmins = new Map<string, string[]>();
  /** The role patterns of Identity Center administrators, denied use in one statement. */
  private identityCenterDeny?: string[];

  constructor(private readonly host: KeyPolicyHost, private readonly options: KeyPolicyWriterOptions) {
    this.statements = new KeyPolicyStatements(host);
  }

  /** The usage actions of the key, by its usage and spec. */
  public get usageActions(): readonly string[] {
    return usageActionsFor(this.host.keyUsage, this.host.keySpec);
  }

  /** The administration actions of the key: with the key-material actions when its material is imported. */
  public get adminActions(): readonly string[] {
    return adminActionsFor(this.host.keyMaterialOrigin);
  }

  /** Write the root statement and the props lists: `KeyAdministration`, `KeyUsage`, `KeyGrantsForAwsResources`. */
  public writeDefaults(principals: KeyPolicyPrincipals): void {
    const root = new iam.AccountRootPrincipal();
    if (this.options.rootFullAccess) {
      this.share(root, { sid: Sid.ROOT_FULL_ACCESS, role: StatementRole.ROOT, actions: [ALL_KMS_ACTIONS] });
    } else {
      this.share(root, { sid: Sid.ROOT_ADMINISTRATION, role: StatementRole.ROOT, actions: this.adminActions });
    }
    const usage = { sid: Sid.USAGE, role: StatementRole.USAGE, actions: this.usageActions, conditions: this.defaultConditions() };
    const grants = {
      sid: Sid.GRANTS_FOR_AWS_RESOURCES,
      role: StatementRole.GRANTS,
      actions: GRANT_ACTIONS,
      conditions: withGrantForAwsResource(usage.conditions),
    };
    (principals.administrators ?? []).forEach((p, i) => {
      this.assertPrincipal(p, StatementRole.ADMIN, `administrators[${i}]`, {});
      const sid = isIdentityCenterPrincipal(p) ? Sid.ADMINISTRATION_IDENTITY_CENTER : Sid.ADMINISTRATION;
      const { actions, crossAccount } = this.administrationFor(p, this.adminActions, `administrators[${i}]`);
      this.share(p, { sid: crossAccount ? Sid.ADMINISTRATION_CROSS_ACCOUNT : sid, role: StatementRole.ADMIN, actions });
    });
    const usageFor = (p: iam.IPrincipal) => {
      if (isOrganizationPrincipal(p)) return { ...usage, sid: Sid.USAGE_ORGANIZATION };
      return isIdentityCenterPrincipal(p) ? { ...usage, sid: Sid.USAGE_IDENTITY_CENTER } : usage;
    };
    (principals.users ?? []).forEach((p, i) => {
      this.assertPrincipal(p, StatementRole.USAGE, `users[${i}]`, usage.conditions);
      this.share(p, usageFor(p));
    });
    (principals.serviceUsers ?? []).forEach((p, i) => {
      this.assertPrincipal(p, StatementRole.USAGE, `serviceUsers[${i}]`, usage.conditions);
      this.share(p, usageFor(p));
      this.share(p, grants);
    });
    if (!this.options.allowGrantsOutsideAwsResources) this.statements.addRaw(denyGrantsNotForAwsResources());
  }

  /**
   * Grant actions. They are split into administration, use and grant management; a grant that
   * mixes administration and use is an error (separation of duties).
   */
  public grant(grantee: iam.IGrantable, actions: readonly string[], opts: GrantOptions = {}): iam.Grant {
    const { admin, usage, grants } = classifyActions(actions);
    if (admin.length > 0 && (usage.length > 0 || grants.length > 0)) {
      throw new Error(
        `'actions' must not mix administration (${admin.join(', ')}) and use (${[...usage, ...grants].join(', ')}) of the key in one grant: ` +
          'separation of duties. Grant them separately, to different principals.',
      );
    }
    this.assertApplicable(usage);
    this.assertKeyMaterialApplicable(admin);
    const base = opts.explicit ? opts.conditions ?? {} : this.defaultConditions();
    const principal = grantee.grantPrincipal;
    this.assertPrincipal(principal, admin.length > 0 ? StatementRole.ADMIN : StatementRole.USAGE, 'grantee', admin.length > 0 ? opts.conditions ?? {} : base);
    const placed: iam.Grant[] = [];
    if (admin.length > 0) {
      const administration = this.administrationFor(principal, admin, 'grantee');
      const sid = opts.sid ?? (administration.crossAccount ? Sid.ADMINISTRATION_CROSS_ACCOUNT : adminSid(administration.actions));
      const { actions: adminActions } = administration;
      placed.push(this.place(grantee, { sid, role: StatementRole.ADMIN, actions: adminActions, conditions: opts.conditions, shared: false }));
    }
    if (usage.length > 0) {
      const sid = opts.sid ?? grantSid(usage, this.usageActions);
      placed.push(this.place(grantee, { sid, role: StatementRole.USAGE, actions: usage, conditions: base, shared: false }));
    }
    if (grants.length > 0) {
      // A named grant that also gives use keeps the name for the use: its CreateGrant part gets a suffix.
      const sid = opts.sid ? (usage.length > 0 ? `${opts.sid}Grants` : opts.sid) : Sid.GRANTS_FOR_AWS_RESOURCES;
      const conditions = withGrantForAwsResource(base);
      placed.push(this.place(grantee, { sid, role: StatementRole.GRANTS, actions: grants, conditions, shared: false }));
    }
    return placed.reduce((a, b) => a.combine(b));
  }

  /**
   * Add a statement as is (`addToResourcePolicy`). An Allow for an AWS service principal without a
   * source condition gets `aws:SourceAccount`, as grants do. A statement that references a resource
   * of another stack waits for the stack order: when that stack deploys after the key's (a
   * subscription in an app stack names its topic), a service principal's conditions on it are
   * narrowed to the account, as naming the resource would cycle; any other such statement is an
   * error that says which.
   */
  public addStatement(statement: iam.PolicyStatement): void {
    const service = statement.principals.find((p) => 'Service' in p.policyFragment.principalJson);
    const forService = statement.effect === iam.Effect.ALLOW && service !== undefined;
    if (forService) this.addSourceAccount(statement, service!);
    const keyStack = Stack.of(this.host);
    const foreign = referencesIn(this.host, statement.toStatementJson()).filter((t) => rootStack(Stack.of(t)) !== rootStack(keyStack));
    if (foreign.length === 0) {
      this.statements.addRaw(statement);
      return;
    }
    deferToAppPass(this.host, PassStep.PLACE, (context) => {
      const graph = context.graph();
      const cyclic = foreign.filter((t) => graph.dependsOn(Stack.of(t), keyStack));
      if (cyclic.length === 0) {
        foreign.forEach((t) => graph.add(keyStack, Stack.of(t), edge(this.host, t, 'references')));
        this.statements.addRaw(statement);
        return;
      }
      if (!forService) {
        throw new Error(
          `The statement ${statement.sid ? `"${statement.sid}" ` : ''}added to the key policy of ${this.host.node.path} references ` +
            `${cyclic.map((t) => t.node.path).join(', ')}, whose stack deploys after the key's: the key policy cannot name it without a ` +
            "dependency cycle. Grant through the key's grant methods (they admit principals of other stacks), or create the key in that stack.",
        );
      }
      const narrowed = withoutConditionsOn(this.host, statement, cyclic);
      this.addSourceAccount(narrowed, service!);
      foreign.filter((t) => !cyclic.includes(t)).forEach((t) => graph.add(keyStack, Stack.of(t), edge(this.host, t, 'references')));
      this.statements.addRaw(narrowed);
    });
  }

  /**
   * Refuse principals that do not belong where they are put: a wildcard principal (`"*"`) that
   * neither its own conditions nor the statement's hold to an Organization, an account or named
   * ARNs (a key open to everyone), and an Organization or OU as an administrator (administration
   * is for named principals, and KMS honours almost none of it across accounts).
   */
  private assertPrincipal(principal: iam.IPrincipal, role: StatementRole, where: string, statementConditions: Conditions): void {
    if (!isWildcardPrincipal(principal)) return;
    const stack = Stack.of(this.host);
    if (role === StatementRole.ADMIN) {
      throw new Error(
        `'${where}' must not be a wildcard principal: an Organization or OU cannot administer key ${this.host.node.path}. ` +
          `Name the administrator roles (KeyPrincipals.identityCenterPermissionSet for Identity Center). Received: ${describePrincipal(principal, stack)}`,
      );
    }
    const conditions = { ...(principal.policyFragment.conditions as Conditions) };
    for (const [op, kv] of Object.entries(statementConditions)) conditions[op] = { ...(conditions[op] ?? {}), ...kv };
    if (!holdsWildcard(conditions)) {
      throw new Error(
        `'${where}' must not be Principal "*" without a condition that names who it is (a key open to every AWS account; Security Hub KMS.5). ` +
          `Use KeyPrincipals.organization('o-…') or KeyPrincipals.organizationalUnit('o-…/r-…/ou-…'), or name the principals. Received: ${describePrincipal(principal, stack)}`,
      );
    }
  }

  /**
   * The administration actions a principal gets: all of them in the key's account; for a principal
   * of another account only those AWS KMS honours across accounts, with a warning that lists the
   * others (they would do nothing: the key policy must not claim them).
   */
  private administrationFor(principal: iam.IPrincipal, actions: readonly string[], where: string):
  { actions: readonly string[]; crossAccount: boolean } {
    const stack = Stack.of(this.host);
    if (!isOtherAccountPrincipal(principal, stack)) return { actions, crossAccount: false };
    const { kept, dropped } = crossAccountSplit(actions);
    if (dropped.length === 0) return { actions, crossAccount: true };
    const who = describePrincipal(principal, stack);
    if (kept.length === 0) {
      throw new Error(
        `'${where}' is a principal of another account (${who}), and AWS KMS does not let another account perform ${dropped.join(', ')} ` +
          `on key ${this.host.node.path}. Administer the key from its own account (${stack.account}).`,
      );
    }
    Annotations.of(this.host).addWarningV2(
      'cdk-kms-governance:crossAccountAdministration',
      `${who} ('${where}') is a principal of another account than key ${this.host.node.path} (${stack.account}). AWS KMS does not let another ` +
        `account perform ${dropped.join(', ')} on a key, so the key policy gives it only ${kept.join(', ')}. Administer the key from its own account ` +
        '(a role there that the other account may assume).',
    );
    return { actions: kept, crossAccount: true };
  }

  /** Give a service principal's statement `aws:SourceAccount` when it has no source condition. */
  private addSourceAccount(statement: iam.PolicyStatement, service: iam.IPrincipal): void {
    const scoped = this.withSourceConditions(service, statement.conditions as Conditions);
    const account = scoped.StringEquals?.[GlobalCondition.SOURCE_ACCOUNT];
    if (account !== undefined && (statement.conditions as Conditions).StringEquals?.[GlobalCondition.SOURCE_ACCOUNT] === undefined) {
      statement.addCondition('StringEquals', { [GlobalCondition.SOURCE_ACCOUNT]: account });
    }
  }

  /** What is wrong with the policy as it stands: its size, a principal that both administers and uses, duplicate Sids. */
  public validate(): string[] {
    const errors: string[] = [];
    const path = this.host.node.path;
    const size = this.statements.renderedSize();
    if (size > 32 * 1024) {
      errors.push(`The key policy of ${path} is ${size} bytes; AWS KMS allows at most 32768. Merge principals into roles or use fewer grants.`);
    }
    if (!this.options.allowAdministratorsAsUsers) {
      for (const { label, roles } of this.principalRoles.values()) {
        const administers = roles.has(StatementRole.ADMIN) || (roles.has(StatementRole.ROOT) && !this.options.rootFullAccess);
        const uses = roles.has(StatementRole.USAGE) || roles.has(StatementRole.GRANTS);
        if (administers && uses) {
          errors.push(
            `${label} is both an administrator and a user of key ${path}: separation of duties forbids it. ` +
              "Use different principals, or set 'allowAdministratorsAsUsers: true'.",
          );
        }
      }
    }
    for (const { statement, path: principal } of this.unplaced) {
      if (!this.placed.has(statement)) {
        errors.push(`The grant of key ${path} to ${principal} (another stack) was made after the app was prepared, so it could not be placed. Make it before synthesis.`);
      }
    }
    for (const sid of this.statements.duplicateSids()) {
      errors.push(`The key policy of ${path} has more than one statement with Sid "${sid}"; Sids must be unique.`);
    }
    return errors;
  }

  /**
   * Put a props-list principal into its role's shared statement. No `Grant` is needed, so the
   * statement is added directly (measured in bench/: a tenth of a key's synth), unless the
   * principal must be delegated across stacks.
   */
  private share(principal: iam.IPrincipal, req: Omit<StatementRequest, 'principal' | 'shared'>): void {
    if (placementWaitsForStackOrder(this.host, principal)) {
      this.place(principal, { ...req, shared: false });
      return;
    }
    const principalKey = this.recordRole(principal, req.role, req.conditions);
    this.statements.add({ ...req, conditions: this.withSourceConditions(principal, req.conditions), principal, shared: true, principalKey });
    if (req.role === StatementRole.ADMIN) this.denyUseTo(principal, principalKey);
  }

  /**
   * Deny an administrator every use of the key, in the key policy, so that no statement that lets
   * the account's IAM policies use the key through a service (the service contract) nor `kms:*` in
   * an IAM policy under `RootAccess.FULL` lets an administrator use it. The account root is never
   * denied (that would deny the whole account), nor a service principal.
   */
  private denyUseTo(principal: iam.IPrincipal, identity: string, delegated?: Extract<Placement, { kind: 'delegated' }>): void {
    if (this.options.allowAdministratorsAsUsers || principal instanceof iam.AccountPrincipal) return;
    if (!('AWS' in principal.policyFragment.principalJson)) return;
    // Principals with conditions (Identity Center permission sets) share a principal JSON: their conditions tell them apart.
    const denied = identity + JSON.stringify(resolveConditions(Stack.of(this.host), principal.policyFragment.conditions));
    if (this.deniedAdmins.has(denied)) return;
    this.deniedAdmins.add(denied);
    if (delegated !== undefined) {
      // Administrators admitted through the account root are denied use on the same condition.
      const sid = delegated.operator === 'ArnEquals' ? Sid.DENY_DELEGATED_ADMINISTRATORS_USE : Sid.DENY_TAGGED_ADMINISTRATORS_USE;
      let values = this.delegatedAdmins.get(sid);
      if (!values) {
        const list: string[] = [];
        values = list;
        this.delegatedAdmins.set(sid, list);
        this.statements.addRaw(new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AccountRootPrincipal()],
          actions: [...USE_OR_CONFER_USE_ACTIONS],
          resources: ['*'],
          conditions: { [delegated.operator]: { [delegated.key]: Lazy.list({ produce: () => list }) } },
        }));
      }
      values.push(delegated.value);
      return;
    }
    if (Object.keys(principal.policyFragment.conditions).length > 0) {
      this.denyUseToConditioned(principal, identity);
      return;
    }
    if (!this.adminDeny) {
      this.adminDeny = new iam.PolicyStatement({ sid: Sid.DENY_ADMINISTRATORS_USE, effect: iam.Effect.DENY, actions: [...USE_OR_CONFER_USE_ACTIONS], resources: ['*'] });
      this.statements.addRaw(this.adminDeny);
    }
    this.adminDeny.addPrincipals(principal);
  }

  /**
   * Deny use to an administrator that is a principal with conditions. Its conditions cannot join
   * the shared `KeyAdministratorsCannotUse` statement (they would narrow the denial of the others):
   * Identity Center permission sets share one Deny for every principal whose ARN is like one of
   * their role patterns; any other conditioned principal gets a Deny of its own.
   */
  private denyUseToConditioned(principal: iam.IPrincipal, identity: string): void {
    const patterns = identityCenterPatterns(principal);
    if (patterns !== undefined) {
      if (!this.identityCenterDeny) {
        const list: string[] = [];
        this.identityCenterDeny = list;
        this.statements.addRaw(new iam.PolicyStatement({
          sid: Sid.DENY_IDENTITY_CENTER_ADMINISTRATORS_USE,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...USE_OR_CONFER_USE_ACTIONS],
          resources: ['*'],
          conditions: { ArnLike: { [GlobalCondition.PRINCIPAL_ARN]: Lazy.list({ produce: () => list }) } },
        }));
      }
      this.identityCenterDeny.push(...patterns);
      return;
    }
    const stack = Stack.of(this.host);
    const key = identity + JSON.stringify(resolveConditions(stack, principal.policyFragment.conditions));
    this.statements.addRaw(new iam.PolicyStatement({
      sid: `${Sid.DENY_ADMINISTRATORS_USE}${shortHash(key)}`,
      effect: iam.Effect.DENY,
      principals: [principal],
      actions: [...USE_OR_CONFER_USE_ACTIONS],
      resources: ['*'],
    }));
  }

  /**
   * Put a principal into the key policy and return the `Grant`. Its `principalStatement` is the
   * key-policy statement itself, so a caller that amends it (as `ec2.Volume` adds conditions)
   * amends the key policy. A principal of another stack is placed once the stack order is known
   * (see `cross-stack.ts`): named, or admitted through the account root on a condition with a
   * customer managed policy for the same actions.
   */
  private place(grantee: iam.IGrantable, req: Omit<StatementRequest, 'principal'>): iam.Grant {
    const principal = grantee.grantPrincipal;
    const identity = this.recordRole(principal, req.role, req.conditions);
    const conditions = this.withSourceConditions(principal, req.conditions);
    const actions = [...req.actions].sort();
    if (!placementWaitsForStackOrder(this.host, principal)) {
      if (req.role === StatementRole.ADMIN) this.denyUseTo(principal, identity);
      const sink = new KeyPolicySink(principal, (candidate) => {
        this.statements.add({ ...req, conditions, principal, principalKey: identity }, candidate);
        return this.host;
      });
      return iam.Grant.addToPrincipal({ grantee: sink, actions, resourceArns: ['*'], conditions: Object.keys(conditions).length > 0 ? conditions : undefined });
    }
    const sink = new KeyPolicySink(principal, (candidate) => {
      const statement = this.statements.addUnplaced({ ...req, conditions, principal, principalKey: identity }, candidate);
      placeWhenStackOrderIsKnown(this.host, principal, (placement) => {
        this.placed.add(statement);
        if (placement.kind === 'direct') {
          statement.addPrincipals(principal);
          if (req.role === StatementRole.ADMIN) this.denyUseTo(principal, identity);
          return;
        }
        statement.addPrincipals(new iam.AccountRootPrincipal());
        statement.addCondition(placement.operator, { [placement.key]: placement.value });
        placement.identityPolicy.addStatements(new iam.PolicyStatement({
          actions: [...new Set(req.actions.flatMap((a) => expandKmsAction(a)))].sort(),
          resources: [this.host.keyArn],
          conditions: Object.keys(req.conditions ?? {}).length > 0 ? req.conditions : undefined,
        }));
        if (req.role === StatementRole.ADMIN) this.denyUseTo(principal, identity, placement);
      });
      this.unplaced.push({ statement, path: principal.node.path });
      return this.host;
    });
    return iam.Grant.addToPrincipal({ grantee: sink, actions, resourceArns: ['*'], conditions: Object.keys(conditions).length > 0 ? conditions : undefined });
  }

  /** Record what a principal does with the key; returns its `principalIdentity`. */
  private recordRole(principal: iam.IPrincipal, role: StatementRole, statementConditions?: Conditions): string {
    // Conditions are part of the identity: the account root scoped to a service with
    // kms:ViaService (as ec2.Volume grants) is not the unconditioned root administrator. For the
    // account root, the statement's conditions count too: a root usage statement delegates use to
    // IAM, and its conditions decide how far; only an unconditioned one is full delegation.
    const stack = Stack.of(this.host);
    const identity = principalIdentity(stack, principal);
    const scoped = principal instanceof iam.AccountPrincipal && statementConditions && Object.keys(statementConditions).length > 0;
    const key = identity + JSON.stringify(resolveConditions(stack, principal.policyFragment.conditions)) +
      (scoped ? JSON.stringify(resolveConditions(stack, statementConditions)) : '');
    const label = iam.principalIsOwnedResource(principal) ? principal.node.path : key;
    const entry = this.principalRoles.get(key) ?? { label, roles: new Set<StatementRole>() };
    entry.roles.add(role);
    this.principalRoles.set(key, entry);
    return identity;
  }

  /** The key-material actions (named, not by a wildcard) apply only to a key whose material is imported. */
  private assertKeyMaterialApplicable(admin: string[]): void {
    if (this.host.keyMaterialOrigin === 'EXTERNAL') return;
    const named = admin.filter((a) => KEY_MATERIAL_ACTIONS.some((k) => k.toLowerCase() === a.toLowerCase()));
    if (named.length > 0) {
      throw new Error(
        `'actions' ${named.join(', ')} apply only to a key with imported key material (keyMaterialOrigin: EXTERNAL); ` +
          `${this.host.node.path} has key material from AWS KMS. Received: "${named[0]}"`,
      );
    }
  }

  private assertApplicable(usage: string[]): void {
    const allowed = this.usageActions.flatMap((a) => expandKmsAction(a));
    for (const action of usage) {
      if (!expandKmsAction(action).some((a) => allowed.includes(a))) {
        throw new Error(
          `'actions' must apply to a ${this.host.keyUsage} key (${this.host.keySpec}). Received: "${action}". ` +
            `This key supports: ${this.usageActions.join(', ')}`,
        );
      }
    }
  }

  private defaultConditions(): Conditions {
    return viaServiceConditions(this.options.viaServices);
  }

  /**
   * The conditions of a statement for an AWS service principal always scope it to calls made for
   * this account (confused-deputy protection): a grant without a source, service or encryption-context
   * condition gets `aws:SourceAccount` (as other constructs' grants to service principals come).
   */
  private withSourceConditions(principal: iam.IPrincipal, conditions: Conditions | undefined): Conditions {
    const out = { ...(conditions ?? {}) };
    if (!('Service' in principal.policyFragment.principalJson)) return out;
    const keys = Object.values(out).flatMap((kv) => Object.keys(kv));
    if (keys.some((k) => SOURCE_CONDITION_KEYS.some((s) => k.startsWith(s)))) return out;
    out.StringEquals = { ...(out.StringEquals ?? {}), [GlobalCondition.SOURCE_ACCOUNT]: Stack.of(this.host).account };
    return out;
  }
}

/** A copy of a statement without the conditions whose values reference any of `targets`. */
function withoutConditionsOn(scope: IConstruct, statement: iam.PolicyStatement, targets: IConstruct[]): iam.PolicyStatement {
  const conditions: Conditions = {};
  for (const [operator, entries] of Object.entries(statement.conditions as Conditions)) {
    const kept = Object.fromEntries(Object.entries(entries).filter(([, v]) => !referencesIn(scope, v).some((t) => targets.includes(t))));
    if (Object.keys(kept).length > 0) conditions[operator] = kept;
  }
  return new iam.PolicyStatement({
    sid: statement.sid,
    effect: statement.effect,
    principals: statement.principals,
    actions: statement.actions,
    notActions: statement.notActions,
    resources: statement.resources,
    notResources: statement.notResources,
    conditions,
  });
}

/** Condition keys (prefixes) that already scope a service principal's use to a source, a service or a context. */
const SOURCE_CONDITION_KEYS = [
  GlobalCondition.SOURCE_ACCOUNT,
  GlobalCondition.SOURCE_ARN,
  GlobalCondition.SOURCE_ORG_ID,
  KmsCondition.VIA_SERVICE,
  ENCRYPTION_CONTEXT_PREFIX,
];

/**
 * The Control Tower CT.KMS.PR.3 statement: nobody but an AWS service creates a grant that is not for
 * an AWS resource. The values are strings and the operator BoolIfExists, as the control requires.
 */
export function denyGrantsNotForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: Sid.DENY_GRANTS_NOT_FOR_AWS_RESOURCES,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: [...CREATE_GRANT_ACTIONS],
    resources: ['*'],
    conditions: { BoolIfExists: { [KmsCondition.GRANT_IS_FOR_AWS_RESOURCE]: 'false', [GlobalCondition.PRINCIPAL_IS_AWS_SERVICE]: 'false' } },
  });
}

/** How the actions of one `grant()` call split across the roles of separation of duties. */
export interface ClassifiedActions {
  readonly admin: string[];
  readonly usage: string[];
  readonly grants: string[];
}

/**
 * Split the actions of a `grant(grantee, ...actions)` call into administration, use and grant
 * management. `kms:CreateGrant` is grant management (a grant can confer use); the neutral actions
 * (`kms:DescribeKey`, `kms:ListGrants`, `kms:RevokeGrant`) confer nothing and join whichever part
 * they come with. Throws for a pattern that spans administration and use (`kms:*`, `kms:Create*`):
 * a single principal must not both administer and use a key.
 */
export function classifyActions(actions: readonly string[]): ClassifiedActions {
  const kindOf = (a: string) => (NEUTRAL_ACTIONS.includes(a) ? 'neutral' : CREATE_GRANT_ACTIONS.includes(a) ? 'grants' : ADMINISTRATION_ONLY_ACTIONS.includes(a) ? 'admin' : 'usage');
  const buckets: Record<string, string[]> = { admin: [], usage: [], grants: [], neutral: [] };
  for (const action of actions) {
    const expanded = expandKmsAction(action);
    if (expanded.length === 0) {
      throw new Error(`'actions' must be KMS actions that apply to a key. Received: "${action}"`);
    }
    const kinds = new Set(expanded.map(kindOf).filter((k) => k !== 'neutral'));
    if (kinds.size > 1) {
      throw new Error(
        `'actions' must not contain a pattern that spans administration and use of the key. Received: "${action}", ` +
          `which matches ${expanded.length} actions (${expanded.slice(0, 4).join(', ')}…). List the actions explicitly.`,
      );
    }
    buckets[kinds.size === 0 ? 'neutral' : [...kinds][0]].push(action);
  }
  const { admin, usage, grants } = buckets;
  for (const action of buckets.neutral) {
    const grantOp = GRANT_ACTIONS.includes(action);
    if (grantOp && grants.length > 0) grants.push(action);
    else if (admin.length > 0) admin.push(action);
    else usage.push(action);
  }
  return { admin, usage, grants };
}
