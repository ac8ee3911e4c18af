import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IKeyAudit, KeyMaterialOrigin, KeyPolicyOptions } from './managed-key';
import { ManagedKeyBase } from './managed-key-base';
import { normalizeAlias, quote, validateDaysRange, validateUnique } from './private/validate';

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
   * Whether AWS KMS rotates the key material automatically. Only symmetric encryption keys with
   * key material from AWS KMS support it; asking for it on another key is an error.
   *
   * @default - true for symmetric encryption keys with key material from AWS KMS, false otherwise
   * (asymmetric and HMAC keys, and keys with imported key material)
   */
  readonly enableKeyRotation?: boolean;

  /**
   * Where the key material comes from. With `KeyMaterialOrigin.EXTERNAL` the key is created without
   * key material, in the `PendingImport` state, and you import your own
   * (`npx cdk-kms-governance import-key-material`); the key's administrators (and the account
   * root, under `RootAccess.ADMINISTRATION_ONLY`) may import and delete it, its users may not.
   *
   * AWS KMS does not rotate imported key material automatically, so such a key has no automatic
   * rotation (a synth warning says which compliance findings that raises); symmetric keys can be
   * rotated on demand by importing new material. Expiry is set at import (`--valid-to`); watch it
   * with `KeyMaterialExpiryAlarm`.
   *
   * IMPORTANT: changing it replaces the key.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
   * @default KeyMaterialOrigin.AWS_KMS
   */
  readonly keyMaterialOrigin?: KeyMaterialOrigin;

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
   * Allow an RSA_2048 key for encryption (`keySpec: RSA_2048` with `keyUsage: ENCRYPT_DECRYPT`). It is
   * an error by default: AWS Control Tower's control CT.KMS.PR.2 refuses such a key at deployment in
   * an organization that enables it; RSA_3072 and RSA_4096 pass. Signing with RSA_2048 is not
   * affected.
   *
   * @default false
   */
  readonly allowRsa2048Encryption?: boolean;

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

/** Why a symmetric key with imported key material does not rotate automatically, and what that raises. */
const EXTERNAL_ROTATION_WARNING =
  'This key has imported key material (keyMaterialOrigin: EXTERNAL), which AWS KMS does not rotate automatically: EnableKeyRotation ' +
  'is false. cdk-nag reports AwsSolutions-KMS5, NIST.800.53.R5-KMSBackingKeyRotationEnabled and PCI.DSS.321-KMSBackingKeyRotationEnabled for it; ' +
  'acknowledge them with the reason "imported key material cannot rotate automatically; it is rotated on demand (new key material, ' +
  'RotateKeyOnDemand)" and rotate it on a schedule of your own. An organization that enables the AWS Control Tower control CT.KMS.PR.1 ' +
  'refuses symmetric keys without EnableKeyRotation at deployment, so it cannot create this key.';

/** The key specs whose key material cannot be imported. */
const NO_IMPORT_SPECS: readonly string[] = [kms.KeySpec.ML_DSA_44, kms.KeySpec.ML_DSA_65, kms.KeySpec.ML_DSA_87];

/** The key-material origin of a `ManagedCmk`, checked against what AWS KMS and CloudFormation accept. */
function validateOrigin(key: ManagedCmk, props: ManagedCmkProps): KeyMaterialOrigin {
  const origin = props.keyMaterialOrigin ?? KeyMaterialOrigin.AWS_KMS;
  if (!Object.values(KeyMaterialOrigin).includes(origin)) {
    throw new Error(
      "'keyMaterialOrigin' must be AWS_KMS or EXTERNAL (CloudFormation creates no keys in custom key stores, AWS_CLOUDHSM or " +
        `EXTERNAL_KEY_STORE). Received: ${quote(origin)}`,
    );
  }
  if (origin !== KeyMaterialOrigin.EXTERNAL) return origin;
  if (NO_IMPORT_SPECS.includes(key.keySpec)) {
    throw new Error(`'keyMaterialOrigin' EXTERNAL is not supported for ${key.keySpec} keys: AWS KMS does not import ML-DSA key material. Received: EXTERNAL with keySpec ${key.keySpec}`);
  }
  const region = Stack.of(key).region;
  if (!Token.isUnresolved(region) && region.startsWith('cn-') && key.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
    throw new Error(
      `'keyMaterialOrigin' EXTERNAL with keySpec ${key.keySpec}: in the China Regions AWS KMS imports only symmetric encryption key ` +
        `material. Received: EXTERNAL with keySpec ${key.keySpec} in ${region}`,
    );
  }
  if (props.enabled === false) {
    throw new Error(
      "'enabled' does not apply with 'keyMaterialOrigin' EXTERNAL: the key is created in PendingImport and is enabled when key material " +
        'is imported (disable it afterwards with DisableKey). Received: false',
    );
  }
  return origin;
}

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
  /** Where the key material comes from: AWS KMS, or imported (`EXTERNAL`). */
  public readonly keyMaterialOrigin: KeyMaterialOrigin;
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
    if (this.keySpec === kms.KeySpec.RSA_2048 && this.keyUsage === kms.KeyUsage.ENCRYPT_DECRYPT && !props.allowRsa2048Encryption) {
      throw new Error(
        "'keySpec' RSA_2048 with 'keyUsage' ENCRYPT_DECRYPT is refused by AWS Control Tower (CT.KMS.PR.2: RSA keys for encryption must be " +
          "longer than 2048 bits). Use RSA_3072 or RSA_4096, or set 'allowRsa2048Encryption: true'. Received: RSA_2048, ENCRYPT_DECRYPT",
      );
    }
    const symmetric = this.keySpec === kms.KeySpec.SYMMETRIC_DEFAULT;
    this.keyMaterialOrigin = validateOrigin(this, props);
    const external = this.keyMaterialOrigin === KeyMaterialOrigin.EXTERNAL;
    if (props.enableKeyRotation === true && !symmetric) {
      throw new Error(`'enableKeyRotation' can be true only for SYMMETRIC_DEFAULT keys: AWS KMS does not rotate ${this.keySpec} keys. Received: true`);
    }
    if (props.enableKeyRotation === true && external) {
      throw new Error(
        "'enableKeyRotation' must not be true with 'keyMaterialOrigin' EXTERNAL: AWS KMS does not rotate imported key material " +
          'automatically. Rotate it on demand instead (import new key material, then RotateKeyOnDemand). Received: true',
      );
    }
    if (props.rotationPeriod !== undefined && external) {
      throw new Error(
        "'rotationPeriod' does not apply with 'keyMaterialOrigin' EXTERNAL: AWS KMS does not rotate imported key material automatically. " +
          `Received: ${props.rotationPeriod.toHumanString()}`,
      );
    }
    this.rotationEnabled = props.enableKeyRotation ?? (symmetric && !external);
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
      // A key with imported material starts in PendingImport and becomes Enabled when material is imported.
      enabled: external ? undefined : props.enabled ?? true,
      multiRegion: props.multiRegion,
      origin: external ? KeyMaterialOrigin.EXTERNAL : undefined,
      keyPolicy: this.policy,
    });
    if (external && symmetric) {
      Annotations.of(this).addWarningV2('cdk-kms-governance:externalKeyNoAutomaticRotation', EXTERNAL_ROTATION_WARNING);
    }
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
