import { Stack, Token } from 'aws-cdk-lib';
import { KmsCondition, encryptionContextKey } from '../kms-actions';
import { validatePattern } from '../validate';

/** IAM conditions: operator → condition key → value. */
export type Conditions = Record<string, Record<string, unknown>>;

/** The parts of a scoped grant that become conditions (`ScopedGrantOptions`). */
export interface ScopedConditionsInput {
  readonly viaServices?: string[];
  readonly encryptionContext?: { [key: string]: string };
  readonly conditions?: { [operator: string]: any };
}

/**
 * The IAM conditions of a scoped grant: `kms:ViaService`, `kms:EncryptionContext:<key>` and any
 * further conditions. The same for key-policy statements and for identity-policy statements on
 * keys that the library cannot change.
 */
export function scopedGrantConditions(options: ScopedConditionsInput): Conditions {
  const conditions: Conditions = {};
  const add = (op: string, key: string, value: unknown) => {
    conditions[op] = { ...(conditions[op] ?? {}), [key]: value };
  };
  const via = options.viaServices ?? [];
  if (via.length > 0) add('StringEquals', KmsCondition.VIA_SERVICE, via.length === 1 ? via[0] : via);
  for (const [k, v] of Object.entries(options.encryptionContext ?? {})) {
    validatePattern('encryptionContext', k, /^[^\s]+$/, 'keys must not be empty or contain white space');
    const op = !Token.isUnresolved(v) && v.includes('*') ? 'StringLike' : 'StringEquals';
    add(op, encryptionContextKey(k), v);
  }
  for (const [op, kv] of Object.entries(options.conditions ?? {})) {
    for (const [k, v] of Object.entries(kv as Record<string, unknown>)) add(op, k, v);
  }
  return conditions;
}

/** The `kms:ViaService` condition for a list of service endpoints; none for no list. */
export function viaServiceConditions(viaServices: readonly string[] | undefined): Conditions {
  return viaServices ? { StringEquals: { [KmsCondition.VIA_SERVICE]: viaServices.length === 1 ? viaServices[0] : [...viaServices] } } : {};
}

/** The conditions with `kms:GrantIsForAWSResource: true` added: what every CreateGrant of the library carries. */
export function withGrantForAwsResource(conditions: Conditions): Conditions {
  return { ...conditions, Bool: { ...(conditions.Bool ?? {}), [KmsCondition.GRANT_IS_FOR_AWS_RESOURCE]: true } };
}

/** Conditions merged operator by operator; a later value for the same key wins. */
export function mergeConditions(a: Conditions, b: Conditions | undefined): Conditions {
  const out: Conditions = {};
  for (const src of [a, b ?? {}]) {
    for (const [op, kv] of Object.entries(src)) {
      out[op] = { ...(out[op] ?? {}), ...kv };
    }
  }
  return out;
}

/** Resolved conditions; most are empty, and an empty object needs no resolution. */
export function resolveConditions(stack: Stack, conditions: object | undefined): unknown {
  return conditions && Object.keys(conditions).length > 0 ? stack.resolve(conditions) : {};
}

/** Whether there is any condition at all. */
export function hasConditions(conditions: Conditions | undefined): conditions is Conditions {
  return conditions !== undefined && Object.keys(conditions).length > 0;
}
