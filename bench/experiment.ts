/**
 * EXPERIMENT, NOT LIBRARY CODE. Monkey-patches of src/ internals, installed and removed around
 * single samples, that model the changes recommended in bench/results.md, so that their effect can
 * be measured in the same run as the unchanged code. Nothing here ships, and src/ is not modified.
 *
 * Each patch checks that the code it replaces still looks as expected and is skipped otherwise
 * (src moves on; a patch of old code would measure nothing real). A patch whose change src has
 * already made reports itself as `applied`.
 *
 * - `identityOnce`: a grant resolves its principal's identity once, not twice, and skips
 *   `stack.resolve` for empty condition objects (`ManagedKeyBase.recordRole`,
 *   `KeyPolicyStatements.add`).
 * - `sidsUnresolved`: `KeyPolicyStatements.duplicateSids` reads the Sids from the unresolved
 *   document (they are plain strings) instead of resolving the whole key policy a second time during
 *   validation.
 * - `actionsMemo`: `expandKmsAction` results are reused for equal patterns (the action sets are
 *   constants).
 * - `sharedDirect`: the props lists (`administrators`, `users`, `serviceUsers`, the root statement),
 *   whose `Grant` `_initPolicy` discards, go straight into the key policy, without building an
 *   `iam.Grant`, a `KeyPolicySink` and a candidate `PolicyStatement` per principal
 *   (`ManagedKeyBase.place`).
 * - `refersToMemo` (nag pack): `refersTo` (src/nag/private/cfn.ts) resolves a target's `Ref` and
 *   `Fn::GetAtt` candidates once per (stack, target, attribute) instead of once per call.
 *   `KeyHasAlias` calls it for every (key, alias) pair of the app, so without it the rule makes
 *   3 × keys × aliases `stack.resolve` calls.
 * - `referrerIndex` (nag pack): the rule context indexes, once per run, which aliases and bucket
 *   policies refer to which resource (`Ref`/`Fn::GetAtt` logical ids in their `TargetKeyId` /
 *   `Bucket`), so that `KeyHasAlias` and `S3BucketCustomerManagedKey` check only the candidates that
 *   can match instead of every alias / bucket policy of the app. Candidates that cannot be
 *   indexed (a literal name, an import) are always passed on, so the outcome cannot change.
 * - `policyMemo` (nag pack): `keyPolicyVariants` and `kmsActionsOf` (src/nag/private/policy.ts)
 *   reuse their result for the same (memoized, per-run) key-policy object, instead of five key-policy
 *   rules each re-expanding the same policy.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as managedCmk from '../src/managed-cmk';
import * as nagCfn from '../src/nag/private/cfn';
import * as nagPolicy from '../src/nag/private/policy';
import * as nagRule from '../src/nag/private/rule';
import * as keyPolicy from '../src/private/key-policy';
import * as kmsActions from '../src/private/kms-actions';

export interface Patch {
  readonly id: string;
  readonly description: string;
  /** Why the patch is not used, if it is not ('already in src', or src changed). */
  readonly unavailable?: string;
  /** The change is already in src/. */
  readonly applied?: boolean;
  install(): void;
  uninstall(): void;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const baseProto = managedCmk.ManagedKeyBase.prototype as any;
const statementsProto = keyPolicy.KeyPolicyStatements.prototype as any;

function looksLike(fn: unknown, ...markers: string[]): boolean {
  return typeof fn === 'function' && markers.every((m) => fn.toString().includes(m));
}

function isEmptyObject(v: unknown): boolean {
  return v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
}

/** The identity of a principal for one key, resolved at most once per principal object. */
function identityOf(statements: any, stack: Stack, principal: iam.IPrincipal): string {
  const memo: Map<iam.IPrincipal, string> = (statements.__benchIdentity ??= new Map());
  let id = memo.get(principal);
  if (id === undefined) {
    id = keyPolicy.principalIdentity(stack, principal);
    memo.set(principal, id);
  }
  return id;
}

function identityOncePatch(): Patch {
  const originalAdd = statementsProto.add;
  const originalRecordRole = baseProto.recordRole;
  const unavailable = !looksLike(originalAdd, 'principalIdentity(stack, req.principal)', 'stack.resolve(conditions)', 'allocateSid')
    ? 'KeyPolicyStatements.add changed'
    : !looksLike(originalRecordRole, 'principalIdentity', 'principalRoles')
      ? 'ManagedKeyBase.recordRole changed'
      : undefined;

  // Same logic as src/private/key-policy.ts KeyPolicyStatements.add, identity memoized.
  function add(this: any, req: any, candidate?: iam.PolicyStatement): iam.PolicyStatement {
    const stack = Stack.of(this.scope);
    const principalConditions = req.principal.policyFragment.conditions;
    const conditions: Record<string, Record<string, unknown>> = {};
    for (const src of [req.conditions ?? {}, principalConditions ?? {}]) {
      for (const [op, kv] of Object.entries<Record<string, unknown>>(src)) conditions[op] = { ...(conditions[op] ?? {}), ...kv };
    }
    const actions = [...new Set<string>(req.actions)].sort();
    const principalKey = identityOf(this, stack, req.principal);
    const resolvedConditions = isEmptyObject(conditions) ? {} : stack.resolve(conditions);
    const groupKey = JSON.stringify([req.sid, req.role, actions, resolvedConditions, req.shared ? '' : principalKey]);
    let group = this.groups.get(groupKey);
    if (!group) {
      const statement = candidate ?? new iam.PolicyStatement({
        actions,
        resources: ['*'],
        conditions: req.conditions && Object.keys(req.conditions).length > 0 ? req.conditions : undefined,
      });
      statement.sid = this.allocateSid(req.sid, groupKey);
      group = { statement, principalKeys: new Set() };
      this.groups.set(groupKey, group);
      this.document.addStatements(statement);
    }
    if (!group.principalKeys.has(principalKey)) {
      group.principalKeys.add(principalKey);
      group.statement.addPrincipals(req.principal);
    }
    return group.statement;
  }

  // Same logic as src/managed-cmk.ts ManagedKeyBase.recordRole, identity memoized.
  function recordRole(this: any, principal: iam.IPrincipal, role: string): void {
    const stack = Stack.of(this);
    const conditions = principal.policyFragment.conditions;
    const key = identityOf(this._statements, stack, principal) + JSON.stringify(isEmptyObject(conditions) ? {} : stack.resolve(conditions));
    const label = iam.principalIsOwnedResource(principal) ? principal.node.path : key;
    const entry = this.principalRoles.get(key) ?? { label, roles: new Set<string>() };
    entry.roles.add(role);
    this.principalRoles.set(key, entry);
  }

  return {
    id: 'identityOnce',
    description: 'resolve each principal identity once per key; no stack.resolve of empty conditions',
    unavailable,
    install: () => {
      statementsProto.add = add;
      baseProto.recordRole = recordRole;
    },
    uninstall: () => {
      statementsProto.add = originalAdd;
      baseProto.recordRole = originalRecordRole;
    },
  };
}

function sidsUnresolvedPatch(): Patch {
  const original = statementsProto.duplicateSids;
  const applied = typeof original === 'function' && !original.toString().includes('resolve(');
  const unavailable = applied ? 'already in src' : looksLike(original, 'resolve(this.document.toJSON())') ? undefined : 'KeyPolicyStatements.duplicateSids changed';
  function duplicateSids(this: any): string[] {
    const statements: Array<{ Sid?: unknown }> = this.document.toJSON()?.Statement ?? [];
    if (statements.some((s) => s.Sid !== undefined && typeof s.Sid !== 'string')) return original.call(this);
    const seen = new Map<string, number>();
    for (const s of statements) if (typeof s.Sid === 'string' && s.Sid) seen.set(s.Sid, (seen.get(s.Sid) ?? 0) + 1);
    return [...seen.entries()].filter(([, n]) => n > 1).map(([sid]) => sid);
  }
  return {
    id: 'sidsUnresolved',
    description: 'duplicateSids reads Sids from the unresolved document (one policy resolution per key during validation, not two)',
    unavailable,
    applied,
    install: () => {
      statementsProto.duplicateSids = duplicateSids;
    },
    uninstall: () => {
      statementsProto.duplicateSids = original;
    },
  };
}

function actionsMemoPatch(): Patch {
  const mod = kmsActions as any;
  const original = mod.expandKmsAction;
  let writable = true;
  try {
    mod.expandKmsAction = original;
  } catch {
    writable = false;
  }
  const applied = typeof original === 'function' && original.toString().includes('.get(');
  const memo = new Map<string, string[]>();
  const memoized = (pattern: string) => {
    let v = memo.get(pattern);
    if (!v) {
      v = original(pattern) as string[];
      memo.set(pattern, v);
    }
    return [...v];
  };
  return {
    id: 'actionsMemo',
    description: 'reuse expandKmsAction results for equal patterns',
    unavailable: applied ? 'already in src' : writable ? undefined : 'kms-actions exports are read-only',
    applied,
    install: () => {
      mod.expandKmsAction = memoized;
    },
    uninstall: () => {
      mod.expandKmsAction = original;
    },
  };
}
function sharedDirectPatch(): Patch {
  const original = baseProto.place;
  const initPolicy = baseProto._initPolicy;
  const applied = typeof initPolicy === 'function' && !initPolicy.toString().includes('grantActions(');
  const unavailable = applied
    ? 'already in src'
    : looksLike(original, 'routeFor', 'recordRole', '_statements.add', 'addToPrincipal') ? undefined : 'ManagedKeyBase.place changed';
  function place(this: any, grantee: iam.IGrantable, req: any): iam.Grant {
    if (!req.shared) return original.call(this, grantee, req);
    const principal = grantee.grantPrincipal;
    if (this.routeFor(principal) !== undefined) return original.call(this, grantee, req); // delegation: unchanged
    this.recordRole(principal, req.role);
    this._statements.add({ ...req, conditions: { ...(req.conditions ?? {}) }, principal });
    return iam.Grant.drop(grantee, 'key policy statement shared by a props list');
  }
  return {
    id: 'sharedDirect',
    description: 'props lists go straight into the key policy, without an iam.Grant per principal',
    unavailable,
    applied,
    install: () => {
      baseProto.place = place;
    },
    uninstall: () => {
      baseProto.place = original;
    },
  };
}
function refersToMemoPatch(): Patch {
  const mod = nagCfn as any;
  const original = mod.refersTo;
  const originalVariants = mod.variants;
  // The rule context resolving renderings once per stack and target is the same change.
  const applied = looksLike((nagRule as any).newRuleContext, 'refersTo(');
  const unavailable = applied
    ? 'already in src'
    : !looksLike(original, 'target.ref', 'getAtt', 'resolveIn(from')
      ? 'nag refersTo changed'
      : typeof originalVariants !== 'function' ? 'nag variants missing' : undefined;
  const canon = (v: unknown) => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
  // Per validation run (reset at install): resolved candidates per (target, stack, attribute), the
  // canonical text of each compared value, and the variants of each (immutable, memoized) property value.
  let resolved = new WeakMap<object, Map<string, string | null>>();
  let canonOf = new WeakMap<object, string>();
  let variantsOf = new WeakMap<object, Map<string, unknown[]>>();
  const canonical = (v: unknown) => {
    if (v === null || typeof v !== 'object') return canon(v);
    let c = canonOf.get(v);
    if (c === undefined) {
      c = canon(v);
      canonOf.set(v, c);
    }
    return c;
  };
  function refersTo(from: any, value: unknown, target: any, attributes: readonly string[] = []): boolean {
    if (value === undefined || value === null) return false;
    const stack = Stack.of(from);
    const perTarget = resolved.get(target) ?? new Map<string, string | null>();
    resolved.set(target, perTarget);
    const wanted = canonical(value);
    for (const attr of ['', ...attributes]) {
      const k = `${stack.node.path}|${attr}`;
      let c = perTarget.get(k);
      if (c === undefined) {
        try {
          c = canon(stack.resolve(attr === '' ? target.ref : target.getAtt(attr)));
        } catch {
          c = null;
        }
        perTarget.set(k, c);
      }
      if (c !== null && c === wanted) return true;
    }
    return false;
  }
  function variants(value: unknown, what: string): unknown[] {
    if (value === null || typeof value !== 'object') return originalVariants(value, what);
    const perValue = variantsOf.get(value) ?? new Map<string, unknown[]>();
    variantsOf.set(value, perValue);
    let v = perValue.get(what);
    if (!v) {
      v = originalVariants(value, what) as unknown[];
      perValue.set(what, v);
    }
    return v;
  }
  return {
    id: 'refersToMemo',
    description: 'nag: resolve each Ref/GetAtt candidate once per stack and reuse alias targets, not once per (key, alias) pair',
    unavailable,
    applied,
    install: () => {
      resolved = new WeakMap();
      canonOf = new WeakMap();
      variantsOf = new WeakMap();
      mod.refersTo = refersTo;
      mod.variants = variants;
    },
    uninstall: () => {
      mod.refersTo = original;
      mod.variants = originalVariants;
    },
  };
}
/** The property of a referring resource that names its target. */
const REFERRING: Record<string, string> = { 'AWS::KMS::Alias': 'TargetKeyId', 'AWS::S3::BucketPolicy': 'Bucket' };

/** Logical ids a resolved value refers to by `Ref`/`Fn::GetAtt`, or 'opaque' when it cannot be told. */
function referencedIds(value: unknown, out = new Set<string>()): Set<string> | 'opaque' {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? 'opaque' : out;
  if (Array.isArray(value)) {
    for (const v of value) if (referencedIds(v, out) === 'opaque') return 'opaque';
    return out;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'Ref' && typeof obj.Ref === 'string') {
    out.add(obj.Ref);
    return out;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt' && Array.isArray(obj['Fn::GetAtt']) && typeof obj['Fn::GetAtt'][0] === 'string') {
    out.add(obj['Fn::GetAtt'][0]);
    return out;
  }
  if (keys.some((k) => k === 'Fn::ImportValue' || k === 'Fn::Sub')) return 'opaque';
  for (const v of Object.values(obj)) if (referencedIds(v, out) === 'opaque') return 'opaque';
  return out;
}

function referrerIndexPatch(): Patch {
  const mod = nagRule as any;
  const original = mod.newRuleContext;
  const applied = looksLike(original, 'referrers');
  const unavailable = applied ? 'already in src' : typeof original === 'function' ? undefined : 'nag newRuleContext missing';
  function newRuleContext(this: unknown, ...args: unknown[]): any {
    const ctx = original.apply(this, args);
    const all = ctx.resourcesOfType.bind(ctx);
    const indexes = new Map<string, { byTarget: Map<string, any[]>; always: Set<any>; order: Map<any, number> }>();
    const indexFor = (node: any, type: string) => {
      const rootKey = `${node.node.root.node.addr}|${type}`;
      let index = indexes.get(rootKey);
      if (!index) {
        index = { byTarget: new Map(), always: new Set(), order: new Map() };
        (all(node, type) as any[]).forEach((c, i) => {
          index!.order.set(c, i);
          const props = ctx.properties(c);
          if (props === undefined) return; // the rules skip these too
          const ids = referencedIds(props[REFERRING[type]]);
          if (ids === 'opaque' || ids.size === 0) {
            index!.always.add(c);
            return;
          }
          const stackPath = Stack.of(c).node.path;
          for (const id of ids) {
            const k = `${stackPath}|${id}`;
            index!.byTarget.set(k, [...(index!.byTarget.get(k) ?? []), c]);
          }
        });
        indexes.set(rootKey, index);
      }
      return index;
    };
    ctx.resourcesOfType = (node: any, type: string) => {
      if (!REFERRING[type] || typeof node.logicalId !== 'string') return all(node, type);
      const index = indexFor(node, type);
      const stack = Stack.of(node);
      const id = stack.resolve(node.logicalId);
      const hits = new Set<any>([...(index.byTarget.get(`${stack.node.path}|${id}`) ?? []), ...index.always]);
      return [...hits].sort((a, b) => index.order.get(a)! - index.order.get(b)!);
    };
    return ctx;
  }
  return {
    id: 'referrerIndex',
    description: 'nag: index referring aliases / bucket policies by target logical id once per run',
    unavailable,
    applied,
    install: () => {
      mod.newRuleContext = newRuleContext;
    },
    uninstall: () => {
      mod.newRuleContext = original;
    },
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function policyMemoPatch(): Patch {
  const mod = nagPolicy as any;
  const originalVariants = mod.keyPolicyVariants;
  const originalActions = mod.kmsActionsOf;
  const unavailable = typeof originalVariants === 'function' && typeof originalActions === 'function' ? undefined : 'nag policy helpers missing';
  let variants = new WeakMap<object, unknown>();
  let actions = new WeakMap<object, Map<string, unknown>>();
  function keyPolicyVariants(properties: object, scope: unknown): unknown {
    if (!variants.has(properties)) variants.set(properties, originalVariants(properties, scope));
    return variants.get(properties);
  }
  function kmsActionsOf(statement: object, what: string): unknown {
    const perStatement = actions.get(statement) ?? new Map<string, unknown>();
    actions.set(statement, perStatement);
    if (!perStatement.has(what)) perStatement.set(what, originalActions(statement, what));
    return perStatement.get(what);
  }
  return {
    id: 'policyMemo',
    description: 'nag: analyse each key policy once per run, not once per key-policy rule',
    unavailable,
    install: () => {
      variants = new WeakMap();
      actions = new WeakMap();
      mod.keyPolicyVariants = keyPolicyVariants;
      mod.kmsActionsOf = kmsActionsOf;
    },
    uninstall: () => {
      mod.keyPolicyVariants = originalVariants;
      mod.kmsActionsOf = originalActions;
    },
  };
}

/** The patches of the nag pack. */
export function nagPatches(): Patch[] {
  return [refersToMemoPatch(), referrerIndexPatch(), policyMemoPatch()];
}

export function allPatches(): Patch[] {
  return [identityOncePatch(), sidsUnresolvedPatch(), actionsMemoPatch(), sharedDirectPatch()];
}

/** Run `fn` with the given patches installed, and remove them after, even on error. */
export function withPatches<T>(patches: Patch[], fn: () => T): T {
  const usable = patches.filter((p) => !p.unavailable);
  usable.forEach((p) => p.install());
  try {
    return fn();
  } finally {
    usable.reverse().forEach((p) => p.uninstall());
  }
}
