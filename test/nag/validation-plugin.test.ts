import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KmsGovernanceChecks } from '../../src/nag/kms-governance-checks';
import { TEST_ENV, synthWithValidation } from '../support';

/**
 * The pack as a CDK validation plugin: `Validations.of(app).addPlugins(...)`, then `app.synth()`.
 *
 * How aws-cdk-lib 2.258 (the floor) surfaces plugin results: it calls
 * `plugin.validate({ templatePaths, appConstruct })`, writes `validation-report.json` into the cloud
 * assembly (the file the CDK CLI reads to fail `cdk synth`), prints the report on stderr and sets
 * `process.exitCode = 1` when a plugin reports a failure (unless the context
 * `@aws-cdk/core:failSynthOnValidationErrors` is false, as the CLI sets it: then the CLI fails).
 * Newer versions throw from `app.synth()` instead; `synthWithValidation` reads either.
 * test/nag/cli.test.ts runs the real CLI.
 */

let outdir: string;
let savedExitCode: typeof process.exitCode;

beforeEach(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmsgov-plugin-'));
  savedExitCode = process.exitCode;
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  // A failed validation sets the exit code of the whole test process.
  process.exitCode = savedExitCode;
  fs.rmSync(outdir, { recursive: true, force: true });
});

/** An app with one aliased key that does not rotate: exactly one KeyRotation finding. */
function appWithRotationOff(context: Record<string, unknown> = {}): { app: App; key: kms.Key } {
  const app = new App({ outdir, context });
  const stack = new Stack(app, 'S', { env: TEST_ENV });
  const key = new kms.Key(stack, 'Key', { alias: 'no-rotation' });
  return { app, key };
}

const violationsOf = (reports: ReturnType<typeof synthWithValidation>['reports']) => reports.flatMap((r) => r.violations);

test('a finding fails validation at synth: the report file the CLI reads, and a failed synth', () => {
  const { app } = appWithRotationOff();
  Validations.of(app).addPlugins(new KmsGovernanceChecks());
  const { failed, reports } = synthWithValidation(app, outdir);
  expect(failed).toBe(true);
  expect(fs.existsSync(path.join(outdir, 'validation-report.json'))).toBe(true);
  expect(reports).toEqual([
    expect.objectContaining({
      pluginName: 'KmsGovernance',
      conclusion: 'failure',
      violations: [{ ruleName: 'KmsGovernance-KeyRotation', severity: 'error', paths: ['S/Key/Resource'] }],
    }),
  ]);
});

test('an acknowledgement on the construct removes the finding, and synth passes', () => {
  const { app, key } = appWithRotationOff();
  Validations.of(app).addPlugins(new KmsGovernanceChecks());
  Validations.of(key).acknowledge({ id: 'KmsGovernance-KeyRotation', reason: 'Imported key material is rotated by hand.' });
  const { failed, reports } = synthWithValidation(app, outdir);
  expect(violationsOf(reports)).toEqual([]);
  expect(failed).toBe(false);
});

test('with failSynthOnValidationErrors false (what the CLI sets), synth only writes the report', () => {
  const { app } = appWithRotationOff({ '@aws-cdk/core:failSynthOnValidationErrors': false });
  Validations.of(app).addPlugins(new KmsGovernanceChecks());
  const { failed, reports } = synthWithValidation(app, outdir);
  expect(failed).toBe(false);
  expect(violationsOf(reports).map((v) => v.ruleName)).toEqual(['KmsGovernance-KeyRotation']);
});

test('a scope given to the constructor limits the check to that subtree', () => {
  const { app } = appWithRotationOff();
  const other = new Stack(app, 'Other', { env: TEST_ENV });
  new kms.Key(other, 'AlsoNoRotation', { alias: 'other' });
  Validations.of(app).addPlugins(new KmsGovernanceChecks(other));
  const { failed, reports } = synthWithValidation(app, outdir);
  expect(failed).toBe(true);
  expect(violationsOf(reports).flatMap((v) => v.paths)).toEqual(['Other/AlsoNoRotation/Resource']);
});

test('a validation context without the tree (aws-cdk-lib before 2.258) gets a clear error', () => {
  expect(() => new KmsGovernanceChecks().validate({ templatePaths: [] } as any)).toThrow(
    /^KmsGovernanceChecks needs the construct tree, and the validation context has none \(aws-cdk-lib before 2\.258 does not pass it\)\. Use aws-cdk-lib 2\.258 or later/,
  );
});

test('a context that carries the construct tree (newer aws-cdk-lib) is used as is', () => {
  const { app } = appWithRotationOff();
  const report = new KmsGovernanceChecks().validate({ templatePaths: [], appConstruct: app } as any);
  expect(report.violations.map((v) => v.ruleName)).toEqual(['KmsGovernance-KeyRotation']);
});

describe('levels: findings are errors, advisories never fail synthesis', () => {
  /** An app whose only finding is the advisory KeyHasAlias: a rotating L1 key without an alias. */
  function advisoryOnly(): App {
    const app = new App({ outdir });
    const stack = new Stack(app, 'S', { env: TEST_ENV });
    new kms.CfnKey(stack, 'NoAlias', { enableKeyRotation: true });
    return app;
  }

  test('a run with only advisory findings reports success, and still lists them as warnings', () => {
    const report = new KmsGovernanceChecks().validateScope(advisoryOnly());
    expect(report.violations.map((v) => [v.ruleName, v.severity])).toEqual([['KmsGovernance-KeyHasAlias', 'warning']]);
    expect(report.success).toBe(true);
  });

  test('a run with an error finding reports failure, warnings or not', () => {
    const app = advisoryOnly();
    new kms.CfnKey(app.node.findChild('S'), 'NoRotation', {});
    const report = new KmsGovernanceChecks().validateScope(app);
    expect(report.violations.map((v) => [v.ruleName, v.severity]).sort()).toEqual([
      ['KmsGovernance-KeyHasAlias', 'warning'],
      ['KmsGovernance-KeyRotation', 'error'],
    ]);
    expect(report.success).toBe(false);
  });

  test('as a plugin, synth does not fail on advisory findings', () => {
    const app = advisoryOnly();
    Validations.of(app).addPlugins(new KmsGovernanceChecks(app));
    const { failed, reports } = synthWithValidation(app, outdir);
    expect(failed).toBe(false);
    expect(process.exitCode).toBe(0);
    expect(reports.filter((r) => r.conclusion !== 'success')).toEqual([]);
  });

  test('as a plugin, synth fails on an error finding next to an advisory one', () => {
    const app = advisoryOnly();
    new kms.CfnKey(app.node.findChild('S'), 'NoRotation', {});
    Validations.of(app).addPlugins(new KmsGovernanceChecks(app));
    const { failed, reports } = synthWithValidation(app, outdir);
    expect(failed).toBe(true);
    expect(reports).toEqual([
      expect.objectContaining({
        pluginName: 'KmsGovernance',
        conclusion: 'failure',
        violations: expect.arrayContaining([
          { ruleName: 'KmsGovernance-KeyRotation', severity: 'error', paths: ['S/NoRotation'] },
          { ruleName: 'KmsGovernance-KeyHasAlias', severity: 'warning', paths: ['S/NoAlias', 'S/NoRotation'] },
        ]),
      }),
    ]);
  });
});
