import { Aws, Duration, Fn, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantKeyUse } from './internal/key-use';
import { ManagedCmk } from './managed-cmk';
import { ManagedKeyBase } from './managed-key-base';
import { BUCKET_WITHOUT_REPLICATION, acknowledge } from './private/acknowledgements';
import { shortHash } from './private/ids';
import { ServiceActions, Sid, encryptionContextKey } from './private/kms-actions';
import { validateDaysRange, validateLength, validatePattern } from './private/validate';

/**
 * How the default name of an `EnvelopeEncryptedBucket` is made (when `bucketName` is not given).
 * Either way the name is known at synth, so the key policy can name the bucket.
 */
export enum BucketNaming {
  /**
   * `kmsgov-<hash>-<account>-<region>`, from the stack name and the construct path: the same
   * every time the stack is deployed. A bucket retained by `cdk destroy` keeps the name, so
   * deploying the same stack again fails (`<name> already exists`) until the retained bucket is
   * deleted, or the stack uses `STACK_INSTANCE` or a `bucketName` of its own.
   */
  STACK_NAME = 'STACK_NAME',

  /**
   * `kmsgov-<hash>-<account>-<region>-<id>`, where `<id>` is the first 8 hex digits of the
   * CloudFormation stack id: the same across the updates of a stack, new each time the stack is
   * created. A stack destroyed and deployed again gets a new bucket (and, with the default key, a
   * new key); the retained bucket and its key stay as they were.
   *
   * IMPORTANT: for a stack already deployed with `STACK_NAME`, switching changes the name and so
   * REPLACES the bucket (the old one is retained, with its objects). Use it for new stacks.
   */
  STACK_INSTANCE = 'STACK_INSTANCE',
}

/**
 * Properties of an `EnvelopeEncryptedBucket`.
 */
export interface EnvelopeEncryptedBucketProps {
  /**
   * The key that encrypts the objects (SSE-KMS). A `ManagedCmk` keeps every grant in its key
   * policy, limited to S3 and to this bucket.
   *
   * @default - a new `ManagedCmk` with an alias derived from the construct path
   */
  readonly key?: kms.IKey;

  /**
   * The bucket name.
   *
   * IMPORTANT: changing it replaces the bucket.
   *
   * @default - a name made as `bucketNaming` says: known at synth so that the key policy can name
   * the bucket in its `aws:s3:arn` encryption-context condition without a circular dependency
   */
  readonly bucketName?: string;

  /**
   * How the default name is made, when `bucketName` is not given. `STACK_INSTANCE` lets a stack be
   * destroyed (the bucket retained) and deployed again; see `BucketNaming`.
   *
   * @default BucketNaming.STACK_NAME
   */
  readonly bucketNaming?: BucketNaming;

  /**
   * Where server access logs go.
   *
   * @default - a new log bucket with the same protections, encrypted with the same key
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * The prefix of this bucket's access logs in the log bucket.
   *
   * @default 'access-logs/'
   */
  readonly accessLogsPrefix?: string;

  /**
   * How long noncurrent object versions are kept before they expire.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Further lifecycle rules, added to the noncurrent-version and incomplete-upload rules.
   *
   * @default - none
   */
  readonly lifecycleRules?: s3.LifecycleRule[];

  /**
   * Turn on S3 Object Lock for the data bucket, with this default retention (WORM: objects can be
   * neither deleted nor overwritten until it ends). An organization with the AWS Control Tower control
   * CT.S3.PR.9 refuses buckets without Object Lock.
   *
   * IMPORTANT: Object Lock cannot be turned off once on, and COMPLIANCE mode retention cannot be
   * shortened by anyone, the account root included. S3 does not deliver server access logs to a
   * bucket with Object Lock, so the log bucket this construct creates never has it: set
   * `accessLogsBucket` to a central log bucket of yours as well.
   *
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
   * @default - no Object Lock
   */
  readonly objectLockRetention?: s3.ObjectLockRetention;

  /**
   * What happens to the bucket, and the log bucket it creates, when they leave the stack.
   * Objects are never deleted automatically.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** One kind of access grant: S3 actions on the objects (and the bucket, to list), key use, and its Sid. */
interface AccessGrant {
  readonly list: boolean;
  readonly objects: string[];
  readonly kms: readonly string[];
  readonly sid: string;
}

/** S3 actions of a read grant: on the bucket, and on its objects. */
const LIST_ACTIONS = ['s3:GetBucketLocation', 's3:ListBucket'];
const READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
/** S3 actions of a write grant. Object versions are never deleted through a grant. */
const WRITE_ACTIONS = ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging'];

/**
 * An S3 bucket encrypted with SSE-KMS under a customer-managed key, with the protections an
 * auditor expects by default: Bucket Keys (up to 99% fewer KMS requests), all public access
 * blocked, ACLs disabled, TLS 1.2+ only, versioning, lifecycle for noncurrent versions, server
 * access logging, and retention on stack deletion.
 *
 * Its bucket policy refuses an upload that asks for any other encryption or any other key. The
 * `grant*` methods put the S3 access in the bucket policy and the KMS access in the key policy,
 * usable only through S3 in this Region and only for this bucket.
 */
export class EnvelopeEncryptedBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.Bucket;
  /** The key that encrypts it. */
  public readonly key: kms.IKey;
  /** The bucket that receives its server access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /**
   * The bucket's name, fixed at synth. Unlike `bucket.bucketName` it is no reference to the bucket
   * resource, so the bucket's own key policy can use it without a circular dependency.
   */
  public readonly bucketName: string;
  /** The bucket's ARN built from `bucketName`: safe in the key policy, as `bucketName` is. */
  public readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: EnvelopeEncryptedBucketProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    validateLength('bucketName', props.bucketName, 3, 63);
    validatePattern('bucketName', props.bucketName, /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'must be lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit');
    if (props.bucketName && !Token.isUnresolved(props.bucketName) && (props.bucketName.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(props.bucketName))) {
      throw new Error(`'bucketName' must not contain '..' or look like an IP address. Received: "${props.bucketName}"`);
    }
    validateLength('accessLogsPrefix', props.accessLogsPrefix, 0, 1024);
    const noncurrentDays = validateDaysRange('noncurrentVersionExpiration', props.noncurrentVersionExpiration ?? Duration.days(90), 1, 36500);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = props.key ?? new ManagedCmk(this, 'Key', {
      alias: `envelope-bucket/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      description: `Encrypts the objects of ${this.node.path}`,
      removalPolicy,
    });
    if (ManagedKeyBase.isManagedKey(this.key) && this.key.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
      throw new Error(`'key' must be a symmetric encryption key: S3 supports only those for SSE-KMS. Received: ${this.key.node.path} (${this.key.keySpec})`);
    }

    this.accessLogsBucket = props.accessLogsBucket ?? new s3.Bucket(this, 'AccessLogs', {
      ...protections(this.key, removalPolicy),
      lifecycleRules: [
        { id: 'ExpireNoncurrentLogVersions', noncurrentVersionExpiration: Duration.days(noncurrentDays ?? 90), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    if (props.bucketName !== undefined && props.bucketNaming !== undefined) {
      throw new Error(`'bucketNaming' applies only to the default name: give either 'bucketName' or 'bucketNaming'. Received: both ("${props.bucketName}", ${props.bucketNaming})`);
    }
    const bucketName = props.bucketName ?? defaultBucketName(this, props.bucketNaming ?? BucketNaming.STACK_NAME);
    // The ARN from the name, not from the bucket resource: the key policy names it, and a
    // reference to the bucket (which references the key) would be a circular dependency.
    this.bucketName = bucketName;
    this.bucketArn = stack.formatArn({ service: 's3', region: '', account: '', resource: bucketName });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...protections(this.key, removalPolicy),
      objectLockDefaultRetention: props.objectLockRetention,
      bucketName,
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        ...(props.lifecycleRules ?? []),
      ],
    });

    this.enableAccessLogs(props.accessLogsPrefix ?? 'access-logs/');
    acknowledge(this.bucket.node.defaultChild!, BUCKET_WITHOUT_REPLICATION);
    if (!props.accessLogsBucket) acknowledge(this.accessLogsBucket.node.defaultChild!, BUCKET_WITHOUT_REPLICATION);

    denyOtherEncryption(this.bucket, this.key);
    sendEventsToEventBridge(this.bucket);
    if (!props.accessLogsBucket) {
      denyOtherEncryption(this.accessLogsBucket, this.key);
      sendEventsToEventBridge(this.accessLogsBucket as s3.Bucket);
    }
  }

  /**
   * Server access logging, configured here rather than through `s3.Bucket`'s props so that it does
   * not depend on the app's feature flags (without `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`
   * CDK would use an ACL, which the log bucket's BucketOwnerEnforced ownership forbids). The log
   * delivery service gets a bucket-policy statement limited to this bucket and account, and may
   * only create data keys under the log bucket's key.
   */
  private enableAccessLogs(prefix: string): void {
    const stack = Stack.of(this);
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogsBucket.bucketName,
      logFilePrefix: prefix,
    };
    const logDelivery = new iam.ServicePrincipal('logging.s3.amazonaws.com');
    this.accessLogsBucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: `${Sid.S3_SERVER_ACCESS_LOGS}${shortHash(this.node.path)}`,
      principals: [logDelivery],
      actions: ['s3:PutObject'],
      resources: [this.accessLogsBucket.arnForObjects(`${prefix}*`)],
      conditions: { ArnLike: { 'aws:SourceArn': this.bucketArn }, StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    const logKey = this.accessLogsBucket.encryptionKey;
    if (logKey) {
      grantKeyUse(logKey, logDelivery, { actions: [...ServiceActions.S3_LOG_DELIVERY], statementId: Sid.S3_SERVER_ACCESS_LOG_DELIVERY });
    }
  }

  /** Let a principal read objects (and list the bucket). */
  public grantRead(grantee: iam.IGrantable, objectsKeyPattern: string = '*'): iam.Grant {
    return this.grantAccess(grantee, objectsKeyPattern, { list: true, objects: READ_ACTIONS, kms: ServiceActions.S3_READ, sid: Sid.S3_READ });
  }

  /** Let a principal write objects. Object versions are never deleted through this grant. */
  public grantWrite(grantee: iam.IGrantable, objectsKeyPattern: string = '*'): iam.Grant {
    return this.grantAccess(grantee, objectsKeyPattern, { list: false, objects: WRITE_ACTIONS, kms: ServiceActions.S3_WRITE, sid: Sid.S3_WRITE });
  }

  /** Let a principal read and write objects. */
  public grantReadWrite(grantee: iam.IGrantable, objectsKeyPattern: string = '*'): iam.Grant {
    const objects = [...READ_ACTIONS, ...WRITE_ACTIONS];
    return this.grantAccess(grantee, objectsKeyPattern, { list: true, objects, kms: ServiceActions.S3_WRITE, sid: Sid.S3_READ_WRITE });
  }

  /** S3 access in the bucket policy, key use in the key policy. */
  private grantAccess(grantee: iam.IGrantable, pattern: string, g: AccessGrant): iam.Grant {
    validateLength('objectsKeyPattern', pattern, 1, 1024);
    let grant = this.bucketPolicyGrant(grantee, g.objects, this.bucket.arnForObjects(pattern));
    if (g.list) grant = grant.combine(this.bucketPolicyGrant(grantee, LIST_ACTIONS, this.bucket.bucketArn));
    return grant.combine(this.grantKey(grantee, g.kms, g.sid));
  }

  private bucketPolicyGrant(grantee: iam.IGrantable, actions: string[], resource: string): iam.Grant {
    const statement = new iam.PolicyStatement({ principals: [grantee.grantPrincipal], actions, resources: [resource] });
    return iam.Grant.addStatementToResourcePolicy({ grantee, actions, resourceArns: [resource], resource: this.bucket, statement });
  }

  /**
   * Key use for S3 on this bucket: through S3 in this Region, with the bucket (Bucket Keys) or one
   * of its objects as the encryption context.
   */
  private grantKey(grantee: iam.IGrantable, actions: readonly string[], statementId: string): iam.Grant {
    const stack = Stack.of(this);
    return grantKeyUse(this.key, grantee, {
      actions: [...actions],
      viaServices: [`s3.${stack.region}.amazonaws.com`],
      conditions: { StringLike: { [encryptionContextKey('aws:s3:arn')]: [this.bucketArn, `${this.bucketArn}/*`] } },
      statementId,
    });
  }
}

/**
 * Refuse an upload that asks for another encryption, or for another key. A request without the
 * headers gets the bucket default, SSE-KMS with the key (S3 log delivery sends none).
 */
function denyOtherEncryption(bucket: s3.IBucket, key: kms.IKey): void {
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: Sid.DENY_OTHER_ENCRYPTION,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects('*')],
    conditions: {
      Null: { 's3:x-amz-server-side-encryption': 'false' },
      StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
    },
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: Sid.DENY_OTHER_KEY,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects('*')],
    conditions: {
      Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
      StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn },
    },
  }));
}

/**
 * Send the bucket's events to Amazon EventBridge, on the bucket itself (AWS Control Tower
 * CT.S3.PR.4: event notifications configured). The L2's `eventBridgeEnabled` would add a custom
 * resource and a Lambda function instead. Add rules on the default event bus to act on the events;
 * `addEventNotification` would replace this configuration.
 */
function sendEventsToEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}

/**
 * The default bucket name. The stack-instance suffix comes from the AWS::StackId pseudo parameter
 * (`arn:...:stack/<name>/<uuid>`, the uuid's first group): a reference to no resource, so the key
 * policy can still name the bucket.
 */
function defaultBucketName(bucket: EnvelopeEncryptedBucket, naming: BucketNaming): string {
  const stack = Stack.of(bucket);
  const name = `kmsgov-${shortHash(`${stack.stackName}/${bucket.node.path}`).toLowerCase()}-${stack.account}-${stack.region}`;
  if (naming === BucketNaming.STACK_NAME) return name;
  if (naming !== BucketNaming.STACK_INSTANCE) throw new Error(`'bucketNaming' must be STACK_NAME or STACK_INSTANCE. Received: ${naming}`);
  return `${name}-${Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))))}`;
}

/** The protections both the data bucket and the log bucket get. */
function protections(key: kms.IKey, removalPolicy: RemovalPolicy): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    removalPolicy,
  };
}
