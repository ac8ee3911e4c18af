import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IManagedKey, KeyMaterialOrigin, KeyPolicyOptions } from './managed-key';
import { ManagedKeyBase } from './managed-key-base';
import { normalizeAlias, quote, validateDaysRange, validateLength } from './private/validate';

/**
 * Properties of a `ManagedCmkReplica`.
 */
export interface ManagedCmkReplicaProps extends KeyPolicyOptions {
  /**
   * The multi-Region primary key to replicate: a `ManagedCmk` with `multiRegion: true`. The
   * replica takes its key spec and key usage; rotation follows the primary.
   */
  readonly primaryKey: IManagedKey;

  /**
   * The ARN of the primary key, when the replica's stack cannot reference the primary's stack
   * (a replica lives in another Region, and CDK references across Regions need
   * `crossRegionReferences: true` on the stacks).
   *
   * @default primaryKey.keyArn
   */
  readonly primaryKeyArn?: string;

  /**
   * The alias of the replica in its Region. The `alias/` prefix is added if missing.
   */
  readonly alias: string;

  /**
   * A description of the replica.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * How long the replica, once scheduled for deletion, waits before it is deleted, between 7 and
   * 30 days.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * Whether the replica is enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * What happens to the replica when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A replica of a multi-Region `ManagedCmk` in another Region (`AWS::KMS::ReplicaKey`), with the
 * same key-policy model: its own administrators, users and root access, separation of duties
 * checked, and grants landing in its key policy.
 *
 * A replica has its own key policy; AWS KMS does not copy the primary's.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-replicate.html
 */
export class ManagedCmkReplica extends ManagedKeyBase {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly keyUsage: kms.KeyUsage;
  public readonly keySpec: kms.KeySpec;
  /** A replica is a multi-Region key. */
  public readonly multiRegion = true;
  /**
   * Where the key material comes from: the primary's origin. A replica of a key with imported
   * material starts in `PendingImport`: import the same key material into it (AWS KMS does not copy
   * imported material to replicas); its administrators may.
   */
  public readonly keyMaterialOrigin: KeyMaterialOrigin;
  /** The primary alias name of the replica, with the `alias/` prefix. */
  public readonly aliasName: string;
  /** The underlying `AWS::KMS::ReplicaKey`. */
  public readonly cfnReplicaKey: kms.CfnReplicaKey;

  constructor(scope: Construct, id: string, props: ManagedCmkReplicaProps) {
    super(scope, id, props ?? {});
    if (props?.primaryKey === undefined) {
      throw new Error("'primaryKey' is required: the multi-Region ManagedCmk to replicate. Received: undefined");
    }
    if (props.alias === undefined) {
      throw new Error("'alias' is required: every replica gets an alias in its Region. Received: undefined");
    }
    if (!props.primaryKey.multiRegion) {
      throw new Error(`'primaryKey' must be a multi-Region key (multiRegion: true). Received: ${props.primaryKey.node.path}, a single-Region key`);
    }
    const here = Stack.of(this).region;
    const there = Stack.of(props.primaryKey).region;
    if (!Token.isUnresolved(here) && here === there) {
      throw new Error(`A replica must be in another Region than its primary key. Received: both in ${quote(here)}`);
    }
    const pendingDays = validateDaysRange('pendingWindow', props.pendingWindow ?? Duration.days(30), 7, 30);
    validateLength('description', props.description, 0, 8192);

    this.keySpec = props.primaryKey.keySpec;
    this.keyUsage = props.primaryKey.keyUsage;
    // A key of an older copy of the package has no origin: its material is from AWS KMS.
    this.keyMaterialOrigin = props.primaryKey.keyMaterialOrigin ?? KeyMaterialOrigin.AWS_KMS;
    this.cfnReplicaKey = new kms.CfnReplicaKey(this, 'Resource', {
      primaryKeyArn: props.primaryKeyArn ?? props.primaryKey.keyArn,
      keyPolicy: this.policy,
      description: props.description,
      enabled: props.enabled ?? true,
      pendingWindowInDays: pendingDays ?? props.pendingWindow?.toDays(),
    });
    this.cfnReplicaKey.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.keyArn = this.cfnReplicaKey.attrArn;
    this.keyId = this.cfnReplicaKey.attrKeyId;

    this._initPolicy(props);
    this.aliasName = normalizeAlias('alias', props.alias);
    this.addAlias(this.aliasName);
  }

  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.cfnReplicaKey.applyRemovalPolicy(policy);
  }
}
