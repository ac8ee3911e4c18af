import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { CustomResourceOutcome, respond } from './cfn-response';
import { HandlerError, Redactor, reasonFor } from './errors';

/** What one request of a handler gets besides the event. */
export interface RequestContext {
  /** Remembers the values the request handles, and removes them from every reason. */
  readonly redactor: Redactor;
}

/**
 * A custom-resource handler of the library: one function per request type over the shared
 * dispatch, response and error handling. None of them throws to the caller: a failure becomes a
 * FAILED outcome with a reason that never holds a value.
 */
export interface CustomResourceHandlers {
  /** What the resource is called in log lines, such as `ebs-default-encryption`. */
  readonly resource: string;
  onCreate(event: CloudFormationCustomResourceCreateEvent, ctx: RequestContext): Promise<CustomResourceOutcome>;
  onUpdate(event: CloudFormationCustomResourceUpdateEvent, ctx: RequestContext): Promise<CustomResourceOutcome>;
  onDelete(event: CloudFormationCustomResourceDeleteEvent, ctx: RequestContext): Promise<CustomResourceOutcome>;
  /** The physical id to report when a Create fails before the resource has one. */
  failedCreateId(event: CloudFormationCustomResourceCreateEvent): string | Promise<string>;
  /** The reason for a failure; by default the error's own (see `reasonFor`). */
  failureReason?(event: CloudFormationCustomResourceEvent, error: unknown): string;
  /** Log fields that identify what an event is about. Never a value. */
  describe?(event: CloudFormationCustomResourceEvent): Record<string, unknown>;
}

/** The Lambda entry point for a set of handlers: the outcome, one log line without values, the response. */
export function customResourceHandler(handlers: CustomResourceHandlers): (event: CloudFormationCustomResourceEvent) => Promise<void> {
  return async (event) => {
    const outcome = await outcomeOf(handlers, event);
    console.log(JSON.stringify({ event: handlers.resource, requestType: event.RequestType, ...handlers.describe?.(event), status: outcome.status }));
    await respond(event, outcome);
  };
}

/** The outcome of one event. Never throws. An unknown request type fails without any side effect. */
export async function outcomeOf(handlers: CustomResourceHandlers, event: CloudFormationCustomResourceEvent): Promise<CustomResourceOutcome> {
  const ctx: RequestContext = { redactor: new Redactor() };
  let physicalResourceId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined;
  try {
    switch (event.RequestType) {
      case 'Create':
        physicalResourceId = await handlers.failedCreateId(event);
        return await handlers.onCreate(event, ctx);
      case 'Update':
        return await handlers.onUpdate(event, ctx);
      case 'Delete':
        return await handlers.onDelete(event, ctx);
      default:
        throw new HandlerError(`unknown request type ${JSON.stringify((event as { RequestType: unknown }).RequestType)}`);
    }
  } catch (e) {
    const reason = handlers.failureReason ? handlers.failureReason(event, e) : reasonFor(e);
    return { status: 'FAILED', physicalResourceId: physicalResourceId ?? `unknown:${event.RequestId}`, reason: ctx.redactor.scrub(reason) };
  }
}
