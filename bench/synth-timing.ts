/**
 * Synthesis timing: construct + `app.synth()` to a temporary directory, for several variants that
 * produce the same resources, interleaved in one run so that every ratio compares samples taken
 * under the same machine conditions.
 */
import { Builder, NO_RESOURCE_LIMIT, Variant, newApp } from './apps';
import { collectGarbage, freshOutdir, removeDir } from './harness';

export const cpuOf = (s: Sample[]): number[] => s.map((v) => v.cpu);
export const wallOf = (s: Sample[]): number[] => s.map((v) => v.wall);

/** One sample: wall-clock and CPU milliseconds. */
export interface Sample {
  readonly wall: number;
  /** User + system CPU time of this process (all its threads, garbage collector included). */
  readonly cpu: number;
  /** CPU time of the construction phase (new App … build), when measured separately. */
  readonly constructCpu?: number;
  /** CPU time of `app.synth()`, when measured separately. */
  readonly synthCpu?: number;
}

/**
 * Measure `fn` in wall-clock and process CPU time, after a full garbage collection. CPU time is the
 * primary metric: on a shared machine other processes inflate wall time, but barely CPU time.
 */
export function measure(fn: () => void): Sample {
  collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Like `timeSynth`, with the construction and `app.synth()` phases timed separately too. */
export function timePhases(build: Builder, n: number, context: Record<string, unknown> = NO_RESOURCE_LIMIT): Sample {
  const outdir = freshOutdir();
  collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { app, stack } = newApp(outdir, context);
  build(stack, n);
  const c1 = process.cpuUsage(c0);
  const c2 = process.cpuUsage();
  app.synth();
  const wall = performance.now() - t0;
  const c3 = process.cpuUsage(c2);
  removeDir(outdir);
  const constructCpu = (c1.user + c1.system) / 1000;
  const synthCpu = (c3.user + c3.system) / 1000;
  return { wall, cpu: constructCpu + synthCpu, constructCpu, synthCpu };
}

/** Construct and synthesize one app. The output directory is removed after. */
export function timeSynth(build: Builder, n: number, context: Record<string, unknown> = NO_RESOURCE_LIMIT): Sample {
  const outdir = freshOutdir();
  const sample = measure(() => {
    const { app, stack } = newApp(outdir, context);
    build(stack, n);
    app.synth();
  });
  removeDir(outdir);
  return sample;
}

export interface GroupResult {
  readonly ns: number[];
  readonly variants: Variant[];
  /** samples[n][variantId] = one sample per round, in round order. */
  readonly samples: Record<number, Record<string, Sample[]>>;
  readonly reps: Record<number, number>;
}

export interface GroupOptions {
  /** Timed rounds per N (after one untimed warm-up round). */
  readonly reps: (n: number) => number;
  readonly log?: (line: string) => void;
}

/**
 * Time every variant at every N. For each N: one untimed warm-up round, then `reps(n)` rounds; in
 * each round every variant runs once, and the starting variant rotates from round to round (a, b, c;
 * b, c, a; …) so that no variant always follows the same one. A full garbage collection precedes
 * every sample.
 */
export function timeGroup(ns: number[], variants: Variant[], options: GroupOptions): GroupResult {
  const samples: Record<number, Record<string, Sample[]>> = {};
  const reps: Record<number, number> = {};
  for (const n of ns) {
    samples[n] = Object.fromEntries(variants.map((v) => [v.id, [] as Sample[]]));
    reps[n] = options.reps(n);
    for (const v of variants) timeSynth(v.build, n); // warm-up round
    for (let round = 0; round < reps[n]; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(round + k) % variants.length];
        samples[n][v.id].push(timeSynth(v.build, n));
      }
    }
    options.log?.(`  N=${n}: ${variants.map((v) => `${v.id} ${median(samples[n][v.id].map((s) => s.cpu)).toFixed(0)} ms`).join(', ')} (CPU, medians)`);
  }
  return { ns, variants, samples, reps };
}

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  const m = (s.length - 1) / 2;
  return (s[Math.floor(m)] + s[Math.ceil(m)]) / 2;
}

/** Warm the JIT and the module cache: the first syntheses of a process are several times slower. */
export function warmUp(variants: Variant[], n: number, rounds: number): void {
  for (let r = 0; r < rounds; r++) for (const v of variants) timeSynth(v.build, n);
}
