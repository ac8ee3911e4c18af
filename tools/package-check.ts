/**
 * `npx projen test:package` (part of `npm test`): the package a user installs.
 *
 * Takes the tarball the release task built (`npx projen package:js`: jsii-pacmak, which runs
 * `npm pack` and so the `prepack` script that bundles the handlers), checks what it holds (the
 * compiled library, the jsii assembly and every bundled handler in `assets/`; no tests, no
 * sources, no local paths), installs it into a fresh app in a temporary folder with aws-cdk-lib at
 * each version of CDK_VERSIONS, synthesizes every construct of the library there with
 * KmsGovernanceChecks as a validation plugin, and checks that each Lambda asset in the cloud
 * assembly is the bundled handler.
 *
 * The install is `npm install --prefer-offline --no-audit --no-fund`: the packages come from the
 * npm cache (filled by the repository's `npm ci`) at the versions of the repository's lockfile.
 *
 *   ts-node --transpile-only tools/package-check.ts [--tarball <file.tgz>] [--keep]
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

/**
 * The aws-cdk-lib versions the installed package must synthesize with. `lockfile: true` pins
 * aws-cdk-lib's own dependencies to the repository's lockfile (the floor is what the repository
 * itself installs). Another version is one more line, e.g. `{ cdkVersion: '2.276.0' }`.
 */
const CDK_VERSIONS: ReadonlyArray<{ readonly cdkVersion: string; readonly lockfile?: boolean }> = [
  { cdkVersion: '2.258.0', lockfile: true },
  // the latest, as the compatibility suite pins it; test:compat runs first and fills the npm cache
  { cdkVersion: JSON.parse(fs.readFileSync(path.join(__dirname, 'compat', 'package.json'), 'utf8')).dependencies['aws-cdk-lib'] },
];

function fail(message: string): never {
  console.error(`✗ ${message}`);
  process.exit(1);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The tarball: given, or the one the release task wrote to dist/js. */
function tarball(): string {
  const given = arg('--tarball');
  if (given) return path.resolve(given);
  const dir = path.join(ROOT, 'dist', 'js');
  const found = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.tgz')) : [];
  if (found.length !== 1) fail(`expected one tarball in dist/js (run \`npx projen package:js\`); found ${found.length}: ${found.join(', ')}`);
  return path.join(dir, found[0]);
}

/** The handlers the package must ship: one bundle per src/*.lambda.ts. */
function handlerAssets(): string[] {
  return fs.readdirSync(path.join(ROOT, 'src')).filter((f) => f.endsWith('.lambda.ts')).map((f) => `assets/${f.replace(/\.ts$/, '')}/index.js`);
}

/** Check the files of the tarball: what must be there, what must not, and no local path in any of them. */
function checkContents(file: string, unpacked: string): void {
  const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean).map((e) => e.replace(/^package\//, ''));
  // The package's command (package.json "bin"): the bundled import-key-material command.
  const bins = Object.values<string>(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin ?? {}).map((b) => b.replace(/^\.\//, ''));
  const missing = ['package.json', 'lib/index.js', 'lib/index.d.ts', '.jsii', 'README.md', 'LICENSE', ...handlerAssets(), ...bins].filter((f) => !entries.includes(f));
  if (missing.length) fail(`the tarball lacks ${missing.join(', ')}`);
  const forbidden = entries.filter((e) => /^(test|src|integ|bench|tools|examples|projenrc|rosetta|coverage|test-reports|\.local-aws|cdk\.out[^/]*)\//.test(e) ||
    /\.(test|spec)\.[jt]s$/.test(e) || /(^|\/)\.projenrc\.ts$/.test(e) || /\.tsbuildinfo$/.test(e));
  if (forbidden.length) fail(`the tarball holds files a user must not get: ${forbidden.slice(0, 10).join(', ')}`);

  execFileSync('tar', ['-xzf', file, '-C', unpacked]);
  const localPaths = [ROOT, os.homedir(), os.tmpdir()].filter((p) => p.length > 1);
  const leaks: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {walk(full);} else {
        const text = fs.readFileSync(full, 'utf8');
        for (const p of localPaths) if (text.includes(p)) leaks.push(`${path.relative(unpacked, full)} contains ${p}`);
      }
    }
  };
  walk(unpacked);
  if (leaks.length) fail(`the tarball holds local paths: ${leaks.slice(0, 10).join('; ')}`);
  console.log(`✓ ${path.basename(file)}: ${entries.length} files, with ${handlerAssets().join(', ')}; no tests, sources or local paths`);
}

/** aws-cdk-lib's own (not bundled) dependencies, transitively, at the versions of the repository's lockfile. */
function lockfilePins(): Record<string, string> {
  const packages: Record<string, { version: string; dependencies?: Record<string, string>; bundleDependencies?: string[] }> =
    JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages;
  const pins: Record<string, string> = {};
  const visit = (name: string) => {
    const entry = packages[`node_modules/${name}`];
    if (!entry || pins[name]) return;
    pins[name] = entry.version;
    const bundled = new Set(entry.bundleDependencies ?? []);
    for (const dep of Object.keys(entry.dependencies ?? {})) if (!bundled.has(dep)) visit(dep);
  };
  for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag']) visit(name);
  return pins;
}

/** Every construct of the library, in its default configuration, in a plain JavaScript app. */
const APP = String.raw`
const { App, Stack, Validations } = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const gov = require('cdk-kms-governance');

const app = new App({ outdir: 'cdk.out' });
Validations.of(app).addPlugins(new gov.KmsGovernanceChecks(app));
const env = { account: '123456789012', region: 'us-east-1' };
const stack = new Stack(app, 'PackageCheck', { env });
const people = new iam.AccountPrincipal('123456789012');

const admins = new gov.KeyAdminRole(stack, 'Admins', { assumedBy: people });
const key = new gov.ManagedCmk(stack, 'Key', { alias: 'package-check/data', administrators: [admins], multiRegion: true });
const audit = new gov.KeyAuditTrail(stack, 'Audit');
audit.watch(key);
new gov.KeyAuditorRole(stack, 'Auditor', { assumedBy: people, trail: audit });
new gov.EnvelopeEncryptedBucket(stack, 'Data', { key });
new gov.EncryptedSecureStringParam(stack, 'Param', { key, parameterName: '/package-check/secret', value: gov.SecureStringValue.generated() });
new gov.EbsDefaultEncryption(stack, 'Ebs', { key, autoScaling: false });
new gov.KeyHealthCanary(stack, 'Canary', { key });
const replicas = new Stack(app, 'PackageCheckReplica', { env: { ...env, region: 'eu-west-1' } });
new gov.ManagedCmkReplica(replicas, 'Key', { primaryKey: key, primaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab', alias: 'package-check/data' });
const org = new Stack(app, 'PackageCheckOrg', { env });
const baseline = new gov.KmsGovernanceBaseline(org, 'Baseline', { securityAccountId: '222222222222', ebsKeyHealthCanary: true });
new gov.KmsGovernanceStackSet(org, 'StackSet', { baseline, organizationalUnitIds: ['r-ab12'], regions: ['us-east-1', 'eu-west-1'] });

app.synth();
`;

/** Install the tarball with one aws-cdk-lib version into a fresh app, synthesize, and check the assembly. */
function installAndSynth(file: string, target: (typeof CDK_VERSIONS)[number]): void {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kmsgov-package-${target.cdkVersion}-`));
  try {
    const pins = target.lockfile ? lockfilePins() : {};
    const peers = { 'aws-cdk-lib': target.cdkVersion, 'constructs': pins.constructs ?? '^10.5.1', 'cdk-nag': pins['cdk-nag'] ?? '^3.0.2' };
    const overrides = Object.fromEntries(Object.entries(pins).filter(([name]) => !(name in peers)));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
      name: 'kmsgov-package-check',
      private: true,
      dependencies: { ...peers, 'cdk-kms-governance': `file:${file}` },
      overrides,
    }, null, 2));
    fs.writeFileSync(path.join(dir, 'app.js'), APP);
    const npm = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    if (npm.status !== 0) fail(`npm install in ${dir} failed:\n${npm.stdout}${npm.stderr}`);
    const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version;
    if (installed !== target.cdkVersion) fail(`aws-cdk-lib ${installed} was installed, not ${target.cdkVersion}`);

    const synth = spawnSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    if (synth.status !== 0) fail(`synthesis with aws-cdk-lib ${target.cdkVersion} failed:\n${synth.stdout}${synth.stderr}`);

    // Every Lambda asset of the assembly is one of the package's bundles, byte for byte.
    const bundles = new Set(handlerAssets().map((a) => fs.readFileSync(path.join(dir, 'node_modules', 'cdk-kms-governance', a), 'utf8')));
    const out = path.join(dir, 'cdk.out');
    const assetDirs = fs.readdirSync(out).filter((f) => f.startsWith('asset.') && fs.statSync(path.join(out, f)).isDirectory());
    const handlers = assetDirs.filter((a) => fs.existsSync(path.join(out, a, 'index.js')));
    const foreign = handlers.filter((a) => !bundles.has(fs.readFileSync(path.join(out, a, 'index.js'), 'utf8')));
    if (handlers.length < bundles.size || foreign.length) {
      fail(`the assembly's Lambda assets are not the package's bundles (${handlers.length} assets, ${foreign.length} unknown; ${bundles.size} bundles)`);
    }
    // The organization baseline's handlers are inline code: the package's bundles, byte for byte.
    const baselines = fs.readdirSync(out).filter((f) => f.endsWith('.baseline.template.json'));
    const inline = baselines.flatMap((b) => Object.values<any>(JSON.parse(fs.readFileSync(path.join(out, b), 'utf8')).Resources ?? {})
      .filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties?.Code?.ZipFile));
    if (baselines.length !== 1 || inline.length !== 2 || inline.some((code) => !bundles.has(code))) {
      fail(`the baseline's inline handlers are not the package's bundles (${baselines.length} baseline templates, ${inline.length} functions)`);
    }
    const templates = fs.readdirSync(out).filter((f) => f.endsWith('.template.json'));
    const resources = templates.reduce((n, t) => n + Object.keys(JSON.parse(fs.readFileSync(path.join(out, t), 'utf8')).Resources ?? {}).length, 0);
    console.log(`✓ aws-cdk-lib ${target.cdkVersion}: installed from ${path.basename(file)} and synthesized every construct ` +
      `(${templates.length} templates, ${resources} resources, ${handlers.length} handler assets from the package) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const file = tarball();
  const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'kmsgov-tarball-'));
  try {
    checkContents(file, unpacked);
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
  for (const target of CDK_VERSIONS) installAndSynth(file, target);
}

main();
