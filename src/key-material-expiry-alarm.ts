import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmTopic } from './internal/alarm-topic';
import { deadLetterQueue } from './internal/dead-letter-queue';
import { operationalKey } from './internal/operational-key';
import { sendRuleToTopic } from './internal/rule-to-topic';
import { grantServiceIntegration } from './internal/service-grants';
import { KeyMaterialOrigin } from './managed-key';
import { ManagedKeyBase } from './managed-key-base';
import { EVENT_TARGET_DEAD_LETTER_QUEUE, acknowledge } from './private/acknowledgements';
import { KeyMaterialMonitoring } from './private/kms-actions';
import { validateDaysRange } from './private/validate';

/**
 * Properties of a `KeyMaterialExpiryAlarm`.
 */
export interface KeyMaterialExpiryAlarmProps {
  /**
   * The key whose imported key material to watch: a `ManagedCmk` or `ManagedCmkReplica` with
   * `keyMaterialOrigin: EXTERNAL`, or any other key with imported material.
   */
  readonly key: kms.IKey;

  /**
   * How long before the key material expires the alarm fires: whole days, between 1 and 365 (AWS
   * KMS lets imported material be valid for at most 365 days from its import). A value from a
   * token must be given in seconds (`Duration.seconds(token)`).
   *
   * @default Duration.days(30)
   */
  readonly warningPeriod?: Duration;

  /**
   * The topic the alarm and the expiry event notify. A topic of this app gets the statements that
   * let CloudWatch alarms and this construct's EventBridge rule publish to it; an imported topic
   * must allow them itself.
   *
   * @default - the library's alarm topic of the stack, encrypted with the stack's operational key
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A warning before, and a notification at, the expiry of a key's imported key material. Once the
 * material expires AWS KMS deletes it and the key becomes unusable (`PendingImport`) until the same
 * material is imported again.
 *
 * - An alarm on the KMS metric `SecondsUntilKeyMaterialExpiration` (namespace `AWS/KMS`,
 *   dimension `KeyId`) that fires when less than `warningPeriod` remains. KMS publishes the metric
 *   only for material that expires: material without expiry leaves it missing, which does not alarm.
 * - An EventBridge rule for this key's `KMS Imported Key Material Expiration` event, which KMS
 *   sends when it deletes expired material. Events that cannot be delivered go to an encrypted
 *   dead-letter queue.
 *
 * Both notify `alarmTopic`. Every statement for a service principal is limited to this rule or
 * this account's alarms.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-events.html
 *
 * @example
 * const key = new ManagedCmk(this, 'Byok', { alias: 'app/byok', keyMaterialOrigin: KeyMaterialOrigin.EXTERNAL });
 * new KeyMaterialExpiryAlarm(this, 'ByokExpiry', { key, warningPeriod: Duration.days(14) });
 */
export class KeyMaterialExpiryAlarm extends Construct {
  /** The alarm on the time left until the key material expires. */
  public readonly alarm: cloudwatch.Alarm;
  /** The metric the alarm watches: the minimum of `SecondsUntilKeyMaterialExpiration` per hour. */
  public readonly metric: cloudwatch.Metric;
  /** The EventBridge rule for the key's `KMS Imported Key Material Expiration` event. */
  public readonly rule: events.Rule;
  /** The topic the alarm and the rule notify. */
  public readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: KeyMaterialExpiryAlarmProps) {
    super(scope, id);
    if (props?.key === undefined) {
      throw new Error("'key' is required: the key whose imported key material to watch. Received: undefined");
    }
    const key = props.key;
    if (ManagedKeyBase.isManagedKey(key) && (key.keyMaterialOrigin ?? KeyMaterialOrigin.AWS_KMS) !== KeyMaterialOrigin.EXTERNAL) {
      throw new Error(
        `'key' must have imported key material (keyMaterialOrigin: EXTERNAL): material from AWS KMS never expires. Received: ${key.node.path}, ` +
          `keyMaterialOrigin ${key.keyMaterialOrigin ?? KeyMaterialOrigin.AWS_KMS}`,
      );
    }
    const warningPeriod = props.warningPeriod ?? Duration.days(30);
    validateDaysRange('warningPeriod', warningPeriod, 1, 365);

    this.alarmTopic = props.alarmTopic ?? alarmTopic(this, operationalKey(this));

    this.metric = new cloudwatch.Metric({
      namespace: KeyMaterialMonitoring.NAMESPACE,
      metricName: KeyMaterialMonitoring.SECONDS_UNTIL_EXPIRATION,
      dimensionsMap: { [KeyMaterialMonitoring.DIMENSION]: key.keyId },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.hours(1),
    });
    this.alarm = this.metric.createAlarm(this, 'Alarm', {
      alarmDescription: `The imported key material of KMS key ${key.node.path} expires in less than ${warningPeriod.isUnresolved() ? 'the warning period' : warningPeriod.toHumanString()}: import it again with a later expiry`,
      threshold: warningPeriod.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // Material without expiry (and expired material) has no metric: the rule reports the expiry itself.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    this.alarm.addOkAction(new cloudwatchActions.SnsAction(this.alarmTopic));

    const queueKey = operationalKey(this);
    const deadLetters = deadLetterQueue(this, 'DeadLetters', queueKey);
    acknowledge(deadLetters.node.defaultChild!, [EVENT_TARGET_DEAD_LETTER_QUEUE]);
    this.rule = new events.Rule(this, 'Rule', {
      description: `The imported key material of KMS key ${key.node.path} expired and was deleted`,
      eventPattern: {
        source: [KeyMaterialMonitoring.EVENT_SOURCE],
        detailType: [KeyMaterialMonitoring.EXPIRATION_DETAIL_TYPE],
        resources: [key.keyArn],
      },
    });
    const topic = this.alarmTopic;
    sendRuleToTopic(this.rule, topic, deadLetters);
    grantServiceIntegration(queueKey, this, 'eventbridge-to-sqs');
    const topicKey = topic instanceof sns.Topic ? topic.masterKey : undefined;
    if (topicKey) grantServiceIntegration(topicKey, this, 'eventbridge-to-sns');
  }
}
