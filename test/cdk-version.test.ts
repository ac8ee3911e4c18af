import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';

/**
 * Which aws-cdk-lib the suite runs on: the floor (the repository's own dev dependency) in
 * `npm test`'s jest run, the latest in the compatibility suite (tools/compat, `test:compat`), which
 * maps every import of aws-cdk-lib to its own copy. If the mapping broke, the compatibility suite
 * would silently test the floor twice: this test fails then.
 */
test('the suite runs on the aws-cdk-lib it means to', () => {
  const compat = (globalThis as { KMSGOV_COMPAT?: boolean }).KMSGOV_COMPAT === true;
  const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
  const wanted = compat
    ? readJson(path.join(__dirname, '..', 'tools', 'compat', 'package.json')).dependencies['aws-cdk-lib']
    : readJson(path.join(__dirname, '..', 'package.json')).devDependencies['aws-cdk-lib'];
  // what a library module gets when it imports aws-cdk-lib (cdk-nag resolves it the same way)
  const loaded = require.resolve('aws-cdk-lib');
  expect(loaded.includes(path.join('tools', 'compat', 'node_modules'))).toBe(compat);
  expect(readJson(path.join(path.dirname(loaded), 'package.json')).version).toBe(wanted);
  expect(Stack.prototype).toBeDefined();
});
