/**
 * The contract between `KeyHealthCanary` and its bundled handler: the environment the construct
 * sets and the report the handler returns. Imported by both, so the two cannot drift apart.
 */

/** Environment variables of the canary function. */
export const CanaryEnv = {
  /** The probed keys, as JSON: `CanaryKeyGroup[]` (see `encodeCanaryKeys`). */
  KEYS: 'CANARY_KEYS',
  METRIC_NAMESPACE: 'CANARY_METRIC_NAMESPACE',
} as const;

/** The encryption-context key whose value marks a canary request; the key policy requires it. */
export const CANARY_CONTEXT_KEY = 'cdk-kms-governance:purpose';
/** The value of `CANARY_CONTEXT_KEY`. */
export const CANARY_CONTEXT_VALUE = 'key-health-canary';
/** A per-run nonce in the encryption context, so that a different run's context is refused. */
export const CANARY_RUN_CONTEXT_KEY = 'cdk-kms-governance:run';

/** The metric the canary publishes: 1 when every check of a key passed, 0 otherwise. */
export const CANARY_METRIC_NAME = 'KeyHealthy';
/** The dimension that names the key in the metric. */
export const CANARY_METRIC_DIMENSION = 'KeyId';

/** The key-agreement algorithm the canary uses (the only one KMS offers for ECC keys). */
export const CANARY_KEY_AGREEMENT_ALGORITHM = 'ECDH';

/**
 * The data key pair specs the canary can probe: each supports the whole flow (encrypt a
 * challenge with the public key, decrypt it with the private key, sign and verify) in Node.js.
 */
export const CANARY_DATA_KEY_PAIR_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1'] as const;

/** The key-agreement key specs the canary can probe (ECDH on a curve Node.js has). */
export const CANARY_KEY_AGREEMENT_SPECS = ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'] as const;

/**
 * Keys that are probed the same way: one key spec and usage, and the same optional probes. The
 * environment holds groups, not one entry per key, so that a key costs only its id (36
 * characters) of Lambda's 4 KB environment.
 */
export interface CanaryKeyGroup {
  /** The key spec, e.g. `SYMMETRIC_DEFAULT`. */
  readonly spec: string;
  /** The key usage, e.g. `ENCRYPT_DECRYPT`. */
  readonly usage: string;
  /** For symmetric encryption keys: also probe a data key pair of this spec. */
  readonly dataKeyPair?: string;
  /** Key IDs (the canary calls KMS in its own account and Region). */
  readonly keyIds: string[];
}

/** One probed key, as the handler sees it. */
export interface CanaryTarget {
  readonly keyId: string;
  readonly spec: string;
  readonly usage: string;
  readonly dataKeyPair?: string;
}

/** A KMS key ID (single-Region UUID or multi-Region `mrk-…`) is at most this long. */
export const KEY_ID_LENGTH = 36;
/** Lambda's limit for all environment variables of a function, names and values. */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/** The probed keys as the `CANARY_KEYS` value (before tokens resolve). */
export function canaryKeyGroups(targets: readonly CanaryTarget[]): CanaryKeyGroup[] {
  const groups = new Map<string, CanaryKeyGroup>();
  for (const t of targets) {
    const id = `${t.spec}/${t.usage}/${t.dataKeyPair ?? ''}`;
    let group = groups.get(id);
    if (!group) {
      group = { spec: t.spec, usage: t.usage, ...(t.dataKeyPair ? { dataKeyPair: t.dataKeyPair } : {}), keyIds: [] };
      groups.set(id, group);
    }
    group.keyIds.push(t.keyId);
  }
  return [...groups.values()];
}

/** The probed keys from the `CANARY_KEYS` value; throws a clear error on anything else. */
export function parseCanaryKeys(raw: string | undefined): CanaryTarget[] {
  const misconfigured = () => new Error(`the canary is misconfigured: ${CanaryEnv.KEYS} must be a JSON array of {spec, usage, keyIds}. Received: ${raw === undefined ? 'nothing' : 'another value'}`);
  let groups: Array<Partial<CanaryKeyGroup>>;
  try {
    groups = JSON.parse(raw ?? '');
  } catch {
    throw misconfigured();
  }
  const valid = (g: Partial<CanaryKeyGroup>) => typeof g?.spec === 'string' && typeof g.usage === 'string' && Array.isArray(g.keyIds) && g.keyIds.every((k) => typeof k === 'string' && k);
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every(valid)) throw misconfigured();
  return groups.flatMap((g) => g.keyIds!.map((keyId) => ({
    keyId,
    spec: g.spec!,
    usage: g.usage!,
    ...(g.dataKeyPair ? { dataKeyPair: g.dataKeyPair } : {}),
  })));
}

/** The outcome of one check. */
export interface CanaryCheck {
  /** e.g. `envelope-round-trip`. */
  readonly name: string;
  readonly ok: boolean;
  readonly latencyMs: number;
  /** Why it failed: the AWS error name and message, or what did not match. Never key material. */
  readonly error?: string;
}

/** The outcome for one key. */
export interface CanaryKeyReport {
  readonly keyId: string;
  readonly ok: boolean;
  readonly keySpec: string;
  readonly keyUsage: string;
  /** The data key pair spec probed, if any. */
  readonly dataKeyPair?: string;
  /** The key state DescribeKey reported (`Enabled`, `Disabled`, `PendingImport`, …); absent if DescribeKey failed. */
  readonly keyState?: string;
  readonly checks: CanaryCheck[];
}

/** What one canary run returns. */
export interface CanaryReport {
  /** Whether every check of every key passed. */
  readonly ok: boolean;
  /** One entry per probed key, in the order of `CANARY_KEYS`. */
  readonly keys: CanaryKeyReport[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** Whether every key's health metric reached CloudWatch. */
  readonly metricPublished: boolean;
}
