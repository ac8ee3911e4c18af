import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmTopic } from './internal/alarm-topic';
import { HardenedFunction } from './internal/hardened-function';
import { grantServiceIntegration } from './internal/service-grants';
import { KeyHealthCanaryFunction } from './key-health-canary-function';
import { LibraryFunctionOptions } from './library-function';
import { IManagedKey } from './managed-key';
import {
  CANARY_CONTEXT_KEY,
  CANARY_CONTEXT_VALUE,
  CANARY_METRIC_DIMENSION,
  CANARY_METRIC_NAME,
  CanaryEnv,
} from './private/contracts/key-health-canary.contract';
import { inlineHandlerFunction, usesInlineHandlers } from './private/inline-handler';
import { ServiceActions, Sid, canaryProbeActions } from './private/kms-actions';
import { validatePattern, validateSecondsRange } from './private/validate';

/**
 * Properties of a `KeyHealthCanary`.
 */
export interface KeyHealthCanaryProps extends LibraryFunctionOptions {
  /** The key to probe. */
  readonly key: IManagedKey;

  /**
   * How often the canary runs.
   *
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;

  /**
   * The topic the health alarm notifies. The alarm fires when a run fails or when no run reports.
   *
   * @default - a topic encrypted with the stack's operational key (shared by the library's alarms)
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The CloudWatch namespace of the health metric.
   *
   * @default 'CdkKmsGovernance/KeyHealth'
   */
  readonly metricNamespace?: string;
}

/**
 * Proves on a schedule that a key still works: a bundled Lambda does a real envelope-encryption
 * round trip (GenerateDataKey, local AES-256-GCM, Decrypt), a direct Encrypt/Decrypt, and checks
 * that the wrong encryption context is refused (for signing keys: Sign and Verify; for HMAC
 * keys: GenerateMac and VerifyMac). It publishes a health metric, and an alarm fires on a
 * failed run or on missing data.
 *
 * The canary's key-policy statement is limited to its own encryption context, so it cannot
 * decrypt anything else.
 */
export class KeyHealthCanary extends Construct {
  /** The canary function. Invoke it to get a report. */
  public readonly function: lambda.IFunction;
  /** The alarm on failed or missing runs. */
  public readonly alarm: cloudwatch.Alarm;
  /** The health metric: 1 per healthy run, 0 per failed run. */
  public readonly metric: cloudwatch.Metric;
  /** The schedule that runs the canary. */
  public readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: KeyHealthCanaryProps) {
    super(scope, id);
    if (props?.key === undefined) {
      throw new Error("'key' is required: the ManagedCmk the canary probes. Received: undefined");
    }
    const interval = props.interval ?? Duration.minutes(5);
    validateSecondsRange('interval', interval, 60, 86400);
    if (!interval.isUnresolved() && interval.toSeconds() % 60 !== 0) {
      throw new Error(`'interval' must be a whole number of minutes. Received: ${interval.toHumanString()}`);
    }
    const namespace = props.metricNamespace ?? 'CdkKmsGovernance/KeyHealth';
    validatePattern('metricNamespace', namespace, /^[A-Za-z0-9.\-_/#:]{1,255}$/, 'must be 1–255 characters of letters, digits and . - _ / # :');
    if (namespace.startsWith('AWS/')) {
      throw new Error(`'metricNamespace' must not start with 'AWS/', which is reserved for AWS services. Received: "${namespace}"`);
    }
    const key = props.key;
    const usage = key.keyUsage;
    if (usage === kms.KeyUsage.KEY_AGREEMENT) {
      throw new Error(`'key' must be an encryption, signing or HMAC key: the canary cannot probe a KEY_AGREEMENT key. Received: ${key.node.path}`);
    }

    const hardened = new HardenedFunction(this, 'Probe', {
      // Inline code in a KmsGovernanceBaseline (StackSets targets have no asset bucket).
      create: (s, i, p) => (usesInlineHandlers(this) ? inlineHandlerFunction(s, i, 'key-health-canary.lambda', p) : new KeyHealthCanaryFunction(s, i, p)),
      description: `Key health canary for ${key.node.path} (cdk-kms-governance)`,
      options: props,
      memorySize: 256,
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions: 1,
      environment: {
        [CanaryEnv.KEY_ARN]: key.keyArn,
        [CanaryEnv.KEY_SPEC]: key.keySpec,
        [CanaryEnv.KEY_USAGE]: usage,
        [CanaryEnv.METRIC_NAMESPACE]: namespace,
      },
    });
    this.function = hardened.function;

    // Least privilege in the key policy: only what the probe calls, and for encryption keys only
    // with the canary's encryption context.
    // DescribeKey carries no encryption context, so it gets a statement of its own.
    const symmetric = key.keySpec === kms.KeySpec.SYMMETRIC_DEFAULT;
    key.grantScoped(hardened.role, {
      actions: canaryProbeActions(usage, symmetric),
      encryptionContext: symmetric ? { [CANARY_CONTEXT_KEY]: CANARY_CONTEXT_VALUE } : undefined,
      statementId: Sid.CANARY,
    });
    key.grantScoped(hardened.role, { actions: [...ServiceActions.DESCRIBE], statementId: Sid.CANARY_DESCRIBE });
    // PutMetricData takes no resource ARN; the namespace condition limits it to the canary's.
    hardened.policy.addStatements(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
    }));

    // A run that EventBridge cannot deliver lands in the function's dead-letter queue.
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the key health canary for ${key.node.path}`,
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, deadLetterQueue: hardened.deadLetterQueue })],
    });
    grantServiceIntegration(hardened.encryptionKey, this, 'eventbridge-to-sqs');

    this.metric = new cloudwatch.Metric({
      namespace,
      metricName: CANARY_METRIC_NAME,
      dimensionsMap: { [CANARY_METRIC_DIMENSION]: key.keyId },
      statistic: cloudwatch.Stats.MINIMUM,
      period: interval,
    });
    this.alarm = this.metric.createAlarm(this, 'Unhealthy', {
      alarmDescription: `The KMS key ${key.node.path} failed its health check, or the canary stopped reporting`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const topic = props.alarmTopic ?? alarmTopic(this, hardened.encryptionKey);
    this.alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
    this.alarm.addOkAction(new cloudwatchActions.SnsAction(topic));
  }
}
