/**
 * The contract between `KeyHealthCanary` and its bundled handler: the environment the construct
 * sets and the report the handler returns. Imported by both, so the two cannot drift apart.
 */

/** Environment variables of the canary function. */
export const CanaryEnv = {
  KEY_ARN: 'CANARY_KEY_ARN',
  KEY_SPEC: 'CANARY_KEY_SPEC',
  KEY_USAGE: 'CANARY_KEY_USAGE',
  METRIC_NAMESPACE: 'CANARY_METRIC_NAMESPACE',
} as const;

/** The encryption-context key whose value marks a canary request; the key policy requires it. */
export const CANARY_CONTEXT_KEY = 'cdk-kms-governance:purpose';
/** The value of `CANARY_CONTEXT_KEY`. */
export const CANARY_CONTEXT_VALUE = 'key-health-canary';
/** A per-run nonce in the encryption context, so that a different run's context is refused. */
export const CANARY_RUN_CONTEXT_KEY = 'cdk-kms-governance:run';

/** The metric the canary publishes: 1 when every check passed, 0 otherwise. */
export const CANARY_METRIC_NAME = 'KeyHealthy';
/** The dimension that names the key in the metric. */
export const CANARY_METRIC_DIMENSION = 'KeyId';

/** The outcome of one check. */
export interface CanaryCheck {
  /** e.g. `envelope-round-trip`. */
  readonly name: string;
  readonly ok: boolean;
  readonly latencyMs: number;
  /** Why it failed: the AWS error name and message, or what did not match. Never key material. */
  readonly error?: string;
}

/** What one canary run returns. */
export interface CanaryReport {
  readonly ok: boolean;
  readonly keyArn: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly checks: CanaryCheck[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** Whether the health metric reached CloudWatch. */
  readonly metricPublished: boolean;
}
