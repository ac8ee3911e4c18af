import * as fs from 'fs';
import * as path from 'path';
import { App, CfnCondition, CfnParameter, Fn, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
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

/** The account root of TEST_ENV, as a key-policy principal. */
export const ROOT_PRINCIPAL = { AWS: 'arn:aws:iam::123456789012:root' };
/** The account root with every key action: the AWS default key policy's statement. */
export const ROOT_FULL_STATEMENT = { Sid: 'Root', Effect: 'Allow', Principal: ROOT_PRINCIPAL, Action: 'kms:*', Resource: '*' };

/** Options of `keyWithPolicy`. */
export interface KeyWithPolicyOptions {
  /** Whether to put the account root's `kms:*` first. */
  readonly withRoot?: boolean;
  /** Further CfnKey props. */
  readonly props?: Partial<kms.CfnKeyProps>;
}

/**
 * An aliased, rotating L1 key with the given key-policy statements (the account root's `kms:*`
 * first unless `withRoot` is false), so that only the rule under test has anything to say.
 */
export function keyWithPolicy(stack: Stack, id: string, statements: unknown[], options: KeyWithPolicyOptions = {}): kms.CfnKey {
  const all = options.withRoot === false ? statements : [ROOT_FULL_STATEMENT, ...statements];
  const key = new kms.CfnKey(stack, id, { enableKeyRotation: true, keyPolicy: { Version: '2012-10-17', Statement: all }, ...options.props });
  new kms.CfnAlias(stack, `${id}Alias`, { aliasName: `alias/${id}`, targetKeyId: key.ref });
  return key;
}

/** A rule-test stack with a string parameter and a condition on it, for the token and `Fn::If` tests. */
export function newConditionalRuleStack(): { app: App; stack: Stack; param: CfnParameter; condition: CfnCondition } {
  const { app, stack } = newRuleStack();
  const param = new CfnParameter(stack, 'Param', { type: 'String' });
  const condition = new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(param.valueAsString, 'prod') });
  return { app, stack, param, condition };
}

/** `Fn::If` on the stack's condition. */
export function ifProd(condition: CfnCondition, whenTrue: unknown, whenFalse: unknown): any {
  return Fn.conditionIf(condition.logicalId, whenTrue, whenFalse);
}

/** `Fn::If` on the stack's condition, as a string token for an L1 string property. */
export function ifProdText(condition: CfnCondition, whenTrue: unknown, whenFalse: unknown): string {
  return Token.asString(Fn.conditionIf(condition.logicalId, whenTrue, whenFalse));
}

/** A raw CloudFormation value (`Fn::Join`, `Fn::Sub`…) as a string token for an L1 string property. */
export function cfnText(value: object): string {
  return Token.asString(value);
}
