import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { newStack } from './stacks';
import { KmsGovernanceChecks } from '../../src';

/** The construct paths on which one rule of the pack fires, sorted. */
export function firing(scope: IConstruct, rule: string, pack = new KmsGovernanceChecks()): string[] {
  return pack
    .validateScope(scope)
    .violations.filter((v) => v.ruleName === `KmsGovernance-${rule}`)
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath!))
    .sort();
}

/**
 * A fresh app with one stack `S` for the nag rule tests. Their apps are deliberately non-compliant
 * (and sometimes not valid CloudFormation), so they do not synthesize into the template directory
 * that cfn-lint reads.
 */
export function newRuleStack(id = 'S'): { app: App; stack: Stack } {
  return newStack(id, {}, { lint: false });
}

/** One plugin's report, as either report format of aws-cdk-lib writes it. */
export interface PluginReportSummary {
  readonly pluginName: string;
  /** The plugin's conclusion: `success` or `failure`. */
  readonly conclusion: string;
  readonly violations: Array<{ readonly ruleName: string; readonly severity: string; readonly paths: string[] }>;
  /** The error of a plugin that threw, if any. */
  readonly error?: string;
}

/** What synthesis with validation plugins produced: the plugin reports and whether synth failed. */
export interface SynthValidation {
  readonly reports: PluginReportSummary[];
  /** Synth failed: `app.synth()` threw a validation failure (aws-cdk-lib ≥ 2.262) or set `process.exitCode` to 1. */
  readonly failed: boolean;
}

/**
 * Synthesize an app that has validation plugins and read the validation report, on any
 * aws-cdk-lib: 2.257 writes `policy-validation-report.json` and sets `process.exitCode`; 2.258
 * writes `validation-report.json`; 2.262 and later throw from `app.synth()` on a failure. The
 * caller saves and restores `process.exitCode` around the test.
 */
export function synthWithValidation(app: App, outdir: string): SynthValidation {
  process.exitCode = 0;
  let threw = false;
  try {
    app.synth();
  } catch (e) {
    if ((e as Error).name !== 'ValidationFailed' && !/Validation failed/.test((e as Error).message)) throw e;
    threw = true;
  }
  const failed = threw || process.exitCode === 1;
  const legacy = path.join(outdir, 'policy-validation-report.json');
  const current = path.join(outdir, 'validation-report.json');
  if (fs.existsSync(current)) {
    const report = JSON.parse(fs.readFileSync(current, 'utf8')) as { pluginReports: any[] };
    return {
      failed,
      reports: report.pluginReports.map((r) => ({
        pluginName: r.pluginName,
        conclusion: r.conclusion,
        error: r.metadata?.error,
        violations: (r.violations ?? []).map((v: any) => ({
          ruleName: v.ruleName,
          severity: v.severity,
          paths: (v.violatingConstructs ?? v.violatingResources ?? []).map((c: any) => c.constructPath),
        })),
      })),
    };
  }
  if (!fs.existsSync(legacy)) return { failed, reports: [] };
  const report = JSON.parse(fs.readFileSync(legacy, 'utf8')) as { pluginReports: any[] };
  return {
    failed,
    reports: report.pluginReports.map((r) => ({
      pluginName: r.summary.pluginName,
      conclusion: r.summary.status,
      error: r.summary.metadata?.error,
      violations: (r.violations ?? []).map((v: any) => ({
        ruleName: v.ruleName,
        severity: v.severity,
        paths: (v.violatingResources ?? []).map((c: any) => c.constructPath),
      })),
    })),
  };
}
