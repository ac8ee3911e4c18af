/**
 * The errors of the bundled handlers, and how a failure becomes the reason CloudFormation shows.
 * A reason must never contain a secret value: it is built from AWS error names and messages and
 * from the handlers' own text, and passes through the request's `Redactor`.
 */

/** The name and message of an error. AWS errors fill these with identifiers and states, never with values. */
export function describeError(e: unknown): string {
  const err = e as Error;
  return `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
}

/** A failure described in a handler's own words: its message is the whole reason. */
export class HandlerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerError';
  }
}

/** A contract violation: a property is missing or malformed. The message names the property only. */
export class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidResourceProperties';
  }
}

/** The reason for a failure: a handler's or contract's own message as is, any other error by name and message. */
export function reasonFor(e: unknown): string {
  if (e instanceof HandlerError || e instanceof ContractError) return e.message;
  return describeError(e);
}

/** The name of an error (an AWS error code), if any. */
export function errorName(e: unknown): string | undefined {
  return (e as Error | undefined)?.name;
}

/**
 * Keeps the values a request handles and removes them from any text that leaves the handler.
 * Besides exact occurrences, it removes any run of 8 or more characters that also occurs in a
 * value (AWS validation messages may quote a truncated value).
 */
export class Redactor {
  private static readonly WINDOW = 8;
  private readonly values: string[] = [];

  /** Remember a value; returns it. */
  public track(value: string): string {
    if (value.length > 0) this.values.push(value);
    return value;
  }

  public scrub(text: string): string {
    let out = text;
    for (const value of this.values) {
      const window = Math.min(Redactor.WINDOW, value.length);
      const grams = new Set<string>();
      for (let i = 0; i + window <= value.length; i++) grams.add(value.slice(i, i + window));
      const hidden = new Array<boolean>(out.length).fill(false);
      for (let i = 0; i + window <= out.length; i++) {
        if (grams.has(out.slice(i, i + window))) hidden.fill(true, i, i + window);
      }
      let scrubbed = '';
      for (let i = 0; i < out.length; i++) {
        if (!hidden[i]) scrubbed += out[i];
        else if (i === 0 || !hidden[i - 1]) scrubbed += '[REDACTED]';
      }
      out = scrubbed;
    }
    return out;
  }
}
