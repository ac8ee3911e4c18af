/**
 * Validation cost: `KmsGovernanceChecks` as CDK runs it (a validation plugin, reading the
 * templates synthesis wrote) and as tests run it (`validateScope`, rendering from the tree),
 * against cdk-nag's `AwsSolutionsChecks().validateScope(app)` on the same app, and as a fraction of
 * the app's construct + synth time, all in the same rounds.
 *
 *   npx ts-node --transpile-only bench/validation.ts [rounds] [resources...]   # this section alone, for trying changes out
 */
import { IPolicyValidationContext, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NO_RESOURCE_LIMIT, newApp } from './apps';
import { freshOutdir, removeDir } from './harness';
import { Sample, measure } from './synth-timing';
import { EnvelopeEncryptedBucket } from '../src/envelope-encrypted-bucket';
import { ManagedCmk } from '../src/managed-cmk';
import { KmsGovernanceChecks } from '../src/nag/kms-governance-checks';

export const VALIDATION_KEYS = 100;
export const VALIDATION_BUCKETS = 10;

/** The resources of `validationApp` besides the keys: two roles and 10 buckets of 6 resources. */
const FIXED_RESOURCES = 2 + VALIDATION_BUCKETS * 6;

/** The number of keys (2 resources each) that makes `validationApp` hold `resources` resources. */
export function keysForResources(resources: number): number {
  return Math.round((resources - FIXED_RESOURCES) / 2);
}

/** `keys` keys with an administrator and a user, and 10 buckets (100 keys: 262 resources). */
export function validationApp(stack: Stack, keys = VALIDATION_KEYS): void {
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  for (let i = 0; i < keys; i++) new ManagedCmk(stack, `Key${i}`, { alias: `bench/key-${i}`, administrators: [admin], users: [user] });
  for (let i = 0; i < VALIDATION_BUCKETS; i++) new EnvelopeEncryptedBucket(stack, `Bucket${i}`);
}

export interface PackTiming {
  readonly pack: string;
  readonly samples: Sample[];
  /** Findings (violating resources, all rules) of the last run, to show the pack did its work. */
  readonly findings: number;
  readonly rules: number;
}

export interface ValidationResult {
  readonly keys: number;
  readonly synth: Sample[];
  readonly packs: PackTiming[];
  readonly resources: number;
}

/** What one pack run needs: the synthesized app and the templates it wrote. */
interface Synthesized {
  readonly app: IConstruct;
  readonly templatePaths: string[];
}

/** The plugin-mode variant: what CDK calls at synthesis (the probe shape of aws-cdk-lib ≥ 2.258). */
export const PLUGIN = 'KmsGovernanceChecks (plugin)';
/** The tree variant: what a test calls. */
export const TREE = 'KmsGovernanceChecks (validateScope)';
export const AWS_SOLUTIONS = 'AwsSolutionsChecks';

const PACKS: Array<{ name: string; run: (s: Synthesized) => ReturnType<KmsGovernanceChecks['validateScope']> }> = [
  {
    name: PLUGIN,
    run: (s) => new KmsGovernanceChecks().validate({ templatePaths: s.templatePaths, appConstruct: s.app } as IPolicyValidationContext),
  },
  { name: TREE, run: (s) => new KmsGovernanceChecks().validateScope(s.app) },
  { name: AWS_SOLUTIONS, run: (s) => new AwsSolutionsChecks().validateScope(s.app) },
];

/**
 * Each round: build and synthesize a fresh app (timed: the synth baseline), then run each pack
 * once on that same app (timed), the pack order rotating between rounds. One untimed warm-up
 * round first.
 */
export function timeValidation(rounds: number, keys = VALIDATION_KEYS): ValidationResult {
  const synth: Sample[] = [];
  const packSamples: Record<string, Sample[]> = Object.fromEntries(PACKS.map((p) => [p.name, []]));
  const last: Record<string, { findings: number; rules: number }> = {};
  let resources = 0;
  for (let round = -1; round < rounds; round++) {
    const outdir = freshOutdir();
    let synthesized: Synthesized | undefined;
    const s = measure(() => {
      // Path metadata on, as the CDK CLI runs every app: the plugin finds resources by it.
      const built = newApp(outdir, { ...NO_RESOURCE_LIMIT, 'aws:cdk:enable-path-metadata': true });
      validationApp(built.stack, keys);
      const assembly = built.app.synth();
      resources = Object.keys(assembly.stacks[0].template.Resources ?? {}).length;
      synthesized = { app: built.app, templatePaths: assembly.stacks.map((st) => st.templateFullPath) };
    });
    const start = ((round % PACKS.length) + PACKS.length) % PACKS.length;
    const order = [...PACKS.slice(start), ...PACKS.slice(0, start)];
    for (const p of order) {
      let out = { findings: 0, rules: 0 };
      const t = measure(() => {
        const report = p.run(synthesized!);
        out = { findings: report.violations.reduce((n, v) => n + v.violatingResources.length, 0), rules: report.violations.length };
      });
      if (round >= 0) packSamples[p.name].push(t);
      last[p.name] = out;
    }
    if (round >= 0) synth.push(s);
    removeDir(outdir);
  }
  return {
    keys,
    synth,
    resources,
    packs: PACKS.map((p) => ({ pack: p.name, samples: packSamples[p.name], ...last[p.name] })),
  };
}

/** The median over rounds of (pack CPU time ÷ that round's synth CPU time). */
export function shareOfSynth(v: ValidationResult, pack: string): number {
  const samples = v.packs.find((p) => p.pack === pack)!.samples;
  const ratios = samples.map((s, i) => s.cpu / v.synth[i].cpu).sort((a, b) => a - b);
  const mid = Math.floor(ratios.length / 2);
  return ratios.length % 2 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
}

if (require.main === module) {
  const [roundsArg, ...sizes] = process.argv.slice(2);
  const rounds = Number(roundsArg ?? 3);
  for (const resources of (sizes.length ? sizes : ['262', '2000']).map(Number)) {
    const v = timeValidation(rounds, keysForResources(resources));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const cells = v.packs.map((p) => {
      const cpu = med(p.samples.map((x) => x.cpu));
      return `${p.pack} ${(100 * shareOfSynth(v, p.pack)).toFixed(1)}% (${cpu.toFixed(0)} ms, ${((1000 * cpu) / v.resources).toFixed(0)} µs/resource, ${p.findings} findings)`;
    });
    process.stdout.write(`${v.resources} resources (${v.keys} keys), synth ${med(v.synth.map((x) => x.cpu)).toFixed(0)} ms: ${cells.join(' · ')}\n`);
  }
}
