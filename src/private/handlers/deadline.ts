/**
 * The time budget of one handler invocation, from the Lambda context: when the work must stop so
 * that CloudFormation still gets an answer, and when the answer must have been delivered.
 *
 * A Lambda function that times out sends nothing: CloudFormation then waits for the resource's
 * `ServiceTimeout` (an hour by default). So the handler answers FAILED itself, while it still has
 * time to deliver the answer, and drops whatever the unfinished work produces later.
 */

/** The part of the Lambda context the deadline needs. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** The budget of an invocation when no Lambda context is given (a direct call, outside Lambda). */
export const DEFAULT_REMAINING_MS = 60_000;

/** The share of the remaining time kept for delivering the answer: a quarter, 1–20 s. */
const RESPONSE_SHARE = 4;
const MIN_RESPONSE_RESERVE_MS = 1_000;
const MAX_RESPONSE_RESERVE_MS = 20_000;
/** Kept free at the very end, so that the function returns before Lambda stops it. */
const MAX_FINAL_MARGIN_MS = 500;

/** Absolute times (epoch milliseconds) of one invocation. */
export interface Deadline {
  /** When the work must have an outcome; the guard answers FAILED then. */
  readonly workEnds: number;
  /** When the answer must have been delivered (response retries stop then). */
  readonly responseEnds: number;
}

/** The deadline of an invocation that has `context.getRemainingTimeInMillis()` left from `now`. */
export function deadlineOf(context: Partial<RemainingTime> | undefined, now = Date.now()): Deadline {
  const reported = typeof context?.getRemainingTimeInMillis === 'function' ? Number(context.getRemainingTimeInMillis()) : NaN;
  const remaining = Number.isFinite(reported) && reported > 0 ? reported : DEFAULT_REMAINING_MS;
  const reserve = Math.min(MAX_RESPONSE_RESERVE_MS, Math.max(MIN_RESPONSE_RESERVE_MS, Math.floor(remaining / RESPONSE_SHARE)));
  const margin = Math.min(MAX_FINAL_MARGIN_MS, Math.floor(remaining / 10));
  return { workEnds: now + Math.max(0, remaining - reserve), responseEnds: now + remaining - margin };
}

/**
 * The work's result, or `onTimeout()` once `until` passes, whichever comes first. At the deadline
 * the work's signal is aborted (SDK calls given it stop), and a result that comes later is dropped:
 * the caller acts on exactly one outcome.
 */
export async function withDeadline<T>(until: number, work: (signal: AbortSignal) => Promise<T>, onTimeout: () => T): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(onTimeout());
    }, Math.max(0, until - Date.now()));
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
