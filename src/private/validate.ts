import { Duration, Token } from 'aws-cdk-lib';

/**
 * Token-aware validation helpers. Every message names the prop and quotes the value received,
 * in the style of aws-kms: `'pendingWindow' must be between 7 and 30 days. Received: 3`.
 * Unresolved tokens are never validated: their value is only known at deploy time.
 */

/** Throws unless `value` lies in [min, max]; skips tokens. */
export function validateNumberRange(prop: string, value: number | undefined, min: number, max: number, unit = ''): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  const suffix = unit ? ` ${unit}` : '';
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`'${prop}' must be a whole number between ${min} and ${max}${suffix}. Received: ${value}`);
  }
}

/** Throws unless the duration, in whole days, lies in [min, max]; skips tokens. */
export function validateDaysRange(prop: string, value: Duration | undefined, min: number, max: number): number | undefined {
  if (value === undefined || value.isUnresolved()) {
    return undefined;
  }
  const days = value.toDays({ integral: false });
  if (!Number.isInteger(days) || days < min || days > max) {
    throw new Error(`'${prop}' must be a whole number of days between ${min} and ${max}. Received: ${value.toHumanString()}`);
  }
  return days;
}

/** Throws unless the duration, in seconds, lies in [min, max]; skips tokens. */
export function validateSecondsRange(prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  const seconds = value.toSeconds({ integral: false });
  if (seconds < min || seconds > max) {
    throw new Error(
      `'${prop}' must be between ${Duration.seconds(min).toHumanString()} and ${Duration.seconds(max).toHumanString()}. ` +
        `Received: ${value.toHumanString()}`,
    );
  }
}

/** Throws if the string is empty or longer than `max`; skips tokens. */
export function validateLength(prop: string, value: string | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (value.length < min || value.length > max) {
    throw new Error(`'${prop}' must be between ${min} and ${max} characters long. Received: ${quote(value)} (${value.length} characters)`);
  }
}

/** Throws unless the (concrete) string matches `pattern`; skips tokens. */
export function validatePattern(prop: string, value: string | undefined, pattern: RegExp, description: string): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!pattern.test(value)) {
    throw new Error(`'${prop}' ${description}. Received: ${quote(value)}`);
  }
}

/** Throws if an array holds two equal concrete strings. */
export function validateUnique(prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (Token.isUnresolved(v)) continue;
    if (seen.has(v)) {
      throw new Error(`'${prop}' must not contain duplicates. Received ${quote(v)} more than once`);
    }
    seen.add(v);
  }
}

/** Quote a user-supplied value for an error message, shortening very long values. */
export function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…` : s);
}

/**
 * Normalize an alias: add the `alias/` prefix if missing and validate it.
 * Alias names are 1–256 characters of `[a-zA-Z0-9:/_-]`, must not use the `alias/aws/` prefix
 * reserved for AWS managed keys, and must name something after the prefix.
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
 */
export function normalizeAlias(prop: string, alias: string): string {
  if (Token.isUnresolved(alias)) {
    return alias;
  }
  const name = alias.startsWith('alias/') ? alias : `alias/${alias}`;
  if (name.length > 256) {
    throw new Error(`'${prop}' must be at most 256 characters including the 'alias/' prefix. Received: ${quote(alias)} (${name.length} characters)`);
  }
  if (name === 'alias/') {
    throw new Error(`'${prop}' must name the alias after the 'alias/' prefix. Received: ${quote(alias)}`);
  }
  if (!/^alias\/[a-zA-Z0-9:/_-]+$/.test(name)) {
    throw new Error(`'${prop}' may contain only letters, digits and the characters : / _ -. Received: ${quote(alias)}`);
  }
  if (name.toLowerCase().startsWith('alias/aws/') || name.toLowerCase() === 'alias/aws') {
    throw new Error(`'${prop}' must not use the 'alias/aws/' prefix, which is reserved for AWS managed keys. Received: ${quote(alias)}`);
  }
  return name;
}
