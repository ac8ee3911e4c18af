/**
 * Small helpers shared by the bundled handlers.
 */

/** The name and message of an error. AWS errors fill these with identifiers and states, never with values. */
export function describeError(e: unknown): string {
  const err = e as Error;
  return `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
}
