import { allConfigurations, Finding, findings, libraryAcknowledgements, libraryFindings, rawFindings } from './support';

/**
 * The acknowledgements ship with the constructs (src/private/acknowledgements.ts): every construct in
 * its default configuration and in non-default ones, and the example app
 * (test/support/configurations.ts), checked by every pack as a user runs them: no finding on a
 * library resource. And every acknowledgement the library records still matches a finding of the
 * same id on the same resource when acknowledgements are ignored (a stale reason hides nothing, but
 * it claims something that is no longer true).
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
  const raw: Finding[] = rawFindings(app);
  const shipped = libraryAcknowledgements(app);

  test('no finding on a library resource, with the acknowledgements the constructs ship', () => {
    expect(libraryFindings(app).map((f) => `${f.id} on ${f.path}`)).toEqual([]);
  });

  test('the example app: no finding on any of its resources', () => {
    const exampleStacks = app.node.children.filter((c) => EXAMPLE_STACKS.includes(c.node.id));
    expect(exampleStacks.map((c) => c.node.id).sort()).toEqual([...EXAMPLE_STACKS].sort());
    expect(all.filter((f) => EXAMPLE_STACKS.includes(f.path.split('/')[0]))).toEqual([]);
  });

  test('without the acknowledgements the packs do find what they acknowledge', () => {
    expect(raw.length).toBeGreaterThan(all.length);
  });

  test('every shipped acknowledgement matches a finding of its id on its resource', () => {
    expect(shipped.length).toBeGreaterThan(0);
    const found = new Set(raw.map((f) => `${f.id} on ${f.path}`));
    expect(shipped.filter((a) => !found.has(`${a.id} on ${a.path}`)).map((a) => `${a.id} on ${a.path}`)).toEqual([]);
  });

  test('every acknowledgement is finding-level and gives a reason', () => {
    for (const a of shipped) {
      expect(a.reason.length).toBeGreaterThan(40);
      if (a.id.startsWith('AwsSolutions-IAM')) expect(a.id).toMatch(/\[.+\]$/);
    }
  });
});
