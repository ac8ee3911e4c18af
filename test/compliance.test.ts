import { acknowledgementFor, ACKNOWLEDGEMENTS, allConfigurations, Finding, findings, libraryFindings } from './support';

/**
 * The central acknowledgement list, held exactly: every construct in its default configuration and
 * in non-default ones, and the example app (test/support/configurations.ts), checked by every
 * pack. A finding on a library resource that no acknowledgement covers fails, and so does an
 * acknowledgement that no longer matches any finding (a stale reason hides nothing, but it claims
 * something that is no longer true).
 */
/** The stacks of the example app (examples/app.ts). */
const EXAMPLE_STACKS = ['KmsGovernanceDemo', 'KmsGovernanceBaseline'];

function synthesized() {
  const app = allConfigurations();
  app.synth();
  return app;
}

describe('compliance of every construct, in default and non-default configurations, and of the example app', () => {
  const app = synthesized();
  const all: Finding[] = findings(app);
  const library: Finding[] = libraryFindings(app);

  test('no finding on a library resource without an acknowledgement', () => {
    expect(library.filter((f) => acknowledgementFor(f) === undefined).map((f) => `${f.id} on ${f.path}`)).toEqual([]);
  });

  test('the example app: every finding on any of its resources is acknowledged', () => {
    const exampleStacks = app.node.children.filter((c) => EXAMPLE_STACKS.includes(c.node.id));
    expect(exampleStacks.map((c) => c.node.id).sort()).toEqual([...EXAMPLE_STACKS].sort());
    expect(all.filter((f) => EXAMPLE_STACKS.includes(f.path.split('/')[0]) && acknowledgementFor(f) === undefined)).toEqual([]);
  });

  test('no acknowledgement without a finding', () => {
    const used = new Set(all.map((f) => acknowledgementFor(f)));
    expect(ACKNOWLEDGEMENTS.filter((a) => !used.has(a)).map((a) => `${a.id} ${a.path}`)).toEqual([]);
  });

  test('every acknowledgement is finding-level and gives a reason', () => {
    for (const a of ACKNOWLEDGEMENTS) {
      expect(a.reason.length).toBeGreaterThan(40);
      if (a.id.startsWith('AwsSolutions-IAM')) expect(a.id).toMatch(/\[.+\]$/);
    }
  });
});
