/**
 * Shared helpers for the benchmarks: statistics, garbage collection between samples, temporary
 * output directories, the machine description and Markdown tables.
 *
 * Every timing in bench/ is reported as a ratio against a baseline measured in the same run, never
 * as an absolute threshold: absolute milliseconds depend on the machine.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';

// ---------------------------------------------------------------------------------------------
// Garbage collection between samples
// ---------------------------------------------------------------------------------------------

let gcFn: (() => void) | undefined;

/**
 * Run a full garbage collection, so that the garbage of one sample is not collected (and charged)
 * during the next. `--expose-gc` is set at run time, so `ts-node bench/run.ts` needs no node flag.
 */
export function collectGarbage(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
}

/** The 1-, 5- and 15-minute load averages: how busy the machine was. */
export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' / ');
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly q1: number;
  readonly q3: number;
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), min: s[0], max: s[s.length - 1], q1: quantile(s, 0.25), q3: quantile(s, 0.75) };
}

export function median(samples: number[]): number {
  return summarize(samples).median;
}

/**
 * The ratio of two medians, with a spread: the median of the per-round ratios and their min–max.
 * Samples of both variants are taken in the same rounds (interleaved), so round i of `a` and round
 * i of `b` ran under the same machine conditions.
 */
export interface RatioSummary {
  readonly ofMedians: number;
  readonly perRound: Summary;
}

export function ratio(a: number[], b: number[]): RatioSummary {
  const rounds = Math.min(a.length, b.length);
  const per = Array.from({ length: rounds }, (_, i) => a[i] / b[i]);
  return { ofMedians: median(a) / median(b), perRound: summarize(per) };
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

export function ms(v: number, digits = 0): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v < 10 && digits === 0 ? v.toFixed(1) : v.toFixed(digits);
}

export function x(v: number, digits = 2): string {
  return Number.isFinite(v) ? `${v.toFixed(digits)}×` : 'n/a';
}

/** "median (min–max)". */
export function spread(s: Summary, digits = 0): string {
  return `${ms(s.median, digits)} (${ms(s.min, digits)}–${ms(s.max, digits)})`;
}

/** "median [q1–q3]". */
export function iqr(s: Summary, digits = 0): string {
  return `${ms(s.median, digits)} [${ms(s.q1, digits)}–${ms(s.q3, digits)}]`;
}

export function ratioText(r: RatioSummary): string {
  return `${x(r.ofMedians)} (rounds ${r.perRound.min.toFixed(2)}–${r.perRound.max.toFixed(2)})`;
}

export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 10 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n.toLocaleString('en-US')} B`;
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export type Verdict = 'met' | 'missed' | 'not measured';

export interface Target {
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
}

// ---------------------------------------------------------------------------------------------
// Output directories and templates
// ---------------------------------------------------------------------------------------------

const TMP_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'kmsgov-bench-'));
let tmpCounter = 0;

/** A fresh, empty directory for one synthesis. */
export function freshOutdir(): string {
  const dir = path.join(TMP_ROOT, `app-${tmpCounter++}`);
  fs.mkdirSync(dir);
  return dir;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function cleanupTmp(): void {
  removeDir(TMP_ROOT);
}

export function tmpRoot(): string {
  return TMP_ROOT;
}

// ---------------------------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------------------------

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memory: string;
  readonly node: string;
  readonly os: string;
  readonly awsCdkLib: string;
  readonly cdkNag: string;
}

export function describeMachine(repoRoot: string): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const m = info.match(/^model name\s*:\s*(.+)$/m);
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  let osName = `${os.type()} ${os.release()}`;
  try {
    const rel = fs.readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]+)"?$/m);
    if (rel) osName = `${rel[1]} (kernel ${os.release()})`;
  } catch {
    // keep os.type()
  }
  const version = (pkg: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;
    } catch {
      return 'unknown';
    }
  };
  return {
    cpu,
    cores: os.cpus().length,
    memory: `${Math.round(os.totalmem() / 1024 / 1024 / 1024)} GiB`,
    node: process.version,
    os: osName,
    awsCdkLib: version('aws-cdk-lib'),
    cdkNag: version('cdk-nag'),
  };
}

/** The current git commit and whether the working tree has changes, for the record. */
export function gitState(repoRoot: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot, encoding: 'utf8' }).trim().length > 0;
    return `${sha}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}
