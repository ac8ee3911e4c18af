import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { CONTROL_TOWER_CONTROLS } from '../../src/private/control-tower';

/**
 * The AWS Control Tower proactive controls, as `@cdklabs/cdk-validator-cfnguard` bundles them (the
 * cfn-guard rules and binary; offline). An organization enforces them as CloudFormation hooks at
 * deployment, where no CDK acknowledgement applies: the library meets them by construction, or
 * with the opt-in prop the README names for the control.
 */

/** One Control Tower finding on one resource. */
export interface ControlTowerFinding {
  /** The control, e.g. `CT.KMS.PR.3`. */
  readonly control: string;
  /** The construct path of the resource (`aws:cdk:path`). */
  readonly path: string;
  readonly type: string;
}

const RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

/**
 * The rule folders for the services the library creates resources of (a subset for speed: cfn-guard
 * loads every rule of a folder for every template). `ec2` covers the security groups of functions in a VPC.
 */
const SERVICES = ['keymanagementservice', 's3', 'lambda', 'sqs', 'cloudwatch', 'cloudtrail', 'identityandaccessmanagement', 'ec2'];

/** Every Control Tower finding on the templates of a synthesized app. */
export function controlTowerFindings(app: App): ControlTowerFinding[] {
  const assembly = app.synth();
  const templates = assembly.stacks.map((s) => s.templateFullPath);
  // Templates carry no construct paths outside the CDK CLI: map template and logical id to the construct.
  const paths = new Map<string, string>();
  for (const c of app.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const stack = Stack.of(c);
    paths.set(`${stack.templateFile}:${stack.resolve(c.logicalId)}`, c.node.path);
  }
  const validator = new CfnGuardValidator({
    controlTowerRulesEnabled: false,
    rules: SERVICES.map((s) => path.join(RULES, s)),
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = validator.validate({ templatePaths: templates, appConstruct: app });
  const out: ControlTowerFinding[] = [];
  const byTemplate = new Map<string, any>();
  for (const violation of report.violations) {
    const control = /^\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description ?? '')?.[1] ?? violation.ruleName;
    for (const r of violation.violatingResources) {
      // cfn-guard also reports a rule that matched nothing as 'N/A': no resource, a duplicate.
      if (r.resourceLogicalId === 'N/A') continue;
      if (!byTemplate.has(r.templatePath)) byTemplate.set(r.templatePath, JSON.parse(fs.readFileSync(r.templatePath, 'utf8')));
      const resource = byTemplate.get(r.templatePath).Resources?.[r.resourceLogicalId];
      out.push({ control, path: paths.get(`${path.basename(r.templatePath)}:${r.resourceLogicalId}`) ?? r.resourceLogicalId, type: resource?.Type ?? '?' });
    }
  }
  return out.sort((a, b) => `${a.control} ${a.path}`.localeCompare(`${b.control} ${b.path}`));
}

/**
 * The controls an organization may enable that the library cannot meet by default, from the data
 * README's table is generated from: findings of these on library resources are the only ones a
 * default configuration may have.
 */
export const CONTROL_TOWER_OPT_INS: Readonly<Record<string, { readonly types: readonly string[] }>> = Object.fromEntries(
  CONTROL_TOWER_CONTROLS.filter((c) => !c.byDefault).map((c) => [c.control, { types: c.types }]),
);
