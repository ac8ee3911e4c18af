import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { CustomResourceOutcome, respond } from './cfn-response';
import { RemainingTime, deadlineOf, withDeadline } from './deadline';
import { ContractError, HandlerError, Redactor, reasonFor } from './errors';

/** What one request of a handler gets besides the event. */
export interface RequestContext {
  /** Remembers the values the request handles, and removes them from every reason. */
  readonly redactor: Redactor;
  /** Aborted when the invocation's deadline passes: give it to every SDK call (`abortSignal`). */
  readonly signal?: AbortSignal;
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
  /** The physical id to report when a Create fails before the resource has one. Must not call AWS. */
  failedCreateId(event: CloudFormationCustomResourceCreateEvent): string | Promise<string>;
  /** The reason for a failure; by default the error's own (see `reasonFor`). */
  failureReason?(event: CloudFormationCustomResourceEvent, error: unknown): string;
  /** Log fields that identify what an event is about. Never a value. */
  describe?(event: CloudFormationCustomResourceEvent): Record<string, unknown>;
}

/**
 * The Lambda entry point for a set of handlers. Every event gets exactly one answer: the outcome
 * of the work, or FAILED when the work has not finished shortly before the Lambda timeout (see
 * `deadlineOf`; a result that comes later is dropped). Then one log line without values, and the
 * answer, delivered with retries. Never throws (Lambda would retry the event and answer twice).
 */
export function customResourceHandler(
  handlers: CustomResourceHandlers,
): (event: CloudFormationCustomResourceEvent, context?: Partial<RemainingTime>) => Promise<void> {
  return async (event, context) => {
    const deadline = deadlineOf(context);
    const redactor = new Redactor();
    let outcome: CustomResourceOutcome;
    try {
      const failureId = await failurePhysicalId(handlers, event);
      outcome = await withDeadline<CustomResourceOutcome>(
        deadline.workEnds,
        (signal) => outcomeOf(handlers, event, { redactor, signal }, failureId),
        () => ({
          status: 'FAILED',
          physicalResourceId: failureId,
          reason: redactor.scrub(
            `${String(event?.RequestType)} ran out of time and was stopped before the Lambda timeout, to answer CloudFormation. ` +
              'Part of it may have been done; deploying again retries it.',
          ),
        }),
      );
    } catch (e) {
      // Not reached by the handlers (they never throw); a last line of defence.
      outcome = { status: 'FAILED', physicalResourceId: fallbackPhysicalId(handlers, event), reason: redactor.scrub(reasonFor(e)) };
    }
    const described = safeDescribe(handlers, event);
    console.log(JSON.stringify({ event: handlers.resource, requestType: event?.RequestType ?? null, ...described, status: outcome.status }));
    await respond(event, outcome, deadline.responseEnds);
  };
}

/**
 * The outcome of one event. Never throws. The event is checked before anything happens, and an
 * unknown request type fails without any side effect.
 */
export async function outcomeOf(
  handlers: CustomResourceHandlers,
  event: CloudFormationCustomResourceEvent,
  ctx: RequestContext = { redactor: new Redactor() },
  failureId?: string,
): Promise<CustomResourceOutcome> {
  const physicalResourceId = failureId ?? (await failurePhysicalId(handlers, event));
  try {
    validateEvent(event);
    switch (event.RequestType) {
      case 'Create':
        return await handlers.onCreate(event, ctx);
      case 'Update':
        return await handlers.onUpdate(event, ctx);
      case 'Delete':
        return await handlers.onDelete(event, ctx);
    }
  } catch (e) {
    const reason = handlers.failureReason ? handlers.failureReason(event, e) : reasonFor(e);
    return { status: 'FAILED', physicalResourceId, reason: ctx.redactor.scrub(reason) };
  }
}

/** A CloudFormation stack ARN: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`. */
const STACK_ID = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[^/]+$/;

/**
 * Throw `ContractError`, naming the field, if the event is not one CloudFormation sends: an
 * unknown request type, no stack id, request id or logical id, or no properties on Create or Update.
 */
export function validateEvent(event: CloudFormationCustomResourceEvent): void {
  const type = (event as { RequestType?: unknown })?.RequestType;
  if (type !== 'Create' && type !== 'Update' && type !== 'Delete') {
    throw new HandlerError(`unknown request type ${JSON.stringify(type ?? null)}; nothing was changed`);
  }
  const missing = (field: string) => new ContractError(`${type}: the event has no valid ${field}; nothing was changed`);
  if (typeof event.StackId !== 'string' || !STACK_ID.test(event.StackId)) throw missing('StackId (a CloudFormation stack ARN)');
  const required = ['RequestId', 'LogicalResourceId', ...(type === 'Create' ? [] : ['PhysicalResourceId'])];
  for (const field of required) {
    const value = (event as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'string' || value.length === 0) throw missing(field);
  }
  const props = event.ResourceProperties as unknown;
  if (type !== 'Delete' && (props === null || typeof props !== 'object' || Array.isArray(props))) throw missing('ResourceProperties');
}

/** The physical id of a FAILED answer: the Create's own (see `failedCreateId`), else the one given. */
async function failurePhysicalId(handlers: CustomResourceHandlers, event: CloudFormationCustomResourceEvent): Promise<string> {
  if (event?.RequestType === 'Create') {
    try {
      const id = await handlers.failedCreateId(event);
      if (typeof id === 'string' && id.length > 0) return id;
    } catch {
      // fall through to a stable id
    }
  }
  return fallbackPhysicalId(handlers, event);
}

/** The physical id given, or a stable one made from the request id. */
function fallbackPhysicalId(handlers: CustomResourceHandlers, event: CloudFormationCustomResourceEvent): string {
  const given = (event as { PhysicalResourceId?: unknown })?.PhysicalResourceId;
  if (typeof given === 'string' && given.length > 0) return given;
  return `${handlers.resource}:unknown:${typeof event?.RequestId === 'string' ? event.RequestId : 'no-request-id'}`;
}

function safeDescribe(handlers: CustomResourceHandlers, event: CloudFormationCustomResourceEvent): Record<string, unknown> {
  try {
    return handlers.describe?.(event) ?? {};
  } catch {
    return {};
  }
}
