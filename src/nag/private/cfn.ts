import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Reading CloudFormation resources for the nag rules: resolved properties (escape-hatch
 * overrides included), conditional variants (`Fn::If`), intrinsic values flattened to text, and
 * references between resources of the same app.
 */

/** A JSON object as CloudFormation renders it. */
export type Json = { [key: string]: unknown };

/**
 * A value a rule needs cannot be known at synth (a `Ref` to a parameter, an `Fn::If` with too many
 * branches, an `Fn::Select` over an import…). The rule reports it as a finding, with this message
 * as the explanation in verbose mode.
 */
export class UnresolvableValueError extends Error {
  constructor(what: string, value: unknown) {
    super(`${what} cannot be evaluated at synth time (${short(value)}); the rule cannot prove compliance. Use a literal value, or acknowledge the rule with a reason.`);
    this.name = 'UnresolvableValueError';
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the value is a CloudFormation intrinsic function or a `Ref` (`{ "Fn::X": … }` / `{ "Ref": … }`). */
export function isIntrinsic(value: unknown): boolean {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

/** Resolve a value in the stack of `node`. */
export function resolveIn(node: IConstruct, value: unknown): unknown {
  return Stack.of(node).resolve(value);
}

/**
 * The CloudFormation `Properties` of a resource, resolved, exactly as they will be synthesized:
 * L1 props, L2 defaults and `addPropertyOverride` escape hatches alike. `undefined` for a resource
 * that is not synthesized; `{}` for one without properties.
 */
export function renderedProperties(node: CfnResource): Json | undefined {
  // `_toCloudFormation` is how CfnResource renders itself at synth. It is internal to
  // aws-cdk-lib but has been stable since CDK v1; reading the L1 getters instead would miss
  // property overrides.
  const render = (node as unknown as { _toCloudFormation?: () => unknown })._toCloudFormation;
  if (typeof render !== 'function') {
    throw new Error(`Cannot render ${node.node.path}: this version of aws-cdk-lib has no CfnResource._toCloudFormation`);
  }
  const rendered = resolveIn(node, render.call(node));
  if (!isObject(rendered) || !isObject(rendered.Resources)) return undefined;
  const definition = Object.values(rendered.Resources)[0];
  if (!isObject(definition)) return undefined;
  return isObject(definition.Properties) ? definition.Properties : {};
}

const NO_VALUE = Symbol('AWS::NoValue');

/** The most variants of one value that a rule evaluates before it gives up. */
export const MAX_VARIANTS = 64;

/**
 * Every value that a resolved CloudFormation value can take through its `Fn::If` branches, with
 * `AWS::NoValue` removed (from arrays and objects; a value that is itself `AWS::NoValue` becomes
 * `undefined`). A value without `Fn::If` has exactly one variant: itself.
 *
 * Rules evaluate every variant and report a finding if any of them fails, so that a condition
 * can never hide a non-compliant branch. Throws `UnresolvableValueError` beyond `MAX_VARIANTS`.
 */
export function variants(value: unknown, what = 'The value'): unknown[] {
  // Most values hold no condition at all: skip the walk (profiled: the largest cost of the pack).
  if (!hasConditionalParts(value)) return [value];
  return expand(value, what).map((v) => (v === NO_VALUE ? undefined : v));
}

/** Whether a value contains `Fn::If` or `AWS::NoValue` anywhere. */
function hasConditionalParts(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Many rules read the same values of one resource: remember the answer for each object.
  let known = CONDITIONAL.get(value);
  if (known === undefined) {
    known = Array.isArray(value)
      ? value.some(hasConditionalParts)
      : Object.entries(value).some(([k, v]) => k === 'Fn::If' || (k === 'Ref' && v === 'AWS::NoValue') || hasConditionalParts(v));
    CONDITIONAL.set(value, known);
  }
  return known;
}

/** `hasConditionalParts` by object; objects of a template are not changed once read. */
const CONDITIONAL = new WeakMap<object, boolean>();

function expand(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) {
    return product(value.map((v) => expand(v, what)), what).map((items) => items.filter((i) => i !== NO_VALUE));
  }
  if (!isObject(value)) return [value];
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref' && value.Ref === 'AWS::NoValue') return [NO_VALUE];
  if (keys.length === 1 && keys[0] === 'Fn::If') {
    const args = value['Fn::If'];
    if (Array.isArray(args) && args.length === 3) {
      const all = [...expand(args[1], what), ...expand(args[2], what)];
      return dedupe(all, what);
    }
  }
  const perKey = keys.map((k) => expand(value[k], what));
  return product(perKey, what).map((vals) => {
    const out: Json = {};
    keys.forEach((k, i) => {
      if (vals[i] !== NO_VALUE) out[k] = vals[i];
    });
    return out;
  });
}

function product(lists: unknown[][], what: string): unknown[][] {
  let acc: unknown[][] = [[]];
  for (const list of lists) {
    const next: unknown[][] = [];
    for (const prefix of acc) {
      for (const item of list) next.push([...prefix, item]);
    }
    if (next.length > MAX_VARIANTS) {
      throw new UnresolvableValueError(`${what} has more than ${MAX_VARIANTS} Fn::If combinations and`, '…');
    }
    acc = next;
  }
  return acc;
}

function dedupe(values: unknown[], what: string): unknown[] {
  const seen = new Map<string, unknown>();
  for (const v of values) seen.set(v === NO_VALUE ? '<NoValue>' : JSON.stringify(v), v);
  if (seen.size > MAX_VARIANTS) {
    throw new UnresolvableValueError(`${what} has more than ${MAX_VARIANTS} Fn::If combinations and`, '…');
  }
  return [...seen.values()];
}

/**
 * A resolved value as text, with references written as `${LogicalId}` / `${LogicalId.Attr}` and
 * pseudo parameters as `${AWS::AccountId}`: `Fn::Join` and `Fn::Sub` are expanded, so
 * `arn:${AWS::Partition}:iam::${AWS::AccountId}:root` is recognizable as the account root.
 * `undefined` for anything that cannot be written as text (`Fn::If`, `Fn::Select`, objects…).
 */
export function flatten(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!isObject(value) || !isIntrinsic(value)) return undefined;
  const [fn] = Object.keys(value);
  const arg = value[fn];
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? `\${${arg}}` : undefined;
    case 'Fn::GetAtt':
      if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string') {
        const attr = flatten(arg[1]);
        return attr === undefined ? undefined : `\${${arg[0]}.${attr}}`;
      }
      return typeof arg === 'string' ? `\${${arg}}` : undefined;
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return undefined;
      const parts = arg[1].map(flatten);
      return parts.some((p) => p === undefined) ? undefined : parts.join(arg[0]);
    }
    case 'Fn::Sub':
      if (typeof arg === 'string') return arg;
      if (Array.isArray(arg) && typeof arg[0] === 'string') return arg[0];
      return undefined;
    case 'Fn::ImportValue': {
      const name = flatten(arg);
      return name === undefined ? undefined : `\${ImportValue:${name}}`;
    }
    default:
      return undefined;
  }
}

/** The value as an array (`undefined` → `[]`). */
export function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Structural equality of two resolved values. */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** A canonical JSON text of a resolved value (object keys sorted), for equality and indexing. */
export function canonicalString(value: unknown): string {
  return canonical(value);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

/**
 * The CloudFormation resources of the whole app that `node` belongs to, by type. Rules that relate
 * resources (an alias to its key, a bucket policy to its bucket, a trail to its log group) search
 * the whole app, not only the scope being validated.
 */
export function indexResources(root: IConstruct): Map<string, CfnResource[]> {
  const byType = new Map<string, CfnResource[]>();
  for (const c of root.node.findAll()) {
    if (CfnResource.isCfnResource(c)) {
      const list = byType.get(c.cfnResourceType) ?? [];
      list.push(c);
      byType.set(c.cfnResourceType, list);
    }
  }
  return byType;
}

/** A glob (`*`, `?`) as a case-sensitive or -insensitive regular expression. */
export function globToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

function short(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * A CloudFormation boolean (`true`, or the string `"true"` that CloudFormation also accepts);
 * `undefined` when absent. Throws `UnresolvableValueError` for anything else.
 */
export function booleanValue(value: unknown, what: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new UnresolvableValueError(what, value);
}

/** A CloudFormation number (or numeric string); `undefined` when absent. Throws `UnresolvableValueError` for anything else. */
export function numberValue(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  throw new UnresolvableValueError(what, value);
}

/** A literal string; `undefined` when absent. Throws `UnresolvableValueError` for anything else. */
export function stringValue(value: unknown, what: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new UnresolvableValueError(what, value);
}

/** The named properties only, so that `Fn::If` elsewhere in the resource does not multiply the variants. */
export function pick(props: Json, ...names: string[]): Json {
  const out: Json = {};
  for (const n of names) {
    if (props[n] !== undefined) out[n] = props[n];
  }
  return out;
}

/**
 * The colon-separated parts of a text written by `flatten`, with references (`${AWS::Partition}`,
 * `${Key.Arn}`) kept whole.
 */
export function splitArn(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inReference = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (!inReference && c === '$' && text[i + 1] === '{') inReference = true;
    else if (inReference && c === '}') inReference = false;
    if (c === ':' && !inReference) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * The colon-separated parts of an ARN written by `flatten`, with references (`${AWS::Partition}`,
 * `${Key.Arn}`) kept whole. `undefined` if the text is not an ARN.
 */
export function arnParts(text: string): string[] | undefined {
  const parts = splitArn(text);
  return parts.length >= 6 && parts[0] === 'arn' ? parts : undefined;
}
