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
 * How aws-cdk-lib 2.257 surfaces plugin results: synth does NOT throw. It writes
 * `policy-validation-report.json` into the cloud assembly, prints the report on stderr, and sets
 * `process.exitCode = 1` when a plugin reports a failure (unless the context
 * `@aws-cdk/core:failSynthOnValidationErrors` is false, in which case it only writes the file).
 * It calls `plugin.validate({ templatePaths })` with no construct tree, so a cdk-nag 3.0.2 pack
 * constructed without a scope fails as a plugin; ours falls back to the scope given to it.
 */


interface Report {
  readonly pluginReports: Array<{
    readonly summary: { readonly pluginName: string; readonly status: string; readonly metadata?: { readonly error?: string } };
    readonly violations: Array<{
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingResources: Array<{ readonly constructPath: string }>;
    }>;
  }>;
}

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

function synthReport(app: App): { report: Report; exitCode: typeof process.exitCode } {
  process.exitCode = 0;
  const assembly = app.synth();
  const file = path.join(assembly.directory, 'policy-validation-report.json');
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
  return { report, exitCode: process.exitCode };
}

test('a finding fails validation at synth: report file, stderr and exit code 1', () => {
  const { app } = appWithRotationOff();
  Validations.of(app).addPlugins(new KmsGovernanceChecks(app));
  const { report, exitCode } = synthReport(app);
  expect(exitCode).toBe(1);
  expect(report.pluginReports).toEqual([
    {
      summary: { pluginName: 'KmsGovernance', status: 'failure' },
      violations: [
        expect.objectContaining({
          ruleName: 'KmsGovernance-KeyRotation',
          severity: 'error',
          violatingResources: [expect.objectContaining({ constructPath: 'S/Key/Resource' })],
        }),
      ],
    },
  ]);
  expect(console.error).toHaveBeenCalledWith(expect.stringContaining('Validation failed.'));
});

test('an acknowledgement on the construct removes the finding, and synth passes', () => {
  const { app, key } = appWithRotationOff();
  Validations.of(app).addPlugins(new KmsGovernanceChecks(app));
  Validations.of(key).acknowledge({ id: 'KmsGovernance-KeyRotation', reason: 'Imported key material is rotated by hand.' });
  const { report, exitCode } = synthReport(app);
  expect(report.pluginReports).toEqual([]);
  expect(exitCode).toBe(0);
});

test('with failSynthOnValidationErrors false, synth only writes the report', () => {
  const { app } = appWithRotationOff({ '@aws-cdk/core:failSynthOnValidationErrors': false });
  Validations.of(app).addPlugins(new KmsGovernanceChecks(app));
  const { report, exitCode } = synthReport(app);
  expect(exitCode).toBe(0);
  expect(report.pluginReports[0].violations.map((v) => v.ruleName)).toEqual(['KmsGovernance-KeyRotation']);
});

test('without a scope the pack cannot run as a plugin on aws-cdk-lib 2.257, and says how to fix it', () => {
  const { app } = appWithRotationOff();
  Validations.of(app).addPlugins(new KmsGovernanceChecks());
  const { report, exitCode } = synthReport(app);
  expect(exitCode).toBe(1);
  expect(report.pluginReports[0].summary).toEqual({
    pluginName: 'KmsGovernance',
    status: 'failure',
    metadata: {
      error:
        "Validation plugin 'KmsGovernance' failed: KmsGovernanceChecks needs the construct tree, and this version of aws-cdk-lib does not " +
        'pass it to validation plugins. Construct the pack with the app: Validations.of(app).addPlugins(new KmsGovernanceChecks(app)).',
    },
  });
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
