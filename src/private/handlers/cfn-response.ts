import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/**
 * Replying to CloudFormation from a custom-resource handler, shared by the library's bundled
 * handlers (they are plain Lambda functions, not CDK's provider framework, which would add
 * functions of its own).
 *
 * A handler computes an outcome; `respond` sends it to the pre-signed ResponseURL. A failure
 * reason must never contain a secret value: handlers build reasons from AWS error names and
 * messages and from their own text only.
 */

export interface CustomResourceOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly reason?: string;
  readonly data?: Record<string, string>;
}

/** CloudFormation limits the whole response body to 4096 bytes; keep the reason well inside. */
const MAX_REASON = 1024;

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

/** PUT the outcome to the event's ResponseURL. */
export function respond(event: CloudFormationCustomResourceEvent, outcome: CustomResourceOutcome): Promise<void> {
  const body = responseBody(event, outcome);
  const url = new URL(event.ResponseURL);
  // CloudFormation's ResponseURL is always https (a pre-signed S3 URL); plain http is honoured
  // only so that tests and local emulators can capture the response.
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
