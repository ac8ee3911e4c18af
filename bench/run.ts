/**
 * The benchmark run: `npx ts-node --transpile-only bench/run.ts` (run `npx projen bundle` first).
 * Writes bench/results.md and prints the same to stdout.
 *
 * Options: `--quick` (fewer rounds, for trying changes out: its numbers are not for the record),
 * `--no-local-aws` (skip the canary run against the local AWS).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as A from './apps';
import * as E from './economy';
import * as H from './handlers';
import { cleanupTmp, describeMachine, gitState, loadAverage } from './harness';
import { END as ORG_SCALE_END, START as ORG_SCALE_START, insertSection } from './org-scale';
import { profileSynth, summarizeProfile } from './profile';
import { Report, RunData, canaryKeysSection } from './report';
import { Sample, timeGroup, timePhases, warmUp } from './synth-timing';
import { keysForResources, timeValidation } from './validation';

const QUICK = process.argv.includes('--quick');
/** Only the one-canary-many-keys table of section 3 (deterministic), printed to stdout. */
const CANARY_ECONOMY = process.argv.includes('--canary-economy');
const LOCAL_AWS = !process.argv.includes('--no-local-aws');
const RESULTS = path.join(A.REPO_ROOT, 'bench', 'results.md');

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Seconds spent per section, for the record. */
const sectionTimes: Array<[string, number]> = [];
let sectionStart = performance.now();
function endSection(name: string): void {
  const now = performance.now();
  sectionTimes.push([name, (now - sectionStart) / 1000]);
  sectionStart = now;
}

/** Like timeGroup, for arbitrary thunks: rounds of interleaved samples, starting variant rotating. */
function timeThunks(variants: Array<{ id: string; run: () => Sample }>, rounds: number): Record<string, Sample[]> {
  const out: Record<string, Sample[]> = Object.fromEntries(variants.map((v) => [v.id, [] as Sample[]]));
  for (const v of variants) v.run(); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length];
      out[v.id].push(v.run());
    }
  }
  return out;
}

function templateOf(build: A.Builder, n: number): A.TemplateFacts {
  return E.synthFacts(build, n);
}

async function main(): Promise<void> {
  if (CANARY_ECONOMY) {
    process.stdout.write(`${canaryKeysSection(E.canaryKeyCosts()).text}\n`);
    cleanupTmp();
    return;
  }
  const started = new Date();
  const t0 = performance.now();
  const loadBefore = loadAverage();
  const machine = describeMachine(A.REPO_ROOT);
  const gitAtStart = gitState(A.REPO_ROOT);
  const reps = (_n: number) => (QUICK ? 3 : 7);

  // --- Equivalence: the variants really produce the same templates --------------------------
  log('equivalence of the variants…');
  const keyA = templateOf(A.keysManagedCmk, 3);
  const equivalence = {
    keysRaw: A.compareTemplates(keyA, templateOf(A.keysRaw, 3)),
    keysL2SamePolicy: A.compareTemplates(keyA, templateOf(A.keysL2SamePolicy, 3)),
    buckets: A.compareTemplates(templateOf(A.bucketsLibrary, 2), templateOf(A.bucketsHand, 2)),
    params: A.compareTemplates(templateOf(A.paramsLibrary, 2), templateOf(A.paramsHand, 2)),
  };
  const l2At100 = templateOf(A.keysL2, 100);
  const managedAt100 = templateOf(A.keysManagedCmk, 100);
  endSection('equivalence checks');

  // --- 1. Synth scaling ----------------------------------------------------------------------
  log('warm-up…');
  warmUp(A.KEY_VARIANTS, 100, QUICK ? 1 : 2);
  log('keys: N = 0, 1, 10, 100, 240…');
  const keys = timeGroup([0, 1, 10, 100, 240], A.KEY_VARIANTS, { reps, log });
  endSection('1. keys');

  log('buckets…');
  const bucketVariants: A.Variant[] = [
    { id: 'lib', label: 'EnvelopeEncryptedBucket', build: A.bucketsLibrary },
    { id: 'hand', label: 'hand-built (L2 key with the policy written out, 2 × s3.Bucket, same statements)', build: A.bucketsHand },
  ];
  const buckets = timeGroup([0, 1, 10, 50], bucketVariants, { reps, log });
  endSection('1. buckets');

  log('parameters…');
  const paramVariants: A.Variant[] = [
    { id: 'lib', label: 'EncryptedSecureStringParam', build: A.paramsLibrary },
    { id: 'hand', label: 'hand-built (CustomResource + one lambda.Function, same policies)', build: A.paramsHand },
  ];
  const params = timeGroup([0, 1, 10, 50], paramVariants, { reps, log });
  endSection('1. parameters');

  // --- 2. Validation cost --------------------------------------------------------------------
  log('validation (100 keys + 10 buckets)…');
  const validation = timeValidation(QUICK ? 3 : 7, 100);
  log('validation (2,000 resources)…');
  const validationLarge = timeValidation(QUICK ? 1 : 3, keysForResources(2000));
  endSection('2. validation');

  // --- 3. Template economy -------------------------------------------------------------------
  log('template economy…');
  const costs = E.constructCosts();
  const fits = E.FIT_VARIANTS.map((v) => E.maxKeysPerStack(v.label, v.build));
  const paramFit = E.maxParamsPerStack(A.paramsLibrary);
  const l2Checks = E.l2At([240, 400]);
  const canaryKeys = E.canaryKeyCosts();
  endSection('3. template economy');

  // --- 4. Handlers ---------------------------------------------------------------------------
  log('handler bundles and cold require…');
  const bundles = H.bundles();
  const requires = bundles.found.length ? H.coldRequire(bundles.found, QUICK ? 4 : 12) : [];
  endSection('4. bundles and cold require');
  let canary: Awaited<ReturnType<typeof H.countCanaryKmsCalls>> | { error: string } = { error: 'skipped (--no-local-aws)' };
  if (LOCAL_AWS) {
    log('canary against the local AWS…');
    try {
      canary = bundles.found.some((b) => b.name === 'key-health-canary.lambda')
        ? await H.countCanaryKmsCalls()
        : { error: 'assets/key-health-canary.lambda/index.js is missing: run `npx projen bundle`' };
    } catch (e) {
      canary = { error: String((e as Error).message ?? e).split('\n')[0] };
    }
  }

  endSection('4. canary on the local AWS');

  // --- 5. Profile and experiments --------------------------------------------------------------
  log('profile of 240 ManagedCmk keys…');
  const profile = summarizeProfile(await profileSynth(A.keysManagedCmk, 240, QUICK ? 1 : 3), QUICK ? 1 : 3);
  endSection('5. profile');

  log('same template: ManagedCmk against the L2 and the floor…');
  // At N = 100, the targets' N: (a), the L2 (b), the L2 emitting ManagedCmk's template (b'), the
  // floor (c) and the floor with the policy as an iam.PolicyDocument (c+doc), in the same rounds.
  const sameTemplate = timeThunks([
    { id: 'a', run: () => timePhases(A.keysManagedCmk, 100) },
    { id: 'b', run: () => timePhases(A.keysL2, 100) },
    { id: "b'", run: () => timePhases(A.keysL2SamePolicy, 100) },
    { id: 'c', run: () => timePhases(A.keysRaw, 100) },
    { id: 'c+doc', run: () => timePhases(A.keysRawPolicyDocument, 100) },
  ], QUICK ? 3 : 11);
  endSection('6. same template');

  const finished = new Date();
  const data: RunData = {
    quick: QUICK,
    started,
    finished,
    seconds: (performance.now() - t0) / 1000,
    command: `npx ts-node --transpile-only bench/run.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    machine,
    git: gitAtStart,
    gitAtEnd: gitState(A.REPO_ROOT) === gitAtStart ? undefined : gitState(A.REPO_ROOT),
    loadBefore,
    loadAfter: loadAverage(),
    equivalence,
    l2At100,
    managedAt100,
    keys,
    buckets,
    params,
    validation,
    validationLarge,
    costs,
    fits,
    paramFit,
    l2Checks,
    canaryKeys,
    bundles,
    requires,
    canary,
    profile,
    sameTemplate,
    sections: sectionTimes,
  };
  const report = new Report(data);
  const markdown = report.render();
  fs.writeFileSync(RESULTS, keepOrgScale(markdown));
  updateReadme(report.readmeSummary());
  process.stdout.write(markdown);
  log(`\nwrote ${path.relative(A.REPO_ROOT, RESULTS)} in ${data.seconds.toFixed(0)} s`);
}

/** Carry the section that bench/org-scale.ts writes over into the new results. */
function keepOrgScale(markdown: string): string {
  const previous = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : '';
  const i = previous.indexOf(ORG_SCALE_START);
  const j = previous.indexOf(ORG_SCALE_END);
  return i >= 0 && j > i ? insertSection(markdown, previous.slice(i, j + ORG_SCALE_END.length)) : markdown;
}

/** Replace the README's Performance summary (between the bench markers) with this run's. */
function updateReadme(summary: string): void {
  const readme = path.join(A.REPO_ROOT, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const start = '<!-- bench:summary:start -->';
  const end = '<!-- bench:summary:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    log('README.md has no bench summary markers; left unchanged');
    return;
  }
  fs.writeFileSync(readme, `${text.slice(0, i + start.length)}\n${summary}\n${text.slice(j)}`);
  log('updated the Performance summary in README.md');
}

main()
  .catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupTmp());

