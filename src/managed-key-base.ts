import { CfnResource, Resource, ResourceProps, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IManagedKey, KeyMaterialOrigin, KeyPolicyOptions, RootAccess, ScopedGrantOptions } from './managed-key';
import { ManagedKeyGrants } from './managed-key-grants';
import { shortHash } from './private/ids';
import { scopedGrantConditions } from './private/key-policy/conditions';
import { registerIdentityGrants } from './private/key-policy/identity-grants';
import { registerServiceUse } from './private/key-policy/service-use';
import { KeyPolicyStatements } from './private/key-policy/statements';
import { KeyPolicyWriter } from './private/key-policy/writer';
import {
  DECRYPT_ACTIONS,
  ENCRYPT_ACTIONS,
  GENERATE_MAC_ACTIONS,
  GRANT_ACTIONS,
  PUT_KEY_POLICY_ACTION,
  SIGN_ACTIONS,
  VERIFY_ACTIONS,
  VERIFY_MAC_ACTIONS,
  actionPatternMatchesAny,
} from './private/kms-actions';
import { normalizeAlias, quote, validatePattern, validateUnique } from './private/validate';

/** Marks the library's keys, so that they are recognized across copies of the package. */
const MANAGED_KEY = Symbol.for('cdk-kms-governance.ManagedKey');
/** The aliases the app's library keys claim, kept on the app's root construct (also across copies of the package). */
const ALIAS_CLAIMS = Symbol.for('cdk-kms-governance.AliasClaims');

/**
 * Record that `key` has the alias `name` in its account and Region, and fail the synthesis of a
 * later key that claims the same (KMS aliases are unique per account and Region: CloudFormation
 * would fail at deploy time). Stacks without a concrete account and Region are compared only with
 * themselves: env-agnostic stacks may deploy to different accounts.
 */
function claimAlias(key: ManagedKeyBase, name: string): void {
  let stack = Stack.of(key);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  const concrete = !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region);
  const where = concrete ? `account ${stack.account} and Region ${stack.region}` : `the account and Region of stack ${stack.node.path}`;
  const root = key.node.root as unknown as Record<symbol, Map<string, ManagedKeyBase[]>>;
  if (!root[ALIAS_CLAIMS]) Object.defineProperty(root, ALIAS_CLAIMS, { value: new Map() });
  const claims = root[ALIAS_CLAIMS];
  const claimants = claims.get(`${where}|${name}`) ?? [];
  claims.set(`${where}|${name}`, [...claimants, key]);
  key.node.addValidation({
    validate: () => {
      const first = claims.get(`${where}|${name}`)![0];
      return first === key ? [] : [
        `Alias ${quote(name)} of ${key.node.path} is already the alias of ${first.node.path} in ${where}: KMS aliases are unique per ` +
          'account and Region, so the deployment would fail. Give one of the keys another alias.',
      ];
    },
  });
}

/**
 * The key-policy machinery shared by `ManagedCmk` and `ManagedCmkReplica`: an `IKey` whose
 * every grant, including grants that other constructs make through `IKey`, lands in the key
 * policy and never in an IAM policy of the grantee.
 */
export abstract class ManagedKeyBase extends Resource implements IManagedKey {
  /**
   * Whether `x` is a key of this library (`ManagedCmk`, `ManagedCmkReplica`), also when it comes
   * from another copy of the package.
   */
  public static isManagedKey(x: any): x is IManagedKey {
    return x !== null && typeof x === 'object' && MANAGED_KEY in x;
  }

  /** The ARN of the key. */
  public abstract readonly keyArn: string;
  /** The ID of the key. */
  public abstract readonly keyId: string;
  /** The key usage, which decides the usage actions. */
  public abstract readonly keyUsage: kms.KeyUsage;
  /** The key spec. */
  public abstract readonly keySpec: kms.KeySpec;
  /** Whether the key is a multi-Region key (a primary or a replica). */
  public abstract readonly multiRegion: boolean;
  /** Where the key material comes from: AWS KMS, or imported (`EXTERNAL`). */
  public abstract readonly keyMaterialOrigin: KeyMaterialOrigin;
  /** What the account root principal may do. */
  public readonly rootAccess: RootAccess;
  /** The key policy document. Add statements with `addToResourcePolicy`. */
  public readonly policy: iam.PolicyDocument;

  /** @internal */
  protected readonly _statements: KeyPolicyStatements;
  private readonly writer: KeyPolicyWriter;
  private readonly aliasConstructs: kms.Alias[] = [];
  private readonly aliasNames: string[] = [];

  constructor(scope: Construct, id: string, options: KeyPolicyOptions = {}, resourceProps: ResourceProps = {}) {
    super(scope, id, resourceProps);
    Object.defineProperty(this, MANAGED_KEY, { value: true });
    this.rootAccess = options.rootAccess ?? RootAccess.ADMINISTRATION_ONLY;
    for (const [i, via] of (options.viaServices ?? []).entries()) {
      validatePattern(`viaServices[${i}]`, via, /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/, 'must be a service endpoint such as s3.us-east-1.amazonaws.com');
    }
    validateUnique('viaServices', options.viaServices ?? []);
    if (options.viaServices && options.viaServices.length === 0) {
      throw new Error("'viaServices' must not be empty when given; omit it to allow use through any service. Received: []");
    }
    this.writer = new KeyPolicyWriter(this, {
      rootFullAccess: this.rootAccess === RootAccess.FULL,
      viaServices: options.viaServices,
      allowAdministratorsAsUsers: options.allowAdministratorsAsUsers ?? false,
      allowGrantsOutsideAwsResources: options.allowGrantsOutsideAwsResources ?? false,
    });
    this._statements = this.writer.statements;
    this.policy = this._statements.document;
    this.node.addValidation({ validate: () => this.writer.validate() });
    // The resources of the app that use this key get what their services need (private/service-contract.ts).
    const key = this;
    registerServiceUse(this, {
      path: this.node.path,
      get resource() {
        return key.node.defaultChild as CfnResource;
      },
      aliasResources: () => key.aliasConstructs.map((a) => a.node.defaultChild as CfnResource),
      aliasNames: () => key.aliasNames.filter((n) => !Token.isUnresolved(n)),
      allow: (principal, actions, conditions, sid) => {
        key.writer.grant(principal, actions, { conditions, sid, explicit: true });
      },
    });
    // Use granted in IAM policies of the app (kms.KeyGrants.fromKey) is copied into the key policy.
    registerIdentityGrants(this, {
      get resource() {
        return key.node.defaultChild as CfnResource;
      },
      grant: (principal, actions, conditions) => {
        key.writer.grant(principal, actions, { conditions, explicit: true });
      },
    });
  }

  /** The grants of this key, in the shape of `kms.KeyGrants`; every one lands in the key policy. */
  public get grants(): ManagedKeyGrants {
    return ManagedKeyGrants.of(this);
  }

  /** The reference to this key, for L1 properties that take one. */
  public get keyRef(): kms.KeyReference {
    return { keyArn: this.keyArn, keyId: this.keyId };
  }

  /** The aliases created for this key. */
  public get aliases(): kms.Alias[] {
    return [...this.aliasConstructs];
  }

  /** The usage actions for this key's usage. */
  public get usageActions(): string[] {
    return [...this.writer.usageActions];
  }

  /**
   * Write the root, administrator, user and service-user statements. Called by subclasses once
   * `keyUsage` is known.
   * @internal
   */
  protected _initPolicy(options: KeyPolicyOptions): void {
    this.writer.writeDefaults(options);
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
    if (!Token.isUnresolved(name)) claimAlias(this, name);
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
    if (json.Effect === 'Deny' && (actions.some((a) => actionPatternMatchesAny(a, [PUT_KEY_POLICY_ACTION])) || json.NotAction)) {
      throw new Error(
        `'statement' must not deny kms:PutKeyPolicy: a key whose policy nobody can change is locked out. Received: ${quote(json)}`,
      );
    }
    if (json.Effect === 'Allow' && isWildcardPrincipal(json.Principal)) {
      throw new Error(`'statement' must not allow Principal "*" in a key policy (Security Hub KMS.5, Checkov CKV_AWS_33). Received: ${quote(json)}`);
    }
    this.writer.addStatement(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  /**
   * Grant actions on this key. The grant lands in the key policy; actions are split into
   * administration, use and grant management, and a call that mixes administration and use is
   * an error.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.writer.grant(grantee, actions);
  }

  /** Grant decryption (kms:Decrypt). */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, DECRYPT_ACTIONS);
  }

  /** Grant encryption (kms:Encrypt, kms:ReEncrypt*, kms:GenerateDataKey*). */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, ENCRYPT_ACTIONS);
  }

  /** Grant encryption and decryption. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS]);
  }

  /** Grant signing (kms:Sign). */
  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, SIGN_ACTIONS);
  }

  /** Grant verification (kms:Verify). */
  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, VERIFY_ACTIONS);
  }

  /** Grant signing and verification. */
  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, [...SIGN_ACTIONS, ...VERIFY_ACTIONS]);
  }

  /** Grant MAC generation (kms:GenerateMac). */
  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, GENERATE_MAC_ACTIONS);
  }

  /** Grant MAC verification (kms:VerifyMac). */
  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, VERIFY_MAC_ACTIONS);
  }

  /**
   * Grant the administration actions: the principal manages the key but cannot use it. For a key
   * with imported key material they include importing and deleting it.
   */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, this.writer.adminActions);
  }

  /** Grant the full usage set for this key's usage, as for `users`. */
  public grantUsage(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, this.writer.usageActions);
  }

  /**
   * Grant use for AWS resources, as for `serviceUsers`: the usage actions plus CreateGrant,
   * ListGrants and RevokeGrant with `kms:GrantIsForAWSResource: true`.
   */
  public grantServiceUse(grantee: iam.IGrantable): iam.Grant {
    return this.writer.grant(grantee, [...this.writer.usageActions, ...GRANT_ACTIONS]);
  }

  /**
   * Grant actions with conditions: through a service (`kms:ViaService`), with an encryption
   * context, or with any further condition. This is how the library's S3, SSM, EBS and
   * audit constructs grant least privilege.
   */
  public grantScoped(grantee: iam.IGrantable, options: ScopedGrantOptions = {}): iam.Grant {
    const conditions = scopedGrantConditions(options);
    return this.writer.grant(grantee, options.actions ?? this.writer.usageActions, { conditions, sid: options.statementId, explicit: true });
  }
}

function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    const aws = (principal as Record<string, unknown>).AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}
