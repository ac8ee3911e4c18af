import { awscdk, javascript } from 'projen';

// The Lambda runtime the bundled handlers declare. NODEJS_24_X is the newest Node.js runtime that
// aws-cdk-lib 2.257 knows (cdk-nag's L1 rule checks it). It is named explicitly: projen's default,
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
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  minNodeVersion: '20.0.0',

  peerDeps: ['cdk-nag@^3.0.2'],
  devDeps: [
    // policy-behaviour tests only; AGPL, so never bundled or shipped
    '@cloud-copilot/iam-simulate@^0.1.173',
    '@types/aws-lambda@^8.10.160',
    // handler SDK clients: external in the bundles (the Lambda runtime provides them)
    '@aws-sdk/client-kms@^3',
    '@aws-sdk/client-cloudwatch@^3',
    '@aws-sdk/client-ssm@^3',
    '@aws-sdk/client-ec2@^3',
    '@aws-sdk/client-secrets-manager@^3',
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
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '\\.snapshot/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/', '-function\\.ts$'],
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
  gitignore: ['cdk.out/', '/integ/**/*.snapshot/asset.*', '/.local-aws/', '/tools/local-aws/sdk/node_modules/'],
});

// The handler bundles (assets/) are build output; every test run builds them first.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

for (const pattern of ['/integ/', '/examples/', '/bench/', '/tools/', '/rosetta/', '/.ci/', 'cdk.out/']) {
  project.addPackageIgnore(pattern);
}

project.synth();
