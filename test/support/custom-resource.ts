import { randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { TEST_ENV } from './stacks';

/**
 * Driving a custom-resource handler the way CloudFormation does: events, and a local HTTP server
 * that records the response each one gets (CloudFormation's pre-signed ResponseURL).
 */

/** The body CloudFormation would receive. */
export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho: boolean;
  readonly Data: Record<string, string>;
}

/** One response as the server received it. */
export interface RecordedResponse {
  readonly raw: string;
  readonly body: CfnResponse;
}

/** What the recorder does with a request that is not a response PUT (tests that fake an AWS endpoint). */
export type OtherRequestHandler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

/** How the recorder answers one response PUT: an HTTP status, or `'hang'` (never answer). */
export type PlannedAnswer = number | 'hang';

/** One response PUT as the server received it, and how it was answered. */
export interface ResponseAttempt extends RecordedResponse {
  readonly answer: PlannedAnswer;
  /** When it arrived (epoch ms). */
  readonly at: number;
}

/**
 * A local stand-in for CloudFormation's response URLs: every PUT is recorded by its path. A PUT is
 * answered 200 (a delivered response) unless a test planned other answers for that request
 * (`plan`): an HTTP error status, or none at all.
 */
export class ResponseRecorder {
  /** Start listening on a free loopback port. */
  public static async start(other?: OtherRequestHandler): Promise<ResponseRecorder> {
    const recorder = new ResponseRecorder(other);
    await new Promise<void>((resolve) => recorder.server.listen(0, '127.0.0.1', resolve));
    return recorder;
  }

  private readonly attempts = new Map<string, ResponseAttempt[]>();
  private readonly plans = new Map<string, PlannedAnswer[]>();
  private readonly server: http.Server;

  private constructor(other?: OtherRequestHandler) {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        if (req.method !== 'PUT' && other) {
          other(req, raw, res);
          return;
        }
        const path = req.url ?? '';
        const answer = this.plans.get(path)?.shift() ?? 200;
        this.attempts.set(path, [...(this.attempts.get(path) ?? []), { raw, body: JSON.parse(raw), answer, at: Date.now() }]);
        if (answer !== 'hang') res.writeHead(answer).end();
      });
    });
  }

  /** The base URL, `http://127.0.0.1:<port>`. */
  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A response URL for one request, shaped like a pre-signed S3 URL. */
  public responseUrl(requestId: string): string {
    return `${this.url}/cfn-response/${requestId}?X-Amz-Signature=test`;
  }

  /** Answer the next PUTs to this event's ResponseURL so, in order; later ones get 200. */
  public plan(event: CloudFormationCustomResourceEvent, answers: PlannedAnswer[]): void {
    this.plans.set(pathOf(event), [...answers]);
  }

  /** Every PUT to an event's ResponseURL, in order, however it was answered. */
  public attemptsTo(event: CloudFormationCustomResourceEvent): ResponseAttempt[] {
    return this.attempts.get(pathOf(event)) ?? [];
  }

  /** Every response delivered to an event's ResponseURL (answered 2xx), in order. */
  public responsesTo(event: CloudFormationCustomResourceEvent): RecordedResponse[] {
    return this.attemptsTo(event).filter((a) => typeof a.answer === 'number' && a.answer >= 200 && a.answer < 300);
  }

  /** The one response delivered to an event; throws if there is none, or more than one. */
  public responseTo(event: CloudFormationCustomResourceEvent): RecordedResponse {
    const got = this.responsesTo(event);
    if (got.length !== 1) throw new Error(`expected exactly one CloudFormation response to ${event.RequestType} ${event.RequestId}, got ${got.length}`);
    return got[0];
  }

  public close(): Promise<void> {
    // Responses planned never to be answered keep their connections open.
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function pathOf(event: CloudFormationCustomResourceEvent): string {
  const url = new URL(event.ResponseURL);
  return `${url.pathname}${url.search}`;
}

/** What a test event is about. */
export interface EventOptions {
  readonly resourceType: string;
  readonly logicalResourceId: string;
  /** The resource properties, without the service token (it is added, as CloudFormation does). */
  readonly properties: Record<string, unknown>;
  /** For Update: the old properties, without the service token. */
  readonly oldProperties?: Record<string, unknown>;
  /** For Update and Delete. */
  readonly physicalResourceId?: string;
  readonly stackId?: string;
  readonly recorder: ResponseRecorder;
}

/** The service token of test events. */
export const TEST_SERVICE_TOKEN = `arn:aws:lambda:${TEST_ENV.region}:${TEST_ENV.account}:function:handler`;

/** A CloudFormation custom-resource event, as CloudFormation sends it. */
export function customResourceEvent(requestType: 'Create' | 'Update' | 'Delete', o: EventOptions): CloudFormationCustomResourceEvent {
  const requestId = randomUUID();
  const common = {
    ServiceToken: TEST_SERVICE_TOKEN,
    ResponseURL: o.recorder.responseUrl(requestId),
    StackId: o.stackId ?? `arn:aws:cloudformation:${TEST_ENV.region}:${TEST_ENV.account}:stack/HandlerTest/0f6c1f40-0000-4000-8000-000000000001`,
    RequestId: requestId,
    LogicalResourceId: o.logicalResourceId,
    ResourceType: o.resourceType,
    // CloudFormation adds the service token and drops absent properties.
    ResourceProperties: JSON.parse(JSON.stringify({ ServiceToken: TEST_SERVICE_TOKEN, ...o.properties })),
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  const physicalResourceId = o.physicalResourceId ?? '';
  if (requestType === 'Update') {
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: physicalResourceId,
      OldResourceProperties: JSON.parse(JSON.stringify({ ServiceToken: TEST_SERVICE_TOKEN, ...(o.oldProperties ?? {}) })),
    };
  }
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalResourceId };
}
