import { Annotations, Duration, RemovalPolicy, Resource, ResourceProps, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { KeyPolicySink, KeyPolicyStatements, StatementRequest, StatementRole, classifyActions, principalIdentity, resolveConditions, shortHash } from './private/key-policy';
import {
  ADMIN_ACTIONS,
  ASYMMETRIC_ENCRYPT_USAGE_ACTIONS,
  DECRYPT_ACTIONS,
  ENCRYPT_ACTIONS,
  GENERATE_MAC_ACTIONS,
  GRANT_ACTIONS,
  HMAC_USAGE_ACTIONS,
  KEY_AGREEMENT_USAGE_ACTIONS,
  SIGN_ACTIONS,
  SIGN_VERIFY_USAGE_ACTIONS,
  SYMMETRIC_USAGE_ACTIONS,
  VERIFY_ACTIONS,
  VERIFY_MAC_ACTIONS,
  actionPatternMatchesAny,
  expandKmsAction,
} from './private/kms-actions';
import { managedPolicyOf } from './private/managed-policy-grant';
import { normalizeAlias, quote, validateDaysRange, validatePattern, validateUnique } from './private/validate';

/**
 * What the account root principal (and so, through it, IAM policies in the account) may do
 * with a key.
 */
export enum RootAccess {
  /**
   * The account root gets the administration actions only. IAM policies in the account can then
   * delegate key management, never key use: only principals named in the key policy can use it.
   * This is enough for the PutKeyPolicy lockout safety check.
   */
  ADMINISTRATION_ONLY = 'ADMINISTRATION_ONLY',

  /**
   * The AWS default key policy: `kms:*` to the account root, so any IAM policy in the account
   * can grant use of the key.
   */
  FULL = 'FULL',
}

/**
 * Who may administer and use a key: the key-policy part shared by `ManagedCmk` and
 * `ManagedCmkReplica`.
 */
export interface KeyPolicyOptions {
  /**
   * Principals that administer the key: the explicit administration actions (describe, enable,
   * disable, rotate, tag, alias, key policy, schedule and cancel deletion), never use.
   *
   * They land in the key policy statement `KeyAdministration`.
   *
   * @default - no administrators besides the account root (see `rootAccess`)
   */
  readonly administrators?: iam.IPrincipal[];

  /**
   * Principals that use the key. The actions follow the key usage: Encrypt, Decrypt, ReEncrypt*,
   * GenerateDataKey* and DescribeKey for a symmetric key; Sign, Verify, GetPublicKey and
   * DescribeKey for a signing key; GenerateMac, VerifyMac and DescribeKey for an HMAC key.
   *
   * They land in the key policy statement `KeyUsage`.
   *
   * @default - no users
   */
  readonly users?: iam.IPrincipal[];

  /**
   * Principals that let AWS services use the key on their behalf for persistent resources
   * (EBS volumes, RDS instances): the usage actions plus CreateGrant, ListGrants and RevokeGrant
   * with the condition `kms:GrantIsForAWSResource: true`.
   *
   * @default - no service users
   */
  readonly serviceUsers?: iam.IPrincipal[];

  /**
   * Restrict the usage statements (`users`, `serviceUsers` and the `grant*` methods) to requests
   * made through these AWS services, with the `kms:ViaService` condition. For example
   * `['s3.us-east-1.amazonaws.com']`.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
   * @default - usage is not restricted to a service
   */
  readonly viaServices?: string[];

  /**
   * What the account root principal may do.
   *
   * @default RootAccess.ADMINISTRATION_ONLY
   */
  readonly rootAccess?: RootAccess;

  /**
   * Allow a principal to be both an administrator and a user of the key. Separation of duties
   * forbids it, so this is an error unless set.
   *
   * @default false
   */
  readonly allowAdministratorsAsUsers?: boolean;
}

/**
 * Options for `grantScoped`: a key-policy grant with conditions.
 */
export interface ScopedGrantOptions {
  /**
   * The actions to grant.
   *
   * @default - the usage actions for the key's usage (see `KeyPolicyOptions.users`)
   */
  readonly actions?: string[];

  /**
   * Allow the actions only through these AWS services (`kms:ViaService`), for example
   * `ssm.us-east-1.amazonaws.com`. The key's own `viaServices` do not apply to scoped grants:
   * their conditions are complete as given (service principals, for one, call KMS directly).
   *
   * @default - no `kms:ViaService` condition
   */
  readonly viaServices?: string[];

  /**
   * Allow the actions only with this encryption context (`kms:EncryptionContext:<key>`,
   * StringEquals). A value may be a token, or end in `*` for StringLike.
   *
   * @default - no encryption-context condition
   */
  readonly encryptionContext?: { [key: string]: string };

  /**
   * Further conditions, as in an IAM policy statement (`{ StringEquals: { 'aws:SourceAccount': '…' } }`).
   *
   * @default - no further conditions
   */
  readonly conditions?: { [operator: string]: any };

  /**
   * A readable Sid base for the statement. A suffix is added if the same base is used with
   * other actions or conditions.
   *
   * @default - derived from the actions, such as `KeyDecrypt`
   */
  readonly statementId?: string;
}

/**
 * The key-policy machinery shared by `ManagedCmk` and `ManagedCmkReplica`: an `IKey` whose
 * every grant, including grants that other constructs make through `IKey`, lands in the key
 * policy and never in an IAM policy of the grantee.
 */
export abstract class ManagedKeyBase extends Resource implements kms.IKey {
  /** The ARN of the key. */
  public abstract readonly keyArn: string;
  /** The ID of the key. */
  public abstract readonly keyId: string;
  /** The key usage, which decides the usage actions. */
  public abstract readonly keyUsage: kms.KeyUsage;
  /** The key spec. */
  public abstract readonly keySpec: kms.KeySpec;
  /** What the account root principal may do. */
  public readonly rootAccess: RootAccess;
  /** The key policy document. Add statements with `addToResourcePolicy`. */
  public readonly policy: iam.PolicyDocument;

  /** @internal */
  protected readonly _statements: KeyPolicyStatements;
  private readonly principalRoles = new Map<string, { label: string; roles: Set<StatementRole> }>();
  private readonly aliasConstructs: kms.Alias[] = [];
  private readonly aliasNames: string[] = [];
  private readonly defaultViaServices?: string[];

  constructor(scope: Construct, id: string, options: KeyPolicyOptions = {}, resourceProps: ResourceProps = {}) {
    super(scope, id, resourceProps);
    this.rootAccess = options.rootAccess ?? RootAccess.ADMINISTRATION_ONLY;
    this._statements = new KeyPolicyStatements(this);
    this.policy = this._statements.document;
    for (const [i, via] of (options.viaServices ?? []).entries()) {
      validatePattern(`viaServices[${i}]`, via, /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/, 'must be a service endpoint such as s3.us-east-1.amazonaws.com');
    }
    validateUnique('viaServices', options.viaServices ?? []);
    if (options.viaServices && options.viaServices.length === 0) {
      throw new Error("'viaServices' must not be empty when given; omit it to allow use through any service. Received: []");
    }
    this.defaultViaServices = options.viaServices;

    this.node.addValidation({ validate: () => this.validateKeyPolicy(options.allowAdministratorsAsUsers ?? false) });
  }

  /** The reference to this key, for L1 properties that take one. */
  public get keyRef(): kms.KeyReference {
    return { keyArn: this.keyArn, keyId: this.keyId };
  }

  /** The aliases created for this key. */
  public get aliases(): kms.Alias[] {
    return [...this.aliasConstructs];
  }

  /**
   * Write the root, administrator, user and service-user statements. Called by subclasses once
   * `keyUsage` is known.
   * @internal
   */
  protected _initPolicy(options: KeyPolicyOptions): void {
    const root = new iam.AccountRootPrincipal();
    if (this.rootAccess === RootAccess.FULL) {
      this.share(root, { sid: 'KeyRootFullAccess', role: StatementRole.ROOT, actions: ['kms:*'] });
    } else {
      this.share(root, { sid: 'KeyRootAdministration', role: StatementRole.ROOT, actions: ADMIN_ACTIONS });
    }
    // The props lists share one statement per role: KeyAdministration, KeyUsage, KeyGrantsForAwsResources.
    const usage = { sid: 'KeyUsage', role: StatementRole.USAGE, actions: this.usageActions, conditions: this.defaultUsageConditions() };
    const grants = {
      sid: 'KeyGrantsForAwsResources',
      role: StatementRole.GRANTS,
      actions: GRANT_ACTIONS,
      conditions: { ...usage.conditions, Bool: { 'kms:GrantIsForAWSResource': true } },
    };
    (options.administrators ?? []).forEach((p) => this.share(p, { sid: 'KeyAdministration', role: StatementRole.ADMIN, actions: ADMIN_ACTIONS }));
    (options.users ?? []).forEach((p) => this.share(p, usage));
    (options.serviceUsers ?? []).forEach((p) => {
      this.share(p, usage);
      this.share(p, grants);
    });
  }

  /**
   * Put a props-list principal into its role's shared statement. No `Grant` is needed, so the
   * statement is added directly (measured in bench/: a tenth of a key's synth), unless the
   * principal must be delegated across stacks.
   */
  private share(principal: iam.IPrincipal, req: Omit<StatementRequest, 'principal' | 'shared'>): void {
    const delegateArn = this.routeFor(principal);
    if (delegateArn !== undefined) {
      this.place(principal, { ...req, shared: true }, delegateArn);
      return;
    }
    const principalKey = this.recordRole(principal, req.role, req.conditions);
    this._statements.add({ ...req, principal, shared: true, principalKey });
  }

  /**
   * Add an alias. `alias/` is prepended if missing.
   */
  public addAlias(aliasName: string): kms.Alias {
    const name = normalizeAlias('aliasName', aliasName);
    if (!Token.isUnresolved(name) && this.aliasNames.includes(name)) {
      throw new Error(`'aliasName' must be unique for this key. Received: ${quote(name)}, which is already an alias of ${this.node.path}`);
    }
    const id = this.aliasConstructs.length === 0 ? 'Alias' : `Alias${name.replace(/^alias\//, '').replace(/[^A-Za-z0-9]/g, '')}${shortHash(name)}`;
    const alias = new kms.Alias(this, id, { aliasName: name, targetKey: this });
    this.aliasConstructs.push(alias);
    this.aliasNames.push(name);
    return alias;
  }

  /**
   * Add a statement to the key policy as is. Statements that deny `kms:PutKeyPolicy` (a lockout
   * risk) or allow `Principal: "*"` are refused.
   *
   * Prefer the `grant*` methods: they keep Sids readable and separation of duties checked.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, _allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    const json = Stack.of(this).resolve(statement.toStatementJson());
    const actions: string[] = [].concat(json.Action ?? []);
    if (json.Effect === 'Deny' && (actions.some((a) => actionPatternMatchesAny(a, ['kms:PutKeyPolicy'])) || json.NotAction)) {
      throw new Error(
        `'statement' must not deny kms:PutKeyPolicy: a key whose policy nobody can change is locked out. Received: ${quote(json)}`,
      );
    }
    if (json.Effect === 'Allow' && isWildcardPrincipal(json.Principal)) {
      throw new Error(`'statement' must not allow Principal "*" in a key policy (Security Hub KMS.5, Checkov CKV_AWS_33). Received: ${quote(json)}`);
    }
    this._statements.addRaw(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  /**
   * Grant actions on this key. The grant lands in the key policy; actions are split into
   * administration, use and grant management, and a call that mixes administration and use is
   * an error.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.grantActions(grantee, actions, {});
  }

  /** Grant decryption (kms:Decrypt). */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, DECRYPT_ACTIONS, {});
  }

  /** Grant encryption (kms:Encrypt, kms:ReEncrypt*, kms:GenerateDataKey*). */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, ENCRYPT_ACTIONS, {});
  }

  /** Grant encryption and decryption. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS], {});
  }

  /** Grant signing (kms:Sign). */
  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, SIGN_ACTIONS, {});
  }

  /** Grant verification (kms:Verify). */
  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, VERIFY_ACTIONS, {});
  }

  /** Grant signing and verification. */
  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, [...SIGN_ACTIONS, ...VERIFY_ACTIONS], {});
  }

  /** Grant MAC generation (kms:GenerateMac). */
  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, GENERATE_MAC_ACTIONS, {});
  }

  /** Grant MAC verification (kms:VerifyMac). */
  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, VERIFY_MAC_ACTIONS, {});
  }

  /** Grant the administration actions: the principal manages the key but cannot use it. */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, ADMIN_ACTIONS, {});
  }

  /** Grant the full usage set for this key's usage, as for `users`. */
  public grantUsage(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, this.usageActions, {});
  }

  /**
   * Grant use for AWS resources, as for `serviceUsers`: the usage actions plus CreateGrant,
   * ListGrants and RevokeGrant with `kms:GrantIsForAWSResource: true`.
   */
  public grantServiceUse(grantee: iam.IGrantable): iam.Grant {
    return this.grantActions(grantee, [...this.usageActions, ...GRANT_ACTIONS], {});
  }

  /**
   * Grant actions with conditions: through a service (`kms:ViaService`), with an encryption
   * context, or with any further condition. This is how the library's S3, SSM, EBS and
   * audit constructs grant least privilege.
   */
  public grantScoped(grantee: iam.IGrantable, options: ScopedGrantOptions = {}): iam.Grant {
    const conditions = scopedGrantConditions(options);
    return this.grantActions(grantee, options.actions ?? this.usageActions, { conditions, sid: options.statementId, explicit: true });
  }

  /** The usage actions for this key's usage. */
  public get usageActions(): string[] {
    switch (this.keyUsage) {
      case kms.KeyUsage.SIGN_VERIFY:
        return [...SIGN_VERIFY_USAGE_ACTIONS];
      case kms.KeyUsage.GENERATE_VERIFY_MAC:
        return [...HMAC_USAGE_ACTIONS];
      case kms.KeyUsage.KEY_AGREEMENT:
        return [...KEY_AGREEMENT_USAGE_ACTIONS];
      default:
        return this.keySpec === kms.KeySpec.SYMMETRIC_DEFAULT ? [...SYMMETRIC_USAGE_ACTIONS] : [...ASYMMETRIC_ENCRYPT_USAGE_ACTIONS];
    }
  }

  private grantActions(
    grantee: iam.IGrantable,
    actions: readonly string[],
    opts: { conditions?: Record<string, Record<string, unknown>>; sid?: string; explicit?: boolean; shared?: boolean },
  ): iam.Grant {
    const shared = opts.shared ?? false;
    const { admin, usage, grants } = classifyActions(actions);
    if (admin.length > 0 && (usage.length > 0 || grants.length > 0)) {
      throw new Error(
        `'actions' must not mix administration (${admin.join(', ')}) and use (${[...usage, ...grants].join(', ')}) of the key in one grant: ` +
          'separation of duties. Grant them separately, to different principals.',
      );
    }
    this.assertApplicable(usage);
    const base = opts.explicit ? opts.conditions ?? {} : this.defaultUsageConditions();
    const placed: iam.Grant[] = [];
    if (admin.length > 0) {
      const sid = opts.sid ?? adminSid(admin);
      placed.push(this.place(grantee, { sid, role: StatementRole.ADMIN, actions: admin, conditions: opts.conditions, shared }));
    }
    if (usage.length > 0) {
      const sid = opts.sid ?? this.usageSid(usage);
      placed.push(this.place(grantee, { sid, role: StatementRole.USAGE, actions: usage, conditions: base, shared }));
    }
    if (grants.length > 0) {
      const conditions = { ...base, Bool: { ...(base.Bool ?? {}), 'kms:GrantIsForAWSResource': true } };
      // A named grant that also gives use keeps the name for the use: its CreateGrant part gets a suffix.
      const sid = opts.sid ? (usage.length > 0 ? `${opts.sid}Grants` : opts.sid) : 'KeyGrantsForAwsResources';
      placed.push(this.place(grantee, { sid, role: StatementRole.GRANTS, actions: grants, conditions, shared }));
    }
    return placed.reduce((a, b) => a.combine(b));
  }

  private defaultUsageConditions(): Record<string, Record<string, unknown>> {
    const via = this.defaultViaServices;
    return via ? { StringEquals: { 'kms:ViaService': via.length === 1 ? via[0] : via } } : {};
  }

  /**
   * Put a principal into the key policy and return the `Grant`. Its `principalStatement` is the
   * key-policy statement itself, so a caller that amends it (as `ec2.Volume` adds conditions)
   * amends the key policy.
   *
   * A principal in another stack of the same environment whose stack must deploy after the key's
   * (it depends on it, or the role has a fixed name) is delegated: the key policy allows the
   * account root on the condition `aws:PrincipalArn`, and the principal gets a customer managed
   * policy for the same actions. Naming it directly would make the key's stack depend on the
   * principal's, a cycle.
   */
  private place(grantee: iam.IGrantable, req: Omit<StatementRequest, 'principal'>, delegateArn = this.routeFor(grantee.grantPrincipal)): iam.Grant {
    const principal = grantee.grantPrincipal;
    const identity = this.recordRole(principal, req.role, req.conditions);
    const conditions = { ...(req.conditions ?? {}) };
    if (delegateArn !== undefined) {
      conditions.ArnEquals = { ...(conditions.ArnEquals ?? {}), 'aws:PrincipalArn': delegateArn };
      this.identityPolicyFor(principal as iam.IPrincipal & IConstruct).addStatements(
        new iam.PolicyStatement({
          actions: [...new Set(req.actions.flatMap((a) => expandKmsAction(a)))].sort(),
          resources: [this.keyArn],
          conditions: Object.keys(req.conditions ?? {}).length > 0 ? req.conditions : undefined,
        }),
      );
    }
    const inPolicy = delegateArn !== undefined ? new iam.AccountRootPrincipal() : principal;
    const principalKey = delegateArn === undefined ? identity : undefined;
    const sink = new KeyPolicySink(inPolicy, (candidate) => {
      this._statements.add({ ...req, conditions, principal: inPolicy, principalKey }, candidate);
      return this;
    });
    return iam.Grant.addToPrincipal({
      grantee: sink,
      actions: [...req.actions].sort(),
      resourceArns: ['*'],
      conditions: Object.keys(conditions).length > 0 ? conditions : undefined,
    });
  }

  private routeFor(principal: iam.IPrincipal): string | undefined {
    if (!iam.principalIsOwnedResource(principal)) return undefined;
    const keyStack = Stack.of(this);
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
        `Cannot grant '${principal.node.path}' access to key '${this.node.path}': its stack '${granteeStack.stackName}' ` +
          `depends on the key's stack '${keyStack.stackName}', so the key policy cannot reference it without a cycle. ` +
          "Give the role a fixed 'roleName' (the key policy then names it by ARN), or create it in the key's stack.",
      );
    }
    Annotations.of(this).addInfoV2(
      'cdk-kms-governance:crossStackGrant',
      `The key policy references '${principal.node.path}' in stack '${granteeStack.stackName}', so this stack will deploy after it. ` +
        "If that stack also uses the key, give the role a fixed 'roleName' so that the grant can be delegated instead.",
    );
    return undefined;
  }

  private identityPolicyFor(principal: iam.IPrincipal & IConstruct): iam.ManagedPolicy {
    const description = `Use of KMS key ${this.node.path}, delegated by its key policy (cdk-kms-governance)`;
    const policy = managedPolicyOf(principal, `KmsKeyAccess${shortHash(this.node.path)}`, description);
    if (!policy) {
      throw new Error(`Cannot delegate access to key '${this.node.path}' to '${principal.node.path}': it is not a role, user or group.`);
    }
    return policy;
  }

  /** Record what a principal does with the key; returns its `principalIdentity`. */
  private recordRole(principal: iam.IPrincipal, role: StatementRole, statementConditions?: Record<string, Record<string, unknown>>): string {
    // Conditions are part of the identity: the account root scoped to a service with
    // kms:ViaService (as ec2.Volume grants) is not the unconditioned root administrator. For the
    // account root, the statement's conditions count too: a root usage statement delegates use to
    // IAM, and its conditions decide how far; only an unconditioned one is full delegation.
    const stack = Stack.of(this);
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

  private assertApplicable(usage: string[]): void {
    const allowed = this.usageActions.flatMap((a) => expandKmsAction(a));
    for (const action of usage) {
      const expanded = expandKmsAction(action);
      if (!expanded.some((a) => allowed.includes(a))) {
        throw new Error(
          `'actions' must apply to a ${this.keyUsage} key (${this.keySpec}). Received: "${action}". ` +
            `This key supports: ${this.usageActions.join(', ')}`,
        );
      }
    }
  }

  private usageSid(actions: string[]): string {
    const key = [...new Set(actions)].sort().join(',');
    const named: Array<[readonly string[], string]> = [
      [this.usageActions, 'KeyUsage'],
      [DECRYPT_ACTIONS, 'KeyDecrypt'],
      [ENCRYPT_ACTIONS, 'KeyEncrypt'],
      [[...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS], 'KeyEncryptDecrypt'],
      [SIGN_ACTIONS, 'KeySign'],
      [VERIFY_ACTIONS, 'KeyVerify'],
      [[...SIGN_ACTIONS, ...VERIFY_ACTIONS], 'KeySignVerify'],
      [GENERATE_MAC_ACTIONS, 'KeyGenerateMac'],
      [VERIFY_MAC_ACTIONS, 'KeyVerifyMac'],
    ];
    const match = named.find(([set]) => [...set].sort().join(',') === key);
    return match ? match[1] : 'KeyActions';
  }

  private validateKeyPolicy(allowOverlap: boolean): string[] {
    const errors: string[] = [];
    const size = this._statements.renderedSize();
    if (size > 32 * 1024) {
      errors.push(`The key policy of ${this.node.path} is ${size} bytes; AWS KMS allows at most 32768. Merge principals into roles or use fewer grants.`);
    }
    if (!allowOverlap) {
      for (const { label, roles } of this.principalRoles.values()) {
        const administers = roles.has(StatementRole.ADMIN) || (roles.has(StatementRole.ROOT) && this.rootAccess === RootAccess.ADMINISTRATION_ONLY);
        const uses = roles.has(StatementRole.USAGE) || roles.has(StatementRole.GRANTS);
        if (administers && uses) {
          errors.push(
            `${label} is both an administrator and a user of key ${this.node.path}: separation of duties forbids it. ` +
              "Use different principals, or set 'allowAdministratorsAsUsers: true'.",
          );
        }
      }
    }
    for (const sid of this._statements.duplicateSids()) {
      errors.push(`The key policy of ${this.node.path} has more than one statement with Sid "${sid}"; Sids must be unique.`);
    }
    return errors;
  }
}

/**
 * Something that audits keys, such as `KeyAuditTrail`.
 */
export interface IKeyAudit {
  /** Add auditing (alarms on dangerous changes) for one key. */
  watch(key: ManagedKeyBase): void;
}

/**
 * Properties of a `ManagedCmk`.
 */
export interface ManagedCmkProps extends KeyPolicyOptions {
  /**
   * Audit this key: an alarm on its dangerous changes (disabled or re-enabled, deletion scheduled
   * or cancelled, policy replaced, rotation off), scoped to its ARN. Pass a `KeyAuditTrail`.
   *
   * @default - the key is not watched individually (a `KeyAuditTrail` still alarms on every key)
   */
  readonly audit?: IKeyAudit;

  /**
   * The alias of the key. The `alias/` prefix is added if missing.
   * 1–256 characters of `[a-zA-Z0-9:/_-]`; the `alias/aws/` prefix is reserved for AWS.
   */
  readonly alias: string;

  /**
   * More aliases for the key.
   *
   * @default - none
   */
  readonly additionalAliases?: string[];

  /**
   * A description of the key.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The key spec.
   *
   * IMPORTANT: changing it replaces the key, and data encrypted under the old key can no longer
   * be decrypted once it is deleted.
   *
   * @default kms.KeySpec.SYMMETRIC_DEFAULT
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * The key usage. It must be one that the key spec supports.
   *
   * IMPORTANT: changing it replaces the key.
   *
   * @default - ENCRYPT_DECRYPT for symmetric and RSA keys, GENERATE_VERIFY_MAC for HMAC keys,
   * SIGN_VERIFY for other asymmetric keys
   */
  readonly keyUsage?: kms.KeyUsage;

  /**
   * Whether AWS KMS rotates the key material automatically. Only symmetric encryption keys
   * support rotation; asking for it on another key is an error.
   *
   * @default - true for symmetric encryption keys, false otherwise
   */
  readonly enableKeyRotation?: boolean;

  /**
   * How often the key material rotates, between 90 and 2560 days.
   *
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;

  /**
   * How long a key scheduled for deletion waits before it is deleted, between 7 and 30 days.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * Whether the key is enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * What happens to the key when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether the key is a multi-Region primary key, which `ManagedCmkReplica` can replicate.
   *
   * IMPORTANT: changing it replaces the key.
   *
   * @default false
   */
  readonly multiRegion?: boolean;
}

const SPEC_USAGES: Record<string, kms.KeyUsage[]> = {
  SYMMETRIC_DEFAULT: [kms.KeyUsage.ENCRYPT_DECRYPT],
  RSA_2048: [kms.KeyUsage.ENCRYPT_DECRYPT, kms.KeyUsage.SIGN_VERIFY],
  RSA_3072: [kms.KeyUsage.ENCRYPT_DECRYPT, kms.KeyUsage.SIGN_VERIFY],
  RSA_4096: [kms.KeyUsage.ENCRYPT_DECRYPT, kms.KeyUsage.SIGN_VERIFY],
  ECC_NIST_P256: [kms.KeyUsage.SIGN_VERIFY, kms.KeyUsage.KEY_AGREEMENT],
  ECC_NIST_P384: [kms.KeyUsage.SIGN_VERIFY, kms.KeyUsage.KEY_AGREEMENT],
  ECC_NIST_P521: [kms.KeyUsage.SIGN_VERIFY, kms.KeyUsage.KEY_AGREEMENT],
  ECC_SECG_P256K1: [kms.KeyUsage.SIGN_VERIFY],
  ECC_NIST_EDWARDS25519: [kms.KeyUsage.SIGN_VERIFY],
  HMAC_224: [kms.KeyUsage.GENERATE_VERIFY_MAC],
  HMAC_256: [kms.KeyUsage.GENERATE_VERIFY_MAC],
  HMAC_384: [kms.KeyUsage.GENERATE_VERIFY_MAC],
  HMAC_512: [kms.KeyUsage.GENERATE_VERIFY_MAC],
  SM2: [kms.KeyUsage.ENCRYPT_DECRYPT, kms.KeyUsage.SIGN_VERIFY, kms.KeyUsage.KEY_AGREEMENT],
  ML_DSA_44: [kms.KeyUsage.SIGN_VERIFY],
  ML_DSA_65: [kms.KeyUsage.SIGN_VERIFY],
  ML_DSA_87: [kms.KeyUsage.SIGN_VERIFY],
};

/**
 * A customer-managed KMS key that is compliant by default: rotation on, a key policy in which
 * administrators cannot use the key and users cannot administer it, an alias, a 30-day pending
 * window, and retained when removed from the stack.
 *
 * It is an `IKey`: pass it wherever CDK takes one (`s3.Bucket`, `logs.LogGroup`, `sqs.Queue`…).
 * Grants made through it, by you or by other constructs, land in the key policy.
 *
 * @example
 * const admins = new iam.Role(this, 'Admins', { assumedBy: new iam.AccountRootPrincipal() });
 * const app = new iam.Role(this, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
 * new ManagedCmk(this, 'DataKey', { alias: 'app/data', administrators: [admins], users: [app] });
 */
export class ManagedCmk extends ManagedKeyBase {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly keyUsage: kms.KeyUsage;
  public readonly keySpec: kms.KeySpec;
  /** The primary alias name, with the `alias/` prefix. */
  public readonly aliasName: string;
  /** Whether the key is a multi-Region primary key. */
  public readonly multiRegion: boolean;
  /** Whether automatic rotation is on. */
  public readonly rotationEnabled: boolean;
  /** The underlying `AWS::KMS::Key`. */
  public readonly cfnKey: kms.CfnKey;

  constructor(scope: Construct, id: string, props: ManagedCmkProps) {
    super(scope, id, props ?? {});
    if (props?.alias === undefined) {
      throw new Error("'alias' is required: every ManagedCmk gets an alias. Received: undefined");
    }
    this.keySpec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    const usages = SPEC_USAGES[this.keySpec];
    if (!usages) {
      throw new Error(`'keySpec' must be one of ${Object.keys(SPEC_USAGES).join(', ')}. Received: ${quote(this.keySpec)}`);
    }
    this.keyUsage = props.keyUsage ?? usages[0];
    if (!usages.includes(this.keyUsage)) {
      throw new Error(`'keyUsage' ${this.keyUsage} is not supported by keySpec ${this.keySpec}; it supports ${usages.join(', ')}. Received: ${quote(this.keyUsage)}`);
    }
    const symmetric = this.keySpec === kms.KeySpec.SYMMETRIC_DEFAULT;
    if (props.enableKeyRotation === true && !symmetric) {
      throw new Error(`'enableKeyRotation' can be true only for SYMMETRIC_DEFAULT keys: AWS KMS does not rotate ${this.keySpec} keys. Received: true`);
    }
    this.rotationEnabled = props.enableKeyRotation ?? symmetric;
    if (props.rotationPeriod !== undefined && !this.rotationEnabled) {
      throw new Error(`'rotationPeriod' needs key rotation, which is off for this key. Received: ${props.rotationPeriod.toHumanString()}`);
    }
    const rotationDays = this.rotationEnabled ? validateDaysRange('rotationPeriod', props.rotationPeriod ?? Duration.days(365), 90, 2560) : undefined;
    const pendingDays = validateDaysRange('pendingWindow', props.pendingWindow ?? Duration.days(30), 7, 30);
    if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.length > 8192) {
      throw new Error(`'description' must be at most 8192 characters. Received: ${props.description.length} characters`);
    }
    this.multiRegion = props.multiRegion ?? false;

    this.cfnKey = new kms.CfnKey(this, 'Resource', {
      description: props.description,
      keySpec: this.keySpec,
      keyUsage: this.keyUsage,
      enableKeyRotation: this.rotationEnabled,
      rotationPeriodInDays: this.rotationEnabled ? rotationDays ?? props.rotationPeriod?.toDays() : undefined,
      pendingWindowInDays: pendingDays ?? props.pendingWindow?.toDays(),
      enabled: props.enabled ?? true,
      multiRegion: props.multiRegion,
      keyPolicy: this.policy,
    });
    this.cfnKey.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.keyArn = this.cfnKey.attrArn;
    this.keyId = this.cfnKey.ref;

    this._initPolicy(props);
    this.aliasName = normalizeAlias('alias', props.alias);
    const additional = (props.additionalAliases ?? []).map((a, i) => normalizeAlias(`additionalAliases[${i}]`, a));
    validateUnique('additionalAliases', [this.aliasName, ...additional]);
    [this.aliasName, ...additional].forEach((a) => this.addAlias(a));
    props.audit?.watch(this);
  }

  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.cfnKey.applyRemovalPolicy(policy);
  }
}

/**
 * The IAM conditions of a scoped grant: `kms:ViaService`, `kms:EncryptionContext:<key>` and any
 * further conditions. Shared by key-policy grants and by identity-policy grants on keys that are
 * not `ManagedKeyBase`.
 */
export function scopedGrantConditions(options: ScopedGrantOptions): Record<string, Record<string, unknown>> {
  const conditions: Record<string, Record<string, unknown>> = {};
  const add = (op: string, key: string, value: unknown) => {
    conditions[op] = { ...(conditions[op] ?? {}), [key]: value };
  };
  const via = options.viaServices ?? [];
  if (via.length > 0) add('StringEquals', 'kms:ViaService', via.length === 1 ? via[0] : via);
  for (const [k, v] of Object.entries(options.encryptionContext ?? {})) {
    validatePattern('encryptionContext', k, /^[^\s]+$/, 'keys must not be empty or contain white space');
    const op = !Token.isUnresolved(v) && v.includes('*') ? 'StringLike' : 'StringEquals';
    add(op, `kms:EncryptionContext:${k}`, v);
  }
  for (const [op, kv] of Object.entries(options.conditions ?? {})) {
    for (const [k, v] of Object.entries(kv as Record<string, unknown>)) add(op, k, v);
  }
  return conditions;
}

function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    const aws = (principal as Record<string, unknown>).AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}

function adminSid(actions: string[]): string {
  const given = new Set(actions.flatMap((a) => expandKmsAction(a)));
  return ADMIN_ACTIONS.every((a) => given.has(a)) ? 'KeyAdministration' : 'KeyAdministrationPartial';
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
