import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The promise "a finding fails the build", kept by the real CDK CLI (`cdk synth` from the aws-cdk
 * dev dependency), not by a test harness: an app with the pack as a validation plugin, run by the
 * CLI as a user runs it. In `npm test`'s jest run it is the floor aws-cdk-lib; in the compatibility
 * suite (`test:compat`) the app runs with tools/compat/register.js, so that every require of
 * aws-cdk-lib, the library's and cdk-nag's included, loads the latest aws-cdk-lib.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const COMPAT = (globalThis as { KMSGOV_COMPAT?: boolean }).KMSGOV_COMPAT === true;
/**
 * The node_modules the app takes aws-cdk-lib from when it is not the repository's: the compatibility
 * suite's, or any other named by KMSGOV_CDK_NODE_MODULES (to try an older release by hand).
 */
const CDK_NODE_MODULES = process.env.KMSGOV_CDK_NODE_MODULES ?? (COMPAT ? path.join(ROOT, 'tools', 'compat', 'node_modules') : undefined);
const CDK_CLI = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

let workdir: string;

beforeAll(() => {
  // inside the repository, so that the app resolves aws-cdk-lib, cdk-nag and ts-node from it
  fs.mkdirSync(path.join(ROOT, 'test-reports'), { recursive: true });
  workdir = fs.mkdtempSync(path.join(ROOT, 'test-reports', 'cli-'));
});

afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

/** Write an app whose stack holds `body`, run `cdk synth` on it, and return the exit code and output. */
function cdkSynth(name: string, body: string): { status: number | null; output: string; assembly: string } {
  const appFile = path.join(workdir, `${name}.ts`);
  fs.writeFileSync(appFile, [
    "import { App, Stack, Validations } from 'aws-cdk-lib';",
    "import * as kms from 'aws-cdk-lib/aws-kms';",
    `import { KmsGovernanceChecks, ManagedCmk } from ${JSON.stringify(path.join(ROOT, 'src'))};`,
    'const app = new App();',
    "const stack = new Stack(app, 'Keys');",
    body,
    'Validations.of(app).addPlugins(new KmsGovernanceChecks());',
    'void kms; void ManagedCmk;',
    '',
  ].join('\n'));
  const hook = CDK_NODE_MODULES ? `-r ${path.join(ROOT, 'tools', 'compat', 'register.js')} ` : '';
  const assembly = path.join(workdir, `${name}.out`);
  const run = spawnSync(process.execPath, [
    CDK_CLI, 'synth', '--quiet', '--no-notices', '--no-version-reporting',
    '--app', `node ${hook}-r ts-node/register/transpile-only ${appFile}`, '--output', assembly,
  ], {
    cwd: workdir,
    encoding: 'utf8',
    timeout: 110_000,
    env: {
      ...process.env,
      ...(CDK_NODE_MODULES ? { KMSGOV_CDK_NODE_MODULES: CDK_NODE_MODULES } : {}),
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'cli-test',
      AWS_SECRET_ACCESS_KEY: 'cli-test',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, assembly };
}

const runsOn = () => JSON.parse(fs.readFileSync(CDK_NODE_MODULES
  ? path.join(CDK_NODE_MODULES, 'aws-cdk-lib', 'package.json')
  : require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;

test(`cdk synth exits non-zero on a key that does not rotate, and says which rule and where (aws-cdk-lib ${runsOn()})`, () => {
  const { status, output } = cdkSynth('bad', "new kms.Key(stack, 'Key', { alias: 'no-rotation' });");
  expect(status).not.toBe(0);
  expect(output).toMatch(/KmsGovernance-KeyRotation/);
  expect(output).toContain('Keys/Key/Resource');
});

test('cdk synth succeeds on a ManagedCmk, and an advisory finding is a warning that does not fail it', () => {
  // a compliant key, and an L1 key that rotates but has no alias: only the advisory KeyHasAlias
  const { status, output, assembly } = cdkSynth('advisory', [
    "new ManagedCmk(stack, 'Cmk', { alias: 'orders' });",
    "new kms.CfnKey(stack, 'NoAlias', { enableKeyRotation: true });",
  ].join('\n'));
  expect({ status, error: status === 0 ? '' : output }).toEqual({ status: 0, error: '' });
  expect(output).toMatch(/KmsGovernance-KeyHasAlias/);
  expect(output).not.toMatch(/KmsGovernance-KeyRotation/);
  expect(fs.existsSync(path.join(assembly, 'Keys.template.json'))).toBe(true);
});
