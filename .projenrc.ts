import { JsonFile, awscdk, javascript } from 'projen';

// The Lambda runtime the bundled handlers declare. NODEJS_24_X is the newest Node.js runtime that
// aws-cdk-lib 2.258 knows (cdk-nag's L1 rule checks it). It is named explicitly: projen's default,
// NODEJS_REGIONAL_LATEST, renders as a Fn::FindInMap token that L1 counts as a violation.
// The esbuild target is node20 so that the offline Lambda executor can run the same bundles on the
// machine's Node.js 20 (the syntax of node20 is a subset of what nodejs24.x runs).
const handlerRuntime = new awscdk.LambdaRuntime('nodejs24.x', 'node20');

// LambdaFunction spreads these into Bundler.addBundle(), which also takes `minify` (the public
// BundlingOptions type does not list it, hence the widened object).
const handlerBundling: javascript.BundlingOptions = Object.assign(
  { externals: ['@aws-sdk/*'], sourcemap: false, watchTask: false },
  { minify: true },
);

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-kms-governance',
  description:
    'AWS CDK constructs for a compliant AWS KMS setup: customer-managed keys with separation of duties, ' +
    'S3/SSM/EBS wiring, CloudTrail auditing and a cdk-nag rule pack for KMS governance.',
  author: 'cdk-kms-governance maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/cdk-kms-governance/cdk-kms-governance.git',
  license: 'Apache-2.0',
  keywords: ['aws', 'cdk', 'kms', 'encryption', 'compliance', 'cdk-nag', 'governance', 'security'],
  stability: 'experimental',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  jsiiVersion: '~6.0',
  // The package's command is bundled into assets/ (see below), not compiled into lib/.
  excludeTypescript: ['src/cli/**'],
  // The floor: the first aws-cdk-lib that gives validation plugins the construct tree (appConstruct),
  // and whose synth writes the validation-report.json the CDK CLI reads to fail `cdk synth`.
  cdkVersion: '2.258.0',
  constructsVersion: '10.5.1',
  minNodeVersion: '20.0.0',

  peerDeps: ['cdk-nag@^3.0.2'],
  devDeps: [
    // policy-behaviour tests only; AGPL, so never bundled or shipped
    '@cloud-copilot/iam-simulate@^0.1.173',
    // the AWS Control Tower proactive controls (cfn-guard rules and binary, offline) in the compliance tests
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    '@types/aws-lambda@^8.10.160',
    // handler SDK clients: external in the bundles (the Lambda runtime provides them)
    '@aws-sdk/client-kms@^3',
    '@aws-sdk/client-cloudwatch@^3',
    '@aws-sdk/client-ssm@^3',
    '@aws-sdk/client-ec2@^3',
    '@aws-sdk/client-secrets-manager@^3',
    // tests and the demo drive the local AWS with these
    '@aws-sdk/client-lambda@^3',
    '@aws-sdk/client-iam@^3',
    '@aws-sdk/client-s3@^3',
    // integration tests: one system, integ-runner + integ-tests-alpha; the CDK CLI deploys them
    '@aws-cdk/integ-runner@^2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    'aws-cdk@^2.1148.1',
  ],

  // Construct Hub style names for the other jsii languages.
  publishToPypi: {
    distName: 'cdk-kms-governance',
    module: 'cdk_kms_governance',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkkmsgovernance',
    mavenGroupId: 'io.github.cdk-kms-governance',
    mavenArtifactId: 'cdk-kms-governance',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkKmsGovernance',
    packageId: 'CdkKmsGovernance',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-kms-governance/cdk-kms-governance-go',
  },

  // CI is `.ci/run`; no GitHub workflows are generated.
  github: false,

  lambdaOptions: {
    runtime: handlerRuntime,
    bundlingOptions: handlerBundling,
  },
  // One integ system only: integ-runner over integ/ (see the integ:* tasks).
  integrationTestAutoDiscover: false,

  jestOptions: {
    // Snapshots are never rewritten by `npm test`; `npx projen test:update` does that on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // Coverage costs about a third of jest's time on two cores; `npx projen coverage` collects it.
      collectCoverage: false,
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '\\.snapshot/'],
      // Handlers are tested as their bundles (assets/), so their TypeScript shows no coverage.
      coveragePathIgnorePatterns: ['/node_modules/', '/test/', '-function\\.ts$', '\\.lambda\\.ts$'],
    },
  },

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'integ', 'examples', 'bench', 'tools', 'projenrc'],
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', '*.generated.ts', 'coverage', '*.snapshot/', 'cdk.out/'],
  },

  tsconfigDev: {
    include: ['../integ/**/*.ts', '../examples/**/*.ts', '../bench/**/*.ts', '../tools/**/*.ts'],
    compilerOptions: {},
  },
  gitignore: ['cdk.out/', '/integ/**/*.snapshot/asset.*', '/.local-aws/', '/tools/local-aws/sdk/node_modules/', '/tools/compat/node_modules/', '/tools/integ-cdk/node_modules/', '__pycache__/', '/cdk.out.*/', '.jsii.tabl.json'],
});

// The package's command (`npx cdk-kms-governance import-key-material ...`): bundled with esbuild,
// the AWS SDK for JavaScript inside, into one file under assets/ (shipped, like the handler
// bundles). Bundling keeps @aws-sdk/client-kms a dev dependency: as a jsii bundledDependency it
// would ship its whole dependency tree (about a hundred packages) in every language's package.
const cli = project.bundler.addBundle('src/cli/main.ts', {
  platform: 'node',
  target: 'node20',
  externals: [],
  sourcemap: false,
  watchTask: false,
  banner: '#!/usr/bin/env node',
  executable: true,
  // BundlingOptions does not list minify (see handlerBundling)
  ...{ minify: true },
});
project.addBins({ 'cdk-kms-governance': cli.outfile });
project.eslint?.allowDevDeps('src/cli/**');
// jsii's tsconfig.json leaves src/cli out (excludeTypescript): eslint's typed rules find it through this one.
new JsonFile(project, 'src/cli/tsconfig.json', {
  obj: { extends: '../../test/tsconfig.json', include: ['**/*.ts'] },
});

// ---------------------------------------------------------------------------------------------
// Tests. `npm test` runs, in order: the handler bundles, jest (unit, compliance, policy behaviour,
// handlers against the local AWS), eslint, the integ snapshot check, cfn-lint over every
// synthesized template, the local AWS's own regression tests, and the integ tests offline.
// ---------------------------------------------------------------------------------------------
const launcher = 'python3 tools/local-aws/launcher.py --';
// integ-runner 2.197.10 (the latest) reads cloud assemblies of schema 53 and older; aws-cdk-lib 2.258
// writes 54. So the integ apps run on aws-cdk-lib 2.257.0 from tools/integ-cdk's own lockfile: every
// require of aws-cdk-lib (the library's, integ-tests-alpha's) goes there through the register hook.
const integAppCommand = 'node -r ./tools/compat/register.js -r ts-node/register/transpile-only {filePath}';
const integRunner = `integ-runner --directory integ --parallel-regions us-east-1 --language typescript --app "${integAppCommand}"`;
const integEnv = { KMSGOV_CDK_NODE_MODULES: 'tools/integ-cdk/node_modules' };
const integInstall = project.addTask('integ:install', {
  description: 'Install aws-cdk-lib 2.257.0 for the integ apps into tools/integ-cdk from its lockfile',
  condition: 'node -e "const fs = require(\'fs\'); const t = (f) => fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0; ' +
    'process.exit(t(\'tools/integ-cdk/node_modules/.package-lock.json\') > t(\'tools/integ-cdk/package-lock.json\') ? 1 : 0)"',
  exec: 'npm ci --prefix tools/integ-cdk --no-audit --no-fund',
});
const templateDir = 'test-reports/templates';
// integ-runner does not bootstrap; its log is shown only when bootstrapping fails
// Offline, the integ tests deploy in two Regions of the local AWS at once (half the time of one).
const offlineRegions = ['us-east-1', 'us-west-2'];
const bootstrap =
  `(cdk bootstrap ${offlineRegions.map((r) => `aws://123456789012/${r}`).join(' ')} > .local-aws/bootstrap.log 2>&1 || (cat .local-aws/bootstrap.log; exit 1))`;

// The handler bundles (assets/) are build output; every test run builds them first.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);
project.testTask.prependExec(`node -e "require('fs').rmSync('${templateDir}', { recursive: true, force: true })"`);
project.testTask.env('KMSGOV_TEMPLATE_DIR', templateDir);

const snapshotTask = project.addTask('integ:snapshot', {
  description: 'Check the committed integ snapshots; a changed one fails (no AWS is reachable here)',
  env: {
    TS_NODE_TRANSPILE_ONLY: 'true',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_ACCESS_KEY_ID: 'snapshot-check',
    AWS_SECRET_ACCESS_KEY: 'snapshot-check',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...integEnv,
  },
  steps: [{ spawn: integInstall.name }, { exec: integRunner }],
});
const cfnLintTask = project.addTask('cfn-lint', {
  description: 'cfn-lint over the unit-test templates, the examples app and the integ snapshots',
  env: { KMSGOV_TEMPLATE_DIR: templateDir },
  exec: 'ts-node --transpile-only tools/cfn-lint.ts',
});
const selftestTask = project.addTask('local-aws:selftest', {
  description: 'The local AWS patches\' own regression tests (boto3 against the patched moto)',
  exec: `${launcher} python3 tools/local-aws/selftest.py`,
});
const integOffline = project.addTask('integ:offline', {
  description: 'Deploy the integ tests to the local AWS (moto), assert, destroy',
  env: { TS_NODE_TRANSPILE_ONLY: 'true', ...integEnv },
  steps: [
    { spawn: integInstall.name },
    {
      exec: `${launcher} sh -c "${bootstrap} && integ-runner --directory integ --parallel-regions ${offlineRegions.join(' ')} ` +
        `--force --no-update-workflow --language typescript --app \\"${integAppCommand}\\""`,
    },
  ],
});
project.addTask('integ:aws', {
  description: 'Run the integ tests on a real AWS account (credentials from the environment; bootstrap it first)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true', ...integEnv },
  steps: [{ spawn: integInstall.name }, { exec: `${integRunner} --update-workflow` }],
});
const docsTask = project.addTask('docs:check', {
  description: 'Compile with jsii and check that every README and @example snippet compiles (jsii-rosetta, strict)',
  // Snippets whose source and referenced types are unchanged since rosetta/cache.tabl.json was
  // written are not compiled again (jsii-rosetta keys the cache on both); every other one is,
  // strictly. `npx projen docs:cache` rewrites the cache.
  steps: [{ spawn: 'compile' }, { exec: 'jsii-rosetta extract --strict --cache-from rosetta/cache.tabl.json' }],
});
project.addTask('docs:cache', {
  description: 'Compile every README and @example snippet and rewrite rosetta/cache.tabl.json (what docs:check reuses)',
  steps: [{ spawn: 'compile' }, { exec: 'node -e "require(\'fs\').rmSync(\'rosetta/cache.tabl.json\', { force: true })"' }, { exec: 'jsii-rosetta extract --strict --cache-to rosetta/cache.tabl.json' }],
});
// The package a user installs. `npm pack` (and so the release task, jsii-pacmak, which runs it)
// bundles the handlers first: a package without assets/ fails at synth with CannotFindAsset. It
// refuses to pack without the compiled library.
project.addTask('prepack', {
  description: 'Before npm pack: bundle the handlers into assets/, and require the compiled library',
  steps: [
    { spawn: 'bundle' },
    { exec: 'node -e "if (!require(\'fs\').existsSync(\'lib/index.js\') || !require(\'fs\').existsSync(\'.jsii\')) { console.error(\'lib/ or .jsii is missing: run npx projen compile before packing\'); process.exit(1); }"' },
  ],
});
// Pack with the release task, install the tarball into a fresh app, synthesize every construct.
// jsii compiles only when the sources are newer than the assembly (docs:check has just compiled).
const packageTest = project.addTask('test:package', {
  description: 'Pack with the release task (package:js), check the tarball, install it into a fresh app (aws-cdk-lib at the floor) and synthesize every construct',
  steps: [
    {
      spawn: 'compile',
      condition: 'node -e "const fs = require(\'fs\'); const p = require(\'path\'); const t = fs.existsSync(\'.jsii\') ? fs.statSync(\'.jsii\').mtimeMs : 0; ' +
        'const newer = (d) => fs.readdirSync(d, { withFileTypes: true }).some((e) => e.isDirectory() ? newer(p.join(d, e.name)) : fs.statSync(p.join(d, e.name)).mtimeMs > t); process.exit(newer(\'src\') ? 0 : 1)"',
    },
    { exec: 'node -e "require(\'fs\').rmSync(\'dist/js\', { recursive: true, force: true })"' },
    { spawn: 'package:js' },
    { exec: 'ts-node --transpile-only tools/package-check.ts' },
  ],
});

// The compatibility suite: the tests that touch CDK internals, on the latest aws-cdk-lib, installed
// from its own lockfile (tools/compat) as tools/local-aws/sdk is; npm ci runs only when the lockfile
// is newer than the installed tree.
const compatInstall = project.addTask('compat:install', {
  description: 'Install the latest aws-cdk-lib into tools/compat from its lockfile',
  condition: 'node -e "const fs = require(\'fs\'); const t = (f) => fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0; ' +
    'process.exit(t(\'tools/compat/node_modules/.package-lock.json\') > t(\'tools/compat/package-lock.json\') ? 1 : 0)"',
  exec: 'npm ci --prefix tools/compat --no-audit --no-fund',
});
const compatTask = project.addTask('test:compat', {
  description: 'The tests that touch CDK internals (grants, validation plugins, the real CDK CLI, key policies, synth of every construct and of examples/) on the latest aws-cdk-lib',
  steps: [{ spawn: compatInstall.name }, { exec: 'jest --ci --config tools/compat/jest.config.js', receiveArgs: true }],
});

for (const task of [docsTask, compatTask, packageTest, snapshotTask, cfnLintTask, selftestTask, integOffline]) {
  project.testTask.spawn(task);
}

// Not part of `npm test`: line coverage of the library, as jest reports it.
project.addTask('coverage', {
  description: 'Run jest with coverage (the report lands in coverage/)',
  exec: 'jest --passWithNoTests --coverage',
  receiveArgs: true,
});

// Not part of `npm test`: timings are measured here, as ratios to baselines in the same run.
project.addTask('bench', {
  description: 'Synth cost, scale and handler footprint against baselines in the same run; writes bench/results.md (~5 min)',
  env: { NODE_NO_WARNINGS: '1' },
  steps: [{ spawn: 'bundle' }, { exec: 'ts-node --transpile-only bench/run.ts', receiveArgs: true }],
});

project.addTask('demo', {
  description: 'Synthesize the example app, check it, deploy it to a local AWS, encrypt and decrypt through the canary',
  // NODE_NO_WARNINGS: the SDK's notice that it will need Node.js 22 from 2027 is not the demo's output
  env: { NODE_NO_WARNINGS: '1' },
  steps: [{ spawn: 'bundle' }, { exec: 'ts-node --transpile-only examples/demo.ts' }],
});

// eslint's typed rules find a file's project through the nearest tsconfig.json: give the dev
// directories one that extends the test configuration (which already includes them).
for (const dir of ['integ', 'examples', 'bench', 'tools']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'], exclude: ['**/*.snapshot/**', '**/node_modules/**'] },
  });
}

// Local run output must never ship: the local AWS's logs (.local-aws/ holds request logs with local
// paths), the demo's and tests' cloud assemblies.
for (const pattern of ['/integ/', '/examples/', '/bench/', '/tools/', '/rosetta/', '/.ci/', 'cdk.out/', '/.local-aws/', '/cdk.out.*/']) {
  project.addPackageIgnore(pattern);
}

project.synth();
