import { Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
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
import { CANARY_METRICS, acknowledge } from './private/acknowledgements';
import {
  CANARY_CONTEXT_KEY,
  CANARY_CONTEXT_VALUE,
  CANARY_DATA_KEY_PAIR_SPECS,
  CANARY_KEY_AGREEMENT_ALGORITHM,
  CANARY_KEY_AGREEMENT_SPECS,
  CANARY_METRIC_DIMENSION,
  CANARY_METRIC_NAME,
  CanaryEnv,
  CanaryTarget,
  KEY_ID_LENGTH,
  LAMBDA_ENVIRONMENT_LIMIT,
  canaryKeyGroups,
} from './private/contracts/key-health-canary.contract';
import { inlineHandlerFunction, usesInlineHandlers } from './private/inline-handler';
import { CanaryProbe, Sid, canaryProbeActions } from './private/kms-actions';
import { validatePattern, validateSecondsRange } from './private/validate';


/**
 * The spec of a data key pair that the canary generates with `GenerateDataKeyPair` to probe a
 * symmetric encryption key.
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html
 */
export enum DataKeyPairSpec {
  /** RSA, 2048 bits. */
  RSA_2048 = 'RSA_2048',
  /** RSA, 3072 bits. */
  RSA_3072 = 'RSA_3072',
  /** RSA, 4096 bits. */
  RSA_4096 = 'RSA_4096',
  /** NIST P-256 (secp256r1). */
  ECC_NIST_P256 = 'ECC_NIST_P256',
  /** NIST P-384 (secp384r1). */
  ECC_NIST_P384 = 'ECC_NIST_P384',
  /** NIST P-521 (secp521r1). */
  ECC_NIST_P521 = 'ECC_NIST_P521',
  /** SECG secp256k1. */
  ECC_SECG_P256K1 = 'ECC_SECG_P256K1',
}

/**
 * What the canary probes of one key, beyond what its key usage decides.
 */
export interface KeyProbeOptions {
  /**
   * For a symmetric encryption key: also probe data key pairs of this spec. Each run generates a
   * pair with `GenerateDataKeyPair` (the private key encrypted under the key, with the canary's
   * encryption context), decrypts the encrypted private key with `Decrypt`, checks it is the
   * pair's private key, encrypts a random challenge with the public key and decrypts it with the
   * private key, and signs with the private key and verifies with the public key (Node.js crypto).
   * The key policy then also allows `kms:GenerateDataKeyPair`, for this pair spec and the canary's
   * encryption context only.
   *
   * @default - no data-key-pair probe
   */
  readonly dataKeyPair?: DataKeyPairSpec;
}

/**
 * One key that a `KeyHealthCanary` probes.
 */
export interface ProbedKey extends KeyProbeOptions {
  /** The key to probe: in the canary's account and Region. */
  readonly key: IManagedKey;
}

/**
 * Properties of a `KeyHealthCanary`. Give `key`, `keys` or both (the `key` first); add more with
 * `addKey`.
 */
export interface KeyHealthCanaryProps extends LibraryFunctionOptions, KeyProbeOptions {
  /**
   * The key to probe. `dataKeyPair` applies to this key.
   *
   * @default - none: `keys` must name at least one key
   */
  readonly key?: IManagedKey;

  /**
   * Further keys the same canary function probes, each with its own metric and alarm. One
   * canary costs 9 resources for its first key and 1 (its alarm) for each further key.
   *
   * @default - only `key`
   */
  readonly keys?: ProbedKey[];

  /**
   * How often the canary runs.
   *
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;

  /**
   * The topic the health alarms notify. An alarm fires when a key's check fails or when no run
   * reports.
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

interface Probe {
  readonly key: IManagedKey;
  readonly target: CanaryTarget;
  readonly metric: cloudwatch.Metric;
  readonly alarm: cloudwatch.Alarm;
}

/** The function's timeout: 30 seconds for one key, 5 more for each further key, at most 15 minutes. */
function timeoutSeconds(keys: number): number {
  return Math.min(900, 30 + 5 * (keys - 1));
}

/**
 * Proves on a schedule that keys still work. One bundled Lambda probes every key given, by what
 * the key can do:
 * - symmetric encryption keys: an envelope-encryption round trip (GenerateDataKey, local
 *   AES-256-GCM, Decrypt), a direct Encrypt/Decrypt, and a check that the wrong encryption
 *   context is refused; optionally a data-key-pair round trip (`dataKeyPair`);
 * - asymmetric encryption keys: Encrypt/Decrypt; signing keys: Sign and Verify; HMAC keys:
 *   GenerateMac and VerifyMac;
 * - key-agreement keys: a shared secret derived on both sides (DeriveSharedSecret with an
 *   ephemeral public key, and ECDH locally with the key's public key) must match.
 * A key that is disabled, pending deletion or pending import (its material missing or expired)
 * is reported unhealthy with its key state. Each key has a health metric (dimension `KeyId`) and
 * an alarm that fires on a failed check or on missing data.
 *
 * The canary's key-policy statements are limited to its own encryption context (where the
 * action supports one), so it cannot decrypt anything else.
 */
export class KeyHealthCanary extends Construct {
  /** The canary function. Invoke it to get a report. */
  public readonly function: lambda.IFunction;
  /** The alarm of the first key: on failed or missing runs. `alarmFor(key)` gives any key's. */
  public readonly alarm: cloudwatch.Alarm;
  /** The health metric of the first key: 1 per healthy run, 0 per failed run. */
  public readonly metric: cloudwatch.Metric;
  /** The schedule that runs the canary. */
  public readonly schedule: events.Rule;

  private readonly probes: Probe[] = [];
  private readonly hardened: HardenedFunction;
  private readonly namespace: string;
  private readonly interval: Duration;
  private readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: KeyHealthCanaryProps) {
    super(scope, id);
    if (props?.key === undefined && (props?.keys === undefined || props.keys.length === 0)) {
      throw new Error("'key' is required (or 'keys'): the ManagedCmk the canary probes. Received: undefined");
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
    if (props.key === undefined && props.dataKeyPair !== undefined) {
      throw new Error(`'dataKeyPair' applies to 'key', which is not set: give it in the 'keys' entry instead. Received: ${props.dataKeyPair}`);
    }
    this.namespace = namespace;
    this.interval = interval;

    const describe = () => {
      const [first, ...rest] = this.probes.map((p) => p.key.node.path);
      return rest.length === 0 ? first : `${first} and ${rest.length} more key${rest.length > 1 ? 's' : ''}`;
    };
    this.hardened = new HardenedFunction(this, 'Probe', {
      // Inline code in a KmsGovernanceBaseline (StackSets targets have no asset bucket).
      create: (s, i, p) => (usesInlineHandlers(this) ? inlineHandlerFunction(s, i, 'key-health-canary.lambda', p) : new KeyHealthCanaryFunction(s, i, p)),
      description: `Key health canary for ${Lazy.string({ produce: describe })} (cdk-kms-governance)`,
      options: props,
      memorySize: 256,
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions: 1,
      environment: {
        // Resolved at synthesis, so that keys added with addKey are in it.
        [CanaryEnv.KEYS]: Lazy.string({ produce: () => Stack.of(this).toJsonString(canaryKeyGroups(this.probes.map((p) => p.target))) }),
        [CanaryEnv.METRIC_NAMESPACE]: namespace,
      },
    });
    this.function = this.hardened.function;
    acknowledge(this.hardened.policy.node.defaultChild!, [CANARY_METRICS]);
    // More keys take longer: 30 seconds for one, 5 more for each further key.
    (this.hardened.function.node.defaultChild as lambda.CfnFunction).timeout = Lazy.number({ produce: () => timeoutSeconds(this.probes.length) });

    // PutMetricData takes no resource ARN; the namespace condition limits it to the canary's.
    this.hardened.policy.addStatements(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
    }));

    // A run that EventBridge cannot deliver lands in the function's dead-letter queue.
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the key health canary for ${Lazy.string({ produce: describe })}`,
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, deadLetterQueue: this.hardened.deadLetterQueue })],
    });
    grantServiceIntegration(this.hardened.encryptionKey, this, 'eventbridge-to-sqs');

    this.topic = props.alarmTopic ?? alarmTopic(this, this.hardened.encryptionKey);
    const first = props.key !== undefined
      ? this.addProbe('key', props.key, { dataKeyPair: props.dataKeyPair })
      : undefined;
    (props.keys ?? []).forEach((entry, i) => this.addProbe(`keys[${i}]`, entry?.key, entry ?? {}));
    this.alarm = (first ?? this.probes[0]).alarm;
    this.metric = (first ?? this.probes[0]).metric;
  }

  /**
   * Probe one more key with the same function: it adds the key's statements to the key's policy
   * and one alarm (the key's health metric has the dimension `KeyId`).
   *
   * @returns the key's alarm
   */
  public addKey(key: IManagedKey, options: KeyProbeOptions = {}): cloudwatch.Alarm {
    return this.addProbe('key', key, options).alarm;
  }

  /** The keys this canary probes, in the order they were added. */
  public get keys(): IManagedKey[] {
    return this.probes.map((p) => p.key);
  }

  /** The alarm of a probed key. */
  public alarmFor(key: kms.IKey): cloudwatch.Alarm {
    return this.probeOf(key).alarm;
  }

  /** The health metric of a probed key: 1 per healthy run, 0 per failed run. */
  public metricFor(key: kms.IKey): cloudwatch.Metric {
    return this.probeOf(key).metric;
  }

  private probeOf(key: kms.IKey): Probe {
    const probe = this.probes.find((p) => p.key === key);
    if (!probe) throw new Error(`'key' is not probed by ${this.node.path}. Received: ${key?.node?.path}`);
    return probe;
  }

  private addProbe(prop: string, key: IManagedKey | undefined, options: KeyProbeOptions): Probe {
    const target = this.validateKey(prop, key, options);
    const probedKey = key!;
    const role = this.hardened.role;
    const usage = probedKey.keyUsage;
    const symmetric = probedKey.keySpec === kms.KeySpec.SYMMETRIC_DEFAULT;
    const agreement = usage === kms.KeyUsage.KEY_AGREEMENT;
    const canaryContext = { [CANARY_CONTEXT_KEY]: CANARY_CONTEXT_VALUE };

    // Least privilege in the key policy: only what the probes call. Symmetric keys: only with the
    // canary's encryption context. Key agreement: DeriveSharedSecret supports no encryption
    // context, so it is limited to the algorithm the canary uses (ECDH).
    probedKey.grantScoped(role, {
      actions: canaryProbeActions(usage, symmetric),
      encryptionContext: symmetric ? canaryContext : undefined,
      conditions: agreement ? { StringEquals: { [CanaryProbe.KEY_AGREEMENT_ALGORITHM_CONDITION]: CANARY_KEY_AGREEMENT_ALGORITHM } } : undefined,
      statementId: Sid.CANARY,
    });
    if (target.dataKeyPair) {
      // Its own statement: kms:DataKeyPairSpec exists only on GenerateDataKeyPair*, so in the
      // main statement it would refuse Encrypt and Decrypt.
      probedKey.grantScoped(role, {
        actions: [...CanaryProbe.DATA_KEY_PAIR_ACTIONS],
        encryptionContext: canaryContext,
        conditions: { StringEquals: { [CanaryProbe.DATA_KEY_PAIR_SPEC_CONDITION]: target.dataKeyPair } },
        statementId: Sid.CANARY_DATA_KEY_PAIR,
      });
    }
    // DescribeKey and GetPublicKey carry no encryption context and no algorithm, and return only
    // public information: a statement without conditions.
    probedKey.grantScoped(role, {
      actions: [...(agreement ? CanaryProbe.DESCRIBE_WITH_PUBLIC_KEY_ACTIONS : CanaryProbe.DESCRIBE_ACTIONS)],
      statementId: Sid.CANARY_DESCRIBE,
    });

    const metric = new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: CANARY_METRIC_NAME,
      dimensionsMap: { [CANARY_METRIC_DIMENSION]: probedKey.keyId },
      statistic: cloudwatch.Stats.MINIMUM,
      period: this.interval,
    });
    // The first key's alarm keeps the id of the single-key canary; further keys' alarms are named
    // after the key, so that adding or removing a key renames no other alarm.
    const alarmId = this.probes.length === 0 ? 'Unhealthy' : `Unhealthy${Names.nodeUniqueId(probedKey.node)}`;
    const alarm = metric.createAlarm(this, alarmId, {
      alarmDescription: `The KMS key ${probedKey.node.path} failed its health check, or the canary stopped reporting`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(this.topic));

    const probe: Probe = { key: probedKey, target, metric, alarm };
    this.probes.push(probe);
    return probe;
  }

  /** Every reason a key cannot be probed, as a clear error naming the prop and the value. */
  private validateKey(prop: string, key: IManagedKey | undefined, options: KeyProbeOptions): CanaryTarget {
    if (key === undefined || key === null) {
      throw new Error(`'${prop}' must be a ManagedCmk (or another library key) to probe. Received: ${key}`);
    }
    const path = key.node.path;
    if (this.probes.some((p) => p.key === key || p.key.node.path === path)) {
      throw new Error(`'${prop}' must not be a key the canary already probes: ${this.node.path} probes ${path} once. Received: ${path} twice`);
    }
    const here = Stack.of(this);
    for (const [what, mine, theirs] of [['account', here.account, key.env.account], ['Region', here.region, key.env.region]]) {
      if (!Token.isUnresolved(mine) && !Token.isUnresolved(theirs) && mine !== theirs) {
        throw new Error(`'${prop}' must be a key in the canary's ${what} (${mine}): the canary calls KMS in its own account and Region; ` +
          `give that key a canary of its own there. Received: ${path} in ${theirs}`);
      }
    }
    const usage = key.keyUsage;
    const spec = key.keySpec;
    if (usage === kms.KeyUsage.KEY_AGREEMENT && !(CANARY_KEY_AGREEMENT_SPECS as readonly string[]).includes(spec)) {
      throw new Error(`'${prop}' must be a key-agreement key on a NIST curve (${CANARY_KEY_AGREEMENT_SPECS.join(', ')}): ` +
        `the canary derives the shared secret again locally. Received: ${path} (${spec})`);
    }
    const dataKeyPair = options.dataKeyPair;
    if (dataKeyPair !== undefined) {
      if (!(CANARY_DATA_KEY_PAIR_SPECS as readonly string[]).includes(dataKeyPair)) {
        throw new Error(`'dataKeyPair' must be one of ${CANARY_DATA_KEY_PAIR_SPECS.join(', ')}. Received: ${dataKeyPair}`);
      }
      if (spec !== kms.KeySpec.SYMMETRIC_DEFAULT || usage !== kms.KeyUsage.ENCRYPT_DECRYPT) {
        throw new Error('\'dataKeyPair\' applies to symmetric encryption keys only (GenerateDataKeyPair encrypts the private key under the key). ' +
          `Received: ${dataKeyPair} for ${path} (a ${spec} ${usage} key)`);
      }
    }
    const target: CanaryTarget = { keyId: key.keyId, spec, usage, ...(dataKeyPair ? { dataKeyPair } : {}) };
    const size = environmentSize([...this.probes.map((p) => p.target), target], this.namespace);
    if (size > LAMBDA_ENVIRONMENT_LIMIT) {
      throw new Error(`'${prop}' is one key too many for one canary: the function's environment would be about ${size} bytes, ` +
        `over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT}-byte limit (${this.probes.length} keys fit). Probe the rest with another KeyHealthCanary. Received: ${path}`);
    }
    return target;
  }
}

/**
 * The size of the canary function's environment (names and values) once deployed: every key ID
 * counted at its maximum length, the namespace at its maximum if it is a token.
 */
function environmentSize(probed: CanaryTarget[], namespace: string): number {
  const placeholder = 'k'.repeat(KEY_ID_LENGTH);
  const keys = JSON.stringify(canaryKeyGroups(probed.map((t) => ({ ...t, keyId: placeholder }))));
  const namespaceLength = Token.isUnresolved(namespace) ? 255 : Buffer.byteLength(namespace);
  return CanaryEnv.KEYS.length + keys.length + CanaryEnv.METRIC_NAMESPACE.length + namespaceLength;
}
