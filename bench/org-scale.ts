/**
 * The scale model of the organization baseline: `npx ts-node --transpile-only bench/org-scale.ts`
 * (run `npx projen bundle` first). No AWS: the template facts are measured from the synthesized
 * KmsGovernanceBaseline; rollout time and cost follow from the stack set's operation preferences,
 * the StackSets quotas and the KMS price list (sources below, in SOURCES). Writes the section
 * between the org-scale markers of bench/results.md (bench/run.ts keeps it) and prints it.
 *
 * Options: `--instance-minutes=<n>` the assumed time one stack instance takes to create (default
 * 3), `--write=false` print only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { KmsGovernanceBaseline, KmsGovernanceBaselineProps, KmsGovernanceStackSet } from '../src';

const REPO_ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(REPO_ROOT, 'bench', 'results.md');
export const START = '<!-- org-scale:start -->';
export const END = '<!-- org-scale:end -->';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const INSTANCE_MINUTES = Number(arg('instance-minutes') ?? 3);
const WRITE = arg('write') !== 'false';

const ACCOUNTS = [10, 100, 1000];
const REGIONS = [1, 4, 17];

/** The published facts the model uses, with where they come from. */
const SOURCES = {
  keyMonth: { value: 1.0, source: 'https://aws.amazon.com/kms/pricing/ ("Each AWS KMS key that you create in KMS costs $1/month")' },
  rotationMonth: { value: 1.0, source: 'https://aws.amazon.com/kms/pricing/ ("each newly generated backing key costs an additional $1/month")' },
  requestsPer10k: { value: 0.03, source: 'https://aws.amazon.com/kms/pricing/ (symmetric requests, $0.03 per 10,000)' },
  freeRequests: { value: 20_000, source: 'https://aws.amazon.com/kms/pricing/ (free tier: 20,000 requests/month, across all Regions)' },
  instancesPerStackSet: {
    value: 2_000,
    source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html (stack instances per stack set; value as in the user guide source archived in Dec 2023, adjustable: check Service Quotas)',
  },
  concurrentInstanceOps: {
    value: 3_500,
    source: 'same page (stack instance operations per Region at the same time, per administrator account; archived value)',
  },
  strictMode: {
    source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationPreferences.html ' +
      '(STRICT_FAILURE_TOLERANCE: initial concurrency = the lower of the maximum concurrent accounts and the failure tolerance + 1; percentages round down; ' +
      'preferences do not apply to automatic deployment)',
  },
};

/**
 * KMS requests of one symmetric-key canary run (src/key-health-canary.lambda.ts): DescribeKey,
 * GenerateDataKey, Decrypt, Encrypt, Decrypt, Decrypt (wrong context).
 */
const CANARY_REQUESTS_PER_RUN = 6;
const CANARY_RUNS_PER_MONTH = (30 * 24 * 60) / 5; // KeyHealthCanary's default interval: 5 minutes

interface Measured {
  readonly resources: number;
  readonly keys: number;
  readonly functions: number;
  readonly bytes: number;
  readonly types: Record<string, number>;
  readonly preferences: {
    maxConcurrentPercentage: number;
    failureTolerancePercentage: number;
    concurrencyMode: string;
    regionConcurrencyType: string;
  };
}

/** Synthesize the default baseline and its stack set, and measure the template. */
export function measure(props: KmsGovernanceBaselineProps = {}): Measured {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmsgov-org-scale-'));
  try {
    const app = new App({ outdir });
    const management = new Stack(app, 'Management', { env: { account: '111111111111', region: 'us-east-1' } });
    const baseline = new KmsGovernanceBaseline(management, 'Baseline', { securityAccountId: '222222222222', ...props });
    const stackSet = new KmsGovernanceStackSet(management, 'StackSet', { baseline, organizationalUnitIds: ['r-ab12'], regions: ['us-east-1'] });
    const assembly = app.synth();
    const body = fs.readFileSync(path.join(assembly.directory, baseline.templateFile), 'utf-8');
    const resources = Object.values<any>(JSON.parse(body).Resources);
    const types: Record<string, number> = {};
    for (const r of resources) types[r.Type] = (types[r.Type] ?? 0) + 1;
    const prefs = management.resolve(stackSet.cfnStackSet.operationPreferences);
    return {
      resources: resources.length,
      keys: types['AWS::KMS::Key'] ?? 0,
      functions: types['AWS::Lambda::Function'] ?? 0,
      bytes: Buffer.byteLength(body),
      types,
      preferences: {
        maxConcurrentPercentage: prefs.maxConcurrentPercentage,
        failureTolerancePercentage: prefs.failureTolerancePercentage,
        concurrencyMode: prefs.concurrencyMode,
        regionConcurrencyType: prefs.regionConcurrencyType,
      },
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Accounts deployed at the same time in one Region, under the stack set's preferences. */
export function concurrency(accounts: number, p: Measured['preferences']): number {
  const max = Math.max(1, Math.floor((accounts * p.maxConcurrentPercentage) / 100));
  const tolerance = Math.floor((accounts * p.failureTolerancePercentage) / 100);
  const strict = p.concurrencyMode === 'STRICT_FAILURE_TOLERANCE' ? tolerance + 1 : Infinity;
  return Math.min(max, strict, SOURCES.concurrentInstanceOps.value);
}

export interface Row {
  readonly accounts: number;
  readonly regions: number;
  readonly instances: number;
  readonly resources: number;
  readonly keys: number;
  readonly concurrent: number;
  readonly batchesPerRegion: number;
  readonly rolloutMinutes: number;
  readonly parallelMinutes: number;
  readonly stackSets: number;
  readonly keysMonth: number;
  readonly keysMonthAfterRotation: number;
  readonly canaryRequestsMonth: number;
  readonly canaryMonth: number;
}

export function model(m: Measured, accounts: number, regions: number): Row {
  const instances = accounts * regions;
  const concurrent = concurrency(accounts, m.preferences);
  const batchesPerRegion = Math.ceil(accounts / concurrent);
  const regionMinutes = batchesPerRegion * INSTANCE_MINUTES;
  const keys = instances * m.keys;
  // The canary watches the EBS key of each account and Region; the free tier is per account, across Regions.
  const perAccountRequests = regions * CANARY_RUNS_PER_MONTH * CANARY_REQUESTS_PER_RUN;
  const billable = Math.max(0, perAccountRequests - SOURCES.freeRequests.value) * accounts;
  return {
    accounts,
    regions,
    instances,
    resources: instances * m.resources,
    keys,
    concurrent,
    batchesPerRegion,
    rolloutMinutes: regions * regionMinutes,
    parallelMinutes: regionMinutes,
    stackSets: Math.ceil(instances / SOURCES.instancesPerStackSet.value),
    keysMonth: keys * SOURCES.keyMonth.value,
    keysMonthAfterRotation: keys * (SOURCES.keyMonth.value + SOURCES.rotationMonth.value),
    canaryRequestsMonth: perAccountRequests * accounts,
    canaryMonth: (billable / 10_000) * SOURCES.requestsPer10k.value,
  };
}

const n = (x: number) => x.toLocaleString('en-US');
const usd = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const duration = (minutes: number) => (minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`);

export function render(m: Measured, withCanary: Measured, rows: Row[]): string {
  const p = m.preferences;
  const lines = [
    START,
    '## Organization scale (KmsGovernanceBaseline through StackSets)',
    '',
    `Generated by \`bench/org-scale.ts\` on ${new Date().toISOString().slice(0, 10)}. A model, not a measurement of AWS: the template facts are`,
    'measured from the synthesized default baseline; the rest is arithmetic over the stack set\'s operation preferences, the',
    'StackSets quotas and the KMS price list (sources below).',
    '',
    `**Per stack instance (measured):** ${m.resources} resources (${Object.entries(m.types).map(([t, c]) => `${c} ${t.replace('AWS::', '')}`).join(', ')}),`,
    `${m.keys} KMS keys (the EBS key and the stack's operational key for the handler's logs and dead-letter queue), ${m.functions} Lambda function (inline code),`,
    `template ${n(m.bytes)} bytes (${((100 * m.bytes) / 1_000_000).toFixed(1)} % of the 1 MB TemplateURL limit). The template is the same for every instance and is stored once.`,
    '',
    `**Rollout (model):** preferences MaxConcurrentPercentage ${p.maxConcurrentPercentage}, FailureTolerancePercentage ${p.failureTolerancePercentage},`,
    `${p.concurrencyMode}, ${p.regionConcurrencyType}. Accounts at once per Region = min(⌊accounts × ${p.maxConcurrentPercentage} %⌋ (at least 1),`,
    `⌊accounts × ${p.failureTolerancePercentage} %⌋ + 1, ${n(SOURCES.concurrentInstanceOps.value)}); batches run one after the other, each taking the assumed`,
    `**${INSTANCE_MINUTES} minutes** per stack instance (an assumption: key, alias, roles, function and the EBS custom resource; re-run with`,
    '`--instance-minutes=<n>` after timing one instance on a real account). Sequential Regions add up; `RegionConcurrency.PARALLEL` takes one Region\'s time.',
    'An account that joins later is deployed by automatic deployment, which ignores these preferences: one instance time per Region at most.',
    '',
    '**Cost (model):** KMS keys at $1/month each, another $1/month per key after its first automatic rotation (a year). Requests: the baseline makes',
    'none at rest (EBS calls depend on the workload and are not modelled); the column "with a canary" adds the baseline\'s',
    `\`ebsKeyHealthCanary\` on every EBS key (an instance is then ${withCanary.resources} resources, ${withCanary.functions} functions, ${n(withCanary.bytes)} bytes of template;`,
    `every 5 minutes, ${CANARY_REQUESTS_PER_RUN} requests a run: ${n(CANARY_RUNS_PER_MONTH * CANARY_REQUESTS_PER_RUN)} requests per key and month), less the free 20,000 per account.`,
    '',
    '| Accounts × Regions | Stack instances | Resources | KMS keys | Accounts at once | Rollout (sequential / parallel Regions) | Stack sets needed (2,000 instances each) | Keys $/month (after 1st rotation) | With a canary: requests/month, $ |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${n(r.accounts)} × ${r.regions} | ${n(r.instances)} | ${n(r.resources)} | ${n(r.keys)} | ${r.concurrent} (${r.batchesPerRegion} batches) | ` +
        `${duration(r.rolloutMinutes)} / ${duration(r.parallelMinutes)} | ${r.stackSets}${r.stackSets > 1 ? ' ⚠️ quota' : ''} | ` +
        `${usd(r.keysMonth)} (${usd(r.keysMonthAfterRotation)}) | ${n(r.canaryRequestsMonth)}, ${usd(r.canaryMonth)} |`,
    );
  }
  lines.push(
    '',
    '**What follows.** The strict failure tolerance, not the 25 % maximum, sets the pace: with 10 % tolerance at most a tenth of the accounts',
    '(plus one) deploy at once, so a Region always takes about ten batches however large the organization; at 17 Regions one after the other',
    'that is the longest rollout. Raising `failureTolerancePercentage` or choosing `FailureToleranceMode.SOFT` shortens it and lets more accounts',
    'fail before the operation stops. Past 2,000 instances (1,000 accounts in 4 or more Regions) one stack set exceeds the documented default',
    'quota: ask for an increase, or split the OUs across stack sets (each OU and Region in one stack set only, which the library checks).',
    'Keys dominate the cost; the operational key doubles it, which is the price of keeping the handler\'s logs and dead letters under a key of their own.',
    '',
    'Sources:',
    '',
    ...Object.values(SOURCES).map((s) => `- ${s.source}`),
    END,
  );
  return lines.join('\n');
}

/** Put the section into results.md (replacing an earlier one), or at its end. */
export function insertSection(text: string, section: string): string {
  const i = text.indexOf(START);
  const j = text.indexOf(END);
  if (i >= 0 && j > i) return `${text.slice(0, i)}${section}${text.slice(j + END.length)}`;
  return `${text.trimEnd()}\n\n${section}\n`;
}

function main(): void {
  const m = measure();
  const rows = ACCOUNTS.flatMap((a) => REGIONS.map((r) => model(m, a, r)));
  const section = render(m, measure({ ebsKeyHealthCanary: true }), rows);
  process.stdout.write(`${section}\n`);
  if (WRITE) {
    fs.writeFileSync(RESULTS, insertSection(fs.readFileSync(RESULTS, 'utf-8'), section));
    process.stderr.write(`wrote the org-scale section of ${path.relative(REPO_ROOT, RESULTS)}\n`);
  }
}

if (require.main === module) main();
