import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/**
 * Replying to CloudFormation from a custom-resource handler, shared by the library's bundled
 * handlers (they are plain Lambda functions, not CDK's provider framework, which would add
 * functions of its own).
 *
 * A handler computes an outcome; `respond` sends it to the pre-signed ResponseURL, retrying a 5xx
 * answer or a network failure with backoff until its deadline. It never throws: an answer that
 * cannot be delivered is logged (without the body) and CloudFormation falls back on the resource's
 * `ServiceTimeout`. A failure reason must never contain a secret value: handlers build reasons
 * from AWS error names and messages and from their own text only.
 */

export interface CustomResourceOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly reason?: string;
  readonly data?: Record<string, string>;
}

/** CloudFormation limits the whole response body to 4096 bytes; keep the reason well inside. */
const MAX_REASON = 1024;
/** The longest one attempt may take (connect, send, answer). */
const ATTEMPT_TIMEOUT_MS = 5_000;
/** Backoff between attempts: 250 ms, doubling, at most 4 s. */
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 4_000;
/** Without a deadline from the caller. */
const DEFAULT_DELIVERY_MS = 30_000;

/** The response body CloudFormation expects. */
export function responseBody(event: CloudFormationCustomResourceEvent, outcome: CustomResourceOutcome): string {
  return JSON.stringify({
    Status: outcome.status,
    Reason: (outcome.reason ?? (outcome.status === 'SUCCESS' ? 'OK' : 'Failed')).slice(0, MAX_REASON),
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: outcome.data ?? {},
  });
}

/** What one PUT came to. */
interface Attempt {
  readonly delivered: boolean;
  readonly retryable: boolean;
  /** An HTTP status or an error code: never the body. */
  readonly problem?: string;
}

/**
 * PUT the outcome to the event's ResponseURL, retrying until `until` (epoch ms). Resolves to
 * whether CloudFormation accepted it; never rejects.
 */
export async function respond(
  event: CloudFormationCustomResourceEvent,
  outcome: CustomResourceOutcome,
  until = Date.now() + DEFAULT_DELIVERY_MS,
): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(event.ResponseURL);
  } catch {
    return undelivered(0, 'the event has no valid ResponseURL');
  }
  const body = responseBody(event, outcome);
  let attempts = 0;
  let problem = 'no time left to send it';
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) break;
    attempts++;
    const result = await put(url, body, Math.min(ATTEMPT_TIMEOUT_MS, left));
    if (result.delivered) return true;
    problem = result.problem ?? problem;
    const pause = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
    if (!result.retryable || Date.now() + pause >= until) break;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return undelivered(attempts, problem);
}

function undelivered(attempts: number, problem: string): false {
  console.error(JSON.stringify({ event: 'cloudformation-response', delivered: false, attempts, problem }));
  return false;
}

/** One PUT, settled within `timeoutMs`. 2xx is delivered; 5xx, 429 and network errors may be retried. */
function put(url: URL, body: string, timeoutMs: number): Promise<Attempt> {
  // CloudFormation's ResponseURL is always https (a pre-signed S3 URL); plain http is honoured
  // only so that tests and local emulators can capture the response.
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const req = request(
      {
        hostname: url.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => settle({
          delivered: status >= 200 && status < 300,
          retryable: status >= 500 || status === 429,
          problem: `HTTP ${status}`,
        }));
        res.on('error', (e) => settle({ delivered: false, retryable: true, problem: errorCode(e) }));
      },
    );
    const timer = setTimeout(() => {
      settle({ delivered: false, retryable: true, problem: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => settle({ delivered: false, retryable: true, problem: errorCode(e) }));
    req.end(body);
  });
}

function errorCode(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ?? err?.name ?? 'network error';
}
