import { Duration, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvelopeEncryptedBucket } from './envelope-encrypted-bucket';
import { alarmTopic } from './internal/alarm-topic';
import { deadLetterQueue } from './internal/dead-letter-queue';
import { grantKeyUse } from './internal/key-use';
import { operationalKey } from './internal/operational-key';
import { sendRuleToTopic } from './internal/rule-to-topic';
import { grantServiceIntegration } from './internal/service-grants';
import { ManagedCmk } from './managed-cmk';
import { IKeyAudit, IManagedKey } from './managed-key';
import { EVENT_TARGET_DEAD_LETTER_QUEUE, acknowledge } from './private/acknowledgements';
import { PassStep, deferToAppPass } from './private/app-pass';
import {
  CIS_4_7_KMS_PATTERN,
  GRANT_OUTSIDE_AWS_RESOURCES_PATTERN,
  KEY_POLICY_CHANGE_PATTERN,
  KEY_REENABLED_OR_ROTATION_OFF_PATTERN,
  PENDING_DELETION_USE_PATTERN,
  keyEventsPattern,
} from './private/audit-patterns';
import { shortHash } from './private/ids';
import { markKeyUseGranted } from './private/key-policy/service-use';
import { ServiceActions, Sid } from './private/kms-actions';
import { edge, rootStack } from './private/stack-graph';
import { validateLength, validatePattern } from './private/validate';

/** The namespace of the audit metrics. */
const METRIC_NAMESPACE = 'CdkKmsGovernance/Audit';

/**
 * Properties of a `KeyAuditTrail`.
 */
export interface KeyAuditTrailProps {
  /**
   * Attach to an existing trail's CloudWatch Logs group instead of creating a trail: only the
   * metric filters, alarms and the EventBridge rule are added.
   *
   * @default - a new multi-Region trail, bucket, key and log group
   */
  readonly existingLogGroup?: logs.ILogGroup;

  /**
   * The name of the trail.
   *
   * IMPORTANT: changing it replaces the trail.
   *
   * @default - derived from the construct path; fixed at synth so that the key and bucket
   * policies can name the trail without a circular dependency
   */
  readonly trailName?: string;

  /**
   * The key that encrypts the trail's log files, its log group and its alarm topic. Its policy
   * lets CloudTrail use it only for this trail.
   *
   * @default - a new `ManagedCmk`
   */
  readonly key?: IManagedKey;

  /**
   * The topic the alarms and key events notify. CIS 4.x and Security Hub CloudWatch.x need at
   * least one subscription on it; subscriptions are yours to add.
   *
   * @default - a topic encrypted with the audit key
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How long the log group keeps the trail's events (at least a year).
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Also log S3 object-level (data) events for all buckets (Security Hub S3.22/S3.23, CIS 3.8/3.9).
   * Data events are billed per event.
   *
   * @default false
   */
  readonly s3DataEvents?: boolean;

  /**
   * Where the server access logs of the trail's bucket go. An organization with the AWS Control
   * Tower control CT.S3.PR.2 (every bucket logs its access) needs a central log bucket here: the
   * log bucket created by default does not log its own access.
   *
   * @default - a log bucket created with the trail's bucket
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * Turn on S3 Object Lock for the trail's bucket, with this default retention (CT.S3.PR.9). See
   * `EnvelopeEncryptedBucketProps.objectLockRetention`; set `accessLogsBucket` too.
   *
   * @default - no Object Lock
   */
  readonly objectLockRetention?: s3.ObjectLockRetention;

  /**
   * What happens to the trail's key, bucket and log group when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** One audit alarm: a metric filter over the trail's log group and an alarm on its metric. */
interface AuditAlarmSpec {
  readonly id: string;
  readonly pattern: string;
  readonly description: string;
}

/**
 * Who used or changed which key, and an alarm when something dangerous happens.
 *
 * By default it creates a trail that passes Security Hub CloudTrail.1/.2/.4/.5 and the CIS
 * items (multi-Region, global service events, all management events, log file validation,
 * KMS-encrypted, sent to CloudWatch Logs), with metric filters and alarms on the log group:
 * the CIS 4.7 filter (key disabled or scheduled for deletion), use of a key pending deletion, key
 * policy changes, grants created outside AWS resources, and keys re-enabled or losing rotation.
 * An EventBridge rule forwards KMS key events (deletion, rotation, imported material expiry) to the
 * same topic. `watch(key)` adds alarms scoped to one key.
 */
export class KeyAuditTrail extends Construct implements IKeyAudit {
  /** The CloudWatch namespace of the audit metrics that the metric filters publish. */
  public static readonly METRIC_NAMESPACE = METRIC_NAMESPACE;

  /** The log group the alarms watch. */
  public readonly logGroup: logs.ILogGroup;
  /** The topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /** The alarms, by id. */
  public readonly alarms: { [id: string]: cloudwatch.Alarm } = {};
  /** The trail, when this construct created it. */
  public readonly trail?: cloudtrail.CfnTrail;
  /** The trail's ARN, when this construct created it. */
  public readonly trailArn?: string;
  /** The trail's key, when this construct created the trail. */
  public readonly key?: IManagedKey;
  /** The bucket of the trail's log files, when this construct created the trail. */
  public readonly bucket?: EnvelopeEncryptedBucket;
  private readonly watched = new Set<string>();

  constructor(scope: Construct, id: string, props: KeyAuditTrailProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const trailSettings = ['trailName', 'key', 's3DataEvents', 'logRetention', 'accessLogsBucket', 'objectLockRetention'] as const;
    const given = trailSettings.filter((p) => props[p] !== undefined);
    if (props.existingLogGroup && given.length > 0) {
      throw new Error(
        `'existingLogGroup' attaches to a trail that exists already: ${trailSettings.map((p) => `'${p}'`).join(', ')} do not apply. ` +
          `Received: existingLogGroup with ${given.join(', ')}`,
      );
    }
    if (props.logRetention !== undefined && props.logRetention !== logs.RetentionDays.INFINITE && props.logRetention < 365) {
      throw new Error(`'logRetention' must be at least one year (Security Hub CloudWatch.16). Received: ${props.logRetention} days`);
    }

    if (props.existingLogGroup) {
      this.logGroup = props.existingLogGroup;
      this.alarmTopic = props.alarmTopic ?? alarmTopic(this, operationalKey(this));
    } else {
      const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
      const trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
      validateLength('trailName', trailName, 3, 128);
      validatePattern('trailName', trailName, /^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/, 'must be letters, digits, periods, underscores and hyphens, starting and ending with a letter or digit');
      if (!Token.isUnresolved(trailName) && /(\.\.|[._-]{2})/.test(trailName)) {
        throw new Error(`'trailName' must not contain adjacent periods, underscores or hyphens. Received: "${trailName}"`);
      }
      // The ARN from the name: the key and bucket policies name it, and referencing the trail
      // (which references them) would be a circular dependency.
      const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
      this.trailArn = trailArn;
      const key = props.key ?? new ManagedCmk(this, 'Key', {
        alias: `cdk-kms-governance/audit/${trailName}`,
        description: `Encrypts the CloudTrail trail ${trailName}, its log group and alarms`,
        removalPolicy,
      });
      this.key = key;
      this.grantCloudTrail(key, trailArn);

      this.bucket = new EnvelopeEncryptedBucket(this, 'Logs', {
        key,
        removalPolicy,
        accessLogsBucket: props.accessLogsBucket,
        objectLockRetention: props.objectLockRetention,
      });
      this.allowTrailDelivery(this.bucket, trailArn);

      const logGroup = new logs.LogGroup(this, 'Events', {
        encryptionKey: key,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy,
      });
      grantServiceIntegration(key, this, 'logs');
      this.logGroup = logGroup;

      const delivery = new iam.Role(this, 'Delivery', {
        assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceArn': trailArn } }),
        description: `Delivers the events of trail ${trailName} to CloudWatch Logs`,
      });
      const deliveryPolicy = new iam.ManagedPolicy(this, 'DeliveryPermissions', {
        roles: [delivery],
        statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
      });

      this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
        trailName,
        isLogging: true,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        kmsKeyId: key.keyArn,
        s3BucketName: this.bucket.bucket.bucketName,
        cloudWatchLogsLogGroupArn: logGroup.logGroupArn,
        cloudWatchLogsRoleArn: delivery.roleArn,
        eventSelectors: [
          {
            readWriteType: 'All',
            includeManagementEvents: true,
            dataResources: props.s3DataEvents ? [{ type: 'AWS::S3::Object', values: [`arn:${stack.partition}:s3`] }] : undefined,
          },
        ],
      });
      Tags.of(this.trail).add('cdk-kms-governance:component', 'key-audit-trail');
      // CloudTrail's use of the key is granted above, for this trail only.
      markKeyUseGranted(this.trail);
      // CloudTrail checks the bucket policy and the delivery role when the trail is created.
      this.trail.node.addDependency(this.bucket.bucket.policy!, deliveryPolicy);
      this.alarmTopic = props.alarmTopic ?? alarmTopic(this, key);
    }

    const alarmSpecs: AuditAlarmSpec[] = [
      { id: 'KeyDisabledOrScheduledForDeletion', pattern: CIS_4_7_KMS_PATTERN, description: 'A KMS key was disabled or scheduled for deletion (CIS 4.7)' },
      { id: 'KeyPendingDeletionUsed', pattern: PENDING_DELETION_USE_PATTERN, description: 'Something tried to use a KMS key that is pending deletion' },
      { id: 'KeyPolicyChanged', pattern: KEY_POLICY_CHANGE_PATTERN, description: 'A KMS key policy was replaced' },
      { id: 'GrantOutsideAwsResources', pattern: GRANT_OUTSIDE_AWS_RESOURCES_PATTERN, description: 'A KMS grant was created directly, not by an AWS service for an AWS resource' },
      { id: 'KeyReenabledOrRotationOff', pattern: KEY_REENABLED_OR_ROTATION_OFF_PATTERN, description: 'A KMS key deletion was cancelled, a key re-enabled, or its rotation turned off' },
    ];
    alarmSpecs.forEach((spec) => this.addAuditAlarm(spec));

    this.forwardKeyEvents(props.existingLogGroup ? operationalKey(this) : this.key!);
  }

  /**
   * Add an alarm for the dangerous events on one key (disabled or re-enabled, deletion scheduled
   * or cancelled, policy replaced, rotation off), scoped to its ARN. `ManagedCmk`'s `audit` prop
   * calls this.
   */
  public watch(key: kms.IKey): void {
    const id = `Key${shortHash(key.node.path)}Events`;
    if (this.watched.has(id)) return;
    this.watched.add(id);
    const spec = { id, pattern: keyEventsPattern(key.keyArn), description: `A dangerous change to the KMS key ${key.node.path}` };
    const trailStack = Stack.of(this);
    const keyStack = Stack.of(key);
    if (rootStack(keyStack) === rootStack(trailStack) || !Token.isUnresolved(key.keyArn)) {
      this.addAuditAlarm(spec);
      return;
    }
    // A key of another stack: the alarm references the key where it lives in the trail's stack, and
    // the trail where it lives in the key's. It goes where the reference does not cycle.
    deferToAppPass(this, PassStep.PLACE, (context) => {
      const graph = context.graph();
      if (graph.dependsOn(keyStack, trailStack)) {
        const scopeId = `KmsGovernanceAudit${shortHash(this.node.path)}`;
        this.addAuditAlarm(spec, (keyStack.node.tryFindChild(scopeId) as Construct | undefined) ?? new Construct(keyStack, scopeId));
      } else {
        graph.add(trailStack, keyStack, edge(this, key, 'references'));
        this.addAuditAlarm(spec);
      }
    });
  }

  private addAuditAlarm(spec: AuditAlarmSpec, scope: Construct = this): void {
    const filter = new logs.MetricFilter(scope, `${spec.id}Filter`, {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.literal(spec.pattern),
      metricNamespace: METRIC_NAMESPACE,
      metricName: spec.id,
      metricValue: '1',
    });
    const alarm = new cloudwatch.Alarm(scope, `${spec.id}Alarm`, {
      alarmDescription: spec.description,
      metric: filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    this.alarms[spec.id] = alarm;
  }

  /** KMS key events from EventBridge to the topic; undeliverable events go to an encrypted queue. */
  private forwardKeyEvents(queueKey: IManagedKey): void {
    const deadLetters = deadLetterQueue(this, 'DeadLetters', queueKey);
    acknowledge(deadLetters.node.defaultChild!, [EVENT_TARGET_DEAD_LETTER_QUEUE]);
    grantServiceIntegration(queueKey, this, 'eventbridge-to-sqs');
    const rule = new events.Rule(this, 'KeyEvents', {
      description: 'KMS key deletion, rotation and imported key material expiry',
      eventPattern: { source: ['aws.kms'], detailType: ['KMS CMK Deletion', 'KMS CMK Rotation', 'KMS Imported Key Material Expiration'] },
    });
    sendRuleToTopic(rule, this.alarmTopic, deadLetters);
    const topicKey = this.alarmTopic instanceof sns.Topic ? this.alarmTopic.masterKey : undefined;
    if (topicKey) {
      grantServiceIntegration(topicKey, this, 'eventbridge-to-sns');
    }
  }

  /**
   * CloudTrail may use the key for this trail only: its source ARN, and the trail's ARN as the
   * encryption context of the log files.
   */
  private grantCloudTrail(key: IManagedKey, trailArn: string): void {
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    grantKeyUse(key, cloudTrail, {
      actions: [...ServiceActions.CLOUDTRAIL_ENCRYPT],
      encryptionContext: { 'aws:cloudtrail:arn': trailArn },
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      statementId: Sid.CLOUDTRAIL_ENCRYPT,
    });
    grantKeyUse(key, cloudTrail, {
      actions: [...ServiceActions.DESCRIBE],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      statementId: Sid.CLOUDTRAIL_DESCRIBE,
    });
  }

  /** The bucket-policy statements CloudTrail needs, limited to this trail. */
  private allowTrailDelivery(bucket: EnvelopeEncryptedBucket, trailArn: string): void {
    const stack = Stack.of(this);
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    bucket.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: Sid.CLOUDTRAIL_ACL_CHECK,
      principals: [cloudTrail],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucket.bucketArn],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
    }));
    bucket.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: Sid.CLOUDTRAIL_WRITE,
      principals: [cloudTrail],
      actions: ['s3:PutObject'],
      resources: [bucket.bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
      conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
    }));
  }
}
