import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

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
 * Where the key material of a key comes from.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
 */
export enum KeyMaterialOrigin {
  /** AWS KMS generates the key material (the default). */
  AWS_KMS = 'AWS_KMS',

  /**
   * You import the key material ("bring your own key"): the key is created without material, in the
   * `PendingImport` state, and is usable once you import material into it (for example with
   * `npx cdk-kms-governance import-key-material`). Its material can expire and can be deleted; you
   * keep the original. AWS KMS does not rotate such a key automatically.
   */
  EXTERNAL = 'EXTERNAL',
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
   * They land in the key policy statement `KeyAdministration`. A principal of another account
   * gets only the administration actions AWS KMS honours across accounts (`kms:DescribeKey`,
   * `kms:GetKeyRotationStatus`, `kms:ListGrants`, `kms:RevokeGrant`), in `KeyAdministrationCrossAccount`,
   * with a synth warning that lists the others. An Organization or OU (`KeyPrincipals`) cannot be
   * an administrator.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
   * @default - no administrators besides the account root (see `rootAccess`)
   */
  readonly administrators?: iam.IPrincipal[];

  /**
   * Principals that use the key. The actions follow the key usage: Encrypt, Decrypt, ReEncrypt*,
   * GenerateDataKey* and DescribeKey for a symmetric key; Sign, Verify, GetPublicKey and
   * DescribeKey for a signing key; GenerateMac, VerifyMac and DescribeKey for an HMAC key.
   *
   * They land in the key policy statement `KeyUsage` (`KeyUsageOrganization` and
   * `KeyUsageIdentityCenter` for `KeyPrincipals`). `Principal: "*"` is refused unless a condition
   * holds it to an Organization, an account or named ARNs.
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

  /**
   * Allow principals that are not AWS services to create grants that are not for AWS resources.
   * By default the key policy denies it (statement `DenyGrantsNotForAwsResources`): a grant can
   * confer use of the key outside the key policy, so only AWS services create grants, and only for
   * AWS resources (an EBS volume, an RDS instance). An organization with the Control Tower control
   * CT.KMS.PR.3 refuses any key without this statement.
   *
   * @see https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html
   * @default false
   */
  readonly allowGrantsOutsideAwsResources?: boolean;
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
 * Something that audits keys, such as `KeyAuditTrail`.
 */
export interface IKeyAudit {
  /** Add auditing (alarms on dangerous changes) for one key. */
  watch(key: kms.IKey): void;
}

/**
 * A key whose policy the library writes: a `ManagedCmk` or a `ManagedCmkReplica`. Every grant made
 * through it, by you or by another construct, lands in its key policy.
 *
 * Recognize one with `ManagedKeyBase.isManagedKey(x)`, which also works when two copies of this
 * package are loaded (an `instanceof` check would not).
 */
export interface IManagedKey extends kms.IKey {
  /** The key usage, which decides the usage actions. */
  readonly keyUsage: kms.KeyUsage;
  /** The key spec. */
  readonly keySpec: kms.KeySpec;
  /** What the account root principal may do. */
  readonly rootAccess: RootAccess;
  /** Whether the key is a multi-Region key (a primary or a replica). */
  readonly multiRegion: boolean;
  /** Where the key material comes from: AWS KMS, or imported (`EXTERNAL`). */
  readonly keyMaterialOrigin: KeyMaterialOrigin;
  /** The usage actions for this key's usage (see `KeyPolicyOptions.users`). */
  readonly usageActions: string[];

  /**
   * Grant actions with conditions: through a service (`kms:ViaService`), with an encryption
   * context, or with any further condition.
   */
  grantScoped(grantee: iam.IGrantable, options?: ScopedGrantOptions): iam.Grant;

  /** Grant the administration actions: the principal manages the key but cannot use it. */
  grantAdmin(grantee: iam.IGrantable): iam.Grant;

  /** Grant the full usage set for this key's usage, as for `users`. */
  grantUsage(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grant use for AWS resources, as for `serviceUsers`: the usage actions plus CreateGrant,
   * ListGrants and RevokeGrant with `kms:GrantIsForAWSResource: true`.
   */
  grantServiceUse(grantee: iam.IGrantable): iam.Grant;
}
