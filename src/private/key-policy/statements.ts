import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct, IDependable } from 'constructs';
import { Conditions, mergeConditions, resolveConditions } from './conditions';
import { shortHash } from '../ids';

/** What a statement is for; drives the separation-of-duties checks. */
export enum StatementRole {
  /** The account root statement (administration only, or full access). */
  ROOT = 'root',
  /** Administration of the key, never use. */
  ADMIN = 'admin',
  /** Use of the key (cryptographic actions, DescribeKey, GetPublicKey). */
  USAGE = 'usage',
  /** CreateGrant/ListGrants/RevokeGrant for AWS resources. */
  GRANTS = 'grants',
}

/** One request to put a principal into the key policy. */
export interface StatementRequest {
  /** Readable Sid base, e.g. `KeyUsage`. A suffix is added when the base is already taken. */
  readonly sid: string;
  readonly role: StatementRole;
  readonly actions: readonly string[];
  readonly principal: iam.IPrincipal;
  readonly conditions?: Conditions;
  /**
   * Whether principals with the same actions and conditions share one statement (the props
   * lists), or each principal gets its own (grants made through methods, whose returned
   * `Grant.principalStatement` callers may still amend, as `ec2.Volume` does).
   */
  readonly shared: boolean;
  /** `principalIdentity(principal)`, when the caller has computed it already. */
  readonly principalKey?: string;
}

interface StatementGroup {
  readonly statement: iam.PolicyStatement;
  readonly principalKeys: Set<string>;
}

/**
 * The statements of one key policy, with stable, readable Sids (`KeyAdministration`,
 * `KeyUsage`, …).
 *
 * The document is rendered lazily by CloudFormation token resolution, so principals added after
 * construction (grants made by other constructs) still land in it.
 */
export class KeyPolicyStatements {
  /** The key policy document; pass it as `KeyPolicy`. */
  public readonly document = new iam.PolicyDocument({ minimize: false });
  private readonly groups = new Map<string, StatementGroup>();
  private readonly sidsInUse = new Set<string>();

  constructor(private readonly scope: IConstruct) {}

  /**
   * Put a principal into the key policy. `candidate`, if given, is a statement built with the
   * request's actions and conditions; it becomes the statement when a new one is needed, so that a
   * caller holding it amends the key policy. Returns the statement that holds the principal.
   */
  public add(req: StatementRequest, candidate?: iam.PolicyStatement): iam.PolicyStatement {
    const stack = Stack.of(this.scope);
    const conditions = mergeConditions(req.conditions ?? {}, req.principal.policyFragment.conditions as Conditions);
    const actions = [...new Set(req.actions)].sort();
    const principalKey = req.principalKey ?? principalIdentity(stack, req.principal);
    const groupKey = JSON.stringify([req.sid, req.role, actions, resolveConditions(stack, conditions), req.shared ? '' : principalKey]);

    let group = this.groups.get(groupKey);
    if (!group) {
      const statement = candidate ?? new iam.PolicyStatement({
        actions,
        resources: ['*'],
        conditions: req.conditions && Object.keys(req.conditions).length > 0 ? req.conditions : undefined,
      });
      statement.sid = this.allocateSid(req.sid, groupKey);
      group = { statement, principalKeys: new Set() };
      this.groups.set(groupKey, group);
      this.document.addStatements(statement);
    }
    if (!group.principalKeys.has(principalKey)) {
      group.principalKeys.add(principalKey);
      // Adds the principal's own conditions too; they are part of the group key.
      group.statement.addPrincipals(req.principal);
    }
    return group.statement;
  }

  /**
   * A statement of its own for a principal whose place in the policy is decided later (a principal
   * of another stack): it has the request's Sid, actions and conditions, and no principal yet.
   */
  public addUnplaced(req: StatementRequest, candidate: iam.PolicyStatement): iam.PolicyStatement {
    const stack = Stack.of(this.scope);
    const actions = [...new Set(req.actions)].sort();
    const groupKey = JSON.stringify([req.sid, req.role, actions, resolveConditions(stack, req.conditions ?? {}), req.principalKey]);
    candidate.sid = this.allocateSid(req.sid, groupKey);
    this.document.addStatements(candidate);
    return candidate;
  }

  /** A statement added as is (through `addToResourcePolicy`). */
  public addRaw(statement: iam.PolicyStatement): void {
    if (statement.sid) {
      if (this.sidsInUse.has(statement.sid)) {
        throw new Error(`'statement.sid' must be unique within the key policy. Received: "${statement.sid}", which is already in use`);
      }
      this.sidsInUse.add(statement.sid);
    }
    this.document.addStatements(statement);
  }

  /** Sids that appear more than once in the document. Sids are plain strings: no resolution needed. */
  public duplicateSids(): string[] {
    const seen = new Map<string, number>();
    for (const s of (this.document.toJSON()?.Statement ?? []) as Array<{ Sid?: string }>) {
      if (s.Sid) seen.set(s.Sid, (seen.get(s.Sid) ?? 0) + 1);
    }
    return [...seen.entries()].filter(([, n]) => n > 1).map(([sid]) => sid);
  }

  /** The size in bytes of the rendered policy (CloudFormation intrinsics counted as written). */
  public renderedSize(): number {
    return Buffer.byteLength(JSON.stringify(Stack.of(this.scope).resolve(this.document.toJSON()) ?? {}), 'utf8');
  }

  private allocateSid(base: string, groupKey: string): string {
    let sid = this.sidsInUse.has(base) ? `${base}${shortHash(groupKey)}` : base;
    while (this.sidsInUse.has(sid)) {
      sid = `${base}${shortHash(sid + groupKey)}`;
    }
    this.sidsInUse.add(sid);
    return sid;
  }
}

/** A stable identity for a principal: its resolved principal JSON, conditions excluded. */
export function principalIdentity(stack: Stack, principal: iam.IPrincipal): string {
  return JSON.stringify(stack.resolve(principal.policyFragment.principalJson));
}

/**
 * The grantee handed to `iam.Grant.addToPrincipal` for a key-policy grant: it stands for the real
 * principal (same policy fragment and account) but, instead of adding the statement to an
 * identity policy, passes it to `sink`, which puts it into the key policy. So the returned
 * `Grant.principalStatement` is the key-policy statement, and no `AWS::IAM::Policy` is created.
 */
export class KeyPolicySink implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly assumeRoleAction: string;
  public readonly policyFragment: iam.PrincipalPolicyFragment;
  public readonly principalAccount?: string;

  constructor(principal: iam.IPrincipal, private readonly sink: (candidate: iam.PolicyStatement) => IDependable) {
    this.assumeRoleAction = principal.assumeRoleAction;
    this.policyFragment = principal.policyFragment;
    this.principalAccount = principal.principalAccount;
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return { statementAdded: true, policyDependable: this.sink(statement) };
  }
}
