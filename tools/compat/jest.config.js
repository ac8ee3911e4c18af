// The compatibility suite: the library's tests that touch CDK internals (grants, validation
// plugins, key policies, synth of every construct and of examples/), run with every import of
// aws-cdk-lib and constructs, ours and our dependencies' (cdk-nag, integ-tests), resolved to the
// latest aws-cdk-lib in tools/compat/node_modules. The repository itself stays at the floor.
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const compat = path.join(__dirname, 'node_modules');
const base = require(path.join(root, 'package.json')).jest;

/** The test files the suite runs (paths from the repository root). */
const TESTS = [
  'test/cdk-version.test.ts',
  'test/key-grants.test.ts',
  // the Glue L2s are newer than the floor: this file runs here only
  'test/compat/glue.compat.ts',
  'test/managed-cmk.test.ts',
  'test/cross-stack.test.ts',
  'test/service-contract.test.ts',
  'test/newcomer-app.test.ts',
  'test/compliance.test.ts',
  'test/control-tower.test.ts',
  'test/logical-ids.test.ts',
  'test/nag/library-constructs.test.ts',
  'test/nag/validation-plugin.test.ts',
  'test/nag/cli.test.ts',
  'test/nag/plugin-mode.test.ts',
  'test/policy/separation-of-duties.test.ts',
  'test/policy/service-contract.test.ts',
];

module.exports = {
  ...base,
  rootDir: root,
  testMatch: TESTS.map((t) => `<rootDir>/${t}`),
  reporters: ['default'],
  moduleNameMapper: {
    '^aws-cdk-lib$': path.join(compat, 'aws-cdk-lib'),
    '^aws-cdk-lib/(.*)$': path.join(compat, 'aws-cdk-lib', '$1'),
    '^constructs$': path.join(compat, 'constructs'),
  },
  // Tell the tests which aws-cdk-lib they run on (test/support reads it).
  globals: { KMSGOV_COMPAT: true },
};
