/**
 * Template economy: resources and template bytes per construct, and how many keys fit one stack.
 * Deterministic: these numbers do not depend on the machine.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Builder, NO_RESOURCE_LIMIT, TemplateFacts, keysL2, keysManagedCmk, keysRaw, newApp, readTemplate } from './apps';
import { freshOutdir, removeDir } from './harness';
import { EbsDefaultEncryption } from '../src/ebs-default-encryption';
import { EncryptedSecureStringParam, SecureStringValue } from '../src/encrypted-secure-string-param';
import { EnvelopeEncryptedBucket } from '../src/envelope-encrypted-bucket';
import { KeyHealthCanary } from '../src/key-health-canary';
import { ManagedCmk } from '../src/managed-cmk';

/** CloudFormation quotas. @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html */
export const MAX_RESOURCES = 500;
/** Template body in an S3 object: 1 MB (taken as 1,048,576 bytes). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;
/** Template body passed inline (TemplateBody); larger templates must be uploaded to S3 first. */
export const MAX_INLINE_TEMPLATE_BYTES = 51_200;

export function synthFacts(build: Builder, n: number, context: Record<string, unknown> = NO_RESOURCE_LIMIT): TemplateFacts {
  const outdir = freshOutdir();
  try {
    const { app, stack } = newApp(outdir, context);
    build(stack, n);
    app.synth();
    return readTemplate(outdir);
  } finally {
    removeDir(outdir);
  }
}

// ---------------------------------------------------------------------------------------------
// Per construct, default configuration
// ---------------------------------------------------------------------------------------------

export interface ConstructCost {
  readonly construct: string;
  readonly configuration: string;
  /** The first instance in a stack, including what it creates once per stack. */
  readonly firstResources: number;
  readonly firstBytes: number;
  /** Each further instance in the same stack (undefined: only one allowed per stack). */
  readonly nextResources?: number;
  readonly nextBytes?: number;
  /** Resource types of the first instance. */
  readonly firstTypes: string;
  readonly note?: string;
}

interface ConstructSpec {
  readonly construct: string;
  readonly configuration: string;
  /** What every stack of the measurement holds besides the constructs (e.g. the key they need). */
  readonly base: (stack: Stack) => unknown;
  readonly add: (stack: Stack, i: number, base: any) => void;
  readonly onePerStack?: boolean;
  readonly note?: string;
}

const ROLE = (stack: Stack, id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });

const SPECS: ConstructSpec[] = [
  {
    construct: 'ManagedCmk',
    configuration: 'default (`alias` only)',
    base: () => undefined,
    add: (stack, i) => new ManagedCmk(stack, `Key${i}`, { alias: `bench/key-${i}` }),
  },
  {
    construct: 'ManagedCmk',
    configuration: '1 administrator role + 1 user role (roles counted in the base)',
    base: (stack) => ({ admin: ROLE(stack, 'Admin'), user: ROLE(stack, 'User') }),
    add: (stack, i, b) => new ManagedCmk(stack, `Key${i}`, { alias: `bench/key-${i}`, administrators: [b.admin], users: [b.user] }),
  },
  {
    construct: 'kms.Key (L2, for comparison)',
    configuration: '`admins` + `grantEncryptDecrypt`, same roles',
    base: (stack) => ({ admin: ROLE(stack, 'Admin'), user: ROLE(stack, 'User') }),
    add: (stack, i) => keysL2Single(stack, i),
    note: 'plus the roles\' DefaultPolicy (first) and OverflowPolicy resources as grants accumulate; see the stack-fit table',
  },
  {
    construct: 'EnvelopeEncryptedBucket',
    configuration: 'default (own key, own access-log bucket)',
    base: () => undefined,
    add: (stack, i) => new EnvelopeEncryptedBucket(stack, `Bucket${i}`),
  },
  {
    construct: 'KeyHealthCanary',
    configuration: 'default, on an existing ManagedCmk (key counted in the base)',
    base: (stack) => new ManagedCmk(stack, 'Probed', { alias: 'bench/probed' }),
    add: (stack, i, key) => new KeyHealthCanary(stack, `Canary${i}`, { key }),
    note: 'first: + the per-stack operational key (2) and alarm topic (2)',
  },
  {
    construct: 'EncryptedSecureStringParam',
    configuration: 'generated value, on an existing ManagedCmk (key counted in the base)',
    base: (stack) => new ManagedCmk(stack, 'ParamKey', { alias: 'bench/params' }),
    add: (stack, i, key) => new EncryptedSecureStringParam(stack, `Param${i}`, { key, parameterName: `/bench/param-${i}`, value: SecureStringValue.generated() }),
    note: 'first: + the per-stack handler (function, role, policy, log group, queue + policy) and operational key (2)',
  },
  {
    construct: 'EbsDefaultEncryption',
    configuration: 'default, on an existing ManagedCmk (key counted in the base)',
    base: (stack) => new ManagedCmk(stack, 'EbsKey', { alias: 'bench/ebs' }),
    add: (stack, i, key) => new EbsDefaultEncryption(stack, `Ebs${i}`, { key }),
    onePerStack: true,
    note: 'one per stack (an account-and-Region setting); + handler and operational key',
  },
];

function keysL2Single(stack: Stack, i: number): void {
  // keysL2 creates its own roles; here the roles already exist in the base, so build one key by hand.
  const admin = stack.node.findChild('Admin') as iam.Role;
  const user = stack.node.findChild('User') as iam.Role;
  const key = new kms.Key(stack, `Key${i}`, { alias: `bench/key-${i}`, admins: [admin], enableKeyRotation: true });
  key.grantEncryptDecrypt(user);
}

function facts(spec: ConstructSpec, count: number): TemplateFacts {
  return synthFacts((stack) => {
    const base = spec.base(stack);
    for (let i = 0; i < count; i++) spec.add(stack, i, base);
  }, 0);
}

function typeList(before: TemplateFacts, after: TemplateFacts): string {
  const out: string[] = [];
  for (const [type, n] of Object.entries(after.types)) {
    const d = n - (before.types[type] ?? 0);
    if (d > 0) out.push(`${type.replace(/^AWS::/, '')}${d > 1 ? ` ×${d}` : ''}`);
  }
  return out.join(', ');
}

export function constructCosts(): ConstructCost[] {
  return SPECS.map((spec) => {
    const f0 = facts(spec, 0);
    const f1 = facts(spec, 1);
    const f2 = spec.onePerStack ? undefined : facts(spec, 2);
    return {
      construct: spec.construct,
      configuration: spec.configuration,
      firstResources: f1.resources - f0.resources,
      firstBytes: f1.fileBytes - f0.fileBytes,
      nextResources: f2 ? f2.resources - f1.resources : undefined,
      nextBytes: f2 ? f2.fileBytes - f1.fileBytes : undefined,
      firstTypes: typeList(f0, f1),
      note: spec.note,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// How many keys fit one stack
// ---------------------------------------------------------------------------------------------

export interface Fit {
  readonly label: string;
  /** The largest N whose template has ≤ 500 resources and ≤ 1 MB. */
  readonly maxKeys: number;
  readonly atMax: TemplateFacts;
  readonly atNext: TemplateFacts;
  /** Which limit N + 1 breaks. */
  readonly limitedBy: string;
  /** Syntheses the search needed. */
  readonly probes: number;
  /** With CDK's own check on (no context override): N synthesizes, N + 1 throws. */
  readonly confirmed: string;
}

function fits(f: TemplateFacts): boolean {
  return f.resources <= MAX_RESOURCES && f.fileBytes <= MAX_TEMPLATE_BYTES;
}

/**
 * The largest N for which `build(stack, N)` fits one stack. Fitting is monotone in N. The search
 * starts from a linear estimate (two probes), then steps to bracket the boundary and bisects.
 */
export function maxKeysPerStack(label: string, build: Builder): Fit {
  let probes = 0;
  const cache = new Map<number, TemplateFacts>();
  const at = (n: number) => {
    let f = cache.get(n);
    if (!f) {
      f = synthFacts(build, n);
      probes++;
      cache.set(n, f);
    }
    return f;
  };
  const f50 = at(50);
  const f100 = at(100);
  const perKeyResources = (f100.resources - f50.resources) / 50;
  const perKeyBytes = (f100.fileBytes - f50.fileBytes) / 50;
  const byResources = 100 + (MAX_RESOURCES - f100.resources) / perKeyResources;
  const byBytes = 100 + (MAX_TEMPLATE_BYTES - f100.fileBytes) / perKeyBytes;
  let estimate = Math.max(1, Math.floor(Math.min(byResources, byBytes)));

  // Bracket [lo fits, hi does not], stepping from the estimate.
  let lo: number;
  let hi: number;
  let step = 8;
  if (fits(at(estimate))) {
    lo = estimate;
    hi = estimate + step;
    while (fits(at(hi))) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
  } else {
    hi = estimate;
    lo = Math.max(0, estimate - step);
    while (lo > 0 && !fits(at(lo))) {
      hi = lo;
      step *= 2;
      lo = Math.max(0, hi - step);
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(at(mid))) lo = mid;
    else hi = mid;
  }
  estimate = lo;
  const atMax = at(lo);
  const atNext = at(lo + 1);
  const limitedBy = atNext.resources > MAX_RESOURCES ? `resources (${atNext.resources} > ${MAX_RESOURCES})` : `template size (${atNext.fileBytes} B > 1 MB)`;
  return { label, maxKeys: estimate, atMax, atNext, limitedBy, probes, confirmed: confirmWithCdk(build, estimate) };
}

/** Synthesize N and N + 1 with CDK's own stack resource limit in force. */
function confirmWithCdk(build: Builder, n: number): string {
  const ok = tryDefaultSynth(build, n);
  const next = tryDefaultSynth(build, n + 1);
  return `N=${n}: ${ok ?? 'synthesizes'}; N=${n + 1}: ${next ?? 'synthesizes'}`;
}

function tryDefaultSynth(build: Builder, n: number): string | undefined {
  const outdir = freshOutdir();
  try {
    const { app, stack } = newApp(outdir, {});
    build(stack, n);
    app.synth();
    return undefined;
  } catch (e) {
    const msg = String((e as Error).message ?? e);
    const m = msg.match(/Number of resources in stack '[^']+': (\d+) is greater than allowed maximum of (\d+)/);
    if (m) return `CDK refuses (${m[1]} resources > ${m[2]})`;
    const validation = msg.split('\n').filter((l) => /^\s*\[/.test(l)).map((l) => l.trim().replace(/^\[[^\]]+\]\s*/, ''));
    return validation.length ? `validation fails: ${validation.join(' / ').slice(0, 400)}` : `fails: ${msg.split('\n')[0].slice(0, 200)}`;
  } finally {
    removeDir(outdir);
  }
}

export const FIT_VARIANTS: Array<{ label: string; build: Builder }> = [
  { label: 'ManagedCmk, 1 admin role + 1 user role (shared)', build: keysManagedCmk },
  { label: 'L2 kms.Key, admins + grantEncryptDecrypt (same roles)', build: keysL2 },
  { label: 'CfnKey + CfnAlias, same policy (same roles)', build: keysRaw },
];

/** The L2's template at given key counts, to check the figures quoted in the issue. */
export function l2At(ns: number[]): Array<{ n: number; facts: TemplateFacts }> {
  return ns.map((n) => ({ n, facts: synthFacts(keysL2, n) }));
}

// ---------------------------------------------------------------------------------------------
// How many EncryptedSecureStringParams fit one stack
// ---------------------------------------------------------------------------------------------

export interface ParamFit {
  /** The largest N that synthesizes (CDK validation included) with N parameters under one key. */
  readonly maxParams: number;
  /** Why N + 1 does not. */
  readonly next: string;
  readonly probes: number;
}

/** The largest N for which N parameters under one shared key synthesize without a validation error. */
export function maxParamsPerStack(build: Builder): ParamFit {
  let probes = 0;
  const errors = new Map<number, string | undefined>();
  const failure = (n: number) => {
    if (!errors.has(n)) {
      probes++;
      errors.set(n, tryDefaultSynth(build, n));
    }
    return errors.get(n);
  };
  let lo = 1;
  let hi = 32;
  while (failure(hi) === undefined) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (failure(mid) === undefined) lo = mid;
    else hi = mid;
  }
  return { maxParams: lo, next: failure(lo + 1) ?? 'synthesizes', probes };
}

// ---------------------------------------------------------------------------------------------
// One canary, many keys
// ---------------------------------------------------------------------------------------------

/** The key counts of the one-canary table. 101 is the most one canary's environment holds. */
export const CANARY_KEY_COUNTS = [1, 2, 10, 45, 46, 101];

export interface CanaryKeysCost {
  readonly keys: number;
  /** Resources and bytes that one KeyHealthCanary probing every key adds to a stack of the keys. */
  readonly oneCanaryResources: number;
  readonly oneCanaryBytes: number;
  /** The same, with one KeyHealthCanary per key (the only way before). */
  readonly separateResources: number;
  readonly separateBytes: number;
  /** The whole stack with one canary: keys + canary. */
  readonly stackResources: number;
}

function canaryKeys(stack: Stack, n: number): ManagedCmk[] {
  return Array.from({ length: n }, (_, i) => new ManagedCmk(stack, `Key${i}`, { alias: `bench/canary-key-${i}` }));
}

/**
 * Measured by synthesizing three stacks per count: the keys alone, the keys and one canary that
 * probes them all (`keys`), and the keys with a canary each.
 */
export function canaryKeyCosts(counts: number[] = CANARY_KEY_COUNTS): CanaryKeysCost[] {
  return counts.map((n) => {
    const base = synthFacts((stack) => canaryKeys(stack, n), 0);
    const one = synthFacts((stack) => {
      const keys = canaryKeys(stack, n);
      new KeyHealthCanary(stack, 'Canary', { key: keys[0], keys: keys.slice(1).map((key) => ({ key })) });
    }, 0);
    const separate = synthFacts((stack) => canaryKeys(stack, n).forEach((key, i) => new KeyHealthCanary(stack, `Canary${i}`, { key })), 0);
    return {
      keys: n,
      oneCanaryResources: one.resources - base.resources,
      oneCanaryBytes: one.fileBytes - base.fileBytes,
      separateResources: separate.resources - base.resources,
      separateBytes: separate.fileBytes - base.fileBytes,
      stackResources: one.resources,
    };
  });
}
