/**
 * A CPU profile of synthesis, taken in-process with the V8 inspector (the same data as
 * `node --cpu-prof`), summarized by function: where does ManagedCmk spend the time that the floor
 * (CfnKey + CfnAlias with the same policy) does not?
 *
 * Run alone: `npx ts-node --transpile-only bench/profile.ts [keys] [rounds]`; it also writes
 * the raw profile to the temporary directory, for Chrome DevTools or speedscope.
 */
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as os from 'os';
import * as path from 'path';
import { Builder, REPO_ROOT, keysManagedCmk } from './apps';
import { timeSynth } from './synth-timing';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function post<T>(session: inspector.Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

/** Profile `rounds` syntheses of `build(stack, n)`. */
export async function profileSynth(build: Builder, n: number, rounds: number): Promise<CpuProfile> {
  const session = new inspector.Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
    for (let i = 0; i < rounds; i++) timeSynth(build, n);
    const { profile } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
    return profile;
  } finally {
    session.disconnect();
  }
}

export interface FunctionCost {
  readonly label: string;
  /** Milliseconds per round. */
  readonly inclusive: number;
  readonly self: number;
}

export interface ProfileSummary {
  /** Sampled milliseconds per round. */
  readonly total: number;
  readonly functions: FunctionCost[];
}

/**
 * Inclusive and self time per function (by name and file), divided by the number of rounds.
 * Inclusive time counts a function once per sample even when it recurses.
 */
export function summarizeProfile(profile: CpuProfile, rounds: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (node: ProfileNode) => {
    const url = node.callFrame.url.replace(/^file:\/\//, '').replace(`${REPO_ROOT}/`, '').replace(/.*node_modules\//, '');
    return `${node.callFrame.functionName || '(anonymous)'} ${url}${url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
  };
  const selfById = new Map<number, number>();
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfById) {
    total += micros;
    const own = label(byId.get(id)!);
    self.set(own, (self.get(own) ?? 0) + micros);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + micros);
    }
  }
  const functions = [...inclusive.entries()].map(([l, micros]) => ({
    label: l,
    inclusive: micros / 1000 / rounds,
    self: (self.get(l) ?? 0) / 1000 / rounds,
  }));
  return { total: total / 1000 / rounds, functions };
}

/** The functions whose label matches `pattern`, most expensive (inclusive) first. */
export function topInclusive(summary: ProfileSummary, pattern: RegExp, limit: number): FunctionCost[] {
  return summary.functions.filter((f) => pattern.test(f.label)).sort((a, b) => b.inclusive - a.inclusive).slice(0, limit);
}

export function topSelf(summary: ProfileSummary, limit: number): FunctionCost[] {
  return [...summary.functions].sort((a, b) => b.self - a.self).slice(0, limit);
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 240);
  const rounds = Number(process.argv[3] ?? 5);
  void (async () => {
    for (let i = 0; i < 2; i++) timeSynth(keysManagedCmk, n); // warm-up
    const profile = await profileSynth(keysManagedCmk, n, rounds);
    const file = path.join(os.tmpdir(), `kmsgov-managed-cmk-${n}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    const summary = summarizeProfile(profile, rounds);
    console.log(`${n} ManagedCmk keys: ${summary.total.toFixed(0)} ms sampled per round; raw profile: ${file}`);
    console.log('\nInclusive ms per round, library functions:');
    for (const f of topInclusive(summary, /^\S+ src\//, 30)) console.log(`${f.inclusive.toFixed(1).padStart(8)}  ${f.label}`);
    console.log('\nSelf ms per round, all functions:');
    for (const f of topSelf(summary, 25)) console.log(`${f.self.toFixed(1).padStart(8)}  ${f.label}`);
  })();
}
