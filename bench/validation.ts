/**
 * Validation cost: `KmsGovernanceChecks().validateScope(app)` against cdk-nag's
 * `AwsSolutionsChecks().validateScope(app)` on the same app, and as a fraction of the app's
 * construct + synth time, all in the same rounds.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NO_RESOURCE_LIMIT, newApp } from './apps';
import { freshOutdir, removeDir } from './harness';
import { Sample, measure } from './synth-timing';
import { EnvelopeEncryptedBucket } from '../src/envelope-encrypted-bucket';
import { ManagedCmk } from '../src/managed-cmk';
import { KmsGovernanceChecks } from '../src/nag/kms-governance-checks';

export const VALIDATION_KEYS = 100;
export const VALIDATION_BUCKETS = 10;

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

const PACKS: Array<{ name: string; make: () => NagPack }> = [
  { name: 'KmsGovernanceChecks', make: () => new KmsGovernanceChecks() },
  { name: 'AwsSolutionsChecks', make: () => new AwsSolutionsChecks() },
];

function runPack(pack: NagPack, scope: IConstruct): { findings: number; rules: number; json: string } {
  const report = pack.validateScope(scope);
  return {
    findings: report.violations.reduce((n, v) => n + v.violatingResources.length, 0),
    rules: report.violations.length,
    json: JSON.stringify(report),
  };
}

/**
 * Each round: build and synthesize a fresh app (timed: the synth baseline), then run each pack
 * once on that same app (timed), the pack order rotating between rounds. One untimed warm-up
 * round first.
 */
export function timeValidation(rounds: number, keys = VALIDATION_KEYS): ValidationResult {
  const synth: Sample[] = [];
  const packSamples: Record<string, Sample[]> = Object.fromEntries(PACKS.map((p) => [p.name, []]));
  const last: Record<string, { findings: number; rules: number; json: string }> = {};
  let resources = 0;
  for (let round = -1; round < rounds; round++) {
    const outdir = freshOutdir();
    let app: IConstruct | undefined;
    const s = measure(() => {
      const built = newApp(outdir, NO_RESOURCE_LIMIT);
      validationApp(built.stack, keys);
      const assembly = built.app.synth();
      resources = Object.keys(assembly.stacks[0].template.Resources ?? {}).length;
      app = built.app;
    });
    const start = ((round % PACKS.length) + PACKS.length) % PACKS.length;
    const order = [...PACKS.slice(start), ...PACKS.slice(0, start)];
    for (const p of order) {
      let out = { findings: 0, rules: 0, json: '' };
      const t = measure(() => {
        out = runPack(p.make(), app!);
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
