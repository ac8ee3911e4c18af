import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Validations, PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { KmsGovernanceBaseline } from '../../src/kms-governance-baseline';
import { KmsGovernanceChecks } from '../../src/nag/kms-governance-checks';
import { TEST_ENV, allConfigurations, synthWithValidation } from '../support';

/**
 * Plugin mode reads the templates CDK already wrote instead of rendering every resource again;
 * `validateScope` renders from the tree. Both must give the same findings on the same app.
 */

let outdir: string;
let savedExitCode: typeof process.exitCode;

beforeEach(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmsgov-plugin-mode-'));
  savedExitCode = process.exitCode;
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  process.exitCode = savedExitCode;
  jest.restoreAllMocks();
  fs.rmSync(outdir, { recursive: true, force: true });
});

/** Every finding as `<rule id> <severity> <construct path>`, sorted. */
function findingsOf(report: PolicyValidationPluginReport): string[] {
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${v.severity} ${r.constructPath}`)).sort();
}

/** The findings of `addMistakes`. */
const MISTAKES = [
  'KmsGovernance-KeyHasAlias warning A/NoRotation/Resource',
  'KmsGovernance-KeyHasAlias warning A/Overridden',
  'KmsGovernance-KeyPolicyNoPublicAccess error A/Shared/Resource',
  'KmsGovernance-KeyRotation error A/NoRotation/Resource',
  'KmsGovernance-KeyRotation error A/Overridden',
  'KmsGovernance-S3BucketCustomerManagedKey error B/SseS3/Resource',
];

/** Plain CDK mistakes across two stacks, with a cross-stack reference and an override. */
function mistakes(context: Record<string, unknown>): App {
  return addMistakes(new App({ outdir, context }));
}

function addMistakes(app: App): App {
  const a = new Stack(app, 'A', { env: TEST_ENV });
  const b = new Stack(app, 'B', { env: TEST_ENV });
  const key = new kms.Key(a, 'Shared', { enableKeyRotation: true });
  key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'] }));
  new kms.Alias(b, 'SharedAlias', { aliasName: 'alias/shared', targetKey: key });
  new kms.Key(a, 'NoRotation');
  const overridden = new kms.CfnKey(a, 'Overridden', { enableKeyRotation: true });
  overridden.addPropertyOverride('EnableKeyRotation', false);
  new s3.Bucket(b, 'SseS3', { encryption: s3.BucketEncryption.S3_MANAGED });
  return app;
}

describe.each([
  ['with aws:cdk:path metadata (the CLI default)', { 'aws:cdk:enable-path-metadata': true }],
  ['without path metadata (found by logical id)', {}],
])('plugin mode and validateScope agree %s', (_name, context) => {
  test('on plain CDK mistakes across stacks', () => {
    const app = mistakes(context);
    const assembly = app.synth();
    const templatePaths = assembly.stacks.map((s) => s.templateFullPath);
    const plugin = new KmsGovernanceChecks().validate({ templatePaths, appConstruct: app } as any);
    const tree = new KmsGovernanceChecks().validateScope(app);
    expect(findingsOf(plugin)).toEqual(findingsOf(tree));
    expect(findingsOf(plugin)).toEqual(MISTAKES);
  });

  test('on every library construct and the example app', () => {
    // allConfigurations() makes its own App: give it the context the way the CLI does.
    process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
    let app: App;
    try {
      app = allConfigurations();
    } finally {
      delete process.env.CDK_CONTEXT_JSON;
    }
    expect(app.node.tryGetContext('aws:cdk:enable-path-metadata')).toBe((context as any)['aws:cdk:enable-path-metadata']);
    addMistakes(app);
    const assembly = app.synth();
    const templatePaths = assembly.stacks.map((s) => s.templateFullPath);
    const render = jest.spyOn(CfnResource.prototype as any, '_toCloudFormation');
    const plugin = new KmsGovernanceChecks().validate({ templatePaths, appConstruct: app } as any);
    // A KmsGovernanceBaseline's template is a file asset, not a stack artifact, so the CLI gives
    // plugins no path to it: its resources are rendered from the tree. Nothing else is.
    const rendered = render.mock.contexts as CfnResource[];
    expect(rendered.filter((r) => !KmsGovernanceBaseline.isKmsGovernanceBaseline(Stack.of(r))).map((r) => r.node.path)).toEqual([]);
    render.mockRestore();
    expect(findingsOf(plugin)).toEqual(findingsOf(new KmsGovernanceChecks().validateScope(app)));
    expect(findingsOf(plugin)).toEqual(expect.arrayContaining(MISTAKES));
  });
});

test('plugin mode reads the written templates: no resource is rendered again', () => {
  const app = mistakes({ 'aws:cdk:enable-path-metadata': true });
  const assembly = app.synth();
  const render = jest.spyOn(CfnResource.prototype as any, '_toCloudFormation');
  new KmsGovernanceChecks().validate({ templatePaths: assembly.stacks.map((s) => s.templateFullPath), appConstruct: app } as any);
  expect(render).not.toHaveBeenCalled();
  new KmsGovernanceChecks().validateScope(app);
  expect(render).toHaveBeenCalled();
});

test('a stack whose template is not among the paths is rendered from the tree, with the same findings', () => {
  const app = mistakes({});
  const assembly = app.synth();
  const onlyA = assembly.stacks.filter((s) => s.stackName === 'A').map((s) => s.templateFullPath);
  const plugin = new KmsGovernanceChecks().validate({ templatePaths: onlyA, appConstruct: app } as any);
  expect(findingsOf(plugin)).toEqual(findingsOf(new KmsGovernanceChecks().validateScope(app)));
});

test('stackTemplates (newer aws-cdk-lib) are read like templatePaths', () => {
  const app = mistakes({});
  const assembly = app.synth();
  const stackTemplates = assembly.stacks.map((s) => ({ stackConstructPath: s.stackName, templatePath: s.templateFullPath }));
  const render = jest.spyOn(CfnResource.prototype as any, '_toCloudFormation');
  const plugin = new KmsGovernanceChecks().validate({ templatePaths: [], stackTemplates, appConstruct: app } as any);
  expect(render).not.toHaveBeenCalled();
  expect(findingsOf(plugin)).toEqual(findingsOf(new KmsGovernanceChecks().validateScope(app)));
});

test('registered with Validations.of(app).addPlugins, the report holds the validateScope findings', () => {
  const app = mistakes({ 'aws:cdk:enable-path-metadata': true });
  Validations.of(app).addPlugins(new KmsGovernanceChecks(app));
  const { reports, failed } = synthWithValidation(app, outdir);
  expect(failed).toBe(true);
  const fromPlugin = reports[0].violations.flatMap((v) => v.paths.map((p) => `${v.ruleName} ${v.severity} ${p}`)).sort();
  expect(fromPlugin).toEqual(findingsOf(new KmsGovernanceChecks().validateScope(app)));
});
