import * as fs from 'fs';
import * as path from 'path';
import { allConfigurations } from './support';

/**
 * The logical IDs (and types) of every resource the library creates, in the default configuration
 * of every construct, in non-default configurations, and in the example app. A changed logical ID
 * makes CloudFormation replace a resource: a key, a bucket or a parameter would be orphaned or
 * lost. This snapshot is never rewritten by `npm test`; `npx projen test:update` does that on purpose,
 * and a changed line must be explained in the change that makes it.
 */
test('the logical IDs of every configuration stay what they are', () => {
  const assembly = allConfigurations().synth();
  const ids: Record<string, string[]> = {};
  for (const artifact of assembly.stacks) {
    const resources = (artifact.template.Resources ?? {}) as Record<string, { Type: string }>;
    ids[artifact.stackName] = Object.entries(resources).map(([id, r]) => `${id} ${r.Type}`).sort();
  }
  // KmsGovernanceBaseline templates are file assets of their parent stacks, not stack artifacts.
  for (const file of fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.baseline.template.json')).sort()) {
    const resources = (JSON.parse(fs.readFileSync(path.join(assembly.directory, file), 'utf-8')).Resources ?? {}) as Record<string, { Type: string }>;
    ids[file] = Object.entries(resources).map(([id, r]) => `${id} ${r.Type}`).sort();
  }
  expect(ids).toMatchSnapshot();
});
